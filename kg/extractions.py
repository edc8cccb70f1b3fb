"""The NLP output a store keeps beside its graph (:data:`EXTRACTIONS_FILE` in the store directory).

Gzipped JSON Lines, a format header first, one :class:`~kg.records.Extraction` a line, written as the
build produces them (nothing is held). ``kg add`` never rewrites them: it hard-links the existing files
into the new store directory (they are never changed once written) and writes what it extracts into a new
one, ``paperkg-extractions.N.jsonl.gz``, so an addition costs what it adds. A paper re-extracted because
its record changed appears again in a later file: its LAST extraction is its current one. RocksDB ignores
files it does not name, so the files live in the store directory and are swapped in and out with it.
"""
from __future__ import annotations

import gzip
import json
import os
import re
import shutil
from pathlib import Path
from typing import IO, Iterator

from .errors import GraphError, SourceError
from .records import Extraction, extraction_from_json, extraction_to_json

#: File in a store directory holding the NLP output behind its graph (the build's; ``kg add`` adds
#: ``paperkg-extractions.1.jsonl.gz``, ``.2.`` …).
EXTRACTIONS_FILE = "paperkg-extractions.jsonl.gz"
_SEGMENT = re.compile(r"paperkg-extractions(?:\.([1-9][0-9]*))?\.jsonl\.gz")
#: Version of that file's format (its first line).
FORMAT = 1
#: gzip level. The sample corpus's 3.6 MB of extractions (2 busy cores): level 1 writes 0.59 MB in 0.03 s,
#: level 6 (zlib's default) 0.46 MB in 0.11 s, level 9 0.45 MB in 0.16 s. The file is an archive beside the
#: graph: a build's time counts more than 20% of its size (at 10k papers, by extrapolation, ~0.6 s against ~2.4 s).
COMPRESSLEVEL = 1


def segments(directory: str | Path) -> list[Path]:
    """The extraction files of a store directory, oldest first."""
    found = []
    for p in Path(directory).iterdir():
        m = _SEGMENT.fullmatch(p.name)
        if m and p.is_file():
            found.append((int(m.group(1) or 0), p))
    return [p for _, p in sorted(found)]


class ExtractionWriter:
    """Write extractions to a new file of a store directory: ``with ExtractionWriter(dir) as w: w.write(ex)``
    (:data:`EXTRACTIONS_FILE` in a new store, the next ``paperkg-extractions.N.jsonl.gz`` after
    :func:`link_files` in an updated one). Reproducible: no timestamp in the gzip header.
    """

    def __init__(self, directory: str | Path) -> None:
        existing = segments(directory)
        n = int(_SEGMENT.fullmatch(existing[-1].name).group(1) or 0) + 1 if existing else 0
        self.path = Path(directory) / (EXTRACTIONS_FILE if n == 0 else f"paperkg-extractions.{n}.jsonl.gz")
        self._raw: IO[bytes] = open(self.path, "xb")
        self._gz = gzip.GzipFile(fileobj=self._raw, mode="wb", compresslevel=COMPRESSLEVEL, mtime=0, filename="")
        self._gz.write(json.dumps({"paperkg_extractions": FORMAT}).encode("utf-8") + b"\n")

    def write(self, ex: Extraction) -> None:
        line = json.dumps(extraction_to_json(ex), ensure_ascii=False, separators=(",", ":"))
        self._gz.write(line.encode("utf-8") + b"\n")

    def close(self) -> None:
        if not self._gz.closed:
            self._gz.close()
            self._raw.close()

    def __enter__(self) -> ExtractionWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def link_files(old_directory: str | Path, new_directory: str | Path) -> int:
    """Give a new store directory the extraction files of the old one: hard links (the files are never
    changed once written), copies where the file system has none. Returns the number of files."""
    files = segments(old_directory)
    for src in files:
        dst = Path(new_directory) / src.name
        try:
            os.link(src, dst)
        except OSError:
            shutil.copyfile(src, dst)
    return len(files)


def read_extractions(directory: str | Path) -> Iterator[Extraction] | None:
    """The extractions kept in a store directory, streamed oldest first (a paper re-extracted by ``kg add``
    comes again later: its last one counts), or ``None`` if it keeps none.

    Raises: GraphError naming the file and line for a file that is not a paperkg extractions file.
    """
    files = segments(directory)
    if not files:
        return None

    def read() -> Iterator[Extraction]:
        for path in files:
            yield from _read_file(path)

    return read()


def _read_file(path: Path) -> Iterator[Extraction]:
    from .sources import json_objects

    try:
        objects = json_objects(path, kind="paperkg extractions")
        _, header = next(objects, (0, None))
        if header != {"paperkg_extractions": FORMAT}:
            raise GraphError(f"{path}: not a paperkg extractions file of format {FORMAT}; rebuild the store "
                             "with `kg build`")
        for number, obj in objects:
            try:
                yield extraction_from_json(obj)
            except (KeyError, TypeError) as err:
                raise GraphError(f"{path}, line {number}: not an extraction ({err}); rebuild the store with "
                                 "`kg build`") from err
    except SourceError as err:
        raise GraphError(str(err)) from err


__all__ = ["EXTRACTIONS_FILE", "ExtractionWriter", "link_files", "read_extractions", "segments"]
