"""The endpoint under runaway queries: does a cheap query still answer, and does the server stay small and alive?

Starts ``kg serve`` (default settings unless told) in a subprocess on 127.0.0.1 over a store of K copies of the
test fixture (``tests/data/small.ttl``, 526 triples a copy, each copy its own IRIs and named graph; default 200
copies, 105,200 quads, about the sample corpus), then:

1. **Runaway mix** (``--seconds``, default 40): 4 clients send, in turn and without pause, a cartesian
   ``COUNT(*)`` over three patterns, an ``ORDER BY`` over a two-pattern product, a GET nesting 5,000 brackets,
   and a 200 MB POST body; a fifth client sends a cheap query (the papers' count) every 100 ms. Printed: the
   cheap query's latency (p50, p99, max) and statuses; the runaway answers by status; the server's RSS, the
   main process and the whole tree (main + workers + forkserver), sampled every 50 ms, at its peak.
2. **Back to idle** (``--rounds``, default 3): 4 cartesian ``COUNT(*)`` at once; after their 503s, the time until
   the server's tree uses under 5% of a core (over 100 ms windows).
3. Whether the server process is still the same one, alive and answering ``/health``.

Targets (issue 14): cheap query p99 <= 1 s with 4 runaways in flight; RSS <= 1 GB throughout; CPU back to idle
<= 2 s after each deadline; no input kills the process.

    python benchmarks/endpoint_runaway.py [--copies 200] [--seconds 40] [--timeout 10] [--rounds 3]
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil
import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).parent))
from machine import machine_busy  # noqa: E402
from serving import start_kg_serve  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SORTED = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"
NESTED = "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
CHEAP = "SELECT (COUNT(*) AS ?n) WHERE { ?p a kgo:Paper }"
BODY_MB = 200


def make_store(copies: int, path: Path) -> int:
    """A store of ``copies`` renamed copies of the test fixture; returns its quad count."""
    from kg.store import Store

    source = ox.Store()
    source.bulk_load(path=str(ROOT / "tests" / "data" / "small.ttl"), format=ox.RdfFormat.TURTLE)
    triples = [q.triple for q in source]
    subjects = {t.subject for t in triples if isinstance(t.subject, ox.NamedNode)}

    def rename(term, c):
        return ox.NamedNode(f"{term.value}-{c}") if term in subjects else term

    store = ox.Store(str(path))
    store.bulk_extend([ox.Quad(rename(t.subject, c), t.predicate, rename(t.object, c),
                               ox.NamedNode(f"https://example.org/copy/{c}")) for c in range(copies) for t in triples])
    store.flush()
    n = len(store)
    del store
    Store.open(path, read_only=True).close()
    return n


def tree(process: psutil.Process) -> list[psutil.Process]:
    try:
        return [process, *process.children(recursive=True)]
    except psutil.Error:
        return [process]


def tree_rss(process: psutil.Process) -> int:
    total = 0
    for p in tree(process):
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def tree_pss(process: psutil.Process) -> int:
    """Proportional set size of the tree: shared pages (the forkserver's, copied on write) counted once."""
    total = 0
    for p in tree(process):
        try:
            total += p.memory_full_info().pss
        except psutil.Error:
            pass
    return total


def tree_cpu(process: psutil.Process) -> float:
    total = 0.0
    for p in tree(process):
        try:
            t = p.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
        except psutil.Error:
            pass
    return total


def post_big_body(port: int) -> str:
    """POST a 200 MB body by hand; the status line (or the error) that came back."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            s.sendall(f"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                      f"Content-Length: {BODY_MB * 2**20}\r\n\r\n".encode())
            chunk = b"#" * 2**20
            try:
                for _ in range(BODY_MB):
                    s.sendall(chunk)
            except OSError:
                pass
            return s.recv(65536).split(b"\r\n")[0].decode(errors="replace")[9:12] or "closed"
    except OSError as err:
        return type(err).__name__


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=40.0)
    ap.add_argument("--timeout", type=float, default=None, help="kg serve --timeout (default: its own, 10 s)")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="kg-runaway-"))
    started = time.perf_counter()
    quads = make_store(args.copies, tmp / "store")
    print(f"store: {args.copies} copies of the fixture, {quads:,} quads ({time.perf_counter() - started:.1f} s)")
    options = ["--store", str(tmp / "store")] + (["--timeout", str(args.timeout)] if args.timeout else [])
    server, url = start_kg_serve(*options, stderr=subprocess.DEVNULL, wait_s=60)
    port = int(url.rsplit(":", 1)[1])
    proc = psutil.Process(server.pid)
    print(f"server: kg serve {' '.join(options)} on {url}  (pid {server.pid})")

    peak = {"main": 0, "tree": 0, "pss": 0}
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.is_set():
            try:
                peak["main"] = max(peak["main"], proc.memory_info().rss)
            except psutil.Error:
                pass
            peak["tree"] = max(peak["tree"], tree_rss(proc))
            peak["pss"] = max(peak["pss"], tree_pss(proc))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    idle_rss = tree_rss(proc)

    # -- 1. runaway mix --------------------------------------------------------------------------------------
    stop = time.monotonic() + args.seconds
    runaway: dict[str, list[str]] = {"cartesian COUNT(*)": [], "ORDER BY product": [], "nested 5,000": [],
                                     f"{BODY_MB} MB body": []}
    kinds = list(runaway)

    def runaway_client(i: int) -> None:
        with httpx.Client(timeout=120) as c:
            k = i
            while time.monotonic() < stop:
                kind = kinds[k % len(kinds)]
                k += 1
                if kind.endswith("body"):
                    status = post_big_body(port)
                else:
                    query = {"cartesian COUNT(*)": CARTESIAN, "ORDER BY product": SORTED}.get(kind, NESTED)
                    try:
                        status = str(c.get(f"{url}/sparql", params={"query": query}).status_code)
                    except httpx.HTTPError as err:
                        status = type(err).__name__
                runaway[kind].append(status)

    latencies: list[float] = []
    cheap_status: dict[str, int] = {}

    def cheap_client() -> None:
        time.sleep(1.0)  # the runaways are in flight
        with httpx.Client(timeout=60) as c:
            while time.monotonic() < stop:
                t = time.perf_counter()
                try:
                    status = str(c.get(f"{url}/sparql", params={"query": CHEAP}).status_code)
                except httpx.HTTPError as err:
                    status = type(err).__name__
                latencies.append(time.perf_counter() - t)
                cheap_status[status] = cheap_status.get(status, 0) + 1
                time.sleep(0.1)

    busy = machine_busy()
    cpu0 = tree_cpu(proc)
    began = time.monotonic()
    clients = [threading.Thread(target=runaway_client, args=(i,)) for i in range(4)]
    clients.append(threading.Thread(target=cheap_client))
    for t in clients:
        t.start()
    for t in clients:
        t.join()
    took = time.monotonic() - began
    other = (machine_busy() - busy) - (tree_cpu(proc) - cpu0)
    latencies.sort()
    p = lambda q: latencies[min(int(q * len(latencies)), len(latencies) - 1)] * 1000  # noqa: E731
    print(f"\n1. runaway mix for {took:.0f} s (4 runaway clients; CPU s used by the rest of the machine, clients "
          f"included: {other:.0f})")
    print(f"   cheap query: n={len(latencies)}  p50 {p(0.5):.0f} ms  p99 {p(0.99):.0f} ms  max {latencies[-1] * 1000:.0f} ms"
          f"  statuses {cheap_status}")
    for kind, statuses in runaway.items():
        counts = {s: statuses.count(s) for s in sorted(set(statuses))}
        print(f"   {kind:<20} {counts}")
    print(f"   RSS: idle tree {idle_rss / 2**20:.0f} MB; peak main process {peak['main'] / 2**20:.0f} MB, "
          f"peak tree (main + workers + forkserver) {peak['tree'] / 2**20:.0f} MB (PSS {peak['pss'] / 2**20:.0f} MB)")

    # -- 2. back to idle after each deadline -----------------------------------------------------------------
    print(f"\n2. back to idle: {args.rounds} rounds of 4 cartesian COUNT(*) at once")
    for r in range(args.rounds):
        done: list[float] = []
        statuses: list[int] = []

        def one() -> None:
            resp = httpx.get(f"{url}/sparql", params={"query": CARTESIAN}, timeout=120)
            statuses.append(resp.status_code)
            done.append(time.monotonic())

        threads = [threading.Thread(target=one) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        last = max(done)
        prev_cpu, prev_t = tree_cpu(proc), time.monotonic()
        idle_after = None
        while time.monotonic() - last < 10:
            time.sleep(0.1)
            cpu, now = tree_cpu(proc), time.monotonic()
            if (cpu - prev_cpu) / (now - prev_t) < 0.05:
                idle_after = prev_t - last
                break
            prev_cpu, prev_t = cpu, now
        shown = "not within 10 s" if idle_after is None else f"{max(idle_after, 0) * 1000:.0f} ms"
        print(f"   round {r + 1}: statuses {sorted(statuses)}; idle (< 5% of a core) {shown} after the last 503")

    # -- 3. still alive ---------------------------------------------------------------------------------------
    sampling.set()
    sampler.join()
    health = httpx.get(f"{url}/health", timeout=5).json()
    print(f"\n3. server pid {server.pid} alive: {server.poll() is None and proc.is_running()}, /health {health}")
    print(f"   peak over the whole run: main RSS {peak['main'] / 2**20:.0f} MB; tree RSS {peak['tree'] / 2**20:.0f} MB, "
          f"tree PSS {peak['pss'] / 2**20:.0f} MB")
    server.terminate()
    server.wait(10)
    import shutil

    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
