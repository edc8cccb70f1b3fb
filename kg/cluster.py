"""Run the NLP on a Dask cluster (``dask.distributed``): ``kg build --scheduler tcp://HOST:8786``.

Only the NLP leaves this machine. :func:`extract_on_cluster` reads the papers here, sends them to the
cluster's workers in tasks of :data:`PAPERS_PER_TASK` papers, and yields the results as
:class:`~kg.records.Extraction` records in input order, so that :func:`kg.knowledge_graph.from_extractions`
links and bulk-loads them here exactly as it does the output of a local build (the graph is the same, quad
for quad). Memory stays bounded: tasks are submitted as earlier ones are collected, at most
:data:`TASKS_PER_THREAD` per worker thread in flight, and a task's papers are dropped once its results are
yielded; no list of all papers or all results is ever made.

Each worker loads the pipeline once: a :class:`PipelinePlugin` (a Dask worker plugin, registered for the
workers there now and any that join later) builds it from the client's pipeline config (``nlp.config``; a
loaded spaCy pipeline does not pickle) and keeps it for every task of the build. A worker's task sends back
each paper's mentions and code links, not the paper, which this side still holds.

Faults: a worker that dies while running a task (killed, out of memory) has its task run again on another
worker, which is Dask's own rule (``distributed.scheduler.allowed-failures``, default 3); the build goes on
and its graph is complete. A task that has killed more workers than that fails the build with a
:class:`~kg.errors.PipelineError` naming its papers. The build writes into a new store swapped in only when
complete (:func:`kg.knowledge_graph.from_extractions`), so a failed build leaves the output folder as it was.
A cluster without workers is waited for (an adaptive cluster may be starting them): Ctrl-C stops the build.

Needs ``pip install 'paperkg[dask]'`` here and on every worker (the same paperkg version: each worker's
plugin checks). Importing this module without ``distributed`` installed works; using it raises
:class:`~kg.errors.ClusterError`.
"""
from __future__ import annotations

import hashlib
import logging
import threading
from collections import deque
from itertools import islice
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from .errors import ClusterError, KGError, PipelineError
from .records import CodeLink, Extraction, Mention, Paper

try:
    from distributed import WorkerPlugin
except ImportError:  # paperkg[dask] not installed: extract_on_cluster says so before anything uses this
    WorkerPlugin = object  # type: ignore[assignment,misc]

if TYPE_CHECKING:
    from distributed import Client, Future
    from spacy.language import Language

log = logging.getLogger(__name__)

#: Papers per task sent to a worker (and per ``nlp.pipe`` batch there). Measured on a local cluster of two
#: one-thread workers, 2,000 synthetic papers (2 shared cores): 16 -> 226, 64 -> 239, 256 -> 229 papers/s. A
#: task of 64 papers is ~0.5 s of NLP, well above Dask's overhead per task (~1 ms), and small enough that the
#: last tasks of a build spread over the workers; it is also the local batch size (kg.nlp.DEFAULT_BATCH_SIZE).
PAPERS_PER_TASK = 64
#: Tasks in flight per worker thread: one running and one queued, so that a worker never waits for this side
#: between tasks (the same 2 as the local NLP workers' chunks). The papers held here are at most
#: TASKS_PER_THREAD x threads x PAPERS_PER_TASK (2 x 100 threads x 64 papers ~ 25 MB of abstracts).
TASKS_PER_THREAD = 2
#: Seconds to wait for the scheduler to answer when connecting. A scheduler on this machine answers in ~0.1 s
#: and one across a network in well under a second; Dask's own default (30 s) is long to wait for a typo.
CONNECT_TIMEOUT_S = 10.0

#: What a worker sends back for one paper: its mentions and code links.
Found = tuple[tuple[Mention, ...], tuple[CodeLink, ...]]


def _distributed() -> Any:
    try:
        import distributed
    except ImportError as err:
        raise ClusterError("--scheduler needs Dask's distributed scheduler, which is not installed: "
                           "pip install 'paperkg[dask]'") from err
    return distributed


class PipelinePlugin(WorkerPlugin):
    """Loads paperkg's NLP pipeline once on each Dask worker (on registration, and on a worker that joins
    later) and runs it for the tasks of a build.

    ``config``: the pipeline's spaCy config (``nlp.config.to_str()``), or None for the shipped pipeline
    (:func:`kg.nlp.load`). The plugin's :attr:`name` is made from the config and paperkg's version, so two
    builds with different pipelines on one cluster each use their own, and a second build with the same one
    finds it loaded (``idempotent``: registering it again does nothing).
    """

    idempotent = True

    def __init__(self, config: str | None) -> None:
        from . import __version__

        self.config = config
        self.version = __version__
        digest = hashlib.sha1(f"{__version__}\n{config or ''}".encode()).hexdigest()[:16]
        self.name = f"paperkg-nlp-{digest}"
        self._nlp: Language | None = None
        self._lock: threading.Lock | None = None

    def __getstate__(self) -> dict:
        return {"config": self.config, "version": self.version, "name": self.name}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, _nlp=None, _lock=threading.Lock())

    def setup(self, worker: Any) -> None:
        """Check the worker's paperkg version and load the pipeline (errors reach the client that registers)."""
        from . import __version__

        if __version__ != self.version:
            raise ClusterError(f"the Dask worker {worker.address} has paperkg {__version__}, this side "
                               f"{self.version}: install the same version on every worker")
        self.pipeline()

    def pipeline(self) -> Language:
        """The pipeline, loaded on first use (a worker whose setup failed tries again, and raises the error)."""
        with self._lock:
            if self._nlp is None:
                from . import nlp

                self._nlp = nlp.load() if self.config is None else nlp.from_config(self.config)
            return self._nlp

    def extract(self, papers: list[Paper]) -> list[Found]:
        """Each paper's mentions and code links, one ``nlp.pipe`` batch (one at a time on this worker: spaCy
        holds the GIL, so a worker's threads would take turns anyway; run one-thread workers, as many as cores)."""
        from .nlp import extract

        nlp = self.pipeline()
        with self._lock:
            return [(ex.mentions, ex.code) for ex in extract(papers, nlp, batch_size=len(papers), n_process=1)]


def _extract_task(papers: list[Paper], plugin_name: str) -> list[Found]:
    """The task a worker runs: the mentions and code links of ``papers`` (run by the plugin's pipeline).

    An error of the pipeline goes back as a PipelineError naming the papers and the worker, without the
    worker's traceback: Dask's client hangs on an error whose traceback it cannot rebuild (a RecursionError's).
    """
    from distributed import get_worker

    worker = get_worker()
    try:
        return worker.plugins[plugin_name].extract(papers)
    except KGError:
        raise
    except Exception as err:  # noqa: BLE001 - any error of the pipeline: named, sent back as one line
        raise PipelineError(f"papers {_where(papers)}: the NLP pipeline failed on the Dask worker {worker.address}: "
                            f"{type(err).__name__}: {err}") from None


def extract_on_cluster(papers: Iterable[Paper], scheduler: str, nlp: Language | None = None, *,
                       papers_per_task: int = PAPERS_PER_TASK) -> Iterator[Extraction]:
    """Extract ``papers`` on the Dask cluster whose scheduler is at ``scheduler``; yield one Extraction per
    paper, in input order (the same as :func:`kg.nlp.extract` gives).

    Args:
        papers: any iterable of Paper records, read lazily as tasks are submitted.
        scheduler: the scheduler's address, ``tcp://HOST:8786``.
        nlp: a pipeline from :func:`kg.nlp.load`, rebuilt on the workers from its config (a model folder it
            names must be at the same path on the workers); None: the shipped pipeline.
        papers_per_task: papers per task (see :data:`PAPERS_PER_TASK`).
    Raises:
        ClusterError: Dask is not installed, the scheduler cannot be reached, the workers cannot load the
            pipeline, or the connection to the scheduler is lost.
        PipelineError: the pipeline failed on a paper, or a task's workers kept dying (papers named).
    """
    distributed = _distributed()
    if papers_per_task < 1:
        raise ClusterError(f"papers per task: {papers_per_task} is below 1; it must be at least 1")
    client = _connect(distributed, scheduler)
    pending: deque[tuple[list[Paper], Future]] = deque()
    try:
        plugin = PipelinePlugin(None if nlp is None else nlp.config.to_str())
        _register(client, plugin, scheduler)
        it = iter(papers)
        while chunk := list(islice(it, papers_per_task)):
            while len(pending) >= _window(client):
                yield from _collect(*pending.popleft(), scheduler)
            pending.append((chunk, client.submit(_extract_task, chunk, plugin.name, pure=False)))
        while pending:
            yield from _collect(*pending.popleft(), scheduler)
    except OSError as err:  # distributed's CommClosedError and the like: the scheduler went away
        raise ClusterError(f"lost the connection to the Dask scheduler at {scheduler} ({err}); the build was "
                           "stopped") from err
    finally:
        for _, future in pending:
            future.release()
        client.close()


def _connect(distributed: Any, scheduler: str) -> Client:
    from distributed.comm import get_address_host_port

    try:
        get_address_host_port(scheduler)  # a malformed address fails here, before a Client exists to be closed
        return distributed.Client(scheduler, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, ValueError, TypeError) as err:  # TimeoutError is an OSError; a bad address a ValueError
        reason = " ".join(str(err).split()) or type(err).__name__
        raise ClusterError(f"cannot reach the Dask scheduler at {scheduler!r} ({reason}); is it running "
                           "(dask scheduler), and is the address tcp://HOST:PORT?") from err


def _register(client: Client, plugin: PipelinePlugin, scheduler: str) -> None:
    try:
        client.register_plugin(plugin, name=plugin.name)
    except ClusterError:
        raise
    except (ImportError, KGError, OSError) as err:  # paperkg or its model missing on a worker
        raise ClusterError(f"the Dask workers of {scheduler} cannot load paperkg's pipeline "
                           f"({type(err).__name__}: {err}); install paperkg[dask] (version "
                           f"{plugin.version}) on every worker") from err


def _window(client: Client) -> int:
    """Tasks to keep in flight: TASKS_PER_THREAD per worker thread now in the cluster (at least one's worth)."""
    return TASKS_PER_THREAD * max(1, sum(client.nthreads().values()))


def _collect(papers: list[Paper], future: Future, scheduler: str) -> Iterator[Extraction]:
    from distributed import KilledWorker
    from distributed.client import FutureCancelledError

    try:
        found = future.result()
    except KGError:  # the pipeline's error on a worker (it names the papers)
        raise
    except KilledWorker as err:
        deaths = err.allowed_failures + 1
        raise PipelineError(f"papers {_where(papers)}: the Dask workers running them died {deaths} time"
                            f"{'s' if deaths > 1 else ''} (Dask's allowed-failures is {deaths - 1}); the build was "
                            "stopped. If they ran out of memory, give the workers more") from err
    except FutureCancelledError as err:  # the client lost the scheduler and gave up its tasks
        raise ClusterError(f"lost the connection to the Dask scheduler at {scheduler} while papers "
                           f"{_where(papers)} were being extracted ({err.reason}); the build was stopped") from err
    except Exception as err:  # noqa: BLE001 - the task did not run (e.g. a worker cannot unpickle it): named
        raise ClusterError(f"papers {_where(papers)}: a Dask worker of {scheduler} could not run paperkg's task "
                           f"({type(err).__name__}: {err}); is paperkg[dask] {PipelinePlugin(None).version} "
                           "installed on every worker?") from err
    finally:
        future.release()
    for paper, (mentions, code) in zip(papers, found):
        yield Extraction(paper, mentions, code)


def _where(papers: list[Paper]) -> str:
    """'a.jsonl:3-66', 'a.jsonl:60 to b.jsonl:4' or "'First title' to 'Last title'"."""
    head, tail = papers[0], papers[-1]
    if not head.source:
        return f"{head.title[:40]!r} to {tail.title[:40]!r}"
    if tail.source == head.source:
        return f"{head.source}:{head.line}-{tail.line}"
    return f"{head.source}:{head.line} to {tail.source}:{tail.line}"


__all__ = ["extract_on_cluster", "PipelinePlugin", "PAPERS_PER_TASK", "TASKS_PER_THREAD", "CONNECT_TIMEOUT_S"]
