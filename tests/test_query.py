"""kg.query: one result type over rdflib and the store, safe bindings, named queries, outputs, errors.

Exact answers come from the hand-annotated fixture (tests/small_corpus.py): PASS, Masked Autoencoders
Enable Efficient Knowledge Distillers (DMAE) and Swin Transformer.
"""
from __future__ import annotations

import csv
import doctest
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS

import kg.query
from kg.errors import KGError, QueryError
from kg.query import QueryResult, list_named_queries, named_query, run_named_query, run_query
from kg.store import ANSWER_FORMATS, Store
from kg.vocab import KGO

DATA = Path(__file__).parent / "data"
XSD_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#integer")

PASS_TITLE = "PASS: An ImageNet replacement for self-supervised pretraining without humans"
DMAE_TITLE = "Masked Autoencoders Enable Efficient Knowledge Distillers"
SWIN_TITLE = "Swin Transformer: Hierarchical Vision Transformer using Shifted Windows"
ENTITY = "https://w3id.org/paperkg/entity/"
SWIN_CODE = "https://github.com/microsoft/Swin-Transformer"
INJECTION = 'x" } ; DROP ALL ; #'


@pytest.fixture(scope="session")
def ds() -> Dataset:
    from small_corpus import dataset

    return dataset()


@pytest.fixture(scope="session")
def store(ds, tmp_path_factory) -> Store:
    s = Store.create_from(ds, tmp_path_factory.mktemp("query") / "store")
    yield s
    s.close()


@pytest.fixture(scope="session")
def trig() -> Dataset:
    """The fixture as parsed from TriG: a Dataset whose default graph is NOT the union."""
    d = Dataset()
    d.parse(DATA / "small.trig", format="trig")
    return d


@pytest.fixture(params=["rdflib", "trig", "store"])
def source(request, ds, trig, store):
    return {"rdflib": ds, "trig": trig, "store": store}[request.param]


def titles(result: QueryResult) -> list[str]:
    i = result.vars.index("title")
    return [str(r[i]) for r in result.rows]


def column(result: QueryResult, name: str) -> list:
    i = result.vars.index(name)
    return [r[i] for r in result.rows]


# --------------------------------------------------------------------------------------------------
# named queries: exact answers on both engines


def test_papers_using_imagenet_are_exactly_pass_and_dmae(source):
    r = run_named_query(source, "papers-using-dataset", {"dataset": "ImageNet"})
    assert r.kind == "select"
    assert r.vars == ["paper", "title", "entity", "dataset"]
    assert titles(r) == [DMAE_TITLE, PASS_TITLE]
    assert set(column(r, "entity")) == {URIRef(ENTITY + "dataset/imagenet")}


def test_dataset_param_is_case_insensitive_and_not_a_substring_match(source):
    assert titles(run_named_query(source, "papers-using-dataset", {"dataset": "imagenet"})) == [DMAE_TITLE, PASS_TITLE]
    assert titles(run_named_query(source, "papers-using-dataset", {"dataset": "IMAGENET-1k"})) == [SWIN_TITLE]
    assert run_named_query(source, "papers-using-dataset", {"dataset": "Image"}).rows == []


def test_a_proposed_dataset_is_not_a_used_one(source):
    # PASS proposes the PASS dataset (alias "PASS"); no paper uses it
    assert run_named_query(source, "papers-using-dataset", {"dataset": "pass"}).rows == []


def test_most_used_datasets_by_count_then_label(source):
    r = run_named_query(source, "most-used-datasets")
    assert [(str(label), n.toPython()) for _, label, n in r.rows] == [
        ("ImageNet", 2), ("ADE20K", 1), ("COCO", 1), ("ImageNet-1K", 1)]
    assert all(n.datatype == XSD_INTEGER for _, _, n in r.rows)


def test_methods_proposed_with_code_is_swin_with_its_repository(source):
    r = run_named_query(source, "methods-proposed-with-code")
    assert r.to_dicts() == [{
        "paper": "https://w3id.org/paperkg/paper/343c538f04e1887f",
        "title": SWIN_TITLE,
        "entity": ENTITY + "architecture/swintransformer",
        "label": "Swin Transformer",
        "type": str(KGO.Architecture),
        "code": SWIN_CODE,
    }]


def test_papers_proposing(source):
    r = run_named_query(source, "papers-proposing")
    assert [(str(t), str(label), ty) for _, t, _, label, ty in r.rows] == [
        (PASS_TITLE, "Pictures without humAns for Self-Supervision", KGO.Dataset),
        (SWIN_TITLE, "Swin Transformer", KGO.Architecture),
    ]


@pytest.mark.parametrize("label, entity, names", [
    ("mae", "method/maskedautoencoder", [("Masked Autoencoders", "label"), ("MAE", "alias")]),
    ("Masked Autoencoders", "method/maskedautoencoder", [("Masked Autoencoders", "label"), ("MAE", "alias")]),
    ("moco-V2", "method/mocov2", [("MoCo v2", "label"), ("MoCo-v2", "alias")]),
    ("COCO", "dataset/coco", [("COCO", "label")]),
    ("no such thing", None, []),
])
def test_entity_aliases(source, label, entity, names):
    r = run_named_query(source, "entity-aliases", {"label": label})
    assert [(str(n), str(k)) for n, k in zip(column(r, "name"), column(r, "kind"))] == names
    if entity:
        assert set(column(r, "entity")) == {URIRef(ENTITY + entity)}


def test_papers_for_task(source):
    assert titles(run_named_query(source, "papers-for-task", {"task": "Object Detection"})) == [SWIN_TITLE]
    assert titles(run_named_query(source, "papers-for-task", {"task": "human pose estimation"})) == [PASS_TITLE]
    assert run_named_query(source, "papers-for-task", {"task": "ImageNet"}).rows == []


def test_datasets_for_task(source):
    r = run_named_query(source, "datasets-for-task", {"task": "Object Detection"})
    assert r.vars == ["entity", "label", "papers", "task"]
    assert [(str(e), str(label), n.toPython()) for e, label, n, _ in r.rows] == [
        (ENTITY + "dataset/ade20k", "ADE20K", 1), (ENTITY + "dataset/coco", "COCO", 1),
        (ENTITY + "dataset/imagenet1k", "ImageNet-1K", 1)]
    # PASS addresses human pose estimation and uses ImageNet; the dataset it proposes is not "used"
    assert [str(r[1]) for r in run_named_query(source, "datasets-for-task", {"task": "human pose estimation"}).rows] \
        == ["ImageNet"]
    assert run_named_query(source, "datasets-for-task", {"task": "ImageNet"}).rows == []


def test_methods_used_together_pairs_each_paper_s_methods_and_architectures_once(source):
    r = run_named_query(source, "methods-used-together")
    pairs = [(str(a), str(b), n.toPython()) for _, a, _, b, n in r.rows]
    # PASS uses 5 methods (10 pairs), DMAE 2 methods + 2 architectures (6), Swin 1 + 1 (1; it PROPOSES Swin)
    assert len(pairs) == 17 and {n for *_, n in pairs} == {1}
    assert pairs[0] == ("DINO", "MoCo v2", 1)
    assert ("Transformer", "self-attention", 1) in pairs
    assert ("ViT-B", "ViT-L", 1) in pairs
    assert not any("Swin Transformer" in (a, b) for a, b, _ in pairs)
    assert all(e1 < e2 for e1, _, e2, _, _ in r.rows)


def test_similar_papers_by_shared_entities(source):
    r = run_named_query(source, "similar-papers", {"title": DMAE_TITLE.upper()})
    assert r.vars == ["paper", "other", "otherTitle", "shared", "title"]
    # DMAE shares ImageNet with PASS and top-1 accuracy with Swin (ImageNet-1K is another entity)
    assert [(str(t), n.toPython()) for _, _, t, n, _ in r.rows] == [(PASS_TITLE, 1), (SWIN_TITLE, 1)]
    assert [(str(t), n.toPython()) for _, _, t, n, _ in run_named_query(source, "similar-papers",
                                                                         {"title": SWIN_TITLE}).rows] == [(DMAE_TITLE, 1)]
    assert run_named_query(source, "similar-papers", {"title": "Swin Transformer"}).rows == []


PARAMS = {"dataset": "ImageNet", "label": "MAE", "task": "object detection", "title": DMAE_TITLE}


@pytest.mark.parametrize("name", [q.name for q in list_named_queries()])
def test_every_named_query_gives_the_same_answer_in_memory_and_on_disk(name, ds, trig, store):
    params = {p: PARAMS[p] for p in named_query(name).params}
    in_memory = run_named_query(ds, name, params)
    assert in_memory.rows, f"{name} answers nothing on the fixture: the test would prove little"
    assert run_named_query(store, name, params).rows == in_memory.rows
    assert run_named_query(trig, name, params).rows == in_memory.rows
    assert store.query(named_query(name).text, params).rows == in_memory.rows


# --------------------------------------------------------------------------------------------------
# named query files


def test_named_query_files_have_complete_headers():
    queries = list_named_queries()
    assert {q.name for q in queries} >= {"papers-using-dataset", "methods-proposed-with-code", "most-used-datasets",
                                         "papers-proposing", "entity-aliases", "papers-for-task"}
    for q in queries:
        assert q.path.name == f"{q.name}.rq"
        assert q.description, q.name
        assert any(e.startswith(f"kg query --name {q.name}") for e in q.examples), q.name
        for p in q.params:
            assert f"--param {p}=" in " ".join(q.examples), (q.name, p)
            # bound variables must be projected (the store engine's rule)
            select = re.search(r"SELECT(.*?)WHERE", q.text, re.S).group(1)
            assert f"?{p}" in select.split(), (q.name, p)


def test_named_query_params_are_parsed_from_the_header():
    q = named_query("papers-using-dataset")
    assert q.params == {"dataset": "label or alias of a dataset (case-insensitive)"}
    assert q.examples == ("kg query --name papers-using-dataset --param dataset=ImageNet",)
    assert named_query("most-used-datasets").params == {}


def test_unknown_named_query_lists_the_known_ones():
    with pytest.raises(QueryError, match="unknown named query 'papers-using-datasets'; known: .*papers-using-dataset"):
        named_query("papers-using-datasets")


def test_named_query_parameter_errors(ds):
    with pytest.raises(QueryError, match=r"'papers-using-dataset' needs --param dataset="):
        run_named_query(ds, "papers-using-dataset")
    with pytest.raises(QueryError, match=r"'most-used-datasets' has no parameter 'dataset'; it takes: no parameters"):
        run_named_query(ds, "most-used-datasets", {"dataset": "x"})


# --------------------------------------------------------------------------------------------------
# bindings


def test_an_injection_attempt_is_one_literal_and_changes_nothing(source, store):
    before = len(store)
    r = run_named_query(source, "papers-using-dataset", {"dataset": INJECTION})
    assert r.rows == []
    r = run_query(source, "SELECT ?p ?t WHERE { ?p dcterms:title ?t }", {"t": INJECTION})
    assert r.rows == []
    assert len(store) == before
    assert run_query(source, "ASK { ?p a kgo:Paper }").boolean is True


def test_a_bound_string_with_quotes_matches_exactly_that_string(ds, store):
    g = Graph()
    tricky = 'say "hi" } ; DROP ALL ; # \\ \n'
    g.add((URIRef("https://ex.org/a"), RDFS.label, Literal(tricky)))
    assert run_query(g, "SELECT ?s ?l WHERE { ?s rdfs:label ?l }", {"l": tricky}).rows == [
        (URIRef("https://ex.org/a"), Literal(tricky))]


def test_a_string_that_looks_like_an_iri_is_a_literal_unless_given_as_uriref(source):
    q = "SELECT ?p ?code WHERE { ?p kgo:hasCode ?code }"
    assert run_query(source, q, {"code": SWIN_CODE}).rows == []
    r = run_query(source, q, {"code": URIRef(SWIN_CODE)})
    assert r.rows == [(URIRef("https://w3id.org/paperkg/paper/343c538f04e1887f"), URIRef(SWIN_CODE))]


def test_python_values_become_typed_literals(source):
    r = run_query(source, "SELECT ?e ?c WHERE { ?e kgo:catalogued ?c } ORDER BY ?e", {"c": False})
    assert [str(e) for e, _ in r.rows] == [ENTITY + "architecture/swintransformer",
                                           ENTITY + "dataset/picturewithouthumanforselfsupervision"]
    r = run_query(source, "SELECT ?ev ?s WHERE { ?ev kgo:start ?s ; kgo:mention 'COCO' }", {"s": 1138})
    assert len(r.rows) == 1 and r.to_dicts()[0]["s"] == 1138


@pytest.mark.parametrize("query, bindings, message", [
    ("SELECT ?p WHERE { ?p ?x ?o }", {"o": "a"}, r"cannot bind \?o: it is not in the SELECT clause"),
    ("SELECT ?p WHERE { ?p ?x ?o }", {"zz": "a"}, r"cannot bind \?zz: the query has no variable \?zz"),
    ("ASK { ?p ?x ?o }", {"zz": "a"}, r"cannot bind \?zz: the query has no variable \?zz"),
    ("SELECT ?p WHERE { ?p ?x ?o }", {"p": [1]}, r"cannot bind a list"),
    ("SELECT ?p WHERE { ?p ?x ?o }", {"p x": 1}, r"bad binding name 'p x'"),
])
def test_bad_bindings_raise_the_same_query_error_on_both_engines(source, query, bindings, message):
    with pytest.raises(QueryError, match=message):
        run_query(source, query, bindings)


# --------------------------------------------------------------------------------------------------
# result kinds and outputs

METRICS = "SELECT ?metric ?label WHERE { ?metric a kgo:Metric ; rdfs:label ?label } ORDER BY ?label"


def test_table_output_is_aligned_with_a_row_count(source):
    assert run_query(source, METRICS).to_table() == (
        "metric                                               label\n"
        "---------------------------------------------------  --------------\n"
        "https://w3id.org/paperkg/entity/metric/ap            AP\n"
        "https://w3id.org/paperkg/entity/metric/miou          mIoU\n"
        "https://w3id.org/paperkg/entity/metric/top1accuracy  top-1 accuracy\n"
        "(3 rows)")


def test_table_aligns_numbers_right_and_cuts_long_cells(source):
    assert run_named_query(source, "most-used-datasets").to_table(max_width=20) == (
        "entity                label        papers\n"
        "--------------------  -----------  ------\n"
        "https://w3id.org/pa…  ImageNet          2\n"
        "https://w3id.org/pa…  ADE20K            1\n"
        "https://w3id.org/pa…  COCO              1\n"
        "https://w3id.org/pa…  ImageNet-1K       1\n"
        "(4 rows)")


def test_table_shows_standard_iris_as_prefixed_names(source):
    r = run_query(source, "SELECT ?t ?type (COUNT(?x) AS ?n) WHERE { ?p a ?type ; dcterms:title ?t ; kgo:uses ?x } "
                          "GROUP BY ?t ?type ORDER BY ?t ?type")
    assert r.to_table(max_width=12) == (
        "t             type          n\n"
        "------------  ------------  -\n"
        "Masked Auto…  schema:Scho…  5\n"
        "Masked Auto…  kgo:Paper     5\n"
        "PASS: An Im…  schema:Scho…  6\n"
        "PASS: An Im…  kgo:Paper     6\n"
        "Swin Transf…  schema:Scho…  5\n"
        "Swin Transf…  kgo:Paper     5\n"
        "(6 rows)")
    assert QueryResult.select(["x"], []).to_table() == "x\n-\n(0 rows)"


def answer(store, query, fmt):
    """The query's answer as kg query --format and the endpoint write it (Oxigraph's serialisers)."""
    results_format, graph_format = ANSWER_FORMATS[fmt]
    return store.query_serialized(query, results_format=results_format, graph_format=graph_format).data.decode()


def test_csv_output_is_w3c_csv(store):
    assert answer(store, METRICS, "csv") == (
        "metric,label\r\n"
        "https://w3id.org/paperkg/entity/metric/ap,AP\r\n"
        "https://w3id.org/paperkg/entity/metric/miou,mIoU\r\n"
        "https://w3id.org/paperkg/entity/metric/top1accuracy,top-1 accuracy\r\n")


def test_csv_quotes_values_with_commas_and_leaves_unbound_empty(store):
    out = answer(store, "SELECT ?t ?none WHERE { ?p dcterms:title ?t "
                        "OPTIONAL { ?p rdfs:seeAlso ?none } FILTER(STRSTARTS(?t, 'Swin')) }", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows == [["t", "none"], [SWIN_TITLE, ""]]
    out = answer(store, "SELECT ?a WHERE { ?p kgo:abstract ?a ; dcterms:title ?t FILTER(STRSTARTS(?t, 'Swin')) }",
                 "csv")
    assert out.startswith('a\r\n"This paper presents a new vision Transformer, called Swin Transformer,')


def test_json_output_has_the_w3c_shape(store):
    out = answer(store, "SELECT ?label ?n ?none WHERE { ?e rdfs:label ?label ; kgo:catalogued ?c "
                        "OPTIONAL { ?e rdfs:seeAlso ?none } BIND(STRLEN(?label) AS ?n) FILTER(?label = 'COCO') }", "json")
    assert json.loads(out) == {
        "head": {"vars": ["label", "n", "none"]},
        "results": {"bindings": [{
            "label": {"type": "literal", "value": "COCO"},
            "n": {"type": "literal", "value": "4", "datatype": str(XSD_INTEGER)},
        }]},
    }
    doc = json.loads(answer(store, METRICS, "json"))
    assert doc["results"]["bindings"][0] == {
        "metric": {"type": "uri", "value": ENTITY + "metric/ap"},
        "label": {"type": "literal", "value": "AP"},
    }


def test_ask(source):
    yes = run_query(source, "ASK { ?p kgo:proposes ?e . ?e rdfs:label 'Swin Transformer' }")
    no = run_query(source, "ASK { ?p kgo:proposes ?e . ?e rdfs:label 'ImageNet' }")
    assert (yes.kind, yes.boolean, no.boolean) == ("ask", True, False)
    assert yes.to_table() == "true" and no.to_table() == "false"
    assert yes.to_dicts() == [{"boolean": True}]


def test_ask_written_by_oxigraph(store):
    assert json.loads(answer(store, "ASK { ?p kgo:proposes ?e . ?e rdfs:label 'Swin Transformer' }", "json")) == {
        "head": {}, "boolean": True}
    xml = answer(store, "ASK { ?p kgo:proposes ?e . ?e rdfs:label 'ImageNet' }", "xml")
    assert "<boolean>false</boolean>" in xml


def test_construct_gives_a_graph(source):
    r = run_query(source, "CONSTRUCT { ?e rdfs:label ?l } WHERE { ?e a kgo:Metric ; rdfs:label ?l }")
    expected = Graph()
    for name, label in [("ap", "AP"), ("miou", "mIoU"), ("top1accuracy", "top-1 accuracy")]:
        expected.add((URIRef(ENTITY + "metric/" + name), RDFS.label, Literal(label)))
    assert r.kind == "graph" and r.vars == ["subject", "predicate", "object"]
    assert isomorphic(r.graph, expected)
    assert r.rows == sorted(expected, key=lambda t: str(t[0]))
    assert r.to_table().endswith("(3 triples)")


@pytest.mark.parametrize("fmt, rdflib_format", [("json", "json-ld"), ("jsonld", "json-ld"), ("turtle", "turtle"),
                                                 ("ntriples", "nt"), ("xml", "xml"), ("rdfxml", "xml")])
def test_construct_written_by_oxigraph_in_each_graph_format(store, fmt, rdflib_format):
    expected = Graph()
    for name, label in [("ap", "AP"), ("miou", "mIoU"), ("top1accuracy", "top-1 accuracy")]:
        expected.add((URIRef(ENTITY + "metric/" + name), RDFS.label, Literal(label)))
    out = answer(store, "CONSTRUCT { ?e rdfs:label ?l } WHERE { ?e a kgo:Metric ; rdfs:label ?l }", fmt)
    assert isomorphic(Graph().parse(data=out, format=rdflib_format), expected)


def test_describe_gives_a_graph(source):
    r = run_query(source, f"DESCRIBE <{ENTITY}dataset/coco>")
    assert r.kind == "graph"
    assert (URIRef(ENTITY + "dataset/coco"), RDF.type, KGO.Dataset) in r.graph


def test_to_dicts_gives_python_values(source):
    r = run_query(source, "SELECT ?e ?c ?start ?conf WHERE { ?ev kgo:entity ?e ; kgo:start ?start ; kgo:confidence ?conf ;"
                          " kgo:mention 'ADE20K' . ?e kgo:catalogued ?c }")
    [row] = r.to_dicts()
    assert row["e"] == ENTITY + "dataset/ade20k"
    assert row["c"] is True and row["start"] == 1193
    assert row["conf"] == Decimal("0.9")  # "0.900" in memory, "0.9" in the store: the same value


def test_standard_prefixes_need_no_prefix_lines_and_a_prefix_line_wins(source):
    q = "SELECT ?p WHERE { ?p a kgo:Paper }"
    assert len(run_query(source, q).rows) == 3
    other = "PREFIX kgo: <https://example.org/other#>\n" + q
    assert run_query(source, other).rows == []


def test_the_default_graph_is_the_union_of_the_named_graphs(source):
    # the title is in a paper's graph, the label in the entities graph
    r = run_query(source, "SELECT ?t WHERE { ?p dcterms:title ?t ; kgo:proposes ?e . ?e rdfs:label 'Swin Transformer' }")
    assert titles(QueryResult.select(["title"], r.rows)) == [SWIN_TITLE]
    r = run_query(source, "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert r.rows[0][0].toPython() == 4



# --------------------------------------------------------------------------------------------------
# errors


@pytest.mark.parametrize("query, message", [
    ("SELECT ?x WHERE { ?x ?y }", r"^malformed SPARQL query at line 1, column \d+: "),
    ("SELECT ?x\nWHERE {\n  ?x ?y }", r"^malformed SPARQL query at line 3, column \d+: "),
    ("SELECT ?x WHERE { ?x foo:bar ?y }", r"unknown prefix \(the ones known without a PREFIX line: kgo, rdf"),
    ("DROP ALL", r"this is a SPARQL UPDATE; queries are read-only"),
    ("INSERT DATA { <https://ex.org/a> <https://ex.org/b> <https://ex.org/c> }", r"this is a SPARQL UPDATE"),
    ("   ", r"empty query"),
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", r"SERVICE is not allowed"),
    ("SELECT * WHERE { SERVICE SILENT ?svc { ?s ?p ?o } }", r"SERVICE is not allowed"),
])
def test_bad_queries_raise_a_one_line_query_error(source, store, query, message):
    before = len(store)
    with pytest.raises(QueryError, match=message) as info:
        run_query(source, query)
    assert "\n" not in str(info.value) and len(str(info.value)) < 300
    assert isinstance(info.value, KGError)
    assert len(store) == before


def test_the_word_service_in_a_string_or_variable_is_fine(source):
    assert run_query(source, "SELECT ?service WHERE { ?service rdfs:label 'SERVICE' }").rows == []


def test_from_is_refused_in_memory_because_rdflib_would_fetch_it(ds):
    with pytest.raises(QueryError, match="FROM / FROM NAMED are not supported on an in-memory graph"):
        run_query(ds, "SELECT ?s FROM <file:///etc/passwd> WHERE { ?s ?p ?o }")


def test_a_source_that_is_not_a_graph_or_store(ds):
    with pytest.raises(QueryError, match="cannot query a dict"):
        run_query({}, "ASK {}")


def test_docstring_examples_run():
    assert doctest.testmod(kg.query, optionflags=doctest.ELLIPSIS).failed == 0
