"""Score a knowledge graph against gold paper-level annotations (the shared scorer's rules, re-implemented).

Gold is JSONL, one paper a line (``/work/shared/eval/GUIDELINES.md``)::

    {"id": "...", "title": "...", "entities": [{"name": "SlimFlow", "aliases": [], "type": "Method",
     "role": "proposed"}, ...], "code": ["https://github.com/owner/repo"]}

Papers are matched by title key (lower-case letters and digits); an entity matches when its type agrees and
one normalised name (label or alias, :func:`norm`) is shared, greedily one-to-one within a paper. Figures:
per type, ``untyped`` (any of the five types), ``proposed`` / ``used`` (roles of Method, Architecture,
Dataset), ``code`` (normalised URLs) and ``typed_micro`` (the five types pooled). On top of the shared
scorer, :class:`EvalReport` lists each paper's misses and spurious links and the precision of predicted
links per evidence-confidence band.

>>> r = evaluate("tests/data/small.ttl", "tests/data/small_gold.jsonl")
>>> r.scores["typed_micro"]["f1"], r.scores["papers_missing"]
(0.722, 1)
"""
from __future__ import annotations

import json
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from .errors import SourceError
from .records import name_key, norm_url, title_key
from .vocab import ENTITY_TYPES, KGO_NS, sub_properties

if TYPE_CHECKING:
    from .knowledge_graph import KnowledgeGraph

__all__ = ["evaluate", "score_predictions", "EvalReport", "PaperErrors", "norm", "norm_url", "title_key", "TYPES", "BANDS"]

#: Entity types scored, in the scorer's order (the ontology's).
TYPES = ENTITY_TYPES
#: kgo: properties that count as the role "used" (kgo:uses and its sub-properties).
USED = ("uses", *sorted(sub_properties("uses")))
#: Confidence bands [low, high) for EvalReport.bands; the last one includes 1.0. The cut points are the
#: confidence levels the pipeline assigns (0.5 generic / default, 0.6-0.75 coined or head-typed, 0.9 catalogue).
BANDS = ((0.0, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.0))
_KGO = KGO_NS


#: The scorer's name normalisation (see :func:`kg.records.name_key`).
norm = name_key


def _match(gold: list[tuple[str, frozenset]], pred: list[tuple[str, frozenset]]) -> tuple[int, list[int], list[int]]:
    """Greedy one-to-one matching within a category: (true positives, matched gold indices, matched pred indices)."""
    used: set[int] = set()
    g_hit: list[int] = []
    for gi, (gc, gl) in enumerate(gold):
        for i, (pc, pl) in enumerate(pred):
            if i not in used and pc == gc and gl & pl:
                used.add(i)
                g_hit.append(gi)
                break
    return len(g_hit), g_hit, sorted(used)


def _prf(tp: int, npred: int, ngold: int) -> dict[str, Any]:
    p = tp / npred if npred else 0.0
    r = tp / ngold if ngold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 3), "r": round(r, 3), "f1": round(f, 3), "tp": tp, "pred": npred, "gold": ngold}


@dataclass
class PaperErrors:
    """What one paper got wrong: ``(type, name)`` pairs (type is an entity type, or a role, or ``code``)."""

    title: str
    missing: list[tuple[str, str]] = field(default_factory=list)  #: gold entities not predicted
    spurious: list[tuple[str, str]] = field(default_factory=list)  #: predicted entities not in gold
    role_missing: list[tuple[str, str]] = field(default_factory=list)  #: gold (role, name) not predicted
    role_spurious: list[tuple[str, str]] = field(default_factory=list)  #: predicted (role, name) not in gold
    found: bool = True  #: whether the graph has the paper at all


@dataclass
class EvalReport:
    """The result of :func:`evaluate`.

    Attributes:
        scores: the shared scorer's dict: per type, ``untyped``, ``proposed``, ``used``, ``code`` ->
            ``{"p", "r", "f1", "tp", "pred", "gold"}``; ``typed_micro`` likewise; ``papers_missing`` and
            ``papers`` (ints). Same keys, order and rounding as ``score.py``.
        papers: one :class:`PaperErrors` per gold paper, in gold order.
        bands: ``[(low, high, n_predicted, n_correct, precision)]``: typed links by the best confidence of
            their evidence (a link without evidence counts in the lowest band).
    """

    scores: dict[str, Any]
    papers: list[PaperErrors]
    bands: list[tuple[float, float, int, int, float]]

    def to_text(self, errors: bool = True) -> str:
        """The scorer-style table, the confidence bands and (``errors``) each paper's misses and spurious links."""
        lines = [f"{k:14s} {v}" for k, v in self.scores.items()]
        lines.append("")
        lines.append("precision by evidence confidence (typed links)")
        for lo, hi, n, ok, p in self.bands:
            close = "]" if hi >= 1.0 else ")"
            lines.append(f"  [{lo:.1f}, {hi:.1f}{close}  {ok:4d}/{n:<4d} {p:.3f}")
        if errors:
            for pe in self.papers:
                if not (pe.missing or pe.spurious or pe.role_missing or pe.role_spurious or not pe.found):
                    continue
                lines.append("")
                lines.append(f"# {pe.title}" + ("" if pe.found else "   (NOT IN GRAPH)"))
                for name, items in (("missing", pe.missing), ("spurious", pe.spurious),
                                    ("role missing", pe.role_missing), ("role spurious", pe.role_spurious)):
                    if items:
                        lines.append(f"  {name:13s} " + "; ".join(f"{t}:{n}" for t, n in items))
        return "\n".join(lines)


@dataclass
class _Pred:
    typed: dict[tuple[str, frozenset], tuple[str, float | None]] = field(default_factory=dict)  # -> (label, conf)
    roles: dict[tuple[str, frozenset], str] = field(default_factory=dict)
    code: set[str] = field(default_factory=set)


def _predictions(kg: "KnowledgeGraph") -> tuple[set[str], dict[str, _Pred]]:
    q = kg.query
    papers = {str(p): title_key(str(t)) for p, t in q("SELECT ?p ?t WHERE { ?p a kgo:Paper ; dcterms:title ?t }").rows}
    labels: dict[str, set[str]] = defaultdict(set)
    pref: dict[str, str] = {}
    for e, l in q("SELECT ?e ?l WHERE { { ?e rdfs:label ?l } UNION { ?e skos:prefLabel ?l } "
                  "UNION { ?e skos:altLabel ?l } }").rows:
        labels[str(e)].add(str(l))
    for e, l in q("SELECT ?e ?l WHERE { ?e rdfs:label ?l }").rows:
        pref[str(e)] = min(pref.get(str(e), str(l)), str(l))
    etype: dict[str, set[str]] = defaultdict(set)
    values = " ".join("kgo:" + t for t in TYPES)
    for e, c in q(f"SELECT ?e ?c WHERE {{ ?e a ?c . VALUES ?c {{ {values} }} }}").rows:
        etype[str(e)].add(str(c)[len(_KGO):])
    conf: dict[tuple[str, str], float] = {}
    for p, e, c in q("SELECT ?p ?e (MAX(?c) AS ?m) WHERE { ?ev a kgo:Evidence ; kgo:paper ?p ; kgo:entity ?e ; "
                     "kgo:confidence ?c } GROUP BY ?p ?e").rows:
        if c is not None:
            conf[(str(p), str(e))] = float(c)
    out: dict[str, _Pred] = defaultdict(_Pred)
    rels = {"proposes": "proposed", **{u: "used" for u in USED}, "addressesTask": None, "reportsMetric": None}
    for rel, role in rels.items():
        for p, e in q(f"SELECT ?p ?e WHERE {{ ?p kgo:{rel} ?e }}").rows:
            k = papers.get(str(p))
            if k is None:
                continue
            e = str(e)
            ls = frozenset(n for n in (norm(l) for l in labels.get(e, ())) if n)
            if not ls:
                continue
            name = pref.get(e) or sorted(labels[e])[0]
            c = conf.get((str(p), e))
            for t in etype.get(e, ()):
                old = out[k].typed.get((t, ls))
                if old is None or (c is not None and (old[1] is None or c > old[1])):
                    out[k].typed[(t, ls)] = (name, c)
            if role:
                out[k].roles.setdefault((role, ls), name)
    for p, r in q("SELECT ?p ?r WHERE { ?p kgo:hasCode ?r }").rows:
        k = papers.get(str(p))
        if k is not None:
            out[k].code.add(norm_url(str(r)))
    return set(papers.values()), out


def _read_gold(path: str | os.PathLike) -> list[dict[str, Any]]:
    from .sources import json_objects

    gold = []
    for no, rec in json_objects(path, kind="gold file"):
        if "title" not in rec or not isinstance(rec.get("entities", []), list):
            raise SourceError(path, no, "a gold line must be an object with 'title' and an 'entities' list")
        gold.append(rec)
    return gold


def _names(e: dict[str, Any]) -> frozenset:
    return frozenset(n for n in map(norm, [e["name"], *e.get("aliases", [])]) if n)


def _band(c: float | None) -> int:
    if c is None:
        return 0
    for i, (lo, hi) in enumerate(BANDS):
        if lo <= c < hi:
            return i
    return len(BANDS) - 1


def evaluate(graph: "str | os.PathLike | KnowledgeGraph", gold_path: str | os.PathLike) -> EvalReport:
    """Score ``graph`` against the gold JSONL file ``gold_path`` with the shared scorer's rules.

    Args:
        graph: a :class:`kg.KnowledgeGraph`, an RDF file (.ttl, .nt, .nq, .trig) or a store directory.
        gold_path: gold annotations, one JSON paper a line.
    Returns:
        an :class:`EvalReport` (``.scores`` equal to ``score.py``'s output, ``.papers``, ``.bands``).
    Raises:
        SourceError: the gold file is missing or malformed. StoreError: the graph cannot be read.

    >>> r = evaluate("tests/data/small.ttl", "tests/data/small_gold.jsonl")
    >>> r.scores["Dataset"]["tp"], r.scores["proposed"]["f1"]
    (4, 0.8)
    """
    from .knowledge_graph import KnowledgeGraph, load

    kg = graph if isinstance(graph, KnowledgeGraph) else load(graph)
    found, pred = _predictions(kg)
    gold = _read_gold(gold_path)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    band_counts = [[0, 0] for _ in BANDS]
    papers: list[PaperErrors] = []
    missing = 0
    for doc in gold:
        k = title_key(doc["title"])
        pe = PaperErrors(doc["title"], found=k in found)
        if k not in found:
            missing += 1
        pr = pred.get(k, _Pred())
        ents = doc.get("entities", [])
        g_typed = [(e["type"], _names(e)) for e in ents]
        for t in TYPES:
            gi = [i for i, x in enumerate(g_typed) if x[0] == t]
            gt = [g_typed[i] for i in gi]
            pt = [x for x in pr.typed if x[0] == t]
            tp, g_hit, p_hit = _match(gt, pt)
            c = counts[t]
            c[0] += tp
            c[1] += len(pt)
            c[2] += len(gt)
            pe.missing += [(t, ents[gi[j]]["name"]) for j in range(len(gt)) if j not in g_hit]
            pe.spurious += [(t, pr.typed[pt[j]][0]) for j in range(len(pt)) if j not in p_hit]
            for j, item in enumerate(pt):
                b = band_counts[_band(pr.typed[item][1])]
                b[0] += 1
                b[1] += j in p_hit
        gu = [("e", ls) for _, ls in g_typed]
        pu = [("e", ls) for ls in {ls for _, ls in pr.typed}]
        tp, _, _ = _match(gu, pu)
        for i, v in enumerate((tp, len(pu), len(gu))):
            counts["untyped"][i] += v
        for role in ("proposed", "used"):
            ge = [e for e in ents if e.get("role") == role]
            gr = [(role, _names(e)) for e in ge]
            prr = [x for x in pr.roles if x[0] == role]
            tp, g_hit, p_hit = _match(gr, prr)
            for i, v in enumerate((tp, len(prr), len(gr))):
                counts[role][i] += v
            pe.role_missing += [(role, ge[j]["name"]) for j in range(len(gr)) if j not in g_hit]
            pe.role_spurious += [(role, pr.roles[prr[j]]) for j in range(len(prr)) if j not in p_hit]
        gc = {norm_url(u) for u in doc.get("code", [])}
        counts["code"][0] += len(gc & pr.code)
        counts["code"][1] += len(pr.code)
        counts["code"][2] += len(gc)
        pe.missing += [("code", u) for u in sorted(gc - pr.code)]
        pe.spurious += [("code", u) for u in sorted(pr.code - gc)]
        papers.append(pe)
    scores: dict[str, Any] = {k: _prf(*v) for k, v in counts.items()}
    typed = [counts[t] for t in TYPES]
    scores["typed_micro"] = _prf(*(sum(c[i] for c in typed) for i in range(3)))
    scores["papers_missing"] = missing
    scores["papers"] = len(gold)
    bands = [(lo, hi, n, ok, round(ok / n, 3) if n else 0.0) for (lo, hi), (n, ok) in zip(BANDS, band_counts)]
    return EvalReport(scores, papers, bands)



def score_predictions(gold: "Iterable[Any]", predictions: "Iterable[Mapping[str, Any]]",
                      bands: Sequence[tuple[float, float]] = BANDS) -> dict[str, Any]:
    """Score paper-level predictions held in memory (no graph) with the scorer's matching: for
    cross-validation, where each fold's papers are predicted by models that did not see them.

    Params:
      gold: :class:`kg.nlp.gold.GoldPaper` records.
      predictions: one per gold paper, ``{"typed": [(type, labels, confidence)], "roles": [(role, labels)]}``,
        ``labels`` a set of names (they are normalised here).
      bands: confidence bands for the precision-by-confidence table.
    Returns: the scorer's dict (per type, ``proposed``, ``used``, ``typed_micro``) plus ``"bands"``:
      ``[(low, high, n, correct, precision, mean confidence)]``.

    >>> from kg.nlp.gold import GoldPaper, GoldEntity
    >>> g = GoldPaper("1", "T", "A", (GoldEntity("ImageNet", (), "Dataset", "used"),))
    >>> r = score_predictions([g], [{"typed": [("Dataset", {"imagenet"}, 0.9), ("Task", {"x"}, 0.4)], "roles": []}])
    >>> r["typed_micro"]["p"], r["Dataset"]["f1"], [b[2:5] for b in r["bands"] if b[2]]
    (0.5, 1.0, [(1, 0, 0.0), (1, 1, 1.0)])
    """
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    band_counts = [[0, 0, 0.0] for _ in bands]
    for g, pr in zip(gold, predictions):
        g_typed = [(e.type, frozenset(n for n in map(norm, e.forms) if n)) for e in g.entities]
        typed = [(t, frozenset(n for n in map(norm, ls) if n), c) for t, ls, c in pr.get("typed", ())]
        for t in TYPES:
            gt = [x for x in g_typed if x[0] == t]
            pt = [(tt, ls) for tt, ls, _ in typed if tt == t]
            confs = [c for tt, _, c in typed if tt == t]
            tp, _, p_hit = _match(gt, pt)
            for i, v in enumerate((tp, len(pt), len(gt))):
                counts[t][i] += v
            for j, c in enumerate(confs):
                b = band_counts[next((i for i, (lo, hi) in enumerate(bands) if lo <= c < hi), len(bands) - 1)]
                b[0] += 1
                b[1] += j in p_hit
                b[2] += c
        for role in ("proposed", "used"):
            gr = [(role, frozenset(n for n in map(norm, e.forms) if n)) for e in g.entities if e.role == role]
            prr = [(r, frozenset(n for n in map(norm, ls) if n)) for r, ls in pr.get("roles", ()) if r == role]
            tp, _, _ = _match(gr, prr)
            for i, v in enumerate((tp, len(prr), len(gr))):
                counts[role][i] += v
    out: dict[str, Any] = {k: _prf(*counts[k]) for k in (*TYPES, "proposed", "used")}
    out["typed_micro"] = _prf(*(sum(counts[t][i] for t in TYPES) for i in range(3)))
    out["bands"] = [(lo, hi, n, ok, round(ok / n, 3) if n else 0.0, round(s / n, 3) if n else 0.0)
                    for (lo, hi), (n, ok, s) in zip(bands, band_counts)]
    return out
