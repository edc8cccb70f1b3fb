"""RDF output (kg/graph.py): vocabulary contract, evidence, SHACL, stable IRIs."""
from pathlib import Path

import pyshacl
import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, SKOS

from conftest import ROOT, TESTS
from kg.graph import ENTITIES_GRAPH, code_iri, paper_graph_iri, paper_iri, to_dataset, union_graph
from kg.link import link
from kg.vocab import KGO
from small_corpus import DMAE, PASS, SWIN, extractions

SHAPES = rdflib.Graph().parse(ROOT / "ontology" / "shapes.ttl")


def test_graph_conforms_to_shapes(small_graph):
    conforms, _, text = pyshacl.validate(small_graph, shacl_graph=SHAPES, advanced=True)
    assert conforms, text


def test_shapes_catch_a_link_without_evidence(small_graph):
    g = rdflib.Graph() + small_graph
    for ev in list(g.subjects(KGO.entity, rdflib.URIRef("https://github.com/UCSC-VLAA/DMAE"))):
        g.remove((ev, None, None))
    conforms, _, text = pyshacl.validate(g, shacl_graph=SHAPES, advanced=True)
    assert not conforms and "a link without evidence" in text


def test_building_twice_gives_identical_graphs(small_dataset):
    again = to_dataset(link(extractions()))
    assert sorted(small_dataset.quads()) == sorted(again.quads())


def test_committed_fixture_files_are_in_sync(small_dataset, small_graph):
    assert isomorphic(small_graph, rdflib.Graph().parse(TESTS / "data" / "small.ttl"))
    trig = rdflib.Dataset()
    trig.parse(TESTS / "data" / "small.trig", format="trig")
    assert {c.identifier for c in trig.graphs()} >= {paper_graph_iri(p) for p in (PASS, DMAE, SWIN)}


def test_one_named_graph_per_paper_plus_entities(small_dataset):
    names = {c.identifier for c in small_dataset.graphs() if len(c)}
    assert names == {paper_graph_iri(p) for p in (PASS, DMAE, SWIN)} | {ENTITIES_GRAPH}


def test_paper_and_links_follow_the_vocabulary(small_graph):
    g = small_graph
    p = paper_iri(SWIN)
    assert (p, RDF.type, KGO.Paper) in g
    assert str(g.value(p, rdflib.URIRef("http://purl.org/dc/terms/title"))) == SWIN.title
    coco = rdflib.URIRef("https://w3id.org/paperkg/entity/dataset/coco")
    for prop in (KGO.evaluatesOn, KGO.usesDataset, KGO.uses):
        assert (p, prop, coco) in g
    assert (p, KGO.hasCode, code_iri("https://github.com/microsoft/Swin-Transformer")) in g
    assert set(g.objects(paper_iri(PASS), KGO.proposes)) == {
        rdflib.URIRef("https://w3id.org/paperkg/entity/dataset/picturewithouthumanforselfsupervision")}


def test_entity_has_one_label_and_its_surface_forms(small_graph):
    mae = rdflib.URIRef("https://w3id.org/paperkg/entity/method/maskedautoencoder")
    assert list(small_graph.objects(mae, RDFS.label)) == [rdflib.Literal("Masked Autoencoders")]
    assert set(small_graph.objects(mae, SKOS.altLabel)) == {rdflib.Literal("MAE")}
    assert (mae, RDF.type, KGO.Method) in small_graph


def test_evidence_offsets_point_at_the_mention(small_graph):
    texts = {paper_iri(p): p.text for p in (PASS, DMAE, SWIN)}
    evs = list(small_graph.subjects(RDF.type, KGO.Evidence))
    assert len(evs) == sum(len(e.mentions) + len(e.code) for e in extractions())
    for ev in evs:
        text = texts[small_graph.value(ev, KGO.paper)]
        start, end = int(small_graph.value(ev, KGO.start)), int(small_graph.value(ev, KGO.end))
        assert text[start:end] == str(small_graph.value(ev, KGO.mention))
        s0 = int(small_graph.value(ev, KGO.sentenceStart))
        assert text[s0:].startswith(str(small_graph.value(ev, KGO.sentence)))
        assert 0 <= float(small_graph.value(ev, KGO.confidence)) <= 1


def test_code_urls_with_unsafe_characters_become_valid_iris():
    iri = code_iri('https://github.com/a/b"><script>')
    assert str(iri) == "https://github.com/a/b%22%3E%3Cscript%3E"
    g = rdflib.Graph()
    g.add((iri, RDF.type, KGO.Paper))
    assert rdflib.Graph().parse(data=g.serialize(format="nt"), format="nt") is not None


def test_paper_iri_is_stable_across_sources():
    from kg.records import Paper

    a = Paper(SWIN.title, "abstract A", source="x.txt", line=3)
    b = Paper(SWIN.title.upper(), "abstract B", source="y.jsonl", line=9, id="2103.14030")
    assert paper_iri(a) == paper_iri(b) == paper_iri(SWIN)
