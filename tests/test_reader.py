"""The one reader (kg/reader.py): node, link and evidence tables, and the views built on it agreeing."""
from __future__ import annotations

from pathlib import Path

import pytest

import kg
from kg.export import to_networkx
from kg.reader import RELATIONS, read_abstracts, read_evidence, read_tables, specific
from kg.view import explorer_data

SOURCES = "tests/data/sources"
DAY = sorted(Path(kg.__file__).parent.joinpath("data", "daily-papers").glob("*.txt"))[0]


@pytest.fixture(scope="module")
def built():
    """A graph built by the pipeline from real abstracts: a day of the bundled corpus and an arXiv snapshot."""
    g = kg.build([DAY, f"{SOURCES}/arxiv-snapshot.json"], n_process=1)
    yield g
    g.close()


@pytest.fixture(scope="module", params=["built", "fixture"])
def store(request, built):
    return built.store if request.param == "built" else kg.load("tests/data/small.ttl").store


def _explorer_pairs(data: dict) -> dict[tuple[str, str], set[str]]:
    return {(e["source"], e["target"]): set(e["relations"]) for e in data["edges"]}


def test_the_explorer_and_networkx_see_the_same_nodes_edges_and_types(store):
    data = explorer_data(store, budget=10**6)
    assert data["omitted"] == {"nodes": {}, "edges": 0}
    g = to_networkx(store)
    linked = {n for e in g.edges for n in e[:2]} | {n for n, d in g.nodes(data=True) if d["type"] == "Paper"}
    assert {(n["id"], n["type"]) for n in data["nodes"]} == {(n, g.nodes[n]["type"]) for n in linked}
    nx_pairs: dict[tuple[str, str], set[str]] = {}
    for u, v, rel in g.edges(keys=True):
        nx_pairs.setdefault((u, v), set()).add(rel)
    assert _explorer_pairs(data) == nx_pairs
    assert len(nx_pairs) > 20


def test_each_link_is_asserted_and_named_by_its_most_specific_relation(store):
    t = read_tables(store)
    by_pair: dict[tuple[str, str], set[str]] = {}
    for link in t.links:
        assert store.query(f"ASK {{ <{link.paper}> kgo:{link.relation} <{link.target}> }}").boolean
        by_pair.setdefault((link.paper, link.target), set()).add(link.relation)
    assert all(specific(rels) == sorted(rels, key=RELATIONS.index) for rels in by_pair.values())
    assert not any({"usesDataset", "evaluatesOn"} <= rels or {"uses", "usesMethod"} <= rels
                   for rels in by_pair.values())


def test_a_links_confidence_and_mentions_are_its_evidence(built):
    store = built.store
    t = read_tables(store)
    evidence = read_evidence(store, {(link.paper, link.target) for link in t.links})
    checked = 0
    for link in t.links:
        records = [ev for ev in evidence.get((link.paper, link.target), []) if ev.relation == link.relation]
        assert link.mentions == len(records)
        if records:
            assert link.confidence == pytest.approx(max(ev.confidence for ev in records))
            assert all(ev.mention and ev.mention.casefold() in ev.sentence.casefold() for ev in records)
            checked += 1
    assert checked > 20


def test_abstracts_are_the_papers_own_text(built):
    store = built.store
    papers = [n for n in read_tables(store).nodes.values() if n.type == "Paper"]
    abstracts = read_abstracts(store, [p.id for p in papers])
    assert set(abstracts) == {p.id for p in papers}
    texts = {r.title: r.abstract for r in kg.sources.read_sources([DAY, f"{SOURCES}/arxiv-snapshot.json"])}
    assert all(abstracts[p.id] == texts[p.label] for p in papers)


def test_without_support_links_carry_no_confidence(store):
    with_support, without = read_tables(store), read_tables(store, support=False)
    assert [link[:3] for link in with_support.links] == [link[:3] for link in without.links]
    assert {(link.confidence, link.mentions) for link in without.links} == {(None, 0)}
    assert any(link.confidence is not None for link in with_support.links)
