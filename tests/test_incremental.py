"""Adding papers to an on-disk store: no duplicates, changed papers replaced, only what changed rewritten,
the lock taken before anything is read, and a store left as it was by Ctrl-C, an error or kill -9 at any
point of the update (and of a build into an existing output folder)."""
from __future__ import annotations

import re

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
from kg.view.index import decode_index
import kg.atomic
import kg.ingest
import kg.store
from kg.atomic import dir_lock
from kg.errors import OptionError, GraphError, StoreError
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
    """What killed writers left in an output folder: hidden files but the lock and the generations, and
    generations but the current one."""
    found = sorted(p.name for p in parent.iterdir()
                   if p.name.startswith(".") and not p.name.endswith(".lock") and p.name != ".paperkg")
    gens = parent / ".paperkg"
    if gens.is_dir():
        current = os.readlink(gens / "current")
        found += sorted(f".paperkg/{p.name}" for p in gens.iterdir() if p.name not in ("current", current))
    return found


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

#: Places in `kg add` where the tests interrupt it: (module, function, which call). The folder's three outputs
#: are staged in a new generation (kg.outputs) and made current by one rename (`_switch`); `_link` and `_clean`
#: run once when the writer starts (repairing what a killed one left) and again after the switch.
STEPS = {
    "during the NLP": ("kg.nlp", "found", 2),
    "after the checkpoint": ("kg.ingest", "open_tables", 1),
    "while writing the graphs": ("kg.ingest", "paper_quads", 3),
    "while updating the entities": ("kg.ingest", "_shared_quads", 2),
    "while writing graph.ttl": ("kg.store.Store", "dump_union", 1),
    "while writing the explorer": ("kg.knowledge_graph.KnowledgeGraph", "view", 1),
    "before the swap": ("kg.outputs", "_switch", 1),
    "after the swap": ("kg.outputs.OutputFolder", "_link", 2),
    "before the old generation is deleted": ("kg.outputs.OutputFolder", "_clean", 2),
}
#: Steps after which the folder holds the new outputs.
SWAPPED = ("after the swap", "before the old generation is deleted")


def _target(name: str):
    """The module, class (``kg.store.Store``) or module attribute (``kg.outputs.os``) a step patches."""
    import importlib

    module, _, last = name.rpartition(".")
    if last[:1].isupper() or module in ("kg.atomic", "kg.outputs"):
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


#: Titles the explorer of a graph shows if it holds their papers (two from each source file).
TITLES = ("Consistency Models", "Dataset Quantization", "Attention Is All You Need",
          "The Large N Limit of Superconformal Field Theories and Supergravity")


def outputs(out: Path) -> dict:
    """The folder's three outputs as the user sees them, through out/store, out/graph.ttl, out/explorer.html:
    the store's quads, graph.ttl's bytes (the same content always gives the same bytes), and which papers the
    explorer's index holds, if the page is whole (its layout differs from one process to another)."""
    html = (out / "explorer.html").read_bytes()
    found = re.search(rb'id="kg-index"[^>]*>([A-Za-z0-9+/=]*)</script>', html)
    labels = set(decode_index(found.group(1).decode())["label"]) if found else set()
    return {"store": quads(out / "store"), "graph.ttl": (out / "graph.ttl").read_bytes(),
            "explorer.html": (html.rstrip().endswith(b"</html>"), [t for t in TITLES if t in labels])}


def assert_one_unit(now: dict, old: dict, new: dict) -> str:
    """All three outputs are the old ones, or all three the new ones (as one build of the same sources
    writes them); returns which."""
    which = {name: "old" if now[name] == old[name] else "new" if now[name] == new[name] else "neither"
             for name in now}
    assert set(which.values()) in ({"old"}, {"new"}), which
    return which["store"]


@pytest.fixture(scope="module")
def all_outputs(tmp_path_factory, nlp) -> dict:
    """What one build of papers.jsonl + the arXiv snapshot writes: the outputs an add of ARXIV must give."""
    out = tmp_path_factory.mktemp("all")
    kg.build([PAPERS, ARXIV], nlp=nlp, out=out)
    return outputs(out)


@pytest.mark.parametrize("step", [s for s in STEPS if s not in SWAPPED])
def test_ctrl_c_during_an_add_leaves_the_store_as_it_was(store, nlp, monkeypatch, step, all_outputs):
    before = snapshot(store)
    old = outputs(store.parent)

    def ctrl_c():
        raise KeyboardInterrupt

    _interrupt_at(monkeypatch, step, ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        kg.load(store.parent).add(ARXIV, nlp=nlp)
    monkeypatch.undo()
    assert snapshot(store) == before
    assert assert_one_unit(outputs(store.parent), old, all_outputs) == "old"
    assert leftovers(store.parent) == []
    kg.load(store.parent).add(ARXIV, nlp=nlp)  # and the next add goes through
    assert outputs(store.parent) == all_outputs


#: Runs `kg` (the real command line) and, at the N-th call of a function, tells the test it is there (a
#: marker file) and waits for the test's signal, or for a file MARKER.go that lets it go on: signals land at
#: a known point, whatever the load.
_PAUSED_CLI = textwrap.dedent("""
    import importlib, os, sys, time
    import kg, kg.atomic, kg.ingest, kg.knowledge_graph, kg.nlp, kg.outputs
    module_name, attr, nth, marker = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    module, _, last = module_name.rpartition(".")
    if last[:1].isupper() or module in ("kg.atomic", "kg.outputs"):
        target = getattr(importlib.import_module(module), last)
    else:
        target = importlib.import_module(module_name)
    real, calls = getattr(target, attr), []
    def wrapper(*args, **kwargs):
        calls.append(1)
        if len(calls) == nth:
            open(marker, "w").close()
            deadline = time.monotonic() + 60
            while not os.path.exists(marker + ".go") and time.monotonic() < deadline:
                time.sleep(0.02)  # the test signals us here, or lets us go on
        return real(*args, **kwargs)
    setattr(target, attr, wrapper)
    from kg.cli import main
    sys.argv = ["kg", *sys.argv[5:]]
    main()
""")


def start_paused(step: str, args: list[str], tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    """Start the command line ``kg ARGS`` and wait until it reaches ``step``; return it and its marker."""
    marker = tmp_path / "paused"
    marker.unlink(missing_ok=True)
    Path(f"{marker}.go").unlink(missing_ok=True)
    proc = subprocess.Popen([sys.executable, "-c", _PAUSED_CLI, *map(str, STEPS[step]), str(marker), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not marker.exists():
        if proc.poll() is not None:
            raise AssertionError(f"kg {' '.join(map(str, args))} ended before {step}: {proc.stderr.read().decode()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"kg {' '.join(map(str, args))} did not reach {step}")
        time.sleep(0.05)
    return proc, marker


def run_paused(step: str, args: list[str], tmp_path: Path, sig: int) -> int:
    """Run the command line ``kg ARGS``, send ``sig`` when it reaches ``step``, return its exit status."""
    proc, _ = start_paused(step, args, tmp_path)
    proc.send_signal(sig)
    proc.wait(timeout=120)
    return proc.returncode


def kg_cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *map(str, args)], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill-9"])
@pytest.mark.parametrize("step", list(STEPS))
def test_a_signal_during_kg_add_leaves_the_old_or_the_new_outputs(store, nlp, tmp_path, step, sig, all_outputs):
    """`kg add` signalled at each step: the store, graph.ttl and the explorer are all three as they were, or
    all three completely updated; Ctrl-C and kill -9 before the swap leave them as they were, and the next
    `kg add` completes the work and cleans what the killed one left."""
    out = store.parent
    before, old = snapshot(store), outputs(out)
    status = run_paused(step, ["add", ARXIV, "--out", out], tmp_path, sig)
    assert status != 0
    state = assert_one_unit(outputs(out), old, all_outputs)
    assert state == ("new" if step in SWAPPED else "old")
    if state == "old":
        assert snapshot(store) == before
    r = kg_cli("add", ARXIV, "--out", out)
    assert r.returncode == 0, r.stderr
    assert outputs(out) == all_outputs
    assert leftovers(out) == []


def test_a_second_kg_add_is_refused_at_once_and_no_paper_is_lost(store, tmp_path, all_outputs):
    """Two `kg add` at once (the second started while the first extracts): the second is refused with one
    line and changes nothing; the first completes; then the second, run again, adds its papers. Before the
    lock covered the whole read-modify-write, both exited 0 and the first one's papers were lost."""
    out = store.parent
    second = tmp_path / "second.jsonl"
    second.write_text(json.dumps({"title": "A Second Writer", "abstract": "We train a ResNet-50 on CIFAR-10."}) + "\n",
                      encoding="utf-8")
    first, marker = start_paused("during the NLP", ["add", ARXIV, "--out", out], tmp_path)
    try:
        started = time.monotonic()
        r = kg_cli("add", second, "--out", out)
        assert r.returncode != 0 and time.monotonic() - started < 60
        assert r.stderr.strip().splitlines() == [f"kg: error: cannot update {out}: {out / 'store'} is being "
                                                 "written by another process; wait for it to finish; its outputs "
                                                 "are unchanged"]
        r = kg_cli("stats", "--store", out / "store")  # readers are not blocked
        assert r.returncode == 0 and "papers                      3" in r.stdout, r.stderr
    finally:
        Path(f"{marker}.go").touch()
    assert first.wait(timeout=300) == 0, first.stderr.read().decode()
    assert outputs(out) == all_outputs  # the first add's 4 papers are all there
    assert kg_cli("add", second, "--out", out).returncode == 0
    assert len(kg.load(out).papers()) == 8


#: Places in `kg build --out DIR` (DIR holding an earlier build) where the tests kill it.
BUILD_STEPS = {
    "during the NLP": ("kg.nlp", "found", 2),
    "while loading the store": ("kg.ingest", "paper_quads", 2),
    "while writing graph.ttl": ("kg.store.Store", "dump_union", 1),
    "while writing the explorer": ("kg.knowledge_graph.KnowledgeGraph", "view", 1),
    "before the swap": ("kg.outputs", "_switch", 1),
    "after the swap": ("kg.outputs.OutputFolder", "_link", 2),
    "before the old generation is deleted": ("kg.outputs.OutputFolder", "_clean", 2),
}


@pytest.mark.parametrize("step", list(BUILD_STEPS))
def test_kill_9_during_a_build_into_an_existing_folder_leaves_the_previous_outputs(store, nlp, tmp_path, step,
                                                                                     monkeypatch):
    out = store.parent
    old = outputs(out)
    new_out = tmp_path / "new"
    kg.build(ARXIV, nlp=nlp, out=new_out)
    new = outputs(new_out)
    monkeypatch.setitem(STEPS, "build: " + step, BUILD_STEPS[step])
    status = run_paused("build: " + step, ["build", ARXIV, "--out", out], tmp_path, signal.SIGKILL)
    assert status == -signal.SIGKILL
    assert assert_one_unit(outputs(out), old, new) == ("new" if step in SWAPPED else "old")
    r = kg_cli("build", ARXIV, "--out", out)
    assert r.returncode == 0, r.stderr
    assert outputs(out) == new
    assert leftovers(out) == []  # what the killed build left is cleaned


def _stats_papers(out: Path) -> int:
    r = kg_cli("stats", "--store", out / "store")
    assert r.returncode == 0, r.stderr
    return int(r.stdout.split()[1])


def _served_papers(out: Path) -> int:
    from kg.server import make_app  # kg serve opens the store as this does
    from starlette.testclient import TestClient

    with Store.open(out / "store", read_only=True) as s, TestClient(make_app(s)) as client:
        r = client.get("/sparql", params={"query": "SELECT (COUNT(?p) AS ?n) WHERE { ?p a kgo:Paper }"},
                       headers={"Accept": "text/csv"})
        return int(r.text.split()[1])


#: Commands that read an output folder: each must finish a swap a kill left half-done, not say "no store".
READERS = {
    "kg stats": _stats_papers,
    "kg serve": _served_papers,
    "kg query --graph": lambda out: len(kg.load(out / "graph.ttl").papers()),
}


@pytest.mark.parametrize("reader", list(READERS))
def test_kill_9_before_the_links_of_a_first_build_every_command_finishes_it(nlp, tmp_path, reader):
    """The first build into a new folder killed after its generation became current, before the links
    out/store, out/graph.ttl and out/explorer.html were made: every command makes them instead of saying
    "no store"."""
    out = tmp_path / "out"
    STEPS["first build: before the links"] = ("kg.outputs.OutputFolder", "_link", 1)
    try:
        assert run_paused("first build: before the links", ["build", ARXIV, "--out", out], tmp_path,
                          signal.SIGKILL) == -signal.SIGKILL
    finally:
        del STEPS["first build: before the links"]
    assert not (out / "store").exists() and not (out / "graph.ttl").exists()
    assert READERS[reader](out) == 4
    assert len(kg.load(out / "graph.ttl").papers()) == 4 and (out / "explorer.html").is_file()


def _as_an_older_paperkg_wrote_it(out: Path) -> None:
    """Turn a folder into the layout of paperkg before generations: the three outputs at the top level."""
    gen = (out / ".paperkg" / "current").resolve()
    for name in ("store", "graph.ttl", "explorer.html"):
        (out / name).unlink()
        os.replace(gen / name, out / name)
    import shutil

    shutil.rmtree(out / ".paperkg")


@pytest.mark.parametrize("nth", [1, 2, 4], ids=["before the store moves", "after the store moved",
                                                "before the switch"])
def test_a_folder_of_an_older_paperkg_moves_to_generations_safely(store, nlp, tmp_path, nth, all_outputs):
    """The first write into a folder an older paperkg wrote moves its outputs into a generation, one rename at
    a time; killed between two of them, every command (here `kg query`, `kg stats`) finishes the move first."""
    out = store.parent
    _as_an_older_paperkg_wrote_it(out)
    old = outputs(out)
    STEPS["adopting"] = ("kg.outputs.os", "replace", nth)
    try:
        assert run_paused("adopting", ["add", ARXIV, "--out", out], tmp_path, signal.SIGKILL) == -signal.SIGKILL
    finally:
        del STEPS["adopting"]
    r = kg_cli("query", "SELECT (COUNT(?p) AS ?n) WHERE { ?p a kgo:Paper }", "--store", out / "store", "--format",
               "csv")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["n", "3"]
    assert kg_cli("stats", "--store", out / "store").returncode == 0
    assert outputs(out) == old
    assert kg_cli("add", ARXIV, "--out", out).returncode == 0
    assert outputs(out) == all_outputs
    assert leftovers(out) == []


def test_a_temporary_file_left_by_a_killed_writer_is_deleted_by_the_next(store, tmp_path):
    """Temporary files of graph.ttl (written by an older paperkg beside it) and generations of killed
    writers are deleted by the next run."""
    out = store.parent
    (out / ".graph.ttl.abc123.tmp").write_text("half a graph")
    (out / ".paperkg" / "gen-killed").mkdir()
    (out / ".paperkg" / "gen-killed" / "graph.ttl").write_text("half a graph")
    assert leftovers(out) == [".graph.ttl.abc123.tmp", ".paperkg/gen-killed"]
    assert kg_cli("add", PAPERS, "--out", out).returncode == 0
    assert leftovers(out) == []


def test_an_output_path_that_is_a_directory_is_refused_before_anything_is_written(store, nlp, tmp_path):
    out = tmp_path / "out"
    (out / "explorer.html").mkdir(parents=True)
    with pytest.raises(OptionError, match=r"refusing to replace .*explorer.html: it is not a file"):
        kg.build(PAPERS, nlp=nlp, out=out)
    assert sorted(p.name for p in out.iterdir()) == [".store.lock", "explorer.html"]


def test_a_build_that_reads_no_paper_never_replaces_a_graph(store, tmp_path):
    """An empty file, or a UTF-16 or binary file with --skip-bad (every record bad), is exit status 2 "no papers
    read" and the outputs stay; --allow-empty writes the empty graph. Before, both replaced the graph with an empty one,
    exit 0."""
    out = store.parent
    old = outputs(out)
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    utf16 = tmp_path / "utf16.jsonl"
    utf16.write_bytes(json.dumps({"title": "A paper", "abstract": "An abstract."}).encode("utf-16"))
    for args in ([empty], [utf16, "--skip-bad"]):
        r = kg_cli("build", *args, "--out", out)
        assert r.returncode == 2
        assert r.stderr.strip().splitlines()[-1] == (
            f"kg: error: {args[0]}: no papers read (0 records read"
            f"{', 1 bad records skipped' if '--skip-bad' in args else ''}), so nothing was written ({out} is left "
            "as it was); pass --allow-empty (allow_empty=True) to write an empty graph")
        assert outputs(out) == old
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(bytes(range(256)) * 64)
    r = kg_cli("build", binary, "--skip-bad", "--out", out)
    assert r.returncode == 2 and r.stderr.strip().splitlines()[-1].startswith(
        f"kg: error: {binary}: no papers read (0 records read, ")
    assert outputs(out) == old
    r = kg_cli("build", empty, "--out", out, "--allow-empty")
    assert r.returncode == 0, r.stderr
    assert kg.load(out).papers() == [] and not outputs(out)["store"]


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


def test_the_counts_an_add_keeps_are_the_counts_of_the_whole_graph(tmp_path, nlp):
    """build and add recount only the graphs they change (kg.graph_stats); the sums must be what a pass over
    the whole store counts."""
    out = tmp_path / "out"
    built = kg.build([PAPERS], nlp=nlp, out=out)
    fresh = kg.load(out / "store").stats()
    assert built.stats() == fresh and fresh["papers"] > 0 and fresh["triples"] > 0
    g = kg.load(out)
    g.add([ARXIV], nlp=nlp)
    assert g._counted is not None  # kept, not counted afresh
    assert g.stats() == kg.load(out / "store").stats()
    assert g.stats()["papers"] > fresh["papers"]
    again = kg.load(out)
    again.add([ARXIV], nlp=nlp)  # nothing new: the kept counts still hold
    assert again._counted == kg.load(out / "store").stats()
