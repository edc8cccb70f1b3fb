"""``kg train``: the span model and the resolver, trained on the repository's gold papers.

1. Gold papers (``training/gold/*.jsonl``, :mod:`kg.nlp.gold`) become spaCy ``Doc`` objects whose mentions come
   from matching each entity's names in the text; they are written as ``DocBin`` files.
2. The span model's ``tok2vec`` is pretrained on unlabelled abstracts (:mod:`kg.nlp.pretrain`: floret vectors,
   then ``spacy pretrain``), leaving out every gold paper's text.
3. ``spacy train`` (spaCy's own loop, with ``training/spans.cfg``) trains the span model from those weights:
   paperkg's tokenizer, a small CNN ``tok2vec``, a ``span_finder`` and a ``spancat``.
4. The resolver (:mod:`kg.nlp.resolve`) learns from what it will see at run time: the rules' candidates, and
   the span model's and the lexicon's (:mod:`kg.nlp.lexicon`, the names other papers' gold uses) on papers they
   were not learned from. So the papers are split into :data:`FOLDS` folds by source (one source's papers in
   one fold); a span model and a lexicon learned from all folds but one predict that one, and the resolver is
   fitted on these out-of-fold candidates. The same predictions give the cross-validated figures of rules
   alone, model alone and both (:func:`cross_validate`).
5. The final span model is trained on every paper, and the shipped resolver carries the lexicon of every paper.

Everything runs on the CPU with fixed seeds, from files in the repository; nothing is downloaded. The outputs go to
``--out`` (a folder with ``spans/`` and ``resolver.json``); the build uses the shipped ones in ``kg/nlp/models/``
unless told otherwise (``kg build --model DIR``).
"""
from __future__ import annotations

import json
import logging
import random
import shutil
import tempfile
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin

from kg.atomic import atomic_dir
from kg.errors import PipelineError, SourceError
from kg.nlp.gold import GoldEntity, GoldPaper, gold_spans, read_gold
from kg.nlp.lexicon import MIN_PAPERS
from kg.records import title_key

__all__ = ["train", "check", "cross_validate", "read_training_gold", "docs_from_gold", "source_folds",
           "TrainReport", "FOLDS", "DEFAULT_GOLD_DIR", "DEFAULT_CONFIG"]

log = logging.getLogger(__name__)

#: The repository's gold papers and the span model's spaCy config (``kg train`` runs from a clone).
DEFAULT_GOLD_DIR = Path("training/gold")
DEFAULT_CONFIG = Path("training/spans.cfg")
#: Folds for the out-of-fold candidates the resolver learns from (and for cross-validation): 5 leaves 80% of
#: the papers to each fold's model, and keeps training to 6 spaCy runs.
FOLDS = 5
#: Share of the training papers of a spaCy run held out for its model selection (``model-best``).
VALIDATION_SHARE = 0.1
#: Span groups the gold mentions go to: ``sc`` for spancat, ``span_candidates`` for span_finder (their
#: ``spans_key`` in training/spans.cfg).
GOLD_SPAN_KEYS = ("sc", "span_candidates")
#: spaCy runs at once: the machine's 2 cores each run one (a run uses one core).
PARALLEL_RUNS = 2


@dataclass
class TrainReport:
    """What ``kg train`` read and wrote."""

    papers: int = 0
    entities: int = 0
    mentions: int = 0
    missing: list[tuple[GoldPaper, GoldEntity]] = field(default_factory=list)  #: names not in their text
    excluded: int = 0
    folds: list[list[str]] = field(default_factory=list)  #: sources per fold
    seconds: float = 0.0
    scores: dict = field(default_factory=dict)  #: cross-validated figures (see :func:`cross_validate`)
    pretrained: dict = field(default_factory=dict)  #: what the tok2vec was pretrained on (:mod:`kg.nlp.pretrain`)
    lexicon: int = 0  #: names in the shipped resolver's lexicon (:mod:`kg.nlp.lexicon`)
    out: str = ""


def _blank() -> Language:
    from kg.nlp import tokenizer  # noqa: F401  (registers paperkg.tokenizer.v1)

    return spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "paperkg.tokenizer.v1"}}})


def read_training_gold(paths: Iterable[str | Path], exclude: str | Path | None = None) -> tuple[list[GoldPaper], int]:
    """The gold papers of ``paths`` (files, or folders of ``*.jsonl``), without those whose title is in the
    ``exclude`` gold file (e.g. the evaluation set) and without repeats (the first record of a title wins).

    Returns: the papers and how many were excluded.
    Raises: SourceError naming file and line for a bad file or record.
    """
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(p.glob("*.jsonl")))
        elif p.exists():
            files.append(p)
        else:
            raise SourceError(str(p), 0, "no such gold file or folder")
    if not files:
        raise SourceError(", ".join(map(str, paths)), 0, "no gold files (*.jsonl) to train on")
    skip = _title_keys(exclude) if exclude else set()
    seen: set[str] = set()
    out, excluded = [], 0
    for f in files:
        for g in read_gold(f):
            k = title_key(g.title)
            if k in skip:
                excluded += 1
            elif k not in seen:
                seen.add(k)
                out.append(g)
    return out, excluded


def _title_keys(path: str | Path) -> set[str]:
    """The :func:`title_key` of every paper of a gold file (its text is not needed)."""
    return {title_key(g.title) for g in read_gold(path, need_text=False)}


def docs_from_gold(papers: Sequence[GoldPaper], nlp: Language | None = None) -> tuple[list[Doc], list[tuple[GoldPaper, GoldEntity]]]:
    """One Doc per paper with its gold mentions in ``doc.ents`` and in the span groups the span model learns
    from (:data:`GOLD_SPAN_KEYS`); and the entities none of whose names is written in their text (reported,
    not trained on)."""
    nlp = nlp or _blank()
    docs, missing = [], []
    for g in papers:
        doc = nlp.make_doc(g.text)
        found = gold_spans(g, [(t.idx, t.idx + len(t.text)) for t in doc])
        spans = [doc.char_span(s, e, label=label) for s, e, label, _ in found.spans]
        for k in GOLD_SPAN_KEYS:
            doc.spans[k] = spans
        doc.ents = spans
        docs.append(doc)
        missing.extend((g, e) for e in found.missing)
    return docs, missing


def check(paths: Iterable[str | Path], exclude: str | Path | None = None) -> list[str]:
    """The problems ``kg train --check`` reports: one line per entity whose names are not in its paper's text
    (file, line, paper id and the entity). The files are read as :func:`train` reads them."""
    papers, _ = read_training_gold(paths, exclude)
    _, missing = docs_from_gold(papers)
    return [f"{g.file}:{g.line}: paper {g.id}: {e.type} {e.name!r} (aliases {list(e.aliases)}) is not written as "
            "a word in the title or abstract (outside URLs); it is skipped" for g, e in missing]


def source_group(g: GoldPaper) -> str:
    """The source a paper's fold is chosen by: the corpus file or venue listing its text comes from."""
    return g.source.split(" (")[0].replace("bundled sample corpus: ", "")


def source_folds(papers: Sequence[GoldPaper], k: int = FOLDS) -> list[int]:
    """A fold per paper: sources (:func:`source_group`) are dealt to folds, largest first, each to the
    fold with the fewest papers so far, so folds are balanced and no source is split."""
    by_source: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(papers):
        by_source[source_group(g)].append(i)
    sizes, fold = [0] * k, {}
    for _, idx in sorted(by_source.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        f = min(range(k), key=lambda j: (sizes[j], j))
        sizes[f] += len(idx)
        for i in idx:
            fold[i] = f
    return [fold[i] for i in range(len(papers))]


def _write_docbins(docs: Sequence[Doc], train_idx: Sequence[int], folder: Path, seed: int) -> None:
    idx = list(train_idx)
    random.Random(seed).shuffle(idx)
    n_val = max(1, int(len(idx) * VALIDATION_SHARE))
    folder.mkdir(parents=True, exist_ok=True)
    DocBin(docs=[docs[i] for i in idx[n_val:]], store_user_data=False).to_disk(folder / "train.spacy")
    DocBin(docs=[docs[i] for i in idx[:n_val]], store_user_data=False).to_disk(folder / "dev.spacy")


def _spacy_train(config: str, folder: str, seed: int, init_tok2vec: str | None = None) -> str:
    """One ``spacy train`` run (in a worker process); returns the path of its best model."""
    from spacy.cli.train import train as spacy_train

    from kg.nlp import tokenizer  # noqa: F401

    out = Path(folder) / "model"
    overrides = {"paths.train": str(Path(folder) / "train.spacy"), "paths.dev": str(Path(folder) / "dev.spacy"),
                 "system.seed": seed, "training.seed": seed}
    if init_tok2vec:
        overrides["paths.init_tok2vec"] = init_tok2vec
    spacy_train(Path(config), out, overrides=overrides)
    return str(out / "model-best")


def _run_all(config: Path, folders: Sequence[Path], seed: int, parallel: int, init_tok2vec: Path | None) -> list[str]:
    weights = str(init_tok2vec) if init_tok2vec else None
    if parallel <= 1:
        return [_spacy_train(str(config), str(f), seed, weights) for f in folders]
    import multiprocessing

    n = len(folders)
    with ProcessPoolExecutor(parallel, mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(pool.map(_spacy_train, [str(config)] * n, map(str, folders), [seed] * n, [weights] * n))


def rule_candidates(papers: Sequence[GoldPaper]):
    """The rule pipeline's candidates and chosen entities per paper, as :class:`kg.nlp.resolve.Candidate` lists."""
    from kg.nlp import load
    from kg.nlp.components import CANDIDATES, span_candidate

    rules = load(exclude=["paperkg_spans", "paperkg_resolver"])
    out = []
    for doc in rules.pipe((g.text for g in papers), batch_size=64):
        cands = [span_candidate(s) for s in doc.spans.get(CANDIDATES, [])]
        chosen = [span_candidate(e, with_role=True) for e in doc.ents]
        out.append((cands, chosen))
    return out


def model_candidates(model_dir: str | Path, papers: Sequence[GoldPaper], min_score: float | None = None):
    """The span model's candidates per paper (:class:`kg.nlp.resolve.Candidate`, component paperkg_spans)."""
    from kg.nlp.resolve import Candidate
    from kg.nlp.spans import MIN_SCORE, SPANS_KEY, load_model

    floor = MIN_SCORE if min_score is None else min_score
    model = load_model(model_dir, floor)
    out = []
    for doc in model.pipe((g.text for g in papers), batch_size=64):
        cands = []
        if SPANS_KEY in doc.spans:
            group = doc.spans[SPANS_KEY]
            scores = group.attrs.get("scores")
            for i, s in enumerate(group):
                sc = float(scores[i]) if scores is not None else 1.0
                if sc >= floor:
                    cands.append(Candidate(s.start_char, s.end_char, s.label_, "paperkg_spans", sc))
        else:
            cands = [Candidate(e.start_char, e.end_char, e.label_, "paperkg_spans", 1.0) for e in doc.ents]
        out.append(cands)
    return out


# --- learning the resolver, and cross-validation ---------------------------------------------------------------
def in_sample_corpus(g: GoldPaper) -> bool:
    """Whether a gold paper's text comes from the bundled sample corpus (the others are from other venues)."""
    return g.licence.startswith("bundled sample corpus")


def group_labels(g: GoldPaper, groups) -> list[tuple[str, str | None]]:
    """The gold class of each group (an entity type, or ``none``) and the gold role."""
    from kg.nlp.resolve import NONE

    forms = [(e, {n for n in map(_norm, e.forms) if n}) for e in g.entities]
    out = []
    for grp in groups:
        hit = next((e for e, keys in forms if grp.keys & keys), None)
        out.append((hit.type, hit.role) if hit else (NONE, None))
    return out


def _norm(s: str) -> str:
    from kg.records import name_key

    return name_key(s)


def _items(text: str, ents) -> dict:
    """Paper-level predictions (as :func:`kg.evaluate.score_predictions` reads them) from entity mentions
    ``(start, end, type, canonical, role, confidence)``: mentions sharing a name are one entity, as linking does."""
    from kg.records import name_key

    parent: dict[int, int] = {}

    def find(i: int) -> int:
        while parent.setdefault(i, i) != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    seen: dict[tuple[str, str], int] = {}
    for i, (s, e, t, canonical, _, _) in enumerate(ents):
        find(i)
        for form in (text[s:e], canonical or ""):
            k = (t, name_key(form))
            if k[1]:
                if k in seen:
                    parent[find(i)] = find(seen[k])
                else:
                    seen[k] = i
    groups: dict[int, list] = defaultdict(list)
    for i, ent in enumerate(ents):
        groups[find(i)].append(ent)
    typed, roles = [], []
    for members in groups.values():
        t = members[0][2]
        names = {text[s:e] for s, e, *_ in members} | {m[3] for m in members if m[3]}
        typed.append((t, names, max(m[5] for m in members)))
        if t in ("Method", "Architecture", "Dataset"):
            roles.append(("proposed" if any(m[4] == "proposed" for m in members) else "used", names))
    return {"typed": typed, "roles": roles}


def rules_items(text: str, chosen) -> dict:
    """What the rule pipeline alone links a paper to."""
    from kg.records import ENTITY_TYPES

    return _items(text, [(c.start, c.end, ENTITY_TYPES[c.label], c.canonical, c.role, c.confidence) for c in chosen])


def model_items(text: str, cands, threshold: float = 0.5) -> dict:
    """What the span model alone links a paper to: its spans scored ``threshold`` or more, the best first where
    they overlap, all "used"."""
    from kg.records import ENTITY_TYPES

    taken: list[tuple[int, int]] = []
    ents = []
    for c in sorted(cands, key=lambda c: (-c.confidence, c.start)):
        if c.confidence < threshold or any(c.start < e and s < c.end for s, e in taken):
            continue
        taken.append((c.start, c.end))
        ents.append((c.start, c.end, ENTITY_TYPES[c.label], None, "used", c.confidence))
    return _items(text, ents)


def resolver_items(resolver, groups) -> dict:
    """What the resolver links a paper to (its kept groups, with their probability and role)."""
    from kg.nlp.components import ROLE_THRESHOLD

    typed, roles = [], []
    for g, t, p in resolver.decide(groups):
        typed.append((t, set(g.keys), p))
        if t in ("Method", "Architecture", "Dataset"):
            proposed = resolver.proposed_probability(g.features, t) >= ROLE_THRESHOLD
            roles.append(("proposed" if proposed else "used", set(g.keys)))
    return {"typed": typed, "roles": roles}


#: Confidence bands of the calibration table: tenths, as the issue asks precision to lie within ±0.10 of each.
CALIBRATION_BANDS = tuple((i / 10, (i + 1) / 10) for i in range(10))


def _groups(papers: Sequence[GoldPaper], rule_cands, model_cands, lexicon_cands=None) -> list:
    """Each paper's candidate groups (:func:`kg.nlp.resolve.group_candidates`) from every source (and its title's
    segments, :func:`kg.nlp.resolve.title_candidates`, as the resolver component adds them)."""
    from kg.nlp.resolve import group_candidates, title_candidates

    lexicon_cands = lexicon_cands or [[] for _ in papers]
    return [group_candidates(g.text, rc[0] + mc + lc + title_candidates(g.text), rc[1])
            for g, rc, mc, lc in zip(papers, rule_cands, model_cands, lexicon_cands)]


def lexicon_candidates(papers: Sequence[GoldPaper], docs: Sequence[Doc], folds: Sequence[int], nlp: Language):
    """The lexicon of each fold (learned from the other folds' papers, :func:`kg.nlp.lexicon.learn_lexicon`) and
    every paper's candidates from its fold's lexicon, so that no paper's own names are among them."""
    from kg.nlp.lexicon import learn_lexicon

    lexicons = {}
    cands: list = [None] * len(papers)
    for k in sorted(set(folds)):
        train_idx = [i for i, f in enumerate(folds) if f != k]
        lexicons[k] = learn_lexicon([papers[i] for i in train_idx], [docs[i] for i in train_idx], nlp)
        matcher = lexicons[k].matcher(nlp)
        for i in (i for i, f in enumerate(folds) if f == k):
            cands[i] = matcher.candidates(docs[i])
    return lexicons, cands


def cross_validate(papers: Sequence[GoldPaper], folds: Sequence[int], rule_cands, model_cands, lexicon_cands=None,
                   *, c: float | None = None, threshold: float | None = None, resolvers: dict | None = None) -> dict:
    """Cross-validated figures: for each fold, the resolver is fitted on the other folds' groups and predicts
    this fold's papers (whose span-model and lexicon candidates come from a model and a lexicon that did not see
    them either: ``model_cands`` and ``lexicon_cands``, out of fold).

    ``resolvers``, if given, receives each fold's resolver (fold -> :class:`kg.nlp.resolve.Resolver`).

    Returns: ``{system: {subset: scores}}`` for systems ``rules``, ``model``, ``combined`` and subsets ``all``,
    ``sample`` (papers of the bundled sample corpus), ``other`` (papers from other venues): the
    :func:`kg.evaluate.score_predictions` dicts, with ``bands`` of :data:`CALIBRATION_BANDS`.
    """
    from kg.evaluate import score_predictions
    from kg.nlp.resolve import DEFAULT_C, DEFAULT_THRESHOLD, fit

    c = DEFAULT_C if c is None else c

    groups = _groups(papers, rule_cands, model_cands, lexicon_cands)
    labels = [group_labels(g, gs) for g, gs in zip(papers, groups)]
    preds: dict[str, list] = {"rules": [None] * len(papers), "model": [None] * len(papers),
                              "combined": [None] * len(papers)}
    resolvers = {} if resolvers is None else resolvers
    for k in sorted(set(folds)):
        train_idx = [i for i, f in enumerate(folds) if f != k]
        xs = [gr for i in train_idx for gr in groups[i]]
        ys = [lab for i in train_idx for lab in labels[i]]
        resolver = fit(xs, [y[0] for y in ys], [y[1] for y in ys], c=c,
                       threshold=DEFAULT_THRESHOLD if threshold is None else threshold)
        resolvers[k] = resolver
        for i in (i for i, f in enumerate(folds) if f == k):
            preds["combined"][i] = resolver_items(resolver, groups[i])
    for i, g in enumerate(papers):
        preds["rules"][i] = rules_items(g.text, rule_cands[i][1])
        preds["model"][i] = model_items(g.text, model_cands[i])
    subsets = {"all": lambda g: True, "sample": in_sample_corpus, "other": lambda g: not in_sample_corpus(g)}
    out: dict = {}
    for system, ps in preds.items():
        out[system] = {}
        for name, keep in subsets.items():
            idx = [i for i, g in enumerate(papers) if keep(g)]
            out[system][name] = score_predictions([papers[i] for i in idx], [ps[i] for i in idx], CALIBRATION_BANDS)
    return out


def _portable_config(model: Path) -> None:
    """Clear the run's own paths (temporary DocBins, pretrained weights) from a saved model's config: they mean
    nothing once the model is saved, and without them the same data and seed give the same bytes."""
    cfg = spacy.util.load_config(model / "config.cfg", interpolate=False)
    for key in ("train", "dev", "init_tok2vec"):
        cfg["paths"][key] = None
    cfg.to_disk(model / "config.cfg")


def train(out: str | Path, *, gold: Iterable[str | Path] = (DEFAULT_GOLD_DIR,), config: str | Path = DEFAULT_CONFIG,
          exclude: str | Path | None = None, seed: int = 0, folds: int = FOLDS, parallel: int = PARALLEL_RUNS,
          c: float | None = None, work_dir: str | Path | None = None,
          unlabeled: str | Path | None = None) -> TrainReport:
    """Train the span model and the resolver on the gold papers and write them to ``out`` (``spans/``,
    ``resolver.json``, ``report.json`` with the cross-validated figures), replacing it only once complete.

    Params:
      out: the model folder to write (``kg build --model out`` uses it).
      gold: gold files or folders (default: ``training/gold``).
      config: the span model's spaCy config (default: ``training/spans.cfg``).
      exclude: a gold file whose papers are never trained on (e.g. the evaluation set).
      seed: the random seed of every spaCy run and split.
      folds: folds of the out-of-fold candidates (and of the cross-validation).
      parallel: spaCy runs at once.
      c: inverse L2 strength of the resolver's logistic models (default: :data:`kg.nlp.resolve.DEFAULT_C`).
      work_dir: keep the DocBins and fold models there (default: a temporary folder, removed).
      unlabeled: unlabelled abstracts to pretrain on (default: :data:`kg.nlp.pretrain.DEFAULT_UNLABELED`); texts
        of gold and excluded papers are left out.
    Raises: SourceError (bad gold or config file, named with its line); PipelineError if training fails.
    """
    from kg.nlp.pretrain import DEFAULT_UNLABELED, pretrain_tok2vec, read_unlabeled, train_vectors

    t0 = time.perf_counter()
    config = Path(config)
    unlabeled = Path(unlabeled) if unlabeled else DEFAULT_UNLABELED
    if not unlabeled.is_file():
        raise SourceError(str(unlabeled), None, "no such unlabelled-abstracts file; run `kg train` from a clone of "
                          "the repository or pass --unlabeled")
    if not config.is_file():
        raise SourceError(str(config), 0, "no such spaCy config; run `kg train` from a clone of the repository "
                          "or pass --config")
    papers, excluded = read_training_gold(gold, exclude)
    nlp = _blank()
    docs, missing = docs_from_gold(papers, nlp)
    for g, e in missing:
        log.warning("%s:%d: paper %s: %s %r is not written in its text; skipped", g.file, g.line, g.id, e.type, e.name)
    fold_of = source_folds(papers, folds)
    report = TrainReport(papers=len(papers), entities=sum(len(g.entities) for g in papers),
                         mentions=sum(len(d.ents) for d in docs), missing=missing, excluded=excluded,
                         folds=[sorted({source_group(g) for g, f in zip(papers, fold_of) if f == k})
                                for k in range(folds)])
    tmp = Path(work_dir) if work_dir else Path(tempfile.mkdtemp(prefix="kg-train-"))
    try:
        tmp.mkdir(parents=True, exist_ok=True)
        skip = {title_key(g.title) for g in papers}
        if exclude:
            skip |= _title_keys(exclude)
        texts = read_unlabeled(unlabeled, skip)
        log.info("pretraining on %d unlabelled abstracts of %s: word vectors, then spacy pretrain", len(texts),
                 unlabeled)
        report.pretrained = {"from": str(unlabeled), **train_vectors(texts, tmp / "vectors")}
        weights = pretrain_tok2vec(config, texts, tmp / "vectors", tmp / "pretrain", seed=seed)
        folders = []
        for k in range(folds):
            _write_docbins(docs, [i for i, f in enumerate(fold_of) if f != k], tmp / f"fold{k}", seed)
            folders.append(tmp / f"fold{k}")
        _write_docbins(docs, range(len(docs)), tmp / "all", seed)
        folders.append(tmp / "all")
        log.info("training %d span models (%d folds and the final one) on %d papers", len(folders), folds, len(papers))
        models = _run_all(config, folders, seed, parallel, weights)
        rule_cands = rule_candidates(papers)
        model_cands: list = [None] * len(papers)
        for k in range(folds):
            idx = [i for i, f in enumerate(fold_of) if f == k]
            for i, cands in zip(idx, model_candidates(models[k], [papers[i] for i in idx])):
                model_cands[i] = cands
        lexicons, lexicon_cands = lexicon_candidates(papers, docs, fold_of, nlp)
        fold_resolvers: dict = {}
        report.scores = cross_validate(papers, fold_of, rule_cands, model_cands, lexicon_cands, c=c,
                                       resolvers=fold_resolvers)
        if work_dir:  # each fold's model folder (span model + resolver and its lexicon), for end-to-end checks
            for k, r in fold_resolvers.items():
                r.lexicon = lexicons[k]
                (tmp / f"fold{k}" / "resolver.json").write_text(r.to_json() + "\n", encoding="utf-8")
                if not (tmp / f"fold{k}" / "spans").exists():
                    (tmp / f"fold{k}" / "spans").symlink_to(Path(models[k]).resolve())
        from kg.nlp.lexicon import learn_lexicon
        from kg.nlp.resolve import DEFAULT_C, fit

        c = DEFAULT_C if c is None else c
        groups = _groups(papers, rule_cands, model_cands, lexicon_cands)
        labels = [lab for g, gs in zip(papers, groups) for lab in group_labels(g, gs)]
        resolver = fit([gr for gs in groups for gr in gs], [y[0] for y in labels], [y[1] for y in labels], c=c,
                       meta={"papers": len(papers), "seed": seed, "folds": folds})
        resolver.lexicon = learn_lexicon(papers, docs, nlp)
        report.lexicon = len(resolver.lexicon)
        with atomic_dir(Path(out)) as target:
            shutil.copytree(models[-1], target / "spans")
            _portable_config(target / "spans")
            (target / "resolver.json").write_text(resolver.to_json() + "\n", encoding="utf-8")
            report.seconds = round(time.perf_counter() - t0, 1)
            report.out = str(out)
            (target / "report.json").write_text(json.dumps(report_json(report), indent=1) + "\n", encoding="utf-8")
    finally:
        if not work_dir:
            shutil.rmtree(tmp, ignore_errors=True)
    return report


def report_json(report: TrainReport) -> dict:
    """The report as plain JSON (no gold records)."""
    return {"papers": report.papers, "entities": report.entities, "mentions": report.mentions,
            "skipped_entities": len(report.missing), "excluded": report.excluded, "folds": report.folds,
            "seconds": report.seconds, "pretrained": report.pretrained, "lexicon": report.lexicon,
            "cross_validated": report.scores}


def format_report(report: TrainReport) -> str:
    """The report as text: what was read, the cross-validated table, the calibration of the confidences."""
    lines = [f"trained on {report.papers} papers ({report.entities} entities, {report.mentions} mentions; "
             f"{len(report.missing)} entities not in their text skipped, {report.excluded} papers excluded) "
             f"in {report.seconds:.0f} s; wrote {report.out}",
             f"tok2vec pretrained on {report.pretrained.get('texts', 0)} unlabelled abstracts "
             f"({report.pretrained.get('words', 0)} words) of {report.pretrained.get('from', '-')}",
             f"lexicon: {report.lexicon} names, each a gold entity of {MIN_PAPERS}+ papers",
             "", "cross-validated, 5 folds by source (typed micro F1 and per type; roles):"]
    cols = ["typed_micro", "Method", "Architecture", "Dataset", "Task", "Metric", "proposed", "used"]
    lines.append(f"  {'system':9s} {'papers':7s} {'P':>5s} {'R':>5s} " + " ".join(f"{c[:12]:>12s}" for c in cols))
    for system, by_subset in report.scores.items():
        for subset, sc in by_subset.items():
            lines.append(f"  {system:9s} {subset:7s} {sc['typed_micro']['p']:5.3f} {sc['typed_micro']['r']:5.3f} "
                         + " ".join(f"{sc[c]['f1']:12.3f}" for c in cols))
    combined = report.scores.get("combined", {}).get("all")
    if combined:
        lines += ["", "precision by confidence (combined, all papers):"]
        for lo, hi, n, ok, p, mean in combined["bands"]:
            if n:
                lines.append(f"  [{lo:.1f}, {hi:.1f})  {n:5d} links  precision {p:.3f}  mean confidence {mean:.3f}")
    return "\n".join(lines)
