"""The public API (``kg.__all__`` and the KnowledgeGraph methods) on the three-paper fixture."""
from __future__ import annotations

import inspect
import subprocess
import sys

import pytest
from pathlib import Path

from rdflib.compare import isomorphic

import kg
from kg.errors import GraphError, QueryError

SMALL = "tests/data/small.ttl"
SOURCES = "tests/data/sources"
PAPER = "https://w3id.org/paperkg/paper/"
TITLES = ["Masked Autoencoders Enable Efficient Knowledge Distillers",
          "PASS: An ImageNet replacement for self-supervised pretraining without humans",
          "Swin Transformer: Hierarchical Vision Transformer using Shifted Windows"]
#: Names of kg.__all__ whose docstring lives in a module this test's owner does not edit (kg/errors.py).
_EXAMPLE_PENDING: set[str] = set()


@pytest.fixture(scope="module")
def small():
    return kg.load(SMALL)


def test_import_kg_loads_neither_spacy_nor_rdflib():
    code = ("import sys, kg; kg.__all__; "
            "print(sorted(m for m in ('spacy', 'rdflib', 'networkx', 'pyoxigraph', 'pandas') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]" and out.stderr == ""


def test_all_is_the_public_api():
    assert sorted(kg.__all__) == ["BuildReport", "KGError", "KnowledgeGraph", "Paper", "PaperFilter", "QueryResult",
                                  "analysis", "build", "load", "load_nlp", "nlp"]
    for name in kg.__all__:
        assert getattr(kg, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'knowledge_graphs'"):
        kg.knowledge_graphs  # noqa: B018


@pytest.mark.parametrize("name", kg.__all__)
def test_every_public_name_has_a_docstring_with_an_example(name):
    doc = inspect.getdoc(getattr(kg, name)) or ""
    assert doc, f"kg.{name} has no docstring"
    if name not in _EXAMPLE_PENDING:
        assert ">>>" in doc, f"kg.{name}'s docstring has no >>> example"


@pytest.mark.parametrize("method", ["query", "named_query", "papers", "entities", "add", "add_extractions", "save",
                                    "to_networkx", "view"])
def test_every_documented_method_has_an_example(method):
    assert ">>>" in (inspect.getdoc(getattr(kg.KnowledgeGraph, method)) or "")


def test_type_checkers_see_every_public_name():
    """kg.__getattr__ imports names lazily, which type checkers cannot follow: each name of __all__ must also be
    imported (or declared) under ``if TYPE_CHECKING:`` in kg/__init__.py, and the package is marked typed."""
    import ast
    from pathlib import Path

    init = Path(kg.__file__)
    tree = ast.parse(init.read_text(encoding="utf-8"))
    guarded = [node for node in tree.body if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"]
    assert len(guarded) == 1
    seen = set()
    for node in ast.walk(guarded[0]):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            seen |= {alias.asname or alias.name for alias in node.names}
        elif isinstance(node, ast.AnnAssign):
            seen.add(node.target.id)
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)} | {"KGError"}
    assert set(kg.__all__) - defined <= seen, sorted(set(kg.__all__) - defined - seen)
    assert "__version__" in seen
    assert (init.parent / "py.typed").is_file()


def test_version_is_the_installed_distributions():
    from importlib.metadata import version

    import rdflib
    from conftest import ROOT

    assert kg.__version__ == version("paperkg")
    assert "__version__ = " not in Path(kg.__file__).read_text(encoding="utf-8")  # no hard-coded copy
    ontology = rdflib.Graph().parse(ROOT / "ontology" / "paperkg.ttl")
    assert {str(v) for v in ontology.objects(None, rdflib.OWL.versionInfo)} == {kg.__version__}


def test_analysis_functions_have_examples():
    for name in kg.analysis.__all__:
        obj = getattr(kg.analysis, name)
        if callable(obj):
            assert ">>>" in (inspect.getdoc(obj) or ""), name


# -- reading --------------------------------------------------------------------------------------

def test_papers(small):
    papers = small.papers()
    assert [p["title"] for p in papers] == TITLES
    assert all(p["iri"].startswith(PAPER) and len(p["iri"]) == len(PAPER) + 16 for p in papers)


def test_entities(small):
    assert [e["label"] for e in small.entities(type="Architecture")] == ["Swin Transformer", "Transformer", "ViT-B",
                                                                         "ViT-L"]
    everything = small.entities()
    assert len(everything) == 24
    assert [t for t in ("Architecture", "Dataset", "Method", "Metric", "Task")
            if any(e["type"] == t for e in everything)] == ["Architecture", "Dataset", "Method", "Metric", "Task"]
    assert {"iri": "https://w3id.org/paperkg/entity/metric/miou", "type": "Metric", "label": "mIoU"} in everything
    with pytest.raises(QueryError, match="unknown entity type 'Model'"):
        small.entities(type="Model")


def test_query_binds_and_returns_rows(small):
    r = small.query("SELECT ?title ?l WHERE { ?p kgo:usesDataset ?d ; dcterms:title ?title . ?d rdfs:label ?l } "
                    "ORDER BY ?title", l="ImageNet")
    assert r.vars == ["title", "l"]
    assert [(str(t), str(l)) for t, l in r.rows] == [(TITLES[0], "ImageNet"), (TITLES[1], "ImageNet")]


def test_query_to_dataframe(small):
    df = small.query("SELECT ?type (COUNT(?e) AS ?n) WHERE { ?e a ?c ; rdfs:label ?l . "
                     "VALUES ?c { kgo:Method kgo:Dataset } BIND(STRAFTER(STR(?c), '#') AS ?type) } "
                     "GROUP BY ?type ORDER BY ?type").to_dataframe()
    assert list(df.columns) == ["type", "n"]
    assert df.to_dict("records") == [{"type": "Dataset", "n": 5}, {"type": "Method", "n": 8}]
    assert small.query("ASK { ?p a kgo:Paper }").to_dataframe().to_dict("records") == [{"boolean": True}]
    empty = small.query("SELECT ?x WHERE { ?x a kgo:Nothing }").to_dataframe()
    assert list(empty.columns) == ["x"] and len(empty) == 0


def test_a_result_is_iterable_with_rows_read_by_name(small):
    r = small.query("SELECT ?title ?code WHERE { ?p a kgo:Paper ; dcterms:title ?title . "
                    "OPTIONAL { ?p kgo:hasCode ?code } } ORDER BY ?title")
    assert len(r) == 3 == len(list(r))
    rows = list(r)
    assert [str(row.title) for row in rows] == [str(row["title"]) for row in rows] == TITLES
    assert [str(row[0]) for row in rows] == TITLES
    title, code = rows[2]  # still a tuple
    assert str(title) == TITLES[2] and str(code) == str(rows[2].code) == "https://github.com/microsoft/Swin-Transformer"
    assert rows[1].code is None and rows[1].get("code") is None  # PASS links no code: unbound
    assert rows[1].asdict().keys() == {"title"} and rows[0].asdict().keys() == {"title", "code"}
    with pytest.raises(AttributeError):
        rows[0].nope  # noqa: B018
    with pytest.raises(KeyError):
        rows[0]["nope"]  # noqa: B018
    assert r.to_dataframe()["title"].tolist() == TITLES


def test_ask_and_graph_results_iterate_as_rdflibs_do(small):
    assert list(small.query("ASK { ?p a kgo:Paper }")) == [True]
    assert not small.query("ASK { ?p a kgo:Nothing }") and len(small.query("ASK { ?p a kgo:Nothing }")) == 1
    assert not small.query("SELECT ?x WHERE { ?x a kgo:Nothing }")
    triples = list(small.query("CONSTRUCT { ?p kgo:hasCode ?c } WHERE { ?p kgo:hasCode ?c }"))
    assert len(triples) == 2 and all(str(t.predicate).endswith("#hasCode") for t in triples)
    s, p, o = triples[0]
    assert (s, p, o) == (triples[0].subject, triples[0].predicate, triples[0].object)


def test_named_query_binds_its_parameters(small):
    rows = small.named_query("papers-using-dataset", dataset="imagenet")  # case-insensitive, as documented
    assert [str(row.title) for row in rows] == TITLES[:2]
    from kg.query import run_named_query

    assert rows.rows == run_named_query(small.store, "papers-using-dataset", {"dataset": "imagenet"}).rows
    with pytest.raises(QueryError, match="needs --param dataset"):
        small.named_query("papers-using-dataset")
    with pytest.raises(QueryError, match="has no parameter 'task'"):
        small.named_query("papers-using-dataset", dataset="COCO", task="x")
    with pytest.raises(QueryError, match="unknown named query 'nope'"):
        small.named_query("nope")


def test_to_dataframe_without_pandas_says_what_to_install(small, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"needs pandas: pip install 'paperkg\[analysis\]'"):
        small.query("SELECT ?p WHERE { ?p a kgo:Paper }").to_dataframe()


# -- networkx ---------------------------------------------------------------------------------------

def test_to_networkx_kinds(small):
    m = small.to_networkx()
    assert (m.number_of_nodes(), m.number_of_edges()) == (29, 28)
    assert m.is_multigraph() and m.is_directed()
    cu = small.to_networkx("co-usage")
    assert (cu.number_of_nodes(), cu.number_of_edges()) == (13, 15)
    methods = small.to_networkx("co-usage", types=("Method",))
    assert (methods.number_of_nodes(), methods.number_of_edges()) == (8, 11)  # PASS: 5 methods, 10 pairs; DMAE: 1
    papers = small.to_networkx("papers")
    assert sorted(papers.nodes[n]["label"] for n in papers) == TITLES and papers.number_of_edges() == 2
    with pytest.raises(ValueError, match="unknown networkx kind 'tree'"):
        small.to_networkx("tree")
    with pytest.raises(ValueError, match="takes no options"):
        small.to_networkx("multigraph", types=("Method",))


# -- writing ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["graph.ttl", "graph.nt", "graph.nq", "graph.jsonld"])
def test_save_round_trips(small, tmp_path, name):
    out = small.save(tmp_path / name)
    assert out == tmp_path / name
    assert isomorphic(kg.load(out).graph, small.graph)


def test_view_writes_the_explorer(small, tmp_path):
    out = small.view(tmp_path / "explorer.html", focus="ImageNet", hops=1)
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") or "<html" in html[:500]
    assert "ImageNet" in html


# -- building and adding ----------------------------------------------------------------------------

def test_add_extractions_relinks_to_the_same_graph_as_one_build(small_dataset):
    from small_corpus import extractions

    from kg.knowledge_graph import from_extractions

    small_graph = kg.KnowledgeGraph(small_dataset).graph  # through the store, as g.graph is
    exs = extractions()
    g = from_extractions(exs[:1])
    assert g.add_extractions(exs[1:]) == 2
    assert isomorphic(g.graph, small_graph)
    assert g.add_extractions(exs) == 0  # already there: not duplicated
    assert len(g.papers()) == 3 and isomorphic(g.graph, small_graph)


def test_build_and_add_from_sources():
    g = kg.build(f"{SOURCES}/papers.jsonl")
    assert (g.report.files, g.report.records, g.report.papers) == (1, 3, 3)
    report = g.add([f"{SOURCES}/arxiv-snapshot.json", f"{SOURCES}/papers.jsonl"])
    assert (report.files, report.records, report.duplicates, report.papers) == (2, 7, 3, 4)
    assert len(g.papers()) == 7
    both = kg.build([f"{SOURCES}/papers.jsonl", f"{SOURCES}/arxiv-snapshot.json"])
    assert isomorphic(g.graph, both.graph)


@pytest.fixture(scope="module")
def rules_nlp():
    return kg.load_nlp()


def _records():
    import json

    return [json.loads(line) for line in Path(f"{SOURCES}/papers.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]


def test_build_from_dicts_papers_or_a_dataframe_gives_the_graph_of_the_file(rules_nlp):
    import pandas as pd

    from kg.sources import read_sources

    from_file = kg.build(f"{SOURCES}/papers.jsonl", nlp=rules_nlp)
    records = _records()
    papers = [kg.Paper(p.title, p.abstract, id=p.id, url=p.url, date=p.date, authors=p.authors,
                       categories=p.categories) for p in read_sources(f"{SOURCES}/papers.jsonl")]
    frame = pd.DataFrame(records)
    assert frame.isna().any().any()  # some records lack some fields: NaN cells, which must read as absent
    for source in (records, iter(records), papers, frame):
        g = kg.build(source, nlp=rules_nlp)
        assert (g.report.records, g.report.papers) == (3, 3)
        assert isomorphic(g.graph, from_file.graph), type(source).__name__


def test_build_from_records_checks_them_as_a_file_is_checked(rules_nlp):
    from kg.errors import SourceError

    records = _records()
    bad = [records[0], {"title": "No abstract"}, records[1]]
    with pytest.raises(SourceError, match=r"^<records>:2: 'abstract' is missing$"):
        kg.build(bad, nlp=rules_nlp)
    g = kg.build(bad, skip_bad=True, nlp=rules_nlp)
    assert g.report.papers == 2 and [str(e) for e in g.report.skipped] == ["<records>:2: 'abstract' is missing"]
    with pytest.raises(SourceError, match=r"<records>:2: expected a dict with 'title' and 'abstract' or a kg.Paper"):
        kg.build([records[0], 7], nlp=rules_nlp)
    g = kg.build(records[:1], nlp=rules_nlp)
    assert g.add(records + records).papers == 2  # add() takes records too; the first is there already


@pytest.mark.parametrize("wrong, got", [(42, "got int"), ([1, 2], "got an iterable of int"),
                                        (b"papers.jsonl", "got bytes"), (["a.jsonl", 3], "got a path mixed with a int")])
def test_build_of_something_else_says_what_it_takes(wrong, got):
    with pytest.raises(kg.KGError, match=f"build\\(\\) takes files or folders .* or a pandas DataFrame .*; {got}"):
        kg.build(wrong)


def test_add_refuses_a_graph_loaded_from_an_rdf_file(small):
    with pytest.raises(GraphError, match=r"loaded from an RDF file .*kg.load\('out/store'\).*kg.build\(\[old..., new...\]\)"):
        small.add(f"{SOURCES}/papers.jsonl")


def test_load_missing_file():
    with pytest.raises(GraphError, match="no-such.ttl: no such file"):
        kg.load("tests/data/no-such.ttl")


def test_nlp_returns_the_pipeline():
    text = "We fine-tune a ViT-B/16 pre-trained on ImageNet-21K with LoRA and report FID."
    doc = kg.nlp()(text)
    assert ("ImageNet-21K", "DATASET") in [(e.text, e.label_) for e in doc.ents]
    plain = kg.load_nlp()  # the plain-function spelling
    assert plain.pipe_names == kg.nlp().pipe_names == kg.nlp.load().pipe_names
    assert [(e.text, e.label_) for e in plain(text).ents] == [(e.text, e.label_) for e in doc.ents]


def test_analysis_is_reachable_from_kg(small):
    assert [r.label for r in kg.analysis.most_used(small.to_networkx(), type="Dataset", n=1)] == ["ImageNet"]
