"""A Dask worker preload for tests/test_cluster.py (``dask worker --preload tests/dask_pause.py``): makes a
worker stop at a known task so that the test can kill it there, whatever the machine's load.

Once the test writes N into ``$PAPERKG_TEST_PAUSE_DIR/armed``, every paperkg task that starts on any worker
of the cluster takes the next ticket (a file created exclusively, so tickets are unique across workers); the
task with ticket N writes its worker's PID to ``paused`` and sleeps, and the test kills that worker.
"""
from __future__ import annotations

import os
import time

import kg.cluster

PAUSE_DIR = os.environ.get("PAPERKG_TEST_PAUSE_DIR", "")  # unset when pytest imports this file to collect it
# the worker may import a preload more than once: wrap the real task, never the wrapper
_real_task = getattr(kg.cluster._extract_task, "unpaused", kg.cluster._extract_task)


def _ticket() -> int:
    n = 1
    while True:
        try:
            os.close(os.open(os.path.join(PAUSE_DIR, f"ticket-{n}"), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            return n
        except FileExistsError:
            n += 1


def _paused_task(papers, plugin_name):
    armed = os.path.join(PAUSE_DIR, "armed")
    if os.path.exists(armed) and _ticket() == int(open(armed).read()):
        tmp = os.path.join(PAUSE_DIR, "paused.tmp")
        with open(tmp, "w") as f:
            f.write(str(os.getpid()))
        os.replace(tmp, os.path.join(PAUSE_DIR, "paused"))
        time.sleep(300)  # the test kills this worker here
    return _real_task(papers, plugin_name)


# tasks are pickled by reference (kg.cluster._extract_task): this worker unpickles them to the wrapper
if PAUSE_DIR:
    _paused_task.unpaused = _real_task
    kg.cluster._extract_task = _paused_task
