"""Memory and output of `kg build --skip-bad` against the number of bad records.

Usage: python benchmarks/bad_records.py [--bad 10000 1000000]

For each count it writes a JSON Lines file of 3 good records followed by that many bad lines (truncated JSON),
runs `kg build FILE --skip-bad -q` in a child process, and prints its wall seconds, peak RSS (the child's
ru_maxrss) and the number of lines it wrote on stderr. Issue 14 found 1.65 GB and 2M lines for 1M bad lines;
bounded reports keep both the same whatever the count. Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOOD = Path(__file__).resolve().parent.parent / "tests" / "data" / "sources" / "papers.jsonl"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bad", type=int, nargs="+", default=[10_000, 1_000_000])
    args = ap.parse_args()
    print(f"{'bad lines':>10} {'seconds':>8} {'peak RSS MB':>12} {'stderr lines':>13} exit")
    for count in args.bad:
        with tempfile.TemporaryDirectory() as folder:
            source = Path(folder) / "bad.jsonl"
            with open(source, "w", encoding="utf-8") as f:
                f.write(GOOD.read_text(encoding="utf-8"))
                for i in range(count):
                    f.write(f'{{"title": "broken record {i}", "abstract": \n')
            t0 = time.perf_counter()
            # a fresh interpreter per count, so that ru_maxrss of the children is this build's own
            code = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
                    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode, "
                    "len(r.stderr.splitlines()))")
            out = subprocess.run([sys.executable, "-c", code, sys.executable, "-m", "kg", "build", str(source),
                                  "--out", str(Path(folder) / "out"), "--skip-bad", "-q", "--n-process", "1"],
                                 capture_output=True, text=True, check=True).stdout.split()
            rss_kb, status, lines = map(int, out)
            print(f"{count:>10,} {time.perf_counter() - t0:>8.1f} {rss_kb / 1024:>12.0f} {lines:>13,} {status}")


if __name__ == "__main__":
    main()
