"""Query results, bindings and the engine-independent checks of a query: a leaf module.

:class:`QueryResult` is the one result type whichever engine answers (rdflib in memory, Oxigraph through
:mod:`kg.store`); :func:`to_term` / :func:`binding_terms` turn Python values into the RDF terms bound to
a query's variables; :func:`check_query_text`, :func:`syntax_error` and :func:`unbindable` give the same
checks and errors on both engines. It imports neither :mod:`kg.store` nor :mod:`kg.query`, so both import
it (before, the two imported each other).
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable, Iterator, Literal as TypingLiteral, Mapping, Sequence

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from .errors import QueryError
from .vocab import PREFIXES

#: Widest cell of :meth:`QueryResult.to_table`, in characters; longer values end in "…". 100 keeps
#: 90% of the 520 bundled paper titles whole (median 71, 90th percentile 98, longest 153 characters)
#: and every entity IRI, while an abstract (up to 1,920 characters) does not swamp the table.
MAX_CELL_WIDTH = 100

#: Longest engine message kept in a :class:`QueryError`. rdflib's and Oxigraph's parse errors list
#: every token the grammar allowed (Oxigraph's unknown-prefix error runs to ~700 characters of
#: Unicode ranges); the first 200 characters hold the useful part and keep the error on one line.
MAX_ERROR_DETAIL = 200

#: Kinds of :class:`QueryResult`.
Kind = TypingLiteral["select", "ask", "graph"]

#: Column names of a graph result's rows.
TRIPLE_VARS = ["subject", "predicate", "object"]

_NUMERIC_TYPES = {XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.int, XSD.long, XSD.short,
                  XSD.nonNegativeInteger, XSD.positiveInteger, XSD.negativeInteger,
                  XSD.nonPositiveInteger, XSD.unsignedInt, XSD.unsignedLong}
_VARNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: Comments, string literals and IRIs: blanked out before looking for keywords in a query.
_OPAQUE = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
                     r"|<[^<>\"{}|^`\\\s]*>|#[^\n]*")
_SERVICE = re.compile(r"(?<![\w?$:])SERVICE(?![\w:-])", re.IGNORECASE)


# ---------------------------------------------------------------------------------------------------
# Results


def _sort_key(term: Identifier) -> tuple[int, str]:
    order = 0 if isinstance(term, URIRef) else 1 if isinstance(term, BNode) else 2
    return order, str(term)


@dataclass
class QueryResult:
    """The answer to a query, the same whichever engine gave it.

    Attributes:
        kind: ``"select"``, ``"ask"`` or ``"graph"`` (CONSTRUCT / DESCRIBE).
        vars: column names, without ``?`` (for a graph: ``subject``, ``predicate``, ``object``;
            for ASK: empty).
        rows: one tuple of rdflib terms per solution, ``None`` where a variable is unbound (for a
            graph: its triples, sorted; for ASK: empty).
        boolean: the answer of an ASK query, else ``None``.
        graph: the graph of a CONSTRUCT / DESCRIBE query, else ``None``.

    >>> r = QueryResult.select(["x"], [(Literal(1),)])
    >>> print(r.to_table())
    x
    -
    1
    (1 row)
    """

    kind: Kind
    vars: list[str] = field(default_factory=list)
    rows: list[tuple[Identifier | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None

    # -- constructors ------------------------------------------------------------------------------

    @classmethod
    def select(cls, vars: Sequence[str], rows: Iterable[Sequence[Identifier | None]]) -> QueryResult:
        """A SELECT result from column names and rows of rdflib terms."""
        return cls("select", list(vars), [tuple(r) for r in rows])

    @classmethod
    def ask(cls, answer: bool) -> QueryResult:
        """An ASK result."""
        return cls("ask", boolean=bool(answer))

    @classmethod
    def from_graph(cls, graph: Graph) -> QueryResult:
        """A CONSTRUCT / DESCRIBE result; ``rows`` are the graph's triples, sorted."""
        for prefix, ns in PREFIXES.items():
            graph.bind(prefix, ns, override=True)
        rows = sorted(graph, key=lambda t: tuple(_sort_key(x) for x in t))
        return cls("graph", list(TRIPLE_VARS), rows, graph=graph)

    # -- rows, as rdflib and pyoxigraph give them -----------------------------------------------------

    def __iter__(self) -> Iterator[Any]:
        """The rows, each an ``rdflib.query.ResultRow``: a tuple of rdflib terms (``None`` where unbound) that
        can also be read by variable name, ``row.title`` or ``row["title"]`` (for a graph: ``row.subject``,
        ``row.predicate``, ``row.object``). An ASK result yields its one boolean, as rdflib's does.

        >>> r = QueryResult.select(["title", "n"], [(Literal("A paper"), Literal(3)), (Literal("B"), None)])
        >>> [(str(row.title), row["n"] and row["n"].toPython()) for row in r]
        [('A paper', 3), ('B', None)]
        >>> title, n = next(iter(r)); str(title)
        'A paper'
        >>> list(QueryResult.ask(True))
        [True]
        """
        if self.kind == "ask":
            yield bool(self.boolean)
            return
        from rdflib.query import ResultRow
        from rdflib.term import Variable

        labels = [Variable(v) for v in self.vars]
        for row in self.rows:
            yield ResultRow(dict(zip(labels, row)), labels)

    def __len__(self) -> int:
        """The number of rows (of triples for a graph; 1 for ASK, as in rdflib).

        >>> len(QueryResult.select(["x"], [(Literal(1),), (Literal(2),)])), len(QueryResult.ask(False))
        (2, 1)
        """
        return 1 if self.kind == "ask" else len(self.rows)

    def __bool__(self) -> bool:
        """The answer of an ASK query; for the others, whether there is a row (as ``len() > 0``).

        >>> bool(QueryResult.ask(False)), bool(QueryResult.select(["x"], []))
        (False, False)
        """
        return bool(self.boolean) if self.kind == "ask" else bool(self.rows)

    # -- outputs -----------------------------------------------------------------------------------

    def to_table(self, max_width: int = MAX_CELL_WIDTH) -> str:
        """A readable, aligned text table (``true``/``false`` for ASK), with a row count.

        IRIs in the standard namespaces are shown as prefixed names (``kgo:Paper``), literals by
        their value; cells longer than ``max_width`` are cut and end in "…"; numbers are aligned
        right.

        >>> print(QueryResult.ask(True).to_table())
        true
        """
        if self.kind == "ask":
            return "true" if self.boolean else "false"
        header = list(self.vars)
        cells = [[_cell(t, max_width) for t in row] for row in self.rows]
        widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
        numeric = [bool(self.rows) and all(r[i] is None or _is_number(r[i]) for r in self.rows)
                   for i in range(len(header))]

        def line(values: Sequence[str]) -> str:
            parts = [v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)]
            return "  ".join(parts).rstrip()

        out = [line(header), line(["-" * w for w in widths])]
        out += [line(r) for r in cells]
        noun = "triple" if self.kind == "graph" else "row"
        n = len(self.rows)
        out.append(f"({n} {noun}{'' if n == 1 else 's'})")
        return "\n".join(out)

    def to_dicts(self) -> list[dict[str, Any]]:
        """Rows as dicts of Python values: IRIs as ``str``, typed literals as ``int``, ``float``,
        ``Decimal``, ``bool``, ``datetime.date`` …, other literals as ``str``, blank nodes as
        ``"_:id"``, unbound as ``None``. ASK gives ``[{"boolean": answer}]``.

        >>> QueryResult.select(["n"], [(Literal(2),)]).to_dicts()
        [{'n': 2}]
        """
        if self.kind == "ask":
            return [{"boolean": bool(self.boolean)}]
        return [{v: _python(t) for v, t in zip(self.vars, row)} for row in self.rows]

    def to_dataframe(self):
        """The rows as a ``pandas.DataFrame``, one column per variable, values as :meth:`to_dicts`
        gives them. pandas is imported here, only when asked for.

        Raises: ImportError naming the extra to install when pandas is missing.

        >>> QueryResult.select(["n"], [(Literal(2),)]).to_dataframe()["n"].tolist()
        [2]
        """
        try:
            import pandas as pd
        except ImportError as err:
            raise ImportError("QueryResult.to_dataframe() needs pandas: pip install 'paperkg[analysis]' "
                              "(or pandas)") from err
        columns = ["boolean"] if self.kind == "ask" else list(self.vars)
        return pd.DataFrame(self.to_dicts(), columns=columns)


def _is_number(term: Identifier | None) -> bool:
    return isinstance(term, Literal) and term.datatype in _NUMERIC_TYPES


def _curie(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and re.fullmatch(r"[\w.-]*", iri[len(ns):]):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _cell(term: Identifier | None, max_width: int) -> str:
    if term is None:
        text = ""
    elif isinstance(term, URIRef):
        text = _curie(str(term))
    elif isinstance(term, BNode):
        text = f"_:{term}"
    else:
        text = str(term)
    text = " ".join(text.split()) if any(c in text for c in "\n\r\t") else text
    if len(text) > max_width:
        text = text[: max(max_width - 1, 0)] + "…"
    return text


def _python(term: Identifier | None) -> Any:
    if term is None:
        return None
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        if term.language or term.datatype is None:
            return str(term)
        value = term.toPython()
        return str(term) if isinstance(value, Literal) else value
    return str(term)


# ---------------------------------------------------------------------------------------------------
# Bindings


def to_term(value: Any) -> Identifier:
    """The RDF term a Python value is bound as.

    ``str`` → plain literal (even if it looks like an IRI: pass ``rdflib.URIRef`` for an IRI);
    ``bool`` / ``int`` / ``float`` / ``Decimal`` / ``date`` / ``datetime`` → typed literal;
    rdflib ``URIRef`` / ``Literal`` / ``BNode`` → as is.

    Raises: QueryError for any other type.

    >>> to_term("https://example.org/x")
    rdflib.term.Literal('https://example.org/x')
    >>> to_term(3).datatype == XSD.integer, to_term(True).datatype == XSD.boolean
    (True, True)
    """
    if isinstance(value, (URIRef, Literal, BNode)):
        return value
    if isinstance(value, (str, bool, int, float, Decimal, _dt.date, _dt.datetime, _dt.time)):
        return Literal(value)
    raise QueryError(f"cannot bind a {type(value).__name__} ({value!r:.60}); bind a str, int, float, bool, "
                     "Decimal, date, or an rdflib URIRef / Literal")


def binding_terms(bindings: Mapping[str, Any] | None) -> dict[str, Identifier]:
    """Variable name (without ``?``) → RDF term, checking names and converting values with :func:`to_term`.

    Raises: QueryError for a name that is not a SPARQL variable name or a value that cannot be bound.

    >>> binding_terms({"?n": 1})
    {'n': rdflib.term.Literal('1', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))}
    """
    terms: dict[str, Identifier] = {}
    for name, value in (bindings or {}).items():
        var = str(name).lstrip("?$")
        if not _VARNAME.fullmatch(var):
            raise QueryError(f"bad binding name {name!r}: use a SPARQL variable name such as 'dataset'")
        terms[var] = to_term(value)
    return terms


def _strip_opaque(sparql: str) -> str:
    return _OPAQUE.sub(" ", sparql)


def check_query_text(sparql: str, terms: Mapping[str, Identifier]) -> None:
    """Engine-independent checks: the limits of :mod:`kg.query_limits` (before any engine parses the query);
    bound variables occur in the query; no SERVICE (no network)."""
    from .query_limits import check_query_limits

    check_query_limits(sparql)
    code = _strip_opaque(sparql)
    if _SERVICE.search(code):
        raise QueryError("SERVICE is not allowed: paperkg queries run locally and never reach the network")
    for var in terms:
        if not re.search(rf"[?$]{re.escape(var)}(?![\w])", code):
            raise QueryError(f"cannot bind ?{var}: the query has no variable ?{var}")


# ---------------------------------------------------------------------------------------------------
# Running queries


def one_line(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_ERROR_DETAIL else text[: MAX_ERROR_DETAIL - 1] + "…"


class UpdateRefusedError(QueryError):
    """A SPARQL UPDATE was given where only queries are run (the SPARQL endpoint answers it with 403)."""


def _is_update(sparql: str) -> bool:
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parsed = parseUpdate(sparql)
    except ParseException:
        return False
    return bool(getattr(parsed, "request", None))


def syntax_error(sparql: str, line: int | None, column: int | None, detail: str) -> QueryError:
    """The :class:`QueryError` for a query an engine could not parse (used by both engines).

    An UPDATE gets its own message: :func:`run_query` only reads.
    """
    if _is_update(sparql):
        return UpdateRefusedError("this is a SPARQL UPDATE; queries are read-only (SELECT, ASK, CONSTRUCT, "
                                  "DESCRIBE)")
    if "Prefix not found" in detail or "Unknown namespace prefix" in detail:
        detail = f"unknown prefix (the ones known without a PREFIX line: {', '.join(PREFIXES)})"
    where = f" at line {line}, column {column}" if line is not None else ""
    return QueryError(f"malformed SPARQL query{where}: {one_line(detail)}")


def unbindable(var: str) -> QueryError:
    """The :class:`QueryError` for binding a variable a SELECT does not project (both engines)."""
    return QueryError(f"cannot bind ?{var}: it is not in the SELECT clause; add ?{var} to the SELECT "
                      "(the store engine binds only projected variables)")



__all__ = ["QueryResult", "to_term", "binding_terms", "check_query_text", "syntax_error", "unbindable",
           "one_line", "UpdateRefusedError", "MAX_CELL_WIDTH", "MAX_ERROR_DETAIL", "TRIPLE_VARS", "Kind"]
