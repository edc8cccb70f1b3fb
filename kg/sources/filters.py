"""Which records of the sources become papers: categories, a date range and a limit (:class:`PaperFilter`).

The readers apply a filter while they stream, on the decoded JSON record and before anything else: a record
that is filtered out costs its JSON parse and the look-up of its categories and date, never a
:class:`~kg.records.Paper` or the validation of its other fields. So the 2.7-million-record arXiv snapshot
can be narrowed to one category and a year in one pass, in constant memory.

What is compared:

* **categories** (``PaperFilter.categories``): a record is kept if one of its categories is one of the
  entries, or starts with an entry ending in ``.`` (``cs.`` keeps every ``cs.*``), case-insensitively.
  arXiv records have ``categories`` (``"cs.LG stat.ML"``); JSON Lines records ``categories`` and
  ``keywords`` (lists, or text separated by commas or semicolons).
* **dates** (``since``, ``until``, both inclusive, ``YYYY-MM-DD``): the paper's date, :attr:`Paper.date`.
  For arXiv records that is the date of the first version (``versions[0].created``: when the paper first
  appeared, what "papers since 2024" means), else ``update_date`` (the last change of the record's
  metadata, which can be years later); for JSON Lines records their ``date``.
* A record without categories (without a date) is excluded by a category (date) filter: it cannot be shown
  to match. Such records are counted apart (:attr:`SourceStats.filtered_no_field`) so that a filter that
  excludes everything for want of the field does not go unnoticed. Daily Papers listings (``.txt``) have
  neither categories nor dates: a category or date filter on one is an error, not an empty result.
* **limit**: at most that many papers are yielded, counted after the filters and after dropping
  duplicates (:func:`kg.sources.read_sources`); reading stops there.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence, TypeVar

from kg.errors import OptionError

__all__ = ["PaperFilter", "FilterReason"]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
R = TypeVar("R")

#: Why a record was filtered out: it does not match, or it lacks the field the filter compares.
FilterReason = str
NO_MATCH: FilterReason = "no match"
NO_FIELD: FilterReason = "no field"


@dataclass(frozen=True)
class PaperFilter:
    """Which records become papers (see the module doc for what is compared).

    :param categories: entries to keep, e.g. ``("cs.LG", "cs.CV")``, or one string ``"cs.LG,cs.CV"``; an
        entry ending in ``.`` is a prefix (``"cs."``). Empty: any category, and records without one.
    :param since: keep papers dated on or after this day (``"YYYY-MM-DD"`` or a ``datetime.date``).
    :param until: keep papers dated on or before this day.
    :param limit: yield at most this many papers (after the filters and de-duplication).
    :raises OptionError: for an empty category entry, a date that is not ``YYYY-MM-DD`` or not a real day,
        ``since`` after ``until``, or a limit below 1.

    >>> f = PaperFilter(categories="cs.LG, math.", since="2024-01-01")
    >>> f.categories, f.match_categories(["stat.ML", "math.OC"]), f.match_date("2023-12-31")
    (('cs.LG', 'math.'), True, False)
    >>> PaperFilter(since="2024-02-30")
    Traceback (most recent call last):
    ...
    kg.errors.OptionError: since: '2024-02-30' is not a day (day is out of range for month); write YYYY-MM-DD
    """

    categories: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    limit: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "categories", _categories(self.categories))
        object.__setattr__(self, "since", _day("since", self.since))
        object.__setattr__(self, "until", _day("until", self.until))
        if self.since and self.until and self.since > self.until:
            raise OptionError(f"since {self.since} is after until {self.until}: no date can match")
        object.__setattr__(self, "limit", _limit(self.limit))
        lowered = tuple(c.lower() for c in self.categories)
        object.__setattr__(self, "_exact", frozenset(c for c in lowered if not c.endswith(".")))
        object.__setattr__(self, "_prefixes", tuple(c for c in lowered if c.endswith(".")))

    @property
    def selects(self) -> bool:
        """Whether records are filtered (by category or date); a limit alone does not filter records."""
        return bool(self.categories) or self.since is not None or self.until is not None

    @property
    def needs_categories(self) -> bool:
        return bool(self.categories)

    @property
    def needs_date(self) -> bool:
        return self.since is not None or self.until is not None

    def match_categories(self, categories: Iterable[str]) -> bool:
        """Whether one of ``categories`` is an entry or starts with a prefix entry (case-insensitive)."""
        exact: frozenset[str] = self._exact  # type: ignore[attr-defined]
        prefixes: tuple[str, ...] = self._prefixes  # type: ignore[attr-defined]
        for category in categories:
            low = category.lower()
            if low in exact or (prefixes and low.startswith(prefixes)):
                return True
        return False

    def match_date(self, date: str) -> bool:
        """Whether the ISO day ``date`` is within ``since`` … ``until`` (both inclusive)."""
        return (self.since is None or date >= self.since) and (self.until is None or date <= self.until)

    def reason(self, record: R, categories_of: Callable[[R], Sequence[str]],
               date_of: Callable[[R], str | None]) -> FilterReason | None:
        """Why ``record`` is filtered out, or None if it is kept.

        ``categories_of`` and ``date_of`` read the record's categories and ISO date (empty, None: it has
        none); each is called only if the filter compares that field, and may raise for a malformed field.
        """
        if self.categories:
            categories = categories_of(record)
            if not categories:
                return NO_FIELD
            if not self.match_categories(categories):
                return NO_MATCH
        if self.since is not None or self.until is not None:
            date = date_of(record)
            if not date:
                return NO_FIELD
            if not self.match_date(date):
                return NO_MATCH
        return None

    def describe(self) -> str:
        """The filter in the command line's words, e.g. ``--category cs.LG --since 2024-01-01``."""
        parts = []
        if self.categories:
            parts.append("--category " + ",".join(self.categories))
        if self.since:
            parts.append(f"--since {self.since}")
        if self.until:
            parts.append(f"--until {self.until}")
        if self.limit is not None:
            parts.append(f"--limit {self.limit}")
        return " ".join(parts)


def _categories(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else list(value)
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise OptionError(f"categories: {item!r} is not text; give names like cs.LG, or cs. for all of cs")
        for entry in item.split(","):
            entry = entry.strip()
            if not entry or entry == ".":
                raise OptionError(f"categories: empty entry in {item!r}; give names separated by commas, like "
                                  "cs.LG,cs.CV (an entry ending in '.' is a prefix: cs.)")
            out.append(entry)
    return tuple(dict.fromkeys(out))


def _day(name: str, value: str | _dt.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if not isinstance(value, str) or _ISO_DATE.fullmatch(value.strip()) is None:
        raise OptionError(f"{name}: {value!r} is not a date; write YYYY-MM-DD, e.g. 2024-01-31")
    try:
        return _dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError as err:
        raise OptionError(f"{name}: {value!r} is not a day ({err}); write YYYY-MM-DD") from err


def _limit(value: int | str | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise OptionError(f"limit: {value!r} is not a whole number")
    if value < 1:
        raise OptionError(f"limit: {value} is below 1; give the most papers to read, e.g. 1000")
    return value
