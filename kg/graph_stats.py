"""The graph's counts (papers, entities by type, repositories, evidence, links by property, triples), kept per
named graph beside the store so that ``kg add`` recounts only the graphs it changed.

Counting a whole store takes one pass over every quad (~12 s at 100k papers); the per-graph table
(``paperkg-stats.json`` in the store directory, written with each generation) lets an add count its ~100
changed graphs and the entities graph, and sum. Summing per graph gives the whole graph's counts because
paperkg's graphs share no subject of a class and no triple: a paper and its evidence live in its own graph,
entities and repositories in the entities graph (see :mod:`kg.graph`). ``KnowledgeGraph.stats`` of a graph
loaded afresh (``kg stats``) still counts everything.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from .vocab import COVERING_LINKS, ENTITY_TYPES, KGO_NS

if TYPE_CHECKING:
    from .store import Store

log = logging.getLogger(__name__)

#: File in a store directory: the counts of each named graph.
STATS_FILE = "paperkg-stats.json"
_VERSION = 2
#: Class local name -> the count's name, in the order :meth:`KnowledgeGraph.stats` gives them.
_CLASSES = {"Paper": "papers", **{t: t.lower() + "s" for t in ENTITY_TYPES},
            "SoftwareSourceCode": "code repositories", "Evidence": "evidence"}
_LINKS = COVERING_LINKS
_SOFTWARE = "https://schema.org/SoftwareSourceCode"
# No VALUES block inside GRAPH ?g (on the class or the property): with one, Oxigraph scans every graph
# (1.5 s for 100 graphs of a 10k-paper store, against 0.03 s); the wanted ones are picked here.
_Q_CLASSES = "SELECT ?g ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { %s GRAPH ?g { ?s a ?c } } GROUP BY ?g ?c"
_Q_PROPERTIES = "SELECT ?g ?p (COUNT(*) AS ?n) WHERE { %s GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ?p"
_BATCH = 500


def count_graphs(store: Store, graphs: Iterable[str] | None = None) -> dict[str, dict[str, int]]:
    """The counts of each named graph of ``graphs`` (``None``: every graph), by count name (see
    :func:`totals`); a graph not in the store has none."""
    out: dict[str, dict[str, int]] = {}
    chosen = None if graphs is None else sorted(set(graphs))
    batches = [None] if chosen is None else [chosen[i:i + _BATCH] for i in range(0, len(chosen), _BATCH)]
    for batch in batches:
        values = "" if batch is None else "VALUES ?g { %s }" % " ".join(f"<{g}>" for g in batch)
        for g, c, n in store.rows(_Q_CLASSES % values):
            name = _CLASSES.get(c[len(KGO_NS):]) if c.startswith(KGO_NS) else \
                "code repositories" if c == _SOFTWARE else None
            if name:
                out.setdefault(g, {})[name] = int(n)
        for g, p, n in store.rows(_Q_PROPERTIES % values):
            counts = out.setdefault(g, {})
            counts["triples"] = counts.get("triples", 0) + int(n)
            if p.startswith(KGO_NS) and p[len(KGO_NS):] in _LINKS:
                counts["links " + p[len(KGO_NS):]] = int(n)
    return out


def totals(per_graph: dict[str, dict[str, int]]) -> dict[str, int]:
    """The whole graph's counts, in :meth:`KnowledgeGraph.stats`'s keys and order."""
    sums: dict[str, int] = {}
    for counts in per_graph.values():
        for k, n in counts.items():
            sums[k] = sums.get(k, 0) + n
    out = {name: sums.get(name, 0) for name in _CLASSES.values()}
    for p in sorted(_LINKS):
        if sums.get("links " + p):
            out["links " + p] = sums["links " + p]
    out["triples"] = sums.get("triples", 0)
    return out


def read_counts(store_dir: Path) -> dict[str, dict[str, int]] | None:
    """The per-graph counts kept in ``store_dir``, or None (none kept, or unreadable)."""
    try:
        data = json.loads((Path(store_dir) / STATS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("v") != _VERSION or not isinstance(data.get("graphs"), dict):
        return None
    keys = data.get("keys") or []
    return {g: {k: n for k, n in zip(keys, row) if n} for g, row in data["graphs"].items()}


def update_counts(store: Store, previous: Path | None, changed: set[str] | None) -> dict[str, int]:
    """Count the store's graphs (only ``changed`` ones when ``previous``, the earlier generation's store
    directory, kept the counts of the rest), write the table into the store's directory, and return the
    totals."""
    per_graph = read_counts(previous) if previous is not None and changed is not None else None
    if per_graph is None:
        per_graph = count_graphs(store)
    else:
        fresh = count_graphs(store, changed)
        for g in changed:
            per_graph.pop(g, None)
        per_graph.update(fresh)
    keys = sorted({k for counts in per_graph.values() for k in counts})
    table = {g: [counts.get(k, 0) for k in keys] for g, counts in per_graph.items()}  # a row per graph: compact
    (Path(store.path) / STATS_FILE).write_text(json.dumps({"v": _VERSION, "keys": keys, "graphs": table},
                                                          separators=(",", ":")), encoding="utf-8")
    return totals(per_graph)


__all__ = ["STATS_FILE", "count_graphs", "totals", "read_counts", "update_counts"]
