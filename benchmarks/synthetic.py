"""N realistic synthetic papers (JSON Lines, ``title`` + ``abstract``) from the bundled corpus, for scale runs.

Each record's abstract is 4 to 8 sentences drawn from the bundled corpus's abstracts (so the entity
mentions, code links and phrasing are real ones, in new combinations) and its title a corpus title made
unique with a number. Deterministic for a seed. Never asserted in tests: it feeds benchmarks.

Usage: python benchmarks/synthetic.py N [--seed S] [--start K] > papers.jsonl
(``--start``: the first record's number, so that a second batch has titles of its own: ``kg add`` of 5 papers
into 10,000 is ``synthetic.py 10000`` then ``synthetic.py 5 --seed 1 --start 10000``.)
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
from typing import Iterator

#: Sentences per synthetic abstract: the bundled abstracts have 4 to 10 (median 7).
SENTENCES = (4, 8)


def _corpus() -> tuple[list[str], list[str]]:
    from kg.sources import bundled_corpus, read_papers

    titles, sentences = [], []
    for paper in read_papers(bundled_corpus()):
        titles.append(paper.title)
        sentences += [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", paper.abstract) if len(s) > 20]
    return titles, sentences


def synthetic_records(n: int, seed: int = 0, start: int = 0) -> Iterator[dict[str, str]]:
    """``n`` records ``{"title", "abstract"}`` made from the bundled corpus, the same for the same seed,
    numbered from ``start`` (the number makes each title unique).

    >>> [r["title"][-7:] for r in synthetic_records(2, seed=1)]
    ['(no. 0)', '(no. 1)']
    """
    titles, sentences = _corpus()
    rng = random.Random(seed)
    for i in range(n):
        k = rng.randint(*SENTENCES)
        yield {"title": f"{rng.choice(titles)} (no. {start + i})", "abstract": " ".join(rng.sample(sentences, k))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, help="how many records")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--start", type=int, default=0, help="number of the first record")
    args = ap.parse_args()
    for record in synthetic_records(args.n, args.seed, args.start):
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
