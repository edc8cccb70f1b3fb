"""The interactive HTML explorer: one self-contained page that draws (part of) the graph.

Two steps, each usable alone:

* :func:`explorer_data` reads the graph (the ``kgo:`` vocabulary only) into plain, sorted data:
  nodes (papers, entities, code) and paper → entity edges with their best evidence, optionally
  around a focus and within a node budget. It reads the store through SELECT queries in two steps: the
  skeleton of the graph (every node's id, type and label, every paper → entity pair with its best
  confidence: a few hundred bytes a paper, where the graph holds ~20 KB) to choose what to show, then
  abstracts and evidence for the chosen nodes and links only;
* :func:`render_html` turns that data into a page made with pyvis: vis-network's JS and CSS are
  inlined from the pyvis package, every CDN reference pyvis emits is removed, and a
  Content-Security-Policy forbids the page any network request.

Text from the graph (titles, abstracts, labels, URLs) never becomes markup: pyvis embeds node data
with Jinja's ``tojson`` (which escapes ``<``, ``>``, ``&`` and ``'`` as ``\\u003c`` …), tooltips and
the details panel are built in the browser with ``textContent`` (see ``templates/explorer.js``), and
the few strings put into HTML here go through :func:`html.escape`.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import logging
import math
import re
from collections import Counter, defaultdict, deque
from difflib import get_close_matches
from html.parser import HTMLParser
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import Any, Iterable

from typing import TYPE_CHECKING

from .atomic import atomic_file
from .errors import ViewError
from .vocab import ENTITY_TYPES, KGO_NS, LINK_PROPERTIES, USES_PROPERTY, sub_properties

if TYPE_CHECKING:
    from rdflib import Graph

    from .store import Store

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
#: Node types in display order (legend, trimming ties).
NODE_TYPES = ("Paper", *ENTITY_TYPES, "Code")
_ENTITY_TYPES = ENTITY_TYPES
#: Paper → object properties read, most specific / most telling first: an edge is named by the
#: first of these among its properties.
RELATIONS = LINK_PROPERTIES
#: The sub-properties of each super-property of the ``kgo:uses`` family (kg.vocab, in sync with the
#: ontology): a super-property asserted beside one of them adds nothing.
SUB_PROPERTIES = {p: sub_properties(p) for p in RELATIONS if sub_properties(p)}
_RELATION_TEXT = {
    "proposes": "proposes", "evaluatesOn": "evaluates on", "trainsOn": "trains on", "comparesWith": "compares with",
    "usesDataset": "uses dataset", "usesArchitecture": "uses architecture", "usesMethod": "uses method",
    "uses": "uses", "addressesTask": "addresses task", "reportsMetric": "reports metric", "hasCode": "has code",
    "cooccurs": "used together with",
}

# ---- look (render_html) ----
#: Colours: the Okabe–Ito palette (distinguishable with the common colour-vision deficiencies).
_COLOURS = {"Paper": "#0072B2", "Method": "#E69F00", "Architecture": "#009E73", "Dataset": "#CC79A7",
            "Task": "#D55E00", "Metric": "#56B4E9", "Code": "#666666"}
#: vis-network shapes that draw the label below the node, so that ``size`` applies.
_SHAPES = {"Paper": "square", "Method": "dot", "Architecture": "diamond", "Dataset": "hexagon",
           "Task": "star", "Metric": "triangleDown", "Code": "triangle"}
#: Edge styles by group: (legend text, colour, width, dashes).
_EDGE_STYLES = {
    "proposes": ("proposes", "#222222", 3.0, False),
    "uses": ("uses (method, architecture, dataset, trains / evaluates on)", "#9a9a9a", 1.5, False),
    "comparesWith": ("compares with", "#9a9a9a", 1.5, [8, 5]),
    "addressesTask": ("addresses task", "#e8a27c", 1.5, [3, 4]),
    "reportsMetric": ("reports metric", "#56B4E9", 1.5, [3, 4]),
    "hasCode": ("has code", "#666666", 1.5, [8, 5]),
    "cooccurs": ("used together (thicker: more papers)", "#8c8c8c", 1.0, False),
}
#: Longest label drawn on the canvas (the full text is in the tooltip and the details panel).
_LABEL_CHARS = {"Paper": 42}
_LABEL_CHARS_DEFAULT = 32
#: Characters of the abstract shown in a paper's tooltip.
_ABSTRACT_SNIPPET = 300
#: Node radius in px: base + per-degree growth (sqrt, so hubs stand out without swamping), capped.
_SIZE_BASE, _SIZE_PER_SQRT_DEGREE, _SIZE_MAX = 9.0, 5.0, 45.0
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
#: Label size in px at zoom 1 grows with the node's links, so that hubs stay readable when zoomed out;
#: labels smaller than _LABEL_MIN_SCREEN_PX on screen are hidden until one zooms in (a 300-node view
#: fitted to the window then names only its hubs instead of drawing a smear of text).
_FONT_BASE, _FONT_PER_SQRT_DEGREE, _FONT_MAX = 14, 4.0, 60
#: An entity's label grows faster: the sample corpus's whole view is fitted at zoom ~0.3, where ImageNet
#: (~30 links shown) gets ~17 px on screen and an entity with 9 links ~11 px; papers' titles stay hidden.
_FONT_PER_SQRT_DEGREE_ENTITY = 8.0
#: …except a paper's: its long title would cover its own entities' labels.
_FONT_MAX_PAPER = 18
#: …and starts smaller, so that in a big view (e.g. the ~190 papers around ImageNet, fitted at zoom ~0.7)
#: the titles of papers with one link show only once one zooms in instead of piling onto each other.
_FONT_PAPER_BASE = 11
#: A view of at most this many nodes is read label by label: every label at one size (no giant hub
#: names over their neighbours), nodes at most _SIZE_MAX_SMALL px, and neighbours _LAYOUT_NEIGHBOUR_PX_SMALL
#: apart so that labels of ~20 characters do not overlap (measured on focus views of the sample corpus:
#: "Consistency Models", 1 hop, 11 nodes; "ImageNet", 1 hop, 60 nodes).
_SMALL_VIEW = 60
_SIZE_MAX_SMALL = 22.0
_LAYOUT_NEIGHBOUR_PX_SMALL = 170.0
#: Entity view: link width 1 px + this per sqrt(papers in common).
_COOCCUR_WIDTH_PER_SQRT = 1.2
_LABEL_MIN_SCREEN_PX = 8
#: …and no label is drawn bigger than this on screen, so that a hub's name sized to be read at the
#: whole view's zoom (~0.3) does not cover the picture once one zooms in (e.g. after a search); done by
#: templates/explorer.js on every zoom (vis-network's own ``scaling.label.maxVisible`` only applies to
#: value-scaled labels), read from ``<body data-label-max>``.
_LABEL_MAX_SCREEN_PX = 20
_HEADER_PX = 48


def _local(prop: Any) -> str | None:
    text = str(prop) if prop is not None else ""
    return text[len(KGO_NS):] if text.startswith(KGO_NS) else None


def _number(value: str | None) -> float | int | None:
    """A literal's value as a number (integers stay int, others rounded to 3 places), or None."""
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        pass
    try:
        number = float(value)
    except ValueError:
        return None
    return round(number, 3) if math.isfinite(number) else None


def _norm(text: str) -> str:
    return " ".join(str(text).casefold().split())


def _code_label(url: str) -> str:
    short = re.sub(r"^[a-z][a-z0-9+.-]*://(www\.)?", "", url, flags=re.I).rstrip("/")
    return short or url


def _smallest(current: str | None, value: str | None) -> str | None:
    """Of several values, the smallest (deterministic when a node has several titles, labels …)."""
    if value is None:
        return current
    return value if current is None or value < current else current


#: IRIs in a VALUES block: an IRI the store holds was checked by Oxigraph and has none of these.
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
#: Nodes (or links) per VALUES block when details are read for what a view shows: a 300-node view's
#: ~450 links in one query; the query text stays ~100 KB.
_VALUES_BATCH = 500

_Q_PAPERS = ("SELECT ?p ?title ?url WHERE { ?p a kgo:Paper OPTIONAL { ?p dcterms:title ?title } "
             "OPTIONAL { ?p schema:url ?url } }")
_Q_ENTITIES = ("SELECT ?e ?c ?label WHERE { VALUES ?c { " + " ".join(f"kgo:{t}" for t in ENTITY_TYPES) + " } "
               "?e a ?c OPTIONAL { ?e rdfs:label ?label } }")
_Q_ALIASES = ("SELECT ?e ?alias WHERE { VALUES ?c { " + " ".join(f"kgo:{t}" for t in ENTITY_TYPES) + " } "
              "?e a ?c ; skos:altLabel ?alias }")
_Q_PAIRS = "SELECT ?s ?rel ?o WHERE { VALUES ?rel { " + " ".join(f"kgo:{r}" for r in RELATIONS) + " } ?s ?rel ?o }"
_Q_CONFIDENCE = ("SELECT ?p ?o (MAX(?c) AS ?conf) WHERE { ?ev a kgo:Evidence ; kgo:paper ?p ; kgo:entity ?o ; "
                 "kgo:confidence ?c } GROUP BY ?p ?o")
_Q_PAPER_DETAILS = "SELECT ?p ?abstract WHERE { VALUES ?p { %s } OPTIONAL { ?p kgo:abstract ?abstract } }"
_Q_EVIDENCE = ("SELECT ?p ?o ?ev ?prop ?mention ?sentence ?start ?end ?ss ?conf WHERE { VALUES (?p ?o) { %s } "
               "?ev a kgo:Evidence ; kgo:paper ?p ; kgo:entity ?o . OPTIONAL { ?ev kgo:property ?prop } "
               "OPTIONAL { ?ev kgo:mention ?mention } OPTIONAL { ?ev kgo:sentence ?sentence } "
               "OPTIONAL { ?ev kgo:start ?start } OPTIONAL { ?ev kgo:end ?end } "
               "OPTIONAL { ?ev kgo:sentenceStart ?ss } OPTIONAL { ?ev kgo:confidence ?conf } }")


def _iri(value: str) -> str:
    if _NOT_IN_IRI.search(value):
        raise ViewError(f"{value!r} is not an IRI the store could hold")
    return f"<{value}>"


def _batches(items: list, size: int = _VALUES_BATCH) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _read(store: Store, confidences: bool = True) -> tuple[dict[str, dict], list[dict]]:
    """The skeleton: every paper, entity and code node (id, type, label; aliases of entities) and every
    paper → entity or code edge with its best confidence (``confidences``; else ``None`` until
    :func:`_fill_details` reads the shown edges' evidence, which gives it: the aggregate over all evidence
    is a third of the reading); evidence and abstracts come later (:func:`_fill_details`)."""
    titles: dict[str, tuple[str | None, str | None]] = {}
    for p, title, url in store.rows(_Q_PAPERS):
        old_title, old_url = titles.get(p, (None, None))
        titles[p] = (_smallest(old_title, title), _smallest(old_url, url))
    nodes: dict[str, dict] = {}
    for p in sorted(titles):
        title, url = titles[p]
        nodes[p] = {"id": p, "type": "Paper", "label": title if title is not None else p,
                    "title": title if title is not None else "", "abstract": "", "url": url, "code": []}
    del titles
    rank = {t: i for i, t in enumerate(_ENTITY_TYPES)}
    entity_rows: dict[str, tuple[int, str | None]] = {}
    for e, c, label in store.rows(_Q_ENTITIES):
        t = _local(c)
        if e in nodes:
            log.debug("%s has several node types; keeping %s", e, nodes[e]["type"])
            continue
        old = entity_rows.get(e)
        if old is None or rank[t] < old[0]:
            entity_rows[e] = (rank[t], label)
        elif rank[t] == old[0]:
            entity_rows[e] = (old[0], _smallest(old[1], label))
    aliases: dict[str, set[str]] = defaultdict(set)
    for e, alias in store.rows(_Q_ALIASES):
        aliases[e].add(alias)
    for e in sorted(entity_rows):
        t, label = entity_rows[e]
        label = label if label is not None else e.rstrip("/").rsplit("/", 1)[-1]
        nodes[e] = {"id": e, "type": _ENTITY_TYPES[t], "label": label,
                    "aliases": sorted(aliases.get(e, set()) - {label}, key=lambda a: (a.casefold(), a))}
    del aliases

    pairs: dict[tuple[str, str], set[str]] = defaultdict(set)
    skipped = 0
    for s_, rel_iri, o in store.rows(_Q_PAIRS):
        rel = _local(rel_iri)
        if nodes.get(s_, {}).get("type") != "Paper":
            continue
        if rel == "hasCode":
            if o not in nodes:
                nodes[o] = {"id": o, "type": "Code", "label": _code_label(o), "url": o}
            elif nodes[o]["type"] != "Code":
                skipped += 1
                continue
        elif nodes.get(o, {}).get("type") not in _ENTITY_TYPES:
            skipped += 1
            continue
        pairs[(nodes[s_]["id"], nodes[o]["id"])].add(rel)  # the nodes' own strings: one copy of each IRI
    if skipped:
        log.warning("%d paper links point to something that is not a typed entity or code; left out", skipped)
    confidence: dict[tuple[str, str], float | None] = {}
    for p, o, conf in store.rows(_Q_CONFIDENCE) if confidences else ():
        if (p, o) in pairs:
            confidence[(p, o)] = _number(conf)

    edges = []
    for (s_, o), rels in sorted(pairs.items()):
        specific = sorted((r for r in rels if not SUB_PROPERTIES.get(r, frozenset()) & rels), key=RELATIONS.index)
        edges.append({"source": s_, "target": o, "relation": specific[0], "relations": specific, "evidence": None,
                      "confidence": confidence.get((s_, o))})
    return nodes, edges


def _fill_details(store: Store, nodes: list[dict], edges: list[dict]) -> None:
    """Abstracts and URLs of the papers among ``nodes``, and the best evidence of each of ``edges`` (the
    most confident; ties: the one naming the edge's relation, then the first in the text)."""
    papers = [n for n in nodes if n["type"] == "Paper"]
    by_id = {n["id"]: n for n in papers}
    for batch in _batches(sorted(by_id)):
        found: dict[str, str | None] = {}
        for p, abstract in store.rows(_Q_PAPER_DETAILS % " ".join(_iri(i) for i in batch)):
            found[p] = _smallest(found.get(p), abstract)
        for p, abstract in found.items():
            by_id[p]["abstract"] = abstract if abstract is not None else ""
    wanted = {(e["source"], e["target"]): e for e in edges}
    evidence: dict[tuple[str, str], dict[str, dict]] = defaultdict(dict)
    for batch in _batches(sorted(wanted)):
        values = " ".join(f"({_iri(p)} {_iri(o)})" for p, o in batch)
        for p, o, ev, prop, mention, sentence, start, end, ss, conf in store.rows(_Q_EVIDENCE % values):
            record = evidence[(p, o)].setdefault(ev, {})
            for key, value in (("prop", prop), ("mention", mention), ("sentence", sentence), ("start", start),
                               ("end", end), ("ss", ss), ("conf", conf)):
                if value is not None:
                    record[key] = _smallest(record.get(key), value)
    for pair, edge in wanted.items():
        records = [{"relation": _local(r.get("prop")), "mention": r.get("mention", ""),
                    "sentence": r.get("sentence", ""), "start": _number(r.get("start")),
                    "end": _number(r.get("end")), "sentence_start": _number(r.get("ss")),
                    "confidence": _number(r.get("conf"))} for r in evidence.get(pair, {}).values()]
        primary = edge["relation"]
        edge["evidence"] = min(records, default=None, key=lambda ev: (
            -(ev["confidence"] if ev["confidence"] is not None else -1.0), ev["relation"] != primary,
            ev["start"] if ev["start"] is not None else math.inf, ev["end"] or 0, ev["mention"], ev["sentence"]))
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

    store = _as_store(graph)
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
        entities = sorted((i for i in candidates - keep if nodes[i]["type"] in _ENTITY_TYPES), key=rank)
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


def _as_store(graph: Store | Graph) -> Store:
    from .store import Store

    if isinstance(graph, Store):
        return graph
    return Store.in_memory(graph)


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


# ---------------------------------------------------------------------------------------------- render


def _truncate(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;:-") + "…"


def _edge_group(relation: str) -> str:
    if relation in ("proposes", "comparesWith", "addressesTask", "reportsMetric", "hasCode", "cooccurs"):
        return relation
    return "uses"


def _node_tip(n: dict, entity_view: bool = False) -> list[list[str]]:
    if n["type"] == "Paper":
        lines = [["head", n.get("title") or n["label"]], ["meta", "Paper" + (f" · {n['url']}" if n.get("url") else "")]]
        if n.get("abstract"):
            lines.append(["text", _truncate(n["abstract"], _ABSTRACT_SNIPPET)])
        lines += [["code", f"code: {u}"] for u in n.get("code", ())]
        return lines
    if n["type"] == "Code":
        return [["head", n.get("url") or n["label"]], ["meta", f"Code repository · {n.get('degree', 0)} paper(s)"]]
    lines = [["head", n["label"]], ["meta", f"{n['type']} · linked to {n.get('degree', 0)} paper(s)"]]
    if entity_view:
        lines[1][1] = f"{n['type']} · used by {n.get('degree', 0)} paper(s)"
    if n.get("aliases"):
        lines.append(["text", "also written: " + ", ".join(n["aliases"])])
    return lines


def _edge_tip(e: dict, labels: dict[str, str]) -> list[list[str]]:
    if e["relation"] == "cooccurs":
        return [["head", f"{labels.get(e['source'], e['source'])} — {labels.get(e['target'], e['target'])}"],
                ["meta", f"used together in {e.get('papers', 0)} paper(s)"],
                *[["text", t] for t in e.get("titles", ())]]
    lines = [["head", f"{_truncate(labels.get(e['source'], e['source']), 60)} — "
                      f"{_RELATION_TEXT.get(e['relation'], e['relation'])} → {labels.get(e['target'], e['target'])}"]]
    if len(e.get("relations", ())) > 1:
        lines.append(["meta", "asserted as: " + ", ".join(e["relations"])])
    ev = e.get("evidence")
    if ev:
        lines.append(["text", f"“{ev['sentence']}”"])
        conf = f"{ev['confidence']:.2f}" if isinstance(ev.get("confidence"), (int, float)) else "?"
        lines.append(["meta", f"mention “{ev['mention']}” · confidence {conf}"])
    else:
        lines.append(["meta", "no evidence recorded"])
    return lines


def _positions(data: dict, spacing: float = _LAYOUT_NEIGHBOUR_PX) -> dict[str, tuple[float, float]] | None:
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


def _legend_svg(kind: str, colour: str, dashes: Any = False, width: float = 1.5) -> str:
    c = html.escape(colour)
    shapes = {
        "dot": f'<circle cx="8" cy="8" r="6" fill="{c}"/>',
        "square": f'<rect x="2" y="2" width="12" height="12" fill="{c}"/>',
        "diamond": f'<polygon points="8,1 15,8 8,15 1,8" fill="{c}"/>',
        "hexagon": f'<polygon points="4,2 12,2 16,8 12,14 4,14 0,8" fill="{c}"/>',
        "star": f'<polygon points="8,1 10,6 15,6 11,9.5 12.5,15 8,11.5 3.5,15 5,9.5 1,6 6,6" fill="{c}"/>',
        "triangleDown": f'<polygon points="1,3 15,3 8,15" fill="{c}"/>',
        "triangle": f'<polygon points="8,1 15,14 1,14" fill="{c}"/>',
    }
    if kind == "edge":
        dash = f' stroke-dasharray="{dashes[0]},{dashes[1]}"' if dashes else ""
        return (f'<svg width="28" height="16" aria-hidden="true"><line x1="1" y1="8" x2="27" y2="8" stroke="{c}" '
                f'stroke-width="{width}"{dash}/></svg>')
    return f'<svg width="16" height="16" aria-hidden="true">{shapes[kind]}</svg>'


def _legend(data: dict) -> str:
    counts = data.get("counts", {}).get("nodes", {})
    items = []
    for t in NODE_TYPES:
        if counts.get(t):
            items.append(f'<li data-type="{t}"><label><input type="checkbox" class="kg-filter" value="{t}" checked '
                         f'aria-label="show {t} nodes">{_legend_svg(_SHAPES[t], _COLOURS[t])}<span>{t}</span></label>'
                         f'<span class="kg-count">{counts[t]}</span></li>')
    groups = sorted({_edge_group(e["relation"]) for e in data["edges"]}, key=list(_EDGE_STYLES).index)
    links = []
    for gname in groups:
        text, colour, width, dashes = _EDGE_STYLES[gname]
        links.append(f'<li data-relation="{gname}">{_legend_svg("edge", colour, dashes, width)}'
                     f'<span>{html.escape(text)}</span></li>')
    parts = ['<div id="kg-legend" role="note" aria-label="legend">', "<h2>Nodes</h2>", "<ul>", *items, "</ul>"]
    if links:
        parts += ["<h2>Links</h2>", "<ul>", *links, "</ul>"]
    if any(isinstance(e.get("confidence"), (int, float)) for e in data["edges"]):
        parts.append('<div id="kg-confidence"><label for="kg-min-confidence">Hide links below confidence '
                     '<output id="kg-confidence-value" for="kg-min-confidence">0.00</output></label>'
                     '<input id="kg-min-confidence" type="range" min="0" max="1" step="0.05" value="0"></div>')
    parts.append('<div id="kg-visible" aria-live="polite"></div>')
    parts.append(_omitted(data))
    size_text = "number of papers" if data.get("kind") == "entities" else "links shown"
    parts += [f'<div class="kg-hint">Node size: {size_text}. Untick a type to hide it. Hover for details, '
              'click for the full record, scroll to zoom.</div>', "</div>"]
    return "\n".join(parts)


def _stats(data: dict) -> str:
    """The header line: what is shown, of how much, around what (escaped HTML)."""
    shown = len(data["nodes"])
    links = len(data["edges"])
    total = data.get("total") or {}
    text = f"{shown} nodes · {links} links"
    if total and (total.get("nodes"), total.get("edges")) != (shown, links):
        text = f"{shown} of {total.get('nodes')} nodes · {links} of {total.get('edges')} links"
    focus = data.get("focus")
    if data.get("kind") == "entities":
        text += " · methods, architectures and datasets used together"
    if focus:
        text += f" · around “{focus['query']}”, {focus['hops']} hop{'s' if focus['hops'] != 1 else ''}"
    if data.get("min_confidence"):
        text += f" · confidence ≥ {data['min_confidence']:g}"
    if not data["nodes"]:
        text += " · the graph is empty"
    return html.escape(text)


def _omitted(data: dict) -> str:
    """The legend's note on what the budget left out (escaped HTML; empty when nothing was)."""
    omitted = (data.get("omitted") or {}).get("nodes") or {}
    if not omitted:
        return ""
    rows = "".join(f"<li>{html.escape(t)}<span class=\"kg-count\">{int(n)}</span></li>" for t, n in omitted.items())
    return (f'<div class="kg-omitted" data-omitted="{sum(omitted.values())}"><h2>Not shown</h2>'
            f"<p>{_kept_text(data)}; left out:</p><ul>{rows}<li>links<span class=\"kg-count\">{int(data['omitted'].get('edges', 0))}</span></li>"
            "</ul><p>Focus on a node (and its hops) or raise the budget to see them.</p></div>")


def _kept_text(data: dict) -> str:
    budget = html.escape(str(data.get("budget")))
    if data.get("kind") == "entities":
        return f"The budget of {budget} nodes keeps the entities used by most papers"
    return (f"The budget of {budget} nodes keeps the entities most papers link to, then papers with what "
            "they propose and their code")


def _asset(name: str) -> str:
    try:
        return resources.files("kg").joinpath("templates", name).read_text(encoding="utf-8")
    except (FileNotFoundError, OSError) as err:
        raise ViewError(f"the explorer asset kg/templates/{name} is missing ({err}); reinstall paperkg") from err


class _PageCheck(HTMLParser):
    """Collects what in a page could load something or run code that is not ours."""

    _LOADING = {"script": "src", "link": "href", "img": "src", "iframe": "src", "embed": "src", "object": "data",
                "audio": "src", "video": "src", "source": "src", "base": "href", "frame": "src"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in self._LOADING and a.get(self._LOADING[tag]):
            self.problems.append(f"<{tag} {self._LOADING[tag]}={a[self._LOADING[tag]]!r}>")
        self.problems += [f"<{tag} {k}=…>" for k in a if k.startswith("on")]


_REMOTE_LINK = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*", re.I)
_REMOTE_SCRIPT = re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*</script>\s*", re.I)
_EMPTY_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>\s*", re.I)
_SCRIPT_BODY = re.compile(r"<script\b[^>]*>(.*?)</script>", re.I | re.S)


def render_html(data: dict, *, title: str = "paperkg explorer") -> str:
    """Draw explorer data (from :func:`explorer_data`) as one self-contained HTML page.

    The page is made with pyvis (``cdn_resources="in_line"``): vis-network's JS and CSS come inline from
    the pyvis package and the Bootstrap ``<link>``/``<script>`` tags pyvis points at a CDN are removed, so
    the page works offline and makes no network request (its Content-Security-Policy forbids any). Node
    positions come from a seeded networkx spring layout and physics is off; for 500 nodes and more
    without scipy the browser lays the graph out once and then stops.

    Params:
        data: the dict :func:`explorer_data` returns.
        title: the page title (text, escaped).

    Returns:
        The page as a string.

    Raises:
        ViewError: ``data`` is not explorer data, or the page would still load something from outside.

    >>> page = render_html({"nodes": [], "edges": []}, title="<empty>")
    >>> "<title>&lt;empty&gt;</title>" in page
    True
    """
    from pyvis.network import Network

    if not isinstance(data, dict) or not isinstance(data.get("nodes"), list) or not isinstance(data.get("edges"), list):
        raise ViewError("render_html needs the dict explorer_data returns (with 'nodes' and 'edges' lists)")
    try:
        ids = {n["id"] for n in data["nodes"]}
        labels = {n["id"]: n["label"] for n in data["nodes"]}
        bad = [e for e in data["edges"] if e["source"] not in ids or e["target"] not in ids]
    except (KeyError, TypeError) as err:
        raise ViewError(f"explorer data has a node or edge without {err}") from err
    if bad:
        raise ViewError(f"explorer data has an edge to a node it does not list: {bad[0]['source']} → {bad[0]['target']}")

    entity_view = data.get("kind") == "entities"
    small = len(data["nodes"]) <= _SMALL_VIEW
    positions = _positions(data, _LAYOUT_NEIGHBOUR_PX_SMALL if small else _LAYOUT_NEIGHBOUR_PX)
    # Size by links in this view (a hub of the corpus is not big in a focus view where it has one
    # link); an entity view sizes by number of papers.
    shown: Counter = Counter()
    for e in data["edges"]:
        shown[e["source"]] += 1
        shown[e["target"]] += 1
    net = Network(height=f"calc(100vh - {_HEADER_PX}px)", width="100%", directed=not entity_view, heading="",
                  cdn_resources="in_line")
    for n in data["nodes"]:
        t = n["type"]
        colour = _COLOURS.get(t, "#888888")
        extra = {"x": positions[n["id"]][0], "y": positions[n["id"]][1]} if positions else {}
        weight = math.sqrt(n.get("degree", 0) if entity_view else shown[n["id"]])
        size = min(_SIZE_MAX_SMALL if small else _SIZE_MAX, _SIZE_BASE + _SIZE_PER_SQRT_DEGREE * weight)
        if small:
            font = _FONT_BASE
        elif t == "Paper":
            font = min(_FONT_MAX_PAPER, _FONT_PAPER_BASE + _FONT_PER_SQRT_DEGREE * max(0.0, weight - 1))
        else:
            font = min(_FONT_MAX, _FONT_BASE + _FONT_PER_SQRT_DEGREE_ENTITY * weight)
        # No "title" key: pyvis switches to an innerHTML popup when a title contains "href"; the
        # tooltip is set in the browser from "tip" as a DOM element instead (templates/explorer.js).
        net.add_node(n["id"], label=_truncate(n["label"], _LABEL_CHARS.get(t, _LABEL_CHARS_DEFAULT)) or "?",
                     shape=_SHAPES.get(t, "dot"), color={"background": colour, "border": colour,
                                                          "highlight": {"background": colour, "border": "#000000"},
                                                          "hover": {"background": colour, "border": "#000000"}},
                     size=round(size, 1), font={"size": round(font, 1)},
                     tip=_node_tip(n, entity_view),
                     kg={"type": t, "title": n.get("title") or n["label"], "abstract": n.get("abstract", ""),
                         "aliases": n.get("aliases", []), "code": n.get("code", []), "url": n.get("url"),
                         "degree": n.get("degree", 0), "papers": n.get("papers")},
                     **extra)
    for e in data["edges"]:
        _, colour, width, dashes = _EDGE_STYLES[_edge_group(e["relation"])]
        if e["relation"] == "cooccurs":
            width = round(1.0 + _COOCCUR_WIDTH_PER_SQRT * (math.sqrt(e.get("papers", 1)) - 1), 1)
        net.add_edge(e["source"], e["target"], color={"color": colour, "highlight": "#000000", "hover": "#000000"},
                     width=width, dashes=dashes, tip=_edge_tip(e, labels),
                     kg={"relation": e["relation"], "relations": e.get("relations", [e["relation"]]),
                         "relation_text": _RELATION_TEXT.get(e["relation"], e["relation"]),
                         "evidence": e.get("evidence"), "confidence": e.get("confidence"),
                         "papers": e.get("papers"), "titles": e.get("titles")})
    options = {
        "nodes": {"font": {"size": 14, "face": "sans-serif", "strokeWidth": 4, "strokeColor": "#ffffff"},
                  "borderWidth": 1, "scaling": {"label": {"drawThreshold": _LABEL_MIN_SCREEN_PX}}},
        "edges": {"smooth": False, "arrows": {"to": {"enabled": not entity_view, "scaleFactor": 0.5}},
                  "selectionWidth": 2, "hoverWidth": 1},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": len(data["edges"]) > 1000,
                        "navigationButtons": False, "keyboard": False},
        "layout": {"improvedLayout": False},
        "physics": {"enabled": False},
    }
    if positions is None:
        options["physics"] = {"enabled": True, "solver": "forceAtlas2Based",
                              "stabilization": {"enabled": True, "iterations": 300, "fit": True}}
    # pyvis's set_options drops every space of the JSON: the options above hold none in their strings.
    net.set_options(json.dumps(options))
    page = net.generate_html()
    return _finish(page, data, title, physics="stabilise" if positions is None else "off")


def _finish(page: str, data: dict, title: str, physics: str) -> str:
    """Strip pyvis's CDN tags, add our head, header, legend and script, and lock the page down."""
    page = _REMOTE_LINK.sub("", page)
    page = _REMOTE_SCRIPT.sub("", page)
    page = _EMPTY_HEADING.sub("", page)
    esc_title = html.escape(title)
    head = (f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{esc_title}</title>\n'
            f"<style>{_asset('explorer.css')}</style>\n")
    body = (f'<header id="kg-header"><h1>{esc_title}</h1><div id="kg-stats">{_stats(data)}</div>'
            '<input id="kg-search" type="search" list="kg-names" placeholder="Find a paper or entity…" '
            'aria-label="find a node"><datalist id="kg-names"></datalist></header>\n'
            f"{_legend(data)}\n<aside id=\"kg-panel\" hidden></aside>\n")
    if "</head>" not in page or "<body>" not in page or "</body>" not in page:
        raise ViewError("the pyvis template changed shape (no </head>, <body> or </body>); update kg/view.py")
    page = page.replace("</head>", head + "</head>", 1)
    page = page.replace("<body>", f'<body data-physics="{physics}" data-label-max="{_LABEL_MAX_SCREEN_PX}">\n'
                        + body, 1)
    page = page.replace("</body>", f"<script>{_asset('explorer.js')}</script>\n</body>", 1)
    # Content-Security-Policy: no network at all; only the inline scripts written here run (by hash), so
    # neither an injected <script> nor an on…= attribute could.
    hashes = sorted({"'sha256-" + base64.b64encode(hashlib.sha256(m.group(1).encode("utf-8")).digest()).decode() + "'"
                     for m in _SCRIPT_BODY.finditer(page)})
    csp = ("default-src 'none'; script-src " + " ".join(hashes) + "; style-src 'unsafe-inline'; "
           "img-src data:; font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'")
    page = page.replace("<head>", f'<head>\n<meta http-equiv="Content-Security-Policy" content="{csp}">', 1)
    page = "<!DOCTYPE html>\n" + page.replace("<html>", '<html lang="en">', 1)
    check = _PageCheck()
    check.feed(page)
    check.close()
    if check.problems:
        raise ViewError(f"the explorer page would load or run something not its own: {check.problems[:3]}")
    return page


def write_explorer(graph: Store | Graph, path: str | PathLike, *, title: str = "paperkg explorer", **options: Any) -> Path:
    """Write the explorer page of ``graph`` to ``path`` (:func:`explorer_data` + :func:`render_html`).

    The page goes to a temporary file renamed into place only once complete: a failure leaves no file
    (and an existing one as it was).

    Params:
        graph: the store (or rdflib graph) to draw.
        path: where to write the HTML page (its folder is created).
        title: the page title.
        **options: ``focus``, ``hops``, ``budget``, ``min_confidence`` for :func:`explorer_data`.

    Returns:
        The path written.

    Raises:
        ViewError: as :func:`explorer_data` and :func:`render_html`; TypeError for an unknown option.
        OSError: the file cannot be written.

    >>> import tempfile, pathlib
    >>> from rdflib import Graph
    >>> p = write_explorer(Graph(), pathlib.Path(tempfile.mkdtemp()) / "explorer.html")
    >>> p.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    True
    """
    page = render_html(explorer_data(graph, **options), title=title)
    path = Path(path)
    with atomic_file(path, "w", encoding="utf-8") as f:
        f.write(page)
    log.info("wrote the explorer (%d bytes) to %s", len(page), path)
    return path


__all__ = ["explorer_data", "render_html", "write_explorer", "DEFAULT_BUDGET", "DEFAULT_HOPS", "NODE_TYPES",
           "ViewError"]
