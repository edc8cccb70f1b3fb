"""kg build --scheduler: the NLP on a real Dask cluster (a ``dask scheduler`` and ``dask worker`` processes on
127.0.0.1, started here, stopped by PID) gives the graph a local build gives; a worker killed mid-build has its
task run again elsewhere (Dask's rule), or, when the cluster allows no more failures, the build stops with one
line and leaves the output folder as it was; clear errors without Dask or without a scheduler."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from test_incremental import ARXIV, PAPERS, leftovers, quads
from servers import free_port
from test_push import stop_server
from typer.testing import CliRunner

import kg
import kg.cluster
from kg.cli import app

distributed = pytest.importorskip("distributed")

TESTS = Path(__file__).parent


@dataclass
class Cluster:
    """A local Dask cluster: its scheduler's address, the processes, and the folder of the pause preload."""

    address: str
    pause: Path
    scheduler: subprocess.Popen
    workers: list[subprocess.Popen] = field(default_factory=list)

    def stop(self) -> None:
        for proc in [*self.workers, self.scheduler]:
            stop_server(proc, timeout=10)

    def arm(self, nth: int) -> None:
        """Make the ``nth`` paperkg task started from now on pause (see tests/dask_pause.py)."""
        for p in self.pause.iterdir():
            p.unlink()
        (self.pause / "armed").write_text(str(nth))

    def kill_paused_worker(self, running: subprocess.Popen | threading.Thread) -> int:
        """Wait until a worker pauses in a task, kill -9 it, return its PID."""
        deadline = time.monotonic() + 120
        while not (self.pause / "paused").exists():
            alive = running.poll() is None if isinstance(running, subprocess.Popen) else running.is_alive()
            assert alive, "the build ended before any worker paused"
            assert time.monotonic() < deadline, "no worker paused within 120 s"
            time.sleep(0.05)
        pid = int((self.pause / "paused").read_text())
        assert pid in [w.pid for w in self.workers]
        os.kill(pid, signal.SIGKILL)
        return pid


def start_cluster(tmp: Path, workers: int, env: dict[str, str] | None = None) -> Cluster:
    """A scheduler on a free loopback port and ``workers`` one-thread workers (no nanny: a killed worker stays
    dead), each with the pause preload; returns once every worker has joined."""
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "pause").mkdir()
    env = {**os.environ, "PAPERKG_TEST_PAUSE_DIR": str(tmp / "pause"), **(env or {})}
    dask = [sys.executable, "-m", "dask"]
    port = free_port()
    scheduler = subprocess.Popen([*dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                                 env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cluster = Cluster(f"tcp://127.0.0.1:{port}", tmp / "pause", scheduler)
    try:
        for i in range(workers):
            cluster.workers.append(subprocess.Popen(
                [*dask, "worker", cluster.address, "--nthreads", "1", "--no-nanny", "--no-dashboard", "--host",
                 "127.0.0.1", "--local-directory", str(tmp / f"worker-{i}"), "--preload", str(TESTS / "dask_pause.py")],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        with distributed.Client(cluster.address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=120)
    except BaseException:
        cluster.stop()
        raise
    return cluster


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Two workers, Dask's default rules (a task whose worker dies is run again elsewhere, up to 3 times)."""
    c = start_cluster(tmp_path_factory.mktemp("dask"), workers=2)
    yield c
    c.stop()


@pytest.fixture(scope="module")
def nlp():
    return kg.nlp()


def _pipelines(c: Cluster) -> dict[str, int]:
    """Each worker's loaded pipelines: address -> id of the pipeline object of its paperkg plugin."""
    def ids(dask_worker):
        return [id(p._nlp) for name, p in dask_worker.plugins.items() if name.startswith("paperkg-nlp-")]

    with distributed.Client(c.address, set_as_default=False) as client:
        return client.run(ids)


def test_a_build_on_the_cluster_gives_the_graph_of_a_local_build(cluster, nlp, tmp_path):
    local = kg.build(out=tmp_path / "local", nlp=nlp)
    remote = kg.build(out=tmp_path / "remote", scheduler=cluster.address)
    assert remote.report.papers == local.report.papers == 468
    assert quads(tmp_path / "remote" / "store") == quads(tmp_path / "local" / "store")
    assert (tmp_path / "remote" / "graph.ttl").read_bytes() == (tmp_path / "local" / "graph.ttl").read_bytes()
    loaded = _pipelines(cluster)
    assert len(loaded) == 2 and all(len(ids) == 1 for ids in loaded.values())  # both workers took part
    kg.build(PAPERS, scheduler=cluster.address)
    assert _pipelines(cluster) == loaded  # a second build finds each worker's pipeline loaded


def test_the_workers_run_the_pipeline_the_client_gives(cluster, tmp_path):
    rules = kg.nlp.load(exclude=kg.nlp.LEARNED_PIPES)
    local = kg.build([PAPERS, ARXIV], nlp=rules, out=tmp_path / "local")
    kg.build([PAPERS, ARXIV], nlp=rules, scheduler=cluster.address, batch_size=2, out=tmp_path / "remote")
    assert quads(tmp_path / "remote" / "store") == quads(tmp_path / "local" / "store")
    assert quads(tmp_path / "local" / "store") != set(kg.build([PAPERS, ARXIV]).store.dump_bytes("nquads").splitlines())


def test_a_worker_killed_mid_build_has_its_task_run_again_and_the_graph_is_complete(cluster, nlp, tmp_path):
    expected = kg.build([PAPERS, ARXIV], nlp=nlp, out=tmp_path / "local")
    cluster.arm(3)  # the third task of seven (a paper each)
    result: dict = {}

    def run():
        try:
            result["graph"] = kg.build([PAPERS, ARXIV], scheduler=cluster.address, batch_size=1,
                                       out=tmp_path / "remote")
        except BaseException as err:  # noqa: BLE001 - reported by the assertion below
            result["error"] = err

    thread = threading.Thread(target=run)
    thread.start()
    pid = cluster.kill_paused_worker(thread)
    thread.join(timeout=300)
    assert "error" not in result, result.get("error")
    assert [w.wait(timeout=10) for w in cluster.workers if w.pid == pid] == [-signal.SIGKILL]
    assert result["graph"].report.papers == expected.report.papers == 7
    assert quads(tmp_path / "remote" / "store") == quads(tmp_path / "local" / "store")


@pytest.fixture
def strict_cluster(tmp_path):
    """One worker on a scheduler that allows no worker to die with a task (allowed-failures 0)."""
    c = start_cluster(tmp_path / "strict", workers=1, env={"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0"})
    yield c
    c.stop()


def test_a_task_whose_workers_die_stops_the_build_and_leaves_the_previous_outputs(strict_cluster, nlp, tmp_path):
    out = tmp_path / "out"
    kg.build(PAPERS, nlp=nlp, out=out)
    before = {"store": quads(out / "store"), **{p: (out / p).read_bytes() for p in ("graph.ttl", "explorer.html")}}
    strict_cluster.arm(1)
    build = subprocess.Popen([sys.executable, "-m", "kg", "build", str(ARXIV), "--out", str(out), "--scheduler",
                              strict_cluster.address], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    strict_cluster.kill_paused_worker(build)
    _, stderr = build.communicate(timeout=120)
    assert build.returncode == 1
    assert stderr.count("\n") == 1
    assert stderr.startswith(f"kg: error: papers {ARXIV}:1-4: the Dask workers running them died 1 time (Dask's "
                             "allowed-failures is 0); the build was stopped.")
    after = {"store": quads(out / "store"), **{p: (out / p).read_bytes() for p in ("graph.ttl", "explorer.html")}}
    assert after == before
    assert leftovers(out) == []


def test_an_unreachable_scheduler_is_one_line_and_exit_2(monkeypatch, tmp_path):
    monkeypatch.setattr(kg.cluster, "CONNECT_TIMEOUT_S", 0.5)
    address = f"tcp://127.0.0.1:{free_port()}"
    result = CliRunner().invoke(app, ["build", str(PAPERS), "--out", str(tmp_path / "out"), "--scheduler", address])
    assert result.exit_code == 2
    assert result.stderr == (f"kg: error: cannot reach the Dask scheduler at '{address}' (Timed out trying to connect "
                             f"to {address} after 0.5 s); is it running (dask scheduler), and is the address "
                             "tcp://HOST:PORT?\n")
    assert not (tmp_path / "out").exists()


def test_a_malformed_scheduler_address_is_one_line_and_exit_2(tmp_path):
    result = CliRunner().invoke(app, ["build", str(PAPERS), "--out", str(tmp_path / "out"), "--scheduler", "host"])
    assert result.exit_code == 2
    assert result.stderr.startswith("kg: error: cannot reach the Dask scheduler at 'host' (missing port number")


def test_without_dask_the_scheduler_option_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` raises ImportError
    result = CliRunner().invoke(app, ["build", str(PAPERS), "--out", str(tmp_path / "out"), "--scheduler",
                                      "tcp://127.0.0.1:8786"])
    assert result.exit_code == 2
    assert result.stderr == ("kg: error: --scheduler needs Dask's distributed scheduler, which is not installed: "
                             "pip install 'paperkg[dask]'\n")


def test_n_process_does_not_apply_to_a_cluster_build():
    with pytest.raises(kg.errors.ClusterError, match=r"n_process=2 is for a local build"):
        kg.build(PAPERS, scheduler="tcp://127.0.0.1:8786", n_process=2)


def test_the_plugin_crosses_the_wire_without_its_pipeline():
    import pickle

    plugin = kg.cluster.PipelinePlugin(None)
    plugin._nlp = object()  # as on a worker, after setup
    copy = pickle.loads(pickle.dumps(plugin))
    assert (copy.name, copy.config, copy._nlp) == (plugin.name, None, None)
    assert copy.name != kg.cluster.PipelinePlugin("[nlp]\nlang = \"en\"").name
