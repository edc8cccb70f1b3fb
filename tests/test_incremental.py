"""Adding papers to an on-disk store: no duplicates, changed papers replaced, only changed graphs
rewritten, and a store left as it was by Ctrl-C, an error or kill -9 at any point of the update."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import kg
import kg.atomic
import kg.store
from kg.atomic import dir_lock
from kg.errors import StoreError
from kg.knowledge_graph import EXTRACTIONS_FILE
from kg.store import Store

SOURCES = Path(__file__).parent / "data" / "sources"
PAPERS = SOURCES / "papers.jsonl"  # 3 papers
ARXIV = SOURCES / "arxiv-snapshot.json"  # 4 more papers


@pytest.fixture(scope="module")
def nlp():
    return kg.nlp()


def quads(path: Path) -> set[bytes]:
    with Store.open(path, read_only=True) as s:
        return set(s.dump_bytes("nquads").splitlines())


def snapshot(path: Path) -> tuple[set[bytes], bytes]:
    """What a store holds: its quads and its kept NLP output."""
    return quads(path), (path / EXTRACTIONS_FILE).read_bytes()


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".") and not p.name.endswith(".lock"))


@pytest.fixture
def store(tmp_path, nlp) -> Path:
    """A store of the 3 papers of papers.jsonl, as `kg build` writes it."""
    return kg.build(PAPERS, nlp=nlp).save_store(tmp_path / "store")


def changed_copy(tmp_path: Path) -> Path:
    """papers.jsonl with a new abstract for "Consistency Models" (same title: the same paper)."""
    lines = PAPERS.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[0])
    assert record["title"] == "Consistency Models"
    record["abstract"] = "We propose consistency models and evaluate them on CIFAR-10 and CIFAR-100."
    lines[0] = json.dumps(record)
    path = tmp_path / "papers-v2.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# -- incremental adds ---------------------------------------------------------------------------------


def test_a_built_store_keeps_its_nlp_output(store):
    g = kg.load(store)
    assert g._extractions is None  # read on first need
    g._check_extractions()
    assert sorted(ex.paper.title for ex in g._extractions) == sorted(p["title"] for p in kg.load(store).papers())


def test_adding_to_a_store_gives_what_one_build_of_all_sources_gives(store, nlp):
    g = kg.load(store)
    report = g.add([ARXIV, PAPERS], nlp=nlp)
    assert (report.papers, report.updated, report.duplicates) == (4, 0, 3)
    g.save_store(store)
    assert quads(store) == set(kg.build([PAPERS, ARXIV], nlp=nlp).store.dump_bytes("nquads").splitlines())
    assert len(kg.load(store).papers()) == 7


def test_adding_the_same_papers_again_rewrites_nothing(store, nlp):
    before = snapshot(store)
    g = kg.load(store)
    report = g.add(PAPERS, nlp=nlp)
    assert (report.papers, report.updated, report.duplicates) == (0, 0, 3)
    changes = Store.update_from(g.store, store, files={EXTRACTIONS_FILE: before[1]})
    assert (changes.added, changes.replaced, changes.removed, changes.unchanged) == ([], [], [], 4)
    assert snapshot(store) == before


def test_a_changed_record_replaces_its_paper_and_only_changed_graphs_are_rewritten(store, tmp_path, nlp):
    v2 = changed_copy(tmp_path)
    g = kg.load(store)
    report = g.add(v2, nlp=nlp)
    assert (report.papers, report.updated, report.duplicates) == (0, 1, 2)
    changes = Store.update_from(g.store, store)
    # the re-extracted paper's graph and the entities graph (new: CIFAR-10, CIFAR-100); 2 papers untouched
    assert [c.rsplit("/", 2)[-2] for c in changes.replaced] == ["graph", "paper"]
    assert (changes.added, changes.removed, changes.unchanged) == ([], [], 2)
    answer = kg.load(store).query(
        "SELECT ?abstract ?l WHERE { ?p dcterms:title 'Consistency Models' ; kgo:abstract ?abstract ; "
        "kgo:usesDataset|kgo:evaluatesOn ?d . ?d rdfs:label ?l } ORDER BY ?l")
    assert [str(r[1]) for r in answer.rows] == ["CIFAR-10", "CIFAR-100"]
    assert {str(r[0]) for r in answer.rows} == {"We propose consistency models and evaluate them on CIFAR-10 and "
                                               "CIFAR-100."}
    assert len(kg.load(store).papers()) == 3
    assert quads(store) == set(kg.build(v2, nlp=nlp).store.dump_bytes("nquads").splitlines())


def test_kg_add_on_the_command_line(store, tmp_path):
    out = store.parent
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    r = subprocess.run([sys.executable, "-m", "kg", "add", str(ARXIV), str(PAPERS), "--out", str(out)],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert "7 records -> 4 papers added, 0 re-extracted, 3 already in the graph or repeated" in r.stdout
    assert len(kg.load(out / "store").papers()) == 7
    assert len(kg.load(out / "graph.ttl").papers()) == 7
    assert (out / "explorer.html").is_file()


def test_kg_add_without_a_built_store_is_one_line(tmp_path):
    r = subprocess.run([sys.executable, "-m", "kg", "add", str(PAPERS), "--out", str(tmp_path / "none")],
                       capture_output=True, text=True)
    assert r.returncode != 0
    assert r.stderr.strip().splitlines() == [f"kg: error: no store at {tmp_path / 'none' / 'store'} to add to; "
                                             f"build one first: kg build --out {tmp_path / 'none'}"]


def test_a_second_writer_is_refused_while_one_writes(store, nlp):
    g = kg.load(store)
    g.add(ARXIV, nlp=nlp)
    before = snapshot(store)
    with dir_lock(store):
        with pytest.raises(StoreError, match=r"being written by another process"):
            g.save_store(store)
    assert snapshot(store) == before


def test_a_store_without_kept_nlp_output_refuses_add(store, nlp):
    (store / EXTRACTIONS_FILE).unlink()
    with pytest.raises(kg.KGError, match="keeps no NLP output"):
        kg.load(store).add(ARXIV, nlp=nlp)


# -- interruption -------------------------------------------------------------------------------------

#: Places in Store.update_from where the tests interrupt it: (module, function, which call).
STEPS = {
    "after the checkpoint": ("kg.store", "_replace_update", 1),
    "after writing the graphs": ("kg.store", "_write_files", 1),
    "before the swap": ("kg.atomic.os", "replace", 1),
    "between the two renames": ("kg.atomic.os", "replace", 2),
    "after the swap": ("kg.atomic.shutil", "rmtree", 1),
}


def _interrupt_at(monkeypatch, step: str, action) -> None:
    module_name, attr, nth = STEPS[step]
    module = {"kg.store": kg.store, "kg.atomic.os": kg.atomic.os, "kg.atomic.shutil": kg.atomic.shutil}[module_name]
    real = getattr(module, attr)
    calls = []

    def wrapper(*args, **kwargs):
        calls.append(1)
        if len(calls) == nth:
            action()
        return real(*args, **kwargs)

    monkeypatch.setattr(module, attr, wrapper)


@pytest.mark.parametrize("step", [s for s in STEPS if s != "after the swap"])
def test_ctrl_c_during_an_update_leaves_the_store_as_it_was(store, nlp, monkeypatch, step):
    g = kg.load(store)
    g.add(ARXIV, nlp=nlp)
    before = snapshot(store)

    def ctrl_c():
        raise KeyboardInterrupt

    _interrupt_at(monkeypatch, step, ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        g.save_store(store)
    monkeypatch.undo()
    assert snapshot(store) == before
    assert leftovers(store.parent) == []
    g.save_store(store)  # and the next update goes through
    assert len(kg.load(store).papers()) == 7


_KILLED_UPDATE = textwrap.dedent("""
    import os, signal, sys
    import kg, kg.atomic, kg.store
    from kg.store import Store
    module_name, attr, nth, store, new = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
    module = {"kg.store": kg.store, "kg.atomic.os": kg.atomic.os, "kg.atomic.shutil": kg.atomic.shutil}[module_name]
    real, calls = getattr(module, attr), []
    def wrapper(*args, **kwargs):
        calls.append(1)
        if len(calls) == nth:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    setattr(module, attr, wrapper)
    Store.update_from(Store.in_memory_from_file(new), store, files={"paperkg-extractions.jsonl.gz": b"new"})
""")


@pytest.mark.parametrize("step", list(STEPS))
def test_kill_9_during_an_update_leaves_the_old_store_or_the_complete_new_one(store, nlp, tmp_path, step):
    before = snapshot(store)
    bigger = kg.build([PAPERS, ARXIV], nlp=nlp).save(tmp_path / "bigger.nq")
    proc = subprocess.run([sys.executable, "-c", _KILLED_UPDATE, *map(str, STEPS[step]), str(store), str(bigger)],
                          capture_output=True, text=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    after = snapshot(store)  # opening the store puts it back if the kill came between the two renames
    if step == "after the swap":
        assert after == (set(bigger.read_bytes().splitlines()), b"new")
    else:
        assert after == before
    Store.update_from(Store.in_memory_from_file(bigger), store)  # the next writer cleans up
    assert leftovers(store.parent) == []
    assert quads(store) == set(bigger.read_bytes().splitlines())


# -- real signals to `kg add` -------------------------------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill-9"])
def test_a_signal_at_any_time_during_kg_add_leaves_the_old_or_the_new_store(store, nlp, tmp_path, sig):
    """Signals `kg add` at several moments spread over a run; each time the store is either as it
    was or completely updated, and opens."""
    before = snapshot(store)
    expected_after = set(kg.build([PAPERS, ARXIV], nlp=nlp).store.dump_bytes("nquads").splitlines())
    out = store.parent
    cmd = [sys.executable, "-m", "kg", "add", str(ARXIV), "--out", str(out)]
    started = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    duration = time.perf_counter() - started
    outcomes = set()
    for fraction in (0.3, 0.6, 0.8, 0.9, 0.97):
        Store.create_from(Store.in_memory_from_file(_nquads_file(before[0], tmp_path)), store,
                          files={EXTRACTIONS_FILE: before[1]}).close()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(duration * fraction)
        proc.send_signal(sig)
        proc.wait()
        now = quads(store)
        assert now in (before[0], expected_after)
        outcomes.add("old" if now == before[0] else "new")
    assert "old" in outcomes


def _nquads_file(lines: set[bytes], tmp_path: Path) -> Path:
    path = tmp_path / "before.nq"
    path.write_bytes(b"\n".join(sorted(lines)) + b"\n")
    return path


def test_a_written_store_has_the_permissions_mkdir_gives(store, tmp_path):
    (tmp_path / "plain").mkdir()
    assert store.stat().st_mode & 0o777 == (tmp_path / "plain").stat().st_mode & 0o777


def test_a_store_without_kept_nlp_output_can_still_be_saved_elsewhere(store, tmp_path):
    (store / EXTRACTIONS_FILE).unlink()
    copy = kg.load(store).save_store(tmp_path / "copy")
    assert quads(copy) == quads(store)
    assert not (copy / EXTRACTIONS_FILE).exists()
