"""The explorer's whole-graph index, overview and live focus (kg/view/index.py, overview.py, focus.py), on a
graph built by the pipeline from real abstracts (a day of the bundled corpus and an arXiv snapshot)."""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from pathlib import Path

import pytest

import kg
from kg.errors import ViewError
from kg.export import to_networkx
from kg.reader import RELATIONS, iter_links, read_nodes
from kg.view import explorer_data
from kg.view.focus import neighbourhood_data
from kg.view.index import decode_index, encode_index, read_index
from kg.view.overview import overview_data
from kg.view.page import _FIT_WINDOW, _LABEL_MIN_SCREEN_PX, _overview_look, render_html

DAY = sorted(Path(kg.__file__).parent.joinpath("data", "daily-papers").glob("*.txt"))[0]


@pytest.fixture(scope="module")
def built():
    g = kg.build([DAY, "tests/data/sources/arxiv-snapshot.json"], n_process=1)
    yield g
    g.close()


@pytest.fixture(scope="module")
def index(built):
    return read_index(built.store)


def test_index_holds_every_paper_entity_and_alias(built, index):
    nodes = read_nodes(built.store)
    assert index["mode"] == "embedded" and index["v"] == 1
    ids = index["ids"]
    assert len(ids) == len(set(ids)) == len(index["type"]) == len(index["label"]) == len(index["degree"])
    for n in nodes.values():
        k = ids.index(n.id)
        assert index["types"][index["type"][k]] == n.type and index["label"][k] == n.label
    aliases = {(ids[k], a) for k, a in index["aliases"]}
    assert aliases == {(n.id, a) for n in nodes.values() for a in n.aliases}
    assert aliases, "the pipeline finds abbreviations in real abstracts"
    assert index["papers"] == sum(1 for n in nodes.values() if n.type == "Paper")


def test_embedded_links_are_the_readers_links_and_degrees_count_them(built, index):
    ids, rel = index["ids"], index["relations"]
    flat = index["links"]
    embedded = {(ids[flat[k]], ids[flat[k + 1]], rel[flat[k + 2]]) for k in range(0, len(flat), 3)}
    nodes = read_nodes(built.store)
    assert embedded == {(l.paper, l.target, l.relation) for l in iter_links(built.store, nodes, support=False)}
    papers_of = defaultdict(set)
    for p, o, _ in embedded:
        papers_of[o].add(p)
        papers_of[p].add(o)
    assert all(index["degree"][ids.index(i)] == len(s) for i, s in papers_of.items())
    g = to_networkx(built.store)  # the one reader: networkx (one edge per relation) sees the same neighbours
    assert all(index["degree"][ids.index(i)] == len(set(g.predecessors(i)) | set(g.successors(i)))
               for i in papers_of if i in g)
    abstracts = dict(index["abstract"])
    assert len(abstracts) == index["papers"] and all(abstracts.values())


def test_a_live_index_has_no_links_and_counts_papers_by_aggregate(built, index):
    live = read_index(built.store, embed=False)
    assert live["mode"] == "live" and "links" not in live and "abstract" not in live
    assert live["ids"] == index["ids"][:len(live["ids"])]
    entity_types = {live["types"].index(t) for t in ("Method", "Architecture", "Dataset", "Task", "Metric")}
    for k, t in enumerate(live["type"]):
        if t in entity_types:
            assert live["degree"][k] == index["degree"][k]


def test_encoding_round_trips_and_is_deterministic(built, index):
    text = encode_index(index)
    assert decode_index(text) == index
    assert encode_index(read_index(built.store)) == text
    assert "<" not in text and len(text) < len(str(index))


def test_overview_shows_the_most_linked_entities_in_communities(built, index):
    data = overview_data(built.store, index, size=40)
    assert data["kind"] == "overview" and len(data["nodes"]) == 40
    g = to_networkx(built.store)
    papers = Counter({n: len(set(g.predecessors(n))) for n in g if g.nodes[n]["type"] not in ("Paper", "Code")})
    cutoff = sorted(papers.values(), reverse=True)[39]
    shown = {n["id"] for n in data["nodes"]}
    assert {n for n, d in papers.items() if d > cutoff} <= shown
    assert all(papers[i] >= cutoff for i in shown)
    # each drawn link: two entities used together by that many papers
    for e in data["edges"]:
        both = set(g.predecessors(e["source"])) & set(g.predecessors(e["target"]))
        assert e["papers"] == len(both) > 0
    communities = {n["community"] for n in data["nodes"]}
    assert communities == {c["id"] for c in data["communities"]}
    assert sum(c["size"] for c in data["communities"]) == 40
    assert data["hidden"] == {"papers": index["papers"], "entities": index["entities"] - 40}


def test_overview_by_sample_when_too_big_to_embed(built):
    live = read_index(built.store, embed=False)
    data = overview_data(built.store, live, size=40)
    full = overview_data(built.store, read_index(built.store), size=40)
    assert [n["id"] for n in data["nodes"]] == [n["id"] for n in full["nodes"]]
    assert data["sample"] == live["papers"]  # fewer papers than the sample size: all of them
    assert {(e["source"], e["target"], e["papers"]) for e in data["edges"]} == \
        {(e["source"], e["target"], e["papers"]) for e in full["edges"]}


def test_overview_labels_do_not_overlap_at_the_fitted_zoom():
    # a crowded layout: 60 long labels on a small grid
    nodes = [{"id": f"n{i}", "label": f"a rather long entity name {i}", "degree": 100 - i} for i in range(60)]
    positions = {f"n{i}": ((i % 6) * 40.0, (i // 6) * 30.0) for i in range(60)}
    look = _overview_look({"nodes": nodes}, positions, 100)
    sizes = {i: s for i, (s, _) in look.items()}
    xs = [positions[i][0] + d * s for i, s in sizes.items() for d in (-1, 1)]
    ys = [positions[i][1] + d * s for i, s in sizes.items() for d in (-1, 1)]
    scale = min(_FIT_WINDOW[0] / (max(xs) - min(xs)), _FIT_WINDOW[1] / (max(ys) - min(ys)))
    drawn = [i for i, (_, f) in look.items() if f * scale >= _LABEL_MIN_SCREEN_PX]
    assert "n0" in drawn and 1 < len(drawn) < 60  # the most linked keeps its label; crowded ones wait for a zoom
    boxes = []
    for i in drawn:
        size, font = look[i]
        x, y = positions[i]
        w = len(nodes[int(i[1:])]["label"]) * 0.47 * font  # vis-network's sans-serif: 0.47 em a character
        boxes.append((x - w / 2, y + size, x + w / 2, y + size + font))
    for a in range(len(boxes)):
        for b in range(a + 1, len(boxes)):
            p, q = boxes[a], boxes[b]
            assert not (p[0] < q[2] and q[0] < p[2] and p[1] < q[3] and q[1] < p[3]), (drawn[a], drawn[b])


def test_the_page_embeds_the_index_and_stays_inert(built, index):
    page = render_html(overview_data(built.store, index), index=index)
    assert 'id="kg-index" data-encoding="gzip+base64" data-mode="embedded"' in page
    assert "connect-src 'none'" in page
    live = render_html(overview_data(built.store, index), index=read_index(built.store, embed=False))
    assert "connect-src 'self'" in live


def test_neighbourhood_of_a_paper_is_its_focus_view(built):
    store = built.store
    paper = next(n for n in read_nodes(store).values() if n.type == "Paper")
    live = neighbourhood_data(store, paper.id)
    static = explorer_data(store, focus=paper.id, hops=1, budget=10**6)
    assert {n["id"] for n in live["nodes"]} == {n["id"] for n in static["nodes"]}
    assert {(e["source"], e["target"], tuple(e["relations"])) for e in live["edges"]} == \
        {(e["source"], e["target"], tuple(e["relations"])) for e in static["edges"]}
    for a, b in zip(sorted(live["edges"], key=lambda e: e["target"]), sorted(static["edges"], key=lambda e: e["target"])):
        assert a["confidence"] == b["confidence"] and a["evidence"] == b["evidence"]
    assert next(n for n in live["nodes"] if n["id"] == paper.id)["abstract"]


def test_neighbourhood_of_an_entity_keeps_the_budget_proposers_first(built, index):
    store = built.store
    k = max((k for k, t in enumerate(index["type"]) if index["types"][t] not in ("Paper", "Code")),
            key=lambda k: index["degree"][k])
    hub = index["ids"][k]
    data = neighbourhood_data(store, hub, budget=3)
    papers = [n for n in data["nodes"] if n["type"] == "Paper"]
    assert len(papers) == 3 and data["total"]["neighbours"] is None  # more than the budget
    assert all(e["target"] == hub for e in data["edges"])
    whole = neighbourhood_data(store, hub, budget=10**4)
    assert whole["total"]["neighbours"] == index["degree"][k] == len([n for n in whole["nodes"] if n["type"] == "Paper"])
    proposers = {e["source"] for e in whole["edges"] if "proposes" in e["relations"]}
    if proposers:
        assert proposers & {p["id"] for p in papers}
    with pytest.raises(ViewError, match="not a paper, entity or code repository"):
        neighbourhood_data(store, "https://example.org/not-in-the-graph")
