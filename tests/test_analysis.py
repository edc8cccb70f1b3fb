"""kg.analysis on the three-paper fixture (tests/data/small.ttl) and on a hand-made four-paper graph
whose answers are worked out by hand below."""
from __future__ import annotations

import networkx as nx
import pytest

import kg
from kg import analysis as A
from kg.errors import QueryError

ENT = "https://w3id.org/paperkg/entity/"


@pytest.fixture(scope="session")
def small_nx():
    return kg.load("tests/data/small.ttl").to_networkx()


@pytest.fixture(scope="session")
def hand():
    """P1: M1 (used), M2 (proposed), D1; P2: M1, M2, D1; P3: M3, D2; P4: M3, D2, M1."""
    g = nx.MultiDiGraph()
    for p in ("P1", "P2", "P3", "P4"):
        g.add_node(p, type="Paper", label=p)
    for e, t in (("M1", "Method"), ("M2", "Method"), ("M3", "Method"), ("D1", "Dataset"), ("D2", "Dataset")):
        g.add_node(e, type=t, label=e)
    g.add_node("code", type="Code", label="https://github.com/x/y")
    for p, e, rel in [("P1", "M1", "usesMethod"), ("P1", "M2", "proposes"), ("P1", "D1", "evaluatesOn"),
                      ("P2", "M1", "usesMethod"), ("P2", "M2", "usesMethod"), ("P2", "D1", "usesDataset"),
                      ("P3", "M3", "usesMethod"), ("P3", "D2", "trainsOn"), ("P3", "code", "hasCode"),
                      ("P4", "M3", "usesMethod"), ("P4", "D2", "evaluatesOn"), ("P4", "M1", "comparesWith")]:
        g.add_edge(p, e, key=rel, relation=rel, confidence=0.9, mentions=1)
    return g


def labels(rows):
    return [(r.label, r.value) for r in rows]


def edges(g):
    return sorted((*sorted((g.nodes[a]["label"], g.nodes[b]["label"])), d["weight"]) for a, b, d in g.edges(data=True))


# -- rankings ---------------------------------------------------------------------------------------

def test_most_used_counts_papers_that_use_not_propose(hand):
    assert labels(A.most_used(hand)) == [("M1", 3), ("D1", 2), ("D2", 2), ("M3", 2), ("M2", 1)]
    assert labels(A.most_used(hand, type="Dataset", n=1)) == [("D1", 2)]


def test_most_used_on_small_fixture(small_nx):
    rows = A.most_used(small_nx, n=None)
    assert labels(rows[:2]) == [("ImageNet", 2), ("top-1 accuracy", 2)]
    assert len(rows) == 22 and {r.value for r in rows[2:]} == {1}  # 24 entities, 2 only proposed
    assert rows[0] == A.Ranked(ENT + "dataset/imagenet", "ImageNet", "Dataset", 2)
    assert labels(A.most_used(small_nx, type="Task")) == [("human pose estimation", 1), ("image classification", 1),
                                                          ("object detection", 1), ("semantic segmentation", 1)]


def test_most_used_rejects_unknown_type(small_nx):
    with pytest.raises(QueryError, match="unknown entity type 'Model'"):
        A.most_used(small_nx, type="Model")


def test_most_proposed(hand, small_nx):
    assert labels(A.most_proposed(hand)) == [("M2", 1)]
    assert labels(A.most_proposed(small_nx, type="Architecture")) == [("Swin Transformer", 1)]


# -- projections ------------------------------------------------------------------------------------

def test_co_usage_method_dataset_is_weighted_by_papers(hand):
    cu = A.co_usage(hand)
    assert edges(cu) == [("D1", "M1", 2), ("D1", "M2", 2), ("D2", "M1", 1), ("D2", "M3", 2)]
    assert cu.edges["M1", "D2"]["papers"] == ["P4"]
    assert dict(cu.nodes(data="papers")) == {"M1": 3, "M2": 2, "M3": 2, "D1": 2, "D2": 2}


def test_co_usage_within_one_type(hand, small_nx):
    assert edges(A.co_usage(hand, types=("Method",))) == [("M1", "M2", 2), ("M1", "M3", 1)]
    cu = A.co_usage(small_nx)
    assert cu.number_of_nodes() == 13 and cu.number_of_edges() == 15
    assert {d["weight"] for _, _, d in cu.edges(data=True)} == {1}


def test_paper_similarity(hand):
    ps = A.paper_similarity(hand)
    assert edges(ps) == [("P1", "P2", 3), ("P1", "P4", 1), ("P2", "P4", 1), ("P3", "P4", 2)]
    assert ps.edges["P3", "P4"]["shared"] == ["D2", "M3"]
    assert ps.edges["P1", "P2"]["jaccard"] == 1.0 and ps.edges["P1", "P4"]["jaccard"] == pytest.approx(1 / 5)
    assert "code" not in ps


def test_paper_similarity_on_small_fixture(small_nx):
    ps = A.paper_similarity(small_nx)
    got = sorted((*sorted((ps.nodes[x]["label"][:4], ps.nodes[y]["label"][:4])),
                  [small_nx.nodes[e]["label"] for e in d["shared"]], d["weight"]) for x, y, d in ps.edges(data=True))
    assert got == [("Mask", "PASS", ["ImageNet"], 1), ("Mask", "Swin", ["top-1 accuracy"], 1)]
    assert ps.number_of_nodes() == 3


def test_related_papers_ranks_by_shared_then_jaccard(hand, small_nx):
    assert labels(A.related_papers(hand, "P4")) == [("P3", 2), ("P1", 1), ("P2", 1)]
    assert labels(A.related_papers(hand, "P1", n=1)) == [("P2", 3)]
    rows = A.related_papers(small_nx, "masked autoencoders enable efficient knowledge distillers")
    assert [r.label[:4] for r in rows] == ["PASS", "Swin"]  # same overlap, PASS has fewer entities


def test_related_papers_unknown_paper(small_nx):
    with pytest.raises(QueryError, match="no node of type Paper named 'Attention'"):
        A.related_papers(small_nx, "Attention")


def test_combined_with(hand, small_nx):
    assert labels(A.combined_with(hand, "M1")) == [("D1", 2), ("M2", 2), ("D2", 1), ("M3", 1)]
    assert labels(A.combined_with(hand, "M1", type="Method")) == [("M2", 2), ("M3", 1)]
    assert labels(A.combined_with(small_nx, "top-1 accuracy", type="Dataset")) == [
        ("ADE20K", 1), ("COCO", 1), ("ImageNet", 1), ("ImageNet-1K", 1)]


def test_find_node_refuses_ambiguous_and_non_entities(hand):
    g = hand.copy()
    g.add_node("x1", type="Method", label="Foo")
    g.add_node("x2", type="Task", label="foo")
    assert A.find_node(g, "Foo") == "x1"  # an exact label wins over a case-insensitive one
    with pytest.raises(QueryError, match="names 2 nodes \\(Method, Task\\)"):
        A.combined_with(g, "FOO")
    assert A.find_node(g, "FOO", type="Task") == "x2"
    with pytest.raises(QueryError, match="is a Paper, not an entity"):
        A.combined_with(g, "P1")


# -- centrality and communities ---------------------------------------------------------------------

def test_degree_centrality(hand):
    rows = A.centrality(hand, "degree", n=5)  # 10 nodes: degree / 9
    assert labels(rows) == [("M1", 1 / 3), ("P1", 1 / 3), ("P2", 1 / 3), ("P3", 1 / 3), ("P4", 1 / 3)]
    assert labels(A.centrality(hand, "degree", type="Dataset")) == [("D1", 2 / 9), ("D2", 2 / 9)]


def test_betweenness_centrality(hand, small_nx):
    simple = nx.Graph(hand.to_undirected())
    expected = nx.betweenness_centrality(simple)
    assert {r.node: r.value for r in A.centrality(hand, "betweenness", n=None)} == pytest.approx(expected)
    assert A.centrality(hand, "betweenness", n=1)[0].label == "P4"  # the bridge between the two groups
    # ImageNet joins PASS's 8 other nodes to the other 20: 160 of the 28*27/2 pairs
    top = A.centrality(small_nx, "betweenness", n=1, type="Dataset")[0]
    assert (top.label, top.value) == ("ImageNet", pytest.approx(160 / 378))


def test_pagerank_matches_networkx_without_scipy(hand, small_nx):
    from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

    for g in (hand, small_nx):
        simple = nx.Graph(g.to_undirected())
        ours = {r.node: r.value for r in A.centrality(g, "pagerank", n=None)}
        assert ours == pytest.approx(_pagerank_python(simple, tol=1e-13, max_iter=1000), abs=1e-8)
        assert sum(ours.values()) == pytest.approx(1.0)


def test_pagerank_weighted_and_isolated_nodes():
    g = nx.Graph()
    g.add_edge("a", "b", weight=3)
    g.add_edge("a", "c", weight=1)
    g.add_node("d")
    pr = A.pagerank(g)
    assert pr["b"] > pr["c"] and sum(pr.values()) == pytest.approx(1.0)
    assert A.pagerank(nx.Graph()) == {}


def test_unknown_centrality(hand):
    with pytest.raises(QueryError, match="unknown centrality 'closeness'"):
        A.centrality(hand, "closeness")


def test_communities_are_fixed_by_the_seed(hand, small_nx):
    assert A.communities(hand) == [{"P1", "P2", "M1", "M2", "D1"}, {"P3", "P4", "M3", "D2", "code"}]
    parts = A.communities(small_nx)
    assert parts == A.communities(small_nx)
    named = [sorted(small_nx.nodes[n]["label"] for n in c if small_nx.nodes[n]["type"] != "Code") for c in parts]
    assert [len(c) for c in parts] == [13, 8, 8]
    assert "COCO" in named[0] and "DINO" in named[1] and "ViT-B" in named[2]


def test_communities_of_a_projection(hand):
    assert A.communities(A.paper_similarity(hand)) == [{"P1", "P2"}, {"P3", "P4"}]
