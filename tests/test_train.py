"""`kg train` (kg/nlp/train.py): gold papers -> DocBins -> spaCy runs by source fold -> the resolver; a model
folder that the pipeline loads. Tiny runs (a few papers, a few steps): the plumbing and the determinism, not
the quality (benchmarks/cross_validate.py measures that)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kg.nlp import train as training

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """12 real gold papers from 4 sources, and the shipped config cut to 20 steps."""
    d = tmp_path_factory.mktemp("tiny")
    by_source: dict[str, list[str]] = {}
    for f in ("train.jsonl", "annotated.jsonl"):
        for line in (ROOT / "training" / "gold" / f).read_text(encoding="utf-8").splitlines():
            src = json.loads(line)["source"].split(" (")[0].replace("bundled sample corpus: ", "")
            by_source.setdefault(src, []).append(line)
    lines = [line for src in sorted(by_source)[:4] for line in by_source[src][:3]]
    (d / "gold.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    cfg = (ROOT / "training" / "spans.cfg").read_text(encoding="utf-8")
    cfg = re.sub(r"max_steps = \d+", "max_steps = 20", cfg)
    cfg = re.sub(r"eval_frequency = \d+", "eval_frequency = 10", cfg)
    (d / "tiny.cfg").write_text(cfg, encoding="utf-8")
    return d


def _train(tiny, out):
    return training.train(out, gold=[tiny / "gold.jsonl"], config=tiny / "tiny.cfg", folds=2, parallel=1)


def test_source_folds_keep_each_source_in_one_fold_and_balance_sizes(tiny):
    papers, _ = training.read_training_gold([tiny / "gold.jsonl"])
    folds = training.source_folds(papers, 2)
    by_source = {}
    for g, f in zip(papers, folds):
        by_source.setdefault(training.source_group(g), set()).add(f)
    assert all(len(fs) == 1 for fs in by_source.values()) and len(by_source) == 4
    assert sorted(folds.count(k) for k in (0, 1)) == [6, 6]


def test_a_trained_model_folder_loads_into_the_pipeline_and_training_is_reproducible(tiny, tmp_path):
    import kg

    report = _train(tiny, tmp_path / "a")
    assert report.papers == 12 and not report.missing
    assert set(report.scores) == {"rules", "model", "combined"}
    assert (tmp_path / "a" / "spans" / "config.cfg").is_file() and (tmp_path / "a" / "resolver.json").is_file()
    assert json.loads((tmp_path / "a" / "report.json").read_text())["papers"] == 12
    nlp = kg.nlp(model=tmp_path / "a")
    doc = nlp("SlimFlow: small one-step models\nWe train SlimFlow on CIFAR-10 and ImageNet.")
    assert all(0 < e._.paperkg_confidence <= 1 for e in doc.ents)
    _train(tiny, tmp_path / "b")
    for name in ("resolver.json", "spans/spancat/model", "spans/tok2vec/model", "spans/span_finder/model"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_excluded_papers_are_never_trained_on(tiny, tmp_path):
    first = (tiny / "gold.jsonl").read_text(encoding="utf-8").splitlines()[0]
    (tmp_path / "exclude.jsonl").write_text(json.dumps({"title": json.loads(first)["title"], "entities": []}) + "\n")
    papers, excluded = training.read_training_gold([tiny / "gold.jsonl"], tmp_path / "exclude.jsonl")
    assert excluded == 1 and len(papers) == 11
    assert json.loads(first)["title"] not in {g.title for g in papers}
