"""kg.query_limits: the scan that keeps queries Oxigraph would crash on away from every engine.

The crashing inputs are only ever given to the scan (and to run_query / Store.query, which scan first): none
of them reaches an engine in this process. Inputs just under the limits are run, to show the limits leave
real queries alone.
"""
from __future__ import annotations

import pytest
from rdflib import Graph

from kg.query import list_named_queries, run_query
from kg.query_limits import (MAX_NESTING, MAX_OPERATORS, MAX_QUERY_CHARS, QueryLimitError, check_query_limits,
                             query_shape)
from kg.store import Store

#: Each of these segfaulted pyoxigraph 0.5.13 in a probe (exit 139), in a few KB.
CRASHERS = {
    "5,000 nested parentheses": "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
    "5,000 nested groups": "SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000,
    "5,000 nested OPTIONAL": "ASK { " + "OPTIONAL { ?s ?p ?o " * 5000 + "}" * 5000 + " }",
    "5,000 nested blank nodes": "ASK { ?s <http://p> " + "[ <http://p> " * 5000 + "1" + " ]" * 5000 + " }",
    "10,000 +": "ASK { FILTER(" + "1+" * 10000 + "1 > 0) }",
    "10,000 &&": "ASK { FILTER(" + "1&&" * 10000 + "true) }",
    "3,000 MINUS": "ASK {" + "MINUS{}" * 3000 + "}",
    "10,000 UNION": "ASK {" + "{}UNION" * 10000 + "{} }",
    "20,000 !": "ASK { FILTER(" + "!" * 20000 + "true) }",
    "10,000 path steps": "ASK { ?s " + "<a:>/" * 10000 + "<a:> ?o }",
}


@pytest.mark.parametrize("name", list(CRASHERS))
def test_every_crashing_shape_is_refused_by_the_scan(name):
    with pytest.raises(QueryLimitError, match="the limit"):
        check_query_limits(CRASHERS[name])


@pytest.mark.parametrize("name", ["5,000 nested parentheses", "3,000 MINUS", "20,000 !"])
def test_the_library_and_the_store_scan_before_their_engines(name):
    with pytest.raises(QueryLimitError):
        run_query(Graph(), CRASHERS[name])
    store = Store.in_memory(None)
    with pytest.raises(QueryLimitError):
        store.query(CRASHERS[name])
    with pytest.raises(QueryLimitError):
        store.query_serialized(CRASHERS[name])


def test_a_too_long_query_is_refused_before_it_is_scanned():
    with pytest.raises(QueryLimitError, match=f"the limit is {MAX_QUERY_CHARS:,}"):
        check_query_limits("ASK {} #" + "x" * MAX_QUERY_CHARS)


def test_brackets_and_operators_in_strings_iris_and_comments_do_not_count():
    q = ('SELECT ?t WHERE { ?p <https://ex.org/a(b)[c]> ?t # ((((((( + + + .\n'
         'FILTER(?t != "((((( ))) + - * / && || ." && ?t != \'[[[[\' && ?t != """{{{{ \n }}}}""") }')
    assert query_shape(q) == (2, 7)  # SELECT, FILTER, 3 != and 2 &&
    assert query_shape("SELECT ?x WHERE { ?x kgo:name-with.dots-and:colons 1.5e-3 ; a kgo:Paper }") == (1, 2)


def test_every_named_query_is_well_inside_the_limits():
    for q in list_named_queries():
        depth, operators = query_shape(q.text)
        assert depth <= MAX_NESTING // 4 and operators <= MAX_OPERATORS // 20, q.name


def test_queries_at_the_limits_run():
    store = Store.in_memory_from_file("tests/data/small.ttl")
    nested = "ASK { FILTER(" + "(" * (MAX_NESTING - 3) + "1" + ")" * (MAX_NESTING - 3) + " = 1) }"
    assert query_shape(nested)[0] == MAX_NESTING - 1
    assert store.query(nested).boolean is True
    chain = "ASK { FILTER(" + "1+" * (MAX_OPERATORS - 2) + "1 > 0) }"  # and FILTER, >
    assert query_shape(chain)[1] == MAX_OPERATORS
    assert store.query(chain).boolean is True
    values = "SELECT (COUNT(*) AS ?n) WHERE { VALUES ?x { " + " ".join(f'"{i}"' for i in range(5000)) + " } }"
    assert int(store.query(values).rows[0][0]) == 5000
