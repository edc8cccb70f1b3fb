"""paperkg: a knowledge graph of ML papers, built locally from their text.

The public API is what ``__all__`` lists: :func:`build` and :func:`load` give a
:class:`KnowledgeGraph` (``.query()``, ``.papers()``, ``.entities()``, ``.add()``, ``.save()``,
``.to_networkx()``, ``.view()``); a :class:`PaperFilter` picks the papers to read by category, date and
number; :func:`nlp` gives the spaCy pipeline; :mod:`kg.analysis` holds the
networkx analytics; every error raised on purpose is a :class:`KGError`.

>>> import kg
>>> sorted(kg.__all__)
['BuildReport', 'KGError', 'KnowledgeGraph', 'PaperFilter', 'analysis', 'build', 'load', 'nlp']
>>> len(kg.load("tests/data/small.ttl").papers())
3

``import kg`` is cheap and silent: rdflib, networkx and spaCy are imported only when first used.
"""
from __future__ import annotations

import importlib
from typing import Any

from .errors import KGError

__all__ = ["build", "load", "nlp", "KnowledgeGraph", "BuildReport", "PaperFilter", "KGError", "analysis"]
__version__ = "0.1.0"

_LAZY = {"build": "knowledge_graph", "load": "knowledge_graph", "KnowledgeGraph": "knowledge_graph",
         "BuildReport": "knowledge_graph", "PaperFilter": "sources.filters"}
#: Submodules reached as attributes (``kg.analysis.most_used``) without importing them up front.
_SUBMODULES = ("nlp", "analysis")


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    if name in _SUBMODULES:  # kg.nlp is a callable module: kg.nlp() returns the spaCy pipeline
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
