"""Gradient-boosted trees of the resolver's type model: fitted by ``kg train`` with scikit-learn's
``HistGradientBoostingClassifier``, shipped as plain numbers inside ``resolver.json`` and evaluated with numpy, so
the pipeline needs neither scikit-learn nor a pickle at run time.

The trees read the resolver's non-lexical features (which components proposed a name, with which labels and
confidences, where and how often it occurs, its shape, its head word's type), those seen in at least
:data:`MIN_COUNT` training groups; the logistic model reads every feature. The trees find what a linear model cannot:
thresholds on the span model's score and interactions between sources, position and shape. Their probabilities are
averaged with the logistic model's (:class:`kg.nlp.resolve.Resolver`): cross-validated typed F1 on other venues
0.651 -> 0.655, sample 0.721 -> 0.724 (2,288 gold papers, 5 source folds).

Evaluation follows QuickScorer (Lucchese et al., SIGIR 2015): every tree starts with all its leaves reachable (a
bitvector); each test a feature fails (its value above the node's threshold, so the path goes right) removes the
leaves of the node's left subtree; the exit leaf is the leftmost leaf left. Here the tests of one feature are
precomputed for each interval between its sorted thresholds (the AND of the masks of the nodes below it, for every
tree), so a group's value of a feature picks one row of that table by bisection, and a group's bitvectors are the
AND of its rows. Features are non-negative and an absent feature is 0, which never exceeds a threshold (thresholds
lie between values seen in training, all >= 0), so only a group's present features are read. The trees cost 0.15 s
of the bundled corpus's 4 s (their nodes tested one by one, 0.35 s).
"""
from __future__ import annotations

import bisect
from typing import Mapping, Sequence

import numpy

__all__ = ["Trees", "fit_trees", "export", "softmax_rows", "MIN_COUNT", "LEXICAL_PREFIXES", "PARAMS"]

#: Features seen in fewer training groups are left to the logistic model.
MIN_COUNT = 20
#: Lexical features (words at and around a name) are left to the logistic model: thousands of sparse columns that
#: made the trees 10x slower to fit for the same F1 when averaged (0.653 against 0.650 on other venues).
LEXICAL_PREFIXES = ("head=", "prev=", "before=", "after=")
#: ``HistGradientBoostingClassifier``'s settings: 15 leaves fit a leaf bitvector in 16 bits; early stopping (on a
#: seeded tenth of the groups) ends at 35-50 iterations. Fit: 3-7 s per model on one core.
PARAMS = {"max_iter": 100, "learning_rate": 0.2, "max_leaf_nodes": 15, "min_samples_leaf": 20,
          "l2_regularization": 1.0}
_BITS = 16
#: The lowest set bit of every 16-bit word: the exit leaf of a tree's bitvector.
_LOWEST_BIT = numpy.zeros(1 << _BITS, dtype=numpy.int64)
for _b in range(_BITS - 1, -1, -1):
    _LOWEST_BIT[(numpy.arange(1 << _BITS) >> _b) & 1 == 1] = _b


def softmax_rows(scores: numpy.ndarray) -> numpy.ndarray:
    """Each row of raw class scores as probabilities (the trees' and the resolver's logistic model's)."""
    exp = numpy.exp(scores - scores.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


class Trees:
    """A boosted ensemble over named features: ``classes``; per iteration one tree per class (``baseline`` plus
    the sum of a class's exit leaves is its raw score); per internal node its feature, threshold, tree and the
    leaves of its left subtree (a bitvector of in-order leaf numbers). What is stored (:meth:`to_dict`) is those
    nodes and leaves; the per-feature tables that :meth:`raw` reads are built from them on load."""

    def __init__(self, classes: Sequence[str], baseline: Sequence[float], leaves: Sequence[Sequence[float]],
                 nodes: Sequence[tuple[str, float, int, int]]) -> None:
        self.classes = tuple(classes)
        self.baseline = numpy.asarray(baseline, dtype=float)
        self.leaves = [list(map(float, values)) for values in leaves]
        self.nodes = [(str(f), float(thr), int(t), int(left)) for f, thr, t, left in nodes]
        if len(self.leaves) % len(self.classes) or any(len(v) > _BITS for v in self.leaves):
            raise ValueError(f"trees: one tree per class and iteration, at most {_BITS} leaves each")
        # per feature, per interval between its sorted thresholds, the AND of the masks of its nodes whose threshold
        # lies below: one row of a bitvector per tree (every tree of the ensemble; all ones where the feature has no
        # node); row 0 of the table is all ones, so that every group has one row to start from
        trees, full = len(self.leaves), (1 << _BITS) - 1
        by_feature: dict[str, list[tuple[float, int, int]]] = {}
        for f, thr, t, left in self.nodes:
            by_feature.setdefault(f, []).append((thr, t, full & ~left))
        tables = [numpy.full((1, trees), full, dtype=numpy.uint16)]
        self._bins: dict[str, tuple[int, list[float]]] = {}  # feature -> (its first row, its sorted thresholds)
        row = 1
        for f, nodes_of_f in sorted(by_feature.items()):
            thresholds = sorted({thr for thr, _, _ in nodes_of_f})
            table = numpy.full((len(thresholds) + 1, trees), full, dtype=numpy.uint16)
            for thr, t, mask in nodes_of_f:
                table[bisect.bisect_left(thresholds, thr) + 1, t] &= mask
            tables.append(numpy.bitwise_and.accumulate(table, axis=0))
            self._bins[f] = (row, thresholds)
            row += len(thresholds) + 1
        self._table = numpy.concatenate(tables)
        self._offset = numpy.cumsum([0] + [len(v) for v in self.leaves[:-1]]).astype(numpy.int64)
        self._values = numpy.array([x for v in self.leaves for x in v], dtype=float)

    def raw(self, rows: Sequence[Mapping[str, float]]) -> numpy.ndarray:
        """Raw scores, one row per feature dict and one column per class."""
        if not rows:
            return numpy.zeros((0, len(self.classes)))
        picked, starts = [], []  # rows of the table, and where each group's begin
        bins = self._bins
        names = bins.keys()
        for features in rows:
            starts.append(len(picked))
            picked.append(0)
            for name in features.keys() & names:
                first, thresholds = bins[name]
                picked.append(first + bisect.bisect_left(thresholds, features[name]))  # below: the test fails
        bits = numpy.bitwise_and.reduceat(self._table[picked], starts, axis=0)
        exits = self._values[_LOWEST_BIT[bits] + self._offset]
        return self.baseline + exits.reshape(len(rows), -1, len(self.classes)).sum(axis=1)

    def probabilities(self, rows: Sequence[Mapping[str, float]]) -> numpy.ndarray:
        """Class probabilities (softmax of :meth:`raw`), one row per feature dict."""
        return softmax_rows(self.raw(rows))

    def to_dict(self) -> dict:
        features = sorted({f for f, *_ in self.nodes})
        index = {f: i for i, f in enumerate(features)}
        return {"classes": list(self.classes), "baseline": self.baseline.tolist(), "features": features,
                "leaves": self.leaves, "nodes": [[index[f], thr, t, left] for f, thr, t, left in self.nodes]}

    @classmethod
    def from_dict(cls, d: Mapping) -> Trees:
        return cls(d["classes"], d["baseline"], d["leaves"],
                   [(d["features"][f], thr, t, left) for f, thr, t, left in d["nodes"]])


def fit_trees(rows: Sequence[Mapping[str, float]], labels: Sequence[str], *, min_count: int = MIN_COUNT,
              seed: int = 0) -> Trees | None:
    """Fit the ensemble with scikit-learn (``pip install paperkg[train]``) on the non-lexical features seen in at
    least ``min_count`` rows; None when there are fewer than three classes (a binary ensemble has one tree per
    iteration) or no such feature: the logistic model then decides alone. Raises ValueError on a negative feature
    value (an absent feature must read as the smallest value)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    counts: dict[str, int] = {}
    for features in rows:
        for name, value in features.items():
            if value < 0:
                raise ValueError(f"trees: feature {name!r} is negative ({value})")
            if value and not name.startswith(LEXICAL_PREFIXES):
                counts[name] = counts.get(name, 0) + 1
    names = sorted(name for name, c in counts.items() if c >= min_count)
    if len(set(labels)) < 3 or not names:
        return None
    column = {name: j for j, name in enumerate(names)}
    x = numpy.zeros((len(rows), len(names)))  # float64, as the evaluator compares
    for i, features in enumerate(rows):
        for name, value in features.items():
            j = column.get(name)
            if j is not None:
                x[i, j] = value
    return export(HistGradientBoostingClassifier(**PARAMS, random_state=seed).fit(x, list(labels)), names)


def export(model, names: Sequence[str]) -> Trees:
    """A fitted ``HistGradientBoostingClassifier`` (three classes or more, no categorical features) whose columns
    are the features ``names``, as :class:`Trees`."""
    if len(model.classes_) < 3:
        raise ValueError("trees: export a model of three classes or more (a binary one has one tree per iteration)")
    leaves, nodes = [], []
    for t, predictor in enumerate(p for iteration in model._predictors for p in iteration):
        tree = predictor.nodes
        values: list[float] = []

        def walk(i: int) -> int:
            """Number the leaves under node i in order, record its test; returns their bitvector."""
            if tree[i]["is_leaf"]:
                values.append(float(tree[i]["value"]))
                return 1 << (len(values) - 1)
            left, right = walk(int(tree[i]["left"])), walk(int(tree[i]["right"]))
            nodes.append((names[int(tree[i]["feature_idx"])], float(tree[i]["num_threshold"]), t, left))
            return left | right

        walk(0)
        leaves.append(values)
    return Trees([str(c) for c in model.classes_], numpy.ravel(model._baseline_prediction), leaves, nodes)
