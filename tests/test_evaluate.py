"""kg.evaluate: the shared scorer's figures, per-paper errors and confidence bands."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from kg.errors import SourceError
from kg.evaluate import EvalReport, evaluate, norm, norm_url

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "eval"


@pytest.fixture(scope="module")
def small() -> EvalReport:
    return evaluate(DATA / "small.ttl", DATA / "small_gold.jsonl")


def test_exact_figures_on_the_small_graph(small):
    s = small.scores
    assert list(s)[:5] == ["Method", "Architecture", "Dataset", "Task", "Metric"]
    assert {k: (v["tp"], v["pred"], v["gold"]) for k, v in s.items() if isinstance(v, dict)} == {
        "Method": (4, 6, 5), "Architecture": (2, 2, 3), "Dataset": (4, 5, 4), "Task": (2, 4, 2),
        "Metric": (1, 3, 2), "untyped": (13, 20, 16), "proposed": (2, 2, 3), "used": (8, 11, 9),
        "code": (1, 1, 1), "typed_micro": (13, 20, 16)}
    assert s["typed_micro"] == {"p": 0.65, "r": 0.812, "f1": 0.722, "tp": 13, "pred": 20, "gold": 16}
    assert s["Metric"]["f1"] == 0.4 and s["used"]["f1"] == 0.8
    assert s["papers_missing"] == 1 and s["papers"] == 3


def test_per_paper_misses_and_spurious_links(small):
    swin, pass_, absent = small.papers
    assert swin.missing == [("Method", "shifted windows"), ("Metric", "FLOPs")]
    assert sorted(swin.spurious) == [("Dataset", "ADE20K"), ("Method", "self-attention"), ("Metric", "AP"),
                                     ("Metric", "mIoU"), ("Task", "semantic segmentation")]
    assert swin.role_missing == [("proposed", "shifted windows")]
    assert sorted(swin.role_spurious) == [("used", "ADE20K"), ("used", "self-attention")]
    # an alias in the gold ("MoCo-v2") and one in the graph ("PASS") both match
    assert sorted(pass_.spurious) == [("Method", "transfer learning"), ("Task", "human pose estimation")]
    assert not absent.found and absent.missing == [("Architecture", "ResNet-50")]


def test_confidence_bands_cover_every_typed_link(small):
    assert [(lo, hi) for lo, hi, *_ in small.bands] == [(0.0, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.0)]
    assert sum(b[2] for b in small.bands) == small.scores["typed_micro"]["pred"]
    assert sum(b[3] for b in small.bands) == small.scores["typed_micro"]["tp"]


def test_to_text_prints_the_table_and_the_errors(small):
    text = small.to_text()
    assert text.splitlines()[0].startswith("Method         {'p': 0.667")
    assert "missing       Method:shifted windows; Metric:FLOPs" in text
    assert "(NOT IN GRAPH)" in text
    assert "shifted windows" not in small.to_text(errors=False)


def test_a_knowledge_graph_object_gives_the_same_report(small):
    import kg

    assert evaluate(kg.load(DATA / "small.ttl"), DATA / "small_gold.jsonl").scores == small.scores


def test_malformed_gold_names_the_line(tmp_path):
    bad = tmp_path / "gold.jsonl"
    bad.write_text(json.dumps({"title": "T", "entities": []}) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(SourceError, match="2"):
        evaluate(DATA / "small.ttl", bad)
    with pytest.raises(SourceError, match="cannot read"):
        evaluate(DATA / "small.ttl", tmp_path / "absent.jsonl")


def test_norm_rules_are_the_scorers():
    assert norm("Vision Transformers") == norm("vision-transformer") == "visiontransformer"
    assert norm("R&D") == "randd" and norm("loss") == "loss"
    assert norm_url("https://www.github.com/A/B.git") == "github.com/a/b"


def _shared_score():
    if not (SHARED / "score.py").exists():
        pytest.skip("the shared scorer is not present")
    spec = importlib.util.spec_from_file_location("shared_score", SHARED / "score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.score


def test_same_figures_as_the_shared_scorer_on_the_small_graph():
    score = _shared_score()
    assert evaluate(DATA / "small.ttl", DATA / "small_gold.jsonl").scores == score(
        str(DATA / "small.ttl"), str(DATA / "small_gold.jsonl"))


def test_same_figures_as_the_shared_scorer_on_a_corpus_build(tmp_path):
    score = _shared_score()
    if not (SHARED / "dev.jsonl").exists():
        pytest.skip("no shared dev set")
    import kg

    graph = kg.build()
    path = graph.save(tmp_path / "graph.ttl")
    assert evaluate(graph, SHARED / "dev.jsonl").scores == score(str(path), str(SHARED / "dev.jsonl"))
