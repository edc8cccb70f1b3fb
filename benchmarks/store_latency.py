"""Load time and named-query latency: embedded Oxigraph (kg.store) against rdflib's in-memory graph.

Measures, on two graphs:

* ``sample``    the bundled sample corpus as ``kg build`` makes it (``kg.build()``: one named graph per
                paper plus ``…/graph/entities``), dumped once as N-Quads;
* ``synthetic`` K copies of the sample (default: the fewest copies giving >= 1,000,000 quads; ``--copies``),
                made by renaming terms of the sample's quads (pyoxigraph terms, no text substitution):
                copy ``c`` >= 1 gets its own paper IRIs, paper-graph IRIs, evidence IRIs, code-repository IRIs (``…#copy-c``) and titles
                (``"<title> [copy c]"``), while the ``entities`` graph (types, labels, aliases) is kept
                once and shared by every copy -- a corpus that grows by papers mentioning the same
                methods, datasets and tasks. Deterministic (no randomness; same bytes every run).

Both N-Quads files are cached under ``$TMPDIR/paperkg-store-latency/`` (``--rebuild`` remakes them;
``--cache DIR`` moves them).

Table 1, load (seconds, from the cached N-Quads file):

* ``quads``      quads in the file (= triples: every triple lives in exactly one named graph)
* ``nq_MB``      size of the N-Quads file
* ``ox_disk_s``  Oxigraph on-disk store: ``bulk_load`` of the file into a new RocksDB directory + flush
                 (what ``Store.create_from`` does after serialising; the directory is then opened
                 with ``Store.open`` for the queries)
* ``disk_MB``    size of that store directory on disk after the load
* ``ox_mem_s``   Oxigraph in-memory store: ``Store.in_memory_from_file``
* ``rdflib_s``   rdflib ``Dataset(default_union=True).parse(format="nquads")``

Table 2, query latency, per graph, for EVERY named query in ``kg/queries`` (run through
``kg.query.run_named_query``, i.e. including the conversion of results to rdflib terms that every
paperkg caller pays):

* ``params``     parameter values, taken from the graph itself: the most used dataset's label, the task
                 addressed by the most papers, an alias of the most used entity that has one, the title
                 of the paper linked to the most entities (ties broken by label/title)
* ``disk_ms``    median over the runs, Oxigraph on-disk store (``Store.open``)
* ``mem_ms``     median over the runs, Oxigraph in-memory store
* ``rdflib_ms``  median over the runs, rdflib in-memory ``Dataset``; ``n`` = runs made: repeats stop
                 once one run took more than ``--slow`` seconds (default 10; marked ``*``), a run is
                 abandoned after ``--cap`` seconds (default 60; shown as ``>60s``, no rows, no check),
                 and a query abandoned on the sample is not run on the synthetic graph (``skipped``)
* ``x``          rdflib_ms / disk_ms (how many times slower rdflib is)
* ``rows``       number of result rows (Oxigraph); ``check`` is ``ok`` when all three engines gave the
                 same multiset of rows, else ``ROWS DIFFER`` / ``VALUES DIFFER`` (a bug to report)

Runs: ``--runs N`` (default 5) per Oxigraph engine and query on the sample, at most 3 on the synthetic
graph; rdflib at most 3 and 2. The first run is included in the median (it is the latency a one-off
``kg query`` sees once the store is open). Oxigraph runs cannot be abandoned (native code).
Full run: ~18 min on 2 busy cores (2026-11, pyoxigraph 0.5.13): ~6 min rdflib (parsing 1M quads, its
capped queries), ~5 min Oxigraph on similar-papers over the synthetic graph (see its row).

Usage: python benchmarks/store_latency.py [--quick] [--copies K] [--runs N] [--slow S] [--cap S]
                                          [--cache DIR] [--rebuild]
``--quick``: 2 copies, 2 runs, cap 30 s (a smoke test). Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import math
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset

from kg.query import list_named_queries, run_named_query
from kg.store import Store
from kg.vocab import BASE

PAPER, GRAPH_PAPER, EVIDENCE = BASE + "paper/", BASE + "graph/paper/", BASE + "evidence/"
ENTITIES_GRAPH = BASE + "graph/entities"
TITLE = "http://purl.org/dc/terms/title"
HAS_CODE = BASE + "ontology#hasCode"
TARGET_QUADS = 1_000_000


# ---------------------------------------------------------------------------------------------------
# The graphs


def sample_nquads(cache: Path, rebuild: bool) -> Path:
    """The sample corpus built with kg.build(), as N-Quads (named graphs kept), cached."""
    path = cache / "sample.nq"
    if rebuild or not path.is_file():
        import kg

        t = time.perf_counter()
        g = kg.build()
        data = g.store.dump_bytes("nquads")
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        print(f"built the sample corpus with kg.build() in {time.perf_counter() - t:.1f} s -> {path}", flush=True)
    return path


def _canonical_quads(path: Path) -> list[ox.Quad]:
    quads = list(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))
    quads.sort(key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))
    return quads


def synthetic_nquads(sample: Path, copies: int, cache: Path, rebuild: bool) -> Path:
    """``copies`` renamed copies of the sample's paper graphs plus its entities graph once, cached."""
    path = cache / f"synthetic-{copies}.nq"
    if not rebuild and path.is_file() and path.stat().st_mtime >= sample.stat().st_mtime:
        return path
    t = time.perf_counter()
    quads = _canonical_quads(sample)
    code = {q.object.value for q in quads if q.predicate.value == HAS_CODE and isinstance(q.object, ox.NamedNode)}
    shared = [q for q in quads if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value == ENTITIES_GRAPH]
    per_paper = [q for q in quads if not (isinstance(q.graph_name, ox.NamedNode)
                                          and q.graph_name.value == ENTITIES_GRAPH)]
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        ox.serialize(shared, f, ox.RdfFormat.N_QUADS)
        for c in range(copies):
            if c == 0:
                ox.serialize(per_paper, f, ox.RdfFormat.N_QUADS)
                continue
            memo: dict[str, ox.NamedNode] = {}
            suffix = f"-c{c}"

            def rename(term, memo=memo, suffix=suffix, c=c):
                if not isinstance(term, ox.NamedNode):
                    return term
                v = term.value
                new = memo.get(v)
                if new is None:
                    if v.startswith((PAPER, GRAPH_PAPER, EVIDENCE)):
                        new = ox.NamedNode(v + suffix)
                    elif v in code:
                        new = ox.NamedNode(v + f"#copy-{c}" if "#" not in v else v + f"-copy-{c}")
                    else:
                        new = term
                    memo[v] = new
                return new

            out = []
            for q in per_paper:
                obj = q.object
                if q.predicate.value == TITLE and isinstance(obj, ox.Literal):
                    obj = ox.Literal(f"{obj.value} [copy {c}]", datatype=obj.datatype)
                else:
                    obj = rename(obj)
                out.append(ox.Quad(rename(q.subject), q.predicate, obj, rename(q.graph_name)))
            ox.serialize(out, f, ox.RdfFormat.N_QUADS)
    tmp.replace(path)
    print(f"made the synthetic graph ({copies} copies) in {time.perf_counter() - t:.1f} s -> {path}", flush=True)
    return path


def copies_for(sample: Path, target: int) -> int:
    quads = list(ox.parse(path=str(sample), format=ox.RdfFormat.N_QUADS))
    shared = sum(1 for q in quads if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value == ENTITIES_GRAPH)
    return max(1, math.ceil((target - shared) / (len(quads) - shared)))


# ---------------------------------------------------------------------------------------------------
# Loading


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


class Loaded:
    """The three engines holding one graph, and the load figures."""

    def __init__(self, nq: Path, workdir: Path) -> None:
        self.nq = nq
        store_dir = workdir / f"store-{nq.stem}"
        shutil.rmtree(store_dir, ignore_errors=True)
        t = time.perf_counter()
        handle = ox.Store(str(store_dir))
        handle.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
        handle.flush()
        self.quads = len(handle)
        del handle
        self.disk_s = time.perf_counter() - t
        self.disk_bytes = _du(store_dir)
        self.disk = Store.open(store_dir)

        t = time.perf_counter()
        self.mem = Store.in_memory_from_file(nq)
        self.mem_s = time.perf_counter() - t

        t = time.perf_counter()
        self.rdflib = Dataset(default_union=True)
        self.rdflib.parse(str(nq), format="nquads")
        self.rdflib_s = time.perf_counter() - t
        self.rdflib_quads = len(self.rdflib)  # default_union: distinct triples of the union

    def close(self) -> None:
        self.disk.close()


# ---------------------------------------------------------------------------------------------------
# Parameters from the graph itself


def _first(store: Store, sparql: str) -> str:
    rows = store.query(sparql).rows
    if not rows:
        raise SystemExit(f"no value in the graph for a parameter: {sparql}")
    return str(rows[0][0])


def parameters(store: Store) -> dict[str, str]:
    dataset = _first(store, """SELECT ?label WHERE { ?e a kgo:Dataset ; rdfs:label ?label . ?p a kgo:Paper ; kgo:uses ?e }
        GROUP BY ?e ?label ORDER BY DESC(COUNT(DISTINCT ?p)) LCASE(STR(?label)) ?e LIMIT 1""")
    task = _first(store, """SELECT ?label WHERE { ?e a kgo:Task ; rdfs:label ?label . ?p a kgo:Paper ; kgo:addressesTask ?e }
        GROUP BY ?e ?label ORDER BY DESC(COUNT(DISTINCT ?p)) LCASE(STR(?label)) ?e LIMIT 1""")
    alias = _first(store, """SELECT ?alias WHERE {
          { SELECT ?e (COUNT(DISTINCT ?p) AS ?n) WHERE { ?e a kgo:Entity ; skos:altLabel ?a .
            ?p a kgo:Paper ; kgo:proposes|kgo:uses|kgo:addressesTask|kgo:reportsMetric ?e } GROUP BY ?e }
          ?e skos:altLabel ?alias } ORDER BY DESC(?n) ?e ?alias LIMIT 1""")
    title = _first(store, """SELECT ?title WHERE { ?p a kgo:Paper ; dcterms:title ?title ;
          kgo:proposes|kgo:uses|kgo:addressesTask|kgo:reportsMetric ?e }
        GROUP BY ?p ?title ORDER BY DESC(COUNT(DISTINCT ?e)) ?title ?p LIMIT 1""")
    values = {"dataset": dataset, "task": task, "label": alias, "title": title}
    out = {}
    for q in list_named_queries():
        missing = [p for p in q.params if p not in values]
        if missing:
            raise SystemExit(f"no parameter value for {q.name}: {missing} (teach parameters() about it)")
        out[q.name] = {p: values[p] for p in q.params}
    return out


# ---------------------------------------------------------------------------------------------------
# Timing


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout


def timed(fn, runs: int, slow: float, cap: float | None):
    """(median seconds, runs made, last result or None, note). ``cap`` (SIGALRM) abandons a run."""
    times, result, note = [], None, ""
    for _ in range(runs):
        if cap:
            signal.signal(signal.SIGALRM, _alarm)
            signal.setitimer(signal.ITIMER_REAL, cap)
        t = time.perf_counter()
        try:
            result = fn()
        except _Timeout:
            return None, len(times) + 1, None, f">{cap:g}s"
        finally:
            if cap:
                signal.setitimer(signal.ITIMER_REAL, 0)
        times.append(time.perf_counter() - t)
        if times[-1] > slow:
            note = "slow" if len(times) < runs else ""
            break
    return statistics.median(times), len(times), result, note


def _row_key(row) -> tuple:
    return tuple(None if t is None else (type(t).__name__, str(t), str(getattr(t, "datatype", None) or ""),
                                         getattr(t, "language", None) or "") for t in row)


def _rows(result) -> Counter | None:
    return None if result is None else Counter(_row_key(r) for r in result.rows)


def _ms(s: float | None) -> str:
    if s is None:
        return "-"
    return f"{s * 1000:.1f}" if s < 10 else f"{s * 1000:.0f}"


def _short(params: dict[str, str]) -> str:
    text = ", ".join(f"{k}={v!r}" for k, v in params.items()) or "-"
    return text if len(text) <= 48 else text[:47] + "…"


def bench_queries(name: str, g: Loaded, args, ox_runs: int, rdf_runs: int, skip: set[str]) -> list[str]:
    """Print the latency table; ``skip``: queries rdflib is not run on (abandoned on a smaller graph).
    Adds to ``skip`` the queries whose rdflib run was abandoned here."""
    problems = []
    params = parameters(g.disk)
    print(f"\nQuery latency on {name} ({g.quads:,} quads); median ms over n runs "
          f"(oxigraph n={ox_runs}; rdflib n<={rdf_runs}, no repeat after a run > {args.slow:g} s, "
          f"abandoned after {args.cap:g} s)")
    head = (f"{'query':<27} {'disk_ms':>8} {'mem_ms':>8} {'rdflib_ms':>10} {'n':>2} {'x':>7} {'rows':>7}  "
            f"{'check':<13} params")
    print(head)
    print("-" * len(head))
    for q in list_named_queries():
        p = params[q.name]
        d_s, _, d_res, _ = timed(lambda: run_named_query(g.disk, q.name, p), ox_runs, args.slow, None)
        m_s, _, m_res, _ = timed(lambda: run_named_query(g.mem, q.name, p), ox_runs, args.slow, None)
        if q.name in skip:
            r_s, r_n, r_res, note = None, 0, None, "skipped"
        else:
            r_s, r_n, r_res, note = timed(lambda: run_named_query(g.rdflib, q.name, p), rdf_runs, args.slow,
                                          args.cap)
            if r_res is None:
                skip.add(q.name)
        rows = len(d_res.rows)
        d_rows, m_rows, r_rows = _rows(d_res), _rows(m_res), _rows(r_res)
        if r_rows is None:
            check = "rdflib n/a" if d_rows == m_rows else "VALUES DIFFER"
        elif d_rows == m_rows == r_rows:
            check = "ok"
        elif len(d_res.rows) == len(m_res.rows) == len(r_res.rows):
            check = "VALUES DIFFER"
        else:
            check = "ROWS DIFFER"
        if "DIFFER" in check:
            counts = f"disk {len(d_res.rows)}, mem {len(m_res.rows)}, rdflib {'-' if r_res is None else len(r_res.rows)}"
            problems.append(f"{name}: {q.name}: {check} ({counts}); params {p}")
        if rows == 0:
            problems.append(f"{name}: {q.name}: EMPTY answer with params {p}")
        ratio = "-" if r_s is None else f"{r_s / d_s:.1f}" if r_s >= d_s else f"{r_s / d_s:.2f}"
        rdf_cell = note if r_s is None else _ms(r_s) + ("*" if note == "slow" else "")
        print(f"{q.name:<27} {_ms(d_s):>8} {_ms(m_s):>8} {rdf_cell:>10} {r_n:>2} {ratio:>7} {rows:>7}  "
              f"{check:<13} {_short(p)}", flush=True)
    return problems


# ---------------------------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="2 copies, 2 runs, cap 30 s")
    ap.add_argument("--copies", type=int, default=None, help="copies of the sample in the synthetic graph "
                    f"(default: the fewest giving >= {TARGET_QUADS:,} quads)")
    ap.add_argument("--runs", type=int, default=None, help="runs per engine and query (default 5; --quick 2)")
    ap.add_argument("--slow", type=float, default=10.0, help="no further rdflib runs after one slower than this (s)")
    ap.add_argument("--cap", type=float, default=None, help="abandon an rdflib run after this many s (default 60)")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "paperkg-store-latency")
    ap.add_argument("--rebuild", action="store_true", help="remake the cached N-Quads files")
    args = ap.parse_args()
    runs = args.runs or (2 if args.quick else 5)
    args.cap = args.cap or (30.0 if args.quick else 60.0)
    started = time.perf_counter()
    args.cache.mkdir(parents=True, exist_ok=True)

    sample = sample_nquads(args.cache, args.rebuild)
    copies = args.copies or (2 if args.quick else copies_for(sample, TARGET_QUADS))
    synthetic = synthetic_nquads(sample, copies, args.cache, args.rebuild)
    workdir = Path(tempfile.mkdtemp(prefix="stores-", dir=args.cache))

    print(f"\npyoxigraph {ox.__version__}, rdflib {__import__('rdflib').__version__}, python "
          f"{sys.version.split()[0]}, {os.cpu_count()} cpus")
    print("\nLoad from N-Quads (seconds)")
    head = (f"{'graph':<22} {'quads':>10} {'rdflib_triples':>14} {'nq_MB':>7} {'ox_disk_s':>9} {'disk_MB':>8} "
            f"{'ox_mem_s':>8} {'rdflib_s':>8}")
    print(head)
    print("-" * len(head))
    problems: list[str] = []
    graphs = [("sample", sample, runs, min(runs, 3)), (f"synthetic x{copies}", synthetic, min(runs, 3), min(runs, 2))]
    if args.quick:
        graphs[1] = (graphs[1][0], synthetic, runs, runs)
    loaded = []
    for name, nq, _, _ in graphs:
        g = Loaded(nq, workdir)
        loaded.append(g)
        print(f"{name:<22} {g.quads:>10,} {g.rdflib_quads:>14,} {nq.stat().st_size / 2**20:>7.1f} {g.disk_s:>9.2f} "
              f"{g.disk_bytes / 2**20:>8.1f} {g.mem_s:>8.2f} {g.rdflib_s:>8.2f}", flush=True)
    skip: set[str] = set()
    for (name, _, ox_runs, rdf_runs), g in zip(graphs, loaded):
        problems += bench_queries(name, g, args, ox_runs, rdf_runs, skip)
    for g in loaded:
        g.close()
    shutil.rmtree(workdir, ignore_errors=True)

    print()
    if problems:
        print("!" * 78)
        for p in problems:
            print("!! " + p)
        print("!" * 78)
    else:
        print("all engines returned the same rows for every query; no empty answers")
    print(f"total {time.perf_counter() - started:.0f} s (N-Quads cached in {args.cache})")


if __name__ == "__main__":
    main()
