"""The explorer's page: the data of :mod:`kg.view.data` drawn as one self-contained HTML page with pyvis.

vis-network's JS and CSS are inlined from the pyvis package, every CDN reference pyvis emits is removed, and a
Content-Security-Policy forbids the page any network request. Text from the graph (titles, abstracts, labels,
URLs) never becomes markup: pyvis embeds node data with Jinja's ``tojson`` (which escapes ``<``, ``>``, ``&``
and ``'`` as ``\\u003c`` …), tooltips and the details panel are built in the browser with ``textContent`` (see
``templates/explorer.js``), and the few strings put into HTML here go through :func:`html.escape`.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import logging
import math
import re
from collections import Counter
from html.parser import HTMLParser
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..atomic import atomic_file
from ..errors import ViewError
from .data import NODE_TYPES, explorer_data
from .index import encode_index, read_index
from .layout import _LAYOUT_NEIGHBOUR_PX, community_positions, positions as layout_positions
from .overview import OVERVIEW_SIZE, overview_data

if TYPE_CHECKING:
    from rdflib import Graph

    from ..store import Store

log = logging.getLogger(__name__)

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


#: Overview: a co-usage link is 1 px wide plus up to this (the heaviest link).
_OVERVIEW_MAX_EXTRA_WIDTH = 5.0
#: Overview, on screen at the default zoom: node radius and label size from the least to the most linked
#: entity shown (px). 11 px is the smallest label that stays legible; the largest stay under the 20 px cap.
_OVERVIEW_NODE_PX = (5.0, 16.0)
_OVERVIEW_FONT_PX = (11.0, 19.0)
#: The canvas the overview's labels are fitted to: a 1400×900 window (what tests and benchmarks use, a
#: common laptop size) less the header and the legend (measured in Chromium: 1170×852).
_FIT_WINDOW = (1170, 852)
#: Width of a character and height of a line of label text, in units of the font size (vis-network's
#: sans-serif measures 0.47 on average; a little more keeps a margin between labels).
_CHAR_WIDTH, _LINE_HEIGHT = 0.52, 1.2


def _overview_look(data: dict, positions: dict, top_degree: int) -> dict[str, tuple[float, float]]:
    """Node size and font size (canvas px) of each overview node, chosen on screen at the default zoom (the
    whole view fitted to :data:`_FIT_WINDOW`): nodes :data:`_OVERVIEW_NODE_PX` and labels
    :data:`_OVERVIEW_FONT_PX` px, growing with sqrt(papers / the top entity's). Labels are placed most linked
    first; one that would overlap a placed label gets a font too small to be drawn at that zoom (vis-network
    skips labels under ``drawThreshold`` px on screen), so it shows once one zooms in."""
    if not positions:
        return {}
    xs = [x for x, _ in positions.values()]
    ys = [y for _, y in positions.values()]
    pad = 2 * _OVERVIEW_NODE_PX[1]
    scale = min(_FIT_WINDOW[0] / ((max(xs) - min(xs)) + pad / 0.3 or 1.0),
                _FIT_WINDOW[1] / ((max(ys) - min(ys)) + pad / 0.3 or 1.0))
    for _ in range(3):  # node sizes change the fitted box a little: settle the scale
        look = {}
        for n in data["nodes"]:
            rel = math.sqrt(n.get("degree", 0) / top_degree)
            node_px = _OVERVIEW_NODE_PX[0] + (_OVERVIEW_NODE_PX[1] - _OVERVIEW_NODE_PX[0]) * rel
            font_px = _OVERVIEW_FONT_PX[0] + (_OVERVIEW_FONT_PX[1] - _OVERVIEW_FONT_PX[0]) * rel
            look[n["id"]] = (node_px / scale, font_px / scale)
        width = max(positions[i][0] + look[i][0] for i in look) - min(positions[i][0] - look[i][0] for i in look)
        height = max(positions[i][1] + look[i][0] for i in look) - min(positions[i][1] - look[i][0] for i in look)
        scale = min(_FIT_WINDOW[0] / (width or 1.0), _FIT_WINDOW[1] / (height or 1.0))
    placed: list[tuple[float, float, float, float]] = []
    out = {}
    for n in sorted(data["nodes"], key=lambda n: (-n.get("degree", 0), n["id"])):
        size, font = look[n["id"]]
        label = _truncate(n["label"], _LABEL_CHARS_DEFAULT)
        x, y = positions[n["id"]]
        screen = font * scale
        w, h = len(label) * _CHAR_WIDTH * screen, _LINE_HEIGHT * screen
        top = (y + size) * scale
        box = (x * scale - w / 2, top, x * scale + w / 2, top + h)
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed):
            font = 0.9 * _LABEL_MIN_SCREEN_PX / scale
        else:
            placed.append(box)
        out[n["id"]] = (round(size, 1), round(font, 1))
    return out


def _styles_json() -> str:
    """The look of nodes and edges (colours, shapes, edge styles, relation names, sizes, legend marks) as JSON
    for explorer.js to style what it draws on focus as this module styles the first view (constants only, no
    graph text; escaped for a script element all the same)."""
    styles = {"colours": _COLOURS, "shapes": _SHAPES,
              "edges": {k: {"text": t, "colour": c, "width": w, "dashes": d} for k, (t, c, w, d) in _EDGE_STYLES.items()},
              "relations": _RELATION_TEXT, "size": [_SIZE_BASE, _SIZE_PER_SQRT_DEGREE, _SIZE_MAX_SMALL],
              "font": _FONT_BASE,
              # what explorer.js needs besides, to draw a focus view as render_html draws a view
              "types": list(NODE_TYPES), "size_max": _SIZE_MAX,
              "fonts": {"per_sqrt_degree": _FONT_PER_SQRT_DEGREE, "max": _FONT_MAX,
                        "per_sqrt_degree_entity": _FONT_PER_SQRT_DEGREE_ENTITY, "max_paper": _FONT_MAX_PAPER,
                        "paper_base": _FONT_PAPER_BASE},
              "small_view": _SMALL_VIEW, "neighbour_px": [_LAYOUT_NEIGHBOUR_PX, _LAYOUT_NEIGHBOUR_PX_SMALL],
              "label_chars": _LABEL_CHARS, "label_chars_default": _LABEL_CHARS_DEFAULT,
              "abstract_snippet": _ABSTRACT_SNIPPET,
              "legend": {**{t: _legend_svg(_SHAPES[t], _COLOURS[t]) for t in NODE_TYPES},
                         **{k: _legend_svg("edge", c, d, w) for k, (_, c, w, d) in _EDGE_STYLES.items()}}}
    return json.dumps(styles).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


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
    if data.get("kind") == "overview":
        parts.append(_overview_legend(data))
    size_text = "number of papers" if data.get("kind") in ("entities", "overview") else "links shown"
    parts += [f'<div class="kg-hint">Node size: {size_text}. Untick a type to hide it. Hover for details, '
              'click for the full record, scroll to zoom.</div>', "</div>"]
    return "\n".join(parts)


def _overview_legend(data: dict) -> str:
    """The overview's legend: its communities (named by their most linked entities) and what is not drawn
    (escaped HTML)."""
    groups = "".join(f'<li data-community="{int(c["id"])}">{html.escape(" · ".join(c["names"]))}'
                     f'<span class="kg-count">{int(c["size"])}</span></li>'
                     for c in data.get("communities", [])[:8])
    hidden = data.get("hidden") or {}
    sample = data.get("sample")
    note = (f"{int(hidden.get('papers', 0))} papers and {int(hidden.get('entities', 0))} entities are not drawn: "
            "search for any of them by title, name or alias to draw it with its neighbours.")
    counted = (f" Links: pairs of entities used together, counted on {int(sample)} papers."
               if sample is not None and sample < hidden.get("papers", 0) else
               " Links: pairs of entities used together by most papers.")
    return (f'<div class="kg-overview"><h2>Groups</h2><ul>{groups}</ul>'
            f'<p class="kg-hidden-note">{html.escape(note + counted)}</p></div>')


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
    if data.get("kind") == "overview":
        text = (f"the {shown} most linked entities of {total.get('nodes')} nodes"
                f" ({(data.get('hidden') or {}).get('papers', 0)} papers) · search to focus on any")
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
_SCRIPT_BODY = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.I | re.S)
_DATA_SCRIPT = re.compile(r'\btype="application/(?:octet-stream|json)"')


def render_html(data: dict, *, title: str = "paperkg explorer", index: dict | None = None) -> str:
    """Draw explorer data (from :func:`explorer_data`) as one self-contained HTML page.

    The page is made with pyvis (``cdn_resources="in_line"``): vis-network's JS and CSS come inline from
    the pyvis package and the Bootstrap ``<link>``/``<script>`` tags pyvis points at a CDN are removed, so
    the page works offline and makes no network request (its Content-Security-Policy forbids any). Node
    positions come from a seeded networkx spring layout and physics is off; for 500 nodes and more
    without scipy the browser lays the graph out once and then stops.

    Params:
        data: the dict :func:`explorer_data` (or :func:`kg.view.overview.overview_data`) returns.
        title: the page title (text, escaped).
        index: the whole-graph index (:func:`kg.view.index.read_index`) to embed, with which the page's
            search finds every node and draws its neighbourhood (from the index, or from ``kg serve``).

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

    entity_view = data.get("kind") in ("entities", "overview")
    overview = data.get("kind") == "overview"
    small = len(data["nodes"]) <= _SMALL_VIEW and not overview
    if overview:
        positions = community_positions(data, _LAYOUT_NEIGHBOUR_PX_SMALL)
    else:
        positions = layout_positions(data, _LAYOUT_NEIGHBOUR_PX_SMALL if small else _LAYOUT_NEIGHBOUR_PX)
    # Size by links in this view (a hub of the corpus is not big in a focus view where it has one
    # link); an entity view sizes by number of papers.
    shown: Counter = Counter()
    for e in data["edges"]:
        shown[e["source"]] += 1
        shown[e["target"]] += 1
    top_degree = max((n.get("degree", 0) for n in data["nodes"]), default=1) or 1
    top_papers = max((e.get("papers") or 0 for e in data["edges"]), default=1) or 1
    looks = _overview_look(data, positions, top_degree) if overview else {}
    net = Network(height=f"calc(100vh - {_HEADER_PX}px)", width="100%", directed=not entity_view, heading="",
                  cdn_resources="in_line")
    for n in data["nodes"]:
        t = n["type"]
        colour = _COLOURS.get(t, "#888888")
        extra = {"x": positions[n["id"]][0], "y": positions[n["id"]][1]} if positions else {}
        weight = math.sqrt(n.get("degree", 0) if entity_view else shown[n["id"]])
        if overview:  # sized on screen at the fitted zoom, labels kept apart (_overview_look)
            size, font = looks[n["id"]]
        else:
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
                         "degree": n.get("degree", 0), "papers": n.get("papers"),
                         "community": n.get("community")},
                     **extra)
    for e in data["edges"]:
        _, colour, width, dashes = _EDGE_STYLES[_edge_group(e["relation"])]
        if e["relation"] == "cooccurs" and overview:  # hundreds of papers: relative to the heaviest link
            width = round(1.0 + _OVERVIEW_MAX_EXTRA_WIDTH * math.sqrt(e.get("papers", 1) / top_papers), 1)
        elif e["relation"] == "cooccurs":
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
    return _finish(page, data, title, physics="stabilise" if positions is None else "off", index=index)


def _finish(page: str, data: dict, title: str, physics: str, index: dict | None = None) -> str:
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
    if index is not None:
        # data, not code: a script element of a non-JavaScript type is never run, and base64 holds no "<"
        body += (f'<script type="application/octet-stream" id="kg-index" data-encoding="gzip+base64" '
                 f'data-mode="{html.escape(index.get("mode", ""))}">{encode_index(index)}</script>\n')
        body += (f'<script type="application/json" id="kg-styles">{_styles_json()}</script>\n')
    if "</head>" not in page or "<body>" not in page or "</body>" not in page:
        raise ViewError("the pyvis template changed shape (no </head>, <body> or </body>); update kg/view.py")
    page = page.replace("</head>", head + "</head>", 1)
    page = page.replace("<body>", f'<body data-physics="{physics}" data-label-max="{_LABEL_MAX_SCREEN_PX}">\n'
                        + body, 1)
    page = page.replace("</body>", f"<script>{_asset('explorer.js')}</script>\n</body>", 1)
    # Content-Security-Policy: no network at all; only the inline scripts written here run (by hash), so
    # neither an injected <script> nor an on…= attribute could.
    hashes = sorted({"'sha256-" + base64.b64encode(hashlib.sha256(m.group(2).encode("utf-8")).digest()).decode() + "'"
                     for m in _SCRIPT_BODY.finditer(page) if not _DATA_SCRIPT.search(m.group(1))})
    # connect-src 'self' only for a live page: served by `kg serve`, it asks that server for neighbourhoods
    # (opened from disk, a file: page has no origin it could connect to); every other page connects nowhere
    connect = "'self'" if index is not None and index.get("mode") == "live" else "'none'"
    csp = ("default-src 'none'; script-src " + " ".join(hashes) + "; style-src 'unsafe-inline'; "
           f"img-src data:; font-src data:; connect-src {connect}; form-action 'none'; base-uri 'none'")
    page = page.replace("<head>", f'<head>\n<meta http-equiv="Content-Security-Policy" content="{csp}">', 1)
    page = "<!DOCTYPE html>\n" + page.replace("<html>", '<html lang="en">', 1)
    check = _PageCheck()
    check.feed(page)
    check.close()
    if check.problems:
        raise ViewError(f"the explorer page would load or run something not its own: {check.problems[:3]}")
    return page


def write_explorer(graph: Store | Graph, path: str | PathLike, *, title: str = "paperkg explorer",
                   embed: bool | None = None, **options: Any) -> Path:
    """Write the explorer page of ``graph`` to ``path``: without options the overview
    (:func:`kg.view.overview.overview_data`), else :func:`explorer_data` with them; with the whole-graph index
    (:func:`kg.view.index.read_index`) embedded for search and focus; drawn by :func:`render_html`.

    The page goes to a temporary file renamed into place only once complete: a failure leaves no file
    (and an existing one as it was).

    Params:
        graph: the store (or rdflib graph) to draw.
        path: where to write the HTML page (its folder is created).
        title: the page title.
        embed: embed every link and abstract in the page (focus works from disk) or only the search index
            (focus from ``kg serve``); ``None``: by size (:data:`kg.view.index.EMBED_MAX_PAPERS`).
        **options: ``focus``, ``hops``, ``budget``, ``min_confidence``, ``kind`` for :func:`explorer_data`;
            none, or only ``budget`` (the number of entities): the overview.

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
    from ..reader import as_store

    store = as_store(graph)
    index = read_index(store, embed=embed)
    if set(options) <= {"budget"}:
        data = overview_data(store, index, size=options.get("budget", OVERVIEW_SIZE))
    else:
        data = explorer_data(store, **options)
    page = render_html(data, title=title, index=index)
    path = Path(path)
    with atomic_file(path, "w", encoding="utf-8") as f:
        f.write(page)
    log.info("wrote the explorer (%d bytes) to %s", len(page), path)
    return path


__all__ = ["render_html", "write_explorer"]

