"""The interactive HTML explorer: one self-contained page that draws (part of) the graph.

Three parts, one job each, each usable alone:

* :mod:`kg.view.data` (:func:`explorer_data`): what to show. It reads the graph through :mod:`kg.reader`
  (the one reader, which :func:`kg.export.to_networkx` uses too) into plain, sorted data: nodes (papers,
  entities, code) and paper → entity edges with their best evidence, optionally around a focus and within a
  node budget;
* :mod:`kg.view.layout`: node positions computed in Python (networkx), so the page draws with physics off;
* :mod:`kg.view.page` (:func:`render_html`, :func:`write_explorer`): the page, made with pyvis, offline (no
  CDN) under a Content-Security-Policy, with text from the graph kept inert.
"""
from __future__ import annotations

from .data import (DEFAULT_BUDGET, DEFAULT_HOPS, ENTITY_VIEW_TYPES, HUB_SHARE, KINDS, NODE_TYPES, RELATIONS,
                   SUB_PROPERTIES, explorer_data)
from .layout import LAYOUT_SEED
from .page import render_html, write_explorer

__all__ = ["explorer_data", "render_html", "write_explorer", "DEFAULT_BUDGET", "DEFAULT_HOPS", "HUB_SHARE", "KINDS",
           "ENTITY_VIEW_TYPES", "NODE_TYPES", "RELATIONS", "SUB_PROPERTIES", "LAYOUT_SEED"]
