"""paperkg: a knowledge graph of ML papers, built locally from their text.

The public API is what ``__all__`` lists: :func:`build` and :func:`load` give a
:class:`KnowledgeGraph` (``.query()``, ``.named_query()``, ``.papers()``, ``.entities()``, ``.add()``, ``.save()``,
``.to_networkx()``, ``.view()``); a query gives a :class:`QueryResult` (iterate it for its rows); a
:class:`Paper` is one input record and a :class:`PaperFilter` picks the papers to read by category, date and
number; :func:`load_nlp` (also spelt ``kg.nlp()``) gives the spaCy pipeline; :mod:`kg.analysis` holds the
networkx analytics; every error raised on purpose is a :class:`KGError`.

>>> import kg
>>> sorted(kg.__all__)  # doctest: +NORMALIZE_WHITESPACE
['BuildReport', 'KGError', 'KnowledgeGraph', 'Paper', 'PaperFilter', 'QueryResult', 'analysis', 'build', 'load', 'load_nlp', 'nlp']
>>> from importlib.metadata import version
>>> kg.__version__ == version("paperkg")  # single-sourced from pyproject.toml
True
>>> len(kg.load("tests/data/small.ttl").papers())
3

``import kg`` is cheap and silent: rdflib, networkx and spaCy are imported only when first used. Type checkers
see every public name through the imports under ``TYPE_CHECKING`` below; at run time ``__getattr__`` imports
each on first use.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import KGError

if TYPE_CHECKING:
    from spacy.language import Language

    from . import analysis, nlp
    from .knowledge_graph import BuildReport, KnowledgeGraph, build, load
    from .records import Paper
    from .results import QueryResult
    from .sources.filters import PaperFilter

    __version__: str

__all__ = ["build", "load", "load_nlp", "nlp", "KnowledgeGraph", "BuildReport", "QueryResult", "Paper",
           "PaperFilter", "KGError", "analysis"]

_LAZY = {"build": "knowledge_graph", "load": "knowledge_graph", "KnowledgeGraph": "knowledge_graph",
         "BuildReport": "knowledge_graph", "PaperFilter": "sources.filters", "QueryResult": "results",
         "Paper": "records"}
#: Submodules reached as attributes (``kg.analysis.most_used``) without importing them up front.
_SUBMODULES = ("nlp", "analysis")


def load_nlp(path: Any = None, **options: Any) -> Language:
    """paperkg's spaCy pipeline: the same as ``kg.nlp()`` and :func:`kg.nlp.load` (see there for ``path``,
    ``catalogue``, ``model`` and ``exclude``).

    >>> load_nlp(exclude=["paperkg_spans", "paperkg_resolver"]).pipe_names[-2:]
    ['paperkg_entities', 'paperkg_roles']
    """
    from .nlp import load as load_pipeline

    return load_pipeline(path, **options)


if not TYPE_CHECKING:  # hidden from type checkers, which then flag a misspelt kg.name instead of typing it Any

    def __getattr__(name: str) -> Any:
        if name in _LAZY:
            return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        if name in _SUBMODULES:  # kg.nlp is a callable module: kg.nlp() returns the spaCy pipeline
            return importlib.import_module(f".{name}", __name__)
        if name == "__version__":  # single-sourced: the installed distribution's version (pyproject.toml)
            from importlib.metadata import version

            return version("paperkg")
        raise AttributeError(f"module 'kg' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
