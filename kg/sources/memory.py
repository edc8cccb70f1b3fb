"""Papers from records held in memory: dicts, :class:`~kg.records.Paper` objects or a pandas DataFrame.

``kg.build(records)`` and ``KnowledgeGraph.add(records)`` take these as well as files. A dict (or a DataFrame
row) has the fields of a JSON Lines record: ``title`` and ``abstract``, and optionally ``id``, ``url``,
``date``, ``authors``, ``categories``; it is checked as a JSON Lines record is. A bad record is a
:class:`~kg.errors.SourceError` naming it by position, ``<records>:3`` (1-based; ``<DataFrame>:3`` for the
third row), so ``skip_bad`` works as for files.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import math
import os
from typing import Any, Iterable, Iterator

from kg.errors import KGError, SourceError
from kg.records import Paper
from kg.sources.base import bad, make_reporter
from kg.sources.filters import PaperFilter
from kg.sources.jsonl import _BadRecord, _paper_from_json

__all__ = ["EXPECTED", "split_sources", "read_records"]

#: What ``kg.build()`` takes, named in the error for anything else.
EXPECTED = ("files or folders (str or os.PathLike), or in-memory records: an iterable of dicts with 'title' and "
            "'abstract' (and optional 'id', 'url', 'date', 'authors', 'categories'), an iterable of kg.Paper, or a "
            "pandas DataFrame with those columns")


def _is_dataframe(value: object) -> bool:
    return type(value).__module__.split(".")[0] == "pandas" and hasattr(value, "itertuples")


def _is_path(value: object) -> bool:
    return isinstance(value, (str, os.PathLike))


def split_sources(sources: object) -> tuple[str | None, Any]:
    """``(None, paths)`` when ``sources`` names files (a path, an iterable of paths, or None: the bundled corpus),
    else ``(name, records)`` for in-memory records, ``name`` being what errors call them (``<records>``,
    ``<DataFrame>``). The first item of an iterable decides; an iterator is not read further.

    Raises: :class:`KGError` naming what is expected, for anything else (a number, bytes, an iterable of ints …).

    >>> split_sources("a.jsonl"), split_sources(None)
    ((None, ['a.jsonl']), (None, None))
    >>> name, records = split_sources(iter([{"title": "T", "abstract": "A"}])); name, list(records)
    ('<records>', [{'title': 'T', 'abstract': 'A'}])
    >>> split_sources(42)
    Traceback (most recent call last):
    kg.errors.KGError: build() takes files or folders (str or os.PathLike), or in-memory records: an iterable of dicts with 'title' and 'abstract' (and optional 'id', 'url', 'date', 'authors', 'categories'), an iterable of kg.Paper, or a pandas DataFrame with those columns; got int
    """
    if sources is None:
        return None, None
    if _is_path(sources):
        return None, [sources]
    if _is_dataframe(sources):
        return "<DataFrame>", _dataframe_rows(sources)
    if isinstance(sources, (dict, Paper)):  # one record
        return "<records>", [sources]
    if isinstance(sources, (bytes, bytearray)) or not isinstance(sources, Iterable):
        raise KGError(f"build() takes {EXPECTED}; got {type(sources).__name__}")
    items = iter(sources)
    first = next(items, None)
    if first is None:
        return None, []
    if _is_path(first):
        rest = [first, *items]
        wrong = next((p for p in rest if not _is_path(p)), None)
        if wrong is not None:
            raise KGError(f"build() takes {EXPECTED}; got a path mixed with a {type(wrong).__name__}")
        return None, rest
    if isinstance(first, (dict, Paper)):
        return "<records>", _chain(first, items)
    raise KGError(f"build() takes {EXPECTED}; got an iterable of {type(first).__name__}")


def _chain(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    yield first
    yield from rest


def _dataframe_rows(df: Any) -> Iterator[dict[str, Any]]:
    """The rows of a DataFrame as dicts, streaming; missing values (NaN, None, NaT) are left out."""
    columns = [str(c) for c in df.columns]
    for values in df.itertuples(index=False, name=None):
        yield {c: v for c, v in zip(columns, values) if not _missing(v)}


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value) or (isinstance(value, float) and math.isnan(value))  # NaN, NaT
    except (TypeError, ValueError):  # an array-like cell (a list of authors): not missing
        return False


def _plain(record: dict[str, Any]) -> dict[str, Any]:
    """A dict with Python values where JSON would have strings and lists: dates as ISO strings, tuples and
    arrays as lists."""
    out = dict(record)
    date = out.get("date")
    if isinstance(date, (_dt.date, _dt.datetime)) or (date is not None and hasattr(date, "isoformat")):
        out["date"] = date.isoformat()[:10]
    for key in ("authors", "categories"):
        value = out.get(key)
        if value is not None and not isinstance(value, (str, list)) and isinstance(value, Iterable):
            out[key] = list(value)
    return out


def _paper(item: Any, name: str, number: int) -> Paper:
    if isinstance(item, Paper):  # checked and normalised as the same record in a JSON Lines file would be
        checked = _paper_from_json(_plain(dataclasses.asdict(item)), item.source or name,
                                   item.line if item.source else number)
        return checked if checked != item else item
    if isinstance(item, dict):
        return _paper_from_json(_plain(item), name, number)
    raise _BadRecord(f"expected a dict with 'title' and 'abstract' or a kg.Paper, not {type(item).__name__}")


def read_records(name: str, records: Iterable[Any], *, skip_bad: bool = False, filter: PaperFilter | None = None,
                 stats: Any = None) -> Iterator[Paper]:
    """The distinct papers of in-memory ``records`` (as :func:`kg.sources.read_sources` gives those of files:
    the first of a title wins; ``stats``, a :class:`kg.sources.SourceStats`, counts them).

    Raises: :class:`SourceError` ``<records>:N: …`` for a bad record (unless ``skip_bad``: then it is logged and
    kept in ``stats.skipped``).

    >>> [p.title for p in read_records("<records>", [{"title": "A", "abstract": "x"}, {"title": "a", "abstract": "y"}])]
    ['A']
    >>> list(read_records("<records>", [{"title": "A"}]))
    Traceback (most recent call last):
    kg.errors.SourceError: <records>:1: 'abstract' is missing
    """
    from kg.sources import SourceStats, log

    stats = stats if stats is not None else SourceStats()

    def skipped(error: SourceError) -> None:
        log.warning("skipped bad record: %s", error)
        stats.skipped.append(error)

    report = make_reporter(skip_bad, skipped)
    selects = filter is not None and filter.selects
    limit = filter.limit if filter is not None else None
    seen: set[str] = set()
    for number, item in enumerate(records, 1):
        try:
            paper = _paper(item, name, number)
        except _BadRecord as err:
            report(bad(name, number, err.args[0], err))
            continue
        if selects:
            reason = filter.reason(paper, lambda p: p.categories, lambda p: p.date)  # type: ignore[union-attr]
            if reason is not None:
                stats.count_filtered(reason)
                continue
        stats.records_read += 1
        key = paper.key or paper.title
        if key in seen:
            stats.duplicates_dropped += 1
            continue
        seen.add(key)
        yield paper
        if limit is not None and len(seen) >= limit:
            stats.limit_reached = True
            return
