"""Reader of "Daily Papers" text listings (``*.txt``): a title line, then an abstract line, per paper.

The listings are copied from a web page, so besides the records they hold the page's boilerplate
("new", "Subscribe", "Daily Papers", "byAK and the research community", "Get trending papers in your
email inbox!", a date such as "Mar 11"), sometimes glued to the first title ("SubscribeImproving the
Training of Rectified Flows"). Some files put a blank line between lines, some none at all; blank
lines carry no meaning and are ignored.

How a title is told from an abstract: after boilerplate and blank lines are dropped, lines alternate
title, abstract, title, abstract … Each pair is sanity-checked, so that one missing line does not shift
every later record: a title is short (bundled titles have 18-153 characters and none ends with a
full stop) and an abstract is long prose (bundled abstracts have 719-1,919 characters). When the
line in the abstract's place looks like a title and the line after it looks like an abstract (or
the file ends), the title has no abstract: it is reported as a bad record and the next line starts
the next record. A line longer than a title can be, in the title's place, is reported as an
abstract without a title. (Limit: a real abstract that is short and the last line of its file is
taken for a title with no abstract; listings do not have such abstracts.)

Text is kept as written (surrounding whitespace stripped) with one normalisation: a URL glued to
the word before it ("…Synthesis.https://github.com/…") gets one space before it
("…Synthesis. https://github.com/…"), see :func:`unglue_urls`.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Callable, Iterable, Iterator

from kg.errors import SourceError
from kg.records import Paper
from kg.sources.base import (
    MAX_ABSTRACT_CHARS,
    MAX_TITLE_CHARS,
    Line,
    Lookahead,
    bad,
    iter_lines,
    make_reporter,
    open_binary,
)

log = logging.getLogger(__name__)

#: Whole lines of page boilerplate, dropped wherever they occur.
BOILERPLATE = frozenset(
    {
        "new",
        "Subscribe",
        "Daily Papers",
        "byAK and the research community",
        "Get trending papers in your email inbox!",
        "Get trending papers in your email inbox once a day!",
    }
)

#: The listing's date ("Mar 11", "Sep 12"; also "March 11" or "Mar 11, 2024"), dropped too.
DATE_LINE = re.compile(
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]{0,6}\.? \d{1,2}(?:, \d{4})?"
)

#: Boilerplate that the page copy sometimes glues to the first title after it.
GLUED_PREFIX = "Subscribe"

#: A line of at most this many characters that does not end with a full stop looks like a title, a
#: longer one (or one ending with ".") like an abstract. Bundled titles have at most 153 characters,
#: bundled abstracts at least 719: 300 sits between them with room on both sides.
TITLE_LIKE_MAX_CHARS = 300

# An http(s) URL directly after a letter, digit or sentence punctuation (not after "(", "{", "~",
# "/", "=" …, so that a URL quoted inside another URL's path or query stays whole).
_GLUED_URL = re.compile(r"(?<=[\w.,;:!])(?=https?://)")


def unglue_urls(text: str) -> str:
    """Put one space before an ``http(s)://`` URL glued to the word (or URL) before it.

    Only a URL right after a letter, a digit or one of ``. , ; : !`` is separated; one after a
    bracket, ``~``, ``/`` or ``=`` (``…?u=https://…``) is left as written.

    >>> unglue_urls("Code: https://github.com/a/b.https://github.com/a/b.")
    'Code: https://github.com/a/b. https://github.com/a/b.'
    >>> unglue_urls("available at:https://x.org (https://y.org) and https://a.org/?u=https://b.org")
    'available at: https://x.org (https://y.org) and https://a.org/?u=https://b.org'
    """
    if "://" not in text:
        return text
    return _GLUED_URL.sub(" ", text)


def is_boilerplate(text: str) -> bool:
    """Whether a (stripped) line is page boilerplate rather than a title or an abstract.

    >>> is_boilerplate("Mar 11"), is_boilerplate("Subscribe"), is_boilerplate("Consistency Models")
    (True, True, False)
    """
    return text in BOILERPLATE or DATE_LINE.fullmatch(text) is not None


def looks_like_title(text: str) -> bool:
    """Whether a line looks like a title (short, no final full stop) rather than an abstract.

    >>> looks_like_title("Consistency Models")
    True
    >>> looks_like_title("We propose a model. It works.")
    False
    """
    return len(text) <= TITLE_LIKE_MAX_CHARS and not text.endswith(".")


def _content_lines(lines: Iterable[Line]) -> Iterator[Line]:
    """Drop blank lines and boilerplate; cut boilerplate glued to the first title after it."""
    in_header = True  # at the start of the file, or right after boilerplate
    for line in lines:
        if line.error is not None:
            in_header = False
            yield line
            continue
        text = line.text.strip()
        if not text:
            continue
        if is_boilerplate(text):
            in_header = True
            continue
        if in_header and text.startswith(GLUED_PREFIX):
            rest = text[len(GLUED_PREFIX):]
            # "SubscribeImproving …" is glued; "Subscribers …" is a word and stays as written.
            if rest[:1].isupper() or rest[:1].isdigit():
                log.debug("line %d: removed %r glued to the title", line.number, GLUED_PREFIX)
                text = rest.strip()
        in_header = False
        yield Line(line.number, text)


def read_daily(
    path: str | Path,
    *,
    skip_bad: bool = False,
    on_skip: Callable[[SourceError], None] | None = None,
) -> Iterator[Paper]:
    """Read a Daily Papers text listing (optionally gzip-compressed), one :class:`Paper` per record.

    :param path: the ``.txt`` (or ``.txt.gz``) file.
    :param skip_bad: report bad records to ``on_skip`` and go on, instead of raising.
    :param on_skip: called with the :class:`SourceError` of each bad record when ``skip_bad``.
    :returns: an iterator of papers in file order; ``Paper.line`` is the line of the title.
    :raises SourceError: for a file that cannot be read (always), and for a bad record unless
        ``skip_bad``: a title with no abstract after it, an abstract with no title before it, a title
        over :data:`MAX_TITLE_CHARS` or an abstract over :data:`MAX_ABSTRACT_CHARS` characters, a NUL
        byte, or bytes that are not UTF-8 (the error names the line of the bad byte).

    >>> from kg.sources import bundled_corpus
    >>> first = next(read_daily(bundled_corpus() / "001_b4451212098c6886.txt"))
    >>> first.title, first.line
    ('Improving the Training of Rectified Flows', 3)
    """
    path = Path(path)
    report = make_reporter(skip_bad, on_skip)
    with open_binary(path) as stream:
        lines = Lookahead(_content_lines(iter_lines(stream, path)))
        while (title := lines.take()) is not None:
            if title.error is not None:
                report(title.error)
                _skip_abstract_of_bad_title(lines)
                continue
            if len(title.text) > MAX_TITLE_CHARS:
                report(bad(path, title.number, f"title has {len(title.text):,} characters, more than MAX_TITLE_CHARS ({MAX_TITLE_CHARS:,}); is it an abstract whose title line is missing?"))
                _skip_abstract_of_bad_title(lines)
                continue
            abstract = lines.peek(0)
            if abstract is None:
                report(bad(path, title.number, f"title {_quote(title.text)} has no abstract line after it (end of file)"))
                continue
            if abstract.error is None and looks_like_title(abstract.text):
                after = lines.peek(1)
                if after is None or (after.error is None and not looks_like_title(after.text)):
                    report(_missing_line(path, title, abstract))
                    continue  # the short line starts the next record
            lines.take()
            if abstract.error is not None:
                report(abstract.error)
                continue
            if len(abstract.text) > MAX_ABSTRACT_CHARS:
                report(bad(path, abstract.number, f"abstract of the title on line {title.number} has {len(abstract.text):,} characters, more than MAX_ABSTRACT_CHARS ({MAX_ABSTRACT_CHARS:,})"))
                continue
            yield Paper(title=title.text, abstract=unglue_urls(abstract.text), source=str(path), line=title.number)


def _skip_abstract_of_bad_title(lines: Lookahead) -> None:
    """After a bad title line, drop the line after it too if that is its abstract."""
    following = lines.peek(0)
    if following is not None and following.error is None and not looks_like_title(following.text):
        lines.take()


def _missing_line(path: Path, title: Line, next_title: Line) -> SourceError:
    if looks_like_title(title.text):
        reason = (
            f"title {_quote(title.text)} has no abstract line after it "
            f"(line {next_title.number} looks like the next title)"
        )
    else:
        reason = f"line looks like an abstract ({len(title.text):,} characters) but no title line precedes it"
    return bad(path, title.number, reason)


def _quote(text: str, width: int = 60) -> str:
    return repr(text if len(text) <= width else text[: width - 1] + "…")
