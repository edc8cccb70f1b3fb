"""The resolver's boosted trees (kg/nlp/trees.py): exported from scikit-learn, evaluated with numpy, on the groups
of real gold papers."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from kg.nlp import train as training
from kg.nlp.resolve import Resolver, fit
from kg.nlp.trees import LEXICAL_PREFIXES, MIN_COUNT, PARAMS, Trees, export, fit_trees

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def groups():
    """The candidate groups of 200 gold papers (rules and title segments) and their gold labels."""
    papers, _ = training.read_training_gold([ROOT / "training" / "gold" / "train.jsonl"])
    papers = papers[:200]
    gs = training._groups(papers, training.rule_candidates(papers), [[] for _ in papers])
    labelled = [(g, label) for p, pg in zip(papers, gs) for g, label in zip(pg, training.group_labels(p, pg))]
    return [g for g, _ in labelled], [label for g, label in labelled]


def _matrix(rows, names):
    x = np.zeros((len(rows), len(names)))
    col = {n: j for j, n in enumerate(names)}
    for i, f in enumerate(rows):
        for n, v in f.items():
            if n in col:
                x[i, col[n]] = v
    return x


def test_exported_trees_score_real_groups_exactly_as_scikit_learn_does(groups):
    from sklearn.ensemble import HistGradientBoostingClassifier

    gs, labels = groups
    rows = [g.features for g in gs]
    names = sorted({n for f in rows for n in f if not n.startswith(LEXICAL_PREFIXES)})
    x = _matrix(rows, names)
    model = HistGradientBoostingClassifier(**{**PARAMS, "max_iter": 30}, random_state=0).fit(x, [y for y, _ in labels])
    trees = export(model, names)
    assert len(trees.classes) >= 4 and max(len(v) for v in trees.leaves) > 8  # real trees, not stumps
    assert np.allclose(trees.raw(rows), model.decision_function(x), atol=1e-9)
    assert np.allclose(trees.probabilities(rows), model.predict_proba(x), atol=1e-9)
    # the same numbers after a trip through JSON (resolver.json)
    again = Trees.from_dict(json.loads(json.dumps(trees.to_dict())))
    assert np.array_equal(again.raw(rows), trees.raw(rows))
    assert trees.raw([]).shape == (0, len(trees.classes))
    with pytest.raises(ValueError, match="three classes"):
        export(HistGradientBoostingClassifier(max_iter=2).fit(x, [y == "none" for y, _ in labels]), names)


def test_fit_trees_reads_only_frequent_non_lexical_features(groups):
    gs, labels = groups
    rows, ys = [g.features for g in gs], [y for y, _ in labels]
    trees = fit_trees(rows, ys)
    used = {f for f, *_ in trees.nodes}
    assert used and not any(f.startswith(LEXICAL_PREFIXES) for f in used)
    assert all(sum(1 for r in rows if r.get(f)) >= MIN_COUNT for f in used)
    assert fit_trees(rows, ys).to_dict() == trees.to_dict()  # seeded: the same trees again
    # two classes: the logistic model decides alone
    assert fit_trees(rows, [y if y == "none" else "entity" for y in ys]) is None
    with pytest.raises(ValueError, match="negative"):
        fit_trees([{**rows[0], "bias": -1.0}, *rows[1:]], ys)


def test_a_resolver_averages_the_logistic_model_and_the_trees_and_keeps_both_in_its_json(groups):
    gs, labels = groups
    r = fit(gs, [y for y, _ in labels], [role for _, role in labels])
    assert r.trees is not None and r.trees.classes == r.classes
    linear = dataclasses.replace(r, trees=None)
    rows = [g.features for g in gs[:50]]
    expected = (linear.probability_rows(rows) + r.trees.probabilities(rows)) / 2
    assert np.allclose(r.probability_rows(rows), expected)
    assert not np.allclose(linear.probability_rows(rows), expected)  # the trees change the answer
    assert r.probabilities(rows[0]) == pytest.approx(dict(zip(r.classes, expected[0])))
    again = Resolver.from_json(r.to_json())
    assert np.allclose(again.probability_rows(rows), r.probability_rows(rows), atol=1e-5)
    d = json.loads(r.to_json())
    d["trees"]["classes"] = list(reversed(d["trees"]["classes"]))
    with pytest.raises(ValueError, match="classes"):
        Resolver.from_json(json.dumps(d))


def test_a_tree_of_more_leaves_than_its_bitvector_holds_is_refused():
    with pytest.raises(ValueError, match="16 leaves"):
        Trees(("a", "b", "c"), [0.0] * 3, [[0.0] * 17, [0.0], [0.0]], [])
