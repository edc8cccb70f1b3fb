"""Run SPARQL over an in-memory rdflib graph or the on-disk store, with safe bindings.

One entry point, :func:`run_query`, one result type, :class:`QueryResult`, whichever engine answers:
rdflib for a ``Graph``/``Dataset`` in memory, Oxigraph (through :class:`kg.store.Store`) on disk.

- The standard prefixes of :data:`kg.vocab.PREFIXES` need no ``PREFIX`` lines: both engines are
  given them as default prefixes (a ``PREFIX`` line in the query wins), so the query text is not
  modified and parse error positions refer to the text as written.
- Values are bound to variables by the engine (rdflib ``initBindings``, Oxigraph ``substitutions``),
  never pasted into the query text: a value is always one RDF term, whatever characters it holds.
- The default graph is the union of the named graphs on both engines.
- Queries never reach the network: ``SERVICE`` is refused on both engines, and ``FROM`` /
  ``FROM NAMED`` on rdflib (which would fetch the IRI; the store reads its own graphs).

Named queries live in ``kg/queries/*.rq``, each with a comment header (``# name:``,
``# description:``, ``# param:``, ``# example:``); see :func:`list_named_queries`.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Mapping

from rdflib import Dataset, Graph
from rdflib.term import Identifier

from .errors import QueryError
from .results import (MAX_CELL_WIDTH, QueryResult, UpdateRefusedError, binding_terms, check_query_text, one_line,
                      syntax_error, to_term, unbindable)
from .vocab import PREFIXES

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    from .store import Store

log = logging.getLogger(__name__)


def _prepare(sparql: str):
    from pyparsing import ParseException
    from rdflib.plugins.sparql import prepareQuery

    try:
        return prepareQuery(sparql, initNs=dict(PREFIXES))
    except ParseException as err:
        detail = re.sub(r"\s*\(at char \d+\), \(line:\d+, col:\d+\)\s*$", "", str(err))
        raise syntax_error(sparql, err.lineno, err.col, detail) from err
    except Exception as err:  # noqa: BLE001 - rdflib raises a bare Exception for an unknown prefix
        if "Unknown namespace prefix" not in str(err):
            raise
        raise syntax_error(sparql, None, None, str(err)) from err


def _run_rdflib(graph: Graph, sparql: str, terms: Mapping[str, Identifier]) -> QueryResult:
    from rdflib.plugins.sparql.sparql import SPARQLError

    prepared = _prepare(sparql)
    algebra = prepared.algebra
    if algebra.get("datasetClause"):
        raise QueryError("FROM / FROM NAMED are not supported on an in-memory graph (rdflib would fetch the "
                         "IRI); use GRAPH <…> { … } or query the store")
    if algebra.name == "SelectQuery":
        projected = {str(v) for v in algebra.get("PV") or ()}
        for var in terms:
            if var not in projected:
                raise unbindable(var)
    target = graph
    if isinstance(graph, Dataset) and not graph.default_union:
        # The same triples, with the default graph read as the union of the named graphs.
        target = Dataset(store=graph.store, default_union=True)
    try:
        res = target.query(prepared, initBindings=dict(terms))
        if res.type == "ASK":
            return QueryResult.ask(bool(res.askAnswer))
        if res.type in ("CONSTRUCT", "DESCRIBE"):
            out = Graph()
            for t in res.graph:
                out.add(t)
            return QueryResult.from_graph(out)
        return QueryResult.select([str(v) for v in res.vars or ()], (tuple(r) for r in res))
    except SPARQLError as err:
        raise QueryError(f"query failed: {one_line(str(err))}") from err


def run_query(source: Graph | Store, sparql: str, bindings: Mapping[str, Any] | None = None) -> QueryResult:
    """Run a read-only SPARQL query over an rdflib ``Graph``/``Dataset`` or a :class:`kg.store.Store`.

    Params:
        source: an rdflib ``Graph`` or ``Dataset`` (in memory; for a ``Dataset`` the default graph is
            the union of its named graphs) or an open :class:`kg.store.Store`.
        sparql: SELECT, ASK, CONSTRUCT or DESCRIBE; the prefixes of :data:`kg.vocab.PREFIXES` may be
            used without ``PREFIX`` lines.
        bindings: variable name (without ``?``) → value, bound by the engine, never pasted into the
            text (see :func:`to_term` for how values become terms). Each variable must occur in the
            query and, for SELECT, be in the SELECT clause (an Oxigraph rule, applied to both engines
            so that a query behaves the same in memory and on disk).

    Returns: a :class:`QueryResult`.

    Raises:
        QueryError: malformed query (with line and column when the engine gives them), an UPDATE,
            ``SERVICE``, a bad binding, or a source that is neither a graph nor a store.
        StoreError: the store could not be read.

    >>> from rdflib import Graph, URIRef, Literal
    >>> g = Graph()
    >>> _ = g.add((URIRef("https://ex.org/p"), URIRef("http://purl.org/dc/terms/title"), Literal("A")))
    >>> run_query(g, "SELECT ?p ?t WHERE { ?p dcterms:title ?t }", {"t": "A"}).rows
    [(rdflib.term.URIRef('https://ex.org/p'), rdflib.term.Literal('A'))]
    """
    from .store import Store

    if isinstance(source, Store):
        return source.query(sparql, bindings)
    if not isinstance(sparql, str) or not sparql.strip():
        raise QueryError("empty query: give a SPARQL SELECT, ASK, CONSTRUCT or DESCRIBE query")
    terms = binding_terms(bindings)
    check_query_text(sparql, terms)
    log.debug("query (%s): %s bindings=%s", type(source).__name__, one_line(sparql), terms)
    if isinstance(source, Graph):
        return _run_rdflib(source, sparql, terms)
    raise QueryError(f"cannot query a {type(source).__name__}: pass an rdflib Graph or Dataset, or a kg.store.Store")


# ---------------------------------------------------------------------------------------------------
# Named queries


@dataclass(frozen=True)
class NamedQuery:
    """A query shipped in ``kg/queries/<name>.rq``.

    Attributes: ``name``; ``description``; ``params`` (parameter name → what to pass, in header
    order); ``text`` (the whole file, header comments included); ``path`` (the resource, a
    ``pathlib.Path`` when the package is installed as files); ``examples`` (command lines).
    """

    name: str
    description: str
    params: dict[str, str]
    text: str
    path: Traversable
    examples: tuple[str, ...] = ()


_HEADER = re.compile(r"#\s*(name|description|param|example)\s*:\s*(.*?)\s*$")
_PARAM = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*(?:—|–|--|-|:)\s*(.*)")


def _parse_named(path: Traversable) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    stem = path.name[: -len(".rq")]
    fields: dict[str, str] = {}
    params: dict[str, str] = {}
    examples: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if not line.startswith("#"):
            break
        m = _HEADER.match(line)
        if not m:
            continue
        key, value = m.groups()
        if key == "param":
            pm = _PARAM.fullmatch(value)
            if not pm:
                raise QueryError(f"{path}: bad '# param:' line {line!r}; write '# param: name — what to pass'")
            params[pm.group(1)] = pm.group(2)
        elif key == "example":
            examples.append(value)
        else:
            fields[key] = value
    return NamedQuery(fields.get("name", stem), fields.get("description", ""), params, text, path, tuple(examples))


@lru_cache(maxsize=1)
def _named_queries() -> tuple[NamedQuery, ...]:
    folder = resources.files("kg") / "queries"
    files = sorted((p for p in folder.iterdir() if p.name.endswith(".rq")), key=lambda p: p.name)
    return tuple(_parse_named(p) for p in files)


def list_named_queries() -> list[NamedQuery]:
    """The named queries shipped in ``kg/queries/``, sorted by name.

    >>> "papers-using-dataset" in [q.name for q in list_named_queries()]
    True
    """
    return sorted(_named_queries(), key=lambda q: q.name)


def named_query(name: str) -> NamedQuery:
    """The named query called ``name``.

    Raises: QueryError naming the known queries when there is none of that name.

    >>> named_query("papers-using-dataset").params
    {'dataset': 'label or alias of a dataset (case-insensitive)'}
    """
    for q in _named_queries():
        if q.name == name:
            return q
    known = ", ".join(q.name for q in list_named_queries())
    raise QueryError(f"unknown named query {name!r}; known: {known}")


def run_named_query(source: Graph | Store, name: str, params: Mapping[str, Any] | None = None) -> QueryResult:
    """Run the named query ``name`` with its parameters bound (see :func:`run_query`).

    Raises: QueryError for an unknown query, a missing parameter or one the query does not take.

    >>> from rdflib import Graph
    >>> run_named_query(Graph(), "papers-using-dataset", {"dataset": "ImageNet"}).rows
    []
    """
    text, params = named_query_text(name, params)
    return run_query(source, text, params)


def named_query_text(name: str, params: Mapping[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    """The text of the named query ``name`` and its parameters, checked: what :func:`run_named_query` runs
    (and ``kg query --name`` serialises).

    Raises: QueryError for an unknown query, a missing parameter or one the query does not take.
    """
    q = named_query(name)
    params = dict(params or {})
    missing = [p for p in q.params if p not in params]
    if missing:
        raise QueryError(f"named query {name!r} needs " + ", ".join(f"--param {p}=…" for p in missing))
    extra = [p for p in params if p not in q.params]
    if extra:
        takes = ", ".join(q.params) or "no parameters"
        raise QueryError(f"named query {name!r} has no parameter {extra[0]!r}; it takes: {takes}")
    return q.text, params


__all__ = ["QueryResult", "NamedQuery", "run_query", "run_named_query", "named_query_text", "list_named_queries", "named_query",
           "to_term", "binding_terms", "MAX_CELL_WIDTH", "UpdateRefusedError"]

