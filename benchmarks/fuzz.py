"""Fuzz the sources with hostile files (tests/hostile.py) and print what happened, by category.

Usage: python benchmarks/fuzz.py [--examples 5000] [--cli 100] [--seed 0]

--examples hostile files (records in the three formats, and hostile whole files) are each read strictly and
with --skip-bad, and every paper read is turned into quads and parsed back by Oxigraph and rdflib
(tests/hostile.py: check_reader). --cli of them are also built with `kg build` (strictly and with --skip-bad,
into a fresh folder and into a built one: check_cli). A property that fails is counted under "FAILED: …" and
the first example of each kind is printed; the run goes on. Prints counts; asserts nothing.
"""
from __future__ import annotations

import argparse
import collections
import logging
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import hypothesis  # noqa: E402
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402

import hostile  # noqa: E402
import kg.nlp  # noqa: E402


def run(examples: int, seed: int, check) -> tuple[collections.Counter, dict[str, str]]:
    counts: collections.Counter = collections.Counter()
    firsts: dict[str, str] = {}

    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=hostile.hostile_files)
    def one(case):
        kind = f"{case.fmt}/{case.whole_file or 'records'}"
        with tempfile.TemporaryDirectory() as folder:
            try:
                outcome = check(case.write(Path(folder)), case, Path(folder))
            except Exception as err:  # a property that failed: count it, keep the first example, go on
                outcome = f"FAILED: {type(err).__name__}"
                firsts.setdefault(f"{outcome} ({kind})", f"{case.name} {case.data[:300]!r}\n"
                                  + "".join(traceback.format_exception_only(err))[:600])
        counts[(kind, outcome)] += 1

    hypothesis.seed(seed)(one)()
    return counts, firsts


def report(title: str, counts: collections.Counter, firsts: dict[str, str], seconds: float) -> None:
    total = sum(counts.values())
    print(f"\n{title}: {total:,} examples in {seconds:.0f} s")
    by_outcome: collections.Counter = collections.Counter()
    for (fmt, outcome), n in sorted(counts.items()):
        print(f"  {fmt:<24} {outcome:<44} {n:>6,}")
        by_outcome[_category(outcome)] += n
        if "(" in outcome:
            by_outcome["strict read: " + outcome.split("(")[1].rstrip(")")] += n
    print("  totals: " + ", ".join(f"{k} {v:,}" for k, v in sorted(by_outcome.items())))


def _category(outcome: str) -> str:
    """Coarse category of an outcome: a failed property, a file refused whole, no good record, papers read."""
    if outcome.startswith("FAILED"):
        return "FAILED"
    if outcome.startswith("cli"):
        return "kg build exits (strict fresh/existing, --skip-bad fresh/existing) " + outcome.split()[1]
    if "stopped" in outcome:
        return "skip-bad: file refused whole"
    return "skip-bad: no good record" if outcome.startswith("skip-bad: 0 ") else "skip-bad: papers read"
    for kind, example in firsts.items():
        print(f"\n  first {kind}:\n    " + example.replace("\n", "\n    "))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=5000)
    ap.add_argument("--cli", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    logging.disable(logging.WARNING)  # skipped records and dropped URLs: thousands of warnings, counted instead

    t0 = time.perf_counter()
    counts, firsts = run(args.examples, args.seed, lambda path, case, _: hostile.check_reader(path, case))
    report("read + quads", counts, firsts, time.perf_counter() - t0)

    if args.cli:
        pipeline = kg.nlp.load()
        kg.nlp.load = lambda *a, **k: pipeline  # the same real pipeline for every build, loaded once
        invoke = hostile.cli_invoker()
        with tempfile.TemporaryDirectory() as base:
            existing = Path(base) / "existing"
            code, _, err = invoke(["build", str(ROOT / "tests" / "data" / "sources" / "papers.jsonl"), "--out",
                                   str(existing), "-q", "--n-process", "1"])
            assert code == 0, err
            t0 = time.perf_counter()
            counts, firsts = run(args.cli, args.seed,
                                 lambda path, case, folder: hostile.check_cli(invoke, path, case, folder, existing))
            report("kg build (fresh and existing folder, strict and --skip-bad)", counts, firsts,
                   time.perf_counter() - t0)


if __name__ == "__main__":
    main()
