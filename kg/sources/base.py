"""Plumbing shared by the source readers: limits, opening (transparent gzip), line reading.

Every reader reads its file as bytes, one line at a time (never the whole file), and decodes each
line on its own, so that a byte that is not UTF-8 is reported with the number of its line.
"""
from __future__ import annotations

import codecs
import contextlib
import gzip
import io
import logging
import re
import zlib
from collections import deque
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator, NamedTuple

from kg.errors import SourceError

log = logging.getLogger(__name__)

#: Longest title accepted, in characters. The longest of the 468 bundled titles has 153 characters
#: and real titles stay within a few hundred; a "title" of more than 1,000 characters is an abstract
#: or a paragraph in the title's place (e.g. a listing whose title line went missing).
MAX_TITLE_CHARS = 1_000

#: Longest abstract accepted, in characters. arXiv caps abstracts at 1,920 characters (the longest
#: bundled abstract has 1,919); 100,000 (~50 times that) admits any real abstract from any source but
#: keeps runaway records (a file without line breaks, a full text pasted in) out of the NLP stage.
MAX_ABSTRACT_CHARS = 100_000

#: Longest line read, in bytes. A longer line is reported as a bad record and skipped without being
#: held in memory. It must admit one JSON record with a maximal abstract (at most 4 UTF-8 bytes per
#: character: 400 kB) plus arXiv metadata, whose author lists for large collaborations (thousands of
#: names, given twice: ``authors`` and ``authors_parsed``) reach a few hundred kB; 8 MiB is ample.
MAX_LINE_BYTES = 8 * 1024 * 1024

#: The first two bytes of every gzip stream.
GZIP_MAGIC = b"\x1f\x8b"

#: Bytes of decompressed text read ahead from a gzip file at a time. GzipFile.readline alone refills
#: 8 KiB at a time through Python code; measured on 50,000 snapshot lines (2.4 KB each): 64 KiB of read-ahead
#: -> 94k lines/s, 256 KiB -> 97k, 1 MiB -> 96k, none -> 64k. A line that straddles a corrupt spot is
#: reported up to this far early.
GZIP_READ_AHEAD = 64 * 1024

#: Characters that are not text, replaced by a space wherever a source holds them: C0 controls other than tab,
#: line feed and carriage return; DEL; C1 controls; U+FFFE and U+FFFF (not characters). None is allowed in XML
#: 1.0 (or usable in RDF/XML, GraphML, HTML), and none carries meaning in a title or an abstract.
NOT_TEXT = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")

#: A lone UTF-16 surrogate: a JSON escape such as ``\ud800`` not part of a pair. It is not a character (it
#: cannot be encoded as UTF-8), so a record holding one is rejected rather than guessed at.
SURROGATE = re.compile("[\ud800-\udfff]")

#: Called with each bad record: raises it, or reports it and lets the reader go on.
Reporter = Callable[[SourceError], None]


def make_reporter(skip_bad: bool, on_skip: Callable[[SourceError], None] | None) -> Reporter:
    """Return the function a reader calls with each bad record (raise it, or report it and go on)."""

    def report(error: SourceError) -> None:
        if not skip_bad:
            raise error
        log.debug("skipping bad record: %s", error)
        if on_skip is not None:
            on_skip(error)

    return report


def bad(path: str | Path, line: int | None, reason: str, cause: BaseException | None = None) -> SourceError:
    """A :class:`SourceError` not raised yet, chained to ``cause`` as ``raise … from cause`` would."""
    error = SourceError(str(path), line, reason)
    error.__cause__ = cause
    return error


class Line(NamedTuple):
    """One line of a source file: its decoded text (without the line break), or why it is bad.

    A named tuple rather than a frozen dataclass: made once per line of a multi-million-line snapshot,
    it costs half as much to create (0.3 vs 0.65 µs).
    """

    number: int  #: 1-based
    text: str = ""
    error: SourceError | None = None


@contextlib.contextmanager
def open_binary(path: Path) -> Iterator[BinaryIO]:
    """Open ``path`` for reading bytes, decompressing it if it is gzip (whatever its name).

    Raises :class:`SourceError` (line ``None``) if the file cannot be opened, or if it is named
    ``*.gz`` but is not gzip.
    """
    if path.exists() and not path.is_file() and not path.is_dir():  # opening a FIFO blocks until a writer comes
        raise SourceError(str(path), None, "is not a regular file (a FIFO, socket or device); give a file")
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed by the with below
    except FileNotFoundError as err:
        raise SourceError(str(path), None, "no such file") from err
    except IsADirectoryError as err:
        raise SourceError(str(path), None, "is a directory, not a file") from err
    except OSError as err:
        raise SourceError(str(path), None, f"cannot open the file: {err.strerror or err}") from err
    with raw:
        try:
            magic = raw.read(2)
            raw.seek(0)
        except OSError as err:
            raise SourceError(str(path), None, f"cannot read the file: {err.strerror or err}") from err
        if magic == GZIP_MAGIC:
            with gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
                yield io.BufferedReader(unzipped, buffer_size=GZIP_READ_AHEAD)  # type: ignore[arg-type]
        elif path.name.lower().endswith(".gz"):
            raise SourceError(str(path), None, "is named .gz but is not gzip-compressed; rename or recompress it")
        else:
            yield raw


def _readline(stream: BinaryIO, size: int, path: Path, number: int) -> bytes:
    try:
        return stream.readline(size)
    except (OSError, EOFError, zlib.error) as err:  # BadGzipFile is an OSError; a truncated gzip, EOFError
        raise SourceError(str(path), number, f"cannot read the file (corrupt or truncated?): {err}") from err


def decode_line(raw: bytes, number: int, path: Path) -> Line:
    """Decode one line of bytes (its line break included or not) as UTF-8 into a :class:`Line`; characters
    that are not text (:data:`NOT_TEXT`) become spaces."""
    raw = raw.rstrip(b"\n").rstrip(b"\r")
    if number == 1 and raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    nul = raw.find(b"\x00")
    if nul >= 0:
        return Line(number, error=bad(path, number, f"NUL byte at byte {nul + 1} of the line; is this a binary or UTF-16 file? Save it as UTF-8 text"))
    try:
        return Line(number, clean_text(raw.decode("utf-8")))
    except UnicodeDecodeError as err:
        byte = raw[err.start]
        return Line(number, error=bad(path, number, f"byte 0x{byte:02x} at byte {err.start + 1} of the line is not UTF-8; save the file as UTF-8", err))


def clean_text(text: str) -> str:
    r"""``text`` with every character of :data:`NOT_TEXT` replaced by a space.

    >>> clean_text("A\x01B\uffffC\tD")
    'A B C\tD'
    """
    return NOT_TEXT.sub(" ", text) if NOT_TEXT.search(text) else text


def surrogate_at(text: str) -> int | None:
    r"""The 0-based index of the first lone surrogate in ``text``, or ``None``.

    >>> surrogate_at("A \ud800 B"), surrogate_at("A \U0001F600 B")
    (2, None)
    """
    m = SURROGATE.search(text)
    return m.start() if m else None


def iter_lines(stream: BinaryIO, path: Path) -> Iterator[Line]:
    """Yield every line of ``stream`` as a :class:`Line`, reading at most :data:`MAX_LINE_BYTES` at a time.

    A bad line (too long, NUL byte, not UTF-8) is yielded with its ``error`` set; an unreadable
    stream (corrupt gzip, I/O error) raises :class:`SourceError`.
    """
    number = 0
    while True:
        chunk = _readline(stream, MAX_LINE_BYTES + 1, path, number + 1)
        if not chunk:
            return
        number += 1
        if len(chunk) > MAX_LINE_BYTES and not chunk.endswith(b"\n"):
            while chunk and not chunk.endswith(b"\n"):  # skip the rest of the line without keeping it
                chunk = _readline(stream, MAX_LINE_BYTES, path, number)
            yield Line(number, error=bad(path, number, f"line is longer than MAX_LINE_BYTES ({MAX_LINE_BYTES:,} bytes)"))
            continue
        yield decode_line(chunk, number, path)


class Lookahead:
    """An iterator of lines that can peek a few items ahead."""

    def __init__(self, items: Iterable[Line]) -> None:
        self._items = iter(items)
        self._buffer: deque[Line] = deque()

    def peek(self, index: int = 0) -> Line | None:
        while len(self._buffer) <= index:
            item = next(self._items, None)
            if item is None:
                return None
            self._buffer.append(item)
        return self._buffer[index]

    def take(self) -> Line | None:
        if self._buffer:
            return self._buffer.popleft()
        return next(self._items, None)
