"""The learned resolver (kg/nlp/resolve.py): grouping, features, fitting and deciding, without a pipeline."""
from __future__ import annotations

import pytest

from kg.nlp.resolve import NONE, Candidate, Resolver, fit, group_candidates

# A real sentence pattern of the corpus: an acronym-defined coined name, a catalogue model and its acronym.
TEXT = ("ViTamin: Designing Scalable Vision Models\n"
        "We propose ViTamin, a new vision model. Unlike the Vision Transformer (ViT), ViTamin uses "
        "convolutions. ViTamin-L reaches 82.9% zero-shot accuracy on ImageNet.")


def _at(s: str, nth: int = 0) -> tuple[int, int]:
    i = -1
    for _ in range(nth + 1):
        i = TEXT.index(s, i + 1)
    return i, i + len(s)


def test_a_surface_form_and_its_canonical_name_are_one_group_with_the_evidence_of_every_component():
    vt, vit = _at("Vision Transformer"), _at("ViT)")
    cands = [Candidate(*vt, "ARCHITECTURE", "paperkg_catalogue", 0.9, canonical="Vision Transformer"),
             Candidate(vit[0], vit[1] - 1, "ARCHITECTURE", "paperkg_abbreviations", 0.9, canonical="Vision Transformer"),
             Candidate(*_at("ImageNet"), "DATASET", "paperkg_spans", 0.95),
             Candidate(*_at("ImageNet"), "DATASET", "paperkg_catalogue", 0.9, canonical="ImageNet")]
    chosen = [Candidate(*_at("ViTamin", 1), "ARCHITECTURE", "paperkg_new_names", 0.75, role="proposed")]
    groups = group_candidates(TEXT, cands, chosen)
    keys = {g.key: g for g in groups}
    assert set(keys) == {"visiontransformer", "vitamin", "imagenet"}
    vtg = keys["visiontransformer"]
    assert vtg.keys == {"visiontransformer", "vit"} and len(vtg.mentions) == 2
    assert vtg.features["src=catalogue|ARCHITECTURE"] == 1 and vtg.features["src=abbreviations|ARCHITECTURE"] == 1
    img = keys["imagenet"].features
    assert img["conf=spans|DATASET"] == pytest.approx(0.95) and img["sources"] == 2
    assert img["before=on"] == 1 and "in_title" not in img
    vit = keys["vitamin"].features  # a chosen entity is a candidate too, with its rule role
    assert vit["rule|ARCHITECTURE"] == 1 and vit["rule_proposed"] == 1 and vit["camel_case"] == 1


def test_the_name_a_title_leads_with_is_marked_and_no_other_title_word():
    cands = [Candidate(*_at("ViTamin"), "ARCHITECTURE", "paperkg_new_names", 0.75),
             Candidate(*_at("Vision Models"), "ARCHITECTURE", "paperkg_spans", 0.5),
             Candidate(*_at("ImageNet"), "DATASET", "paperkg_catalogue", 0.9, canonical="ImageNet")]
    feats = {g.key: g.features for g in group_candidates(TEXT, cands, ())}
    assert feats["vitamin"]["title_lead"] == 1 and feats["vitamin"]["in_title"] == 1
    assert "title_lead" not in feats["visionmodel"] and feats["visionmodel"]["in_title"] == 1
    assert "title_lead" not in feats["imagenet"]
    # the same name first in a title without a colon, or leading the abstract's first sentence, is not marked
    for text in ("ViTamin Designs Scalable Vision Models\nWe propose ViTamin.",
                 "Scaling Vision\nViTamin: we propose it."):
        s = text.index("ViTamin")
        g, = group_candidates(text, [Candidate(s, s + 7, "ARCHITECTURE", "paperkg_new_names", 0.75)], ())
        assert "title_lead" not in g.features


def _toy():
    """Groups of a few papers: catalogue datasets are entities, lone lower-case span-model guesses are not."""
    groups, labels, roles = [], [], []
    for i in range(30):
        text = f"Paper {i}\nWe evaluate on DataSet{i} and report things{i} in our work."
        s = text.index(f"DataSet{i}")
        t = text.index(f"things{i}")
        gs = group_candidates(text, [Candidate(s, s + len(f"DataSet{i}"), "DATASET", "paperkg_catalogue", 0.9),
                                     Candidate(t, t + len(f"things{i}"), "METRIC", "paperkg_spans", 0.3)], [])
        for g in gs:
            groups.append(g)
            labels.append("Dataset" if g.key.startswith("dataset") else NONE)
            roles.append("used" if g.key.startswith("dataset") else None)
    return groups, labels, roles


def test_fit_learns_from_labelled_groups_and_survives_a_json_round_trip():
    groups, labels, roles = _toy()
    r = fit(groups, labels, roles, meta={"papers": 30})
    kept = r.decide(groups)
    assert {g.key for g, _, _ in kept} == {g.key for g, y in zip(groups, labels) if y != NONE}
    assert all(t == "Dataset" and p > 0.5 for _, t, p in kept)
    again = Resolver.from_json(r.to_json())
    assert again.classes == r.classes and again.meta == {"papers": 30}
    for g in groups:
        assert again.probabilities(g.features) == pytest.approx(r.probabilities(g.features), abs=1e-5)


def test_decide_keeps_a_group_only_at_or_above_the_threshold():
    r = Resolver(("none", "Task"), {"bias": (0.0, 0.0)}, {})  # p(Task) = 0.5
    g = group_candidates("T\nimage classification", [Candidate(2, 22, "TASK", "paperkg_task_phrases", 0.5)], [])
    assert [(t, round(p, 2)) for _, t, p in r.decide(g)] == [("Task", 0.5)]
    r.threshold = 0.51
    assert r.decide(g) == []
