"""Limits on a query's size and shape, checked by a cheap scan of its text before any engine parses it.

Oxigraph's SPARQL parser and evaluator recurse: on 2 cores with an 8 MiB stack, a query nesting 5,000
brackets kills the process with a segfault (``kg query`` exits 139, ``kg serve`` dies), and so do flat chains
that the parser turns into deep trees (10,000 ``+`` or ``&&``, 3,000 ``MINUS {}``, 20,000 ``!``); probed on
pyoxigraph 0.5.13, every form below 2,000 operators and 1,000 levels answered. The scan here is one pass of one
regular expression over at most :data:`MAX_QUERY_CHARS` characters (at most ~40 ms, on 100,000 characters of one string),
with strings, IRIs and comments skipped whole, so no engine ever sees a query over:

- :data:`MAX_QUERY_CHARS` characters;
- :data:`MAX_NESTING` levels of ``( [ {``;
- :data:`MAX_OPERATORS` operators: binary and unary operators and property-path operators, the separators
  ``.``, ``;`` and ``,`` of triple patterns and lists, and the keywords that join graph patterns (``UNION``,
  ``MINUS``, ``OPTIONAL``, ``FILTER``, ``BIND``, ``GRAPH``, ``SERVICE``, ``EXISTS``, ``SELECT``, ``VALUES``).
  The values of a ``VALUES`` block are not operators: long lists of terms go there.

The named queries (``kg/queries``) nest at most 6 levels and have at most 14 operators. What passes the scan can still run
too long or grow too big while it is evaluated: the server runs queries in worker processes it can kill
(:mod:`kg.workers`).
"""
from __future__ import annotations

import re

from .errors import QueryError

#: Longest query text, in characters. The longest named query is ~1,100 characters; 100,000 leaves room for a
#: VALUES block of ~2,000 IRIs while keeping the scan (and the engine's parse) short.
MAX_QUERY_CHARS = 100_000

#: Deepest nesting of ``( [ {``. Named queries nest at most 6 levels; Oxigraph crashed at 5,000 (answered at
#: 2,000); 64 keeps a wide margin on both sides.
MAX_NESTING = 64

#: Most operators (see the module docstring). Named queries have at most 14; flat chains crashed Oxigraph from
#: 3,000 (``MINUS {}``) and answered at 2,000 in every form probed; 1,000 keeps a margin of 2.
MAX_OPERATORS = 1_000

_TOKEN = re.compile(
    r'(?P<skip>"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''  # strings
    r"|<[^<>\"{}|^`\\\s]*>|#[^\n]*"                        # IRIs, comments
    r"|[?$][^\W]\w*|_:[\w.-]*\w|@[A-Za-z]+(?:-[A-Za-z0-9]+)*"  # variables, blank nodes, language tags
    r"|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"                # numbers
    r"|\^\^|\s+)"                                           # datatype marker, space
    r"|(?P<word>[^\W\d][\w.\-:%\\]*[\w\-:%\\]|[^\W\d]|:[\w.\-:%\\]*[\w\-:%\\]|:)"  # names, prefixed names
    r"|(?P<open>[(\[{])|(?P<close>[)\]}])"
    r"|(?P<op>&&|\|\||!=|<=|>=|[!^+\-*/|=<>.;,?])"
    r"|(?P<other>.)",
)

#: Keywords that join or wrap graph patterns, counted as operators.
_KEYWORDS = frozenset(("UNION", "MINUS", "OPTIONAL", "FILTER", "BIND", "GRAPH", "SERVICE", "EXISTS", "SELECT",
                       "VALUES"))


class QueryLimitError(QueryError):
    """A query over one of the limits of :mod:`kg.query_limits`; it was not given to any engine."""


def query_shape(sparql: str, stop_after: tuple[int, int] | None = None) -> tuple[int, int]:
    """(deepest nesting of brackets, number of operators) of a query's text, strings, IRIs and comments skipped.

    ``stop_after``: (nesting, operators); the scan stops as soon as either is passed.

    >>> query_shape('SELECT ?t WHERE { ?p dcterms:title ?t FILTER(CONTAINS(?t, "(((")) }')
    (3, 3)
    """
    depth = deepest = operators = 0
    most_nesting, most_operators = stop_after or (float("inf"), float("inf"))
    for m in _TOKEN.finditer(sparql):
        kind = m.lastgroup
        if kind == "open":
            depth += 1
            deepest = max(deepest, depth)
        elif kind == "close":
            depth = max(depth - 1, 0)
        elif kind == "op":
            operators += 1
        elif kind == "word" and m.group().upper() in _KEYWORDS:
            operators += 1
        if deepest > most_nesting or operators > most_operators:
            break
    return deepest, operators


def check_query_limits(sparql: str) -> None:
    """Refuse a query over :data:`MAX_QUERY_CHARS`, :data:`MAX_NESTING` or :data:`MAX_OPERATORS`.

    Raises: QueryLimitError saying which limit and by how much.

    >>> check_query_limits("ASK { " + "(" * 5000 + "1" + ")" * 5000 + " }")
    Traceback (most recent call last):
    ...
    kg.query_limits.QueryLimitError: the query nests more than 64 levels of brackets, the limit
    """
    if len(sparql) > MAX_QUERY_CHARS:
        raise QueryLimitError(f"the query is {len(sparql):,} characters long; the limit is {MAX_QUERY_CHARS:,} "
                              "(put long lists of values in a VALUES block, or split the query)")
    deepest, operators = query_shape(sparql, (MAX_NESTING, MAX_OPERATORS))
    if deepest > MAX_NESTING:
        raise QueryLimitError(f"the query nests more than {MAX_NESTING} levels of brackets, the limit")
    if operators > MAX_OPERATORS:
        raise QueryLimitError(f"the query has more than {MAX_OPERATORS:,} operators (joins, unions, filters, separators, "
                              "path and expression operators), the limit (put long lists of values in a VALUES "
                              "block)")


__all__ = ["check_query_limits", "query_shape", "QueryLimitError", "MAX_QUERY_CHARS", "MAX_NESTING",
           "MAX_OPERATORS"]
