"""Tests of kg.sources: the readers of Daily Papers listings, JSON Lines and the arXiv snapshot."""
from __future__ import annotations

import doctest
import gzip
import json
import logging
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import kg.sources
import kg.sources.base
import kg.sources.daily
import kg.sources.jsonl
from kg.errors import SourceError
from kg.records import Paper
from kg.sources import (
    MAX_ABSTRACT_CHARS,
    MAX_TITLE_CHARS,
    SourceStats,
    bundled_corpus,
    read_arxiv,
    read_daily,
    read_jsonl,
    read_papers,
    read_sources,
    unglue_urls,
)
from kg.sources.daily import BOILERPLATE, DATE_LINE

DATA = Path(__file__).parent / "data" / "sources"
ARXIV = DATA / "arxiv-snapshot.json"
JSONL = DATA / "papers.jsonl"

F000 = "000_0a1d169aa50074e0.txt"
F001 = "001_b4451212098c6886.txt"  # the file without blank lines
F002 = "002_56230e674a924e75.txt"
F003 = "003_a6e1f6297f0e9150.txt"
F004 = "004_702bd8bb27845053.txt"

#: A plausible abstract: long prose ending with a full stop.
ABSTRACT = "We propose a method that learns a representation from data. " * 6


@pytest.fixture(scope="session")
def corpus() -> Path:
    return bundled_corpus()


@pytest.fixture(scope="session")
def records(corpus: Path) -> dict[str, list[Paper]]:
    """Every record of every bundled file, duplicates included, by file name."""
    return {path.name: list(read_papers(path)) for path in sorted(corpus.glob("*.txt"))}


@pytest.fixture(scope="session")
def distinct() -> tuple[list[Paper], SourceStats]:
    stats = SourceStats()
    return list(read_sources(stats=stats)), stats


def by_title(papers: list[Paper], prefix: str) -> list[Paper]:
    return [p for p in papers if p.title.startswith(prefix)]


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def read_all(path: Path, **kwargs) -> tuple[list[Paper], list[SourceError]]:
    """Read with skip_bad, returning the papers and the reported errors."""
    skipped: list[SourceError] = []
    papers = list(read_papers(path, skip_bad=True, on_skip=skipped.append, **kwargs))
    return papers, skipped


def raised(path: Path, **kwargs) -> SourceError:
    with pytest.raises(SourceError) as info:
        list(read_papers(path, **kwargs))
    return info.value


# ------------------------------------------------------------------ the bundled corpus


def test_bundled_corpus_is_the_five_daily_listings(corpus: Path) -> None:
    assert corpus.is_dir() and corpus.parts[-2:] == ("data", "daily-papers")
    assert sorted(p.name for p in corpus.iterdir()) == [F000, F001, F002, F003, F004]


def test_corpus_record_counts_per_file(records: dict[str, list[Paper]]) -> None:
    assert {name: len(papers) for name, papers in records.items()} == {
        F000: 151, F001: 119, F002: 86, F003: 87, F004: 77,
    }


def test_corpus_holds_468_distinct_papers_of_520_records(records, distinct) -> None:
    papers, stats = distinct
    every = [p for papers_of_file in records.values() for p in papers_of_file]
    assert len(every) == 520
    assert len({p.key for p in every}) == 468
    assert len(papers) == 468 and len({p.key for p in papers}) == 468
    assert (stats.files_read, stats.records_read, stats.duplicates_dropped, stats.skipped) == (5, 520, 52, [])
    assert stats.papers == 468


def test_title_glued_to_subscribe_is_cut(records) -> None:
    first = records[F001][0]
    assert first.title == "Improving the Training of Rectified Flows"
    assert first.line == 3
    assert first.source == str(bundled_corpus() / F001)
    assert first.abstract.startswith("Diffusion models have shown great promise for image and video generation, ")
    assert first.abstract.endswith("(iCT) in FID. Code is available at https://github.com/sangyun884/rfpp.")


@pytest.mark.parametrize(
    ("name", "line", "title"),
    [
        (F000, 11, "Re-assessing ImageNet: How aligned is its single-label assumption with its multi-label nature?"),
        (F002, 11, "Effective Invertible Arbitrary Image Rescaling"),
        (F003, 11, "Model-Based Transfer Learning for Contextual Reinforcement Learning"),
        (F004, 13, "Joint Self-Supervised Image-Volume Representation Learning with Intra-Inter Contrastive Clustering"),
    ],
)
def test_first_record_follows_the_page_boilerplate(records, name: str, line: int, title: str) -> None:
    first = records[name][0]
    assert (first.title, first.line) == (title, line)


def test_no_boilerplate_line_becomes_a_title_or_abstract(records) -> None:
    for papers in records.values():
        for paper in papers:
            for text in (paper.title, paper.abstract):
                assert text not in BOILERPLATE
                assert DATE_LINE.fullmatch(text) is None
            assert not paper.title.startswith("Subscribe")
            assert paper.title == paper.title.strip() and paper.abstract == paper.abstract.strip()


def test_line_numbers_with_and_without_blank_lines(records) -> None:
    # 001 has no blank lines: records every 2 lines from line 3; the others have one blank line between lines.
    assert [p.line for p in records[F001]] == list(range(3, 3 + 2 * 119, 2))
    assert [p.line for p in records[F000]] == list(range(11, 11 + 4 * 151, 4))
    last = records[F004][-1]
    assert last.title.startswith("Role of Locality and Weight Sharing in Image-Based Tasks")
    assert last.abstract.endswith("domized algorithms, which may be of interest for statistical research.")


def test_every_title_is_short_and_every_abstract_long(records) -> None:
    """The corpus figures behind TITLE_LIKE_MAX_CHARS: the alternation never put a line in the wrong place."""
    every = [p for papers in records.values() for p in papers]
    assert max(len(p.title) for p in every) == 153
    assert min(len(p.abstract) for p in every) == 719
    assert max(len(p.abstract) for p in every) == 1919
    assert all(kg.sources.daily.looks_like_title(p.title) for p in every)
    assert not any(kg.sources.daily.looks_like_title(p.abstract) for p in every)


def test_url_glued_to_previous_word_gets_one_space(records) -> None:
    every = [p for papers in records.values() for p in papers]
    (synthesis,) = by_title(every, "Diversity-Driven Synthesis: Enhancing Dataset Distillation")
    assert (Path(synthesis.source).name, synthesis.line) == (F000, 107)
    assert synthesis.abstract.startswith("The sharp increase in data-related expenses has motivated re")
    assert synthesis.abstract.endswith(
        "Our code is available at https://github.com/AngusDujw/Diversity-Driven-Synthesis. "
        "https://github.com/AngusDujw/Diversity-Driven-Synthesis."
    )
    (solving,) = by_title(every, "Solving ImageNet: a Unified Scheme")
    assert solving.abstract.endswith("Implementation is available at: https://github.com/Alibaba-MIIL/Solving_ImageNet")
    (svt,) = by_title(every, "Scattering Vision Transformer")
    assert svt.abstract.endswith("The project page is available on this webpage. https://badripatro.github.io/svt/.")


def test_urls_after_brackets_or_tilde_stay_as_written(records) -> None:
    every = [p for papers in records.values() for p in papers]
    (swin,) = by_title(every, "Swin Transformer: Hierarchical Vision Transformer")
    assert "publicly available at~https://github.com/microsoft/S" in swin.abstract
    (caf,) = by_title(every, "Constant Acceleration Flow")
    assert "https://github.com/mlvlab/CAF{https://github.com/mlvlab/CAF}" in caf.abstract
    (airs,) = by_title(every, "SineNet:")
    assert "as part of AIRS (https://github.com/divelab/AIR" in airs.abstract


def test_only_glued_urls_change_the_text(records, corpus: Path) -> None:
    """Apart from stripping, exactly the three glued URLs differ from the lines as written."""
    changed = []
    for name, papers in records.items():
        lines = (corpus / name).read_text(encoding="utf-8").splitlines()
        for paper in papers:
            assert lines[paper.line - 1].strip().removeprefix("Subscribe") == paper.title
            following = [text.strip() for text in lines[paper.line:] if text.strip()]
            if following[0] != paper.abstract:
                changed.append((name, paper.line))
    assert changed == [(F000, 107), (F000, 555), (F001, 125)]


def test_corpus_urls(distinct) -> None:
    papers, _ = distinct
    url = re.compile(r"https?://[^\s{}()<>\[\]]+")
    assert sum(1 for p in papers if url.search(p.abstract)) == 174
    github = {
        u.rstrip(".,;:!?'\"")
        for p in papers
        for u in url.findall(p.abstract)
        if re.match(r"https?://(www\.)?github\.com/", u)
    }
    assert len(github) == 153
    assert "https://github.com/AngusDujw/Diversity-Driven-Synthesis" in github


def test_non_ascii_text_is_decoded(records) -> None:
    titles = {p.title: p.line for p in records[F000]}
    assert titles["Möbius Transform for Mitigating Perspective Distortions in Representation Learning"] == 439
    assert titles["DεpS: Delayed ε-Shrinking for Faster Once-For-All Training"] == 487


def test_paper_in_several_files_keeps_its_first_occurrence(records, distinct, corpus: Path) -> None:
    title = "Scaling Up Your Kernels: Large Kernel Design in ConvNets towards Universal Representations"
    every = [p for papers in records.values() for p in papers]
    assert [(Path(p.source).name, p.line) for p in every if p.title == title] == [
        (F000, 231), (F002, 107), (F004, 161),
    ]
    papers, _ = distinct
    (kept,) = [p for p in papers if p.title == title]
    assert (kept.source, kept.line) == (str(corpus / F000), 231)
    assert kept.abstract.endswith("promoting further research and development in the community.")
    # The order of the paths decides which occurrence is first.
    (kept,) = [p for p in read_sources([corpus / F004, corpus / F000]) if p.title == title]
    assert (Path(kept.source).name, kept.line) == (F004, 161)


def test_reading_is_lazy(corpus: Path) -> None:
    papers = read_papers(corpus / F001)
    assert next(papers).line == 3
    assert next(papers).title == "SlimFlow: Training Smaller One-Step Diffusion Models with Rectified Flow"


# ------------------------------------------------------------------ daily: title vs abstract, bad records


@pytest.mark.parametrize("sep", ["\n", "\n\n"], ids=["no-blank-lines", "blank-lines"])
def test_title_without_abstract_in_the_middle(tmp_path: Path, sep: str) -> None:
    text = sep.join(["First Title", ABSTRACT, "Lonely Title", "Third Title", ABSTRACT]) + "\n"
    path = write(tmp_path, "listing.txt", text)
    err = raised(path)
    line = 3 if sep == "\n" else 5
    assert err.path == str(path) and err.line == line
    assert str(err) == f"{path}:{line}: title 'Lonely Title' has no abstract line after it (line {line + len(sep)} looks like the next title)"
    papers, skipped = read_all(path)
    assert [(p.title, p.line) for p in papers] == [("First Title", 1), ("Third Title", 4 if sep == "\n" else 7)]
    assert [e.line for e in skipped] == [line]


def test_empty_abstract_line(tmp_path: Path) -> None:
    """In a file without blank lines, a blank abstract line leaves its title without an abstract."""
    path = write(tmp_path, "listing.txt", f"A Title\n\nNext Title\n{ABSTRACT}\n")
    papers, skipped = read_all(path)
    assert [p.title for p in papers] == ["Next Title"]
    assert [(e.line, e.reason) for e in skipped] == [(1, "title 'A Title' has no abstract line after it (line 3 looks like the next title)")]


def test_title_at_end_of_file(tmp_path: Path) -> None:
    path = write(tmp_path, "listing.txt", f"A Title\n{ABSTRACT}\nLast Title\n")
    err = raised(path)
    assert (err.line, err.reason) == (3, "title 'Last Title' has no abstract line after it (end of file)")


def test_abstract_without_title(tmp_path: Path) -> None:
    path = write(tmp_path, "listing.txt", f"A Title\n{ABSTRACT}\n{ABSTRACT}\nNext Title\n{ABSTRACT}\n")
    papers, skipped = read_all(path)
    assert [(p.title, p.line) for p in papers] == [("A Title", 1), ("Next Title", 4)]
    assert [e.line for e in skipped] == [3]
    assert "looks like an abstract" in skipped[0].reason and "no title line precedes it" in skipped[0].reason


def test_short_abstract_between_titles_is_accepted(tmp_path: Path) -> None:
    """A short line is an abstract when the line after it is not an abstract either."""
    path = write(tmp_path, "listing.txt", f"A Title\nA short abstract\nNext Title\n{ABSTRACT}\n")
    assert [(p.title, p.abstract) for p in read_papers(path)] == [
        ("A Title", "A short abstract"), ("Next Title", ABSTRACT.strip()),
    ]


def test_two_titles_at_end_of_file_are_not_taken_for_a_record(tmp_path: Path) -> None:
    """A short line at the end of the file is taken for a title: both titles lack an abstract."""
    path = write(tmp_path, "listing.txt", f"A Title\n{ABSTRACT}\nNext Title\nLast Title\n")
    papers, skipped = read_all(path)
    assert [p.title for p in papers] == ["A Title"]
    assert [e.reason for e in skipped] == [
        "title 'Next Title' has no abstract line after it (line 4 looks like the next title)",
        "title 'Last Title' has no abstract line after it (end of file)",
    ]


def test_title_longer_than_the_limit(tmp_path: Path) -> None:
    title = "T" * (MAX_TITLE_CHARS + 1)
    path = write(tmp_path, "listing.txt", f"new\n{title}\n{ABSTRACT}\nGood Title\n{ABSTRACT}\n")
    err = raised(path)
    assert err.line == 2 and "title has 1,001 characters, more than MAX_TITLE_CHARS (1,000)" in err.reason
    papers, skipped = read_all(path)
    assert [p.title for p in papers] == ["Good Title"]  # the long title's abstract went with it
    assert len(skipped) == 1


def test_title_at_the_limit_is_accepted(tmp_path: Path) -> None:
    title = "T" * MAX_TITLE_CHARS
    path = write(tmp_path, "listing.txt", f"{title}\n{ABSTRACT}\n")
    assert [len(p.title) for p in read_papers(path)] == [MAX_TITLE_CHARS]


def test_abstract_longer_than_the_limit(tmp_path: Path) -> None:
    path = write(tmp_path, "listing.txt", f"A Title\n{'a' * (MAX_ABSTRACT_CHARS + 1)}\nGood Title\n{ABSTRACT}\n")
    err = raised(path)
    assert (err.path, err.line) == (str(path), 2)
    assert "has 100,001 characters, more than MAX_ABSTRACT_CHARS (100,000)" in err.reason
    papers, skipped = read_all(path)
    assert [p.title for p in papers] == ["Good Title"] and [e.line for e in skipped] == [2]
    ok = write(tmp_path, "ok.txt", f"A Title\n{'a' * MAX_ABSTRACT_CHARS}\n")
    assert [len(p.abstract) for p in read_papers(ok)] == [MAX_ABSTRACT_CHARS]


def test_nul_byte(tmp_path: Path) -> None:
    path = write(tmp_path, "listing.txt", f"A Title\n{ABSTRACT}\nBad\x00Title\n{ABSTRACT}\nGood Title\n{ABSTRACT}\n")
    err = raised(path)
    assert err.line == 3 and err.reason.startswith("NUL byte at byte 4 of the line")
    papers, skipped = read_all(path)
    assert [p.title for p in papers] == ["A Title", "Good Title"]
    assert [e.line for e in skipped] == [3]


def test_bytes_that_are_not_utf8_name_their_line(tmp_path: Path) -> None:
    data = f"A Title\n{ABSTRACT}\nNext Title\n".encode() + b"Caf\xe9 abstract. " * 30 + f"\nGood Title\n{ABSTRACT}\n".encode()
    path = write(tmp_path, "listing.txt", data)
    err = raised(path)
    assert str(err) == f"{path}:4: byte 0xe9 at byte 4 of the line is not UTF-8; save the file as UTF-8"
    assert isinstance(err.__cause__, UnicodeDecodeError)
    papers, skipped = read_all(path)
    assert [p.title for p in papers] == ["A Title", "Good Title"]
    assert [e.line for e in skipped] == [4]


def test_line_longer_than_max_line_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kg.sources.base, "MAX_LINE_BYTES", 500)
    path = write(tmp_path, "listing.txt", f"A Title\n{'x' * 2000}.\nGood Title\n{ABSTRACT}\n")
    err = raised(path)
    assert (err.line, err.reason) == (2, "line is longer than MAX_LINE_BYTES (500 bytes)")
    papers, skipped = read_all(path)
    assert [(p.title, p.line) for p in papers] == [("Good Title", 3)]


def test_utf8_bom_and_crlf_line_ends(tmp_path: Path) -> None:
    path = write(tmp_path, "listing.txt", f"\ufeffA Title\r\n\r\n{ABSTRACT}\r\n".encode())
    (paper,) = read_papers(path)
    assert (paper.title, paper.abstract, paper.line) == ("A Title", ABSTRACT.strip(), 1)


def test_subscribe_is_cut_only_where_boilerplate_glued(tmp_path: Path) -> None:
    text = f"Subscribe\nSubscribeA Title\n{ABSTRACT}\nSubscribeNet Title\n{ABSTRACT}\nDaily Papers\nSubscribers Matter\n{ABSTRACT}\n"
    path = write(tmp_path, "listing.txt", text)
    assert [(p.title, p.line) for p in read_papers(path)] == [
        ("A Title", 2), ("SubscribeNet Title", 4), ("Subscribers Matter", 7),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Synthesis.https://github.com/a/b", "Synthesis. https://github.com/a/b"),
        ("see:http://x.org/y.", "see: http://x.org/y."),
        ("code athttps://x.org", "code at https://x.org"),
        ("(https://x.org) {https://y.org} at~https://z.org", "(https://x.org) {https://y.org} at~https://z.org"),
        ("https://a.org/?u=https://b.org and https://a.org/r/https://b.org", "https://a.org/?u=https://b.org and https://a.org/r/https://b.org"),
        ("no url here.", "no url here."),
    ],
)
def test_unglue_urls(text: str, expected: str) -> None:
    assert unglue_urls(text) == expected


# ------------------------------------------------------------------ JSON Lines


def test_jsonl_fixture_maps_every_field() -> None:
    papers = list(read_papers(JSONL))
    assert papers == [
        Paper(
            title="Consistency Models",
            abstract=json.loads(JSONL.read_text().splitlines()[0])["abstract"],
            source=str(JSONL), line=1, id="2303.01469", url="https://arxiv.org/abs/2303.01469",
            date="2023-03-02", authors=("Yang Song", "Prafulla Dhariwal", "Mark Chen", "Ilya Sutskever"),
            categories=("cs.LG", "cs.CV", "stat.ML"),
        ),
        Paper(
            title="Dataset Quantization",
            abstract=papers[1].abstract, source=str(JSONL), line=3, date="2023-08-21",
            authors=("Daquan Zhou", "Kai Wang", "Jianyang Gu"),
            categories=("dataset distillation", "data-efficient learning"),
        ),
        Paper(
            title="A Title With a Line Break",
            abstract="An abstract kept as written:\ttabs and  double  spaces.",
            source=str(JSONL), line=4, id="42", authors=("Ada Lovelace", "Charles Babbage"),
            categories=("cs.LG", "cs.AI", "history"),
        ),
    ]
    assert papers[1].abstract.startswith("State-of-the-art deep neural networks are trained with large amounts")


def good_json(**fields) -> str:
    record = {"title": "A Title", "abstract": "An abstract."}
    record.update(fields)
    return json.dumps(record)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{not json", "not valid JSON (Expecting property name enclosed in double quotes at column 2); each line must hold one complete JSON object"),
        ("[1, 2]", "expected a JSON object, found an array"),
        ('"a string"', "expected a JSON object, found a string"),
        ('{"abstract": "An abstract."}', "'title' is missing"),
        ('{"title": "A Title"}', "'abstract' is missing"),
        (good_json(title="   "), "'title' is empty"),
        (good_json(abstract=""), "'abstract' is empty"),
        (good_json(title=7), "'title' must be a string, not a number"),
        (good_json(abstract=["An", "abstract"]), "'abstract' must be a string, not an array"),
        (good_json(title="T" * 1001), "'title' has 1,001 characters, more than MAX_TITLE_CHARS (1,000)"),
        (good_json(abstract="a" * 100_001), "'abstract' has 100,001 characters, more than MAX_ABSTRACT_CHARS (100,000)"),
        (good_json(title="A\x00Title"), "'title' contains a NUL character"),
        (good_json(authors=7), "'authors' must be a string or an array, not a number"),
        (good_json(authors=["A", 1]), "'authors' must list names (strings or {\"name\": …} objects), found a number"),
        (good_json(date="21/08/2023"), "'date' '21/08/2023' is not an ISO date (YYYY-MM-DD)"),
        (good_json(date="2023-02-30"), "'date' '2023-02-30' is not a valid date (day is out of range for month)"),
        (good_json(url="arxiv.org/abs/1"), "'url' 'arxiv.org/abs/1' is not an http(s) URL"),
        (good_json(id=1.5), "'id' must be a string or an integer, not a number"),
        (good_json(categories={"a": 1}), "'categories' must be a string or an array of strings"),
        ("[" * 100_000, "JSON nested too deeply to read"),
    ],
    ids=lambda value: value[:30] if isinstance(value, str) else None,
)
def test_bad_jsonl_record(tmp_path: Path, line: str, reason: str) -> None:
    path = write(tmp_path, "papers.jsonl", good_json() + "\n" + line + "\n" + good_json(title="Last") + "\n")
    err = raised(path)
    assert (err.path, err.line, err.reason) == (str(path), 2, reason)
    assert str(err) == f"{path}:2: {reason}"
    papers, skipped = read_all(path)
    assert [(p.title, p.line) for p in papers] == [("A Title", 1), ("Last", 3)]
    assert [(e.line, e.reason) for e in skipped] == [(2, reason)]


def test_jsonl_yields_records_before_a_bad_line(tmp_path: Path) -> None:
    path = write(tmp_path, "papers.jsonl", good_json() + "\n\n{oops\n")
    papers = read_jsonl(path)
    assert next(papers).title == "A Title"
    with pytest.raises(SourceError, match=r"papers\.jsonl:3: not valid JSON"):
        next(papers)


def test_jsonl_bad_bytes(tmp_path: Path) -> None:
    path = write(tmp_path, "papers.jsonl", good_json().encode() + b"\n" + good_json(title="Caf_").encode().replace(b"_", b"\xff") + b"\n")
    assert str(raised(path)) == f"{path}:2: byte 0xff at byte 15 of the line is not UTF-8; save the file as UTF-8"


# ------------------------------------------------------------------ arXiv snapshot


def test_arxiv_fixture() -> None:
    papers = list(read_papers(ARXIV))
    assert [p.id for p in papers] == ["1706.03762", "hep-th/9711200", "math/0406594", "2010.11929"]
    attention, maldacena, old_style, vit = papers
    assert attention == Paper(
        title="Attention Is All You Need",
        abstract=(
            "The dominant sequence transduction models are based on complex recurrent or convolutional neural "
            "networks in an encoder-decoder configuration. The best performing models also connect the encoder "
            "and decoder through an attention mechanism. We propose a new simple network architecture, the "
            "Transformer, based solely on attention mechanisms, dispensing with recurrence and convolutions entirely."
        ),
        source=str(ARXIV), line=1, id="1706.03762", url="https://arxiv.org/abs/1706.03762", date="2017-06-12",
        authors=("Ashish Vaswani", "Noam Shazeer", "Niki Parmar", "Jakob Uszkoreit", "Llion Jones",
                 "Aidan N. Gomez", "Lukasz Kaiser", "Illia Polosukhin"),
        categories=("cs.CL", "cs.LG"),
    )
    assert (maldacena.url, maldacena.date, maldacena.authors) == (
        "https://arxiv.org/abs/hep-th/9711200", "1997-11-27", ("Juan M. Maldacena",))
    assert maldacena.title == "The Large N Limit of Superconformal Field Theories and Supergravity"
    assert old_style.title == "An old-style identifier with a title that runs over two lines"
    assert old_style.url == "https://arxiv.org/abs/math/0406594"
    assert old_style.date == "2007-05-23"  # no versions: update_date
    assert old_style.authors == ("A. N. Author", "B. Writer", "C. Scribe")  # no authors_parsed: split the string
    assert old_style.categories == ("math.AG", "math.NT")
    assert vit.title == "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale"
    assert vit.abstract.startswith("While the Transformer architecture has become the de-facto standard for natural")
    assert "\n" not in vit.abstract and "  " not in vit.abstract


def arxiv_line(**fields) -> str:
    record = {"id": "2010.11929", "title": "T", "abstract": "A.", "categories": "cs.CV", "update_date": "2021-06-04"}
    record.update(fields)
    return json.dumps(record)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"id": 704.0001}, "'id' must be a string (a number loses leading zeros: 0704.0001), not a number"),
        ({"id": "not an id"}, "'id' 'not an id' is not an arXiv identifier (like 2106.01234 or math/0406594)"),
        ({"title": "  \n "}, "'title' is empty"),
        ({"authors_parsed": [["Last", "First", 3]]}, "'authors_parsed' must be an array of [last, first, suffix] string arrays"),
        ({"versions": "v1"}, "'versions' must be an array of objects, not a string"),
        ({"update_date": "June 2021"}, "'update_date' 'June 2021' is not an ISO date (YYYY-MM-DD)"),
    ],
)
def test_bad_arxiv_record(tmp_path: Path, fields: dict, reason: str) -> None:
    path = write(tmp_path, "snapshot.jsonl", arxiv_line() + "\n" + arxiv_line(**fields) + "\n")
    err = raised(path, format="arxiv")
    assert (err.path, err.line, err.reason) == (str(path), 2, reason)
    papers, skipped = read_all(path, format="arxiv")
    assert [p.line for p in papers] == [1] and [e.reason for e in skipped] == [reason]


def test_arxiv_missing_id(tmp_path: Path) -> None:
    path = write(tmp_path, "snapshot.jsonl", '{"title": "T", "abstract": "A."}\n')
    assert raised(path, format="arxiv").reason == "'id' is missing"


def test_arxiv_ids_with_versions_and_subject_classes(tmp_path: Path) -> None:
    ids = ["0704.0001", "2106.01234v2", "hep-th/9901001v3", "math.GT/0309136", "solv-int/9701001"]
    path = write(tmp_path, "snapshot.jsonl", "".join(arxiv_line(id=i) + "\n" for i in ids))
    assert [p.url for p in read_arxiv(path)] == [f"https://arxiv.org/abs/{i}" for i in ids]


def test_arxiv_unparsable_version_date_falls_back_to_update_date(tmp_path: Path) -> None:
    path = write(tmp_path, "snapshot.jsonl", arxiv_line(versions=[{"version": "v1", "created": "sometime"}]) + "\n")
    assert [p.date for p in read_arxiv(path)] == ["2021-06-04"]


# ------------------------------------------------------------------ format choice, gzip, directories


def test_sniffing_json_and_jsonl(tmp_path: Path) -> None:
    as_jsonl = shutil.copy(ARXIV, tmp_path / "snapshot.jsonl")
    as_json = shutil.copy(JSONL, tmp_path / "papers.json")
    assert kg.sources.jsonl.sniff_json_format(as_jsonl) == "arxiv"
    assert kg.sources.jsonl.sniff_json_format(as_json) == "jsonl"
    assert [p.url for p in read_papers(as_jsonl)][0] == "https://arxiv.org/abs/1706.03762"
    assert [p.title for p in read_papers(as_json)] == ["Consistency Models", "Dataset Quantization", "A Title With a Line Break"]


def test_explicit_format_overrides_sniffing() -> None:
    (first, *_) = read_papers(ARXIV, format="jsonl")
    assert first.url is None and first.date is None
    assert first.abstract.startswith("The dominant sequence transduction models are based on complex recurrent or\n")
    assert first.authors[:2] == ("Ashish Vaswani", "Noam Shazeer")


def test_explicit_format_with_any_extension(tmp_path: Path) -> None:
    path = shutil.copy(JSONL, tmp_path / "papers.data")
    assert raised(Path(path)).reason.startswith("unsupported file type '.data'; supported: .txt (Daily Papers listing)")
    assert len(list(read_papers(path, format="jsonl"))) == 3


def test_json_array_is_rejected_with_a_hint(tmp_path: Path) -> None:
    path = write(tmp_path, "papers.json", "[\n" + good_json() + "\n]\n")
    err = raised(path, skip_bad=True)
    assert err.line == 1 and "holds a JSON array, not JSON Lines" in err.reason and "jq -c" in err.reason


def test_unknown_format() -> None:
    with pytest.raises(SourceError) as info:
        read_papers(JSONL, format="csv")  # raised at once, before iterating
    assert str(info.value) == f"{JSONL}: unknown format 'csv'; formats: daily, jsonl, arxiv"


def test_missing_file_is_raised_at_once_even_with_skip_bad(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    with pytest.raises(SourceError) as info:
        read_papers(missing, skip_bad=True)
    assert info.value.line is None and info.value.path == str(missing)
    assert str(info.value).startswith(f"{missing}: no such file or directory; supported: .txt")


def test_gzip_is_read_transparently(tmp_path: Path, corpus: Path, records) -> None:
    txt = write(tmp_path, F001 + ".gz", gzip.compress((corpus / F001).read_bytes()))
    unzipped = list(read_papers(txt))
    assert [(p.title, p.abstract, p.line) for p in unzipped] == [(p.title, p.abstract, p.line) for p in records[F001]]
    assert unzipped[0].source == str(txt)
    snapshot = write(tmp_path, "snapshot.json.gz", gzip.compress(ARXIV.read_bytes()))
    assert [p.id for p in read_papers(snapshot)][:2] == ["1706.03762", "hep-th/9711200"]
    papers = write(tmp_path, "papers.jsonl.gz", gzip.compress(JSONL.read_bytes()))
    assert [p.title for p in read_papers(papers)][0] == "Consistency Models"


def test_corrupt_gzip_is_raised_even_with_skip_bad(tmp_path: Path, corpus: Path) -> None:
    truncated = write(tmp_path, "listing.txt.gz", gzip.compress((corpus / F001).read_bytes())[:5000])
    err = raised(truncated, skip_bad=True)
    assert err.path == str(truncated) and err.line is not None
    assert "cannot read the file (corrupt or truncated?)" in err.reason
    not_gzip = write(tmp_path, "plain.txt.gz", "A Title\nAn abstract.\n")
    assert raised(not_gzip, skip_bad=True).reason == "is named .gz but is not gzip-compressed; rename or recompress it"


def test_directory_reads_supported_files_in_name_order(tmp_path: Path, corpus: Path) -> None:
    shutil.copy(corpus / F004, tmp_path / "b.txt")
    write(tmp_path, "a.jsonl.gz", gzip.compress(JSONL.read_bytes()))
    shutil.copy(ARXIV, tmp_path / "c.json")
    write(tmp_path, "README.md", "not a source")
    write(tmp_path, ".hidden.txt", "ignored")
    (tmp_path / "sub.txt").mkdir()
    papers = list(read_papers(tmp_path))
    assert [Path(p.source).name for p in papers] == ["a.jsonl.gz"] * 3 + ["b.txt"] * 77 + ["c.json"] * 4
    assert papers[-1].url == "https://arxiv.org/abs/2010.11929"  # c.json was sniffed as arXiv
    assert [Path(p.source).name for p in read_papers(tmp_path, format="daily")] == ["b.txt"] * 77


def test_directory_without_supported_files(tmp_path: Path) -> None:
    write(tmp_path, "notes.md", "x")
    with pytest.raises(SourceError) as info:
        read_papers(tmp_path)
    assert info.value.line is None
    assert str(info.value).startswith(f"{tmp_path}: directory holds no supported file; supported: .txt")
    write(tmp_path, "papers.jsonl", good_json())
    with pytest.raises(SourceError, match="directory holds no supported file for format 'daily'"):
        read_papers(tmp_path, format="daily")


# ------------------------------------------------------------------ read_sources


def test_read_sources_defaults_to_the_bundled_corpus(distinct) -> None:
    papers, _ = distinct
    assert [p.title for p in read_sources([])] == [p.title for p in papers]
    assert papers[0].title.startswith("Re-assessing ImageNet")


def test_read_sources_accepts_one_path(corpus: Path) -> None:
    assert len(list(read_sources(str(corpus / F003)))) == 87
    assert len(list(read_sources(corpus / F003))) == 87


def test_read_sources_drops_duplicates_across_formats(corpus: Path) -> None:
    stats = SourceStats()
    papers = list(read_sources([corpus, JSONL, ARXIV], stats=stats))
    # "Consistency Models" and "Dataset Quantization" of papers.jsonl are already in the corpus.
    assert (stats.files_read, stats.records_read, stats.duplicates_dropped) == (7, 527, 54)
    assert len(papers) == 468 + 1 + 4 == stats.papers
    (consistency,) = [p for p in papers if p.title == "Consistency Models"]
    assert Path(consistency.source).name == F001 and consistency.url is None


def test_read_sources_skip_bad_fills_stats_and_logs(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = write(tmp_path, "papers.jsonl", good_json() + "\n{oops\n" + good_json(title="") + "\n" + good_json(title="B") + "\n")
    stats = SourceStats()
    with caplog.at_level(logging.WARNING, logger="kg.sources"):
        papers = list(read_sources([path], skip_bad=True, stats=stats))
    assert [p.title for p in papers] == ["A Title", "B"]
    assert [(e.path, e.line) for e in stats.skipped] == [(str(path), 2), (str(path), 3)]
    assert stats.records_read == 2
    assert [r.getMessage() for r in caplog.records] == [f"skipped bad record: {e}" for e in stats.skipped]
    with pytest.raises(SourceError, match=r"papers\.jsonl:2: not valid JSON"):
        list(read_sources([path]))


def test_titles_without_ascii_letters_are_not_merged(tmp_path: Path) -> None:
    """title_key() is empty for such titles; they must not be taken for duplicates of each other."""
    path = write(tmp_path, "papers.jsonl", good_json(title="深度学习") + "\n" + good_json(title="機械学習") + "\n")
    assert [p.title for p in read_sources([path])] == ["深度学习", "機械学習"]


# ------------------------------------------------------------------ house rules


@pytest.mark.parametrize("module", [kg.sources, kg.sources.daily, kg.sources.jsonl, kg.sources.base])
def test_docstring_examples(module) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_sources_import_neither_spacy_nor_rdflib() -> None:
    code = "import sys, kg.sources; print(sorted(m for m in ('spacy', 'rdflib') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
