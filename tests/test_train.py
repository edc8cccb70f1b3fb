"""`kg train` (kg/nlp/train.py): gold papers -> DocBins -> spaCy runs by source fold -> the resolver; a model
folder that the pipeline loads. Tiny runs (a few papers, a few steps): the plumbing and the determinism, not
the quality (benchmarks/cross_validate.py measures that)."""
from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import numpy as np
import pytest
import spacy

from kg.errors import SourceError
from kg.nlp import pretrain
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
    cfg = re.sub(r"(\[pretraining\]\nmax_epochs = )\d+", r"\g<1>2", cfg)
    (d / "tiny.cfg").write_text(cfg, encoding="utf-8")
    with gzip.open(ROOT / "training" / "unlabeled" / "abstracts-cc-by.jsonl.gz", "rt", encoding="utf-8") as f:
        lines = [next(f) for _ in range(300)]
    # one gold paper's text among them: pretraining must never see a paper a fold holds out
    g = json.loads((d / "gold.jsonl").read_text(encoding="utf-8").splitlines()[0])
    lines.insert(7, json.dumps({"title": g["title"], "abstract": g["abstract"]}) + "\n")
    (d / "unlabeled.jsonl").write_text("".join(lines), encoding="utf-8")
    return d


def _train(tiny, out):
    return training.train(out, gold=[tiny / "gold.jsonl"], config=tiny / "tiny.cfg", folds=2, parallel=1,
                          unlabeled=tiny / "unlabeled.jsonl")


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
    assert report.pretrained["texts"] == 300  # 301 texts, less the gold paper's
    assert spacy.load(tmp_path / "a" / "spans").vocab.vectors.shape[0] == 0  # the vectors are not shipped
    nlp = kg.nlp(model=tmp_path / "a")
    doc = nlp("SlimFlow: small one-step models\nWe train SlimFlow on CIFAR-10 and ImageNet.")
    assert all(0 < e._.paperkg_confidence <= 1 for e in doc.ents)
    _train(tiny, tmp_path / "b")
    for name in ("resolver.json", "spans/spancat/model", "spans/tok2vec/model", "spans/span_finder/model",
                 "spans/config.cfg"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_excluded_papers_are_never_trained_on(tiny, tmp_path):
    first = (tiny / "gold.jsonl").read_text(encoding="utf-8").splitlines()[0]
    (tmp_path / "exclude.jsonl").write_text(json.dumps({"title": json.loads(first)["title"], "entities": []}) + "\n")
    papers, excluded = training.read_training_gold([tiny / "gold.jsonl"], tmp_path / "exclude.jsonl")
    assert excluded == 1 and len(papers) == 11
    assert json.loads(first)["title"] not in {g.title for g in papers}


def test_unlabelled_abstracts_are_read_without_gold_titles_and_a_bad_record_is_named(tmp_path):
    good = [{"title": "Deep Residual Learning", "abstract": "We present a residual learning framework."},
            {"title": "Attention Is All You Need", "abstract": "We propose the Transformer."}]
    f = tmp_path / "u.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in good), encoding="utf-8")
    from kg.records import title_key

    assert pretrain.read_unlabeled(f, {title_key("attention is all you need")}) == [
        "Deep Residual Learning. We present a residual learning framework."]
    f.write_text(json.dumps(good[0]) + "\n" + json.dumps({"title": "No abstract"}) + "\n", encoding="utf-8")
    with pytest.raises(SourceError) as e:
        pretrain.read_unlabeled(f)
    assert f"{f}:2" in str(e.value) and "no abstract" in str(e.value)
    (tmp_path / "u.jsonl.gz").write_bytes(b"not gzip at all")
    with pytest.raises(SourceError) as e:
        pretrain.read_unlabeled(tmp_path / "u.jsonl.gz")
    assert "u.jsonl.gz" in str(e.value)


@pytest.mark.slow
def test_pretraining_learns_vectors_and_a_tok2vec_that_predicts_them(tiny, tmp_path):
    texts = pretrain.read_unlabeled(ROOT / pretrain.DEFAULT_UNLABELED)
    info = pretrain.train_vectors(texts, tmp_path / "vectors")  # ~1 min: a few hundred abstracts give degenerate
    assert info["texts"] == len(texts) > 5000 and info["words"] > 1_000_000  # vectors, all pointing one way
    vocab = spacy.load(tmp_path / "vectors").vocab
    assert vocab.vectors.mode == "floret" and vocab.vectors.shape == (pretrain.BUCKETS, pretrain.DIM)
    cos = lambda a, b: float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))  # noqa: E731
    v = {w: vocab[w].vector for w in ("Transformers", "ImageNet", "CIFAR-10", "BLEU", "ROUGE", "the", "Qzxvkj")}
    assert np.linalg.norm(v["Qzxvkj"]) > 0  # any word gets a vector from its character n-grams
    # names of one kind lie closer together than names of different kinds
    assert min(cos(v["ImageNet"], v["CIFAR-10"]), cos(v["BLEU"], v["ROUGE"])) > max(
        cos(v["ImageNet"], v["Transformers"]), cos(v["ImageNet"], v["the"])) + 0.2
    texts = pretrain.read_unlabeled(tiny / "unlabeled.jsonl")
    weights = pretrain.pretrain_tok2vec(tiny / "tiny.cfg", texts, tmp_path / "vectors", tmp_path / "pre", epochs=3)
    assert weights.is_file()
    losses = [json.loads(line)["epoch_loss"] for line in (tmp_path / "pre" / "log.jsonl").read_text().splitlines()]
    assert losses[2] < losses[0]  # it learns to predict the vectors
