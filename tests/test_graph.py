"""RDF output (kg/graph.py): vocabulary contract, evidence, SHACL, stable IRIs."""
import pyshacl
import rdflib
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, SKOS

from conftest import ROOT, TESTS
from kg.knowledge_graph import from_extractions
from kg.graph import ENTITIES_GRAPH, code_iri, paper_graph_iri, paper_iri
from kg.vocab import KGO
from small_corpus import DMAE, PASS, SWIN, dataset, extractions, store_of


def iri(x: str) -> rdflib.URIRef:
    return rdflib.URIRef(x)

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


def test_standard_terms_are_asserted_beside_the_kgo_ones(small_graph):
    """A client without inference finds dcterms:abstract and schema:name; the kgo: terms stay."""
    from kg.query import run_query

    rows = run_query(small_graph, "SELECT ?name ?abstract WHERE { ?p a schema:ScholarlyArticle ; schema:name ?name ; "
                                  "dcterms:abstract ?abstract } ORDER BY ?name").rows
    kgo_rows = run_query(small_graph, "SELECT ?title ?abstract WHERE { ?p a kgo:Paper ; dcterms:title ?title ; "
                                      "kgo:abstract ?abstract } ORDER BY ?title").rows
    assert len(rows) == 3 and rows == kgo_rows
    names = run_query(small_graph, "SELECT ?e ?name WHERE { ?e a kgo:Entity ; schema:name ?name } ORDER BY ?e").rows
    labels = run_query(small_graph, "SELECT ?e ?label WHERE { ?e a kgo:Entity ; rdfs:label ?label } ORDER BY ?e").rows
    assert len(names) == 24 and names == labels
    datasets = run_query(small_graph, "SELECT ?name WHERE { ?d a schema:Dataset ; schema:name ?name } ORDER BY ?name")
    assert [str(row.name) for row in datasets] == ["ADE20K", "COCO", "ImageNet", "ImageNet-1K",
                                                   "Pictures without humAns for Self-Supervision"]


def test_arxiv_metadata_gets_its_standard_terms_too():
    from kg.records import Extraction, Paper

    paper = Paper("T", "An abstract.", id="2106.01234", url="https://arxiv.org/abs/2106.01234",
                  categories=("cs.LG", "cs.CV"))
    ds = dataset([Extraction(paper)])
    p = iri(paper_iri(paper))
    dct = rdflib.Namespace("http://purl.org/dc/terms/")
    assert set(ds.objects(p, KGO.arxivId)) == set(ds.objects(p, dct.identifier)) == {rdflib.Literal("2106.01234")}
    assert set(ds.objects(p, KGO.category)) == set(ds.objects(p, dct.subject)) == {rdflib.Literal("cs.LG"),
                                                                                  rdflib.Literal("cs.CV")}
    conforms, _, text = pyshacl.validate(ds, shacl_graph=SHAPES, advanced=True)
    assert conforms, text


def test_shapes_catch_a_missing_or_different_standard_term(small_graph):
    dct, sdo = rdflib.Namespace("http://purl.org/dc/terms/"), rdflib.Namespace("https://schema.org/")
    paper = next(iter(small_graph.subjects(RDF.type, KGO.Paper)))
    entity = next(iter(small_graph.subjects(RDF.type, KGO.Method)))
    for s, p, o in [(paper, dct.abstract, None), (paper, sdo.name, None), (entity, sdo.name, None)]:
        g = rdflib.Graph() + small_graph
        g.remove((s, p, o))
        conforms, _, text = pyshacl.validate(g, shacl_graph=SHAPES, advanced=True)
        assert not conforms and "EqualsConstraintComponent" in text, p
    g = rdflib.Graph() + small_graph
    g.set((entity, sdo.name, rdflib.Literal("another name")))
    assert not pyshacl.validate(g, shacl_graph=SHAPES, advanced=True)[0]


def test_building_twice_gives_identical_graphs(small_dataset):
    again = dataset()
    assert sorted(small_dataset.quads()) == sorted(again.quads())


def test_the_streamed_build_gives_the_graph_of_in_memory_linking(tmp_path):
    """kg.build's pass (tables on disk, entities graph written at the end) = linking all papers at once."""
    exs = extractions()
    streamed = from_extractions(reversed(exs), out=tmp_path / "out")
    assert set(streamed.store.dump_bytes("nquads").splitlines()) == set(store_of(exs).dump_bytes("nquads").splitlines())


def test_no_triple_is_in_two_named_graphs(small_dataset):
    """What papers share (entities, code repositories, components) is in the entities graph only, so the
    union of the named graphs is their concatenation (graph.ttl is streamed without de-duplicating)."""
    seen = {}
    for s, p, o, g in small_dataset.quads((None, None, None, None)):
        assert seen.setdefault((s, p, o), g) == g, (s, p, o)


def test_a_url_that_cannot_be_an_iri_is_left_out_with_a_warning(caplog):
    from kg.records import CodeLink, Extraction, Paper

    paper = Paper("T", "Code: https://x.org:port/y and https://github.com/a/b", source="p.jsonl", line=7)
    bad, good = "https://x.org:port/y", "https://github.com/a/b"
    code = tuple(CodeLink(u, paper.text.index(u), paper.text.index(u) + len(u), paper.text, 0) for u in (bad, good))
    ds = dataset([Extraction(paper, (), code)])
    assert set(ds.objects(iri(paper_iri(paper)), KGO.hasCode)) == {iri(good)}
    assert "p.jsonl:7" in caplog.text and "https://x.org:port/y" in caplog.text


def by_value(g: rdflib.Graph) -> rdflib.Graph:
    """xsd:decimal literals by value: rdflib reads Oxigraph's canonical "1.0" as "1" from N-Quads, "1.0" from Turtle."""
    from decimal import Decimal

    out = rdflib.Graph()
    for s, p, o in g:
        if isinstance(o, rdflib.Literal) and isinstance(o.toPython(), Decimal):
            o = rdflib.Literal(o.toPython().normalize())
        out.add((s, p, o))
    return out


def test_committed_fixture_files_are_in_sync(small_dataset, small_graph):
    assert isomorphic(by_value(small_graph), by_value(rdflib.Graph().parse(TESTS / "data" / "small.ttl")))
    trig = rdflib.Dataset()
    trig.parse(TESTS / "data" / "small.trig", format="trig")
    assert {c.identifier for c in trig.graphs()} >= {iri(paper_graph_iri(p)) for p in (PASS, DMAE, SWIN)}


def test_one_named_graph_per_paper_plus_entities(small_dataset):
    names = {c.identifier for c in small_dataset.graphs() if len(c)}
    assert names == {iri(paper_graph_iri(p)) for p in (PASS, DMAE, SWIN)} | {iri(ENTITIES_GRAPH)}


def test_paper_and_links_follow_the_vocabulary(small_graph):
    g = small_graph
    p = iri(paper_iri(SWIN))
    assert (p, RDF.type, KGO.Paper) in g
    assert str(g.value(p, rdflib.URIRef("http://purl.org/dc/terms/title"))) == SWIN.title
    coco = rdflib.URIRef("https://w3id.org/paperkg/entity/dataset/coco")
    for prop in (KGO.evaluatesOn, KGO.usesDataset, KGO.uses):
        assert (p, prop, coco) in g
    assert (p, KGO.hasCode, iri(code_iri("https://github.com/microsoft/Swin-Transformer"))) in g
    assert set(g.objects(iri(paper_iri(PASS)), KGO.proposes)) == {
        rdflib.URIRef("https://w3id.org/paperkg/entity/dataset/picturewithouthumanforselfsupervision")}


def test_entity_has_one_label_and_its_surface_forms(small_graph):
    mae = rdflib.URIRef("https://w3id.org/paperkg/entity/method/maskedautoencoder")
    assert list(small_graph.objects(mae, RDFS.label)) == [rdflib.Literal("Masked Autoencoders")]
    assert set(small_graph.objects(mae, SKOS.altLabel)) == {rdflib.Literal("MAE")}
    assert (mae, RDF.type, KGO.Method) in small_graph


def test_evidence_offsets_point_at_the_mention(small_graph):
    texts = {iri(paper_iri(p)): p.text for p in (PASS, DMAE, SWIN)}
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
    code = code_iri('https://github.com/a/b"><script>')
    assert code == "https://github.com/a/b%22%3E%3Cscript%3E"
    g = rdflib.Graph()
    g.add((iri(code), RDF.type, KGO.Paper))
    assert rdflib.Graph().parse(data=g.serialize(format="nt"), format="nt") is not None


def test_paper_iri_is_stable_across_sources():
    from kg.records import Paper

    a = Paper(SWIN.title, "abstract A", source="x.txt", line=3)
    b = Paper(SWIN.title.upper(), "abstract B", source="y.jsonl", line=9, id="2103.14030")
    assert paper_iri(a) == paper_iri(b) == paper_iri(SWIN)
