"""Push the graph into a SPARQL server through the SPARQL 1.1 Graph Store HTTP Protocol (httpx).

With ``graph_per_paper=True`` (the default) every named graph (one per paper, plus ``entities``) is
sent as N-Triples with ``PUT <endpoint>?graph=<IRI>``: the server's graph of that name is REPLACED,
so pushing again (after a rebuild) leaves no duplicates and no stale triples, and the server's other
graphs are untouched. This is plain Graph Store Protocol: Oxigraph (``/store``), Fuseki
(``/DATASET/data``), Virtuoso 7 (``/sparql-graph-crud``, once its anonymous account may update:
``GRANT SPARQL_UPDATE TO "SPARQL";`` in ``isql``) and others accept it. Both Oxigraph and Virtuoso
are tested (tests/test_push.py, tests/test_push_virtuoso.py).

That is a request per paper. For a big graph, ``graph_per_paper=False`` (``kg push --nquads``) sends the
dataset as N-Quads in chunks of :data:`PUSH_CHUNK_QUADS` quads, one ``POST <endpoint>`` each (100k papers:
~120 requests instead of 100,001), streamed from the store (one chunk in memory at a time). A POST ADDS the
quads (RDF set semantics: a quad already there is not doubled, but a triple removed since the last push
stays: push into an empty server, or clear it first). Oxigraph's server (``/store``) and Fuseki (the
dataset's URL) accept N-Quads there; it is not part of the standard, and Virtuoso 7 refuses it.
"""
from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import KGError

if TYPE_CHECKING:
    from rdflib import Graph

    from .store import Store

log = logging.getLogger(__name__)

#: Seconds for each HTTP request (connect, send, answer). The largest graph of the sample corpus
#: (entities, ~2,800 triples) and the whole corpus as one N-Quads POST (~13 MB) both load into a local
#: Oxigraph server in well under a second; 60 s leaves room for a remote or busy server.
DEFAULT_TIMEOUT_S = 60.0
#: Quads per N-Quads request (``graph_per_paper=False``), ~18 MB of N-Quads. Measured against a local
#: ``oxigraph serve`` with a 10k-paper synthetic graph (1.4M quads, 10,001 graphs; benchmarks/push_chunks.py, 2
#: cores at load 7-10): a PUT per graph 10,001 requests, 610 s; 10k quads a request 141 requests, 268 s; 100k
#: quads 15 requests, 248 s; 1M quads a request passed the 60 s request timeout on the busy machine.
PUSH_CHUNK_QUADS = 100_000


class PushError(KGError):
    """The SPARQL server could not be reached or refused the data; the message names the URL."""


@dataclass(frozen=True)
class PushReport:
    """What :func:`push` sent: ``graphs`` (named graphs, and the default graph if it was sent), ``requests``,
    ``quads``, ``bytes`` and ``seconds``."""

    endpoint: str
    graphs: int
    requests: int
    quads: int
    bytes: int
    seconds: float


def _as_store(source: Store | Graph) -> Store:
    from .store import Store

    if isinstance(source, Store):
        return source
    return Store.in_memory(source)


def push(source: Store | Graph, endpoint_base: str, *, graph_per_paper: bool = True,
         timeout: float = DEFAULT_TIMEOUT_S, chunk_quads: int = PUSH_CHUNK_QUADS) -> PushReport:
    """Load the graph into a SPARQL server's Graph Store Protocol endpoint.

    Params:
        source: an open :class:`kg.store.Store` (``Store.open(DIR, read_only=True)``, or
            ``Store.in_memory_from_file(FILE)``) or an rdflib ``Dataset``.
        endpoint_base: the Graph Store endpoint URL, e.g. ``http://127.0.0.1:7878/store`` (Oxigraph),
            ``http://localhost:8890/sparql-graph-crud`` (Virtuoso) or ``http://localhost:3030/ds/data`` (Fuseki).
        graph_per_paper: ``True``: one PUT of N-Triples per named graph (replaces each graph;
            triples of the default graph, if any, go to ``?default``); ``False``: POSTs of N-Quads,
            ``chunk_quads`` quads each (adds; an extension that Oxigraph and Fuseki accept).
        timeout: seconds per HTTP request (:data:`DEFAULT_TIMEOUT_S`).
        chunk_quads: quads per N-Quads request (:data:`PUSH_CHUNK_QUADS`).

    Returns: a :class:`PushReport`.

    Raises: PushError naming the URL when the server cannot be reached, times out or answers with
        an error status (the status and the start of its answer are in the message).
    """
    import httpx

    if chunk_quads < 1:
        raise PushError(f"quads per request: {chunk_quads} is below 1; it must be at least 1")
    store = _as_store(source)
    started = time.perf_counter()
    sent = requests = graphs = quads = 0
    with httpx.Client(timeout=timeout) as client:

        def send(method: str, params: dict[str, str] | None, body: bytes, ctype: str, what: str) -> None:
            nonlocal sent, requests
            url = httpx.URL(endpoint_base, params=params) if params else httpx.URL(endpoint_base)
            try:
                r = client.request(method, url, content=body, headers={"Content-Type": ctype})
            except httpx.TimeoutException as err:
                raise PushError(f"{method} {url}: no answer within {timeout:g} s ({what}); is the server busy? "
                                "raise the timeout") from err
            except httpx.HTTPError as err:
                raise PushError(f"{method} {url}: cannot reach the SPARQL server ({type(err).__name__}: {err}); "
                                "is it running, and is the URL its Graph Store endpoint (Oxigraph: "
                                "http://HOST:PORT/store)?") from err
            if r.status_code >= 400:
                text = r.text
                if r.headers.get("content-type", "").startswith("text/html"):  # Virtuoso's errors are HTML pages
                    text = re.sub(r"<!DOCTYPE[^>]*>|<title>.*?</title>|<[^>]+>", " ", text, flags=re.S | re.I)
                text = " ".join(text.split())[:300]
                raise PushError(f"{method} {url}: the server answered {r.status_code} {r.reason_phrase} ({what}): "
                                f"{text}")
            if method == "POST" and r.headers.get("content-type", "").startswith("text/html"):
                # Virtuoso's /sparql-graph-crud answers a POST without ?graph= with 200 and its HTML query
                # form, storing nothing: a web page is no Graph Store answer
                raise PushError(f"{method} {url}: the server answered {r.status_code} with a web page, not a "
                                f"Graph Store answer ({what}); nothing was loaded? --nquads (N-Quads without "
                                "?graph=) is an extension this server lacks: push a PUT per graph instead")
            sent += len(body)
            requests += 1

        names = store.named_graphs()
        if graph_per_paper:
            default = store.graph_bytes(None)
            if default.strip():
                send("PUT", {"default": ""}, default, "application/n-triples", "the default graph")
                graphs += 1
            for name in names:
                send("PUT", {"graph": str(name)}, store.graph_bytes(name), "application/n-triples", f"graph <{name}>")
                graphs += 1
            quads = len(store)
        else:
            for body, count in store.nquads_chunks(chunk_quads):
                send("POST", None, body, "application/n-quads", f"quads {quads + 1:,}-{quads + count:,} as N-Quads")
                quads += count
            graphs = len(names) + (1 if store.graph_bytes(None).strip() else 0)
    report = PushReport(endpoint_base, graphs, requests, quads, sent, time.perf_counter() - started)
    log.info("pushed %d graphs, %d quads (%d bytes) in %d requests to %s in %.2f s", report.graphs, report.quads,
             report.bytes, report.requests, endpoint_base, report.seconds)
    return report


__all__ = ["push", "PushReport", "PushError", "DEFAULT_TIMEOUT_S", "PUSH_CHUNK_QUADS"]
