"""A focus view read live: one node's neighbourhood (:func:`kg.reader.read_neighbourhood`, a few bound
SELECTs, none scanning the graph) as explorer data, what ``kg serve`` answers at ``/explorer/neighbourhood``
when the explorer page asks to focus on a node of a graph too big to embed."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..reader import RELATIONS, read_neighbourhood
from .data import _code_label, _rounded
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
    nodes: dict[str, dict] = {}
    for i, n in hood.nodes.items():
        if n.type == "Paper":
            nodes[i] = {"id": i, "type": "Paper", "label": n.label, "title": n.label if n.label != i else "",
                        "abstract": hood.abstracts.get(i, ""), "url": n.url, "code": [], "degree": 0}
        elif n.type == "Code":
            nodes[i] = {"id": i, "type": "Code", "label": _code_label(i), "url": n.url, "degree": 0}
        else:
            nodes[i] = {"id": i, "type": n.type, "label": n.label, "aliases": list(n.aliases), "degree": 0}
    by_pair: dict[tuple[str, str], list] = {}
    for link in hood.links:
        by_pair.setdefault((link.paper, link.target), []).append(link.relation)
    edges = []
    for (p, o), relations in sorted(by_pair.items()):
        relations.sort(key=RELATIONS.index)
        records = hood.evidence.get((p, o), [])
        best = min(records, default=None, key=lambda ev: (  # as the static explorer picks it (data._fill_details)
            -(ev.confidence if ev.confidence is not None else -1.0), ev.relation != relations[0]))
        evidence = None if best is None else {
            "relation": best.relation, "mention": best.mention, "sentence": best.sentence, "start": best.start,
            "end": best.end, "sentence_start": best.sentence_start, "confidence": _rounded(best.confidence)}
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
