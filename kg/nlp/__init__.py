"""The NLP stage: a spaCy pipeline that finds entities, roles and code links in a paper's text.

This package is the only part of paperkg that imports spaCy. ``load()`` builds (or loads) the pipeline;
``extract()`` runs it over papers and returns plain :class:`~kg.records.Extraction` records.

>>> from kg.records import Paper
>>> nlp = load()
>>> ex = next(extract([Paper("SlimFlow: Training Smaller One-Step Diffusion Models with Rectified Flow",
...                          "We train on CIFAR-10. Code: https://github.com/yuanzhi-zhu/SlimFlow.")], nlp))
>>> sorted({(m.text, m.label, m.role) for m in ex.mentions if m.label in ("DATASET", "METHOD")})
[('CIFAR-10', 'DATASET', 'used'), ('Rectified Flow', 'METHOD', 'used'), ('SlimFlow', 'METHOD', 'proposed')]
>>> [c.url for c in ex.code]
['https://github.com/yuanzhi-zhu/SlimFlow']
"""
from __future__ import annotations

import logging
import sys
import types
from pathlib import Path
from typing import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from kg.errors import OptionError, PipelineError
from kg.nlp import components  # noqa: F401  (registers the factories and the tokenizer)
from kg.nlp import parallel
from kg.records import CodeLink, Extraction, Mention, Paper

__all__ = ["load", "from_config", "extract", "found", "doc_to_extraction", "PIPE_NAMES", "LEARNED_PIPES",
           "DEFAULT_BATCH_SIZE", "MODELS_DIR"]

log = logging.getLogger(__name__)

#: The pipeline, in order. Sentences first (every later step reads ``span.sent``), rule candidates next, the
#: learned span model's candidates, the rules' own resolution into ``doc.ents`` and their roles, and last the
#: learned resolver, which weighs every candidate (and the rules' choice) and has the final say.
PIPE_NAMES = ("paperkg_title_sentences", "sentencizer", "paperkg_code_links", "paperkg_catalogue",
              "paperkg_task_phrases", "paperkg_metric_phrases", "paperkg_abbreviations", "paperkg_new_names",
              "paperkg_spans", "paperkg_entities", "paperkg_roles", "paperkg_resolver")
#: The pipes trained by ``kg train``; leaving both out gives the rule pipeline alone.
LEARNED_PIPES = ("paperkg_spans", "paperkg_resolver")
#: The shipped trained models: ``spans/`` (the span model) and ``resolver.json``.
MODELS_DIR = Path(__file__).parent / "models"

#: Papers per ``nlp.pipe`` batch, and per chunk sent to a worker process. Measured on the 520-paper sample
#: corpus, one process, best of 3 (2 shared cores, load ~3): batch 1 -> 174, 16 -> 199, 64 -> 193, 256 -> 169
#: papers/s. Every component works doc by doc, so batching only amortises per-call overhead: the plateau
#: starts at 16. With 2 worker processes (2,000 synthetic papers, no other job running): 16 -> 326,
#: 32 -> 322, 64 -> 333, 128 -> 308 papers/s; 64 sits on the plateau of both.
DEFAULT_BATCH_SIZE = 64


def load(path: str | Path | None = None, *, catalogue: str | Path | None = None, model: str | Path | None = None,
         exclude: Iterable[str] = ()) -> Language:
    """Build paperkg's spaCy pipeline from ``spacy.blank("en")``, or load one saved with ``nlp.to_disk``.

    Args:
        path: directory of a saved pipeline; None builds a fresh one.
        catalogue: catalogue JSONL file to match (default: the bundled ``kg/data/catalogue.jsonl``).
        model: a folder written by ``kg train`` (``spans/`` and ``resolver.json``); None: the shipped one
            (``MODELS_DIR``).
        exclude: names of pipes (of ``PIPE_NAMES``) to leave out, e.g. for ablations.
    Returns:
        a ``spacy.Language`` whose docs carry ``doc.ents`` (METHOD, ARCHITECTURE, DATASET, TASK,
        METRIC), span extensions ``._.paperkg_role`` etc., and ``doc.spans["code"]``.
    Raises:
        PipelineError: ``path`` is not a saved pipeline.

    >>> load().pipe_names[-3:]
    ['paperkg_entities', 'paperkg_roles', 'paperkg_resolver']
    """
    if path is not None:
        try:
            return spacy.load(path)
        except (OSError, IOError, ValueError) as err:
            raise PipelineError(f"cannot load a pipeline from {path}: {err}; save one with kg.nlp.load().to_disk(path)") from err
    skip = set(exclude)
    unknown = skip - set(PIPE_NAMES)
    if unknown:
        raise PipelineError(f"unknown pipe(s) to exclude: {', '.join(sorted(unknown))}; choose from {', '.join(PIPE_NAMES)}")
    cat = {"catalogue": str(catalogue)} if catalogue else {}
    configs = {"paperkg_catalogue": cat, "paperkg_abbreviations": cat, "paperkg_new_names": cat}
    if model is not None:
        model = Path(model).resolve()  # the config records the paths: absolute, they hold in any directory
        if not (model / "resolver.json").is_file() or not (model / "spans").is_dir():
            raise PipelineError(f"{model} is not a model folder written by `kg train` (it needs spans/ and "
                                "resolver.json)")
        configs["paperkg_spans"] = {"model": str(model / "spans")}
        configs["paperkg_resolver"] = {"model": str(model / "resolver.json")}
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "paperkg.tokenizer.v1"}}})
    for name in PIPE_NAMES:
        if name not in skip:
            nlp.add_pipe(name, config=configs.get(name, {}))
    return nlp


def from_config(config: str) -> Language:
    """Build the pipeline that ``nlp.config.to_str()`` describes (each component made by its factory with its
    settings, e.g. a ``kg train`` model folder's path): how a Dask worker gets the client's pipeline, which does
    not pickle. A model folder named in it must be at the same path here.

    >>> nlp = load(exclude=LEARNED_PIPES)
    >>> from_config(nlp.config.to_str()).pipe_names == nlp.pipe_names
    True
    """
    from thinc.api import Config

    return spacy.util.load_model_from_config(Config().from_str(config), auto_fill=False)


def _sentence(text: str, span) -> tuple[str, int]:
    sent = span.sent
    return text[sent.start_char: sent.end_char].rstrip(), sent.start_char


def found(doc: Doc) -> tuple[tuple[Mention, ...], tuple[CodeLink, ...]]:
    """What the pipeline found in a processed Doc: one Mention per entity occurrence, one CodeLink per
    distinct code URL (the parts of an :class:`~kg.records.Extraction` besides its paper)."""
    mentions = []
    text = components.doc_text(doc)
    for ent in doc.ents:
        sentence, sent_start = _sentence(text, ent)
        mentions.append(Mention(
            text=ent.text, label=ent.label_, start=ent.start_char, end=ent.end_char,
            sentence=sentence, sent_start=sent_start,
            component=ent._.paperkg_component or "unknown",
            confidence=float(ent._.paperkg_confidence if ent._.paperkg_confidence is not None else 0.5),
            role=ent._.paperkg_role, relation=ent._.paperkg_relation,
            canonical=ent._.paperkg_canonical, aliases=tuple(ent._.paperkg_aliases or ()),
        ))
    code, seen = [], set()
    for span in doc.spans.get("code", []):
        if span.text in seen:
            continue
        seen.add(span.text)
        sentence, sent_start = _sentence(text, span)
        code.append(CodeLink(url=span.text, start=span.start_char, end=span.end_char, sentence=sentence,
                             sent_start=sent_start, component="paperkg_code_links"))
    return tuple(mentions), tuple(code)


def doc_to_extraction(doc: Doc, paper: Paper) -> Extraction:
    """Convert a processed Doc of ``paper.text`` into an Extraction (one Mention per entity occurrence)."""
    return Extraction(paper, *found(doc))


def extract(papers: Iterable[Paper], nlp: Language | None = None, *, batch_size: int = DEFAULT_BATCH_SIZE,
            n_process: int | None = None) -> Iterator[Extraction]:
    """Run the pipeline over ``papers`` (streaming) and yield one Extraction per paper, in input order.

    With ``n_process`` > 1 the papers go, a chunk of ``batch_size`` at a time, to worker processes forked
    from the loaded pipeline (:mod:`kg.nlp.parallel`): same extractions, same order, same errors as in one
    process; at most ``(parallel.CHUNKS_PER_WORKER + 1) * n_process`` chunks are held at once. An input of
    one chunk or less is extracted in this process.

    Args:
        papers: any iterable of Paper records, read lazily.
        nlp: a pipeline from :func:`load` (default: a fresh one).
        batch_size: papers per ``nlp.pipe`` batch and per chunk sent to a worker (see DEFAULT_BATCH_SIZE).
        n_process: processes to extract in; None: :func:`~kg.nlp.parallel.available_cores` (the cores
            this process may use). 1 extracts in this process.
    Returns:
        an iterator of Extraction, one per paper, in the order of ``papers``.
    Raises:
        OptionError: ``n_process`` or ``batch_size`` below 1.
        PipelineError: the pipeline failed on a paper (the error names its file and line); a worker process
            died (killed, out of memory).
    """
    if n_process is None:
        n_process = parallel.available_cores()
    for name, value in (("n_process", n_process), ("batch_size", batch_size)):
        if value < 1:
            raise OptionError(f"{name}: {value} is below 1; it must be at least 1")
    if nlp is None:
        nlp = load()
    if n_process == 1:
        return parallel.extract_serial(papers, nlp, batch_size=batch_size, found=found)
    return parallel.extract_parallel(papers, nlp, batch_size=batch_size, n_process=n_process, found=found)


class _CallableModule(types.ModuleType):
    """Lets ``kg.nlp()`` (the public API) build the pipeline while ``kg.nlp`` stays this package."""

    def __call__(self, path: str | Path | None = None, **kwargs) -> Language:
        return load(path, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
