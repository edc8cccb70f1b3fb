"""Scale: `kg build` of 1k, 10k and 30k papers (100k with --max 100000), then `kg add` of 5 and of 100 papers.

Usage: python benchmarks/scale.py [--input PAPERS.jsonl] [--sizes 1000 10000 30000] [--max 30000]
                                  [--workdir DIR] [--keep] [-- KG_BUILD_OPTIONS...]

Each command runs as a child process, the real command line (`python -m kg build ... -q`), and is measured
from outside: wall time, and peak RSS from the child's own resource usage (``os.wait4``: the largest
resident set of the process and of the processes it waited for, e.g. NLP workers; not their sum). For each
size it prints the build's wall time, papers/s, peak RSS and store size on disk (``store/``, as ``du``
counts it), then the wall time and peak RSS of `kg add` of 5 new papers into that store, and of 100 more
into the result; and the 1-minute load average before and after each command (the machine may be shared:
compare runs at similar load).

The papers are the first N + 105 records of ``--input`` (any JSON Lines file of title + abstract records,
or anything ``kg build`` reads, e.g. papers fetched for a local run: never commit non-sample abstracts),
or N + 105 realistic synthetic records (benchmarks/synthetic.py: sentences of the bundled corpus
recombined, coined names varied, unique titles): N to build, the next 5 and 100 to add. A size larger than
``--input`` holds is skipped, with a note. Options after ``--`` go to `kg build` (e.g. ``-- --scheduler
tcp://HOST:8786`` or ``-- --n-process 2``). Prints figures; asserts nothing; never run by the tests.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

sys.path.insert(0, str(Path(__file__).parent))

#: The sizes built by default, and the largest one run unless --max says otherwise (a 100k build takes ~27
#: minutes on 2 shared cores).
SIZES = (1_000, 10_000, 30_000, 100_000)
DEFAULT_MAX = 30_000
#: Papers added after each build: a small and a larger update.
ADDS = (5, 100)


@dataclass
class Run:
    """One child process: its wall seconds, peak RSS in bytes and exit status."""

    seconds: float
    peak_rss: int
    status: int


def run(args: list[str], log: Path) -> Run:
    """Run ``args``, stdout and stderr to ``log``; measure wall time and peak RSS with ``os.wait4``."""
    with open(log, "ab") as out:
        out.write(("$ " + " ".join(args) + "\n").encode())
        out.flush()
        t0 = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: keep Popen from waiting again
    return Run(seconds, usage.ru_maxrss * 1024, proc.returncode)  # ru_maxrss is in KiB on Linux


def records(path: Path | None, seed: int) -> Iterator[str]:
    """JSON Lines records: the lines of ``path``, or synthetic ones."""
    if path is not None:
        opener = __import__("gzip").open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as f:
            yield from (line if line.endswith("\n") else line + "\n" for line in f if line.strip())
        return
    from synthetic import synthetic_records

    for record in synthetic_records(10 ** 9, seed):  # the generator is lazy: take what is needed
        yield json.dumps(record, ensure_ascii=False) + "\n"


def write_inputs(path: Path | None, n: int, folder: Path, seed: int) -> dict[str, Path] | None:
    """``build.jsonl`` (n records), ``add5.jsonl``, ``add100.jsonl`` (the next ones), or None if too few."""
    files = {"build": (folder / "build.jsonl", n), **{f"add{k}": (folder / f"add{k}.jsonl", k) for k in ADDS}}
    it = records(path, seed)
    for file, count in files.values():
        lines = list(itertools.islice(it, count))
        if len(lines) < count:
            return None
        file.write_text("".join(lines), encoding="utf-8")
    return {name: file for name, (file, _) in files.items()}


def disk_usage(folder: Path) -> int:
    """Bytes that the files under ``folder`` take on disk (as ``du`` counts them)."""
    return sum(p.stat().st_blocks * 512 for p in folder.rglob("*") if p.is_file())


def load() -> float:
    return os.getloadavg()[0]


def gb(n: int) -> str:
    return f"{n / 1e9:.2f} GB"


def mb(n: int) -> str:
    return f"{n / 1e6:,.0f} MB"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--input", type=Path, help="JSON Lines papers (default: synthetic records)")
    ap.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="papers to build")
    ap.add_argument("--max", type=int, default=DEFAULT_MAX, help="skip sizes above this")
    ap.add_argument("--seed", type=int, default=0, help="seed of the synthetic records")
    ap.add_argument("--workdir", type=Path, help="where inputs and outputs go (default: a temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("kg_options", nargs="*", help="after --: options for kg build")
    args = ap.parse_args()

    work = args.workdir or Path(tempfile.mkdtemp(prefix="paperkg-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    kg = [sys.executable, "-m", "kg"]
    print(f"# {os.cpu_count()} cores; inputs: {args.input or 'synthetic records'}; kg build options: "
          f"{' '.join(args.kg_options) or '(defaults)'}; logs in {work}", flush=True)
    rows = []
    try:
        for n in sorted(s for s in args.sizes if s <= args.max):
            folder = work / f"n{n}"
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            inputs = write_inputs(args.input, n, folder, args.seed)
            if inputs is None:
                print(f"# {n:,}: skipped, {args.input} has fewer than {n + sum(ADDS):,} records", flush=True)
                continue
            out, log = folder / "out", folder / "log.txt"
            before = load()
            build = run([*kg, "build", str(inputs["build"]), "--out", str(out), "-q", *args.kg_options], log)
            if build.status != 0:
                print(f"# {n:,}: kg build failed with status {build.status}; see {log}", flush=True)
                continue
            row = {"papers": n, "build": build, "store": disk_usage(out / "store"), "load": [before, load()]}
            for k in ADDS:
                before = load()
                row[f"add{k}"] = run([*kg, "add", str(inputs[f"add{k}"]), "--out", str(out), "-q"], log)
                row["load"] += [before, load()]
            rows.append(row)
            b = row["build"]
            print(f"# {n:,} papers: build {b.seconds:.1f} s, {n / b.seconds:.0f} papers/s, {gb(b.peak_rss)} peak, "
                  f"store {mb(row['store'])}; " + "; ".join(
                      f"add {k}: {row[f'add{k}'].seconds:.1f} s, {gb(row[f'add{k}'].peak_rss)}"
                      + ("" if row[f"add{k}"].status == 0 else f" (failed: status {row[f'add{k}'].status})")
                      for k in ADDS) + "; load " + " ".join(f"{x:.1f}" for x in row["load"]), flush=True)
            if not args.keep:
                shutil.rmtree(out, ignore_errors=True)
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print("| papers | `kg build` wall | papers/s | peak RSS | store on disk | " +
          " | ".join(f"`kg add` {k}: wall, peak RSS" for k in ADDS) + " | load (1 min) |")
    print("|---" * (6 + len(ADDS)) + "|")
    for row in rows:
        b = row["build"]
        print(f"| {row['papers']:,} | {b.seconds:.1f} s | {row['papers'] / b.seconds:.0f} | {gb(b.peak_rss)} | "
              f"{mb(row['store'])} | " + " | ".join(f"{row[f'add{k}'].seconds:.1f} s, {gb(row[f'add{k}'].peak_rss)}"
                                                    for k in ADDS) + f" | {min(row['load']):.1f}-{max(row['load']):.1f} |")


if __name__ == "__main__":
    main()
