"""`kg push` into a local `oxigraph serve`: a PUT per named graph against N-Quads POSTs of several chunk sizes.

Usage: python benchmarks/push_chunks.py STORE_DIR [--chunks 10000 50000 100000 250000 1000000] [--repeat 2]

For each way of pushing it starts a fresh `oxigraph serve` (the `oxigraph` package) on a free loopback port,
pushes the store, and prints the requests, wall seconds, quads/s and this process's peak RSS growth, with the
1-minute load average. Prints figures; asserts nothing; never run by the tests.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from serving import free_port  # noqa: E402

from kg.push import push  # noqa: E402
from kg.store import Store  # noqa: E402


def _server(folder: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([shutil.which("oxigraph"), "serve", "--location", str(folder), "--bind",
                             f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{base}/query", params={"query": "ASK {}"}, timeout=1).status_code == 200:
                return proc, base
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit("oxigraph serve did not start")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store", type=Path)
    ap.add_argument("--chunks", type=int, nargs="+", default=[10_000, 50_000, 100_000, 250_000, 1_000_000])
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    store = Store.open(args.store, read_only=True)
    print(f"{len(store):,} quads, {len(store.named_graphs()):,} named graphs")
    settings = [("PUT per graph", None)] + [(f"N-Quads, {c:,} quads a request", c) for c in args.chunks]
    for _ in range(args.repeat):
        for label, chunk in settings:
            with tempfile.TemporaryDirectory() as tmp:
                proc, base = _server(Path(tmp) / "oxi")
                try:
                    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                    load = os.getloadavg()[0]
                    kwargs = {"graph_per_paper": True} if chunk is None else {"graph_per_paper": False,
                                                                              "chunk_quads": chunk}
                    r = push(store, f"{base}/store", **kwargs)
                    grew = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) / 1024
                    print(f"{label:<36} {r.requests:>7,} requests {r.seconds:7.1f} s {r.quads / r.seconds:>9,.0f} "
                          f"quads/s  peak RSS +{grew:,.0f} MB  load {load:.1f}-{os.getloadavg()[0]:.1f}", flush=True)
                finally:
                    proc.terminate()
                    proc.wait()


if __name__ == "__main__":
    main()
