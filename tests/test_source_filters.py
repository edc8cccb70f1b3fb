"""kg.sources.filters: categories, dates and a limit, applied while the sources stream (and the CLI's options)."""
from __future__ import annotations

import datetime
import gzip
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import kg
from kg.cli import app
from kg.errors import OptionError, SourceError
from kg.sources import PaperFilter, SourceStats, bundled_corpus, read_papers, read_sources
from kg.sources.jsonl import sniff_json_format

DATA = Path(__file__).parent / "data" / "sources"
ARXIV = DATA / "arxiv-snapshot.json"  # 1706.03762 cs.CL cs.LG (v1 2017-06-12, updated 2023-08-03),
# hep-th/9711200 (v1 1997-11-27), math/0406594 math.AG math.NT (no versions, updated 2007-05-23),
# 2010.11929 cs.CV cs.AI cs.LG (v1 2020-10-22, updated 2021-06-04)
JSONL = DATA / "papers.jsonl"


def ids(path, **filter_options) -> list[str]:
    return [p.id for p in read_sources(path, filter=PaperFilter(**filter_options))]


def arxiv(**fields) -> str:
    record = {"id": "2010.11929", "title": "T", "abstract": "A.", "categories": "cs.CV", "update_date": "2021-06-04"}
    record.update(fields)
    return json.dumps(record)


# ------------------------------------------------------------------ what is compared


@pytest.mark.parametrize(("categories", "expected"), [
    ("cs.LG", ["1706.03762", "2010.11929"]),
    ("cs.CV,hep-th", ["hep-th/9711200", "2010.11929"]),
    (["cs.CV", "hep-th"], ["hep-th/9711200", "2010.11929"]),
    ("math.", ["math/0406594"]),  # a prefix
    ("cs.", ["1706.03762", "2010.11929"]),
    ("CS.lg", ["1706.03762", "2010.11929"]),  # case does not count
    ("cs", []),  # not a prefix without its dot: no category is just "cs"
    ("math.NT", ["math/0406594"]),  # any of a paper's categories, not only the first
])
def test_categories_select_arxiv_records(categories, expected) -> None:
    assert ids(ARXIV, categories=categories) == expected


def test_the_date_compared_is_the_first_version_else_update_date() -> None:
    # 1706.03762 first appeared 2017-06-12; its record was updated 2023-08-03: it is not a 2023 paper
    assert ids(ARXIV, since="2023-01-01") == []
    assert ids(ARXIV, since="2017-06-12", until="2017-06-12") == ["1706.03762"]  # both ends inclusive
    assert ids(ARXIV, until="2017-06-11") == ["hep-th/9711200", "math/0406594"]
    # math/0406594 has no versions: its update_date (2007-05-23) stands in
    assert ids(ARXIV, since=datetime.date(2007, 5, 23), until="2007-05-23") == ["math/0406594"]
    assert ids(ARXIV, categories="cs.", since="2020-01-01") == ["2010.11929"]


def test_jsonl_records_are_compared_on_categories_keywords_and_date(tmp_path: Path) -> None:
    path = tmp_path / "papers.jsonl"
    path.write_text("\n".join([
        json.dumps({"id": "a", "title": "A", "abstract": "x", "categories": ["cs.LG"], "date": "2024-03-01"}),
        json.dumps({"id": "b", "title": "B", "abstract": "x", "keywords": "robotics; cs.RO", "date": "2023-03-01"}),
        json.dumps({"id": "c", "title": "C", "abstract": "x", "date": "2024-05-01T10:00:00Z"}),
        json.dumps({"id": "d", "title": "D", "abstract": "x", "categories": "cs.LG"}),
    ]) + "\n")
    assert ids(path, categories="cs.") == ["a", "b", "d"]
    assert ids(path, categories="Robotics") == ["b"]
    assert ids(path, since="2024-01-01") == ["a", "c"]
    stats = SourceStats()
    kept = list(read_sources(path, filter=PaperFilter(categories="cs.LG", since="2024-01-01"), stats=stats))
    assert [p.id for p in kept] == ["a"]
    # b does not match; c has no categories, d no date: excluded, and counted apart
    assert (stats.records_read, stats.filtered_out, stats.filtered_no_field) == (1, 3, 2)


def test_a_filtered_out_record_is_not_validated(tmp_path: Path) -> None:
    # the second record's other fields are broken, but it is not in cs.CV: nothing to report
    path = tmp_path / "snapshot.json"
    path.write_text(arxiv() + "\n" + arxiv(categories="hep-th", id=7, title=None, authors_parsed=3) + "\n")
    assert ids(path, categories="cs.CV") == ["2010.11929"]
    with pytest.raises(SourceError, match=r":2: 'id' must be a string"):
        ids(path, categories="hep-th")
    # the fields the filter reads are checked: a malformed one is a bad record, not a silent exclusion
    path.write_text(arxiv(update_date="June 2021") + "\n")
    with pytest.raises(SourceError, match=r":1: 'update_date' 'June 2021' is not an ISO date"):
        ids(path, since="2021-01-01")


def test_the_limit_counts_distinct_papers_after_the_filters_and_stops_reading(tmp_path: Path) -> None:
    path = tmp_path / "snapshot.json"
    lines = [arxiv(id="2101.00001", title="One", categories="hep-th"), arxiv(id="2101.00002", title="Two"),
             arxiv(id="2101.00003", title="Two"), arxiv(id="2101.00004", title="Three"), "{corrupt"]
    path.write_text("\n".join(lines) + "\n")
    stats = SourceStats()
    papers = list(read_sources(path, filter=PaperFilter(categories="cs.CV", limit=2), stats=stats))
    assert [p.id for p in papers] == ["2101.00002", "2101.00004"]  # the duplicate title "Two" did not count
    assert stats.limit_reached and (stats.filtered_out, stats.duplicates_dropped) == (1, 1)
    # the corrupt last line was never read; without the limit it is
    with pytest.raises(SourceError, match=":5: not valid JSON"):
        list(read_sources(path, filter=PaperFilter(categories="cs.CV")))
    assert [p.id for p in read_papers(path, filter=PaperFilter(limit=2))] == ["2101.00001", "2101.00002"]


def test_the_limit_alone_works_on_daily_listings() -> None:
    papers = list(read_sources(filter=PaperFilter(limit=5)))
    assert len(papers) == 5 and papers[0].title.startswith("Re-assessing ImageNet")


def test_gzip_snapshots_filter_the_same(tmp_path: Path) -> None:
    zipped = tmp_path / "snapshot.json.gz"
    zipped.write_bytes(gzip.compress(ARXIV.read_bytes()))
    assert ids(zipped, categories="cs.LG", since="2018-01-01") == ids(ARXIV, categories="cs.LG", since="2018-01-01") \
        == ["2010.11929"]


# ------------------------------------------------------------------ sources without categories or dates


def test_category_or_date_filters_on_daily_listings_are_refused_at_once() -> None:
    for options in ({"categories": "cs.LG"}, {"since": "2024-01-01"}):
        with pytest.raises(OptionError) as err:
            read_sources([JSONL, bundled_corpus()], filter=PaperFilter(**options))  # before anything is read
        assert "000_0a1d169aa50074e0.txt: Daily Papers listings have no categories and no dates" in str(err.value)


# ------------------------------------------------------------------ bad values


@pytest.mark.parametrize(("options", "message"), [
    ({"categories": ""}, "categories: empty entry in ''"),
    ({"categories": "cs.LG,,cs.CV"}, "categories: empty entry in 'cs.LG,,cs.CV'"),
    ({"categories": ["cs.LG", " "]}, "categories: empty entry in ' '"),
    ({"categories": "."}, "categories: empty entry in '.'"),
    ({"since": "2024-1-5"}, "since: '2024-1-5' is not a date; write YYYY-MM-DD"),
    ({"until": "yesterday"}, "until: 'yesterday' is not a date"),
    ({"since": "2023-02-29"}, "since: '2023-02-29' is not a day (day is out of range for month)"),
    ({"since": "2024-02-01", "until": "2024-01-31"}, "since 2024-02-01 is after until 2024-01-31: no date can match"),
    ({"limit": 0}, "limit: 0 is below 1"),
    ({"limit": "ten"}, "limit: 'ten' is not a whole number"),
    ({"limit": True}, "limit: True is not a whole number"),
])
def test_bad_filter_values_are_option_errors(options, message) -> None:
    with pytest.raises(OptionError) as err:
        PaperFilter(**options)
    assert str(err.value).startswith(message)


# ------------------------------------------------------------------ format sniffing


def test_a_snapshot_whose_first_line_is_corrupt_is_still_read_as_a_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "snapshot.json"
    path.write_bytes(b'{"id": "1706.03762", "title": \xff broken\n' + ARXIV.read_bytes())
    assert sniff_json_format(path) == "arxiv"
    stats = SourceStats()
    papers = list(read_sources(path, skip_bad=True, stats=stats))
    assert [p.id for p in papers] == ["1706.03762", "hep-th/9711200", "math/0406594", "2010.11929"]
    assert papers[0].categories == ("cs.CL", "cs.LG")
    assert [(e.line, e.reason) for e in stats.skipped] == [(1, "byte 0xff at byte 31 of the line is not UTF-8; save the file as UTF-8")]
    # not JSON at all, then an array line: passed over too
    path.write_text("{broken\n[1, 2]\n" + ARXIV.read_text())
    assert sniff_json_format(path) == "arxiv"


# ------------------------------------------------------------------ the library and the command line


def test_build_and_add_take_a_filter(tmp_path: Path) -> None:
    g = kg.build(ARXIV, filter=kg.PaperFilter(categories="cs.LG", until="2019-12-31"), n_process=1)
    assert [p["title"] for p in g.papers()] == ["Attention Is All You Need"]
    assert (g.report.records, g.report.filtered, g.report.papers) == (1, 3, 1)
    report = g.add([ARXIV, JSONL], filter=kg.PaperFilter(categories="cs.CV"), n_process=1)
    assert (report.papers, report.filtered) == (2, 5)  # 2010.11929 and Consistency Models (categories cs.CV)
    assert len(g.papers()) == 3


runner = CliRunner()


def test_cli_filters_and_reports_what_it_left_out(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(JSONL), str(ARXIV), "--category", "cs.LG", "--category", "hep-th",
                                 "--since", "1990-01-01", "--limit", "3", "--out", str(out), "--n-process", "1"])
    assert result.exit_code == 0, result.output
    # JSONL: Consistency Models is kept, Dataset Quantization's keywords do not match, the third record (cs.LG)
    # has no date; the snapshot's 1706.03762 and hep-th/9711200 make 3 papers: the last two records are not read
    assert result.stdout.startswith("read 2 files: 5 records, 2 filtered out (1 without the categories or date "
                                    "compared), 0 duplicates dropped, 0 bad records skipped -> 3 papers")
    snapshot = tmp_path / "snapshot.json"
    shutil.copy(ARXIV, snapshot)
    result = runner.invoke(app, ["add", str(snapshot), "--category", "math.", "--out", str(out), "--n-process", "1"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("read 1 files: 4 records, 3 filtered out -> 1 papers added")


@pytest.mark.parametrize(("options", "message"), [
    (["--since", "2024-13-01"], "kg: error: since: '2024-13-01' is not a day (month must be in 1..12); write YYYY-MM-DD"),
    (["--category", ""], "kg: error: categories: empty entry in ''"),
    (["--limit", "-3"], "kg: error: limit: '-3' is not a whole number"),
    (["--n-process", "0"], "kg: error: n_process: 0 is below 1; it must be at least 1"),
    (["--category", "cs.LG"], f"kg: error: {bundled_corpus() / '000_0a1d169aa50074e0.txt'}: Daily Papers listings"),
])
def test_cli_bad_filter_values_are_one_line_usage_errors(tmp_path: Path, options, message) -> None:
    result = runner.invoke(app, ["build", *options, "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1
    assert not (tmp_path / "out").exists()
