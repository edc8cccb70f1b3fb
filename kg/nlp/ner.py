"""``paperkg_ner``: the shipped statistical NER (``kg/nlp/models/ner``) as a candidate source.

The model (trained by :mod:`kg.nlp.train` on silver labels of the rule components) runs over the doc's own
tokens (same tokenizer), and each entity it predicts becomes a candidate in
``doc.spans["paperkg_candidates"]`` with ``component="paperkg_ner"``; ``paperkg_entities`` then resolves
rule and model candidates together. The rules stay in charge:

- a prediction that overlaps a rule candidate is dropped (``overlap="skip"``, the default): the rule span,
  its type, canonical name and component (which the role logic reads) are kept as they are; with
  ``overlap="compete"`` it is added and the longest span wins in ``paperkg_entities``;
- a prediction's confidence is below every rule component's (see ``CONF_NER``), so it only matters where
  the rules found nothing.

The model loads from the package directory, never from the network. ``to_disk`` copies it into a saved
pipeline, so ``kg.nlp.load(path)`` of a saved pipeline is self-contained.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch

from kg.errors import PipelineError
from kg.nlp import abbreviations as abbr
from kg.nlp.components import CANDIDATES, add_candidate
from kg.nlp.tokenizer import create_tokenizer  # noqa: F401  (the model's config names paperkg.tokenizer.v1)

__all__ = ["StatisticalNER", "MODEL_DIR", "CONF_NER", "model_available"]

log = logging.getLogger(__name__)

#: The shipped model (a spaCy pipeline directory with one ``ner`` pipe).
MODEL_DIR = Path(__file__).parent / "models" / "ner"

#: Confidence of a model-only candidate, per label: the entity-level precision of model-only mentions
#: (entities no rule found) on the 60 dev papers, rounded down, and capped below the lowest rule confidence
#: (0.5), so that on equal spans a rule candidate always wins. Like the rule values, they rank evidence.
CONF_NER = {"METHOD": 0.4, "ARCHITECTURE": 0.4, "DATASET": 0.4, "TASK": 0.4, "METRIC": 0.4}

#: Labels the component adds. On dev, model-only METHOD, TASK and METRIC mentions were right 9/29, 1/15 and 1/11
#: times (below the F1/2 break-even), ARCHITECTURE 10/23 and DATASET 2/4: only these two are added.
NER_LABELS = ("ARCHITECTURE", "DATASET")

_HAS_LETTER = re.compile(r"[A-Za-z]")


def model_available(path: str | Path = MODEL_DIR) -> bool:
    """Whether a trained model is at ``path``."""
    return (Path(path) / "config.cfg").exists() and (Path(path) / "ner").is_dir()


def _keep(text: str) -> bool:
    """A plausible entity name: two characters or more, a letter, not a broad field ("deep learning")."""
    return len(text) >= 2 and bool(_HAS_LETTER.search(text)) and text.lower() not in abbr.BROAD_FIELDS


class StatisticalNER:
    """Run the trained NER on the doc's tokens and add its entities as candidates."""

    def __init__(self, nlp: Language, name: str, model: str = "", overlap: str = "skip",
                 labels: Iterable[str] = NER_LABELS) -> None:
        if overlap not in ("skip", "compete"):
            raise PipelineError(f"paperkg_ner: overlap must be 'skip' or 'compete', not {overlap!r}")
        self.name = name
        self.path = Path(model) if model else MODEL_DIR
        self.overlap = overlap
        self.labels = frozenset(labels)
        self._model: Language | None = None

    @property
    def model(self) -> Language:
        if self._model is None:
            if not model_available(self.path):
                raise PipelineError(f"no trained NER model at {self.path}; train one with `kg train` "
                                    "(kg.nlp.train.train) or load the pipeline with ner=False")
            try:
                self._model = spacy.load(self.path)
            except (OSError, ValueError) as err:
                raise PipelineError(f"cannot load the NER model at {self.path}: {err}") from err
        return self._model

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc], batch_size=1))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        model = self.model
        ner = model.get_pipe("ner")
        for batch in minibatch(docs, size=batch_size):
            copies = [Doc(model.vocab, words=[t.text for t in d], spaces=[bool(t.whitespace_) for t in d])
                      for d in batch]
            for doc, pred in zip(batch, ner.pipe(copies, batch_size=batch_size)):
                self._add(doc, pred)
                yield doc

    def _add(self, doc: Doc, pred: Doc) -> None:
        taken: set[int] = set()
        for span in doc.spans.get(CANDIDATES, []):
            taken.update(range(span.start, span.end))
        for ent in pred.ents:
            if ent.label_ not in self.labels:
                continue
            if self.overlap == "skip" and taken.intersection(range(ent.start, ent.end)):
                continue  # a rule found something here: keep its span, type and component
            span = doc[ent.start:ent.end]
            if not _keep(span.text):
                continue
            add_candidate(doc, span.start_char, span.end_char, ent.label_, component=self.name,
                          confidence=CONF_NER.get(ent.label_, 0.4))

    def to_disk(self, path, exclude=tuple()) -> None:
        self.model.to_disk(Path(path))

    def from_disk(self, path, exclude=tuple()) -> "StatisticalNER":
        self.path = Path(path)
        self._model = None
        _ = self.model
        return self


@Language.factory("paperkg_ner", default_config={"model": "", "overlap": "skip", "labels": list(NER_LABELS)})
def make_ner(nlp: Language, name: str, model: str, overlap: str, labels: list[str]) -> StatisticalNER:
    """``model``: directory of a trained NER (empty: the shipped one); ``overlap``: "skip" or "compete"."""
    return StatisticalNER(nlp, name, model, overlap, labels)
