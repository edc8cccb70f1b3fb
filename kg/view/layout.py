"""The explorer's layout: node positions computed in Python (networkx), so the page draws with physics off.

Each connected component gets a seeded spring layout of its own, scaled so that neighbouring nodes sit a
set distance apart; components are packed largest first (:func:`positions`).
"""
from __future__ import annotations

import logging
import math
from typing import Any

log = logging.getLogger(__name__)

#: Layout: networkx spring layout with a fixed seed; k (the ideal link length) 4× networkx's default
#: 1/sqrt(n) gives the fixture a rounder, less stretched picture; then scaled so that a node's nearest
#: neighbour is typically 100 px away at zoom 1, room for a short label (measured on the fixture and a
#: 300-node synthetic graph: fit-to-window then shows the fixture at about zoom 1).
LAYOUT_SEED = 42
_LAYOUT_ITERATIONS = 100
_LAYOUT_K = 4.0
_LAYOUT_NEIGHBOUR_PX = 100.0
#: Without scipy, networkx cannot lay out 500 nodes or more; our numpy version can, in O(n²) memory:
#: 4000 nodes take ~0.4 GB at the peak, so beyond that vis-network lays the graph out in the browser.
_DENSE_LAYOUT_MAX_NODES = 4000


def positions(data: dict, spacing: float = _LAYOUT_NEIGHBOUR_PX) -> dict[str, tuple[float, float]] | None:
    """Node positions in px, or None when no Python layout is possible (then the browser lays out).

    Each connected component gets a seeded spring layout of its own, scaled so that neighbouring nodes
    sit :data:`_LAYOUT_NEIGHBOUR_PX` apart; the largest is drawn first and the smaller ones (papers left
    with one entity, lone nodes) are packed in rows under it instead of being flung to the far edges,
    which would make "fit to window" shrink the main picture to nothing.
    """
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(n["id"] for n in data["nodes"])
    g.add_edges_from((e["source"], e["target"]) for e in data["edges"])
    if not len(g):
        return {}
    components = sorted((sorted(c) for c in nx.connected_components(g)), key=lambda c: (-len(c), c[0]))
    layouts = []
    for comp in components:
        layout = _component_layout(g.subgraph(comp), spacing)
        if layout is None:
            return None
        layouts.append(layout)
    return _pack(layouts, spacing)


#: Community layout: a link inside a community pulls this much harder than one between two (spring weights).
_COMMUNITY_PULL = 6.0
#: Community layout: x stretched by this (the explorer's canvas in a 1400×900 window is 1170×852 px).
_WIDE = 1.35


def community_positions(data: dict, spacing: float = _LAYOUT_NEIGHBOUR_PX) -> dict[str, tuple[float, float]]:
    """Node positions in px for a view whose nodes have a ``community``: one seeded spring layout in which
    links inside a community pull :data:`_COMMUNITY_PULL` times harder than links between communities, so
    that each community reads as a group while the groups stay arranged by how they are linked."""
    import networkx as nx

    community = {n["id"]: n.get("community") for n in data["nodes"]}
    g = nx.Graph()
    g.add_nodes_from(sorted(community))
    for e in data["edges"]:
        same = community.get(e["source"]) == community.get(e["target"])
        g.add_edge(e["source"], e["target"], weight=_COMMUNITY_PULL if same else 1.0)
    if not len(g):
        return {}
    if len(g) == 1:
        return {next(iter(g)): (0.0, 0.0)}
    pos = nx.spring_layout(g, seed=LAYOUT_SEED, iterations=_LAYOUT_ITERATIONS, k=_LAYOUT_K / math.sqrt(len(g)),
                           weight="weight")
    scale = spacing / _median_neighbour_distance([tuple(pos[i]) for i in g])
    # stretched to the window's shape (a laptop screen is ~1.4 times as wide as high, less the legend)
    return {i: (round(float(x) * scale * _WIDE, 1), round(float(y) * scale, 1)) for i, (x, y) in pos.items()}


def _component_layout(g: Any, spacing: float = _LAYOUT_NEIGHBOUR_PX) -> dict[str, tuple[float, float]] | None:
    """One connected component laid out in px, its bounding box starting at (0, 0)."""
    import networkx as nx

    if len(g) == 1:
        return {next(iter(g)): (0.0, 0.0)}
    k = _LAYOUT_K / math.sqrt(len(g))
    try:
        pos = nx.spring_layout(g, seed=LAYOUT_SEED, iterations=_LAYOUT_ITERATIONS, k=k)
    except ImportError:  # networkx's spring layout needs scipy from 500 nodes on; scipy is optional
        if len(g) > _DENSE_LAYOUT_MAX_NODES:
            log.warning("no Python layout for %d nodes without scipy; the browser lays them out once instead", len(g))
            return None
        pos = _dense_spring_layout(g, k)
    scale = spacing / _median_neighbour_distance([tuple(pos[i]) for i in g])
    x0 = min(float(p[0]) for p in pos.values())
    y0 = min(float(p[1]) for p in pos.values())
    return {i: ((float(x) - x0) * scale, (float(y) - y0) * scale) for i, (x, y) in pos.items()}


def _pack(layouts: list[dict[str, tuple[float, float]]], gap: float = _LAYOUT_NEIGHBOUR_PX
          ) -> dict[str, tuple[float, float]]:
    """Place component layouts (largest first): the first on top, the rest in rows beneath it."""

    def size(layout: dict) -> tuple[float, float]:
        return max(x for x, _ in layout.values()), max(y for _, y in layout.values())

    width, height = size(layouts[0])
    row_width = max(width, 8 * gap)
    out = dict(layouts[0])
    x, y, row_height = 0.0, height + 1.5 * gap, 0.0
    for layout in layouts[1:]:
        w, h = size(layout)
        if x > 0 and x + w > row_width:
            x, y, row_height = 0.0, y + row_height + gap, 0.0
        out.update({i: (x + px, y + py) for i, (px, py) in layout.items()})
        x += w + gap
        row_height = max(row_height, h)
    return {i: (round(px, 1), round(py, 1)) for i, (px, py) in out.items()}


def _dense_spring_layout(g: Any, k: float) -> dict[str, Any]:
    """Fruchterman–Reingold with numpy alone (what networkx does below 500 nodes), seeded: O(n²) memory."""
    import numpy as np

    nodes = list(g)
    index = {n: i for i, n in enumerate(nodes)}
    adj = np.zeros((len(nodes), len(nodes)), dtype=np.float32)
    for a, b in g.edges:
        adj[index[a], index[b]] = adj[index[b], index[a]] = 1.0
    pos = np.random.default_rng(LAYOUT_SEED).random((len(nodes), 2)).astype(np.float32)
    step = 0.1 * max(float(np.ptp(pos, axis=0).max()), 1e-9)
    cool = step / (_LAYOUT_ITERATIONS + 1)
    k2 = np.float32(k * k)
    for _ in range(_LAYOUT_ITERATIONS):
        dx = pos[:, 0, None] - pos[None, :, 0]
        dy = pos[:, 1, None] - pos[None, :, 1]
        dist = np.maximum(np.hypot(dx, dy), np.float32(0.01))
        force = k2 / (dist * dist) - adj * dist / np.float32(k)  # repulsion minus attraction, per pair
        disp = np.stack([(dx * force).sum(axis=1), (dy * force).sum(axis=1)], axis=1)
        length = np.hypot(disp[:, 0], disp[:, 1])
        length[length < 0.01] = 0.1
        pos += disp * (np.float32(step) / length)[:, None]
        step -= cool
    return {n: pos[i] for i, n in enumerate(nodes)}


def _median_neighbour_distance(points: list[tuple[float, float]]) -> float:
    """Median distance from a point to its nearest other point (1.0 for fewer than two points)."""
    import numpy as np

    if len(points) < 2:
        return 1.0
    p = np.asarray(points, dtype=float)
    nearest = np.empty(len(p))
    for start in range(0, len(p), 512):  # in blocks: memory stays O(512 n)
        d = np.hypot(*(p[start:start + 512, None, :] - p[None, :, :]).transpose(2, 0, 1))
        d[np.arange(d.shape[0]), np.arange(start, start + d.shape[0])] = np.inf
        nearest[start:start + 512] = d.min(axis=1)
    median = float(np.median(nearest))
    return median if median > 0 else 1.0

