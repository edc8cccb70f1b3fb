"""kg.push against a second real SPARQL server: OpenLink Virtuoso 7 (Debian's ``virtuoso-opensource-7-bin``).

The test starts ``virtuoso-t +foreground`` on a fresh database in a temporary folder (its own
``virtuoso.ini``, free loopback ports), grants the anonymous ``SPARQL`` account the right to update
(``GRANT SPARQL_UPDATE TO "SPARQL"`` through ``isql-vt``), pushes the fixture through Virtuoso's Graph
Store endpoint ``/sparql-graph-crud`` and checks that every named query answers there exactly as in the
embedded store. Virtuoso answers a query without ``FROM`` over all its graphs, like ``oxigraph serve
--union-default-graph`` in tests/test_push.py.
"""
from __future__ import annotations

import shutil
import subprocess

import httpx
import pytest
from rdflib import Literal
from servers import free_port
from test_push import PARAMS, _term, stop_server, wait_for_server

from kg.push import PushError, push
from kg.query import list_named_queries, named_query, run_named_query
from kg.store import Store
from kg.vocab import PREFIXES

INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = {d}
CheckpointInterval = 0

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {d}
MaxClientConnections = 4
ServerThreads = 4

[SPARQL]
ResultSetMaxRows = 100000
"""


@pytest.fixture(scope="module")
def virtuoso_server(tmp_path_factory):
    """A fresh Virtuoso on free loopback ports whose anonymous SPARQL account may update; yields its
    base URL (``http://127.0.0.1:PORT``); stopped on teardown. One per module: creating the database
    takes Virtuoso 2-15 s."""
    exe, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if exe is None or isql is None:
        pytest.skip("the Virtuoso server is not installed (`virtuoso-t`, `isql-vt`: "
                    "apt-get install virtuoso-opensource-7-bin)")
    sql_port, http_port = free_port(), free_port()
    d = tmp_path_factory.mktemp("virtuoso")
    (d / "virtuoso.ini").write_text(INI.format(d=d, sql_port=sql_port, http_port=http_port))
    base = f"http://127.0.0.1:{http_port}"
    proc = subprocess.Popen([exe, "+foreground", "+configfile", str(d / "virtuoso.ini")], cwd=d,
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        log = d / "virtuoso.log"
        wait_for_server(proc, f"{base}/sparql", "virtuoso-t", timeout=60,
                        log=lambda: log.read_text(errors="replace")[-800:] if log.exists() else "")
        grant = subprocess.run([isql, str(sql_port), "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
                               capture_output=True, text=True, timeout=30)
        assert grant.returncode == 0 and "Error" not in grant.stdout + grant.stderr, grant.stdout + grant.stderr
        yield base
    finally:
        stop_server(proc, timeout=30)


@pytest.fixture
def virtuoso(virtuoso_server):
    """The module's Virtuoso, without the graphs an earlier test pushed (``https://`` graph names; Virtuoso's
    own graphs are ``http://``); yields its base URL."""
    q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), 'https://')) }"
    r = httpx.post(f"{virtuoso_server}/sparql", data={"query": q}, headers={"Accept": "application/sparql-results+json"})
    for b in r.json()["results"]["bindings"]:
        clear = httpx.post(f"{virtuoso_server}/sparql", data={"query": f"CLEAR GRAPH <{b['g']['value']}>"})
        assert clear.status_code == 200, clear.text
    assert remote_count(virtuoso_server) == 0
    yield virtuoso_server


def remote_rows(base: str, name: str, params: dict[str, str]) -> list[tuple]:
    """As tests/test_push.py's: the named query with PREFIX lines and inline VALUES, run on /sparql."""
    text = named_query(name).text
    values = "".join(f" VALUES ?{k} {{ {Literal(v).n3()} }}" for k, v in params.items())
    if values:
        text = text.replace("WHERE {", "WHERE {" + values)
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    r = httpx.post(f"{base}/sparql", data={"query": prologue + text}, timeout=30,
                   headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    doc = r.json()
    names = doc["head"]["vars"]
    return [tuple(_term(b[v]) if v in b else None for v in names) for b in doc["results"]["bindings"]]


def remote_count(base: str) -> int:
    q = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), 'https://')) }"
    r = httpx.post(f"{base}/sparql", data={"query": q}, headers={"Accept": "application/sparql-results+json"})
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


#: Named queries whose ORDER BY Virtuoso 7.2.5 gets wrong: it sorts ``LCASE(STR(?label))`` (also when
#: BOUND to a variable first) with the longer labels ("knowledge distillation", "self-supervised learning")
#: before all the others, while ``LCASE(?label)`` and ``STR(?label)`` sort correctly. The rows are the
#: same; only their order differs (checked by the strict xfail below, so a fixed Virtuoso shows up).
VIRTUOSO_MISORDERS = {"methods-used-together"}


def _answers(base: str, store: Store):
    for q in list_named_queries():
        params = {p: PARAMS[p] for p in q.params}
        local = run_named_query(store, q.name, params).rows
        assert local, f"{q.name} answers nothing on the fixture: the comparison would prove little"
        yield q.name, local, remote_rows(base, q.name, params)


def test_every_named_query_answers_the_same_after_a_push_to_virtuoso(virtuoso, small_dataset):
    store = Store.in_memory(small_dataset)
    report = push(store, f"{virtuoso}/sparql-graph-crud")
    assert report.graphs == len(store.named_graphs()) == 4  # three papers + entities
    assert remote_count(virtuoso) == len(store)
    for name, local, remote in _answers(virtuoso, store):
        if name in VIRTUOSO_MISORDERS:
            assert sorted(remote) == sorted(local), name
        else:
            assert remote == local, name


@pytest.mark.xfail(strict=True, reason="Virtuoso 7.2.5 misorders ORDER BY LCASE(STR(?label)); see VIRTUOSO_MISORDERS")
def test_virtuoso_orders_by_lowercased_labels_as_the_embedded_store_does(virtuoso, small_dataset):
    store = Store.in_memory(small_dataset)
    push(store, f"{virtuoso}/sparql-graph-crud")
    assert [remote for name, _, remote in _answers(virtuoso, store) if name in VIRTUOSO_MISORDERS] == \
        [local for name, local, _ in _answers(virtuoso, store) if name in VIRTUOSO_MISORDERS]


def test_pushing_again_to_virtuoso_replaces_each_graph(virtuoso, small_dataset):
    store = Store.in_memory(small_dataset)
    push(store, f"{virtuoso}/sparql-graph-crud")
    stale = f"INSERT DATA {{ GRAPH <{store.named_graphs()[0]}> {{ <https://ex.org/stale> <https://ex.org/p> 1 }} }}"
    assert httpx.post(f"{virtuoso}/sparql", data={"query": stale}).status_code == 200
    assert remote_count(virtuoso) == len(store) + 1
    push(store, f"{virtuoso}/sparql-graph-crud")
    assert remote_count(virtuoso) == len(store)


def test_an_nquads_push_to_virtuoso_is_an_error_not_a_silent_no_op(virtuoso, small_dataset):
    # Virtuoso answers a POST without ?graph= with 200 and its HTML query form, and stores nothing
    with pytest.raises(PushError, match=r"answered 200 with a web page.*--nquads .* extension this server lacks"):
        push(small_dataset, f"{virtuoso}/sparql-graph-crud", graph_per_paper=False)
    assert remote_count(virtuoso) == 0


def test_virtuoso_has_no_default_graph_to_put_to(virtuoso):
    # a graph file without named graphs goes to ?default, which Virtuoso 7.2.5's Graph Store refuses
    from pathlib import Path

    store = Store.in_memory_from_file(Path(__file__).parent / "data" / "small.ttl")
    with pytest.raises(PushError, match=r"\?default=.*answered 500.*not configured to have default graph"):
        push(store, f"{virtuoso}/sparql-graph-crud")
