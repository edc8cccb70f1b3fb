"""kg.export's CSV pair (Gephi's spreadsheet import): the rows on the fixture, quoting, the CLI, both-or-neither."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS
from typer.testing import CliRunner

from kg.cli import app
from kg.export import CSV_EDGE_COLUMNS, CSV_NODE_COLUMNS, csv_paths, to_networkx, write_csv
from kg.vocab import KGO

SMALL_TTL = Path(__file__).parent / "data" / "small.ttl"
PAPER = "https://w3id.org/paperkg/paper/"
ENTITY = "https://w3id.org/paperkg/entity/"


def read(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def test_the_csv_pair_of_the_fixture_graph(small_graph, tmp_path):
    nodes_path, edges_path = write_csv(small_graph, tmp_path / "graph.csv")
    assert (nodes_path.name, edges_path.name) == ("graph.nodes.csv", "graph.edges.csv")
    nodes, edges = read(nodes_path), read(edges_path)
    assert nodes[0] == list(CSV_NODE_COLUMNS) == ["Id", "Label", "Type"]
    assert edges[0] == list(CSV_EDGE_COLUMNS) == ["Source", "Target", "Type", "Label", "Weight", "Confidence",
                                                  "Mentions"]
    assert len(nodes) - 1 == 29 and len(edges) - 1 == 28
    assert nodes[1] == ["https://github.com/UCSC-VLAA/DMAE", "https://github.com/UCSC-VLAA/DMAE", "Code"]
    assert [PAPER + "476c3ec3a7e11bfb", "Masked Autoencoders Enable Efficient Knowledge Distillers", "Paper"] in nodes
    assert [ENTITY + "dataset/imagenet", "ImageNet", "Dataset"] in nodes
    assert edges[1] == [PAPER + "343c538f04e1887f", ENTITY + "task/imageclassification", "Directed", "addressesTask",
                        "1", "0.9", "1"]
    assert [PAPER + "9740d01c6cd40b6e", ENTITY + "dataset/imagenet", "Directed", "usesDataset", "2", "0.9", "2"] in edges
    assert [PAPER + "9740d01c6cd40b6e", ENTITY + "method/dino", "Directed", "usesMethod", "1", "0.7", "1"] in edges
    assert [PAPER + "476c3ec3a7e11bfb", "https://github.com/UCSC-VLAA/DMAE", "Directed", "hasCode", "1", "1.0",
            "1"] in edges
    # the same nodes and edges as the networkx view, so as the GraphML export
    g = to_networkx(small_graph)
    assert {tuple(r) for r in nodes[1:]} == {(n, d["label"], d["type"]) for n, d in g.nodes(data=True)}
    assert {(s, t, rel) for s, t, _, rel, *_ in edges[1:]} == set(g.edges(keys=True))
    assert {r[0] for r in edges[1:]} | {r[1] for r in edges[1:]} <= {r[0] for r in nodes[1:]}
    assert nodes_path.read_bytes().startswith(b"Id,Label,Type\r\n")  # RFC 4180 line ends, no byte order mark


def test_a_hostile_title_round_trips_through_the_csv_module(tmp_path):
    title = 'Commas, "quotes" and a\nnew line: ÉtudeΣ, 100% ; \'x\''
    g = Graph()
    paper = URIRef(PAPER + "hostile")
    g.add((paper, RDF.type, KGO.Paper))
    g.add((paper, DCTERMS.title, Literal(title)))
    nodes_path, edges_path = write_csv(g, tmp_path / "h.csv")
    assert read(nodes_path) == [["Id", "Label", "Type"], [str(paper), title, "Paper"]]
    assert read(edges_path) == [list(CSV_EDGE_COLUMNS)]
    assert '"Commas, ""quotes"" and a\nnew line' in nodes_path.read_text(encoding="utf-8")


def test_kg_export_writes_both_files(tmp_path):
    result = CliRunner().invoke(app, ["export", str(tmp_path / "out" / "graph.csv"), "--graph", str(SMALL_TTL)])
    assert result.exit_code == 0, result.output
    nodes_path, edges_path = csv_paths(tmp_path / "out" / "graph.csv")
    assert result.stdout.strip() == f"wrote {nodes_path} and {edges_path}"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["graph.edges.csv", "graph.nodes.csv"]
    assert len(read(nodes_path)) == 30 and len(read(edges_path)) == 29


def test_a_failing_second_write_leaves_no_new_file(small_graph, tmp_path):
    nodes_path, edges_path = csv_paths(tmp_path / "graph.csv")
    edges_path.mkdir()  # the edges file cannot be put in place
    with pytest.raises(OSError):
        write_csv(small_graph, tmp_path / "graph.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.edges.csv"]  # the directory; no nodes, no temp
    assert edges_path.is_dir() and not any(edges_path.iterdir())


def test_a_failing_write_leaves_the_previous_files_as_they_were(small_graph, tmp_path, monkeypatch):
    nodes_path, edges_path = write_csv(small_graph, tmp_path / "graph.csv")
    before = nodes_path.read_bytes(), edges_path.read_bytes()
    import kg.export

    calls = []

    def failing(header, rows):  # the edges file's contents fail, once the nodes file is open
        calls.append(header)
        if header == CSV_EDGE_COLUMNS:
            raise OSError("disk full")
        return b"Id,Label,Type\r\nnew,new,new\r\n"

    monkeypatch.setattr(kg.export, "_csv_bytes", failing)
    with pytest.raises(OSError, match="disk full"):
        write_csv(small_graph, tmp_path / "graph.csv")
    assert calls == [CSV_NODE_COLUMNS, CSV_EDGE_COLUMNS]
    assert (nodes_path.read_bytes(), edges_path.read_bytes()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.edges.csv", "graph.nodes.csv"]
