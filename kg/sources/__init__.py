"""Streaming readers that turn source files into :class:`kg.records.Paper` records.

Formats (``format=``):

* ``"daily"`` - Daily Papers text listings (``*.txt``): a title line, then an abstract line
  (:mod:`kg.sources.daily`);
* ``"jsonl"`` - JSON Lines, one object with ``title`` and ``abstract`` per line (``*.jsonl``,
  ``*.json``; :mod:`kg.sources.jsonl`);
* ``"arxiv"`` - the arXiv metadata snapshot (JSON Lines with arXiv's fields).

Any of them may be gzip-compressed (``*.txt.gz``, ``*.jsonl.gz`` …). Without ``format``, ``.txt``
means daily and ``.jsonl``/``.json`` are sniffed from their first good record.

A :class:`PaperFilter` (``filter=``) keeps the records of some categories or dates and stops after a number
of papers, while streaming (:mod:`kg.sources.filters`).

Every reader yields papers one at a time; a problem raises :class:`kg.errors.SourceError` naming the
file and line, or with ``skip_bad=True`` is reported and skipped.
"""
from __future__ import annotations

import importlib.resources
import itertools
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from kg.errors import OptionError, SourceError
from kg.records import Paper
from kg.sources.base import MAX_ABSTRACT_CHARS, MAX_LINE_BYTES, MAX_TITLE_CHARS
from kg.sources.daily import read_daily, unglue_urls
from kg.sources.filters import NO_FIELD, FilterReason, PaperFilter
from kg.sources.jsonl import json_objects, read_arxiv, read_jsonl, sniff_json_format

__all__ = [
    "json_objects",
    "FORMATS",
    "MAX_REPORTED_BAD",
    "MAX_ABSTRACT_CHARS",
    "MAX_LINE_BYTES",
    "MAX_TITLE_CHARS",
    "PaperFilter",
    "SourceStats",
    "bundled_corpus",
    "read_arxiv",
    "read_daily",
    "read_jsonl",
    "read_papers",
    "read_sources",
    "unglue_urls",
]

log = logging.getLogger(__name__)

#: Bad records kept in full (in :attr:`SourceStats.skipped`, logged as warnings, printed by ``kg build``) when
#: they are skipped; the others are only counted, so that memory and output stay the same whatever their number
#: (a snapshot with a million corrupt lines).
MAX_REPORTED_BAD = 20

#: The formats :func:`read_papers` knows.
FORMATS = ("daily", "jsonl", "arxiv")

_READERS: dict[str, Callable[..., Iterator[Paper]]] = {
    "daily": read_daily,
    "jsonl": read_jsonl,
    "arxiv": read_arxiv,
}

# Extension (after removing ".gz") -> format; None: sniffed from the first record.
_EXTENSIONS: dict[str, str | None] = {".txt": "daily", ".jsonl": None, ".json": None}

_SUPPORTED = (
    "supported: .txt (Daily Papers listing), .jsonl or .json (JSON Lines or arXiv snapshot), "
    "each optionally .gz, or a directory of such files"
)


@dataclass
class SourceStats:
    """Counts filled in by :func:`read_sources` while it runs."""

    files_read: int = 0  #: files opened so far
    records_read: int = 0  #: good records that passed the filter, duplicates included
    duplicates_dropped: int = 0  #: records whose title key had been seen before
    skipped: list[SourceError] = field(default_factory=list)  #: the first :data:`MAX_REPORTED_BAD` bad records
    bad_records: int = 0  #: bad records skipped (with ``skip_bad``), all of them
    filtered_out: int = 0  #: good records the filter excluded (by category or date)
    filtered_no_field: int = 0  #: of those, records without the categories or date the filter compares
    limit_reached: bool = False  #: reading stopped at the filter's limit

    @property
    def papers(self) -> int:
        """Distinct papers yielded so far."""
        return self.records_read - self.duplicates_dropped

    def count_filtered(self, reason: FilterReason) -> None:
        """Count one record the filter excluded (the readers' ``on_filtered``)."""
        self.filtered_out += 1
        if reason == NO_FIELD:
            self.filtered_no_field += 1


def bundled_corpus() -> Path:
    """The directory of the sample corpus shipped with paperkg (5 Daily Papers listings, 468 papers).

    :returns: the path of ``kg/data/daily-papers`` in the installed package.
    :raises SourceError: if the installation lacks it.

    >>> sorted(p.name for p in bundled_corpus().glob("*.txt"))[0]
    '000_0a1d169aa50074e0.txt'
    """
    path = Path(str(importlib.resources.files("kg").joinpath("data", "daily-papers")))
    if not path.is_dir():
        raise SourceError(str(path), None, "the bundled corpus is missing; reinstall paperkg")
    return path


def _extension(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[: -len(".gz")]
    return os.path.splitext(name)[1]


def _fits(path: Path, format: str | None) -> bool:
    """Whether a file in a directory is read for ``format`` (any supported one if None)."""
    ext = _extension(path)
    if ext not in _EXTENSIONS:
        return False
    return format is None or (format == "daily") == (ext == ".txt")


def _plan(path: str | os.PathLike[str], format: str | None,
          filter: PaperFilter | None = None) -> list[tuple[Path, str | None]]:
    """The files ``path`` stands for, each with its format (None: sniff it); checks done up front."""
    plan = _files(Path(path), format)
    if filter is not None and filter.selects:
        for file, file_format in plan:
            if (file_format or ("daily" if _extension(file) == ".txt" else None)) == "daily":
                raise OptionError(f"{file}: Daily Papers listings have no categories and no dates to filter on "
                                  f"({filter.describe()}); filter JSON Lines or arXiv snapshot sources, or leave "
                                  "the category and date filters out")
    return plan


def _files(path: Path, format: str | None) -> list[tuple[Path, str | None]]:
    if format is not None and format not in FORMATS:
        raise SourceError(str(path), None, f"unknown format {format!r}; formats: {', '.join(FORMATS)}")
    if path.is_dir():
        try:
            children = sorted(child for child in path.iterdir() if not child.name.startswith("."))
        except OSError as err:
            raise SourceError(str(path), None, f"cannot list the directory: {err.strerror or err}") from err
        files = [child for child in children if child.is_file() and _fits(child, format)]  # no FIFO, socket …
        if not files:
            wanted = f" for format {format!r}" if format else ""
            raise SourceError(str(path), None, f"directory holds no supported file{wanted}; {_SUPPORTED}")
        return [(file, format) for file in files]
    if not path.exists():
        raise SourceError(str(path), None, f"no such file or directory; {_SUPPORTED}")
    if not path.is_file():  # a FIFO would block the build until something writes to it
        raise SourceError(str(path), None, f"is not a regular file (a FIFO, socket or device); {_SUPPORTED}")
    if format is None and _extension(path) not in _EXTENSIONS:
        raise SourceError(
            str(path), None,
            f"unsupported file type {_extension(path) or '(no extension)'!r}; {_SUPPORTED}; "
            f"or name the format ({', '.join(FORMATS)})",
        )
    return [(path, format)]


def _read_plan(
    plan: list[tuple[Path, str | None]],
    skip_bad: bool,
    on_skip: Callable[[SourceError], None] | None,
    filter: PaperFilter | None,
    on_filtered: Callable[[FilterReason], None] | None,
    stats: SourceStats | None = None,
) -> Iterator[Paper]:
    selecting = {"filter": filter, "on_filtered": on_filtered} if filter is not None and filter.selects else {}
    for file, format in plan:
        if format is None:
            format = "daily" if _extension(file) == ".txt" else sniff_json_format(file)
        log.debug("reading %s as %s", file, format)
        if stats is not None:
            stats.files_read += 1
        yield from _READERS[format](file, skip_bad=skip_bad, on_skip=on_skip, **selecting)


def read_papers(
    path: str | os.PathLike[str],
    format: str | None = None,
    *,
    skip_bad: bool = False,
    on_skip: Callable[[SourceError], None] | None = None,
    filter: PaperFilter | None = None,
    on_filtered: Callable[[FilterReason], None] | None = None,
) -> Iterator[Paper]:
    """Read the papers in a file or a directory of files, streaming.

    :param path: a file, or a directory (its supported files are read in name order, not recursively).
    :param format: ``"daily"``, ``"jsonl"`` or ``"arxiv"``; by default chosen from the extension:
        ``.txt`` is daily, ``.jsonl``/``.json`` is arxiv if at least half of its first good records
        (up to 5) have ``id``, ``categories`` and ``update_date`` or ``versions``, else jsonl (bad lines
        are passed over, so a corrupt first line does not decide; see :func:`sniff_json_format`). ``.gz`` files are decompressed on the fly.
    :param skip_bad: instead of raising on a bad record, pass it to ``on_skip`` and go on.
        Errors about a whole file (missing, unreadable, corrupt gzip) are raised even then.
    :param on_skip: called with each bad record's :class:`SourceError` when ``skip_bad``.
    :param filter: a :class:`PaperFilter`: only records of its categories and dates are read, and at most
        its ``limit`` papers yielded (duplicates count here; :func:`read_sources` drops them first).
    :param on_filtered: called with the reason of each record the filter excludes
        (see :meth:`SourceStats.count_filtered`).
    :returns: an iterator of :class:`Paper`, in file order (duplicates are kept; see
        :func:`read_sources`).
    :raises SourceError: at once for a missing path, an unknown format or extension, or a
        directory without a supported file; while iterating, for an unreadable file or (unless
        ``skip_bad``) a bad record, with the file and line.
    :raises OptionError: at once for a category or date filter on a Daily Papers listing.

    >>> papers = list(read_papers(bundled_corpus() / "001_b4451212098c6886.txt"))
    >>> len(papers), papers[0].title
    (119, 'Improving the Training of Rectified Flows')
    """
    papers = _read_plan(_plan(path, format, filter), skip_bad, on_skip, filter, on_filtered)
    if filter is not None and filter.limit is not None:
        return itertools.islice(papers, filter.limit)
    return papers


def read_sources(
    paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str] | None = None,
    format: str | None = None,
    *,
    skip_bad: bool = False,
    filter: PaperFilter | None = None,
    stats: SourceStats | None = None,
) -> Iterator[Paper]:
    """Read several files or directories as one stream of distinct papers.

    A paper whose title key (:attr:`Paper.key`) was already seen is dropped: the first occurrence
    wins, in the order of ``paths`` (and of file names inside a directory).

    :param paths: files and directories; ``None`` or empty means :func:`bundled_corpus`.
    :param format: as in :func:`read_papers`, for every path.
    :param skip_bad: skip bad records instead of raising: each is counted in ``stats.bad_records``, and the
        first :data:`MAX_REPORTED_BAD` go to ``stats.skipped`` and the log.
    :param filter: a :class:`PaperFilter`: only records of its categories and dates are read, and reading
        stops once its ``limit`` of distinct papers has been yielded.
    :param stats: a :class:`SourceStats` to fill in while the iterator runs.
    :returns: an iterator of distinct :class:`Paper`.
    :raises SourceError: at once for a missing path, unknown format or extension; while iterating,
        as :func:`read_papers`.
    :raises OptionError: at once for a category or date filter on a Daily Papers listing.

    >>> stats = SourceStats()
    >>> len(list(read_sources(stats=stats))), stats.records_read, stats.duplicates_dropped
    (468, 520, 52)
    >>> snapshot = "tests/data/sources/arxiv-snapshot.json"
    >>> [p.id for p in read_sources(snapshot, filter=PaperFilter(categories="cs.", since="2017-01-01"))]
    ['1706.03762', '2010.11929']
    """
    if paths is None:
        path_list: list[str | os.PathLike[str]] = []
    elif isinstance(paths, (str, os.PathLike)):
        path_list = [paths]
    else:
        path_list = list(paths)
    if not path_list:
        path_list = [bundled_corpus()]
    plan = [item for path in path_list for item in _plan(path, format, filter)]
    return _distinct(plan, skip_bad, filter, stats if stats is not None else SourceStats())


def _distinct(plan: list[tuple[Path, str | None]], skip_bad: bool, filter: PaperFilter | None,
              stats: SourceStats) -> Iterator[Paper]:
    def skipped(error: SourceError) -> None:
        stats.bad_records += 1
        if len(stats.skipped) < MAX_REPORTED_BAD:
            log.warning("skipped bad record: %s", error)
            stats.skipped.append(error)
        else:
            log.debug("skipped bad record: %s", error)

    limit = filter.limit if filter is not None else None
    seen: set[str] = set()
    for paper in _read_plan(plan, skip_bad, skipped, filter, stats.count_filtered, stats):
        stats.records_read += 1
        key = paper.key or paper.title  # a title without letters or digits has an empty key
        if key in seen:
            stats.duplicates_dropped += 1
            log.debug("%s:%d: dropped duplicate of an earlier paper: %r", paper.source, paper.line, paper.title)
            continue
        seen.add(key)
        yield paper
        if limit is not None and len(seen) >= limit:
            stats.limit_reached = True
            return
