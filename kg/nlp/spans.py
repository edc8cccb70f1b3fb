"""``paperkg_spans``: the learned span model (``kg/nlp/models/spans``) as a candidate source.

The model is a spaCy pipeline trained by ``kg train`` on the gold papers (:mod:`kg.nlp.train`): a ``tok2vec`` and a
``spancat`` (or ``ner``) with paperkg's tokenizer. It runs over the doc's own tokens, and every span it scores
at least :data:`MIN_SCORE` becomes a candidate in ``doc.spans["paperkg_model"]`` (its scores in the group's
``attrs["scores"]``). The candidates do not compete in the rules' longest-match step; the resolver
(``paperkg_resolver``, :mod:`kg.nlp.resolve`) weighs them against the rules' candidates.

The model loads from the package directory, never from the network; ``to_disk`` copies it into a saved pipeline.
"""
from __future__ import annotations

import bisect
import logging
import types
from pathlib import Path
from typing import Iterable, Iterator

import numpy

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span, SpanGroup
from spacy.util import minibatch

from kg.errors import PipelineError
from kg.nlp.tokenizer import create_tokenizer  # noqa: F401  (the model's config names paperkg.tokenizer.v1)

__all__ = ["SpanModel", "load_model", "MODEL_DIR", "MODEL_CANDIDATES", "MIN_SCORE", "SPANS_KEY", "model_available"]

log = logging.getLogger(__name__)

#: The shipped model (a spaCy pipeline directory).
MODEL_DIR = Path(__file__).parent / "models" / "spans"
#: The span group the model's candidates go to.
MODEL_CANDIDATES = "paperkg_model"
#: The span group a spancat model writes (its ``spans_key``).
SPANS_KEY = "sc"
#: Lowest model score kept as a candidate. The resolver reads the score as a feature, so a low bar only adds
#: candidates it can weigh: 0.2 keeps most gold spans the model finds (set by cross-validation,
#: benchmarks/cross_validate.py).
MIN_SCORE = 0.2


def model_available(path: str | Path = MODEL_DIR) -> bool:
    """Whether a trained span model is at ``path``."""
    return (Path(path) / "config.cfg").is_file()


def load_model(path: str | Path, min_score: float = MIN_SCORE) -> Language:
    """Load a span model, its ``spancat`` set to output every span scored ``min_score`` or more (it was trained
    and selected at its own threshold, 0.5)."""
    model = spacy.load(path)
    if "spancat" in model.pipe_names:
        model.get_pipe("spancat").cfg["threshold"] = min_score
    if "span_finder" in model.pipe_names:
        finder = model.get_pipe("span_finder")
        finder.set_annotations = types.MethodType(_set_finder_annotations, finder)
    return model


def _set_finder_annotations(finder, docs: Iterable[Doc], scores) -> None:
    """spaCy's ``SpanFinder.set_annotations`` in linear time: the same spans in the same order, but each start
    is paired only with the ends within ``min_length`` … ``max_length`` tokens of it, found by bisection,
    instead of with every end of the doc (quadratic: 3.5 of the 6.6 s a 25,000-character abstract took)."""
    threshold, min_length, max_length = finder.cfg["threshold"], finder.cfg["min_length"], finder.cfg["max_length"]
    offset = 0
    for doc in docs:
        doc_scores = numpy.asarray(scores[offset: offset + len(doc)])
        starts = numpy.flatnonzero(doc_scores[:, 0] >= threshold).tolist() if len(doc) else []
        ends = numpy.flatnonzero(doc_scores[:, 1] >= threshold).tolist() if len(doc) else []
        spans = []
        for start in starts:
            j = bisect.bisect_left(ends, start + max(1, min_length or 1) - 1)
            while j < len(ends) and (max_length is None or ends[j] + 1 - start <= max_length):
                spans.append(doc[start: ends[j] + 1])
                j += 1
        doc.spans[finder.cfg["spans_key"]] = spans
        offset += len(doc)


class SpanModel:
    """Run the trained span model on the doc's tokens and add its spans as candidates."""

    def __init__(self, nlp: Language, name: str, model: str = "", min_score: float = MIN_SCORE) -> None:
        self.nlp = nlp
        self.name = name
        self.path = Path(model) if model else MODEL_DIR
        self.min_score = min_score
        self._model: Language | None = None

    @property
    def model(self) -> Language:
        if self._model is None:
            if not model_available(self.path):
                raise PipelineError(f"no trained span model at {self.path}; train one with `kg train` or leave "
                                    "paperkg_spans out (kg.nlp.load(exclude=['paperkg_spans', 'paperkg_resolver']))")
            try:
                model = load_model(self.path, self.min_score)
            except (OSError, ValueError) as err:
                raise PipelineError(f"cannot load the span model at {self.path}: {err}") from err
            if model.lang != self.nlp.lang or model.vocab.lookups.tables != self.nlp.vocab.lookups.tables:
                raise PipelineError(f"the span model at {self.path} reads words differently from the pipeline "
                                    f"(language {model.lang!r}, lookup tables {model.vocab.lookups.tables}); "
                                    "train it with `kg train`")
            self._model = model
        return self._model

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc], batch_size=1))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        model = self.model
        own_keys = {proc.cfg["spans_key"] for _, proc in model.pipeline if "spans_key" in getattr(proc, "cfg", {})}
        for batch in minibatch(docs, size=batch_size):
            # the model's components run on the pipeline's own docs, not on copies in the model's vocab: the tokens
            # are the same, and so are the lexeme attributes the model reads (same language, no lookup tables:
            # checked on load), as when kg train scored the model's candidates; a copy cost a tenth of the pipeline
            preds: Iterable[Doc] = batch
            for _, proc in model.pipeline:
                preds = proc.pipe(preds, batch_size=batch_size)
            for doc in preds:
                spans, scores = self._spans(doc, doc)
                for key in own_keys:  # the model's own span groups, and its tensor, are not the pipeline's output
                    doc.spans.pop(key, None)
                doc.tensor = numpy.zeros((0,), dtype="float32")
                doc.spans[MODEL_CANDIDATES] = SpanGroup(doc, name=MODEL_CANDIDATES, spans=spans, attrs={"scores": scores})
                yield doc

    def _spans(self, doc: Doc, pred: Doc) -> tuple[list[Span], list[float]]:
        out = []
        if SPANS_KEY in pred.spans:
            group = pred.spans[SPANS_KEY]
            scores = group.attrs.get("scores")
            for i, s in enumerate(group):
                score = float(scores[i]) if scores is not None else 1.0
                if score >= self.min_score:
                    out.append((s.start, s.end, s.label_, score))
        else:
            out = [(e.start, e.end, e.label_, 1.0) for e in pred.ents]
        # the scores go in the group's attrs: span extension values are shared by spans with the same offsets,
        # so a rule candidate's attributes must not be touched
        return [Span(doc, s, e, label=label) for s, e, label, _ in out], [score for *_, score in out]

    def to_disk(self, path, exclude=tuple()) -> None:
        self.model.to_disk(Path(path))

    def from_disk(self, path, exclude=tuple()) -> "SpanModel":
        self.path = Path(path)
        self._model = None
        _ = self.model
        return self
