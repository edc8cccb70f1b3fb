"""Throughput of kg.nlp.extract over the bundled corpus: papers/s and words/s, n_process=1 and 2.

Usage: python benchmarks/nlp_throughput.py [--repeat N]   (prints figures; asserts nothing)
"""
from __future__ import annotations

import argparse
import time

from kg.nlp import extract, load
from kg.sources import read_papers



def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=None, help="sources to read (default: the bundled corpus)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per setting; the best is printed")
    args = ap.parse_args()
    from pathlib import Path

    import kg

    corpus = args.corpus or str(Path(kg.__file__).parent / "data" / "daily-papers")
    papers = list(read_papers(corpus))
    words = sum(len(p.text.split()) for p in papers)
    nlp = load()
    list(extract(papers[:8], nlp))  # build the matchers once, outside the timing
    print(f"{len(papers)} papers, {words} words")
    for n_process in (1, 2):
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            n = sum(1 for _ in extract(papers, nlp, n_process=n_process))
            best = min(best, time.perf_counter() - t0)
        print(f"n_process={n_process}: {best:6.2f} s  {n / best:7.1f} papers/s  {words / best:9.0f} words/s")


if __name__ == "__main__":
    main()
