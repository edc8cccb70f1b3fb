"""Extraction in worker processes forked from a loaded pipeline.

spaCy's own ``nlp.pipe(n_process=N)`` was slower with 2 processes than with 1 here (89 vs 172 papers/s on
1,000 synthetic papers): each worker builds the pipeline and its catalogue PhraseMatchers anew, and every Doc
is serialised back to the parent. Instead, :func:`extract_parallel`:

* warms the parent's pipeline up (one text through every component builds the lazily made catalogue
  matchers) and then forks the workers (``multiprocessing`` context ``"fork"``): they inherit the pipeline,
  matchers included, built once;
* sends each worker chunks of paper texts and gets back, per paper, only the mentions and code links
  (plain records, see :func:`kg.nlp.found`); the parent pairs them with its own :class:`~kg.records.Paper`
  objects into :class:`~kg.records.Extraction` records, so no Doc and no paper crosses back;
* yields the extractions in input order, holding at most ``(CHUNKS_PER_WORKER + 1) * n_process`` chunks
  of papers (sent, done or waiting for their turn) at once, and pulling the input only as chunks are
  needed;
* turns a failure into a :class:`~kg.errors.PipelineError`: a paper the pipeline fails on is named by file
  and line (raised at that paper's turn, after the papers before it, as in one process); a worker that
  dies (killed, out of memory) fails the run at once, naming the worker, its exit status and the papers it
  held. Nothing is dropped silently and nothing waits forever on a dead worker.

Each worker has one duplex pipe to the parent (a socket pair that only that worker and the parent hold, so
a worker's death is seen as end-of-file by the parent, and the parent's death by the worker, which then
stops) and a thread that reads its tasks off the pipe as they come, so that the parent never blocks on a
worker busy sending its results back.

Where ``"fork"`` is not available (Windows), extraction runs in one process, with a warning.
"""
from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import queue
import signal
import threading
import traceback
from collections import deque
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from kg.errors import PipelineError
from kg.records import CodeLink, Extraction, Mention, Paper

if TYPE_CHECKING:
    from spacy.language import Language

log = logging.getLogger(__name__)

#: Chunks of papers each worker holds (one being extracted, the rest queued), so that it never waits for
#: the parent between chunks. Measured (2,000 synthetic papers, 2 workers, chunks of 64, no other job
#: running): 1 -> 315 and 323, 2 -> 333, 4 -> 320 papers/s, differences within the run-to-run spread (~5%);
#: 2 keeps the next chunk queued while one is extracted, at half the papers held of 4.
CHUNKS_PER_WORKER = 2

#: A text that sends every component through its lazy set-up (catalogue matchers, lookups) before the fork.
WARM_UP_TEXT = ("WarmNet: Warming Up a Vision Transformer for Image Classification\n"
                "We propose WarmNet, a convolutional neural network (CNN) trained on ImageNet with knowledge "
                "distillation (KD), and report top-1 accuracy and FID. Code: https://github.com/paperkg/warmnet.")

#: What a worker sends back for one paper: its mentions and code links.
Found = tuple[tuple[Mention, ...], tuple[CodeLink, ...]]


def available_cores() -> int:
    """The number of CPU cores this process may run on (its affinity mask, not the machine's core count).

    >>> available_cores() >= 1
    True
    """
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows: no affinity masks
        return os.cpu_count() or 1


class PaperFailed(Exception):
    """The pipeline raised on one text of a chunk: ``index`` in the chunk, the error's type, message and
    formatted traceback (plain strings, so it can cross a process boundary)."""

    def __init__(self, index: int, error: BaseException) -> None:
        super().__init__(index, type(error).__name__, str(error),
                         "".join(traceback.format_exception(type(error), error, error.__traceback__)))
        self.index, self.kind, self.message, self.traceback = self.args


class RemoteTraceback(Exception):
    """Carries a worker's traceback text so that it shows as the cause of the parent's error."""

    def __str__(self) -> str:
        return f'\n"""\n{self.args[0]}"""'


def paper_error(paper: Paper, position: int, kind: str, message: str) -> PipelineError:
    """The error for a paper the pipeline failed on, naming its file and line (or its place in the input)."""
    where = f"{paper.source}:{paper.line}" if paper.source else f"paper {position + 1} of the input"
    return PipelineError(f"{where}: the NLP pipeline failed on this paper ({paper.title[:60]!r}): {kind}: {message}; "
                         "this is a bug in paperkg or in a custom pipeline component: please report it with this "
                         "record")


def found_in_chunk(nlp: Language, texts: list[str], batch_size: int, found: Callable) -> list[Found]:
    """Run the pipeline over one chunk of texts; on a failure, find the text it fails on.

    Raises :class:`PaperFailed` naming the failing text's index (the first one that fails on its own; the
    chunk's first text if none does, e.g. a failure that depends on the batch).
    """
    try:
        return [found(doc) for doc in nlp.pipe(texts, batch_size=batch_size)]
    except Exception as chunk_error:  # noqa: BLE001 - any component error: find and name the paper, re-raised
        for i, text in enumerate(texts):
            try:
                found(nlp(text))
            except Exception as error:  # noqa: BLE001 - re-raised as PaperFailed (then a PipelineError)
                raise PaperFailed(i, error) from error
        raise PaperFailed(0, chunk_error) from chunk_error


# --------------------------------------------------------------------------- the worker side


def _work(nlp: Language, conn: Connection, inherited: list[Connection], batch_size: int, found: Callable) -> None:
    """A worker's loop: read chunks ``(id, texts)``, send back ``(id, [Found…])`` or ``(id, PaperFailed args)``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops the workers
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not a handler the parent installed (its cleanup is its own)
    for other in inherited:  # the parent's ends of the pipes (this worker's and earlier ones'), copied by fork
        other.close()
    tasks: queue.SimpleQueue = queue.SimpleQueue()

    def receive() -> None:
        try:
            while True:
                tasks.put(conn.recv())
        except (EOFError, OSError):  # the parent closed the pipe or died: stop after the current chunk
            tasks.put(None)

    threading.Thread(target=receive, daemon=True).start()
    while (task := tasks.get()) is not None:
        chunk_id, texts = task
        try:
            reply: tuple = (chunk_id, found_in_chunk(nlp, texts, batch_size, found), None)
        except PaperFailed as failed:
            reply = (chunk_id, None, failed.args)
        try:
            conn.send(reply)
        except (BrokenPipeError, ConnectionResetError):  # the parent is gone
            return


# --------------------------------------------------------------------------- the parent side


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    chunks: deque = field(default_factory=deque)  #: ids of the chunks sent and not answered yet

    def describe(self) -> str:
        """'worker 2 (pid 1234) was killed by signal SIGKILL' and the like."""
        self.process.join(timeout=1.0)
        code = self.process.exitcode
        if code is None:
            status = "stopped answering"
        elif code < 0:
            try:
                status = f"was killed by signal {signal.Signals(-code).name}"
            except ValueError:
                status = f"was killed by signal {-code}"
        else:
            status = f"exited with status {code}"
        return f"NLP worker process {self.process.pid} {status}"


def _span(papers: list[Paper], first: int) -> str:
    """Where a chunk of papers came from: 'a.jsonl:3-66', 'a.jsonl:60 to b.jsonl:4' or 'papers 1-64 of the input'."""
    head, tail = papers[0], papers[-1]
    if not head.source:
        return f"papers {first + 1}-{first + len(papers)} of the input"
    if tail is head:
        return f"{head.source}:{head.line}"
    if tail.source == head.source:
        return f"{head.source}:{head.line}-{tail.line}"
    return f"{head.source}:{head.line} to {tail.source}:{tail.line}"


def extract_parallel(papers: Iterable[Paper], nlp: Language, *, batch_size: int, n_process: int,
                     found: Callable) -> Iterator[Extraction]:
    """Extract ``papers`` in ``n_process`` forked workers; yield the extractions in input order.

    Args:
        papers: any iterable of Paper records (pulled lazily, a chunk at a time).
        nlp: the loaded pipeline; it is warmed up here and inherited by the workers.
        batch_size: papers per chunk sent to a worker (and per ``nlp.pipe`` batch in it).
        n_process: worker processes (>= 2).
        found: ``Doc -> (mentions, code)``, run in the workers.
    Raises:
        PipelineError: the pipeline failed on a paper (named), or a worker died.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        log.warning("no 'fork' start method on this platform: extracting in one process")
        yield from extract_serial(papers, nlp, batch_size=batch_size, found=found)
        return
    chunks = _chunks(papers, batch_size)
    first = next(chunks, None)
    if first is None:
        return
    second = next(chunks, None)
    if second is None:  # one chunk: forking would cost more than it saves
        yield from extract_serial(first[1], nlp, batch_size=batch_size, found=found)
        return
    chunks = _prepend([first, second], chunks)
    nlp(WARM_UP_TEXT)
    workers = _start(nlp, n_process, batch_size, found)
    finished = False
    try:
        yield from _run(workers, chunks, max_held=(CHUNKS_PER_WORKER + 1) * n_process)
        finished = True
    finally:
        _stop(workers, kill=not finished)


def extract_serial(papers: Iterable[Paper], nlp: Language, *, batch_size: int, found: Callable) -> Iterator[Extraction]:
    """The same as :func:`extract_parallel`, in this process (same chunks, same results, same errors)."""
    for start, chunk in _chunks(papers, batch_size):
        try:
            results = found_in_chunk(nlp, [p.text for p in chunk], batch_size, found)
        except PaperFailed as failed:
            raise paper_error(chunk[failed.index], start + failed.index, failed.kind, failed.message) from failed.__cause__
        for paper, (mentions, code) in zip(chunk, results):
            yield Extraction(paper, mentions, code)


def _chunks(papers: Iterable[Paper], size: int) -> Iterator[tuple[int, list[Paper]]]:
    """``(position of the first paper, papers)`` for consecutive chunks of ``size`` papers."""
    it = iter(papers)
    start = 0
    while chunk := list(islice(it, size)):
        yield start, chunk
        start += len(chunk)


def _prepend(head: list, rest: Iterator) -> Iterator:
    yield from head
    yield from rest


def _start(nlp: Language, n_process: int, batch_size: int, found: Callable) -> list[_Worker]:
    context = multiprocessing.get_context("fork")
    workers: list[_Worker] = []
    gc.collect()
    gc.freeze()  # keep the workers' garbage collector off the inherited objects: fewer pages copied on write
    try:
        for _ in range(n_process):
            parent_end, child_end = context.Pipe(duplex=True)
            # the worker closes the parent's ends it inherits (its own and earlier workers'): then the
            # parent's death reads as end-of-file in every worker, and stops it
            inherited = [w.conn for w in workers] + [parent_end]
            process = context.Process(target=_work, name="paperkg-nlp", daemon=True,
                                      args=(nlp, child_end, inherited, batch_size, found))
            process.start()
            child_end.close()  # only the worker holds its end now: its death reads as end-of-file
            workers.append(_Worker(process, parent_end))
    except OSError as err:
        _stop(workers, kill=True)
        raise PipelineError(f"cannot start NLP worker processes: {err}; use n_process=1") from err
    finally:
        gc.unfreeze()
    log.debug("started %d NLP workers: %s", n_process, ", ".join(str(w.process.pid) for w in workers))
    return workers


def _run(workers: list[_Worker], chunks: Iterator[tuple[int, list[Paper]]], max_held: int) -> Iterator[Extraction]:
    held: dict[int, tuple[int, list[Paper]]] = {}  # chunk id -> (position, papers), until yielded
    done: dict[int, tuple] = {}  # chunk id -> (results, failure), until its turn
    sent = turn = 0
    more = True
    by_conn = {w.conn: w for w in workers}
    while True:
        # keep every worker busy, within the bound on chunks held
        while more and len(held) < max_held:
            worker = min(workers, key=lambda w: len(w.chunks))
            if len(worker.chunks) >= CHUNKS_PER_WORKER:
                break
            item = next(chunks, None)
            if item is None:
                more = False
                break
            held[sent] = item
            try:
                worker.conn.send((sent, [p.text for p in item[1]]))
            except (BrokenPipeError, ConnectionResetError) as err:
                raise _died(worker, held) from err
            worker.chunks.append(sent)
            sent += 1
        # hand out the chunks whose turn it is
        while turn in done:
            results, failure = done.pop(turn)
            start, papers = held.pop(turn)
            if failure is not None:
                index, kind, message, remote = failure
                raise paper_error(papers[index], start + index, kind, message) from RemoteTraceback(remote)
            for paper, (mentions, code) in zip(papers, results):
                yield Extraction(paper, mentions, code)
            turn += 1
        if not held:
            return
        if turn in done:
            continue
        # wait for a worker to answer (or die)
        for conn in wait(list(by_conn)):
            worker = by_conn[conn]
            try:
                chunk_id, results, failure = conn.recv()
            except (EOFError, OSError) as err:
                raise _died(worker, held) from err
            worker.chunks.remove(chunk_id)
            done[chunk_id] = (results, failure)


def _died(worker: _Worker, held: dict[int, tuple[int, list[Paper]]]) -> PipelineError:
    lost = [held[c] for c in worker.chunks if c in held]
    papers = " (it held papers " + ", ".join(_span(p, s) for s, p in lost) + ")" if lost else ""
    return PipelineError(f"{worker.describe()} while extracting{papers}; the extraction was stopped. If it ran "
                         "out of memory, run again with fewer processes (--n-process, n_process=)")


def _stop(workers: list[_Worker], *, kill: bool) -> None:
    """Stop the workers. Done: they exit at end-of-file on their pipe (any still running a second later is
    killed). Failed or abandoned (``kill``): they are killed at once, their work being of no use."""
    for w in workers:
        w.conn.close()
        if kill and w.process.exitcode is None:
            w.process.kill()
    for w in workers:
        w.process.join(timeout=None if kill else 1.0)
        if w.process.exitcode is None:
            w.process.kill()
            w.process.join()
