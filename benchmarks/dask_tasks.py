"""NLP on a local Dask cluster: papers/s of kg.cluster.extract_on_cluster by papers per task.

Usage: python benchmarks/dask_tasks.py [--papers 2000] [--workers 2] [--tasks 16 64 256] [--repeat 2]

Starts a ``distributed.LocalCluster`` of one-thread worker processes on this machine, makes the papers with
benchmarks/synthetic.py, and for each task size extracts them all on the cluster (the pipeline already loaded
on the workers by a first warm-up run), printing wall seconds, papers/s and the 1-minute load average (other
processes on a shared machine take cores away: compare runs at similar load). Also prints the time a client
takes to connect to the scheduler. Prints figures; asserts nothing; never run by the tests.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from synthetic import synthetic_records  # noqa: E402

from kg.cluster import extract_on_cluster  # noqa: E402
from kg.records import Paper  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--papers", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--tasks", type=int, nargs="+", default=[16, 64, 256], help="papers per task")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    from distributed import Client, LocalCluster

    papers = [Paper(r["title"], r["abstract"]) for r in synthetic_records(args.papers)]
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        t0 = time.perf_counter()
        Client(cluster.scheduler_address, set_as_default=False).close()
        print(f"client connected in {time.perf_counter() - t0:.3f} s; {args.workers} workers; {len(papers)} papers")
        list(extract_on_cluster(papers[:64], cluster.scheduler_address))  # loads the pipeline on the workers
        for _ in range(args.repeat):
            for size in args.tasks:
                load = os.getloadavg()[0]
                t0 = time.perf_counter()
                n = sum(1 for _ in extract_on_cluster(papers, cluster.scheduler_address, papers_per_task=size))
                seconds = time.perf_counter() - t0
                print(f"{size:>5} papers a task: {seconds:6.1f} s {n / seconds:6.0f} papers/s  "
                      f"load {load:.1f}-{os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
