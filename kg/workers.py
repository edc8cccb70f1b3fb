"""Queries run in worker processes that can be killed: at the time limit, at a memory cap, or when they crash.

Oxigraph cannot cancel a running query, and a query can grow without bound before its first row (a cartesian
``COUNT(*)``, an ``ORDER BY`` over a product grows ~300 MB/s). In a thread it keeps its core and its memory
until it ends, and a crash of the engine takes the whole server down. So the server (:mod:`kg.server`) hands
each query to a :class:`QueryPool`:

- a worker is a process forked from a forkserver that has imported :mod:`kg.store` (ready in ~30 ms); it opens
  the store read-only itself (a store in memory is handed over as N-Quads), caps its own address space at what
  it uses once the store is open plus ``memory_mb`` (``RLIMIT_AS``), and answers one query at a time with
  :meth:`kg.store.Store.query_serialized`;
- at the deadline the worker is killed (SIGKILL: its CPU and memory are free at once) and the caller gets
  :class:`QueryTimeoutError`; a worker that dies (over its memory cap: the allocator aborts; or a crash) gives
  :class:`WorkerDiedError`; either way a new worker takes its place when one is next needed;
- at most ``max_workers`` run at once (a query waits for a free one, and the wait counts against its
  deadline); at most ``keep_idle`` stay alive between queries.
"""
from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import multiprocessing
import os
import signal
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import QueryError, StoreError

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from .store import Store

log = logging.getLogger(__name__)

#: Most worker processes running queries at once. Each idle worker holds ~50 MB; 6 leaves a free worker for
#: cheap queries while 4 runaway ones run to their deadline (``benchmarks/endpoint_runaway.py``).
DEFAULT_MAX_WORKERS = 6

#: Workers kept alive between queries (more are started when queries overlap, and leave when done).
DEFAULT_KEEP_IDLE = 2

#: Memory a worker may take on top of what it uses with the store open (MiB; enforced with RLIMIT_AS). The
#: largest legitimate answers, 100,000 rows of every quad of a 105k-quad store as SPARQL JSON (31 MB) or XML
#: (36 MB; answers are written to a file as they are serialised), pass at 128 MiB; 4 runaway queries at the cap
#: then keep the server's tree under 1 GB (``benchmarks/endpoint_runaway.py``).
DEFAULT_MEMORY_MB = 128


class QueryTimeoutError(QueryError):
    """The query was still running at its deadline; its worker was killed."""


class WorkerDiedError(QueryError):
    """The worker running the query died: ``memory`` says whether it was over its memory cap (an abort or a
    MemoryError), or crashed otherwise."""

    def __init__(self, message: str, memory: bool) -> None:
        self.memory = memory
        super().__init__(message)


class RemoteError(QueryError):
    """An error the worker reported: ``kind`` is ``"update"``, ``"limit"``, ``"query"`` or ``"store"``."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        super().__init__(message)


# ---------------------------------------------------------------------------------------------------
# The worker side


def _vm_size() -> int:
    """This process's address space in bytes (VmSize), 0 when /proc is not there."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _open_store(source: tuple[str, Any]) -> Store:
    from .store import Store

    kind, value = source
    if kind == "path":
        return Store.open(value, read_only=True)
    import pyoxigraph as ox

    handle = ox.Store()
    if value:
        handle.bulk_load(value, ox.RdfFormat.N_QUADS)
    from pathlib import Path

    return Store(handle, Path(":memory:"))


def _worker_main(conn: Connection, source: tuple[str, Any], memory_mb: int) -> None:
    """A worker's loop: open the store, cap memory, then answer one query per message until EOF, each answer
    written into the file the message names (the server sends it and deletes it)."""
    import resource

    from .results import UpdateRefusedError
    from .store import ResultLimitError

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle; it stops the workers
    os.environ["RUST_BACKTRACE"] = "0"  # over the memory cap, one line on stderr, not a backtrace
    try:
        store = _open_store(source)
    except Exception as err:  # noqa: BLE001 - reported to the server, which raises it as a StoreError
        conn.send(("failed", f"{type(err).__name__}: {err}"))
        return
    base = _vm_size()
    if base and memory_mb > 0:
        limit = base + memory_mb * 1024 * 1024
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        sparql, results_format, graph_format, max_rows, bindings, path = job
        try:
            with open(path, "wb") as out:
                r = store.query_serialized(sparql, results_format=results_format, graph_format=graph_format,
                                           max_rows=max_rows, output=out, bindings=bindings)
            reply: tuple = ("ok", r.kind, r.format, r.rows)
        except UpdateRefusedError as err:
            reply = ("update", str(err))
        except ResultLimitError as err:
            reply = ("limit", str(err))
        except QueryError as err:
            reply = ("query", str(err))
        except StoreError as err:
            reply = ("store", str(err))
        except MemoryError:
            os._exit(70)  # the server reads this exit as "over the memory cap"
        try:
            conn.send(reply)
        except MemoryError:
            os._exit(70)
        except (OSError, ValueError):
            return
        reply = r = None  # noqa: F841 - free the answer before waiting for the next query


# ---------------------------------------------------------------------------------------------------
# The server side


def _context():
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["kg.workers", "kg.store"])
    return ctx


@contextlib.contextmanager
def _main_not_reimported():
    """While a worker starts: tell multiprocessing that ``__main__`` is not to be run again in the worker
    (spawn and forkserver children re-run the parent's main script unless it is guarded by ``if __name__ ==
    "__main__"``, and cannot at all from ``python -`` or ``-c``); workers need nothing from it."""
    import sys
    import types

    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    missing = object()
    saved = main.__dict__.get("__spec__", missing)
    main.__spec__ = types.SimpleNamespace(name="__main__")
    try:
        yield
    finally:
        if saved is missing:
            del main.__spec__
        else:
            main.__spec__ = saved


@dataclass(frozen=True)
class Answer:
    """A query's answer, written by a worker: ``kind`` (``"select"``, ``"ask"``, ``"graph"``), ``format`` (a key
    of :data:`kg.store.RESULTS_FORMATS` or :data:`kg.store.GRAPH_FORMATS`, ``None`` when no format was offered
    for the kind), ``path`` (the file holding it: the caller deletes it), ``rows``."""

    kind: str
    format: str | None
    path: str
    rows: int


@dataclass(eq=False)
class _Worker:
    process: Any
    conn: Connection
    ready: bool = False

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.close()
        with contextlib.suppress(Exception):
            self.process.kill()


class QueryPool:
    """Worker processes answering queries over one store; use from one asyncio event loop (see the module
    docstring).

    Params:
        store: the open :class:`kg.store.Store` to serve; a store on disk is reopened read-only by each worker,
            a store in memory is dumped once and loaded by each worker.
        max_workers, keep_idle, memory_mb: :data:`DEFAULT_MAX_WORKERS`, :data:`DEFAULT_KEEP_IDLE`,
            :data:`DEFAULT_MEMORY_MB`.
    """

    def __init__(self, store: Store, *, max_workers: int = DEFAULT_MAX_WORKERS, keep_idle: int = DEFAULT_KEEP_IDLE,
                 memory_mb: int = DEFAULT_MEMORY_MB) -> None:
        from .store import is_store

        if max_workers < 1 or keep_idle < 0 or memory_mb < 0:
            raise ValueError(f"max_workers must be >= 1, keep_idle and memory_mb >= 0 (got {max_workers}, "
                             f"{keep_idle}, {memory_mb})")
        if is_store(store.path):
            self._source: tuple[str, Any] = ("path", str(store.path))
        else:
            self._source = ("nquads", store.dump_bytes("nquads"))
        self.max_workers = max_workers
        self.keep_idle = keep_idle
        self.memory_mb = memory_mb
        import tempfile

        self.folder = tempfile.mkdtemp(prefix="kg-answers-")  #: where workers write answers
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._slots: asyncio.Semaphore | None = None
        self.restarts = 0  #: workers killed or lost (deadline, memory, crash)
        self._answers = itertools.count()

    # -- workers -----------------------------------------------------------------------------------

    def _start(self) -> _Worker:
        ctx = _context()
        parent, child = ctx.Pipe()
        process = ctx.Process(target=_worker_main, args=(child, self._source, self.memory_mb),
                              name="kg-query-worker", daemon=True)
        with _main_not_reimported():
            process.start()
        child.close()
        return _Worker(process, parent)

    async def _receive(self, worker: _Worker, deadline: float) -> Any:
        """The worker's next message; TimeoutError at ``deadline``; EOFError if it died."""
        loop = asyncio.get_running_loop()
        ready: asyncio.Future = loop.create_future()
        fd = worker.conn.fileno()
        loop.add_reader(fd, lambda: ready.done() or ready.set_result(None))
        try:
            await asyncio.wait_for(ready, timeout=max(deadline - time.monotonic(), 0.001))
        finally:
            loop.remove_reader(fd)
        return worker.conn.recv()

    async def _take(self, deadline: float) -> _Worker:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.max_workers)
        await asyncio.wait_for(self._slots.acquire(), timeout=max(deadline - time.monotonic(), 0.001))
        while self._idle:
            worker = self._idle.pop()
            if worker.process.is_alive():
                break
            worker.kill()
        else:
            worker = self._start()
        self._busy.add(worker)
        if worker.ready:
            return worker
        try:
            message = await self._receive(worker, deadline)
        except BaseException:
            self._lose(worker)
            raise
        if message[0] != "ready":
            self._lose(worker)
            raise StoreError(f"a query worker could not open the store: {message[1]}")
        worker.ready = True
        return worker

    def warm(self) -> None:
        """Start ``keep_idle`` workers now (they open the store while the server starts)."""
        while len(self._idle) < self.keep_idle:
            self._idle.append(self._start())

    def _give_back(self, worker: _Worker) -> None:
        self._busy.discard(worker)
        if len(self._idle) < self.keep_idle:
            self._idle.append(worker)
        else:
            worker.kill()
            self._reap(worker)
        self._slots.release()

    def _lose(self, worker: _Worker) -> None:
        """Kill a worker that timed out or died, and free its slot (a new worker starts when next needed)."""
        self._busy.discard(worker)
        worker.kill()
        self.restarts += 1
        self._reap(worker)
        self._slots.release()

    @staticmethod
    def _reap(worker: _Worker) -> None:
        loop = asyncio.get_running_loop()
        loop.run_in_executor(None, worker.process.join, 5)

    # -- queries -----------------------------------------------------------------------------------

    async def run(self, sparql: str, *, results_format: str | None, graph_format: str | None,
                  max_rows: int | None, deadline: float, bindings: dict[str, Any] | None = None) -> Answer:
        """Answer a query in a worker, by ``deadline`` (a ``time.monotonic()`` value).

        ``bindings``: variable name → value, bound by the engine (:meth:`kg.store.Store.query_serialized`).

        Returns: an :class:`Answer` (delete its file once sent).

        Raises: QueryTimeoutError at the deadline (waiting for a free worker counts); WorkerDiedError if the
            worker died; RemoteError for an error the worker reported; StoreError if no worker could open the
            store.
        """
        try:
            worker = await self._take(deadline)
        except asyncio.TimeoutError as err:
            raise QueryTimeoutError("no query worker became free before the deadline") from err
        path = os.path.join(self.folder, f"{next(self._answers)}.answer")
        try:
            try:
                worker.conn.send((sparql, results_format, graph_format, max_rows, bindings or None, path))
                message = await self._receive(worker, deadline)
            except asyncio.TimeoutError as err:
                self._lose(worker)
                raise QueryTimeoutError("the query was still running at the deadline; its worker was killed") from err
            except asyncio.CancelledError:  # the client went away: stop its query
                self._lose(worker)
                raise
            except (EOFError, OSError) as err:
                code = await self._exit_code(worker)
                self._lose(worker)
                memory = code in (70, -signal.SIGABRT, -signal.SIGKILL)
                raise WorkerDiedError(f"the query worker died (exit {code})", memory) from err
            self._give_back(worker)
            if message[0] == "ok":
                return Answer(message[1], message[2], path, message[3])
            raise RemoteError(message[0], message[1])
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(path)
            raise

    @staticmethod
    async def _exit_code(worker: _Worker) -> int | None:
        for _ in range(50):
            if worker.process.exitcode is not None:
                return worker.process.exitcode
            await asyncio.sleep(0.01)
        return worker.process.exitcode

    def worker_pids(self) -> list[int]:
        """The process ids of the live workers (for monitoring)."""
        return [w.process.pid for w in [*self._idle, *self._busy] if w.process.pid is not None]

    def close(self) -> None:
        """Kill every worker."""
        for worker in [*self._idle, *self._busy]:
            worker.kill()
        for worker in [*self._idle, *self._busy]:
            with contextlib.suppress(Exception):
                worker.process.join(1)
        self._idle.clear()
        self._busy.clear()
        import shutil

        shutil.rmtree(self.folder, ignore_errors=True)


__all__ = ["QueryPool", "Answer", "QueryTimeoutError", "WorkerDiedError", "RemoteError", "DEFAULT_MAX_WORKERS",
           "DEFAULT_KEEP_IDLE", "DEFAULT_MEMORY_MB"]
