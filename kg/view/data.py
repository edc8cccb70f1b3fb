"""What the explorer shows: the graph's nodes and paper -> entity edges (read through :mod:`kg.reader`, the
one reader), around a focus and within a node budget, with the evidence of each shown edge.

The skeleton of the graph (every node's id, type and label, every paper -> entity link: a few hundred bytes a
paper, where the graph holds ~20 KB) is read to choose what to show, then abstracts and evidence for the
chosen nodes and links only.
"""
from __future__ import annotations

import logging
import math
import re
from collections import Counter, defaultdict, deque
from difflib import get_close_matches
from typing import TYPE_CHECKING

from ..errors import ViewError
from ..reader import (NODE_TYPES, RELATIONS, SUB_PROPERTIES, Evidence, Node, as_store, iter_links, read_abstracts,
                      read_evidence, read_nodes)
from ..vocab import ENTITY_TYPES, USES_PROPERTY

if TYPE_CHECKING:
    from rdflib import Graph

    from ..store import Store

log = logging.getLogger(__name__)

log = logging.getLogger(__name__)

#: Most nodes one page shows. Measured with benchmarks/explorer_budget.py (synthetic graphs shaped like the
#: sample corpus, headless Debian Chromium 2 cores, software rendering, 2026-11):
#:
#:     nodes  links  layout_s  page_MB  ready_s  frame_ms  heap_MB
#:       300    455       1.1      1.2     1.5        39     10     positions from Python, physics off
#:      1000   1541       1.2      2.3     1.9        60     21
#:      3000   4707      10.1      5.5     4.7       168     33     (numpy layout without scipy)
#:     10000  15851       5.1     16.6   168.2       511    246     in-browser physics: 2.8 min before a frame
#:
#: The browser becomes slow between 1000 nodes (~16 frames/s while zooming) and 3000 (~6 frames/s, 10 s of
#: layout); 10k is unusable. So speed allows up to ~1000 (``budget=1000`` stays usable); the default is set
#: by readability instead: at 300 nodes a view fitted to a 1400×900 window still shows each node as a distinct
#: mark and names its hubs, beyond that it is a hairball one must zoom into anyway.
DEFAULT_BUDGET = 300
#: Share of the budget given first to the entities most papers link to (the landmarks of a big view);
#: the rest goes to papers, each with the entities it proposes and its code, and then to the most linked
#: of what is left. With the sample corpus (1691 nodes) and a budget of 300 this shows 75 hubs and
#: 82 papers with 94 ``proposes`` and 51 code links (before: 223 papers around 77 hubs, and not one
#: ``proposes`` or code link). A hub none of whose papers made it is swapped for a node linked to the view.
HUB_SHARE = 0.25
#: What a view shows: ``papers`` (papers, their entities and code) or ``entities`` (entities of
#: :data:`ENTITY_VIEW_TYPES` linked by how many papers use them together).
KINDS = ("papers", "entities")
ENTITY_VIEW_TYPES = tuple(USES_PROPERTY)
#: Entity view: co-occurrence links drawn are each node's this many heaviest (most papers in common):
#: the sample corpus has ~5.9k pairs among its 913 methods, architectures and datasets, a hairball at any zoom.
_ENTITY_EDGES_PER_NODE = 3
#: Entity view: papers listed per entity in the details panel, paper titles named per co-occurrence link.
_PANEL_PAPERS = 25
_EDGE_TITLES = 5
#: Default neighbourhood around a focus: the papers of an entity (or the entities of a paper).
DEFAULT_HOPS = 1

def _norm(text: str) -> str:
    return " ".join(str(text).casefold().split())


def _code_label(url: str) -> str:
    short = re.sub(r"^[a-z][a-z0-9+.-]*://(www\.)?", "", url, flags=re.I).rstrip("/")
    return short or url



def _rounded(value: float | int | None) -> float | int | None:
    """A number as the page shows it: integers as they are, others to 3 places."""
    return round(value, 3) if isinstance(value, float) else value


def node_dict(n: Node, abstract: str = "") -> dict:
    """A reader :class:`~kg.reader.Node` as the explorer's node: a paper with ``title``, ``abstract``, ``url``
    and ``code`` (filled in later), a repository with its short ``label`` and ``url``, an entity with its
    ``aliases``."""
    if n.type == "Paper":
        return {"id": n.id, "type": "Paper", "label": n.label, "title": n.label if n.label != n.id else "",
                "abstract": abstract, "url": n.url, "code": []}
    if n.type == "Code":
        return {"id": n.id, "type": "Code", "label": _code_label(n.id), "url": n.url}
    return {"id": n.id, "type": n.type, "label": n.label, "aliases": list(n.aliases)}


def best_evidence(records: list[Evidence], primary: str) -> dict | None:
    """The evidence an edge shows, of its ``records``: the most confident; of equals, one naming the edge's
    ``primary`` relation, then the first in the text. As the page's JSON, or None without records."""
    best = min(records, default=None, key=lambda ev: (
        -(ev.confidence if ev.confidence is not None else -1.0), ev.relation != primary,
        ev.start if ev.start is not None else math.inf, ev.end or 0, ev.mention, ev.sentence))
    return None if best is None else {
        "relation": best.relation, "mention": best.mention, "sentence": best.sentence, "start": best.start,
        "end": best.end, "sentence_start": best.sentence_start, "confidence": _rounded(best.confidence)}


def _read(store: Store, confidences: bool = True) -> tuple[dict[str, dict], list[dict]]:
    """The skeleton (:func:`kg.reader.read_nodes`, :func:`kg.reader.iter_links`, streamed) as the explorer's node
    dicts and one edge per paper -> target pair (named by its most specific relation, with all of them in
    ``relations``) with its best confidence (``confidences``; else ``None`` until :func:`_fill_details` reads the
    shown edges' evidence, which gives it: the aggregate over all evidence is a third of the reading)."""
    read = read_nodes(store)
    pairs: dict[tuple[str, str], list] = {}
    for link in iter_links(store, read, support=confidences):
        pair = pairs.get((link.paper, link.target))
        if pair is None:
            pairs[(link.paper, link.target)] = [[link.relation], link.confidence]
        else:
            pair[0].append(link.relation)
            if link.confidence is not None and (pair[1] is None or link.confidence > pair[1]):
                pair[1] = link.confidence
    nodes: dict[str, dict] = {}
    for i in list(read):  # each Node becomes the explorer's dict, and is dropped as it goes
        nodes[i] = node_dict(read.pop(i))
    order = {r: k for k, r in enumerate(RELATIONS)}
    edges = []
    for (p, o) in sorted(pairs):
        relations, confidence = pairs.pop((p, o))
        relations.sort(key=order.__getitem__)
        edges.append({"source": nodes[p]["id"], "target": nodes[o]["id"], "relation": relations[0],
                      "relations": relations, "evidence": None, "confidence": _rounded(confidence)})
    return nodes, edges


def _fill_details(store: Store, nodes: list[dict], edges: list[dict]) -> None:
    """Abstracts of the papers among ``nodes``, and the best evidence of each of ``edges`` (the most
    confident; ties: the one naming the edge's relation, then the first in the text)."""
    abstracts = read_abstracts(store, (n["id"] for n in nodes if n["type"] == "Paper"))
    for n in nodes:
        if n["type"] == "Paper":
            n["abstract"] = abstracts.get(n["id"], "")
    evidence = read_evidence(store, ((e["source"], e["target"]) for e in edges))
    for edge in edges:
        edge["evidence"] = best_evidence(evidence.get((edge["source"], edge["target"]), []), edge["relation"])
        edge["confidence"] = edge["evidence"]["confidence"] if edge["evidence"] else None


def _resolve_focus(focus: str, nodes: dict[str, dict], shown: set[str], min_confidence: float) -> list[str]:
    """The ids a focus names: by IRI, label or title first; only if none, by alias or code URL."""
    key = _norm(focus)
    names: dict[str, set[str]] = defaultdict(set)
    others: dict[str, set[str]] = defaultdict(set)
    for n in nodes.values():
        for name in (n["id"], n["label"]):
            names[_norm(name)].add(n["id"])
        for name in [*n.get("aliases", ()), *([n["url"]] if n.get("url") else [])]:
            others[_norm(name)].add(n["id"])
    hits = sorted(names.get(key) or others.get(key) or ())
    if not hits:
        close = get_close_matches(key, sorted(set(names) | set(others)), n=3, cutoff=0.75)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else \
            "; give an entity's label or alias, or a paper's title (case does not matter)"
        raise ViewError(f"focus {focus!r} is not an entity, alias or paper title in the graph{hint}")
    kept = [h for h in hits if h in shown]
    if not kept:
        raise ViewError(f"focus {focus!r} has no links with confidence >= {min_confidence}; "
                        "lower min_confidence to see it")
    return kept


def explorer_data(graph: Store | Graph, *, focus: str | None = None, hops: int = DEFAULT_HOPS,
                  budget: int = DEFAULT_BUDGET, min_confidence: float = 0.0, kind: str = "papers") -> dict:
    """Read the graph into the plain data the explorer page draws.

    Params:
        graph: a :class:`kg.store.Store` holding a graph in the paperkg vocabulary, or an rdflib graph or
            Dataset (loaded into an in-memory store first; all named graphs are read).
        focus: a paper title or an entity label or alias (case and spacing do not count), or a node IRI;
            only nodes within ``hops`` links of it are kept. A label or title wins over an alias; what
            several nodes share is a focus on all of them. ``None``: the whole graph.
        hops: how many links away from the focus to go (0: the focus alone).
        budget: most nodes to keep; above it the focus, then the entities most papers link to (a
            :data:`HUB_SHARE` of the budget), then papers each with what it proposes and its code are kept
            (an entity view keeps entities by number of papers); what was left out is counted in ``omitted``.
        min_confidence: drop links whose best evidence is less confident than this (and, when above 0,
            links without evidence); entities and code left without links are dropped too.
        kind: ``"papers"`` (papers → entities and code) or ``"entities"``: only methods, architectures and
            datasets, two linked when papers use both (edge ``relation`` ``"cooccurs"``, ``papers`` the
            number of such papers, ``titles`` a few of them; node ``degree`` its number of papers and
            ``papers`` their titles, relations, confidences and evidence).

    Returns:
        ``{"nodes": [...], "edges": [...], "counts": {...}, "omitted": {...}, "total": {...},
        "focus": None | {"query", "ids", "hops"}, "budget", "min_confidence"}``, sorted, JSON-ready.
        A node has ``id`` (IRI), ``type`` (one of :data:`NODE_TYPES`), ``label``, ``degree`` (its links in
        the whole graph), and for a paper ``title``, ``abstract``, ``url``, ``code`` (URLs); for an entity
        ``aliases``; for code ``url``. An edge (paper → entity or code) has ``source``, ``target``,
        ``relation`` (the most specific property's local name), ``relations`` (all asserted, minus implied
        super-properties), ``evidence`` (``relation``, ``mention``, ``sentence``, ``start``, ``end``,
        ``sentence_start``, ``confidence``; or None) and ``confidence``.

    Raises:
        ViewError: unknown focus, a focus with no links at ``min_confidence``, or a bad ``hops``,
            ``budget``, ``min_confidence`` or ``kind``.

    >>> from rdflib import Graph
    >>> explorer_data(Graph())["nodes"]
    []
    """
    if kind not in KINDS:
        raise ViewError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if isinstance(hops, bool) or not isinstance(hops, int) or hops < 0:
        raise ViewError(f"hops must be a whole number >= 0, not {hops!r}")
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
        raise ViewError(f"budget must be a whole number >= 1, not {budget!r}")
    try:
        in_range = 0.0 <= float(min_confidence) <= 1.0
    except (TypeError, ValueError) as err:
        raise ViewError(f"min_confidence must be a number in [0, 1], not {min_confidence!r}") from err
    if not in_range:
        raise ViewError(f"min_confidence must be in [0, 1], not {min_confidence!r}")

    store = as_store(graph)
    nodes, edges = _read(store, confidences=min_confidence > 0 or kind == "entities")
    if min_confidence > 0:
        edges = [e for e in edges if e["confidence"] is not None and e["confidence"] >= min_confidence]
    for e in edges:
        if e["relation"] == "hasCode":
            nodes[e["source"]]["code"].append(e["target"])
    for n in nodes.values():
        if n["type"] == "Paper":
            n["code"] = sorted(n["code"])
    every_node = nodes
    if kind == "entities":
        nodes, edges = _cooccurrence(nodes, edges)
        universe = set(nodes)
    else:
        linked = {e["target"] for e in edges}
        universe = {i for i, n in nodes.items() if n["type"] == "Paper" or i in linked}
    adjacency: dict[str, set[str]] = defaultdict(set)
    for e in edges:
        adjacency[e["source"]].add(e["target"])
        adjacency[e["target"]].add(e["source"])
    for i in universe:
        if kind != "entities":  # an entity view's degree is its number of papers (set by _cooccurrence)
            nodes[i]["degree"] = len(adjacency[i])
    total = {"nodes": len(universe), "edges": len(edges)}

    focus_info = None
    candidates = set(universe)
    if focus is not None:
        ids = _resolve_focus(focus, nodes, universe, min_confidence)
        seen, frontier = set(ids), deque((i, 0) for i in ids)
        while frontier:
            node, dist = frontier.popleft()
            if dist == hops:
                continue
            for nb in adjacency[node]:
                if nb not in seen:
                    seen.add(nb)
                    frontier.append((nb, dist + 1))
        candidates = seen
        focus_info = {"query": focus, "ids": ids, "hops": hops}

    omitted_nodes: Counter = Counter()
    candidate_edges = [e for e in edges if e["source"] in candidates and e["target"] in candidates]
    keep = candidates
    if len(candidates) > budget:
        must = set(focus_info["ids"]) if focus_info else set()
        keep = _trim(candidates, must, candidate_edges, nodes, budget, kind)
        omitted_nodes.update(nodes[i]["type"] for i in candidates - keep)
        log.info("view budget %d: kept %d of %d nodes", budget, len(keep), len(candidates))
    shown_edges = [e for e in candidate_edges if e["source"] in keep and e["target"] in keep]
    if kind == "entities" and len(shown_edges) > _ENTITY_EDGES_PER_NODE * len(keep):
        # each node's heaviest co-occurrences (most papers in common), so that none is left alone
        heaviest: dict[str, list[dict]] = defaultdict(list)
        for e in sorted(shown_edges, key=lambda e: (-e["papers"], e["source"], e["target"])):
            for end in (e["source"], e["target"]):
                heaviest[end].append(e)
        chosen = {id(e) for es in heaviest.values() for e in es[:_ENTITY_EDGES_PER_NODE]}
        shown_edges = [e for e in shown_edges if id(e) in chosen]
    shown_counts = Counter(nodes[i]["type"] for i in keep)
    kept_nodes = [nodes[i] for i in sorted(keep)]
    if kind == "entities":
        listed = _panel_papers(kept_nodes, every_node)
        _fill_details(store, [], listed)
        for n in kept_nodes:
            n["papers"] = [{"title": every_node[e["source"]]["label"], "relation": e["relation"],
                            "confidence": e["confidence"], "evidence": e["evidence"]} for e in n.pop("_links")]
    else:
        _fill_details(store, kept_nodes, shown_edges)

    def by_type(counter: Counter) -> dict[str, int]:
        return {t: counter[t] for t in NODE_TYPES if counter[t]}

    return {
        "nodes": kept_nodes,
        "edges": sorted(shown_edges, key=lambda e: (e["source"], e["target"])),
        "counts": {"nodes": by_type(shown_counts), "edges": len(shown_edges)},
        "omitted": {"nodes": by_type(omitted_nodes), "edges": len(candidate_edges) - len(shown_edges)},
        "total": total,
        "focus": focus_info,
        "budget": budget,
        "min_confidence": float(min_confidence),
        "kind": kind,
    }


def _trim(candidates: set[str], must: set[str], edges: list[dict], nodes: dict[str, dict], budget: int,
          kind: str) -> set[str]:
    """The nodes a view over budget keeps (see :data:`HUB_SHARE`); deterministic."""
    local: Counter = Counter()
    for e in edges:
        local[e["source"]] += 1
        local[e["target"]] += 1
    if kind == "entities":
        local = Counter({i: nodes[i]["degree"] for i in candidates})  # by number of papers

    def rank(i: str) -> tuple:
        return -local[i], NODE_TYPES.index(nodes[i]["type"]), nodes[i]["label"].casefold(), i

    keep = set(must)
    room = max(0, budget - len(keep))
    if kind != "entities":
        # 1. the entities most papers link to: the landmarks of the picture
        entities = sorted((i for i in candidates - keep if nodes[i]["type"] in ENTITY_TYPES), key=rank)
        keep.update(entities[:min(room, max(1, round(budget * HUB_SHARE)))])
        # 2. papers, each with what it proposes and its code: those that propose or have code first
        proposes: dict[str, set[str]] = defaultdict(set)
        for e in edges:
            if e["relation"] in ("proposes", "hasCode"):
                proposes[e["source"]].add(e["target"])
        papers = sorted((i for i in candidates - keep if nodes[i]["type"] == "Paper"),
                        key=lambda i: (not proposes[i],) + rank(i))
        for p in papers:
            group = ({p} | proposes[p]) - keep
            if len(keep) + len(group) <= budget:
                keep |= group
    # 3. whatever room is left: the rest with most links into what is kept (no stray lone nodes), then most linked
    into: Counter = Counter()
    for e in edges:
        if e["source"] in keep:
            into[e["target"]] += 1
        if e["target"] in keep:
            into[e["source"]] += 1
    rest = sorted(candidates - keep, key=lambda i: (-into[i],) + rank(i))
    keep.update(rest[:max(0, budget - len(keep))])
    # 4. a hub whose papers all stayed out would float alone: give its place to a node linked to the view
    linked = {end for e in edges if e["source"] in keep and e["target"] in keep for end in (e["source"], e["target"])}
    alone = sorted(keep - must - linked, key=rank, reverse=True)
    spare = [i for i in rest if i not in keep and into[i] > 0]
    for old_id, new_id in zip(alone, spare):
        keep.discard(old_id)
        keep.add(new_id)
    return keep


def _panel_papers(kept: list[dict], nodes: dict[str, dict]) -> list[dict]:
    """Entity view: each kept entity's papers for its details panel (the most confident links first, at most
    :data:`_PANEL_PAPERS`), left in its ``_links``; returns all those links (whose evidence is to be read)."""
    listed = []
    for n in kept:
        links = sorted(n.get("_links", ()), key=lambda e: (-(e["confidence"] if e["confidence"] is not None else -1.0),
                                                           nodes[e["source"]]["label"].casefold(), e["source"]))
        n["_links"] = links[:_PANEL_PAPERS]
        listed += n["_links"]
    return listed



def _cooccurrence(nodes: dict[str, dict], edges: list[dict]) -> tuple[dict[str, dict], list[dict]]:
    """The entity view: entities of :data:`ENTITY_VIEW_TYPES` linked by the papers that use them together.

    A node's ``degree`` is its number of papers and ``papers`` lists them (title, relation, confidence,
    best evidence; the most confident first, at most :data:`_PANEL_PAPERS`); an edge's ``papers`` is how
    many papers link both ends and ``titles`` names a few.
    """
    by_paper: dict[str, list[str]] = defaultdict(list)
    papers_of: dict[str, list[dict]] = defaultdict(list)
    for e in edges:
        if nodes[e["target"]]["type"] in ENTITY_VIEW_TYPES:
            by_paper[e["source"]].append(e["target"])
            papers_of[e["target"]].append(e)
    shared: dict[tuple[str, str], list[str]] = defaultdict(list)
    for p, ents in by_paper.items():
        ents = sorted(set(ents))
        for a in range(len(ents)):
            for b in range(a + 1, len(ents)):
                shared[(ents[a], ents[b])].append(p)
    out = {}
    for i, links in papers_of.items():
        node = dict(nodes[i])
        node["degree"] = len(links)
        node["_links"] = links  # the panel's papers: chosen, and their evidence read, once the view is trimmed
        out[i] = node
    co_edges = [{"source": a, "target": b, "relation": "cooccurs", "relations": ["cooccurs"], "papers": len(ps),
                 "titles": sorted(nodes[p]["label"] for p in ps)[:_EDGE_TITLES], "evidence": None,
                 "confidence": None}
                for (a, b), ps in sorted(shared.items())]
    return out, co_edges


__all__ = ["explorer_data", "DEFAULT_BUDGET", "DEFAULT_HOPS", "HUB_SHARE", "KINDS", "ENTITY_VIEW_TYPES", "NODE_TYPES",
           "RELATIONS", "SUB_PROPERTIES"]
