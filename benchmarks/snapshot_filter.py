"""Reading an arXiv snapshot with filters: records/s and peak RSS, plain and gzipped, against a bare JSON parse.

Usage: python benchmarks/snapshot_filter.py [--records 300000] [--dir DIR] [--repeat 2]

Writes a synthetic snapshot (benchmarks/synthetic.py: arXiv-shaped records, ~12% cs.LG, first versions
2007-2025) of ``--records`` lines to DIR (default: a temporary folder, removed afterwards) as ``.json`` and
``.json.gz``, then reads each in a fresh process (so peak RSS is that run's) in four ways:

* ``json.loads only``: every line read (opened as the readers open it) and parsed, nothing else: the floor,
  what any reader must pay;
* ``no filter``: ``kg.sources.read_sources`` building a Paper for every record;
* ``cs.LG since 2024``: ``--category cs.LG --since 2024-01-01`` (~1% kept);
* ``cs. prefix``: ``--category cs.`` (~30% kept).

Prints records/s, peak RSS and the CPU seconds other jobs used meanwhile for each; --wait-quiet starts each
run only once other jobs are idle (benchmarks/machine.py). Asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

_RUN = r'''
import json, sys, time
from pathlib import Path
path, mode = Path(sys.argv[1]), sys.argv[2]
t0 = time.perf_counter()
if mode == "json":
    from kg.sources.base import open_binary  # the readers' opening (gzip with its read-ahead), nothing else
    n = 0
    with open_binary(path) as f:
        for line in f:
            json.loads(line)
            n += 1
    kept = n
else:
    from kg.sources import PaperFilter, SourceStats, read_sources
    options = json.loads(mode)
    stats = SourceStats()
    kept = sum(1 for _ in read_sources(path, filter=PaperFilter(**options) if options else None, stats=stats))
    n = stats.records_read + stats.filtered_out
seconds = time.perf_counter() - t0
# VmHWM, not ru_maxrss: after fork + exec, ru_maxrss still counts the parent's pages
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"records": n, "kept": kept, "seconds": seconds, "rss_mb": hwm / 1024}))
'''

MODES = {
    "json.loads only": "json",
    "no filter": json.dumps({}),
    "cs.LG since 2024": json.dumps({"categories": "cs.LG", "since": "2024-01-01"}),
    "cs. prefix": json.dumps({"categories": "cs."}),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=300_000)
    ap.add_argument("--dir", default=None, help="where to write the snapshot (kept); default: a temporary folder")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--wait-quiet", action="store_true", help="start each run only once other jobs are idle")
    args = ap.parse_args()
    from machine import machine_busy, wait_quiet
    from synthetic import synthetic_arxiv_records, write_jsonl

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.dir or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        plain = folder / f"snapshot-{args.records}.json"
        zipped = folder / f"snapshot-{args.records}.json.gz"
        if not plain.exists():
            t0 = time.perf_counter()
            write_jsonl(synthetic_arxiv_records(args.records, 0), plain)
            subprocess.run(f"gzip -1 -c {plain} > {zipped}", shell=True, check=True)
            print(f"wrote {plain} and .gz in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        print(f"{args.records:,} records: {plain.stat().st_size / 1e6:,.0f} MB plain, "
              f"{zipped.stat().st_size / 1e6:,.0f} MB gzip")
        for path in (plain, zipped):
            for label, mode in MODES.items():
                for _ in range(args.repeat):
                    if args.wait_quiet:
                        wait_quiet()
                    busy, t0 = machine_busy(), time.perf_counter()
                    out = subprocess.run([sys.executable, "-c", _RUN, str(path), mode], capture_output=True,
                                         text=True, check=True)
                    others = max(0.0, machine_busy() - busy - (time.perf_counter() - t0))  # ours: ~1 core
                    r = json.loads(out.stdout)
                    print(f"{path.suffix:<5} {label:<18} {r['records'] / r['seconds']:9,.0f} records/s  "
                          f"kept {r['kept']:7,}  peak RSS {r['rss_mb']:5.0f} MB  other jobs {others:5.1f} cpu-s",
                          flush=True)


if __name__ == "__main__":
    main()
