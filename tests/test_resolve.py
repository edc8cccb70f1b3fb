"""The learned resolver (kg/nlp/resolve.py): grouping, features, fitting and deciding, without a pipeline."""
from __future__ import annotations

import pytest

from kg.nlp.resolve import NONE, TITLE_COMPONENT, Candidate, Resolver, fit, group_candidates, title_candidates

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
    # which components agree, on which labels: one feature per pair of them
    assert img["src=catalogue|DATASET&src=spans|DATASET"] == 1
    assert vtg.features["src=abbreviations|ARCHITECTURE&src=catalogue|ARCHITECTURE"] == 1
    assert not any("&" in k for k in keys["vitamin"].features)  # one source: no pair
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


def _segments(text: str) -> list[str]:
    return [text[c.start:c.end] for c in title_candidates(text)]


def test_a_titles_segments_between_separators_and_function_words_are_untyped_candidates():
    # titles of the corpus and of ICLR / ACL papers
    assert _segments(TEXT) == ["ViTamin", "Designing Scalable Vision Models"]
    assert _segments("A Conditional Splitting Framework for Efficient Constituency Parsing\nWe ...") == [
        "Conditional Splitting Framework", "Efficient Constituency Parsing"]
    assert _segments("SEARNN: Training RNNs with global-local losses") == [
        "SEARNN", "Training RNNs", "global-local losses"]
    assert _segments("Towards Robust Neural Networks via Random Self-ensemble") == [
        "Robust Neural Networks", "Random Self-ensemble"]
    # a lone article is no segment; nor is a segment of more than seven words, nor anything after the title
    assert _segments("On the (Im)possibility of Fairness") == ["Im", "possibility", "Fairness"]
    long = "One Two Three Four Five Six Seven Eight: Short Name\nAbstract words for a test."
    assert _segments(long) == ["Short Name"]
    c = title_candidates(long)[0]
    assert (c.label, c.component, c.confidence) == ("", TITLE_COMPONENT, 1.0)
    # a segment is a candidate like any other: it joins the group of the same name and adds its evidence
    s = TEXT.index("ViTamin", 1)
    groups = group_candidates(TEXT, [Candidate(s, s + 7, "ARCHITECTURE", "paperkg_new_names", 0.75),
                                     *title_candidates(TEXT)], ())
    vit = next(g for g in groups if g.key == "vitamin").features
    assert vit["src=title|"] == 1 and vit["src=new_names|ARCHITECTURE&src=title|"] == 1


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
