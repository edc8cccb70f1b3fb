"""The explorer's first screen: an overview of the most linked entities and their communities.

The entities most papers link to are taken from the index's degrees (one aggregate query, or counted from
the embedded links); two are linked when papers link to both, counted from the embedded links or, for a graph
too big to embed, from a sample of papers spread evenly over the graph; communities are found by networkx
(Louvain, seeded) on those co-usage counts. Nothing here reads every link of a big graph.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from ..analysis import communities
from ..reader import _batches, _iri
from .data import _ENTITY_EDGES_PER_NODE

if TYPE_CHECKING:
    from ..store import Store

#: Entities the overview draws: readable at the default zoom in a 1400×900 window with labels that do not
#: overlap (see kg.view.page), and enough to show the graph's main communities.
OVERVIEW_SIZE = 120
#: Papers sampled (every k-th, in IRI order) to count co-usage in a graph too big to embed its links.
COUSAGE_SAMPLE = 2000
# FILTER on the property, not a VALUES block: Oxigraph compares encoded terms and decodes only the links
# (500 papers of a 100k store: 0.12 s, against 0.39 s for all their triples)
_LINK_ROWS = ("SELECT ?p ?o WHERE { VALUES ?p { %s } ?p ?r ?o "
              "FILTER(?r IN (kgo:uses, kgo:proposes, kgo:addressesTask, kgo:reportsMetric)) }")
_SEED = 42


def overview_data(store: Store, index: dict, *, size: int = OVERVIEW_SIZE) -> dict:
    """The overview as explorer data (``kind: "overview"``; see :func:`kg.view.explorer_data`): the ``size``
    entities most papers link to (``degree``: their number of papers, ``community``: a number, 0 the
    biggest), each linked to the (at most 3) others it is most used with (``relation: "cooccurs"``,
    ``papers``: in how many papers, counted on ``sample`` of them), ``communities`` (``id``, ``size``,
    ``names``: its three most linked entities) and ``hidden`` (papers and entities not drawn)."""
    import networkx as nx

    types, ids, labels, degree = index["types"], index["ids"], index["label"], index["degree"]
    paper_type = types.index("Paper")
    entity_types = {types.index(t) for t in types if t not in ("Paper", "Code")}
    entities = [k for k, t in enumerate(index["type"]) if t in entity_types and degree[k] > 0]
    top = sorted(entities, key=lambda k: (-degree[k], index["type"][k], labels[k].casefold(), ids[k]))[:size]
    chosen = set(top)
    rank = {k: r for r, k in enumerate(top)}
    by_paper: dict[int | str, list[int]] = defaultdict(list)
    if "links" in index:
        flat = index["links"]
        for k in range(0, len(flat), 3):
            if flat[k + 1] in chosen:
                by_paper[flat[k]].append(flat[k + 1])
        sample = index["papers"]
    else:
        number = {ids[k]: k for k in chosen}
        papers = [ids[k] for k, t in enumerate(index["type"]) if t == paper_type]
        step = max(1, -(-len(papers) // COUSAGE_SAMPLE))
        picked = papers[::step]
        for batch in _batches(picked):
            for p, o in store.rows(_LINK_ROWS % " ".join(_iri(i) for i in batch)):
                if o in number:
                    by_paper[p].append(number[o])
        sample = len(picked)
    shared: Counter = Counter()
    for ents in by_paper.values():
        ents = sorted(set(ents))
        for a in range(len(ents)):
            for b in range(a + 1, len(ents)):
                shared[(ents[a], ents[b])] += 1
    g = nx.Graph()
    g.add_nodes_from((k, {"label": labels[k]}) for k in top)
    g.add_weighted_edges_from((a, b, n) for (a, b), n in shared.items())
    # kg.analysis's communities (Louvain on the co-usage weights, seeded), as the analysis notebook finds them
    groups = communities(g, seed=_SEED) if g.number_of_edges() else [{k} for k in top]
    groups = sorted((sorted(c, key=rank.__getitem__) for c in groups), key=lambda c: (-len(c), rank[c[0]]))
    community = {k: c for c, members in enumerate(groups) for k in members}
    # each node's heaviest co-usage links (as the entity view draws them), so that none is left alone
    heaviest: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for (a, b), n in sorted(shared.items(), key=lambda item: (-item[1], item[0])):
        heaviest[a].append((a, b))
        heaviest[b].append((a, b))
    drawn = sorted({pair for pairs in heaviest.values() for pair in pairs[:_ENTITY_EDGES_PER_NODE]})
    aliases: dict[int, list[str]] = defaultdict(list)
    for k, alias in index["aliases"]:
        if k in chosen:
            aliases[k].append(alias)
    nodes = [{"id": ids[k], "type": types[index["type"][k]], "label": labels[k], "aliases": aliases[k],
              "degree": degree[k], "community": community[k]} for k in sorted(top, key=lambda k: ids[k])]
    edges = [{"source": ids[a], "target": ids[b], "relation": "cooccurs", "relations": ["cooccurs"],
              "papers": shared[(a, b)], "titles": [], "evidence": None, "confidence": None}
             for a, b in drawn]
    edges.sort(key=lambda e: (e["source"], e["target"]))
    counts = Counter(n["type"] for n in nodes)
    n_papers = index["papers"]
    return {
        "nodes": nodes, "edges": edges,
        "counts": {"nodes": {t: counts[t] for t in types if counts[t]}, "edges": len(edges)},
        "omitted": {"nodes": {}, "edges": 0},
        "total": {"nodes": len(ids), "edges": len(shared)},
        "hidden": {"papers": n_papers, "entities": index["entities"] - len(nodes)},
        "communities": [{"id": c, "size": len(members), "names": [labels[k] for k in members[:3]]}
                        for c, members in enumerate(groups)],
        "sample": sample, "focus": None, "budget": size, "min_confidence": 0.0, "kind": "overview",
    }


__all__ = ["overview_data", "OVERVIEW_SIZE", "COUSAGE_SAMPLE"]
