"""A read-only SPARQL 1.1 Protocol endpoint over the store (Starlette), testable in-process.

- ``/sparql``: ``GET ?query=``, ``POST`` form (``application/x-www-form-urlencoded``, ``query=``) or
  ``POST`` ``application/sparql-query``. Answers by ``Accept``: SPARQL results JSON / XML / CSV / TSV
  for SELECT and ASK; Turtle / N-Triples / JSON-LD / RDF/XML for CONSTRUCT and DESCRIBE (no ``Accept``: JSON,
  Turtle); 406 otherwise. Written by Oxigraph's own serialisers (:meth:`kg.store.Store.query_serialized`).
- Read-only: an update (``update=`` form field, ``application/sparql-update``, or an UPDATE sent as a
  query) gets 403. ``default-graph-uri`` / ``named-graph-uri`` get 400 (the default graph is always the
  union of the named graphs; use ``GRAPH <…> { … }``).
- Limits (none of which one client can get past to take the server down):

  - the query text: at most :data:`kg.query_limits.MAX_QUERY_CHARS` characters, :data:`kg.query_limits.MAX_NESTING`
    levels of brackets and :data:`kg.query_limits.MAX_OPERATORS` operators, checked by a cheap scan before any
    engine parses it (400); a request body: at most :data:`MAX_BODY_BYTES`, read as a stream and refused (413)
    as soon as it is over, or at once from its ``Content-Length``;
  - evaluation: each query runs in a worker process (:mod:`kg.workers`) that is killed at the time limit (503,
    :data:`DEFAULT_TIMEOUT_S`) or when it grows past its memory cap (503, ``memory_mb``); the CPU and memory are
    free at once and a new worker takes its place; a crash of the engine is a 500 for that query only;
  - the answer: at most ``max_rows`` solutions or triples (413, :data:`DEFAULT_MAX_ROWS`).
- ``GET /sparql`` without a query: the SPARQL 1.1 Service Description (Turtle, or by ``Accept``; a browser is
  sent to ``/query``). ``format=`` / ``output=`` (a name such as ``json``, ``csv``, ``turtle`` or a media type)
  override ``Accept``; ``$name=value`` binds ``?name`` (``<…>``: an IRI; else a string).
- ``/query``: an offline query page (:func:`query_page`); ``/`` the HTML explorer (when given); ``/health``;
  ``/explorer/neighbourhood?node=IRI``: a node's neighbourhood as explorer data (JSON, see
  :func:`kg.view.focus.neighbourhood_data`), which the explorer of a graph too big to embed asks for on focus.
- CORS: off unless ``cors`` origins are given.

Every error, whatever its status, is one JSON shape: ``{"error": {"status", "title", "detail"}}``.
"""
from __future__ import annotations

import contextlib
import logging
import time
from email.message import Message
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from .errors import KGError, QueryError, StoreError
from .workers import DEFAULT_MAX_WORKERS, DEFAULT_MEMORY_MB

if TYPE_CHECKING:
    from collections.abc import Sequence

    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response

    from .store import Store

log = logging.getLogger(__name__)

#: Seconds a query may take before the client gets 503. Every named query answers on the 90k-triple
#: sample corpus in well under 0.1 s, and reading the whole corpus (a 90,373-triple CONSTRUCT, or a
#: SELECT of every quad) takes 0.85-1.1 s (2 cores): 10 s is ~10x the heaviest legitimate request on
#: the sample and still short enough for an interactive client to get a clear answer.
DEFAULT_TIMEOUT_S = 10.0

#: Most solutions (or triples) one answer may hold before the client gets 413. The whole sample corpus
#: (90,373 triples) fits, as one CONSTRUCT (5.8 MB Turtle) or one SELECT of every quad (23 MB JSON);
#: more than that is better paged with LIMIT/OFFSET or taken with `kg export`.
DEFAULT_MAX_ROWS = 100_000

#: Largest request body (a POSTed query) accepted, in bytes; larger gets 413. The longest named query
#: is ~1 KB; 1 MiB leaves room for big VALUES blocks.
MAX_BODY_BYTES = 1 << 20

#: Media type → format name, in the server's order of preference (the first is the default).
RESULTS_MEDIA_TYPES: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
}
GRAPH_MEDIA_TYPES: dict[str, str] = {
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
    "application/x-turtle": "turtle",
    "text/plain": "ntriples",
    "application/json": "jsonld",
}
#: Media type sent for each format.
_CONTENT_TYPES = {
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8", "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8", "ntriples": "application/n-triples",
    "jsonld": "application/ld+json", "rdfxml": "application/rdf+xml",
}
_TITLES = {400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
           406: "Not Acceptable", 413: "Content Too Large", 415: "Unsupported Media Type",
           500: "Internal Server Error", 503: "Service Unavailable"}


class ProtocolError(KGError):
    """A SPARQL Protocol request the endpoint refuses; ``status`` is the HTTP status it answers with."""

    def __init__(self, status: int, detail: str) -> None:
        self.status = status
        super().__init__(detail)


def error_response(status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    """The one JSON error shape: ``{"error": {"status": 406, "title": "Not Acceptable", "detail": "…"}}``."""
    from starlette.responses import JSONResponse

    body = {"error": {"status": status, "title": _TITLES.get(status, "Error"), "detail": detail}}
    return JSONResponse(body, status_code=status, headers=headers)


# ---------------------------------------------------------------------------------------------------
# Content negotiation


def _parse_accept(header: str) -> list[tuple[str, float]]:
    """``Accept`` → [(media range, q)]; parameters are read by the standard library's MIME header parser."""
    out = []
    for part in header.split(","):
        media, _, params = part.partition(";")
        media = media.strip().lower()
        if media.count("/") != 1:
            continue
        msg = Message()
        msg["content-type"] = f"{media};{params}" if params else media
        try:
            q = float(msg.get_param("q", "1"))
        except (TypeError, ValueError):
            q = 0.0
        out.append((media, q))
    return out


def negotiate(accept: str | None, offers: dict[str, str]) -> str | None:
    """The format name of the best offer for an ``Accept`` header, or ``None`` if none is acceptable.

    Each offered media type takes the q of the most specific range matching it (``type/sub`` over
    ``type/*`` over ``*/*``); the highest q wins, ties go to the earlier offer. No header: the first.

    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", RESULTS_MEDIA_TYPES)
    'xml'
    >>> negotiate("text/*", RESULTS_MEDIA_TYPES), negotiate("image/png", RESULTS_MEDIA_TYPES)
    ('csv', None)
    """
    if not accept or not accept.strip():
        return next(iter(offers.values()))
    ranges = _parse_accept(accept)
    best, best_q = None, 0.0
    for media, fmt in offers.items():
        kind = media.split("/")[0]
        q = None
        for specificity in (media, f"{kind}/*", "*/*"):
            matches = [rq for r, rq in ranges if r == specificity]
            if matches:
                q = max(matches)
                break
        if q is not None and q > best_q:
            best, best_q = fmt, q
    return best


# ---------------------------------------------------------------------------------------------------
# Reading the request


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise ProtocolError(400, f"{len(values)} '{name}' parameters; send exactly one")
    return values[0] if values else None


def _check_params(params: dict[str, list[str]]) -> None:
    if "update" in params:
        raise ProtocolError(403, "this endpoint is read-only: SPARQL UPDATE is not accepted")
    for name in ("default-graph-uri", "named-graph-uri"):
        if name in params:
            raise ProtocolError(400, f"'{name}' is not supported: the default graph is always the union of "
                                     "the named graphs; use GRAPH <…> { … } in the query instead")


async def _read_body(request: Request) -> bytes:
    """The request body, read as a stream: 413 as soon as it is over :data:`MAX_BODY_BYTES` (at once when
    ``Content-Length`` says so), so that a big body is never held in memory."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BODY_BYTES:
        raise ProtocolError(413, f"the request body is {int(length):,} bytes; the limit is {MAX_BODY_BYTES:,}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise ProtocolError(413, f"the request body is over {MAX_BODY_BYTES:,} bytes, the limit")
        chunks.append(chunk)
    return b"".join(chunks)


async def _read_query(request: Request) -> tuple[str | None, dict[str, list[str]]]:
    """(the query, every parameter of the URL and of a POSTed form); the query is ``None`` for a GET
    without one (the service description is asked for)."""
    params = parse_qs(request.url.query, keep_blank_values=True)
    _check_params(params)
    if request.method == "GET":
        query = _one(params, "query")
        if query is None:
            return None, params
    else:
        msg = Message()
        msg["content-type"] = request.headers.get("content-type", "")
        ctype = msg.get_content_type() if request.headers.get("content-type") else ""
        charset = msg.get_content_charset() or "utf-8"
        body = await _read_body(request)
        if ctype == "application/sparql-update":
            raise ProtocolError(403, "this endpoint is read-only: SPARQL UPDATE is not accepted")
        try:
            text = body.decode(charset)
        except (LookupError, UnicodeDecodeError) as err:
            raise ProtocolError(400, f"the request body is not valid {charset}: {err}") from err
        if ctype == "application/x-www-form-urlencoded":
            form = parse_qs(text, keep_blank_values=True)
            _check_params(form)
            if "query" in params:
                raise ProtocolError(400, "send 'query' in the form body or in the URL, not in both")
            query = _one(form, "query")
            for name, values in form.items():
                params.setdefault(name, []).extend(values)
        elif ctype == "application/sparql-query":
            if "query" in params:
                raise ProtocolError(400, "a POST of application/sparql-query carries the query in the body; "
                                         "do not also send 'query' in the URL")
            query = text
        else:
            raise ProtocolError(415, f"cannot read a POST of {ctype or 'no Content-Type'}: send "
                                     "application/x-www-form-urlencoded (query=…) or application/sparql-query")
    if query is None or not query.strip():
        raise ProtocolError(400, "no query: send a SPARQL query as 'query' (GET ?query=… or a POSTed form), "
                                 "or POST it as application/sparql-query")
    return query, params


#: ``format=`` / ``output=`` values (besides the media types of :data:`RESULTS_MEDIA_TYPES` and
#: :data:`GRAPH_MEDIA_TYPES`) → a name of :data:`kg.store.ANSWER_FORMATS`.
FORMAT_NAMES = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", "turtle": "turtle", "ttl": "turtle",
                "n3": "turtle", "ntriples": "ntriples", "nt": "ntriples", "n-triples": "ntriples", "jsonld": "jsonld",
                "json-ld": "jsonld", "rdfxml": "rdfxml", "rdf": "rdfxml", "rdf+xml": "rdfxml", "rdf/xml": "rdfxml"}


def _formats(params: dict[str, list[str]], accept: str | None) -> tuple[str | None, str | None]:
    """(format for SELECT/ASK, format for CONSTRUCT/DESCRIBE): from ``format=`` or ``output=`` (which win, as
    SPARQLWrapper and many clients send them), else from ``Accept``."""
    from .store import ANSWER_FORMATS

    # the first of each: SPARQLWrapper sends ``format`` twice (in the URL and the form) when it POSTs
    asked = (params.get("format") or params.get("output") or [None])[0]
    if asked is None:
        return negotiate(accept, RESULTS_MEDIA_TYPES), negotiate(accept, GRAPH_MEDIA_TYPES)
    key = asked.strip().lower()
    media = key.split(";")[0].strip()
    if media in RESULTS_MEDIA_TYPES or media in GRAPH_MEDIA_TYPES:
        return RESULTS_MEDIA_TYPES.get(media), GRAPH_MEDIA_TYPES.get(media)
    if key in FORMAT_NAMES:
        return ANSWER_FORMATS[FORMAT_NAMES[key]]
    raise ProtocolError(406, f"unknown format {asked!r}; use one of {', '.join(FORMAT_NAMES)} or a media type: "
                             f"{', '.join({**RESULTS_MEDIA_TYPES, **GRAPH_MEDIA_TYPES})}")


def _bindings(params: dict[str, list[str]]) -> dict[str, Any]:
    """``$name=value`` parameters (as RDF4J's protocol has them) → values bound to ``?name`` by the engine:
    ``<…>`` is an IRI, anything else a plain string literal."""
    from rdflib import URIRef

    out: dict[str, Any] = {}
    for key in params:
        if key.startswith("$") and len(key) > 1:
            value = _one(params, key)
            out[key[1:]] = URIRef(value[1:-1]) if value.startswith("<") and value.endswith(">") else value
    return out


# ---------------------------------------------------------------------------------------------------
# The app


def make_app(store: Store, *, explorer_html: str | None = None, timeout_s: float = DEFAULT_TIMEOUT_S,
             max_rows: int = DEFAULT_MAX_ROWS, workers: int = DEFAULT_MAX_WORKERS,
             memory_mb: int = DEFAULT_MEMORY_MB, cors: Sequence[str] | None = None) -> Starlette:
    """The SPARQL 1.1 Protocol app (Starlette) over an open store; see the module docstring.

    Params:
        store: an open :class:`kg.store.Store` (open it read-only for serving); the query workers reopen a
            store on disk read-only, and load a store in memory from a dump of it.
        explorer_html: the explorer page served at ``/`` (``kg build`` writes ``DIR/explorer.html``);
            ``None``: ``/`` answers 404.
        timeout_s: seconds a query may run before its worker is killed and the client gets 503
            (:data:`DEFAULT_TIMEOUT_S`).
        max_rows: most solutions or triples in one answer before the client gets 413
            (:data:`DEFAULT_MAX_ROWS`).
        workers: most queries evaluated at once, each in its own process
            (:data:`kg.workers.DEFAULT_MAX_WORKERS`).
        memory_mb: memory a query's worker may take, in MiB, before it is killed and the client gets 503
            (:data:`kg.workers.DEFAULT_MEMORY_MB`).
        cors: origins that browser apps may query from (``["*"]``: any), through Starlette's
            ``CORSMiddleware``; ``None`` (the default): no CORS headers, browsers allow same-origin only.

    Returns: a Starlette (ASGI) app; use it in-process with ``starlette.testclient.TestClient`` (as a context
    manager, so that the workers are stopped at the end).

    >>> from rdflib import Dataset
    >>> from starlette.testclient import TestClient
    >>> from kg.store import Store
    >>> with TestClient(make_app(Store.in_memory(Dataset()))) as client:
    ...     client.get("/sparql", params={"query": "ASK {}"}).json()
    {'head': {}, 'boolean': True}
    """
    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException
    from starlette.requests import Request
    from starlette.background import BackgroundTask
    from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
    from starlette.routing import Route

    from .results import binding_terms, check_query_text
    from .workers import QueryPool, QueryTimeoutError, RemoteError, WorkerDiedError

    if timeout_s <= 0 or max_rows < 0:
        raise ValueError(f"timeout_s must be > 0 and max_rows >= 0 (got {timeout_s}, {max_rows})")
    pool = QueryPool(store, max_workers=workers, memory_mb=memory_mb)
    remote_status = {"update": 403, "limit": 413, "query": 400, "store": 500}

    async def sparql(request: Request) -> Response:
        accept = request.headers.get("accept")
        try:
            query, params = await _read_query(request)
            if query is None:
                return _service_description(request, params, store)
            results_format, graph_format = _formats(params, accept)
            bindings = _bindings(params)
        except ProtocolError as err:
            return error_response(err.status, str(err))
        if results_format is None and graph_format is None:
            return _not_acceptable(accept)
        try:
            check_query_text(query, binding_terms(bindings))  # kg.query_limits, before any engine sees the query
        except QueryError as err:
            return error_response(400, str(err))
        started = time.perf_counter()
        try:
            result = await pool.run(query, results_format=results_format, graph_format=graph_format,
                                    max_rows=max_rows, deadline=time.monotonic() + timeout_s, bindings=bindings)
        except QueryTimeoutError:
            log.warning("query over the %.1f s limit, stopped: %s", timeout_s, " ".join(query.split())[:200])
            return error_response(503, f"the query took longer than the {timeout_s:g} s limit and was stopped; "
                                       "simplify it or add a LIMIT")
        except WorkerDiedError as err:
            if err.memory:
                log.warning("query over the %d MiB memory limit, stopped: %s", memory_mb,
                            " ".join(query.split())[:200])
                return error_response(503, f"the query needed more than the {memory_mb} MiB memory limit and was "
                                           "stopped; simplify it, add a LIMIT, or drop an ORDER BY")
            log.error("the query engine crashed (%s) on: %s", err, " ".join(query.split())[:200])
            return error_response(500, f"the query engine crashed on this query ({err}); the server goes on")
        except RemoteError as err:
            status = remote_status.get(err.kind, 500)
            if status == 500:
                log.error("store error: %s", err)
            return error_response(status, f"this endpoint is read-only: {err}" if status == 403 else str(err))
        except StoreError as err:
            log.error("store error: %s", err)
            return error_response(500, str(err))
        cleanup = BackgroundTask(_unlink, result.path)
        if result.format is None:
            return _not_acceptable(accept, result.kind, background=cleanup)
        log.info("%s query: %d rows as %s in %.3f s", result.kind, result.rows, result.format,
                 time.perf_counter() - started)
        return FileResponse(result.path, media_type=_CONTENT_TYPES[result.format], headers={"Vary": "Accept"},
                            background=cleanup)

    async def index(request: Request) -> Response:
        if explorer_html is None:
            return error_response(404, "no explorer page was given to this server; the SPARQL endpoint is /sparql")
        return HTMLResponse(explorer_html)

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def neighbourhood(request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

        from .errors import ViewError
        from .view.focus import neighbourhood_data
        from .view.index import LIVE_FOCUS_BUDGET

        nodes = request.query_params.getlist("node")
        if len(nodes) != 1 or not nodes[0]:
            return error_response(400, "give one node: /explorer/neighbourhood?node=<IRI of a paper, entity or "
                                       "code repository>")
        try:  # a few bound SELECTs (tens of ms), in a thread so that the server keeps answering meanwhile
            data = await run_in_threadpool(lambda: neighbourhood_data(store, nodes[0], budget=LIVE_FOCUS_BUDGET))
        except ViewError as err:
            return error_response(404, str(err))
        return JSONResponse(data)

    page, csp = query_page()

    async def query_form(request: Request) -> Response:
        return HTMLResponse(page, headers={"Content-Security-Policy": csp})

    async def http_error(request: Request, exc: HTTPException) -> Response:
        detail = {404: f"no such page: {request.url.path}; the SPARQL endpoint is /sparql",
                  405: f"{request.method} is not allowed on {request.url.path}; use GET or POST"}.get(
            exc.status_code, str(exc.detail))
        return error_response(exc.status_code, detail, headers=getattr(exc, "headers", None))

    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("internal error on %s", request.url.path, exc_info=exc)
        return error_response(500, f"internal error: {type(exc).__name__}: {exc}")

    @contextlib.asynccontextmanager
    async def lifespan(app):
        pool.warm()
        try:
            yield
        finally:
            pool.close()

    middleware = []
    if cors:
        from starlette.middleware import Middleware
        from starlette.middleware.cors import CORSMiddleware

        middleware.append(Middleware(CORSMiddleware, allow_origins=list(cors), allow_methods=["GET", "POST"],
                                     allow_headers=["Accept", "Content-Type"], max_age=600))
    app = Starlette(
        routes=[Route("/sparql", sparql, methods=["GET", "POST"]), Route("/", index, methods=["GET"]),
                Route("/query", query_form, methods=["GET"]), Route("/health", health, methods=["GET"]),
                Route("/explorer/neighbourhood", neighbourhood, methods=["GET"])],
        exception_handlers={HTTPException: http_error, 500: server_error},
        middleware=middleware,
        lifespan=lifespan,
    )
    app.state.query_pool = pool
    return app


#: The SPARQL 1.1 Service Description of the endpoint (Turtle; ``{endpoint}`` and ``{triples}`` filled in).
_SERVICE_DESCRIPTION = """\
@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix fmt: <http://www.w3.org/ns/formats/> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix dcterms: <http://purl.org/dc/terms/> .

<{endpoint}> a sd:Service ;
    dcterms:title "paperkg SPARQL endpoint (read-only)" ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:feature sd:UnionDefaultGraph ;
    sd:resultFormat fmt:SPARQL_Results_JSON, fmt:SPARQL_Results_XML, fmt:SPARQL_Results_CSV,
        fmt:SPARQL_Results_TSV, fmt:Turtle, fmt:N-Triples, fmt:JSON-LD, fmt:RDF_XML ;
    sd:defaultDataset [ a sd:Dataset ; sd:defaultGraph [ a sd:Graph ; void:triples {triples} ] ] .
"""


def _service_description(request: Request, params: dict[str, list[str]], store: Store) -> Response:
    """GET /sparql without a query: the SPARQL 1.1 Service Description, in Turtle or by ``Accept`` /
    ``format=`` (any graph format); a browser (``text/html`` first) is sent to the query page."""
    import pyoxigraph as ox
    from starlette.responses import RedirectResponse, Response

    from .store import GRAPH_FORMATS

    accept = request.headers.get("accept")
    if "format" not in params and "output" not in params and accept and \
            accept.split(",")[0].split(";")[0].strip().lower() == "text/html":
        return RedirectResponse("/query", status_code=303)
    _, graph_format = _formats(params, accept)
    if graph_format is None:
        return _not_acceptable(accept, "graph")
    endpoint = str(request.url.replace(query=""))
    turtle = _SERVICE_DESCRIPTION.format(endpoint=endpoint, triples=len(store))
    fmt = GRAPH_FORMATS[graph_format]
    prefixes = {"sd": "http://www.w3.org/ns/sparql-service-description#", "fmt": "http://www.w3.org/ns/formats/",
                "void": "http://rdfs.org/ns/void#", "dcterms": "http://purl.org/dc/terms/"}
    data = ox.serialize(ox.parse(turtle.encode(), ox.RdfFormat.TURTLE), format=fmt,
                        prefixes=prefixes if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None)
    return Response(data, media_type=_CONTENT_TYPES[graph_format], headers={"Vary": "Accept"})


def query_page() -> tuple[str, str]:
    """The offline query page served at ``/query`` and its Content-Security-Policy: a query box, the named
    queries (``kg/queries``) with their parameters (sent as ``$name=value`` bindings), results as a table whose
    IRIs link into the explorer (``/#<IRI>``). Plain HTML and JS from ``kg/templates``; the policy lets the page
    run only its own script (by hash) and talk only to this server.
    """
    import base64
    import hashlib
    import json
    from importlib import resources

    from .query import list_named_queries

    folder = resources.files("kg") / "templates"
    script = (folder / "query.js").read_text(encoding="utf-8")
    named = [{"name": q.name, "description": q.description, "params": q.params, "text": q.text}
             for q in list_named_queries()]
    data = json.dumps(named, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace(
        "&", "\\u0026")
    page = (folder / "query.html").read_text(encoding="utf-8")
    page = page.replace("__NAMED_QUERIES__", data).replace("__SCRIPT__", script)
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    csp = (f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; connect-src 'self'; "
           "img-src data:; form-action 'none'; base-uri 'none'; frame-ancestors 'none'")
    return page, csp


def _unlink(path: str) -> None:
    import os

    with contextlib.suppress(OSError):
        os.unlink(path)


def _not_acceptable(accept: str | None, kind: str | None = None, **kw: Any) -> Response:
    if kind == "graph":
        offers = GRAPH_MEDIA_TYPES
        what = "a CONSTRUCT/DESCRIBE answer (a graph)"
    elif kind is not None:
        offers = RESULTS_MEDIA_TYPES
        what = "a SELECT/ASK answer"
    else:
        offers = {**RESULTS_MEDIA_TYPES, **GRAPH_MEDIA_TYPES}
        what = "any answer"
    response = error_response(406, f"cannot give {what} as {accept!r}; acceptable: {', '.join(offers)}")
    response.background = kw.get("background")
    return response


# ---------------------------------------------------------------------------------------------------
# Running it


def server_config(store_path: str, host: str = "127.0.0.1", port: int = 7878, *,
                  explorer: str | None = None, log_level: str = "info", **options: Any):
    """The ``uvicorn.Config`` :func:`serve` runs (the store is opened read-only, the app built).

    Params: as :func:`serve`.

    Raises: StoreError if ``store_path`` is not a store; KGError if ``explorer`` cannot be read.
    """
    from pathlib import Path

    import uvicorn

    from .store import Store

    html = None
    if explorer is not None:
        try:
            html = Path(explorer).read_text(encoding="utf-8")
        except OSError as err:
            raise KGError(f"cannot read the explorer page {explorer}: {err}") from err
    store = Store.open(store_path, read_only=True)
    app = make_app(store, explorer_html=html, **options)
    return uvicorn.Config(app, host=host, port=port, log_level=log_level)


def serve(store_path: str, host: str = "127.0.0.1", port: int = 7878, *, explorer: str | None = None,
          log_level: str = "info", **options: Any) -> None:
    """Serve the store at ``store_path`` (opened read-only) over HTTP until interrupted.

    Params:
        store_path: the store directory (``kg build --out DIR`` writes ``DIR/store``).
        host: the address to bind; the default, 127.0.0.1, is reachable from this machine only
            (pass 0.0.0.0 to expose it, knowingly).
        port: the TCP port (7878, Oxigraph's own default).
        explorer: an HTML file to serve at ``/`` (e.g. ``DIR/explorer.html``), or ``None``.
        options: the keyword options of :func:`make_app` (``timeout_s``, ``max_rows``, ``workers``,
            ``memory_mb`` …).

    Raises: StoreError if ``store_path`` is not a store; KGError if ``explorer`` cannot be read.
    """
    import uvicorn

    config = server_config(store_path, host, port, explorer=explorer, log_level=log_level, **options)
    log.info("serving %s at http://%s:%d/sparql", store_path, host, port)
    uvicorn.Server(config).run()


__all__ = ["make_app", "query_page", "serve", "server_config", "negotiate", "error_response", "ProtocolError",
           "DEFAULT_TIMEOUT_S", "DEFAULT_MAX_ROWS", "MAX_BODY_BYTES",
           "RESULTS_MEDIA_TYPES", "GRAPH_MEDIA_TYPES"]
