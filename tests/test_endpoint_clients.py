"""The endpoint as other tools use it (issue 13 items 4, 5): the service description, ``format=``/``output=``,
``$name`` bindings, CORS, SPARQLWrapper as a real client over HTTP, the same bytes from ``kg query --format X``
and ``/sparql``, and the ``/query`` page in Chromium (Playwright, offline: only 127.0.0.1 is reachable).
"""
from __future__ import annotations

import json
import shutil
import warnings

import httpx
import pytest
from servers import kg_serve
from rdflib import Graph, Namespace, URIRef
from typer.testing import CliRunner

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from starlette.testclient import TestClient

from kg.cli import app as cli_app
from kg.server import make_app
from kg.store import ANSWER_FORMATS, Store

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
DMAE_TITLE = "Masked Autoencoders Enable Efficient Knowledge Distillers"
PASS_TITLE = "PASS: An ImageNet replacement for self-supervised pretraining without humans"
IMAGENET = ("SELECT ?title WHERE { ?p kgo:uses ?d ; dcterms:title ?title . ?d rdfs:label \"ImageNet\" } "
            "ORDER BY ?title")
CONSTRUCT = "CONSTRUCT { ?p dcterms:title ?t } WHERE { ?p a kgo:Paper ; dcterms:title ?t } ORDER BY ?t"
ORIGIN = "https://app.example"


@pytest.fixture(scope="module")
def store_dir(small_dataset, tmp_path_factory):
    path = tmp_path_factory.mktemp("clients") / "store"
    Store.create_from(small_dataset, path).close()
    return path


@pytest.fixture(scope="module")
def client(store_dir):
    store = Store.open(store_dir, read_only=True)
    with TestClient(make_app(store)) as c:
        yield c
    store.close()


@pytest.fixture(scope="module")
def server(store_dir, small_graph, tmp_path_factory):
    """``kg serve --cors ORIGIN`` in a subprocess, with the explorer of the fixture beside the store."""
    from kg.view import explorer_data, render_html

    (store_dir.parent / "explorer.html").write_text(render_html(explorer_data(small_graph), title="fixture"),
                                                    encoding="utf-8")
    with kg_serve(store_dir, "--cors", ORIGIN) as (url, _):
        yield url


# --------------------------------------------------------------------------------------------------
# service description, format=, $bindings, CORS (in-process)


def test_get_without_a_query_is_the_service_description(client):
    r = client.get("/sparql")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    service = URIRef("http://testserver/sparql")
    assert (service, SD.endpoint, service) in g
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in g
    assert (service, SD.feature, SD.UnionDefaultGraph) in g
    assert len(list(g.objects(service, SD.resultFormat))) == 8
    jsonld = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert jsonld.headers["content-type"] == "application/ld+json"
    assert len(Graph().parse(data=jsonld.text, format="json-ld")) == len(g)


def test_a_browser_asking_sparql_without_a_query_goes_to_the_query_page(client):
    r = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/query"


@pytest.mark.parametrize("param, value, content_type", [
    ("format", "json", "application/sparql-results+json"), ("output", "xml", "application/sparql-results+xml"),
    ("format", "csv", "text/csv"), ("output", "tsv", "text/tab-separated-values"),
    ("format", "application/sparql-results+xml", "application/sparql-results+xml")])
def test_format_and_output_override_accept(client, param, value, content_type):
    r = client.get("/sparql", params={"query": IMAGENET, param: value}, headers={"Accept": "text/turtle"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == content_type


def test_format_for_a_graph(client):
    r = client.get("/sparql", params={"query": CONSTRUCT, "format": "xml"})
    assert r.headers["content-type"] == "application/rdf+xml" and len(Graph().parse(data=r.text, format="xml")) == 3
    r = client.get("/sparql", params={"query": CONSTRUCT, "format": "json"})
    assert r.headers["content-type"] == "application/ld+json"
    assert client.get("/sparql", params={"query": CONSTRUCT, "format": "csv"}).status_code == 406
    r = client.get("/sparql", params={"query": IMAGENET, "format": "yaml"})
    assert r.status_code == 406 and "unknown format 'yaml'" in r.json()["error"]["detail"]


def test_dollar_parameters_bind_variables(client):
    q = "SELECT ?p ?title WHERE { ?p dcterms:title ?title }"
    r = client.get("/sparql", params={"query": q, "$title": PASS_TITLE})
    assert [b["title"]["value"] for b in r.json()["results"]["bindings"]] == [PASS_TITLE]
    paper = r.json()["results"]["bindings"][0]["p"]["value"]
    r = client.post("/sparql", data={"query": q, "$p": f"<{paper}>"})
    assert [b["title"]["value"] for b in r.json()["results"]["bindings"]] == [PASS_TITLE]
    # a value is one term, whatever it holds
    r = client.get("/sparql", params={"query": q, "$title": '" } UNION { ?p ?x ?title } #'})
    assert r.status_code == 200 and r.json()["results"]["bindings"] == []
    r = client.get("/sparql", params={"query": q, "$nope": "x"})
    assert r.status_code == 400 and "?nope" in r.json()["error"]["detail"]


def test_cors_is_off_by_default_and_on_for_the_given_origins(client, store_dir):
    r = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": ORIGIN})
    assert "access-control-allow-origin" not in r.headers
    store = Store.open(store_dir, read_only=True)
    with TestClient(make_app(store, cors=[ORIGIN])) as c:
        r = c.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": ORIGIN})
        assert r.headers["access-control-allow-origin"] == ORIGIN
        pre = c.options("/sparql", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST",
                                            "Access-Control-Request-Headers": "content-type"})
        assert pre.status_code == 200 and "POST" in pre.headers["access-control-allow-methods"]
        other = c.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
    store.close()


def test_the_query_page_has_a_strict_policy_and_the_named_queries(client):
    r = client.get("/query")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "connect-src 'self'" in csp and "script-src 'sha256-" in csp
    assert "http" not in r.text.split("<script>")[1].split("</script>")[0].replace("http://www.w3.org", "").replace(
        "https://w3id.org", "").replace("http://purl.org", "").replace("https://schema.org", "")
    assert '"papers-using-dataset"' in r.text


# --------------------------------------------------------------------------------------------------
# one serialisation path: the same bytes from kg query --format X and /sparql


@pytest.mark.parametrize("fmt", list(ANSWER_FORMATS))
def test_kg_query_and_the_endpoint_give_the_same_bytes(client, store_dir, fmt):
    query = CONSTRUCT if ANSWER_FORMATS[fmt][0] is None else IMAGENET
    cli = CliRunner().invoke(cli_app, ["query", query, "--store", str(store_dir), "--format", fmt])
    assert cli.exit_code == 0, cli.output
    http = client.get("/sparql", params={"query": query, "format": fmt})
    assert http.status_code == 200
    assert cli.stdout_bytes == http.content and len(http.content) > 100


# --------------------------------------------------------------------------------------------------
# SPARQLWrapper, a real client over HTTP


def wrapper(server, query, fmt=None, method=None):
    from SPARQLWrapper import SPARQLWrapper

    sw = SPARQLWrapper(f"{server}/sparql")
    sw.setQuery(query)
    if fmt:
        sw.setReturnFormat(fmt)
    if method:
        sw.setMethod(method)
    return sw.query()


def test_sparqlwrapper_select_in_each_format(server):
    from SPARQLWrapper import CSV, JSON, POST, TSV, XML

    doc = wrapper(server, IMAGENET, JSON).convert()
    assert [b["title"]["value"] for b in doc["results"]["bindings"]] == [DMAE_TITLE, PASS_TITLE]
    doc = wrapper(server, IMAGENET, JSON, POST).convert()
    assert [b["title"]["value"] for b in doc["results"]["bindings"]] == [DMAE_TITLE, PASS_TITLE]
    xml = wrapper(server, IMAGENET, XML).convert()
    assert [n.firstChild.data for n in xml.getElementsByTagName("literal")] == [DMAE_TITLE, PASS_TITLE]
    assert wrapper(server, IMAGENET, CSV).convert().decode().splitlines() == ["title", DMAE_TITLE, PASS_TITLE]
    assert wrapper(server, IMAGENET, TSV).convert().decode().splitlines()[1] == json.dumps(DMAE_TITLE)


def test_sparqlwrapper_ask_and_construct(server):
    from SPARQLWrapper import JSON, JSONLD, N3, TURTLE, XML

    assert wrapper(server, "ASK { ?p a kgo:Paper }", JSON).convert()["boolean"] is True
    for fmt in (XML, TURTLE, N3, JSONLD):
        g = wrapper(server, CONSTRUCT, fmt).convert()
        g = g if isinstance(g, Graph) else Graph().parse(data=g, format="turtle")
        assert {str(o) for o in g.objects()} >= {DMAE_TITLE, PASS_TITLE}, fmt


def test_sparqlwrapper_gets_the_error_of_a_bad_query(server):
    from SPARQLWrapper import JSON
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    with pytest.raises(QueryBadFormed, match="malformed SPARQL query"):
        wrapper(server, "SELECT ?x WHERE { ?x ?y }", JSON)


def test_cors_from_the_cli(server):
    r = httpx.get(f"{server}/sparql", params={"query": "ASK {}"}, headers={"Origin": ORIGIN})
    assert r.headers["access-control-allow-origin"] == ORIGIN


# --------------------------------------------------------------------------------------------------
# the query page in Chromium

CHROMIUM = shutil.which("chromium")


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if CHROMIUM is None:
        pytest.skip("no chromium on PATH (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture()
def page(browser, server):
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    blocked: list[str] = []

    def route(r):
        if r.request.url.startswith(server):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and "status of 400" not in m.text and errors.append(m.text))
    page.goto(f"{server}/query")
    page.wait_for_selector("body[data-ready='1']", timeout=15_000)
    yield page
    assert blocked == [] and errors == [], (blocked, errors)
    page.close()


def run_and_wait(page):
    page.click("#kg-run")
    page.wait_for_selector("body[data-state='done']", timeout=30_000)


def cells(page, column: int) -> list[str]:
    return page.eval_on_selector_all(f"#kg-results tbody tr td:nth-child({column})", "tds => tds.map(t => t.textContent)")


def test_the_page_runs_a_named_query_with_its_parameter(page):
    page.select_option("#kg-named", "papers-using-dataset")
    assert "dataset" in page.inner_text("#kg-params")
    page.fill("#kg-param-dataset", "imagenet")
    run_and_wait(page)
    assert page.is_hidden("#kg-error")
    assert cells(page, 2) == [DMAE_TITLE, PASS_TITLE]
    href = page.get_attribute("#kg-results tbody tr td:nth-child(1) a", "href")
    assert href.startswith("/#https%3A%2F%2Fw3id.org%2Fpaperkg%2Fpaper%2F")
    assert page.inner_text("#kg-status") == "2 rows"


def test_a_result_link_opens_the_node_in_the_explorer(page, server):
    page.fill("#kg-query", IMAGENET.replace("SELECT ?title", "SELECT ?p ?title"))
    run_and_wait(page)
    page.click("#kg-results tbody tr:first-child td:first-child a")
    page.wait_for_selector("body[data-ready='1']", timeout=15_000)
    assert page.url.startswith(f"{server}/#")
    assert DMAE_TITLE in page.inner_text("#kg-panel")


def test_the_page_shows_errors_and_hostile_values_as_text(page):
    page.fill("#kg-query", "SELECT ?x WHERE { ?x ?y }")
    run_and_wait(page)
    assert "400 Bad Request: malformed SPARQL query" in page.inner_text("#kg-error")
    hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>'
    page.fill("#kg-query", "SELECT ?x WHERE { BIND(" + json.dumps(hostile) + " AS ?x) }")
    run_and_wait(page)
    assert cells(page, 1) == [hostile]
    assert page.evaluate("window.__pwned") is None
    page.fill("#kg-query", "ASK { ?p a kgo:Paper }")
    run_and_wait(page)
    assert page.inner_text("#kg-status") == "ASK: true"
