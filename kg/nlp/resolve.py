"""Decide which candidates are entities, and of which type, from all the evidence (pure functions, no spaCy).

Every component proposes candidate mentions: the catalogue, acronym definitions, coined names, task and
metric phrases (rules), the learned span model, the lexicon of names the gold papers use
(:mod:`kg.nlp.lexicon`, which travels with the resolver) and the segments of the title between its separators
and function words (:func:`title_candidates`: "A Conditional Splitting Framework for Efficient Constituency
Parsing" names its method before "for"). Candidates that name the same thing in a paper (the same
normalised surface form, or a form and its canonical name: "ViT" and "Vision Transformer") form one
:class:`Group`. A group is described by features (which components proposed it and with which label, their
confidences, the span model's score, each pair of sources with their labels (which components agree), whether
the rule resolver chose it and its rule role, where and how often it occurs and whether the title leads with it
("X: ..."), its shape, its head word, the word before it) and a multinomial logistic model averaged with boosted
trees (:mod:`kg.nlp.trees`), both trained on the gold papers (:func:`fit`), give the probability of each type and
of "not an entity". A group is kept when its most probable type is at least :data:`DEFAULT_THRESHOLD` likely; that
probability is the confidence of its links, so confidence bands can be checked against precision
(``benchmarks/cross_validate.py``).

A second logistic model gives the probability that a kept Method / Architecture / Dataset is proposed by the
paper (from every feature of the group, the rule role among them, and its type).

>>> r = Resolver(classes=("none", "Dataset"), weights={"bias": (0.0, -1.0), "src=catalogue|DATASET": (0.0, 3.0)},
...              role_weights={"bias": -2.0})
>>> c = Candidate(9, 17, "DATASET", "paperkg_catalogue", 0.9, canonical="ImageNet")
>>> [(g.key, label, round(p, 2)) for g, label, p in r.decide(group_candidates("T\\nWe use ImageNet.", [c], ()))]
[('imagenet', 'Dataset', 0.88)]
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy

from kg.nlp.lexicon import Lexicon
from kg.nlp.trees import Trees, fit_trees, softmax_rows
from kg.records import ENTITY_TYPES, name_key

__all__ = ["Candidate", "Group", "Resolver", "group_candidates", "title_candidates", "fit", "NONE",
           "DEFAULT_THRESHOLD", "RESOLVER_FILE", "TITLE_COMPONENT"]

#: The class of a group that is not an entity.
NONE = "none"
#: A group is kept when its most probable type has at least this probability. Keeping a link pays for F1 when
#: its probability exceeds F1/2 (about 0.32 at the cross-validated F1 of 0.64); the cross-validated typed F1 was
#: 0.643, 0.643 and 0.639 at 0.3, 0.35 and 0.4 (750 gold papers, 5 source folds), and 0.35 keeps precision higher.
DEFAULT_THRESHOLD = 0.35
#: Inverse L2 strength of both logistic models: the cross-validated typed F1 moved by less than 0.005 between
#: 0.1 and 1; 0.3 keeps the thousands of lexical weights (head words, nearby words) small.
DEFAULT_C = 0.3
#: Where the shipped weights live (written by ``kg train``).
RESOLVER_FILE = Path(__file__).parent / "models" / "resolver.json"

_WORD = re.compile(r"[A-Za-z0-9]+")
#: Words before each mention that become features ("we propose X", "our X", "outperforms X"): 3 reach past
#: an article and an adjective to the verb.
CONTEXT_WORDS = 3
_ROLE_TYPES = ("Method", "Architecture", "Dataset")
#: The component name of title segments (:func:`title_candidates`), proposed by the resolver itself.
TITLE_COMPONENT = "paperkg_title"
#: What separates a title's segments: punctuation, dashes between spaces and function words ("X for Y", "X via
#: Y", "X: Y", "X and Y").
_TITLE_SPLIT = re.compile(r"\s*(?::|,|;|\?|!|\(|\)|\s-\s|\s\u2013\s|\b(?:for|via|with|using|through|by|in|on|of|from"
                          r"|to|and|as|towards?|beyond|under|without|at|is|are)\b)\s*", re.I)
#: What a segment starts with that is not part of a name.
_TITLE_LEAD = re.compile(r"(?:a|an|the|towards?)(?:\s+|$)", re.I)
#: The longest segment that is a candidate, in words.
TITLE_SEGMENT_WORDS = 7


@dataclass(frozen=True)
class Candidate:
    """One candidate mention: character offsets in the paper's text, a label (a key of ENTITY_TYPES), the
    component that proposed it and its confidence (a rule's prior, or the span model's score)."""

    start: int
    end: int
    label: str  #: a key of ENTITY_TYPES, or "" when the component gives no type (title segments)
    component: str
    confidence: float
    canonical: str | None = None  #: the catalogue's (or an acronym's long form) name, if the component gave one
    role: str | None = None  #: the rule pipeline's role, for candidates it chose


@dataclass
class Group:
    """The candidates of one paper that name the same thing, and their features."""

    key: str  #: name key of the group's first surface form
    keys: frozenset[str]  #: every name key of the group (surface forms and canonical names)
    mentions: list[Candidate]
    features: dict[str, float] = field(default_factory=dict)


def _prev_word(text: str, start: int) -> str | None:
    words = _WORD.findall(text[max(0, start - 40):start])
    return words[-1].lower() if words else None


def title_candidates(text: str) -> list[Candidate]:
    """The segments of a paper's title (its text up to the first newline) between separators and function words,
    without a leading article, of 1 to :data:`TITLE_SEGMENT_WORDS` words: candidates without a type, since a
    title so often names what the paper proposes or studies. Cross-validated on 2,288 gold papers they lifted
    proposed F1 on other venues from 0.623 to 0.631, and to 0.634 with the pairs of sources among the features
    (the resolver learns which segments to keep). A text without a newline is all title: every short stretch of
    it between function words is a candidate, which costs resolver time and changes nothing else.

    >>> text = "A Conditional Splitting Framework for Efficient Constituency Parsing\\nWe ..."
    >>> [text[c.start:c.end] for c in title_candidates(text)]
    ['Conditional Splitting Framework', 'Efficient Constituency Parsing']
    """
    end = text.find("\n")
    end = len(text) if end < 0 else end
    out, start = [], 0
    for sep in [*_TITLE_SPLIT.finditer(text, 0, end), None]:
        stop = sep.start() if sep else end
        lead = _TITLE_LEAD.match(text, start, stop)
        s = lead.end() if lead else start
        while s < stop and text[s].isspace():
            s += 1
        e = stop
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s and len(text[s:e].split()) <= TITLE_SEGMENT_WORDS:
            out.append(Candidate(s, e, "", TITLE_COMPONENT, 1.0))
        if sep:
            start = sep.end()
    return out


def group_candidates(text: str, candidates: Iterable[Candidate], chosen: Iterable[Candidate]) -> list[Group]:
    """Group a paper's candidates and compute each group's features.

    Params:
      text: the paper's text (title, newline, abstract).
      candidates: every candidate mention of every component (rules and span model).
      chosen: the rule pipeline's entities (its longest-match choice, with its roles); they are candidates too.
    Returns: the groups, in order of first mention.
    """
    from kg.nlp.heads import type_from_head, type_from_suffix

    cands = [c for c in candidates if name_key(text[c.start:c.end])]
    chosen = list(chosen)
    # union-find over name keys: a surface form and its canonical name are one thing
    parent: dict[str, str] = {}

    def find(k: str) -> str:
        while parent.setdefault(k, k) != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for c in cands + chosen:
        k = name_key(text[c.start:c.end])
        find(k)
        if c.canonical and name_key(c.canonical):
            parent[find(name_key(c.canonical))] = find(k)
    members: dict[str, list[Candidate]] = {}
    # the rule pipeline's entities are candidates too (its roles step adds size variants: "ViG-T")
    for c in sorted(cands + [c for c in chosen if name_key(text[c.start:c.end])], key=lambda c: (c.start, -c.end)):
        members.setdefault(find(name_key(text[c.start:c.end])), []).append(c)
    rule_of: dict[str, list[Candidate]] = {}
    for c in chosen:
        rule_of.setdefault(find(name_key(text[c.start:c.end])), []).append(c)
    title_end = text.find("\n")
    if title_end < 0:
        title_end = len(text)
    keys_of: dict[str, set[str]] = {}
    for k in list(parent):
        keys_of.setdefault(find(k), set()).add(k)
    groups = []
    for root, ms in members.items():
        keys = frozenset(keys_of[root])
        positions = sorted({(c.start, c.end) for c in ms})
        first = positions[0]
        surface = text[first[0]:first[1]]
        f: dict[str, float] = {"bias": 1.0}
        f["log_mentions"] = math.log1p(len({s for s, _ in positions}))
        if any(s < title_end for s, _ in positions):
            f["in_title"] = 1.0
        if any(not text[:s].strip() and text[e:title_end].lstrip().startswith(":")
               for s, e in positions if s < title_end):
            f["title_lead"] = 1.0  # the name a title leads with ("X: ..."): most often the paper's own
        f["first_position"] = first[0] / max(1, len(text))
        words = _WORD.findall(surface)
        f[f"words={min(len(words), 5)}"] = 1.0
        if surface.isupper():
            f["all_caps"] = 1.0
        if re.search(r"[a-z][A-Z]", surface):
            f["camel_case"] = 1.0
        if re.search(r"\d", surface):
            f["digit"] = 1.0
        if "-" in surface:
            f["hyphen"] = 1.0
        if surface.islower():
            f["lower_case"] = 1.0
        elif surface[:1].isupper():
            f["capitalised"] = 1.0
        for c in ms:
            comp = c.component.replace("paperkg_", "")
            f[f"src={comp}"] = 1.0
            f[f"src={comp}|{c.label}"] = 1.0
            f[f"conf={comp}"] = max(f.get(f"conf={comp}", 0.0), float(c.confidence))
            f[f"conf={comp}|{c.label}"] = max(f.get(f"conf={comp}|{c.label}", 0.0), float(c.confidence))
            if c.role == "proposed":
                f["candidate_proposed"] = 1.0
            if c.canonical and name_key(c.canonical) != name_key(text[c.start:c.end]):
                f["has_canonical"] = 1.0
        for c in rule_of.get(root, ()):
            f[f"rule|{c.label}"] = 1.0
            if c.role == "proposed":
                f["rule_proposed"] = 1.0
        for fn, name in ((type_from_head, "head_type"), (type_from_suffix, "suffix_type")):
            t = fn(surface)
            if t:
                f[f"{name}={t}"] = 1.0
        if words:
            f[f"head={words[-1].lower()}"] = 1.0
        prev = _prev_word(text, first[0])
        if prev:
            f[f"prev={prev}"] = 1.0
        for s, _ in positions:
            for w in _WORD.findall(text[max(0, s - 40):s])[-CONTEXT_WORDS:]:
                f[f"before={w.lower()}"] = 1.0
        after = _WORD.findall(text[first[1]:first[1] + 30])
        if after:
            f[f"after={after[0].lower()}"] = 1.0
        sources = sorted(k for k in f if k.startswith("src=") and "|" in k)
        for i, a in enumerate(sources):  # which components agree, and on which labels
            for b in sources[i + 1:]:
                f[f"{a}&{b}"] = 1.0
        f["sources"] = float(len({c.component for c in ms}))
        groups.append(Group(name_key(surface), keys, ms, f))
    groups.sort(key=lambda g: min(c.start for c in g.mentions))
    return groups


@dataclass
class Resolver:
    """Two logistic models: the type of a group (``weights``: feature -> one weight per class) and whether
    a kept group is proposed (``role_weights``: feature -> weight); boosted trees of the type
    (:mod:`kg.nlp.trees`), whose probabilities are averaged with the logistic model's, if any; and the lexicon of
    names whose candidates they learned to weigh (:mod:`kg.nlp.lexicon`), if any."""

    classes: tuple[str, ...]
    weights: Mapping[str, Sequence[float]]
    role_weights: Mapping[str, float]
    threshold: float = DEFAULT_THRESHOLD
    meta: dict = field(default_factory=dict)
    lexicon: Lexicon | None = None
    trees: Trees | None = None
    _index: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    _matrix: numpy.ndarray | None = field(default=None, init=False, repr=False, compare=False)

    def probabilities(self, features: Mapping[str, float]) -> dict[str, float]:
        """The probability of each class for a group's features."""
        return dict(zip(self.classes, self.probability_rows([features])[0].tolist()))

    def probability_rows(self, rows: Sequence[Mapping[str, float]]) -> numpy.ndarray:
        """The class probabilities of many groups (one row of :attr:`classes` per feature dict): the logistic
        model's, averaged with the trees' where there are trees."""
        if self._matrix is None:  # the weights as one matrix (feature row -> class column), built on first use
            self._index = {name: i + 1 for i, name in enumerate(self.weights)}
            self._matrix = numpy.array([[0.0] * len(self.classes), *self.weights.values()], dtype=float)
        if not rows:
            return numpy.zeros((0, len(self.classes)))
        # each group's weight rows and feature values, and where they begin; every group starts with row 0 (zeros),
        # so that a group without a known feature has its segment too (it scores 0 for every class)
        cols, values, starts = [], [], []
        for features in rows:
            starts.append(len(cols))
            cols.append(0)
            values.append(0.0)
            for name, value in features.items():
                i = self._index.get(name)
                if i is not None:
                    cols.append(i)
                    values.append(value)
        probs = softmax_rows(numpy.add.reduceat(self._matrix[cols] * numpy.asarray(values)[:, None], starts, axis=0))
        if self.trees is not None:
            probs = (probs + self.trees.probabilities(rows)) / 2
        return probs

    def proposed_probability(self, features: Mapping[str, float], etype: str) -> float:
        """The probability that the paper proposes a kept group of type ``etype``."""
        s = self.role_weights.get(f"type={etype}", 0.0)
        for name, value in features.items():
            s += self.role_weights.get(name, 0.0) * value
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, s))))

    def decide(self, groups: Iterable[Group]) -> list[tuple[Group, str, float]]:
        """The kept groups with their type and its probability."""
        groups = list(groups)
        out = []
        for g, probs in zip(groups, self.probability_rows([g.features for g in groups]).tolist()):
            label, p = max(((c, p) for c, p in zip(self.classes, probs) if c != NONE), key=lambda cp: (cp[1], cp[0]))
            if p >= self.threshold:
                out.append((g, label, p))
        return out

    def to_json(self) -> str:
        d = {"classes": list(self.classes), "threshold": self.threshold, "meta": self.meta,
             "weights": {k: [round(x, 6) for x in v] for k, v in sorted(self.weights.items())},
             "role_weights": {k: round(v, 6) for k, v in sorted(self.role_weights.items())}}
        if self.lexicon is not None:
            d["lexicon"] = self.lexicon.to_dict()
        if self.trees is not None:
            d["trees"] = self.trees.to_dict()
        return json.dumps(d, indent=0, sort_keys=True)

    @classmethod
    def from_json(cls, data: str) -> Resolver:
        d = json.loads(data)
        lexicon = Lexicon.from_dict(d["lexicon"]) if "lexicon" in d else None
        trees = Trees.from_dict(d["trees"]) if "trees" in d else None
        if trees is not None and trees.classes != tuple(d["classes"]):
            raise ValueError(f"the trees' classes {trees.classes} are not the resolver's {tuple(d['classes'])}")
        return cls(tuple(d["classes"]), {k: tuple(v) for k, v in d["weights"].items()},
                   dict(d["role_weights"]), float(d["threshold"]), dict(d.get("meta", {})), lexicon, trees)

    @classmethod
    def load(cls, path: str | Path = RESOLVER_FILE) -> Resolver:
        return cls.from_json(Path(path).read_text(encoding="utf-8"))


def _role_features(features: Mapping[str, float], etype: str) -> dict[str, float]:
    f = dict(features)
    f[f"type={etype}"] = 1.0
    return f


def fit(groups: Sequence[Group], labels: Sequence[str], roles: Sequence[str | None], *, c: float = DEFAULT_C,
        threshold: float = DEFAULT_THRESHOLD, meta: dict | None = None) -> Resolver:
    """Train the models with scikit-learn (``pip install paperkg[train]``): a multinomial logistic regression
    of the type (``labels``: a type or :data:`NONE` per group) and a binary one of the role (``roles``:
    "proposed" / "used" for groups of role types, else None), both L2-regularised with strength ``c``; and the
    boosted trees of the type (:func:`kg.nlp.trees.fit_trees`)."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    dv = DictVectorizer()
    x = dv.fit_transform([g.features for g in groups])
    model = LogisticRegression(C=c, max_iter=5000).fit(x, list(labels))
    classes = tuple(str(k) for k in model.classes_)
    names = dv.get_feature_names_out()
    coef = model.coef_ if len(classes) > 2 else [-model.coef_[0] / 2, model.coef_[0] / 2]
    intercept = model.intercept_ if len(classes) > 2 else [-model.intercept_[0] / 2, model.intercept_[0] / 2]
    weights: dict[str, list[float]] = {}
    for j, name in enumerate(names):
        col = [float(coef[i][j]) for i in range(len(classes))]
        if any(abs(w) > 1e-9 for w in col):
            weights[str(name)] = col
    weights["bias"] = [w + float(b) for w, b in zip(weights.get("bias", [0.0] * len(classes)), intercept)]
    role_idx = [i for i, r in enumerate(roles) if r in ("proposed", "used")]
    role_weights: dict[str, float] = {}
    if role_idx and len({roles[i] for i in role_idx}) == 2:
        rdv = DictVectorizer()
        rx = rdv.fit_transform([_role_features(groups[i].features, labels[i]) for i in role_idx])
        ry = [roles[i] == "proposed" for i in role_idx]
        rm = LogisticRegression(C=c, max_iter=5000).fit(rx, ry)
        for name, w in zip(rdv.get_feature_names_out(), rm.coef_[0]):
            if abs(w) > 1e-9:
                role_weights[str(name)] = float(w)
        role_weights["bias"] = role_weights.get("bias", 0.0) + float(rm.intercept_[0])
    return Resolver(classes, weights, role_weights, threshold, dict(meta or {}),
                    trees=fit_trees([g.features for g in groups], list(labels)))


#: The labels of doc.ents for each type.
LABEL_OF_TYPE = {t: label for label, t in ENTITY_TYPES.items()}
