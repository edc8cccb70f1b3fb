"""Adding papers to an on-disk store: no duplicates, changed papers replaced, only what changed rewritten,
the lock taken before anything is read, and a store left as it was by Ctrl-C, an error or kill -9 at any
point of the update (and of a build into an existing output folder)."""
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
import kg.ingest
import kg.store
from kg.atomic import dir_lock
from kg.errors import GraphError, StoreError
from kg.extractions import EXTRACTIONS_FILE, segments
from kg.graph import ENTITIES_GRAPH, paper_graph_iri
from kg.records import Paper
from kg.store import Store
from kg.tables import TABLES_FILE

SOURCES = Path(__file__).parent / "data" / "sources"
PAPERS = SOURCES / "papers.jsonl"  # 3 papers
ARXIV = SOURCES / "arxiv-snapshot.json"  # 4 more papers


@pytest.fixture(scope="module")
def nlp():
    return kg.nlp()


def quads(path: Path) -> set[bytes]:
    with Store.open(path, read_only=True) as s:
        return set(s.dump_bytes("nquads").splitlines())


def graphs(path: Path) -> dict[bytes, set[bytes]]:
    """Each named graph's quads."""
    out: dict[bytes, set[bytes]] = {}
    for q in quads(path):
        out.setdefault(q.rsplit(b" ", 2)[-2], set()).add(q)
    return out


def snapshot(path: Path) -> tuple[set[bytes], dict[str, bytes]]:
    """What a store holds: its quads, and its linking tables and kept NLP output."""
    files = {p.name: p.read_bytes() for p in [path / TABLES_FILE, *segments(path)]}
    return quads(path), files


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".") and not p.name.endswith(".lock"))


def built_quads(sources, nlp) -> set[bytes]:
    return set(kg.build(sources, nlp=nlp).store.dump_bytes("nquads").splitlines())


@pytest.fixture
def store(tmp_path, nlp) -> Path:
    """A store of the 3 papers of papers.jsonl, as `kg build` writes it."""
    kg.build(PAPERS, nlp=nlp, out=tmp_path)
    return tmp_path / "store"


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


def test_a_built_store_keeps_its_nlp_output_and_linking_tables(store):
    g = kg.load(store)
    assert sorted(ex.paper.title for ex in g.extractions()) == sorted(p["title"] for p in g.papers())
    assert (store / TABLES_FILE).is_file() and [p.name for p in segments(store)] == [EXTRACTIONS_FILE]


def test_adding_to_a_store_gives_what_one_build_of_all_sources_gives(store, nlp):
    g = kg.load(store)
    report = g.add([ARXIV, PAPERS], nlp=nlp)
    assert (report.papers, report.updated, report.duplicates) == (4, 0, 3)
    assert quads(store) == built_quads([PAPERS, ARXIV], nlp)
    assert len(g.papers()) == 7 and len(kg.load(store).papers()) == 7  # g sees the new store
    # the NLP output of the new papers went to a file of their own; the build's is untouched
    assert [p.name for p in segments(store)] == [EXTRACTIONS_FILE, "paperkg-extractions.1.jsonl.gz"]
    assert sorted(ex.paper.title for ex in g.extractions()) == sorted(p["title"] for p in g.papers())


def test_after_an_add_the_folder_holds_what_a_build_of_all_sources_writes(store, nlp, tmp_path, monkeypatch):
    """graph.ttl byte for byte, though only the changed graphs' parts of it were serialised again."""
    serialised = []
    real = kg.store._without_prefix_lines
    monkeypatch.setattr(kg.store, "_without_prefix_lines",
                        lambda chunk: (chunk and serialised.append(chunk)) or real(chunk))
    kg.load(store.parent).add(ARXIV, nlp=nlp)
    assert len(serialised) == 4 + 1  # the 4 new papers' graphs and the entities graph (3 papers' parts copied)
    monkeypatch.undo()
    kg.build([PAPERS, ARXIV], nlp=nlp, out=tmp_path / "all")
    assert (store.parent / "graph.ttl").read_bytes() == (tmp_path / "all" / "graph.ttl").read_bytes()
    assert (store.parent / "explorer.html").read_bytes() == (tmp_path / "all" / "explorer.html").read_bytes()


def test_adding_the_same_papers_again_rewrites_nothing(store, nlp):
    before, inode = snapshot(store), store.stat().st_ino
    report = kg.load(store).add(PAPERS, nlp=nlp)
    assert (report.papers, report.updated, report.duplicates) == (0, 0, 3)
    assert snapshot(store) == before and store.stat().st_ino == inode  # the checkpoint was thrown away


def test_a_changed_record_replaces_its_paper_and_only_what_changed_is_rewritten(store, tmp_path, nlp):
    v2 = changed_copy(tmp_path)
    before = graphs(store)
    report = kg.load(store).add(v2, nlp=nlp)
    assert (report.papers, report.updated, report.duplicates) == (0, 1, 2)
    after = graphs(store)
    changed = sorted(g.decode().rsplit("/", 2)[-2] for g in after if after[g] != before.get(g))
    assert changed == ["graph", "paper"]  # the re-extracted paper's graph and the entities graph
    answer = kg.load(store).query(
        "SELECT ?abstract ?l WHERE { ?p dcterms:title 'Consistency Models' ; kgo:abstract ?abstract ; "
        "kgo:usesDataset|kgo:evaluatesOn ?d . ?d rdfs:label ?l } ORDER BY ?l")
    assert [str(r[1]) for r in answer.rows] == ["CIFAR-10", "CIFAR-100"]
    assert len(kg.load(store).papers()) == 3
    assert quads(store) == built_quads(v2, nlp)  # the old paper's entities and evidence are gone


def test_an_add_writes_only_the_new_papers_graphs_and_the_entities_they_touch(store, nlp, monkeypatch):
    written: list = []
    real_add, real_remove = kg.store.BulkLoader.add, kg.store.Store.remove

    def spy_add(self, qs):
        qs = list(qs)
        written.extend(qs)
        real_add(self, qs)

    def spy_remove(self, qs):
        qs = list(qs)
        written.extend(qs)
        real_remove(self, qs)

    monkeypatch.setattr(kg.store.BulkLoader, "add", spy_add)
    monkeypatch.setattr(kg.store.Store, "remove", spy_remove)
    g = kg.load(store)
    g.add(ARXIV, nlp=nlp)
    new_graphs = {paper_graph_iri(ex.paper) for ex in g.extractions() if ex.paper.source.endswith(ARXIV.name)}
    assert len(new_graphs) == 4
    assert {q.graph_name.value for q in written} == new_graphs | {ENTITIES_GRAPH}
    touched = {q.object.value for q in written if q.predicate.value.endswith(("#uses", "#proposes", "#hasCode",
                                                                              "#addressesTask", "#reportsMetric"))}
    entity_writes = {q.subject.value for q in written if q.graph_name.value == ENTITIES_GRAPH}
    assert entity_writes and entity_writes <= touched | {q.subject.value for q in written
                                                         if "/component/" in q.subject.value}
    assert len(written) < len(quads(store)) / 2


def _jsonl(path: Path, *titles: str) -> Path:
    path.write_text("".join(json.dumps({"title": t, "abstract": f"We propose {t.split(':')[0]} and train it on "
                                        "ImageNet."}) + "\n" for t in titles), encoding="utf-8")
    return path


def test_papers_whose_titles_differ_only_outside_ascii_are_different_papers(tmp_path, nlp):
    """α-Net and β-Net, and two Chinese-only titles, were one paper each (their keys kept ASCII only): a build
    kept one of each pair and `kg add` replaced one with the other."""
    first = _jsonl(tmp_path / "a.jsonl", "α-Net: Attention for Graphs", "深度学习的图像识别方法")
    second = _jsonl(tmp_path / "b.jsonl", "β-Net: Attention for Graphs", "自然语言处理的预训练模型")
    g = kg.build([first, second], nlp=nlp)
    assert g.report.papers == 4 and len(g.papers()) == 4
    out = tmp_path / "out"
    kg.build(first, nlp=nlp, out=out)
    r = kg.load(out).add(second, nlp=nlp)
    assert (r.papers, r.updated) == (2, 0)
    assert sorted(p["title"] for p in kg.load(out).papers()) == sorted(p["title"] for p in g.papers())


def test_kg_add_on_the_command_line(store):
    out = store.parent
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    r = subprocess.run([sys.executable, "-m", "kg", "add", str(ARXIV), str(PAPERS), "--out", str(out)],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert "7 records -> 4 papers added, 0 re-extracted, 3 already in the graph or repeated" in r.stdout
    assert r.stderr == ""  # no progress when stderr is not a terminal
    assert len(kg.load(out / "store").papers()) == 7
    assert len(kg.load(out / "graph.ttl").papers()) == 7
    assert "Swin Transformer" in (out / "explorer.html").read_text(encoding="utf-8") or \
        (out / "explorer.html").stat().st_size > 0
    assert leftovers(out) == []


def test_kg_add_without_a_built_store_is_one_line(tmp_path):
    r = subprocess.run([sys.executable, "-m", "kg", "add", str(PAPERS), "--out", str(tmp_path / "none")],
                       capture_output=True, text=True)
    assert r.returncode != 0
    assert r.stderr.strip().splitlines() == [f"kg: error: no store at {tmp_path / 'none' / 'store'} to add to; "
                                             f"build one first: kg build --out {tmp_path / 'none'}"]


def test_a_second_writer_is_refused_before_it_reads_anything(store, nlp, monkeypatch):
    before = snapshot(store)
    opened = []
    monkeypatch.setattr(kg.ingest, "open_tables", lambda update: opened.append(update))
    with dir_lock(store):
        with pytest.raises(StoreError, match=r"being written by another process"):
            kg.load(store).add(ARXIV, nlp=nlp)
    assert opened == []  # the lock came first: nothing of the store was read
    assert snapshot(store) == before


def test_a_store_without_linking_tables_refuses_add(store, nlp):
    (store / TABLES_FILE).unlink()
    with pytest.raises(GraphError, match="keeps no linking tables"):
        kg.load(store).add(ARXIV, nlp=nlp)


def test_a_graph_loaded_from_an_rdf_file_refuses_add(store, nlp):
    with pytest.raises(GraphError, match="loaded from an RDF file"):
        kg.load(store.parent / "graph.ttl").add(ARXIV, nlp=nlp)


# -- interruption -------------------------------------------------------------------------------------

#: Places in `kg add` where the tests interrupt it: (module, function, which call).
STEPS = {
    "during the NLP": ("kg.nlp", "found", 2),
    "after the checkpoint": ("kg.ingest", "open_tables", 1),
    "while writing the graphs": ("kg.ingest", "paper_quads", 3),
    "while updating the entities": ("kg.ingest", "_shared_quads", 2),
    "while writing graph.ttl": ("kg.store.Store", "dump_union", 1),
    # os.replace: 1 and 2 are graph.ttl's and explorer.html's own temporary files (kg.atomic.atomic_file),
    # 3 and 4 the store's swap, 5 and 6 the folder's files (staged in the new store, moved after the swap)
    "before the swap": ("kg.atomic.os", "replace", 3),
    "between the two renames": ("kg.atomic.os", "replace", 4),
    "after the swap": ("kg.atomic.shutil", "rmtree", 1),  # the old store's
    "between the swap and the folder's files": ("kg.atomic.os", "replace", 5),
}
def _target(name: str):
    """The module, class (``kg.store.Store``) or module attribute (``kg.atomic.os``) a step patches."""
    import importlib

    module, _, last = name.rpartition(".")
    if last[:1].isupper() or module == "kg.atomic":
        return getattr(importlib.import_module(module), last)
    return importlib.import_module(name)


def _interrupt_at(monkeypatch, step: str, action) -> None:
    module_name, attr, nth = STEPS[step]
    target = _target(module_name)
    real = getattr(target, attr)
    calls = []

    def wrapper(*args, **kwargs):
        calls.append(1)
        if len(calls) == nth:
            action()
        return real(*args, **kwargs)

    monkeypatch.setattr(target, attr, wrapper)


@pytest.mark.parametrize("step", [s for s in STEPS if s not in ("after the swap",
                                                                 "between the swap and the folder's files")])
def test_ctrl_c_during_an_add_leaves_the_store_as_it_was(store, nlp, monkeypatch, step):
    before = snapshot(store)
    files = {p: (store.parent / p).read_bytes() for p in ("graph.ttl", "explorer.html")}

    def ctrl_c():
        raise KeyboardInterrupt

    _interrupt_at(monkeypatch, step, ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        kg.load(store.parent).add(ARXIV, nlp=nlp)
    monkeypatch.undo()
    assert snapshot(store) == before
    assert {p: (store.parent / p).read_bytes() for p in files} == files
    assert leftovers(store.parent) == []
    kg.load(store.parent).add(ARXIV, nlp=nlp)  # and the next add goes through
    assert len(kg.load(store).papers()) == 7


#: Runs `kg add` (the real command line) and, at the N-th call of a function, tells the test it is there
#: (a marker file) and waits for the test's signal: signals land at a known point, whatever the load.
_PAUSED_CLI = textwrap.dedent("""
    import importlib, os, sys, time
    import kg, kg.atomic, kg.ingest, kg.knowledge_graph, kg.nlp
    module_name, attr, nth, marker = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    module, _, last = module_name.rpartition(".")
    if last[:1].isupper() or module == "kg.atomic":
        target = getattr(importlib.import_module(module), last)
    else:
        target = importlib.import_module(module_name)
    real, calls = getattr(target, attr), []
    def wrapper(*args, **kwargs):
        calls.append(1)
        if len(calls) == nth:
            open(marker, "w").close()
            time.sleep(60)  # the test signals us here
        return real(*args, **kwargs)
    setattr(target, attr, wrapper)
    from kg.cli import main
    sys.argv = ["kg", *sys.argv[5:]]
    main()
""")


def run_paused(step: str, args: list[str], tmp_path: Path, sig: int) -> int:
    """Run the command line ``kg ARGS``, send ``sig`` when it reaches ``step``, return its exit status."""
    marker = tmp_path / "paused"
    marker.unlink(missing_ok=True)
    proc = subprocess.Popen([sys.executable, "-c", _PAUSED_CLI, *map(str, STEPS[step]), str(marker), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not marker.exists():
        if proc.poll() is not None:
            raise AssertionError(f"kg {' '.join(args)} ended before {step}: {proc.stderr.read().decode()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"kg {' '.join(args)} did not reach {step}")
        time.sleep(0.05)
    proc.send_signal(sig)
    proc.wait(timeout=120)
    return proc.returncode


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill-9"])
@pytest.mark.parametrize("step", list(STEPS))
def test_a_signal_during_kg_add_leaves_the_old_or_the_new_store(store, nlp, tmp_path, step, sig):
    """`kg add` signalled at each step: the store is either as it was or completely updated, and opens;
    Ctrl-C and kill -9 before the swap leave it as it was, and the next `kg add` completes the work."""
    out = store.parent
    before = snapshot(store)
    expected_after = built_quads([PAPERS, ARXIV], nlp)
    status = run_paused(step, ["add", ARXIV, "--out", out], tmp_path, sig)
    assert status != 0
    now = quads(store)  # opening the store puts it back if the kill came between the two renames
    swapped = step in ("after the swap", "between the swap and the folder's files")
    assert now == (expected_after if swapped else before[0])
    if not swapped:
        assert snapshot(store) == before
    assert kg.load(out / "graph.ttl").papers()  # whichever graph.ttl is there parses
    r = subprocess.run([sys.executable, "-m", "kg", "add", str(ARXIV), "--out", str(out)], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    assert quads(store) == expected_after
    assert len(kg.load(out / "graph.ttl").papers()) == 7
    assert leftovers(out) == []


#: Places in `kg build --out DIR` (DIR holding an earlier build) where the tests kill it.
BUILD_STEPS = {
    "during the NLP": ("kg.nlp", "found", 2),
    "while loading the store": ("kg.ingest", "paper_quads", 2),
    "while writing graph.ttl": ("kg.store.Store", "dump_union", 1),
    "while writing the explorer": ("kg.knowledge_graph.KnowledgeGraph", "view", 1),
    "before the swap": ("kg.atomic.os", "replace", 3),
    "between the two renames": ("kg.atomic.os", "replace", 4),
    "between the swap and the folder's files": ("kg.atomic.os", "replace", 5),
    "between graph.ttl and explorer.html": ("kg.atomic.os", "replace", 6),
}


@pytest.mark.parametrize("step", list(BUILD_STEPS))
def test_kill_9_during_a_build_into_an_existing_folder_leaves_the_previous_outputs(store, nlp, tmp_path, step,
                                                                                     monkeypatch):
    out = store.parent
    before = {"store": quads(store), **{p: (out / p).read_bytes() for p in ("graph.ttl", "explorer.html")}}
    monkeypatch.setitem(STEPS, "build: " + step, BUILD_STEPS[step])
    status = run_paused("build: " + step, ["build", ARXIV, "--out", out], tmp_path, signal.SIGKILL)
    assert status == -signal.SIGKILL
    expected = built_quads(ARXIV, nlp)
    now = {"store": quads(store), **{p: (out / p).read_bytes() for p in ("graph.ttl", "explorer.html")}}
    store_swapped = step.startswith("between the swap") or step == "between graph.ttl and explorer.html"
    assert now["store"] == (expected if store_swapped else before["store"])
    if not store_swapped:
        assert now == before  # all three outputs as they were
    else:  # the store is new; graph.ttl and the explorer are each the old or the new, whole
        assert len(kg.load(out / "graph.ttl").papers()) in (3, 4)
        assert now["explorer.html"].rstrip().endswith(b"</html>")
    r = subprocess.run([sys.executable, "-m", "kg", "build", str(ARXIV), "--out", str(out)], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    assert quads(store) == expected and len(kg.load(out / "graph.ttl").papers()) == 4
    assert leftovers(out) == []  # what the killed build left is cleaned


def test_a_written_store_has_the_permissions_mkdir_gives(store, tmp_path):
    (tmp_path / "plain").mkdir()
    assert store.stat().st_mode & 0o777 == (tmp_path / "plain").stat().st_mode & 0o777
    assert (store.parent / "graph.ttl").stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_store_can_be_saved_elsewhere_with_its_tables_and_nlp_output(store, tmp_path, nlp):
    copy = kg.load(store).save_store(tmp_path / "copy")
    assert snapshot(copy) == snapshot(store)
    kg.load(copy).add(ARXIV, nlp=nlp)  # the copy keeps what an add needs
    assert quads(copy) == built_quads([PAPERS, ARXIV], nlp) and quads(store) != quads(copy)


def test_the_record_digest_ignores_where_a_record_was_read():
    from kg.tables import record_digest

    a = Paper("T", "A", source="a.jsonl", line=1)
    assert record_digest(a) == record_digest(Paper("T", "A", source="b.txt", line=9))
    assert record_digest(a) != record_digest(Paper("T", "A changed"))
