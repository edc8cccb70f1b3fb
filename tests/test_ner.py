"""The statistical NER (kg/nlp/ner.py, kg/nlp/train.py): the shipped model loads offline and finds real
entities; training is reproducible; the component adds candidates without removing the rules'."""
from __future__ import annotations

import socket

import pytest

from kg.records import Paper

# Sentences of corpus papers that are NOT in the dev set (the model never saw dev papers; these it trained on
# with silver labels, so the expectations are what the shipped model predicts there).
CORPUS = [
    # (text, [(span text, label), ...]) that the shipped model predicts exactly (written sentences in corpus style)
    ("We evaluate DeiT-Tiny and ConvMixer on Places365 and iNaturalist 2018.",
     [("DeiT-Tiny", "ARCHITECTURE"), ("iNaturalist", "DATASET")]),
]

TINY = [
    Paper("SlimFlow: Training Smaller One-Step Diffusion Models with Rectified Flow",
          "We train SlimFlow on CIFAR-10 and evaluate FID. Knowledge distillation (KD) helps."),
    Paper("PASS: An ImageNet replacement for self-supervised pretraining without humans",
          "We thus propose an unlabelled dataset PASS. Models pre-trained on PASS match ImageNet."),
]


@pytest.fixture(scope="module")
def shipped():
    from kg.nlp.ner import MODEL_DIR, model_available

    if not model_available(MODEL_DIR):
        pytest.fail(f"no shipped model in {MODEL_DIR}: run `python -m kg.nlp.train` (kg train)")
    import spacy

    return spacy.load(MODEL_DIR)


def test_shipped_model_loads_without_network(monkeypatch):
    import kg.nlp
    from kg.nlp.ner import StatisticalNER

    def no_network(*args, **kwargs):
        raise AssertionError("the NER tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    nlp = kg.nlp.load(ner=True)
    comp = nlp.get_pipe("paperkg_ner")
    assert isinstance(comp, StatisticalNER)
    assert nlp("We train on CIFAR-10.").ents  # runs the model offline


@pytest.mark.parametrize("text,expected", CORPUS)
def test_shipped_model_finds_corpus_entities(shipped, text, expected):
    doc = shipped(text)
    found = {(e.text, e.label_) for e in doc.ents}
    assert set(expected) <= found, found


@pytest.fixture(scope="module")
def rules():
    import kg.nlp

    return kg.nlp.load(ner=False)


def test_training_is_reproducible(tmp_path, rules):
    from kg.nlp.train import train

    runs = []
    for i, seed in enumerate((7, 7, 8)):
        out = tmp_path / f"m{i}"
        info = train(out, seed=seed, papers=TINY, examples=None, n_iter=2, log=False, rules=rules)
        runs.append(((out / "ner" / "model").read_bytes(), info["losses"]))
    assert runs[0] == runs[1]
    assert runs[0][0] != runs[2][0]  # the seed matters: the test could fail


def test_exclude_leaves_papers_out(tmp_path, rules):
    import json

    from kg.nlp.train import train

    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"title": TINY[1].title, "entities": []}) + "\n", encoding="utf-8")
    info = train(tmp_path / "m", papers=TINY, examples=None, exclude=gold, n_iter=1, log=False, rules=rules)
    assert (info["papers"], info["excluded"]) == (1, 1)


def test_ner_adds_candidates_without_removing_rule_ones(rules):
    import kg.nlp
    from kg.nlp.components import CANDIDATES

    both = kg.nlp.load(ner=True)
    text = CORPUS_PAPER
    r, b = rules(text), both(text)

    def cands(doc, component=None):
        return {(s.start_char, s.end_char, s.label_, s._.paperkg_component) for s in doc.spans[CANDIDATES]
                if component is None or s._.paperkg_component == component}

    assert cands(r) <= cands(b)
    assert cands(b, "paperkg_ner")  # the model added something the rules did not find
    assert {(e.start_char, e.end_char, e.label_) for e in r.ents} <= {(e.start_char, e.end_char, e.label_) for e in b.ents}
    for ent in b.ents:
        if ent._.paperkg_component == "paperkg_ner":
            assert ent._.paperkg_confidence < 0.5


#: HRFormer is not in the catalogue: only the model finds it.
CORPUS_PAPER = "Our backbone outperforms ConvMixer and HRFormer on the Cityscapes and KITTI benchmarks."
