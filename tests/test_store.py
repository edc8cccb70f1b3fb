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
from kg.export import union_graph
from kg.graph import ENTITIES_GRAPH as _ENTITIES_GRAPH
from kg.store import Store, is_store

ENTITY = "https://w3id.org/paperkg/entity/"
GRAPH = "https://w3id.org/paperkg/graph/paper/"
SWIN_GRAPH = URIRef(GRAPH + "343c538f04e1887f")
PASS_GRAPH = URIRef(GRAPH + "9740d01c6cd40b6e")
DMAE_GRAPH = URIRef(GRAPH + "476c3ec3a7e11bfb")
COCO = URIRef(ENTITY + "dataset/coco")
ENTITIES_GRAPH = URIRef(_ENTITIES_GRAPH)
N_QUADS = 556  # quads of the fixture (tests/data/small.trig)


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


def quad(i: int, graph: str = "https://ex.org/g"):
    import pyoxigraph as ox

    return ox.Quad(ox.NamedNode(f"https://ex.org/s{i}"), ox.NamedNode("https://ex.org/p"), ox.Literal(str(i)),
                   ox.NamedNode(graph))


def test_building_streams_chunks_and_swaps_in_only_at_the_end(tmp_path):
    path = tmp_path / "store"
    with Store.building(path) as s:
        with kg.store.BulkLoader(s, chunk=10) as loader:
            for i in range(25):
                loader.add([quad(i)])
                assert loader.quads == 10 * ((i + 1) // 10)  # loaded by chunks
        assert not path.exists()  # nothing visible before the block completes
    assert leftovers(tmp_path) == []
    with Store.open(path, read_only=True) as s:
        assert len(s) == 25


def test_a_failed_building_leaves_the_previous_store(ds, store, tmp_path):
    path = store.path
    store.close()
    with pytest.raises(RuntimeError, match="boom"):
        with Store.building(path) as s:
            kg.store.BulkLoader(s).add([quad(1)])
            raise RuntimeError("boom")
    with Store.open(path, read_only=True) as s:
        assert len(s) == N_QUADS
    assert leftovers(path.parent) == []


def test_an_update_is_swapped_in_only_if_it_changed_something(ds, store):
    path = store.path
    store.close()
    with Store.updating(path) as update:
        update.store.remove_graph(str(SWIN_GRAPH))
        assert len(update.store) < N_QUADS
    with Store.open(path, read_only=True) as s:  # not marked changed: thrown away
        assert len(s) == N_QUADS
    with Store.updating(path) as update:
        update.store.remove_graph(str(SWIN_GRAPH))
        kg.store.BulkLoader(update.store).add([quad(1)])  # not flushed: a BulkLoader loads on flush or exit
        update.changed = True
    with Store.open(path, read_only=True) as s:
        assert SWIN_GRAPH not in s.named_graphs() and len(s) == N_QUADS - len(ds.graph(SWIN_GRAPH))
    assert leftovers(path.parent) == []


def test_an_update_takes_the_lock_before_it_reads(store):
    from kg.atomic import dir_lock

    path = store.path
    store.close()
    with dir_lock(path):
        with pytest.raises(StoreError, match="being written by another process"):
            with Store.updating(path):
                raise AssertionError("the block must not run without the lock")


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
            ro.remove_graph(str(SWIN_GRAPH))
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
