"""Hostile but plausible input (issue 14): one bad record costs that record, one bad URL that URL, and every
output stays well-formed. Each test reproduces a failure found by the adversarial probe of issue 14."""
import json
import logging
import os
import re
import subprocess
import sys
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest
import rdflib
from typer.testing import CliRunner

import kg.errors
import kg.sources
from kg.cli import app
from kg.graph import code_iri
from kg.sources import read_sources
from kg.vocab import KGO

runner = CliRunner()

#: URL forms written in abstracts: the five the probe named (which aborted a whole build after the NLP with
#: "Parser error at line 178758") and more of the same kinds.
HOSTILE_URLS = [
    "https://x.github.io/p/#/demo#top",  # a second '#'
    "https://github.com/x/y%.",  # a '%' at the end (the '.' is punctuation)
    "https://github.com/x/%zz",  # '%' not followed by two hex digits
    "https://github.com:abc/x/y",  # a port that is not a number
    "https://github.com/x/y%",
    "https://ex.org/a%2",
    "https://github.com/x/y#a#b",
    "https://github.com/x/y|z",
    "https://github.com/x/y^z",
    "https://github.com/x/y`z",
    "https://github.com/x/y\\z",
    "https://ex.org:99999/a",  # a port out of range
    "https://github.com/x/[y]",
    "https://[::1]x/y",
    "https://[::1/y",
    "https://user@:80/x",
    "https://gitlab.com/ü/ñ",
    "https://huggingface.co/x/y?q=a b#c d",
]


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def one_line_error(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.startswith("kg: error:")]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_code_iri_is_valid_in_every_parser_or_none(url):
    iri = code_iri(url)
    if iri is None:
        return
    ox.NamedNode(iri)  # Oxigraph's rules (those of the store's parsers)
    nt = f"<{iri}> <{iri}> <{iri}> .\n"
    assert len(list(ox.parse(nt.encode(), format=ox.RdfFormat.N_TRIPLES))) == 1
    assert len(rdflib.Graph().parse(data=nt, format="nt")) == 1


def test_code_iri_keeps_valid_urls_as_written():
    for url in ("https://github.com/x/y", "https://a.github.io/p/?a=1&b=%20#frag", "http://[::1]:8080/x",
                "https://huggingface.co/spaces/a/b-c_d.e~f"):
        assert code_iri(url) == url


def test_code_iri_drops_what_cannot_be_made_an_iri():
    assert code_iri("https://github.com:abc/x/y") is None
    assert code_iri("https:///x/y") is None  # no host (what "[GitHub](https://github.com/x/y)" used to give)
    assert code_iri("https://ex.org:99999/a") is None


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    """`kg build --skip-bad` of JSON Lines whose abstracts give every hostile URL form, a record with a lone
    surrogate, one with control characters, a Markdown link and a `url` field with brackets."""
    folder = tmp_path_factory.mktemp("hostile")
    source = folder / "papers.jsonl"
    lines = [json.dumps({"title": f"Hostile URL paper {i}", "abstract": f"We propose FooNet for image classification "
                         f"on ImageNet. Code is available at {url} for everyone."}) for i, url in enumerate(HOSTILE_URLS)]
    lines.append(json.dumps({"title": "A url field paper", "abstract": "We fine-tune BERT on SQuAD.",
                             "url": "https://arxiv.org/abs/1[1]"}))
    lines.append(json.dumps({"title": "Markdown link paper", "abstract": "We fine-tune BERT on SQuAD. Code: "
                             "[GitHub](https://github.com/mdx/mdy) and [our demo](https://mdx.github.io/demo/)."}))
    lines.append('{"title": "Lone \\ud800 surrogate paper", "abstract": "A \\ud800 B. We fine-tune BERT."}')
    lines.append('{"title": "Control\\u0001 characters\\uffff paper", "abstract": "We fine-tune\\u0007 BERT\\u0085 '
                 'on SQuAD\\u001b[31m."}')
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = folder / "out"
    warnings = _Records()
    logging.getLogger("kg").addHandler(warnings)
    try:
        result = run("build", source, "--out", out, "--skip-bad")  # not -q: that leaves only errors
    finally:
        logging.getLogger("kg").removeHandler(warnings)
    return source, out, result, "\n".join(warnings.messages)


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_a_hostile_url_never_aborts_a_build(hostile_build):
    source, out, result, warnings = hostile_build
    assert result.exit_code == 0, result.output
    assert "-> 21 papers" in result.stdout  # every record but the one with a lone surrogate
    # graph.ttl parses with both parsers, and the store holds the same triples
    triples = list(ox.parse(path=str(out / "graph.ttl"), format=ox.RdfFormat.TURTLE))
    g = rdflib.Graph().parse(out / "graph.ttl")
    assert len(g) == len(triples) > 0
    repos = {str(o) for o in g.objects(None, KGO.hasCode)}
    assert "https://x.github.io/p/#/demo%23top" in repos
    assert "https://github.com/x/%25zz" in repos
    assert not any(r.startswith("https:///") for r in repos)


def test_a_url_that_cannot_be_made_an_iri_is_dropped_with_a_warning_naming_file_and_line(hostile_build):
    source, out, result, warnings = hostile_build
    line = HOSTILE_URLS.index("https://github.com:abc/x/y") + 1
    assert re.search(rf"{re.escape(str(source))}:{line}: code URL 'https://github.com:abc/x/y' .*left out",
                     warnings), warnings
    url_line = len(HOSTILE_URLS) + 1  # the url field with [1] is percent-encoded, not dropped
    g = rdflib.Graph().parse(out / "graph.ttl")
    assert rdflib.URIRef("https://arxiv.org/abs/1%5B1%5D") in set(g.objects(None, rdflib.URIRef("https://schema.org/url")))
    assert f"{source}:{url_line}:" not in warnings


def test_markdown_links_are_links(hostile_build):
    _, out, _, _ = hostile_build
    g = rdflib.Graph().parse(out / "graph.ttl")
    repos = {str(o) for o in g.objects(None, KGO.hasCode)}
    assert {"https://github.com/mdx/mdy", "https://mdx.github.io/demo/"} <= repos


def test_a_lone_surrogate_is_one_bad_record_naming_file_and_line(hostile_build):
    source, out, result, warnings = hostile_build
    line = len(HOSTILE_URLS) + 3
    assert f"kg: warning: skipped bad record: {source}:{line}: 'title' holds a lone surrogate (U+D800)" \
        in result.stderr
    strict = run("build", source, "--out", out.parent / "strict", "-q")
    assert strict.exit_code == 2
    assert one_line_error(strict).startswith(f"kg: error: {source}:{line}: 'title' holds a lone surrogate")
    assert not (out.parent / "strict").exists()


def test_control_characters_are_cleaned_at_the_source(hostile_build, tmp_path):
    source, out, _, _ = hostile_build
    paper = [p for p in read_sources(source, skip_bad=True) if p.title.startswith("Control")][0]
    assert paper.title == "Control  characters  paper"
    assert paper.abstract == "We fine-tune  BERT  on SQuAD [31m."
    escapes = tmp_path / "escapes.jsonl"  # JSON's short escapes for control characters (found by fuzzing)
    escapes.write_text('{"title": "Back\\bspace", "abstract": "Form\\ffeed \\\\b kept."}\n', encoding="utf-8")
    (paper,) = read_sources(escapes)
    assert (paper.title, paper.abstract) == ("Back space", "Form feed \\b kept.")
    listing = tmp_path / "daily.txt"  # raw control bytes in a Daily Papers listing
    listing.write_bytes(b"A title\x07 with a bell\n" + b"An abstract with an escape \x1b[0m and DEL \x7f. " * 20 + b"\n")
    (daily,) = read_sources(listing)
    assert daily.title == "A title  with a bell"
    assert "\x1b" not in daily.abstract and "\x7f" not in daily.abstract


# --------------------------------------------------------------------------- the small ones (issue 14 item 5)

SMALL = __import__("conftest").TESTS / "data" / "sources" / "papers.jsonl"
SNAPSHOT = __import__("conftest").TESTS / "data" / "sources" / "arxiv-snapshot.json"


def kg_process(*args, stdout=subprocess.PIPE, timeout=120):
    """`python -m kg ARGS` in a child process (a hang fails the test instead of the whole run)."""
    return subprocess.run([sys.executable, "-m", "kg", *map(str, args)], stdout=stdout, stderr=subprocess.PIPE,
                          text=True, timeout=timeout)


def test_a_fifo_is_refused_up_front(tmp_path):
    fifo = tmp_path / "papers.jsonl"
    os.mkfifo(fifo)  # no writer: opening it for reading would block for ever
    result = kg_process("build", fifo, "--out", tmp_path / "out", "-q", timeout=60)
    assert result.returncode == 2
    assert result.stderr == f"kg: error: {fifo}: is not a regular file (a FIFO, socket or device); " \
                            f"{kg.sources._SUPPORTED}\n"
    assert not (tmp_path / "out").exists()
    with pytest.raises(kg.errors.SourceError, match="is not a regular file"):
        list(kg.sources.read_jsonl(fifo))


@pytest.mark.parametrize("first", ['{"id": "0704.0001", "submitter": "x", "title": "trunc', '{"id": 1}', "[1, 2",
                                   '{"abstract": "x"}', "{}", "null", "\x00\x01 binary junk"])
def test_arxiv_detection_reads_past_a_bad_first_line(tmp_path, first):
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(first + "\n" + SNAPSHOT.read_text(encoding="utf-8"), encoding="utf-8")
    stats = kg.sources.SourceStats()
    papers = list(read_sources(snapshot, skip_bad=True, stats=stats))
    assert [p.id for p in papers] == [p.id for p in read_sources(SNAPSHOT)]
    assert all(p.categories for p in papers)
    assert stats.bad_records == 1 and stats.skipped[0].line == 1


def test_exports_are_well_formed_xml_whatever_the_titles(tmp_path):
    from kg.knowledge_graph import from_extractions
    from kg.records import Extraction, Paper

    titles = ["Control \x01 title", "Non-character \uffff title", "Fine title"]
    from_extractions([Extraction(Paper(t, "An abstract \x0b with \x1f.")) for t in titles], out=tmp_path / "out")
    for name in ("g.rdf", "g.graphml"):
        result = run("export", tmp_path / name, "--store", tmp_path / "out" / "store")
        assert result.exit_code == 0, result.output
        ElementTree.parse(tmp_path / name)  # raises on ill-formed XML
    g = rdflib.Graph().parse(tmp_path / "g.rdf", format="xml")
    assert {str(t) for t in g.objects(None, rdflib.URIRef("http://purl.org/dc/terms/title"))} == {
        "Control \ufffd title", "Non-character \ufffd title", "Fine title"}
    labels = {e.text for e in ElementTree.parse(tmp_path / "g.graphml").iter() if e.text and "title" in e.text}
    assert labels == {"Control \ufffd title", "Non-character \ufffd title", "Fine title"}


def test_bad_record_reports_are_bounded(tmp_path):
    source = tmp_path / "many-bad.jsonl"
    source.write_text(SMALL.read_text(encoding="utf-8")
                      + "".join(f'{{"title": "broken {i}", "abstract": \n' for i in range(3000)), encoding="utf-8")
    stats = kg.sources.SourceStats()
    assert len(list(read_sources(source, skip_bad=True, stats=stats))) == 3
    assert stats.bad_records == 3000 and len(stats.skipped) == kg.sources.MAX_REPORTED_BAD
    result = run("build", source, "--out", tmp_path / "out", "--skip-bad")
    assert result.exit_code == 0, result.output
    skipped = [line for line in result.stderr.splitlines() if line.startswith("kg: warning: skipped")]
    assert len(skipped) == kg.sources.MAX_REPORTED_BAD + 1
    assert skipped[-1] == f"kg: warning: skipped … and {3000 - kg.sources.MAX_REPORTED_BAD:,} more bad records"
    assert "3000 bad records skipped -> 3 papers" in result.stdout


@pytest.mark.parametrize("command", ["build", "query"])
def test_a_closed_stdout_is_quiet(tmp_path, command):
    out = tmp_path / "out"
    if command == "query":
        assert run("build", SMALL, "--out", out, "-q").exit_code == 0
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader went away before the first line (`kg … | head -0`)
    try:
        args = ("build", SMALL, "--out", out, "-q") if command == "build" else \
            ("query", "--store", out / "store", "SELECT * { ?s ?p ?o }")
        result = kg_process(*args, stdout=write_end)
    finally:
        os.close(write_end)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "Error" not in result.stderr, result.stderr
    assert (out / "graph.ttl").is_file()


def test_span_finder_annotations_are_the_same_as_spacys_in_linear_time():
    """The linear span_finder (kg.nlp.spans) gives spaCy's spans, in spaCy's order, on a long dense abstract."""
    import spacy.pipeline.span_finder as sf

    from kg.nlp.spans import MODEL_DIR, load_model

    model = load_model(MODEL_DIR)
    finder = model.get_pipe("span_finder")
    text = ("We train ResNet-50 and ViT-B/16 on ImageNet and CIFAR-10 with Adam, and evaluate BERT on SQuAD. " * 40)
    doc = model.make_doc(text)
    for _, proc in model.pipeline[:model.pipe_names.index("span_finder")]:
        doc = proc(doc)
    scores = finder.predict([doc])
    finder.set_annotations([doc], scores)  # paperkg's
    ours = [(s.start, s.end) for s in doc.spans[finder.cfg["spans_key"]]]
    sf.SpanFinder.set_annotations(finder, [doc], scores)  # spaCy's own
    theirs = [(s.start, s.end) for s in doc.spans[finder.cfg["spans_key"]]]
    assert ours == theirs and len(ours) > 100


def test_output_paths_are_checked_before_anything_is_replaced(tmp_path):
    out = tmp_path / "out"
    assert run("build", SMALL, "--out", out, "-q").exit_code == 0
    before = {name: (out / name).stat().st_mtime_ns for name in ("graph.ttl", "store")}
    store_files = sorted(p.name for p in (out / "store").iterdir())
    (out / "explorer.html").unlink()
    (out / "explorer.html").mkdir()
    result = run("build", SMALL, "--out", out, "-q")
    assert result.exit_code == 2
    assert one_line_error(result) == f"kg: error: refusing to replace {out / 'explorer.html'}: it is not a file " \
                                     "(a directory?); move it away or choose another output folder"
    assert {name: (out / name).stat().st_mtime_ns for name in ("graph.ttl", "store")} == before
    assert sorted(p.name for p in (out / "store").iterdir()) == store_files
    added = run("add", SNAPSHOT, "--out", out, "-q")
    assert added.exit_code == 2 and "explorer.html: it is not a file" in one_line_error(added)
