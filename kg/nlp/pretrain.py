"""What the span model learns from unlabelled abstracts before it sees a gold paper (the first step of ``kg train``).

The gold papers are too few to teach the span model's ``tok2vec`` what ML words mean. So ``kg train`` first
1. learns floret word vectors (fastText's subword vectors in a fixed hash table) from a few thousand unlabelled
   abstracts (:func:`train_vectors`), then
2. pretrains the ``tok2vec`` to predict each word's vector from the word and its neighbours, with spaCy's own
   ``spacy pretrain`` and the ``[pretraining]`` block of ``training/spans.cfg`` (:func:`pretrain_tok2vec`);
   every span model then starts from these weights (``[initialize] init_tok2vec``).

The vectors are needed only here: the shipped model has no vector table, so the pipeline runs as fast as with a
randomly initialised ``tok2vec``.

Both steps are deterministic (one thread, fixed seed, texts in file order). Texts whose title is a gold paper's
are left out, so no fold's held-out papers (and no evaluation paper) are in what the model pretrains on.
"""
from __future__ import annotations

import gzip
import json
import tempfile
from pathlib import Path
from typing import Collection, Sequence

from kg.errors import PipelineError, SourceError
from kg.records import title_key

__all__ = ["read_unlabeled", "train_vectors", "pretrain_tok2vec", "DEFAULT_UNLABELED", "DIM", "BUCKETS", "EPOCHS"]

#: The unlabelled abstracts ``kg train`` pretrains on (CC BY 4.0; training/README.md).
DEFAULT_UNLABELED = Path("training/unlabeled/abstracts-cc-by.jsonl.gz")
#: Vector width, hash-table rows and passes over the text.
DIM = 100
BUCKETS = 20000
EPOCHS = 10
#: Words seen fewer times get no vector of their own (their n-grams still count); n-gram lengths 3-5.
MIN_COUNT = 3
MINN, MAXN = 3, 5


def read_unlabeled(path: str | Path, skip_titles: Collection[str] = ()) -> list[str]:
    """The texts ("title. abstract") of an unlabelled-abstracts file (JSON lines with ``title`` and
    ``abstract``, gzipped if the name ends in .gz), without those whose :func:`title_key` is in ``skip_titles``.

    Raises: SourceError naming file and line for an unreadable file or a record without an abstract.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    texts = []
    try:
        with opener(path, "rt", encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    r = json.loads(line)
                except json.JSONDecodeError as e:
                    raise SourceError(str(path), n, f"not a JSON object: {e.msg}") from None
                if not isinstance(r, dict) or not isinstance(r.get("abstract"), str) or not r["abstract"].strip():
                    raise SourceError(str(path), n, "record has no abstract")
                title = r.get("title") if isinstance(r.get("title"), str) else ""
                if title and title_key(title) in skip_titles:
                    continue
                texts.append(f"{title}. {r['abstract']}" if title else r["abstract"])
    except (OSError, EOFError, UnicodeDecodeError) as e:
        raise SourceError(str(path), None, f"cannot read unlabelled abstracts: {e}") from None
    return texts


def train_vectors(texts: Sequence[str], out: str | Path) -> dict:
    """Train floret vectors on ``texts`` (tokenised by paperkg's tokenizer, keyed by the token's text) and
    write them as a spaCy pipeline folder ``out``, what a config's ``[initialize] vectors`` names.

    Returns: ``{"texts": n, "words": n}``.
    Raises: PipelineError if floret (``pip install paperkg[train]``) is missing or there is no text.
    """
    try:
        import floret
    except ImportError:
        raise PipelineError("kg train needs floret for the word vectors: pip install 'paperkg[train]'") from None
    from spacy.training.initialize import convert_vectors

    from kg.nlp.train import _blank

    if not texts:
        raise PipelineError("no unlabelled text to learn word vectors from")
    nlp = _blank()
    words = 0
    with tempfile.TemporaryDirectory(prefix="kg-vectors-") as tmp:
        corpus, table = Path(tmp) / "corpus.txt", Path(tmp) / "vectors.floret"
        with corpus.open("w", encoding="utf-8") as f:
            for doc in nlp.tokenizer.pipe(texts, batch_size=256):
                tokens = [t.text for t in doc if not t.is_space]
                words += len(tokens)
                f.write(" ".join(tokens) + "\n")
        model = floret.train_unsupervised(str(corpus), model="cbow", mode="floret", hashCount=2, bucket=BUCKETS,
                                          minn=MINN, maxn=MAXN, minCount=MIN_COUNT, dim=DIM, epoch=EPOCHS,
                                          thread=1, verbose=0)
        model.save_floret_vectors(str(table))
        convert_vectors(nlp, table, truncate=0, prune=-1, mode="floret")
    nlp.to_disk(out)
    return {"texts": len(texts), "words": words}


def pretrain_tok2vec(config: str | Path, texts: Sequence[str], vectors: str | Path, out: str | Path, *,
                     seed: int = 0, epochs: int | None = None) -> Path:
    """``spacy pretrain`` of the ``[pretraining]`` block of ``config`` on ``texts``, predicting the ``vectors``
    (a folder written by :func:`train_vectors`); writes into ``out`` and returns the last epoch's weights.

    Raises: SourceError if the config has no ``[pretraining]`` block.
    """
    from spacy.training.pretrain import pretrain
    from spacy.util import load_config

    from kg.nlp import tokenizer  # noqa: F401  (registers paperkg.tokenizer.v1)

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    raw = out / "raw.jsonl"
    with raw.open("w", encoding="utf-8") as f:
        for t in texts:
            f.write(json.dumps({"text": t}) + "\n")
    overrides = {"paths.vectors": str(vectors), "paths.raw_text": str(raw), "system.seed": seed,
                 "training.seed": seed}
    if epochs is not None:
        overrides["pretraining.max_epochs"] = epochs
    cfg = load_config(Path(config), overrides=overrides, interpolate=False).interpolate()
    if not cfg.get("pretraining"):
        raise SourceError(str(config), None, "the spaCy config has no [pretraining] block")
    pretrain(cfg, out, silent=True)
    return out / "model-last.bin"
