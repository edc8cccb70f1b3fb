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

#: Source files bigger than this are not pre-counted for the ETA (counting lines of a gzipped file runs at
#: ~150 MB/s here: 2 GB would delay the start by ~15 s for a nicety); the bar then shows papers/s alone.
COUNT_LIMIT_BYTES = 2_000_000_000
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
    cannot tell cheaply (the bundled corpus counts as its files; a file over :data:`COUNT_LIMIT_BYTES`)."""
    if sources is None:
        from .sources import bundled_corpus

        sources = [bundled_corpus()]
    total = 0
    for source in sources:
        path = Path(source)
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for f in files:
            name = f.name.lower().removesuffix(".gz")
            if not name.endswith((".jsonl", ".json", ".txt")):
                continue
            try:
                if f.stat().st_size > COUNT_LIMIT_BYTES:
                    return None
                lines = _count_lines(f)
            except OSError:
                return None
            total += lines // 2 if name.endswith(".txt") else lines
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
