"""Hostile source files for property-based tests (tests/test_fuzz.py) and the fuzzing benchmark (benchmarks/fuzz.py).

A generated case is a source file in one of the three formats (Daily Papers listing, JSON Lines, arXiv snapshot)
mixing known-good records with hostile ones (malformed JSON, wrong types, lone surrogates, control characters,
bytes that are not UTF-8, hostile URLs, Markdown links, over-long fields …), or a hostile whole file (empty,
binary, UTF-16, corrupt gzip, a JSON array …). The checks say what must hold whatever the input, and return
the category of what happened, for counting.
"""
from __future__ import annotations

import gzip
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib
from hypothesis import strategies as st

from kg.errors import SourceError
from kg.graph import paper_quads
from kg.link import link_paper
from kg.nlp.code_links import find_code_links
from kg.records import CodeLink, Extraction
from kg.sources import read_sources
from kg.sources.base import NOT_TEXT, SURROGATE

FORMATS = ("daily", "jsonl", "arxiv")
SUFFIX = {"daily": ".txt", "jsonl": ".jsonl", "arxiv": ".json"}

#: URL forms that broke builds (issue 14) and more of their kinds.
URLS = ["https://x.github.io/p/#/demo#top", "https://github.com/x/y%.", "https://github.com/x/%zz",
        "https://github.com:abc/x/y", "https://github.com/x/y%", "https://ex.org:99999/a", "https://[::1/y",
        "https://github.com/x/[y]", "https://github.com/x/y|z^`\\", "[GitHub](https://github.com/x/y)",
        "https://user@:80/x", "github.com/a/b)", "https://gitlab.com/ü/ñ#a#b", "http://", "https://?#",
        "https://huggingface.co/x/y?q=a b", "(https://a.org/x_(y))", "https://a.org/\u2028x", "https://%41.org/"]

_PROSE = ("We propose a method for image classification and train it on ImageNet with a ResNet-50 backbone. "
          "Experiments on CIFAR-10 show better accuracy than prior work, and code is released for the community. ")

#: Any code point, lone surrogates and control characters included.
ANY_CHAR = st.one_of(st.characters(), st.characters(categories=["Cc"]), st.characters(categories=["Cs"]))
any_text = st.text(alphabet=ANY_CHAR, max_size=40)
nasty_text = st.one_of(any_text, st.sampled_from(["", " ", "\x00", "\ud800", "A \udfff B", "\x01\x1b[31m", "\uffff",
                                                   "\u2028", "\u0085", "x" * 1001, "é" * 300, "<>&\"'", "\\"]))
json_scalar = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30),
                        st.floats(allow_nan=False, allow_infinity=False), nasty_text)
json_value = st.recursive(json_scalar, lambda inner: st.lists(inner, max_size=3)
                          | st.dictionaries(any_text, inner, max_size=3), max_leaves=6)
url_text = st.one_of(st.sampled_from(URLS), st.builds("https://{}/{}".format, any_text, any_text))


def good_title(i: int) -> str:
    return f"Sentinel paper number {i} on robust graph building"


def good_abstract(i: int) -> str:
    return f"In sentinel study {i}, {_PROSE * 3}".strip()


def good_line(fmt: str, i: int) -> list[bytes]:
    """The lines of good record ``i`` in format ``fmt``."""
    if fmt == "daily":
        return [good_title(i).encode(), good_abstract(i).encode()]
    record = {"title": good_title(i), "abstract": good_abstract(i)}
    if fmt == "arxiv":
        record.update(id=f"2401.{10000 + i}", categories="cs.LG cs.CV", update_date="2024-01-02",
                      versions=[{"version": "v1", "created": "Mon, 1 Jan 2024 10:00:00 GMT"}])
    return [json.dumps(record).encode()]


@st.composite
def hostile_record(draw, fmt: str) -> dict:
    """A JSON record, hostile in one or more fields, with the shape of ``fmt``."""
    record: dict = {}
    base = {"title": draw(st.one_of(nasty_text, st.builds(lambda t: f"Hostile {t}", any_text), json_value)),
            "abstract": draw(st.one_of(nasty_text, json_value,
                                       st.builds(lambda u: f"{_PROSE}Code: {u}.", url_text)))}
    if fmt == "arxiv":
        base.update(id=draw(st.one_of(st.sampled_from(["0704.0001", "math/0406594", "2401.1", "x"]), json_value)),
                    categories=draw(st.one_of(st.just("cs.LG"), json_value)),
                    update_date=draw(st.one_of(st.just("2024-13-45"), st.just("2024-01-02"), json_value)),
                    versions=draw(st.one_of(st.just([{"created": "Mon, 99 Foo 2024"}]), json_value)),
                    authors_parsed=draw(st.one_of(st.just([["A", "B", ""]]), json_value)))
    else:
        base.update(url=draw(st.one_of(url_text, json_value)), id=draw(json_value), date=draw(json_value),
                    authors=draw(json_value), categories=draw(json_value), keywords=draw(json_value))
    for key, value in base.items():
        if draw(st.integers(0, 3)):  # each field present three times in four
            record[key] = value
    record.update(draw(st.dictionaries(any_text, json_value, max_size=2)))
    return record


@st.composite
def hostile_lines(draw, fmt: str) -> list[bytes]:
    """One hostile record as the line(s) of a source file (a line never holds b"\\n")."""
    if fmt == "daily":
        def line(text: str) -> bytes:
            return text.encode("utf-8", "surrogatepass").replace(b"\n", b" ")

        kind = draw(st.sampled_from(["text", "pair", "bytes", "title-only", "long"]))
        if kind == "text":
            return [line(draw(nasty_text))]
        if kind == "pair":
            return [line(draw(nasty_text)), line(f"{_PROSE}{draw(url_text)} {draw(any_text)}.")]
        if kind == "bytes":
            return [draw(st.binary(max_size=60)).replace(b"\n", b"")]
        if kind == "title-only":
            return [line(f"Hostile lonely title {draw(any_text)}")]
        return [b"x" * 1_001, b"y" * 100_001 + b"."]
    kind = draw(st.sampled_from(["record", "record", "truncated", "bytes", "not-object", "deep", "mutated"]))
    if kind in ("record", "truncated", "mutated"):
        data = json.dumps(draw(hostile_record(fmt)), ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
        if kind == "truncated":
            data = data[:draw(st.integers(0, max(0, len(data) - 1)))]
        elif kind == "mutated":
            at = draw(st.integers(0, len(data)))
            data = data[:at] + draw(st.binary(min_size=1, max_size=4)).replace(b"\n", b"") + data[at:]
        return [data]
    if kind == "bytes":
        return [draw(st.binary(max_size=60)).replace(b"\n", b"")]
    if kind == "deep":
        return [b"[" * 100_000 + b"]" * 100_000]
    return [json.dumps(draw(json_value), ensure_ascii=False).encode("utf-8", "surrogatepass").replace(b"\n", b" ")]


@dataclass
class Case:
    """A generated source file: its format, bytes and name, and the titles of the good records in it."""

    fmt: str
    data: bytes
    name: str
    good: list[str] = field(default_factory=list)
    whole_file: str | None = None  #: the kind of hostile whole file, or None for a file of records
    force_format: bool = False  #: pass --format instead of letting the extension decide

    def write(self, folder: Path) -> Path:
        path = folder / self.name
        path.write_bytes(self.data)
        return path


@st.composite
def record_files(draw, fmt: str | None = None) -> Case:
    """A file of good and hostile records in one format."""
    fmt = fmt or draw(st.sampled_from(FORMATS))
    items = draw(st.lists(st.one_of(st.integers(0, 10**6).map(lambda i: ("good", i)),
                                    hostile_lines(fmt).map(lambda lines: ("bad", lines))), min_size=1, max_size=6))
    lines: list[bytes] = []
    good: list[str] = []
    for n, (kind, value) in enumerate(items):
        if kind == "good":
            lines += good_line(fmt, n)
            good.append(good_title(n))
        else:
            lines += value
    separator = draw(st.sampled_from([b"\n", b"\r\n", b"\n\n"]))
    data = separator.join(lines) + draw(st.sampled_from([b"", b"\n"]))
    compress = draw(st.integers(0, 5)) == 0
    name = "papers" + SUFFIX[fmt] + (".gz" if compress else "")
    if compress:
        data = gzip.compress(data, mtime=0)
    return Case(fmt, data, name, good, force_format=fmt == "arxiv" and draw(st.booleans()))


def _gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


@st.composite
def whole_files(draw) -> Case:
    """A hostile file as a whole (its records, if any, are good ones)."""
    fmt = draw(st.sampled_from(FORMATS))
    body = b"\n".join(line for i in range(3) for line in good_line(fmt, i)) + b"\n"
    titles = [good_title(i) for i in range(3)]
    kind = draw(st.sampled_from(["empty", "blank", "binary", "utf-16", "bom", "gzip-truncated", "gzip-junk",
                                 "not-gzip", "json-array", "no-final-newline", "cr-only", "long-line"]))
    suffix = SUFFIX[fmt]
    data, good = body, titles
    if kind == "empty":
        data, good = b"", []
    elif kind == "blank":
        data, good = b"\n \n\t\n", []
    elif kind == "binary":
        data, good = b"\x89PNG\r\n\x1a\n" + draw(st.binary(min_size=1, max_size=200)), []
    elif kind == "utf-16":
        data, good = body.decode().encode("utf-16"), []
    elif kind == "bom":
        data = b"\xef\xbb\xbf" + body
    elif kind == "gzip-truncated":
        full = _gz(body)
        data, good, suffix = full[:draw(st.integers(2, len(full) - 1))], None, suffix + ".gz"
    elif kind == "gzip-junk":
        data, good, suffix = b"\x1f\x8b" + draw(st.binary(max_size=100)), [], suffix + ".gz"
    elif kind == "not-gzip":
        suffix += ".gz"
    elif kind == "json-array":
        data, good = (b"[" + b",".join(good_line("jsonl", i)[0] for i in range(3)) + b"]\n"), []
    elif kind == "no-final-newline":
        data = body.rstrip(b"\n")
    elif kind == "cr-only":
        data, good = body.replace(b"\n", b"\r"), []
    elif kind == "long-line":
        data = b"x" * (8 * 1024 * 1024 + 10) + b"\n" + body
    return Case(fmt, data, "papers" + suffix, good or [], whole_file=kind)


hostile_files = st.one_of(record_files(), record_files(), whole_files())


# --------------------------------------------------------------------------- checks

_ERROR_LINE = re.compile(r"kg: error: (?P<path>.+?)(?::(?P<line>\d+))?: .+")


def check_reader(path: Path, case: Case) -> str:
    """Read ``path`` strictly and with ``skip_bad``; assert what must hold; return what happened."""
    fmt = case.fmt if case.force_format else None
    try:
        strict = list(read_sources(path, format=fmt))
        strict_outcome = "read"
    except SourceError as err:
        assert err.path == str(path), err
        assert str(err).startswith(str(path)), err
        strict, strict_outcome = [], "error-with-line" if err.line is not None else "error-whole-file"
    try:
        papers = list(read_sources(path, format=fmt, skip_bad=True))
    except SourceError as err:  # only a file that cannot be read as a whole stops a --skip-bad read
        assert case.whole_file is not None or err.line is not None, err
        assert not case.good or case.whole_file is not None, (err, case.good)
        return f"skip-bad: stopped ({strict_outcome})"
    for paper in papers + strict:
        for text in (paper.title, paper.abstract, *paper.authors, *paper.categories, paper.url or "", paper.id or ""):
            assert not SURROGATE.search(text) and not NOT_TEXT.search(text), (paper, text)
            text.encode("utf-8")
    titles = {p.title for p in papers}
    missing = [t for t in case.good if t not in titles]
    assert not missing or case.whole_file is not None, missing
    check_graph(papers)
    return f"skip-bad: {len(papers)} papers ({strict_outcome})"


def check_graph(papers) -> None:
    """Every paper's quads (code links found in its text, no NLP) serialise and parse back in both parsers."""
    quads = []
    for paper in papers:
        code = tuple(CodeLink(url, s, e, paper.text, 0) for s, e, url in find_code_links(paper.text))
        quads += paper_quads(link_paper(Extraction(paper, (), code)))
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
    assert len(list(ox.parse(data, format=ox.RdfFormat.N_QUADS))) == len(set(quads))
    ds = rdflib.Dataset()
    ds.parse(data=data.decode("utf-8"), format="nquads")
    assert len(ds) == len(set(quads))


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its size and modification time (to tell whether anything changed)."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.endswith(".lock")}


def check_cli(invoke, path: Path, case: Case, workdir: Path, existing: Path) -> str:
    """``kg build`` of ``path`` into a fresh folder and into ``existing`` (a built one), strictly and with
    --skip-bad; assert what must hold; return what happened. ``invoke(args) -> (exit code, stdout, stderr)``."""
    fmt = ["--format", case.fmt] if case.force_format else []
    outcomes = []
    for skip in ([], ["--skip-bad"]):
        fresh = workdir / f"fresh{len(skip)}"
        shutil.rmtree(fresh, ignore_errors=True)
        for out in (fresh, existing):
            before = snapshot(out)
            code, stdout, stderr = invoke(["build", str(path), "--out", str(out), "-q", "--n-process", "1",
                                           *fmt, *skip])
            assert "Traceback" not in stdout + stderr, stderr
            assert code in (0, 2), (code, stderr)
            errors = [line for line in stderr.splitlines() if line.startswith("kg: error:")]
            if code == 2:
                assert len(errors) == 1, stderr
                m = _ERROR_LINE.fullmatch(errors[0])
                assert m and m.group("path") == str(path), errors[0]
                assert m.group("line") or case.whole_file or "no papers" in errors[0], errors[0]
                assert snapshot(out) == before, "a failed build changed its output folder"
                if out is fresh:
                    assert not fresh.exists(), "a failed build left a partial output folder"
            else:
                assert not errors, stderr
                if skip:
                    titles = {str(o) for o in rdflib.Graph().parse(out / "graph.ttl").objects(
                        None, rdflib.URIRef("http://purl.org/dc/terms/title"))}
                    assert not [t for t in case.good if t not in titles], "a good record was lost under --skip-bad"
            outcomes.append(code)
    return "cli: " + "/".join(map(str, outcomes))


def cli_invoker():
    """``invoke`` for :func:`check_cli`: the kg command run in-process by typer's test runner."""
    from typer.testing import CliRunner

    from kg.cli import app

    runner = CliRunner()

    def invoke(args):
        result = runner.invoke(app, args)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            import traceback

            return 99, result.stdout, "Traceback " + "".join(traceback.format_exception(result.exception))
        return result.exit_code, result.stdout, result.stderr

    return invoke


__all__ = ["Case", "hostile_files", "record_files", "whole_files", "check_reader", "check_graph", "check_cli",
           "cli_invoker", "snapshot"]
