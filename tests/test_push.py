"""kg.push: the graph pushed into a real Oxigraph server (``oxigraph serve``, started by the test)
through the Graph Store Protocol answers every named query exactly as the embedded store does."""
from __future__ import annotations

import shutil
import subprocess
import time

import httpx
import pytest
from servers import free_port
from rdflib import BNode, Literal, URIRef

from kg.push import PushError, push
from kg.query import list_named_queries, named_query, run_named_query
from kg.store import Store
from kg.vocab import PREFIXES

#: One value for each named query parameter; each gives rows on the fixture (checked below).
PARAMS = {"dataset": "ImageNet", "label": "MAE", "task": "object detection",
          "title": "Masked Autoencoders Enable Efficient Knowledge Distillers"}


def wait_for_server(proc: subprocess.Popen, url: str, name: str, *, timeout: float,
                    log=lambda: "") -> None:
    """Wait until the server ``proc`` answers ``ASK {}`` at ``url`` with 200; fail the test if it exits
    (with ``log()`` in the message) or does not answer within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            pytest.fail(f"{name} exited with {proc.returncode}: {log()}")
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"{name} did not answer within {timeout:g} s")
        time.sleep(0.1)


def stop_server(proc: subprocess.Popen, *, timeout: float) -> None:
    """Terminate a server started by a fixture, killing it if it does not exit within ``timeout`` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture
def oxigraph(tmp_path):
    """A fresh ``oxigraph serve`` on a free loopback port; yields its base URL; killed on teardown."""
    exe = shutil.which("oxigraph")
    if exe is None:
        pytest.skip("the `oxigraph` server binary is not on PATH (pip install oxigraph)")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([exe, "serve", "--location", str(tmp_path / "oxi"), "--bind", f"127.0.0.1:{port}",
                             "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for_server(proc, f"{base}/query", "oxigraph serve", timeout=20,
                        log=lambda: proc.stderr.read().decode()[:500])
        yield base
    finally:
        stop_server(proc, timeout=10)


def _term(b: dict):
    if b["type"] == "uri":
        return URIRef(b["value"])
    if b["type"] == "bnode":
        return BNode(b["value"])
    if "xml:lang" in b:
        return Literal(b["value"], lang=b["xml:lang"])
    return Literal(b["value"], datatype=URIRef(b["datatype"])) if "datatype" in b else Literal(b["value"])


def remote_rows(base: str, name: str, params: dict[str, str]) -> list[tuple]:
    """Run a named query on the remote server: PREFIX lines added, parameters given as an inline VALUES
    block at the start of each WHERE clause (the remote has no substitutions), SPARQL JSON parsed."""
    text = named_query(name).text
    values = "".join(f" VALUES ?{k} {{ {Literal(v).n3()} }}" for k, v in params.items())
    if values:  # in every WHERE clause: a subquery is a scope of its own
        text = text.replace("WHERE {", "WHERE {" + values)
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    r = httpx.post(f"{base}/query", content=prologue + text, timeout=30,
                   headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    doc = r.json()
    names = doc["head"]["vars"]
    return [tuple(_term(b[v]) if v in b else None for v in names) for b in doc["results"]["bindings"]]


def remote_count(base: str) -> int:
    r = httpx.get(f"{base}/query", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
                  headers={"Accept": "application/sparql-results+json"})
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def assert_same_answers(base: str, store: Store) -> None:
    for q in list_named_queries():
        params = {p: PARAMS[p] for p in q.params}
        local = run_named_query(store, q.name, params).rows
        assert local, f"{q.name} answers nothing on the fixture: the comparison would prove little"
        assert remote_rows(base, q.name, params) == local, q.name


def test_every_named_query_answers_the_same_after_a_push(oxigraph, small_dataset):
    store = Store.in_memory(small_dataset)
    report = push(store, f"{oxigraph}/store")
    assert report.graphs == len(store.named_graphs()) == 4  # three papers + entities
    assert remote_count(oxigraph) == len(store)
    assert_same_answers(oxigraph, store)


def test_pushing_a_rebuilt_graph_again_leaves_no_duplicates(oxigraph, tmp_path):
    from small_corpus import dataset

    first = Store.create_from(dataset(), tmp_path / "a")
    push(first, f"{oxigraph}/store")
    second = Store.create_from(dataset(), tmp_path / "b")  # the fixture built again
    push(second, f"{oxigraph}/store")
    assert remote_count(oxigraph) == len(second) == len(first)
    assert_same_answers(oxigraph, second)
    first.close()
    second.close()


def test_put_per_graph_replaces_stale_triples(oxigraph, small_dataset):
    push(small_dataset, f"{oxigraph}/store")
    paper_graph = Store.in_memory(small_dataset).named_graphs()[0]
    stale = f"INSERT DATA {{ GRAPH <{paper_graph}> {{ <https://ex.org/stale> <https://ex.org/p> 1 }} }}"
    assert httpx.post(f"{oxigraph}/update", content=stale,
                      headers={"Content-Type": "application/sparql-update"}).status_code == 204
    push(small_dataset, f"{oxigraph}/store")
    assert remote_count(oxigraph) == len(Store.in_memory(small_dataset))


def test_nquads_in_chunks_give_the_same_answers(oxigraph, small_dataset):
    store = Store.in_memory(small_dataset)
    report = push(store, f"{oxigraph}/store", graph_per_paper=False, chunk_quads=100)
    assert report.requests == -(-len(store) // 100) > 1  # a request per chunk, not per graph
    assert (report.graphs, report.quads) == (4, len(store))
    assert remote_count(oxigraph) == len(store)
    assert_same_answers(oxigraph, store)


def test_the_default_nquads_push_is_one_request_for_a_graph_smaller_than_a_chunk(oxigraph, small_dataset):
    from kg.push import PUSH_CHUNK_QUADS

    store = Store.in_memory(small_dataset)
    assert len(store) < PUSH_CHUNK_QUADS
    assert push(store, f"{oxigraph}/store", graph_per_paper=False).requests == 1
    assert remote_count(oxigraph) == len(store)


def test_a_graph_file_with_only_a_default_graph_goes_to_the_default_graph(oxigraph):
    from pathlib import Path

    store = Store.in_memory_from_file(Path(__file__).parent / "data" / "small.ttl")
    report = push(store, f"{oxigraph}/store")
    assert report.graphs == 1
    r = httpx.get(f"{oxigraph}/store", params={"default": ""}, headers={"Accept": "application/n-triples"})
    assert r.status_code == 200
    assert len([line for line in r.text.splitlines() if line.strip()]) == len(store)
    assert remote_count(oxigraph) == 0  # no named graphs


def test_no_server_is_a_push_error_naming_the_url(small_dataset):
    url = f"http://127.0.0.1:{free_port()}/store"
    with pytest.raises(PushError, match=r"cannot reach the SPARQL server .*is it running") as err:
        push(small_dataset, url)
    assert f"127.0.0.1:{url.split(':')[2].split('/')[0]}/store" in str(err.value)


def test_an_http_error_is_a_push_error_with_the_status(oxigraph, small_dataset):
    with pytest.raises(PushError, match=r"PUT http://127\.0\.0\.1:\d+/nowhere\?graph=.*answered 404"):
        push(small_dataset, f"{oxigraph}/nowhere")



def test_kg_push_command_loads_the_graph_file_into_the_server(oxigraph):
    from pathlib import Path

    from typer.testing import CliRunner

    from kg.cli import app

    trig = Path(__file__).parent / "data" / "small.trig"
    result = CliRunner().invoke(app, ["push", f"{oxigraph}/store", "--graph", str(trig)])
    assert result.exit_code == 0, result.output
    quads = len(Store.in_memory_from_file(trig))
    assert result.stdout.startswith(f"pushed 4 graphs, {quads:,} quads (")
    assert " in 4 requests to " in result.stdout
    assert_same_answers(oxigraph, Store.in_memory_from_file(trig))


def test_kg_push_nquads_sends_chunks_of_n_quads(oxigraph):
    from pathlib import Path

    from typer.testing import CliRunner

    from kg.cli import app

    trig = Path(__file__).parent / "data" / "small.trig"
    result = CliRunner().invoke(app, ["push", f"{oxigraph}/store", "--graph", str(trig), "--nquads"])
    assert result.exit_code == 0, result.output
    assert " in 1 requests to " in result.stdout
    assert_same_answers(oxigraph, Store.in_memory_from_file(trig))
