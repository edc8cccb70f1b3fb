"""Progress on stderr (kg/progress.py): a bar while papers go by, a line per later stage, silence when asked."""
from __future__ import annotations

import io
import json

from kg.progress import Progress, estimate_records


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_bar_with_papers_per_second_and_the_time_left():
    out = Terminal()
    p = Progress(stream=out)
    assert p.enabled
    assert list(p.papers(iter(range(5)), total=5)) == list(range(5))
    text = out.getvalue()
    assert "5/5" in text and "papers/s" in text and "reading + NLP" in text


def test_each_later_stage_is_one_line_with_its_time():
    out = Terminal()
    with Progress(stream=out).stage("writing graph.ttl"):
        pass
    line, = out.getvalue().splitlines()
    assert line.startswith("writing graph.ttl …") and line.endswith(" s")


def test_silent_when_the_stream_is_not_a_terminal_or_when_told():
    for p in (Progress(stream=io.StringIO()), Progress(enabled=False, stream=Terminal())):
        assert list(p.papers(iter([1, 2]), total=2)) == [1, 2]
        with p.stage("linking"):
            pass
        assert p.stream.getvalue() == ""


def test_the_estimate_counts_records_of_json_lines_and_daily_listings(tmp_path):
    (tmp_path / "a.jsonl").write_text("\n".join(json.dumps({"title": f"T{i}", "abstract": "A"}) for i in range(7))
                                      + "\n\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Title one\nAbstract one\nTitle two\nAbstract two\n", encoding="utf-8")
    (tmp_path / "notes.md").write_text("not a source\n", encoding="utf-8")
    assert estimate_records([tmp_path]) == 9
    assert estimate_records([tmp_path / "a.jsonl"]) == 7
