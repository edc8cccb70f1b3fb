"""One serialisation path (issue 13 item 5): `kg query --format` and `kg export` write what Oxigraph's
serialisers write; the hand-written JSON/CSV writers are gone. (The same bytes from `kg query` and `/sparql`:
tests/test_endpoint_clients.py.)"""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from typer.testing import CliRunner

import kg.export
from kg.cli import app
from kg.results import QueryResult

SMALL = Path(__file__).parent / "data" / "small.ttl"


def kg_cli(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.mark.parametrize("name, rdflib_format", [("g.jsonld", "json-ld"), ("g.rdf", "xml"), ("g.xml", "xml")])
def test_export_of_json_ld_and_rdf_xml_goes_through_oxigraph(tmp_path, monkeypatch, name, rdflib_format):
    def no_rdflib(*args, **kwargs):
        raise AssertionError("rdflib's serialiser was used")

    monkeypatch.setattr(kg.export, "write_rdf", no_rdflib)
    for file in (name, "g.ttl"):
        result = kg_cli("export", tmp_path / file, "--graph", SMALL)
        assert result.exit_code == 0, result.output
    # the store keeps values canonical ("0.9" for "0.900"), so compare with its Turtle dump
    expected = Graph().parse(tmp_path / "g.ttl")
    assert len(expected) == len(Graph().parse(SMALL))
    assert isomorphic(Graph().parse(tmp_path / name, format=rdflib_format), expected)


@pytest.mark.parametrize("fmt, query, fits", [
    ("turtle", "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", "json, xml, csv, tsv"),
    ("csv", "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "json, xml, turtle, ntriples, jsonld, rdfxml")])
def test_a_format_that_does_not_fit_the_answer_is_one_line(fmt, query, fits):
    result = kg_cli("query", "--graph", SMALL, "--format", fmt, query)
    assert result.exit_code != 0 and result.stdout == ""
    assert result.stderr.strip().endswith(f"cannot be written as {fmt}; use table or one of {fits}")
    assert len(result.stderr.strip().splitlines()) == 1


def test_kg_query_binds_parameters_in_every_format():
    result = kg_cli("query", "--graph", SMALL, "--name", "papers-using-dataset", "--param", "dataset=coco",
                    "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.split(b"\r\n")[0] == b"paper,title,entity,dataset"
    assert len(result.stdout_bytes.strip().split(b"\r\n")) == 2


def test_query_results_have_no_writers_of_their_own():
    assert not any(hasattr(QueryResult, name) for name in ("to_json", "to_csv", "render"))
