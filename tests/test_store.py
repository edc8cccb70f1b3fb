"""kg.store: building, reopening, replacing graphs atomically, dumping, and clear errors."""
from __future__ import annotations

import doctest
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

import kg.store
from kg.errors import StoreError
from kg.graph import ENTITIES_GRAPH, union_graph
from kg.store import Store, is_store

ENTITY = "https://w3id.org/paperkg/entity/"
GRAPH = "https://w3id.org/paperkg/graph/paper/"
SWIN_GRAPH = URIRef(GRAPH + "343c538f04e1887f")
PASS_GRAPH = URIRef(GRAPH + "9740d01c6cd40b6e")
DMAE_GRAPH = URIRef(GRAPH + "476c3ec3a7e11bfb")
COCO = URIRef(ENTITY + "dataset/coco")
N_QUADS = 526  # quads of the fixture (tests/data/small.trig)


@pytest.fixture(scope="session")
def ds() -> Dataset:
    from small_corpus import dataset

    return dataset()


@pytest.fixture
def store(ds, tmp_path) -> Store:
    s = Store.create_from(ds, tmp_path / "store")
    yield s
    s.close()


def graph_triples(store: Store, name: URIRef) -> set:
    rows = store.query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": name}).rows
    return by_value(row[1:] for row in rows)


def by_value(triples) -> set:
    """Triples with xsd:decimal literals as Decimal values: Oxigraph stores decimals by value
    ("0.900" comes back as "0.9")."""
    return {tuple(t.toPython().normalize() if isinstance(t, Literal) and isinstance(t.toPython(), Decimal) else t
                  for t in triple) for triple in triples}


def snapshot(store: Store) -> set:
    """Every quad of the store, for before/after comparisons."""
    return set(store.query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }").rows)


def leftovers(parent: Path) -> list[str]:
    """Temporary directories or files left beside the store (not the lock file: writers share it)."""
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".") and not p.name.endswith(".lock"))


def normalise_decimals(g: Graph) -> Graph:
    """Oxigraph stores xsd:decimal by value ("0.900" comes back as "0.9"): compare values."""
    out = Graph()
    for s, p, o in g:
        if isinstance(o, Literal) and isinstance(o.toPython(), Decimal):
            o = Literal(o.toPython().normalize())
        out.add((s, p, o))
    return out


# --------------------------------------------------------------------------------------------------
# building and opening


def test_create_from_then_reopen_gives_the_same_quads(ds, tmp_path):
    path = tmp_path / "store"
    with Store.create_from(ds, path) as s:
        assert len(s) == N_QUADS
        before = snapshot(s)
    assert is_store(path)
    with Store.open(path) as s:
        assert len(s) == N_QUADS
        assert snapshot(s) == before
        assert s.named_graphs() == sorted([SWIN_GRAPH, PASS_GRAPH, DMAE_GRAPH, ENTITIES_GRAPH])
    with Store.open(path, read_only=True) as s:
        assert len(s) == N_QUADS
    assert leftovers(tmp_path) == []


def test_create_from_replaces_an_existing_store(ds, tmp_path):
    path = tmp_path / "store"
    small = Dataset()
    small.graph(URIRef("https://ex.org/g")).add((URIRef("https://ex.org/a"), URIRef("https://ex.org/p"), Literal(1)))
    Store.create_from(small, path).close()
    with Store.create_from(ds, path) as s:
        assert len(s) == N_QUADS
        assert URIRef("https://ex.org/g") not in s.named_graphs()
    assert leftovers(tmp_path) == []


class Interrupted(BaseException):
    """Stands for Ctrl-C or a crash half-way through a build."""


def test_an_interrupted_build_leaves_the_old_store_intact_and_no_temporary_directory(ds, tmp_path, monkeypatch):
    path = tmp_path / "store"
    with Store.create_from(ds, path) as s:
        before = snapshot(s)
    real_load = kg.store._load_nquads

    def half_way(handle, data, *, bulk):
        real_load(handle, data[: len(data) // 2].rsplit(b"\n", 1)[0] + b"\n", bulk=bulk)  # half the quads written
        raise Interrupted()

    monkeypatch.setattr(kg.store, "_load_nquads", half_way)
    bigger = Dataset()
    for s_, p, o, g in ds.quads((None, None, None, None)):
        bigger.graph(g).add((s_, p, o))
    bigger.graph(URIRef("https://ex.org/new")).add((URIRef("https://ex.org/a"), URIRef("https://ex.org/p"), Literal(1)))
    with pytest.raises(Interrupted):
        Store.create_from(bigger, path)
    assert leftovers(tmp_path) == []
    with Store.open(path) as s:
        assert snapshot(s) == before


def test_a_failed_build_of_a_new_store_leaves_nothing(ds, tmp_path, monkeypatch):
    def fail(handle, data, *, bulk):
        raise OSError("disk full")

    monkeypatch.setattr(kg.store, "_load_nquads", fail)
    with pytest.raises(StoreError, match=r"cannot build store .*store: disk full; the previous store"):
        Store.create_from(ds, tmp_path / "store")
    assert [p.name for p in tmp_path.iterdir()] == [".store.lock"]


def test_create_from_refuses_to_replace_a_directory_that_is_not_a_store(ds, tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match=r"refusing to replace .*out: it is a non-empty directory that is not"):
        Store.create_from(ds, tmp_path / "out")
    assert (tmp_path / "out" / "notes.txt").read_text() == "mine"


def test_open_a_missing_store_names_the_path_and_what_to_do(tmp_path):
    path = tmp_path / "nope"
    with pytest.raises(StoreError, match=rf"no store at {path}: the directory does not exist; build one with"):
        Store.open(path)
    assert not path.exists()


def test_open_a_directory_that_is_not_a_store(tmp_path):
    (tmp_path / "x.txt").write_text("x")
    with pytest.raises(StoreError, match=rf"{tmp_path} is not a paperkg store \(no CURRENT file"):
        Store.open(tmp_path)
    with pytest.raises(StoreError, match="is not a paperkg store"):
        Store.open(tmp_path, create=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.txt"]  # nothing written into it


def test_open_a_file(tmp_path):
    (tmp_path / "graph.ttl").write_text("")
    with pytest.raises(StoreError, match=r"graph.ttl is a file, not a store directory"):
        Store.open(tmp_path / "graph.ttl")


def test_open_create_makes_an_empty_store(tmp_path):
    with Store.open(tmp_path / "a" / "store", create=True) as s:
        assert len(s) == 0
    assert is_store(tmp_path / "a" / "store")


def test_a_store_locked_by_another_process(tmp_path):
    other = tmp_path / "store"
    Store.create_from(Dataset(), other).close()
    code = textwrap.dedent(f"""
        import sys, pyoxigraph
        s = pyoxigraph.Store({str(other)!r})
        print("ready", flush=True)
        sys.stdin.read()
    """)
    child = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        with pytest.raises(StoreError, match=rf"store {other} is locked: another process .* read_only=True"):
            Store.open(other)
        with Store.open(other, read_only=True) as s:  # readers do not need the lock
            assert len(s) == 0
    finally:
        child.stdin.close()
        child.wait(timeout=30)
    Store.open(other).close()  # free again once the other process has gone


def test_a_store_open_twice_in_one_process(store):
    with pytest.raises(StoreError, match="is locked"):
        Store.open(store.path)


def test_close_releases_the_store(store):
    store.close()
    store.close()  # idempotent
    assert store.closed
    with pytest.raises(StoreError, match=rf"store {store.path} is closed"):
        len(store)
    with Store.open(store.path) as again:
        assert len(again) == N_QUADS


# --------------------------------------------------------------------------------------------------
# writing


def swin_without_coco(ds: Dataset) -> Dataset:
    """The Swin paper's graph with every triple about COCO removed, plus the entities graph."""
    new = Dataset()
    for s, p, o in ds.graph(SWIN_GRAPH):
        if COCO not in (s, o):
            new.graph(SWIN_GRAPH).add((s, p, o))
    for t in ds.graph(ENTITIES_GRAPH):
        new.graph(ENTITIES_GRAPH).add(t)
    return new


def evidence_about(store: Store, entity: URIRef) -> set:
    return set(store.query("SELECT ?ev ?e WHERE { ?ev kgo:entity ?e }", {"e": entity}).rows)


def test_replace_paper_graphs_replaces_one_papers_links_and_leaves_the_others(ds, store):
    others = {g: graph_triples(store, g) for g in (PASS_GRAPH, DMAE_GRAPH, ENTITIES_GRAPH)}
    assert store.query("SELECT ?p ?d WHERE { ?p kgo:uses ?d }", {"d": COCO}).rows
    new = swin_without_coco(ds)
    replaced = store.replace_paper_graphs(new)
    assert replaced == sorted([SWIN_GRAPH, ENTITIES_GRAPH])
    assert graph_triples(store, SWIN_GRAPH) == by_value(new.graph(SWIN_GRAPH)) != by_value(ds.graph(SWIN_GRAPH))
    assert store.query("SELECT ?p ?d WHERE { ?p kgo:uses ?d }", {"d": COCO}).rows == []
    assert evidence_about(store, COCO) == set()
    assert store.query("ASK { ?p kgo:evaluatesOn ?d . ?d rdfs:label 'ADE20K' }").boolean
    for g, triples in others.items():
        assert graph_triples(store, g) == triples
    assert len(store) == N_QUADS - (len(ds.graph(SWIN_GRAPH)) - len(new.graph(SWIN_GRAPH)))


def test_replacing_with_the_same_dataset_changes_nothing(ds, store):
    before = snapshot(store)
    store.replace_paper_graphs(ds)
    assert snapshot(store) == before


def test_a_failing_replace_leaves_the_store_unchanged(ds, store, monkeypatch):
    before = snapshot(store)
    real = kg.store._replace_update

    def fails_at_the_end(names, content):
        # after the drops and the insert, one more operation that fails (the graph exists)
        return real(names, content) + f" ;\nCREATE GRAPH <{PASS_GRAPH}>"

    monkeypatch.setattr(kg.store, "_replace_update", fails_at_the_end)
    with pytest.raises(StoreError, match=rf"replacing 2 graphs in store {store.path} failed, the store is unchanged"):
        store.replace_paper_graphs(swin_without_coco(ds))
    assert snapshot(store) == before


def test_replace_refuses_default_graph_triples(store):
    before = len(store)
    bad = Dataset()
    bad.add((URIRef("https://ex.org/a"), URIRef("https://ex.org/p"), Literal(1)))
    bad.graph(SWIN_GRAPH)  # would be dropped if the check came late
    with pytest.raises(StoreError, match="triples in its default graph"):
        store.replace_paper_graphs(bad)
    assert len(store) == before


def test_an_empty_named_graph_removes_that_paper(ds, store):
    new = Dataset()
    new.graph(DMAE_GRAPH)
    store.replace_paper_graphs(new)
    assert DMAE_GRAPH not in store.named_graphs()
    assert len(store) == N_QUADS - len(ds.graph(DMAE_GRAPH))


def test_load_is_all_or_nothing(tmp_path):
    with Store.open(tmp_path / "s", create=True) as s:
        bad = Dataset()
        bad.graph(URIRef("https://ex.org/g")).add((URIRef("https://ex.org/a"), URIRef("https://ex.org/p"), Literal(1)))
        bad.graph(URIRef("https://ex.org/g")).add((URIRef("relative/iri"), URIRef("https://ex.org/p"), Literal(2)))
        with pytest.raises(StoreError, match=r"loading into store .*s failed"):
            s.load(bad)
        assert len(s) == 0


def test_load_and_bulk_load_add_quads(ds, tmp_path):
    with Store.open(tmp_path / "s", create=True) as s:
        s.load(ds)
        assert len(s) == N_QUADS
        s.bulk_load(ds)
        assert len(s) == N_QUADS  # a set of quads: loading twice adds nothing


def test_a_read_only_store_refuses_writes(ds, store):
    path = store.path
    store.close()
    with Store.open(path, read_only=True) as ro:
        with pytest.raises(StoreError, match=rf"store {path} is open read-only"):
            ro.replace_paper_graphs(ds)
        with pytest.raises(StoreError, match="read-only"):
            ro.load(ds)
    with pytest.raises(StoreError, match="cannot create store .* read-only"):
        Store.open(path.parent / "new", create=True, read_only=True)


# --------------------------------------------------------------------------------------------------
# reading and dumping


def test_query_sees_the_union_of_the_named_graphs(store):
    r = store.query("SELECT ?label WHERE { ?p kgo:proposes ?e ; dcterms:title ?t . ?e rdfs:label ?label } ORDER BY ?label")
    assert [str(x) for (x,) in r.rows] == ["Pictures without humAns for Self-Supervision", "Swin Transformer"]


@pytest.mark.parametrize("name, fmt", [("graph.ttl", None), ("graph.nt", None), ("g.out", "turtle"), ("g.x", "nt")])
def test_dump_triples_gives_the_union_graph(ds, store, tmp_path, name, fmt):
    path = store.dump(tmp_path / name, fmt)
    rdf_format = "turtle" if (fmt or path.suffix) in ("turtle", ".ttl") else "nt"
    g = Graph().parse(path, format=rdf_format)
    assert len(g) == len(union_graph(ds))
    assert isomorphic(normalise_decimals(g), normalise_decimals(union_graph(ds)))


@pytest.mark.parametrize("name, rdf_format", [("graph.nq", "nquads"), ("graph.trig", "trig")])
def test_dump_quads_keeps_the_named_graphs(ds, store, tmp_path, name, rdf_format):
    path = store.dump(tmp_path / name)
    back = Dataset().parse(path, format=rdf_format)
    names = {g.identifier for g in back.graphs() if len(g)}
    assert names == {SWIN_GRAPH, PASS_GRAPH, DMAE_GRAPH, ENTITIES_GRAPH}
    for n in names:
        assert isomorphic(normalise_decimals(back.graph(n)), normalise_decimals(ds.graph(n)))


def test_dump_turtle_is_reproducible(store, tmp_path):
    a = store.dump(tmp_path / "a.ttl").read_bytes()
    b = store.dump(tmp_path / "b.ttl").read_bytes()
    assert a == b and a.startswith(b"@prefix")


def test_dump_unknown_format(store, tmp_path):
    with pytest.raises(StoreError, match=r"cannot tell the format to write .*graph.xyz .*use one of: turtle"):
        store.dump(tmp_path / "graph.xyz")
    assert list(tmp_path.glob("*graph.xyz*")) == []


def test_a_failed_dump_leaves_no_file(store, tmp_path):
    store.close()
    with pytest.raises(StoreError, match="is closed"):
        store.dump(tmp_path / "graph.ttl")
    assert sorted(tmp_path.iterdir()) == [tmp_path / ".store.lock", store.path]


def test_docstring_examples_run():
    assert doctest.testmod(kg.store, optionflags=doctest.ELLIPSIS).failed == 0


def test_create_from_another_store_copies_every_quad(small_dataset, tmp_path):
    source = Store.in_memory(small_dataset)
    with Store.create_from(source, tmp_path / "copy") as copy:
        assert len(copy) == len(source) == len(list(small_dataset.quads()))
        assert copy.named_graphs() == source.named_graphs()
        assert sorted(copy.dump_bytes("nquads").splitlines()) == sorted(source.dump_bytes("nquads").splitlines())
