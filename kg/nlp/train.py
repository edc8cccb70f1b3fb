"""Train the shipped statistical NER (``kg/nlp/models/ner``) on silver labels from the rule pipeline.

The rules (:func:`kg.nlp.load` with ``ner=False``) annotate the bundled corpus; their ``doc.ents`` are the
labels. A small spaCy ``ner`` (a HashEmbedCNN tok2vec inside the transition-based parser, no separate
``tok2vec`` pipe) learns to generalise them: surface shape, affixes and context rather than lists. Hand-written
sentences in ``kg/data/ner_examples.jsonl`` add patterns the rules miss. Papers listed in ``exclude`` (a JSONL
of records with a ``title``, e.g. an evaluation gold file) are left out so figures on them measure
generalisation. Nothing here reads gold labels.

The tokenizer is paperkg's (``paperkg.tokenizer.v1``), so the model's tokens are the rule pipeline's.
Training is deterministic for a given seed (``spacy.util.fix_random_seed``, a seeded shuffle, one thread of
thinc's CPU ops); ``tests/test_ner.py`` checks two tiny runs give the same bytes.

>>> import tempfile
>>> from kg.records import Paper
>>> out = tempfile.mkdtemp()
>>> info = train(out, papers=[Paper("SlimFlow: Small Flows", "We train SlimFlow on CIFAR-10.")], examples=None,
...              n_iter=2, log=False)
>>> sorted(info["labels"])
['ARCHITECTURE', 'DATASET', 'METHOD', 'METRIC', 'TASK']
"""
from __future__ import annotations

import logging
import random
import time
from pathlib import Path
from typing import Iterable

import spacy
from spacy.language import Language
from spacy.training import Example
from spacy.util import fix_random_seed, minibatch

from kg.atomic import atomic_dir
from kg.errors import PipelineError, SourceError
from kg.records import Paper, title_key
from kg.sources import json_objects

__all__ = ["train", "silver_data", "DEFAULT_EXAMPLES", "MODEL_DIR"]

_log = logging.getLogger(__name__)

#: Where the shipped model lives (``kg/nlp/models/ner``); ``kg train`` writes there by default.
MODEL_DIR = Path(__file__).parent / "models" / "ner"
#: Hand-written training sentences (``{"text": ..., "entities": [[surface, LABEL], ...]}`` per line).
DEFAULT_EXAMPLES = Path(__file__).parent.parent / "data" / "ner_examples.jsonl"
LABELS = ("METHOD", "ARCHITECTURE", "DATASET", "TASK", "METRIC")

# --- knobs (house rule 4) ---------------------------------------------------------------------------------
#: Epochs over the silver sentences (~45 s each on the 408 non-dev papers, 2 cores): 6 keeps training under 5 min.
N_ITER = 6
#: Width of token vectors: 64 keeps the model ~2 MB and training ~2-3 min on 2 cores.
WIDTH = 64
#: Hash-embedding rows per feature (NORM, PREFIX, SUFFIX, SHAPE): 2000 fits the corpus's ~20k-word vocabulary
#: with collisions the CNN context absorbs; 5000 doubled the size for no measurable gain.
EMBED_SIZE = 2000
#: CNN depth (receptive field = depth tokens either side with window 1).
DEPTH = 4
#: Sentences per update.
BATCH_SIZE = 16
DROPOUT = 0.2
#: Each hand-written example is seen this many times per epoch: there are few, the silver data is large.
EXAMPLE_REPEAT = 3


def _config() -> dict:
    tok2vec = {"@architectures": "spacy.HashEmbedCNN.v2", "width": WIDTH, "depth": DEPTH,
               "embed_size": EMBED_SIZE, "window_size": 1, "maxout_pieces": 3, "subword_features": True,
               "pretrained_vectors": None}
    return {"model": {"@architectures": "spacy.TransitionBasedParser.v2", "state_type": "ner",
                      "extra_state_tokens": False, "hidden_width": 64, "maxout_pieces": 2, "use_upper": True,
                      "nO": None, "tok2vec": tok2vec}}


def blank() -> Language:
    """An untrained ``ner`` pipeline with paperkg's tokenizer."""
    from kg.nlp import tokenizer  # noqa: F401  (registers paperkg.tokenizer.v1)

    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "paperkg.tokenizer.v1"}}})
    ner = nlp.add_pipe("ner", config=_config())
    for label in LABELS:
        ner.add_label(label)
    return nlp


def excluded_titles(path: str | Path | None) -> set[str]:
    """Title keys of the records of a JSONL file (each with a ``title``).

    Raises: SourceError naming the file and line for an unreadable file, a bad line or a record without a title.
    """
    if path is None:
        return set()
    keys = set()
    for n, rec in json_objects(path, kind="exclude file"):
        if "title" not in rec:
            raise SourceError(str(path), n, "record without a 'title'; exclude needs titles")
        keys.add(title_key(rec["title"]))
    return keys


def silver_data(papers: Iterable[Paper], rules: Language | None = None) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """One ``(sentence, [(start, end, label), ...])`` per sentence of the papers, labelled by the rule pipeline.

    >>> data = silver_data([Paper("A title", "We train on CIFAR-10.")])
    >>> data[-1]
    ('We train on CIFAR-10.', [(12, 20, 'DATASET')])
    """
    if rules is None:
        from kg.nlp import load

        rules = load(ner=False)
    out = []
    for doc in rules.pipe((p.text for p in papers), batch_size=64):
        for sent in doc.sents:
            text = sent.text.strip()
            if not text:
                continue
            off = sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
            ents = [(e.start_char - off, e.end_char - off, e.label_) for e in doc.ents
                    if e.start_char >= off and e.end_char <= off + len(text)]
            out.append((text, ents))
    return out


def read_examples(path: str | Path) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """Hand-written examples: every occurrence of each listed surface form gets its label."""
    out = []
    for n, rec in json_objects(path, kind="examples file"):
        text, ents = rec["text"], []
        for surface, label in rec["entities"]:
            if label not in LABELS:
                raise PipelineError(f"{path}:{n}: unknown label {label!r}; use one of {', '.join(LABELS)}")
            start = text.find(surface)
            if start < 0:
                raise PipelineError(f"{path}:{n}: {surface!r} is not in the text")
            while start >= 0:
                ents.append((start, start + len(surface), label))
                start = text.find(surface, start + len(surface))
        out.append((text, sorted(ents)))
    return out


def _examples(nlp: Language, data) -> list[Example]:
    examples = []
    for text, ents in data:
        doc = nlp.make_doc(text)
        spans, taken = [], set()
        for s, e, label in sorted(ents, key=lambda x: (x[0], -x[1])):
            span = doc.char_span(s, e, label=label)
            if span is None or taken.intersection(range(span.start, span.end)):
                continue
            taken.update(range(span.start, span.end))
            spans.append(span)
        ref = doc.copy()
        ref.set_ents(spans, default="outside")
        examples.append(Example(nlp.make_doc(text), ref))
    return examples


def train(out_dir: str | Path = MODEL_DIR, *, seed: int = 0, papers: Iterable[Paper] | None = None,
          exclude: str | Path | None = None, examples: str | Path | None = DEFAULT_EXAMPLES, n_iter: int = N_ITER,
          log: bool = True, rules: Language | None = None) -> dict:
    """Train the NER on silver labels and save it to ``out_dir`` (a spaCy pipeline directory).

    Args:
        out_dir: where to write the model (default: the shipped ``kg/nlp/models/ner``).
        seed: random seed; the same seed, data and settings give the same model.
        papers: training papers (default: the bundled corpus).
        exclude: a JSONL file whose records' titles are left out of training (e.g. an evaluation gold file).
        examples: hand-written examples JSONL (default: ``kg/data/ner_examples.jsonl``); None for none.
        n_iter: epochs.
        log: log each epoch's loss (INFO).
        rules: the labelling pipeline (default: ``kg.nlp.load(ner=False)``).
    Returns:
        a summary dict: ``papers``, ``sentences``, ``entities``, ``examples``, ``excluded``, ``losses``
        (per epoch), ``seconds``, ``labels``, ``seed``, ``size_bytes``.
    Raises:
        SourceError: an unreadable exclude or examples file, or a bad line in one (file and line named).
        PipelineError: an example with an unknown label or a surface form not in its text.
    """
    t0 = time.perf_counter()
    if papers is None:
        from kg.sources import bundled_corpus, read_sources

        papers = read_sources([bundled_corpus()])
    skip = excluded_titles(exclude)
    papers = list(papers)
    kept = [p for p in papers if title_key(p.title) not in skip]
    data = silver_data(kept, rules)
    hand = read_examples(examples) if examples else []
    fix_random_seed(seed)
    nlp = blank()
    train_ex = _examples(nlp, data) + _examples(nlp, hand) * EXAMPLE_REPEAT
    optimizer = nlp.initialize(lambda: train_ex)
    rng = random.Random(seed)
    losses_per_epoch = []
    for epoch in range(n_iter):
        rng.shuffle(train_ex)
        losses: dict[str, float] = {}
        for batch in minibatch(train_ex, size=BATCH_SIZE):
            nlp.update(batch, drop=DROPOUT, sgd=optimizer, losses=losses)
        losses_per_epoch.append(round(float(losses.get("ner", 0.0)), 3))
        if log:
            _log.info("epoch %d/%d: loss %.1f", epoch + 1, n_iter, losses.get("ner", 0.0))
    out = Path(out_dir)
    nlp.meta.update({"name": "paperkg_ner", "version": "0.1.0",
                     "description": "paperkg's statistical NER, trained on silver labels of the rule pipeline",
                     "paperkg": {"seed": seed, "papers": len(kept), "sentences": len(data),
                                 "examples": len(hand), "n_iter": n_iter, "excluded": len(papers) - len(kept)}})
    with atomic_dir(out) as tmp:  # a failed or interrupted save leaves the previous model in place
        nlp.to_disk(tmp)
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    return {"papers": len(kept), "excluded": len(papers) - len(kept), "sentences": len(data),
            "entities": sum(len(e) for _, e in data), "examples": len(hand), "losses": losses_per_epoch,
            "seconds": round(time.perf_counter() - t0, 1), "labels": list(nlp.get_pipe("ner").labels),
            "seed": seed, "size_bytes": size}
