"""Errors raised by paperkg.

Every error is a :class:`KGError` subclass whose message names the bad value (file, line,
record, query) and, where there is one, what to do about it. The CLI prints the message on one
line and exits with a non-zero status; library users catch ``KGError``.
"""
from __future__ import annotations


class KGError(Exception):
    """Base class of every error paperkg raises on purpose: catch it to handle any of them.

    >>> import kg
    >>> try:
    ...     kg.load("no/such/graph.ttl")
    ... except kg.KGError as err:
    ...     print(type(err).__name__, err)
    GraphError no/such/graph.ttl: no such file or store directory
    """

    exit_code = 1


class SourceError(KGError):
    """A source file is missing, unreadable or holds a bad record.

    ``path`` and ``line`` (1-based, or ``None`` for the file as a whole) say where.
    """

    exit_code = 2

    def __init__(self, path: str, line: int | None, reason: str) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {reason}")


class OptionError(KGError):
    """An option or parameter has a bad value (a filter's category, date or limit; a process count).

    The message names the parameter and the value, and says what is expected.
    """

    exit_code = 2


class PipelineError(KGError):
    """The NLP pipeline could not be built or loaded."""


class GraphError(KGError):
    """A graph file cannot be read or written."""


class StoreError(KGError):
    """The triple store cannot be opened, loaded or written."""


class QueryError(KGError):
    """A SPARQL query is malformed, refers to an unknown named query, or has bad bindings."""


class ViewError(KGError):
    """The HTML explorer cannot be drawn (e.g. a focus entity that is not in the graph)."""


class ClusterError(KGError):
    """A Dask cluster cannot be used: Dask is not installed, the scheduler cannot be reached or was lost, or
    its workers cannot load paperkg's pipeline. The message names the scheduler's address."""

    exit_code = 2
