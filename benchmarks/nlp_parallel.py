"""NLP throughput: papers/s and words/s of kg.nlp.extract at n_process 1 and 2, with the machine's load.

Usage: python benchmarks/nlp_parallel.py [--sizes 2000 10000] [--n-process 1 2] [--repeat 2]
                                         [--batch-size 64] [--chunks-per-worker 2] [--corpus [SOURCES...]]

The papers are made by benchmarks/synthetic.py (realistic abstracts recombined from the bundled corpus), or
with --corpus read from SOURCES (none: the bundled corpus, 468 papers), and held in memory, so the figures
are the NLP alone. For each size and setting it prints wall seconds, papers/s, words/s, the speed-up over
n_process=1, the CPU seconds of the parent and of the workers, and the 1-minute load average before and after
the run. On a machine shared with other jobs the figures mean little unless the cores were free: each run
also prints the CPU seconds that other processes used meanwhile (benchmarks/machine.py), and --wait-quiet
waits before each run until other jobs have used less than 15% of a core for 8 s. Prints figures; asserts
nothing.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from machine import machine_busy, wait_quiet  # noqa: E402
from synthetic import synthetic_records  # noqa: E402

from kg.nlp import extract, load, parallel  # noqa: E402
from kg.records import Paper  # noqa: E402
from kg.sources import read_sources  # noqa: E402


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000], help="numbers of papers")
    ap.add_argument("--n-process", type=int, nargs="+", default=[1, 2], help="settings to compare")
    ap.add_argument("--repeat", type=int, default=2, help="runs per setting (all are printed)")
    ap.add_argument("--batch-size", type=int, default=None, help="papers per chunk (default: kg's)")
    ap.add_argument("--chunks-per-worker", type=int, default=None, help="override parallel.CHUNKS_PER_WORKER")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--corpus", nargs="*", default=None, help="read these sources instead (none: the bundled corpus)")
    ap.add_argument("--wait-quiet", action="store_true", help="start each run only once other jobs are idle")
    args = ap.parse_args()
    if args.chunks_per_worker is not None:
        parallel.CHUNKS_PER_WORKER = args.chunks_per_worker
    options = {} if args.batch_size is None else {"batch_size": args.batch_size}

    nlp = load()
    nlp(parallel.WARM_UP_TEXT)  # build the matchers outside the timing (n_process=1 would build them in run 1)
    print(f"cores available: {parallel.available_cores()}, chunks per worker: {parallel.CHUNKS_PER_WORKER}, "
          f"batch size: {args.batch_size or 'default'}")
    inputs = ([list(read_sources(args.corpus or None))] if args.corpus is not None else
              ([Paper(r["title"], r["abstract"], source="synthetic", line=i + 1)
                for i, r in enumerate(synthetic_records(size, args.seed))] for size in args.sizes))
    for papers in inputs:
        size = len(papers)
        words = sum(len(p.text.split()) for p in papers)
        print(f"\n{size:,} papers, {words:,} words")
        base = None
        for _ in range(args.repeat):
            for n_process in args.n_process:
                if args.wait_quiet:
                    wait_quiet()
                load_before = os.getloadavg()[0]
                busy0, cpu0, kids0, t0 = machine_busy(), time.process_time(), _children_cpu(), time.perf_counter()
                n = sum(1 for _ in extract(papers, nlp, n_process=n_process, **options))
                seconds = time.perf_counter() - t0
                cpu, kids = time.process_time() - cpu0, _children_cpu() - kids0
                others = max(0.0, machine_busy() - busy0 - cpu - kids)
                rate = n / seconds
                if n_process == 1:
                    base = rate
                speedup = f"{rate / base:4.2f}x" if base else "  -  "
                print(f"n_process={n_process}: {seconds:7.1f} s {rate:7.1f} papers/s {words / seconds:8,.0f} words/s "
                      f"{speedup}  cpu parent "
                      f"{cpu:5.1f} s workers {kids:5.1f} s, other jobs {others:5.1f} s  load {load_before:4.2f} -> "
                      f"{os.getloadavg()[0]:4.2f}", flush=True)


if __name__ == "__main__":
    main()
