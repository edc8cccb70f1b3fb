"""kg.server: the SPARQL 1.1 Protocol app, in-process (starlette TestClient on make_app(store))."""
from __future__ import annotations

import csv
import doctest
import io
import json
import warnings
import xml.etree.ElementTree as ET

import pytest
from rdflib import Graph
with warnings.catch_warnings():  # starlette 1.x prefers httpx2 for its TestClient; httpx works the same here
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from starlette.testclient import TestClient

import kg.server
import kg.workers
from kg.server import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT_S, make_app, negotiate, server_config
from kg.store import Store

DMAE_TITLE = "Masked Autoencoders Enable Efficient Knowledge Distillers"
PASS_TITLE = "PASS: An ImageNet replacement for self-supervised pretraining without humans"
IMAGENET = ("SELECT ?title WHERE { ?p kgo:uses ?d ; dcterms:title ?title . ?d rdfs:label \"ImageNet\" } "
            "ORDER BY ?title")
CONSTRUCT = "CONSTRUCT { ?p dcterms:title ?t } WHERE { ?p a kgo:Paper ; dcterms:title ?t }"
#: Three-way cross product of the 526 fixture quads (1.5e8 rows, a string FILTER on each): ~1.3 s on 2 cores,
#: 13 times the 0.1 s limit the test sets, yet short enough that the abandoned thread ends soon after.
HEAVY = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
         "FILTER(STR(?c) = STR(?f) && STR(?f) = STR(?i)) }")
EXPLORER = "<!doctype html><title>explorer</title><p>hello"


@pytest.fixture(scope="module")
def store(small_dataset, tmp_path_factory):
    s = Store.create_from(small_dataset, tmp_path_factory.mktemp("server") / "store")
    s.close()
    s = Store.open(s.path, read_only=True)
    yield s
    s.close()


@pytest.fixture(scope="module")
def client(store):
    with TestClient(make_app(store, explorer_html=EXPLORER)) as c:
        yield c


def assert_error(r, status: int, detail_pattern: str = "") -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"status", "title", "detail"}
    assert body["error"]["status"] == status and body["error"]["title"] and body["error"]["detail"]
    if detail_pattern:
        import re

        assert re.search(detail_pattern, body["error"]["detail"]), body["error"]["detail"]
    return body["error"]


def titles_json(r) -> list[str]:
    assert r.status_code == 200, r.text
    return [b["title"]["value"] for b in r.json()["results"]["bindings"]]


# --------------------------------------------------------------------------------------------------
# the three ways of sending a query


def test_get_with_query_parameter(client):
    r = client.get("/sparql", params={"query": IMAGENET})
    assert r.headers["content-type"] == "application/sparql-results+json"
    assert titles_json(r) == [DMAE_TITLE, PASS_TITLE]


def test_post_form(client):
    assert titles_json(client.post("/sparql", data={"query": IMAGENET})) == [DMAE_TITLE, PASS_TITLE]


def test_post_sparql_query_body(client):
    r = client.post("/sparql", content=IMAGENET.encode(), headers={"Content-Type": "application/sparql-query"})
    assert titles_json(r) == [DMAE_TITLE, PASS_TITLE]


def test_post_of_another_content_type_is_415(client):
    assert_error(client.post("/sparql", content=b"{}", headers={"Content-Type": "application/json"}), 415,
                 "application/sparql-query")


def test_no_query_is_400(client):
    assert_error(client.get("/sparql", params={"query": ""}), 400, "no query")
    assert_error(client.post("/sparql", data={"query": "  "}), 400, "no query")
    assert_error(client.get("/sparql?query=ASK{}&query=ASK{}"), 400, "2 'query' parameters")


@pytest.mark.parametrize("param", ["default-graph-uri", "named-graph-uri"])
def test_dataset_parameters_are_refused(client, param):
    assert_error(client.get("/sparql", params={"query": IMAGENET, param: "https://ex.org/g"}), 400,
                 f"'{param}' is not supported.*union of the named graphs")
    assert_error(client.post("/sparql", data={"query": IMAGENET, param: "https://ex.org/g"}), 400, param)


# --------------------------------------------------------------------------------------------------
# content negotiation


def test_select_as_xml(client):
    r = client.get("/sparql", params={"query": IMAGENET}, headers={"Accept": "application/sparql-results+xml"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/sparql-results+xml"
    root = ET.fromstring(r.content)
    ns = "{http://www.w3.org/2005/sparql-results#}"
    assert root.tag == f"{ns}sparql"
    assert [e.text for e in root.iter(f"{ns}literal")] == [DMAE_TITLE, PASS_TITLE]


def test_select_as_csv(client):
    r = client.get("/sparql", params={"query": IMAGENET}, headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(r.text))) == [["title"], [DMAE_TITLE], [PASS_TITLE]]


def test_select_as_tsv(client):
    r = client.get("/sparql", params={"query": IMAGENET}, headers={"Accept": "text/tab-separated-values"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/tab-separated-values")
    assert r.text.splitlines() == ["?title", json.dumps(DMAE_TITLE), json.dumps(PASS_TITLE)]


def test_ask_as_json_and_xml(client):
    assert client.get("/sparql", params={"query": "ASK { ?p a kgo:Paper }"}).json() == {"head": {}, "boolean": True}
    r = client.get("/sparql", params={"query": "ASK { ?p a kgo:Nothing }"},
                   headers={"Accept": "application/sparql-results+xml"})
    assert ET.fromstring(r.content).find("{http://www.w3.org/2005/sparql-results#}boolean").text == "false"


@pytest.mark.parametrize("accept, rdflib_format", [
    (None, "turtle"), ("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld")])
def test_construct_as_each_graph_format_parses_with_rdflib(client, accept, rdflib_format):
    headers = {"Accept": accept} if accept else {}
    r = client.get("/sparql", params={"query": CONSTRUCT}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == (accept or "text/turtle")
    g = Graph().parse(data=r.text, format=rdflib_format)
    assert len(g) == 3
    assert {str(o) for o in g.objects()} >= {DMAE_TITLE, PASS_TITLE}


def test_describe_gives_turtle(client, store):
    paper = store.query("SELECT ?p WHERE { ?p a kgo:Paper } ORDER BY ?p LIMIT 1").rows[0][0]
    r = client.get("/sparql", params={"query": f"DESCRIBE <{paper}>"})
    assert r.status_code == 200 and len(Graph().parse(data=r.text, format="turtle")) > 0


def test_accept_with_q_values_and_wildcards(client):
    r = client.get("/sparql", params={"query": IMAGENET}, headers={"Accept": "text/csv;q=0.4, text/*;q=0.1, */*;q=0"})
    assert r.headers["content-type"].startswith("text/csv")
    r = client.get("/sparql", params={"query": IMAGENET}, headers={"Accept": "text/html, */*;q=0.8"})
    assert r.headers["content-type"] == "application/sparql-results+json"
    assert r.headers["vary"] == "Accept"


def test_negotiate():
    offers = kg.server.RESULTS_MEDIA_TYPES
    assert negotiate(None, offers) == "json"
    assert negotiate("application/sparql-results+xml;q=0.9, text/csv", offers) == "csv"
    assert negotiate("text/csv;q=0", offers) is None
    assert negotiate("text/turtle", kg.server.GRAPH_MEDIA_TYPES) == "turtle"


def test_unsupported_accept_is_406(client):
    assert_error(client.get("/sparql", params={"query": IMAGENET}, headers={"Accept": "image/png"}), 406,
                 "image/png.*acceptable: application/sparql-results\\+json")
    # a graph cannot be CSV, and a SELECT cannot be Turtle
    assert_error(client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": "text/csv"}), 406,
                 "CONSTRUCT/DESCRIBE .*text/turtle")
    assert_error(client.get("/sparql", params={"query": IMAGENET}, headers={"Accept": "text/turtle"}), 406,
                 "SELECT/ASK .*text/csv")


# --------------------------------------------------------------------------------------------------
# read-only


def count(client) -> int:
    r = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"})
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("send", [
    lambda c: c.post("/sparql", data={"update": "DROP ALL"}),
    lambda c: c.get("/sparql", params={"update": "DROP ALL"}),
    lambda c: c.post("/sparql", content=b"DROP ALL", headers={"Content-Type": "application/sparql-update"}),
    lambda c: c.post("/sparql", data={"query": "DROP ALL"}),
    lambda c: c.get("/sparql", params={"query": "INSERT DATA { <https://ex.org/a> <https://ex.org/b> 1 }"}),
    lambda c: c.post("/sparql", content=b"DELETE WHERE { ?s ?p ?o }",
                     headers={"Content-Type": "application/sparql-query"}),
], ids=["form-update", "get-update", "sparql-update-body", "drop-as-query", "insert-as-query", "delete-as-body"])
def test_updates_are_403_and_change_nothing(client, store, send):
    before = count(client)
    assert before == len(store) > 0
    assert_error(send(client), 403, "read-only")
    assert count(client) == before == len(store)


# --------------------------------------------------------------------------------------------------
# errors and limits


def test_malformed_query_is_400_with_line_and_column(client):
    err = assert_error(client.get("/sparql", params={"query": "SELECT ?x WHERE { ?x ?y }"}), 400,
                       "malformed SPARQL query at line 1, column")
    assert err["title"] == "Bad Request"


def test_service_is_refused(client):
    assert_error(client.get("/sparql", params={"query": "SELECT * WHERE { SERVICE <http://ex.org/s> { ?s ?p ?o } }"}),
                 400, "SERVICE is not allowed")


def test_a_query_over_the_time_limit_is_503(store):
    with TestClient(make_app(store, timeout_s=0.1)) as c:
        import time

        started = time.monotonic()
        err = assert_error(c.get("/sparql", params={"query": HEAVY}), 503, "longer than the 0.1 s limit")
        assert time.monotonic() - started < 1
        assert "was stopped" in err["detail"]
        # its worker was killed (nothing goes on in the background), and a new one answers the next query
        assert c.app.state.query_pool.restarts == 1
        assert titles_json(c.get("/sparql", params={"query": IMAGENET})) == [DMAE_TITLE, PASS_TITLE]


def test_a_result_over_the_row_limit_is_413(store):
    with TestClient(make_app(store, max_rows=10)) as c:
        assert_error(c.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}), 413,
                     "more than 10 rows.*LIMIT")
        assert_error(c.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}), 413, "more than 10 rows")
        r = c.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 10"}, headers={"Accept": "text/csv"})
        assert r.status_code == 200 and len(r.text.splitlines()) == 11


def test_a_body_over_the_size_limit_is_413(client):
    body = b"ASK {} #" + b"x" * kg.server.MAX_BODY_BYTES
    assert_error(client.post("/sparql", content=body, headers={"Content-Type": "application/sparql-query"}), 413)


def test_unknown_page_and_method_give_the_json_error_shape(client):
    assert_error(client.get("/nowhere"), 404, "/nowhere.*/sparql")
    assert_error(client.put("/sparql", content=b"x"), 405, "PUT is not allowed")


def test_an_internal_error_is_500_in_the_same_shape(store, monkeypatch):
    def boom(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(kg.workers.QueryPool, "run", boom)
    with TestClient(make_app(store), raise_server_exceptions=False) as c:
        assert_error(c.get("/sparql", params={"query": "ASK {}"}), 500, "ZeroDivisionError")


# --------------------------------------------------------------------------------------------------
# the other pages and serving


def test_root_serves_the_explorer(client):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html") and r.text == EXPLORER


def test_root_without_an_explorer_is_404(store):
    with TestClient(make_app(store)) as c:
        assert_error(c.get("/"), 404, "no explorer page")


def test_health(client):
    assert client.get("/health").json() == {"status": "ok"}


def test_serve_binds_loopback_by_default_and_opens_the_store_read_only(store, tmp_path):
    explorer = tmp_path / "explorer.html"
    explorer.write_text(EXPLORER, encoding="utf-8")
    import inspect

    assert inspect.signature(kg.server.serve).parameters["host"].default == "127.0.0.1"
    config = server_config(str(store.path), explorer=str(explorer))  # the store is open read-only: no lock clash
    assert (config.host, config.port) == ("127.0.0.1", 7878)
    with TestClient(config.app) as c:
        assert c.get("/").text == EXPLORER
        assert c.get("/sparql", params={"query": "ASK { ?p a kgo:Paper }"}).json()["boolean"] is True


def test_serve_on_a_missing_store_is_a_store_error(tmp_path):
    from kg.errors import StoreError

    with pytest.raises(StoreError, match="no store at"):
        server_config(str(tmp_path / "none"))


def test_defaults_and_bad_limits():
    assert DEFAULT_TIMEOUT_S == 10.0 and DEFAULT_MAX_ROWS == 100_000
    with pytest.raises(ValueError):
        make_app(None, timeout_s=0)


def test_docstring_examples_run():
    assert doctest.testmod(kg.server, optionflags=doctest.ELLIPSIS).failed == 0


def test_explorer_neighbourhood_answers_a_focus_with_evidence(small_graph):
    from starlette.testclient import TestClient

    from kg.reader import read_nodes
    from small_corpus import DMAE

    store = Store.in_memory(small_graph)
    with TestClient(make_app(store)) as client:
        papers = {n.label: n.id for n in read_nodes(store).values() if n.type == "Paper"}
        reply = client.get("/explorer/neighbourhood", params={"node": papers[DMAE.title]})
        assert reply.status_code == 200
        data = reply.json()
        assert data["focus"]["ids"] == [papers[DMAE.title]]
        labels = {n["label"] for n in data["nodes"]}
        assert "Masked Autoencoders" in labels and DMAE.title in labels
        label = {n["id"]: n["label"] for n in data["nodes"]}
        edge = next(e for e in data["edges"] if label[e["target"]] == "Masked Autoencoders")
        assert edge["evidence"]["sentence"] and edge["evidence"]["mention"] in edge["evidence"]["sentence"]
        assert 0 < edge["confidence"] <= 1
        # an entity: the papers linking to it
        entity = next(n["id"] for n in data["nodes"] if n["label"] == "Masked Autoencoders")
        around = client.get("/explorer/neighbourhood", params={"node": entity}).json()
        assert papers[DMAE.title] in {n["id"] for n in around["nodes"]}
        assert all(e["target"] == entity for e in around["edges"])
        missing = client.get("/explorer/neighbourhood", params={"node": "https://example.org/nothing"})
        assert missing.status_code == 404 and "not a paper, entity or code repository" in missing.text
        assert client.get("/explorer/neighbourhood").status_code == 400
        assert client.get("/explorer/neighbourhood", params={"node": "<bad iri>"}).status_code == 404
