"""Progress of long work on stderr: a bar (papers/s, ETA) while papers are read and extracted, then one
line per later stage with the time it took. Silent when stderr is not a terminal (pipes, CI, notebooks)
unless asked for, and when told to be quiet (``kg build -q``).

>>> p = Progress(enabled=False)
>>> list(p.papers(iter([1, 2, 3])))
[1, 2, 3]
>>> with p.stage("linking"):
...     pass
"""
from __future__ import annotations

import contextlib
import gzip
import sys
import time
from pathlib import Path
from typing import IO, Iterable, Iterator, TypeVar

T = TypeVar("T")

#: Sources holding more text than this are not pre-counted for the ETA; the bar then shows papers/s alone.
#: Counting runs at ~440 MB of text a second in a plain file and ~60 MB/s in a gzipped one (100k synthetic
#: records, 2 busy cores), so 1 GB delays the start by ~2 s plain, ~16 s gzipped (a gzipped file is taken
#: to hold :data:`GZIP_RATIO` times its size), for a run of hours.
COUNT_LIMIT_BYTES = 1_000_000_000
#: Text bytes per byte of a gzipped JSON Lines or listing file (an estimate: abstracts compress ~3-4x).
GZIP_RATIO = 4
#: Seconds between bar redraws: often enough to look alive, rarely enough to cost nothing.
REFRESH_S = 0.5


class Progress:
    """Where a build reports its progress: ``enabled=None`` means "if stderr is a terminal"."""

    def __init__(self, enabled: bool | None = None, stream: IO[str] | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.enabled = enabled

    def papers(self, items: Iterable[T], total: int | None = None, desc: str = "reading + NLP") -> Iterator[T]:
        """Yield ``items``, drawing a bar of how many went by (with papers/s, and the ETA if ``total``)."""
        if not self.enabled:
            yield from items
            return
        from tqdm import tqdm

        bar = tqdm(items, total=total, desc=desc, unit=" papers", file=self.stream, mininterval=REFRESH_S,
                   dynamic_ncols=True, smoothing=0.1)
        try:
            yield from bar
        finally:
            bar.close()

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Report one later stage on one line: its name, then the seconds it took."""
        started = time.perf_counter()
        if self.enabled:
            print(f"{name} …", end="", file=self.stream, flush=True)
        try:
            yield
        finally:
            if self.enabled:
                print(f" {time.perf_counter() - started:.1f} s", file=self.stream, flush=True)


def estimate_records(sources: Iterable[str | Path] | None) -> int | None:
    """About how many records ``sources`` hold (for the bar's ETA): the non-empty lines of JSON Lines
    files, half those of daily-papers listings (a title line and an abstract line each). ``None`` when it
    cannot tell cheaply (more than :data:`COUNT_LIMIT_BYTES` of text, or a file it cannot read)."""
    if sources is None:
        from .sources import bundled_corpus

        sources = [bundled_corpus()]
    files = []
    for source in sources:
        path = Path(source)
        for f in sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]:
            if f.name.lower().removesuffix(".gz").endswith((".jsonl", ".json", ".txt")):
                files.append(f)
    try:
        text = sum(f.stat().st_size * (GZIP_RATIO if f.name.lower().endswith(".gz") else 1) for f in files)
        if text > COUNT_LIMIT_BYTES:
            return None
        total = 0
        for f in files:
            lines = _count_lines(f)
            total += lines // 2 if f.name.lower().removesuffix(".gz").endswith(".txt") else lines
    except OSError:
        return None
    return total


def _count_lines(path: Path) -> int:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    n = 0
    with opener(path, "rb") as f:
        for line in f:
            if line.strip():
                n += 1
    return n


__all__ = ["Progress", "estimate_records"]
