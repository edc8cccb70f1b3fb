"""kg/vocab.py and ontology/paperkg.ttl declare exactly the same kgo: terms."""
import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS

from conftest import ROOT
from kg.vocab import KGO, sparql_prefixes


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


def test_classes_align_to_standard_vocabularies(ontology):
    sdo = rdflib.Namespace("https://schema.org/")
    assert (KGO.Paper, RDFS.subClassOf, sdo.ScholarlyArticle) in ontology
    assert (KGO.Dataset, RDFS.subClassOf, sdo.Dataset) in ontology
    assert (KGO.Evidence, RDFS.subClassOf, rdflib.URIRef("http://www.w3.org/ns/prov#Entity")) in ontology
    assert (KGO.Entity, RDFS.subClassOf, rdflib.URIRef("http://www.w3.org/2004/02/skos/core#Concept")) in ontology


def test_prefixes_parse_in_a_query(small_graph):
    rows = list(small_graph.query(sparql_prefixes() + "SELECT (COUNT(?p) AS ?n) WHERE { ?p a kgo:Paper }"))
    assert int(rows[0][0]) == 3
