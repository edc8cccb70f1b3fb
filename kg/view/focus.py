"""A focus view read live: one node's neighbourhood (:func:`kg.reader.read_neighbourhood`, a few bound
SELECTs, none scanning the graph) as explorer data, what ``kg serve`` answers at ``/explorer/neighbourhood``
when the explorer page asks to focus on a node of a graph too big to embed."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..reader import RELATIONS, read_neighbourhood
from .data import best_evidence, node_dict
from .index import FOCUS_BUDGET

if TYPE_CHECKING:
    from ..store import Store


def neighbourhood_data(store: Store, node: str, *, budget: int = FOCUS_BUDGET) -> dict:
    """The explorer data (see :func:`kg.view.explorer_data`) of ``node``'s neighbourhood: the node, what it links
    to or what links to it (at most ``budget``), each link with its best evidence and confidence, the papers
    with their abstracts. ``total`` counts the neighbours (``None``: more than the budget); ``focus`` names the
    node. A node's ``degree`` is its number of links in this view.

    Raises: ViewError for a node that is not a paper, entity or repository of the graph.
    """
    hood = read_neighbourhood(store, node, budget=budget)
    nodes = {i: {**node_dict(n, hood.abstracts.get(i, "")), "degree": 0} for i, n in hood.nodes.items()}
    by_pair: dict[tuple[str, str], list] = {}
    for link in hood.links:
        by_pair.setdefault((link.paper, link.target), []).append(link.relation)
    edges = []
    for (p, o), relations in sorted(by_pair.items()):
        relations.sort(key=RELATIONS.index)
        evidence = best_evidence(hood.evidence.get((p, o), []), relations[0])
        edges.append({"source": p, "target": o, "relation": relations[0], "relations": relations,
                      "evidence": evidence, "confidence": evidence["confidence"] if evidence else None})
        nodes[p]["degree"] += 1
        nodes[o]["degree"] += 1
        if "hasCode" in relations:
            nodes[p]["code"].append(o)
    kept = [nodes[i] for i in sorted(nodes)]
    counts: dict[str, int] = {}
    for n in kept:
        counts[n["type"]] = counts.get(n["type"], 0) + 1
    return {"nodes": kept, "edges": edges, "counts": {"nodes": counts, "edges": len(edges)},
            "omitted": {"nodes": {}, "edges": 0}, "total": {"neighbours": hood.total},
            "focus": {"query": hood.center.label, "ids": [node], "hops": 1}, "budget": budget,
            "min_confidence": 0.0, "kind": "focus"}


__all__ = ["neighbourhood_data", "FOCUS_BUDGET"]
