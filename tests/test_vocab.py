"""kg/vocab.py and ontology/paperkg.ttl declare exactly the same kgo: terms."""
import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS

from conftest import ROOT
from kg.vocab import (ENTITY_TYPES, KGO, LINK_PROPERTIES, RELATION_TYPES, SUPER_PROPERTY, TYPE_PROPERTY, USES_PROPERTY,
                      sparql_prefixes, sub_properties)


@pytest.fixture(scope="module")
def ontology():
    return rdflib.Graph().parse(ROOT / "ontology" / "paperkg.ttl")


def declared_terms(g):
    ns = str(KGO._NS)
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    return {str(s)[len(ns):] for k in kinds for s in g.subjects(RDF.type, k) if str(s).startswith(ns)}


def test_namespace_and_ontology_declare_the_same_terms(ontology):
    assert declared_terms(ontology) == set(KGO.__annotations__)


def test_every_term_has_label_and_comment(ontology):
    for name in KGO.__annotations__:
        term = KGO[name]
        assert ontology.value(term, RDFS.label) is not None, name
        assert ontology.value(term, RDFS.comment) is not None, name


def test_unknown_term_raises():
    with pytest.raises(AttributeError):
        KGO.usesDatasett  # noqa: B018


def test_uses_family_are_sub_properties_of_uses(ontology):
    closure = set(ontology.transitive_subjects(RDFS.subPropertyOf, KGO.uses))
    assert closure == {KGO.uses, KGO.usesMethod, KGO.usesArchitecture, KGO.usesDataset,
                       KGO.evaluatesOn, KGO.trainsOn, KGO.comparesWith}


def local(term) -> str:
    return str(term)[len(str(KGO._NS)):]


def test_the_entity_types_are_the_ontologys_entity_classes(ontology):
    declared = {local(c) for c in ontology.subjects(RDFS.subClassOf, KGO.Entity)}
    assert set(ENTITY_TYPES) == declared and len(ENTITY_TYPES) == 5


def test_the_uses_hierarchy_is_the_ontologys(ontology):
    ns = str(KGO._NS)
    tree = {local(s): local(o) for s, o in ontology.subject_objects(RDFS.subPropertyOf) if str(o).startswith(ns)}
    assert tree == SUPER_PROPERTY
    assert sub_properties("uses") == set(SUPER_PROPERTY)
    assert sub_properties("usesDataset") == {"evaluatesOn", "trainsOn"} and sub_properties("trainsOn") == set()


def test_link_properties_and_their_ranges_are_the_ontologys(ontology):
    ranges = {local(s): local(o) for s, o in ontology.subject_objects(RDFS.range) if str(o).startswith(str(KGO._NS))}
    for etype, prop in {**USES_PROPERTY, **TYPE_PROPERTY}.items():
        assert ranges[prop] == etype, prop
    for rel, types in RELATION_TYPES.items():
        # a finer relation applies to its range, or (range kgo:Entity) to every type with a usesX property
        assert types == ((ranges[rel],) if ranges[rel] != "Entity" else tuple(USES_PROPERTY)), rel
    linking = {local(s) for s in ontology.subjects(RDFS.domain, KGO.Paper)
               if (s, RDF.type, OWL.ObjectProperty) in ontology}
    assert set(LINK_PROPERTIES) == linking and len(LINK_PROPERTIES) == len(set(LINK_PROPERTIES))


def test_the_build_does_not_need_rdflib_for_the_vocabulary():
    import subprocess
    import sys

    code = "import sys, kg.vocab, kg.graph, kg.link, kg.tables; print('rdflib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_classes_align_to_standard_vocabularies(ontology):
    sdo = rdflib.Namespace("https://schema.org/")
    assert (KGO.Paper, RDFS.subClassOf, sdo.ScholarlyArticle) in ontology
    assert (KGO.Dataset, RDFS.subClassOf, sdo.Dataset) in ontology
    assert (KGO.Evidence, RDFS.subClassOf, rdflib.URIRef("http://www.w3.org/ns/prov#Entity")) in ontology
    assert (KGO.Entity, RDFS.subClassOf, rdflib.URIRef("http://www.w3.org/2004/02/skos/core#Concept")) in ontology


def test_prefixes_parse_in_a_query(small_graph):
    rows = list(small_graph.query(sparql_prefixes() + "SELECT (COUNT(?p) AS ?n) WHERE { ?p a kgo:Paper }"))
    assert int(rows[0][0]) == 3


def test_standard_properties_are_the_ontologys_super_properties_of_paper_metadata(ontology):
    """kg.vocab.STANDARD_PROPERTIES names, for each kgo: property of a paper that refines a standard one, that
    standard property: what the graph asserts beside it."""
    from kg.vocab import STANDARD_PROPERTIES

    refines = {}
    for prop in ontology.subjects(RDFS.domain, KGO.Paper):
        for parent in ontology.objects(prop, RDFS.subPropertyOf):
            if not str(parent).startswith(str(KGO._NS)):
                refines[str(prop)[len(str(KGO._NS)):]] = str(parent)
    assert refines == STANDARD_PROPERTIES
