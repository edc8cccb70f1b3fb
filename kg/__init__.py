"""paperkg: a knowledge graph of ML papers, built locally from their text.

>>> import kg
>>> sorted(kg.__all__)
['BuildReport', 'KGError', 'KnowledgeGraph', 'build', 'load', 'nlp']

``import kg`` is cheap and silent: rdflib and spaCy are imported only when first used.
"""
from __future__ import annotations

import importlib
from typing import Any

from .errors import KGError

__all__ = ["build", "load", "nlp", "KnowledgeGraph", "BuildReport", "KGError"]
__version__ = "0.1.0"

_LAZY = {"build": "knowledge_graph", "load": "knowledge_graph", "KnowledgeGraph": "knowledge_graph",
         "BuildReport": "knowledge_graph"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    if name == "nlp":  # a callable module: kg.nlp() returns the spaCy pipeline
        return importlib.import_module(".nlp", __name__)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
