"""NLP time against an abstract's length: one paper whose abstract is dense with entities, at several lengths.

Usage: python benchmarks/long_abstract.py [--sizes 12500 25000 50000 100000] [--repeat 2]

Issue 14 found a 100,000-character abstract took 6.7 s of NLP against 0.44 s for 25,000 (quadratic: spaCy's
span_finder paired every start with every end, and the resolver's component scanned a group's every mention
for each of its entities). For each size it prints the best wall seconds of ``--repeat`` runs, the mentions
found, µs per character, and the CPU seconds other processes used meanwhile (benchmarks/machine.py). Linear
NLP keeps µs per character flat. Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from machine import machine_busy  # noqa: E402

from kg.nlp import extract, load  # noqa: E402
from kg.records import Paper  # noqa: E402

#: A sentence naming ten entities of four types, repeated to the length wanted.
UNIT = ("We train ResNet-50 and ViT-B/16 on ImageNet and CIFAR-10 with Adam, and evaluate BERT on SQuAD and GLUE "
        "for question answering; our method FooNet improves top-1 accuracy and F1 over DINO and CLIP. ")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[12_500, 25_000, 50_000, 100_000])
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    nlp = load()
    list(extract([Paper("Warm-up", UNIT * 5)], nlp, n_process=1))
    print(f"{'chars':>8} {'seconds':>8} {'mentions':>9} {'us/char':>8} {'other CPU s':>12}")
    for size in args.sizes:
        abstract = (UNIT * (size // len(UNIT) + 1))[:size]
        best, mentions, other = float("inf"), 0, 0.0
        for _ in range(args.repeat):
            busy, cpu, t0 = machine_busy(), time.process_time(), time.perf_counter()
            (ex,) = extract([Paper("A long paper", abstract)], nlp, n_process=1)
            wall = time.perf_counter() - t0
            other = max(0.0, (machine_busy() - busy) - (time.process_time() - cpu))
            best, mentions = min(best, wall), len(ex.mentions)
        print(f"{size:>8,} {best:>8.2f} {mentions:>9,} {best / size * 1e6:>8.1f} {other:>12.1f}")


if __name__ == "__main__":
    main()
