"""Realistic synthetic paper records, made from the bundled corpus, for benchmarks that need many papers.

``synthetic_records(n, seed)`` yields ``n`` JSON Lines records (``title``, ``abstract``) for ``kg build``:
each abstract recombines sentences of the bundled abstracts (the first from one paper, the rest drawn from
all 468, until it is about as long as that paper's abstract, so lengths follow the corpus: 719-1,919
characters, ~223 words a paper), and the names a paper coins (``PASS``, ``SlimFlow``: words with inner
capitals or digits that the catalogue does not know) are replaced by made-up names, the same one for the
same name within a record. Catalogue names (ImageNet, ViT, ResNet-50 …) are kept, so the extraction finds
what it finds in real abstracts. Titles are unique (by title key): ``<coined name>: <rest of a real title>``.

``synthetic_arxiv_records(n, seed)`` wraps the same texts in the arXiv metadata snapshot's shape (``id``,
``authors``, ``authors_parsed``, ``categories``, ``versions``, ``update_date``, hard line breaks in the
abstract …) with categories and dates drawn so that filters have something to select: about 12% of
records are in cs.LG, 30% in some cs.*, first versions spread over 2007-2025.

Same ``n`` and ``seed``, same records. Run as a script to write JSON Lines to stdout (the same interface
as the scale benchmark's generator on the store branch: ``synthetic_records(n, seed)``, ``N [--seed S]``):

    python benchmarks/synthetic.py 10000 [--seed 0] > papers-10k.jsonl
    python benchmarks/synthetic.py 5 --start 10000 > add-5.jsonl     # 5 more, titles of their own
    python benchmarks/synthetic.py 300000 --arxiv | gzip -1 > snapshot.json.gz
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Iterator

from kg.catalogue import load_catalogue
from kg.records import title_key
from kg.sources import read_sources

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
#: Candidate coined names: a capital, then inner capitals or digits (PASS, SlimFlow, ViT-B, GPT-4).
_NAME = re.compile(r"\b[A-Z][A-Za-z0-9]*[A-Z0-9][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*\b")
_SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi", "bra", "cle", "dro", "fen", "gri", "pla",
              "sto", "tri", "xa", "qu", "on", "el")

# Category mix of the synthetic arXiv records (weights, ~ arXiv's share of submissions).
_CATEGORIES = (("cs.LG", 12), ("cs.CV", 8), ("cs.CL", 5), ("cs.AI", 3), ("cs.RO", 2), ("stat.ML", 4),
               ("math.OC", 4), ("math.AG", 5), ("math.PR", 5), ("hep-th", 8), ("hep-ph", 8), ("astro-ph.CO", 8),
               ("cond-mat.mes-hall", 8), ("quant-ph", 10), ("physics.optics", 5), ("q-bio.NC", 2), ("econ.EM", 3))
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_NAMES = ("Ada", "Ben", "Chen", "Dana", "Eli", "Fatima", "Goran", "Hiro", "Ines", "Jun", "Kofi", "Lena", "Mateo",
          "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Viktor", "Wen", "Yara", "Zoe")
_SURNAMES = ("Abe", "Bauer", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Huang", "Ivanova", "Jensen", "Kim",
             "Li", "Moreau", "Nakamura", "Okafor", "Patel", "Rossi", "Schmidt", "Tanaka", "Wang", "Zhang")


@lru_cache(maxsize=1)
def _corpus() -> tuple[tuple, tuple[str, ...], frozenset[str]]:
    papers = tuple(read_sources())
    sentences = tuple(s for p in papers for s in _SENTENCE_END.split(p.abstract))
    known = frozenset(name.lower() for entry in load_catalogue() for name in entry.names)
    return papers, sentences, known


def _made_up(rng: random.Random, like: str) -> str:
    """A made-up name shaped like ``like``: all capitals stay all capitals, CamelCase stays CamelCase."""
    word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
    if like.isupper():
        return word[:max(3, min(len(like), 6))].upper()
    half = len(word) // 2
    name = word[:half].capitalize() + word[half:].capitalize()
    digits = re.search(r"\d+$", like)
    return name + ("-" + digits.group() if digits else "")


def _vary(text: str, rng: random.Random, names: dict[str, str], known: frozenset[str]) -> str:
    def swap(m: re.Match) -> str:
        word = m.group()
        if word.lower() in known or word.rstrip("s").lower() in known:
            return word
        if word not in names:
            names[word] = _made_up(rng, word)
        return names[word]

    return _NAME.sub(swap, text)


def _texts(n: int, seed: int) -> Iterator[tuple[str, str]]:
    papers, sentences, known = _corpus()
    rng = random.Random(seed)
    seen: set[str] = set()
    made = 0
    while made < n:
        base = papers[rng.randrange(len(papers))]
        names: dict[str, str] = {}
        parts = [_SENTENCE_END.split(base.abstract)[0]]
        while sum(len(s) + 1 for s in parts) < len(base.abstract):
            parts.append(sentences[rng.randrange(len(sentences))])
        abstract = _vary(" ".join(parts), rng, names, known)
        head, sep, rest = base.title.partition(": ")
        coined = names.get(head) or _made_up(rng, head if sep and " " not in head else "Xy")
        title = f"{coined}: {_vary(rest, rng, names, known)}" if sep else f"{coined}: {_vary(base.title, rng, names, known)}"
        key = title_key(title)
        if key in seen:
            continue
        seen.add(key)
        made += 1
        yield title, abstract


def synthetic_records(n: int, seed: int = 0, start: int = 0) -> Iterator[dict]:
    """Yield ``n`` records ``{"title", "abstract"}`` made from the bundled corpus (see the module doc): records
    ``start`` to ``start + n - 1`` of the seed's stream, so a second batch (``start`` = the first batch's size)
    has titles of its own.

    >>> recs = list(synthetic_records(3, seed=1))
    >>> len({r["title"] for r in recs}), all(len(r["abstract"]) > 500 for r in recs)
    (3, True)
    >>> list(synthetic_records(1, seed=1, start=2)) == recs[2:]
    True
    """
    for title, abstract in islice(_texts(start + n, seed), start, None):
        yield {"title": title, "abstract": abstract}


def synthetic_arxiv_records(n: int, seed: int = 0) -> Iterator[dict]:
    """Yield ``n`` records in the arXiv metadata snapshot's shape (see the module doc)."""
    rng = random.Random(seed + 1)
    cats, weights = zip(*_CATEGORIES)
    for i, (title, abstract) in enumerate(_texts(n, seed)):
        year = rng.randint(2007, 2025)
        month = rng.randint(1, 12)
        day = rng.randint(1, 28)
        primary = rng.choices(cats, weights)[0]
        extra = rng.sample(cats, rng.choice((0, 0, 1, 2)))
        categories = " ".join(dict.fromkeys([primary, *extra]))
        authors = [(rng.choice(_SURNAMES), rng.choice(_NAMES)) for _ in range(rng.randint(1, 8))]
        versions = []
        for v in range(rng.choice((1, 1, 2, 3))):
            versions.append({"version": f"v{v + 1}", "created": f"{rng.choice(_DAYS)}, {day} {_MONTHS[month - 1]} "
                                                                 f"{year + v // 2} {rng.randint(0, 23):02d}:17:42 GMT"})
        wrapped = "\n".join(re.findall(r".{1,78}(?:\s|$)", abstract))
        yield {
            "id": f"{year % 100:02d}{month:02d}.{i % 100000:05d}",
            "submitter": f"{authors[0][1]} {authors[0][0]}",
            "authors": ", ".join(f"{first} {last}" for last, first in authors),
            "title": title,
            "comments": f"{rng.randint(4, 30)} pages",
            "journal-ref": None,
            "doi": None,
            "report-no": None,
            "categories": categories,
            "license": "http://arxiv.org/licenses/nonexclusive-distrib/1.0/",
            "abstract": "  " + wrapped.replace("\n", "\n  ") + "\n",
            "versions": versions,
            "update_date": f"{min(year + len(versions), 2025)}-{month:02d}-{day:02d}",
            "authors_parsed": [[last, first, ""] for last, first in authors],
        }


def write_jsonl(records: Iterator[dict], path: str | Path) -> Path:
    """Write records as JSON Lines (gzip if ``path`` ends in ``.gz``); returns the path."""
    path = Path(path)
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record) + "\n")
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, help="number of records")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--start", type=int, default=0, help="skip the seed's first START records (for a second batch "
                                                          "with titles of its own: synthetic.py 5 --start 10000)")
    ap.add_argument("--arxiv", action="store_true", help="arXiv snapshot records instead of title + abstract")
    args = ap.parse_args()
    records = (synthetic_arxiv_records(args.n, args.seed) if args.arxiv
               else synthetic_records(args.n, args.seed, args.start))
    for record in records:
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
