"""The kg command, run in-process: the end-to-end path on the bundled corpus and bad input."""
import json
import re
from pathlib import Path

import pytest
import rdflib
from typer.testing import CliRunner

from conftest import ROOT, TESTS
from kg.cli import app
from kg.link import norm_url
from kg.sources import bundled_corpus, read_sources
from kg.vocab import KGO

runner = CliRunner()
SMALL = TESTS / "data" / "sources" / "papers.jsonl"


def run(*args):
    return runner.invoke(app, [str(a) for a in args], prog_name="kg")


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """`kg build` on the bundled corpus, once per test session."""
    out = tmp_path_factory.mktemp("build") / "out"
    result = run("build", "--out", out)
    assert result.exit_code == 0, result.output
    return out, result


def test_build_reports_the_468_distinct_papers_of_the_corpus(built):
    out, result = built
    assert "read 5 files: 520 records, 52 duplicates dropped, 0 bad records skipped -> 468 papers" in result.stdout
    assert re.search(r"papers\s+468\n", result.stdout)
    for name in ("graph.ttl", "store", "explorer.html"):
        assert (out / name).exists()


def test_build_writes_every_github_link_of_the_corpus(built):
    out, _ = built
    # Independent of the pipeline: every github.com URL written in a distinct paper's abstract.
    expected = set()
    for paper in read_sources(None):
        for url in re.findall(r"(?:https?://)?(?:www\.)?github\.com/[\w.-]+(?:/[\w.-]+)?", paper.abstract):
            expected.add((paper.key, norm_url(url.rstrip("."))))
    g = rdflib.Graph().parse(out / "graph.ttl")
    got = set()
    for p, repo in g.subject_objects(KGO.hasCode):
        key = re.sub(r"[^a-z0-9]+", "", str(g.value(p, rdflib.URIRef("http://purl.org/dc/terms/title"))).lower())
        if "github.com" in str(repo):
            got.add((key, "/".join(norm_url(str(repo)).split("/")[:3])))
    expected = {(k, "/".join(u.split("/")[:3])) for k, u in expected}
    assert len(expected) >= 150
    assert expected <= got, sorted(expected - got)[:5]


def test_query_named_query_from_the_built_store(built):
    out, _ = built
    result = run("query", "--store", out / "store", "--name", "papers-using-dataset", "--param", "dataset=ImageNetV2",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["results"]["bindings"]
    titles = {r["title"]["value"] for r in rows}
    assert "Re-assessing ImageNet: How aligned is its single-label assumption with its multi-label nature?" in titles


def test_query_graph_file_and_store_agree(built):
    out, _ = built
    q = "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a kgo:Paper }"
    a = run("query", q, "--store", out / "store", "--format", "csv")
    b = run("query", q, "--graph", out / "graph.ttl", "--format", "csv")
    assert a.exit_code == 0 and b.exit_code == 0, a.output + b.output
    assert a.stdout.split() == b.stdout.split() == ["n", "468"]


def test_stats_and_export(built, tmp_path):
    out, _ = built
    result = run("stats", "--store", out / "store")
    assert re.search(r"papers\s+468", result.stdout)
    result = run("export", tmp_path / "g.graphml", "--graph", out / "graph.ttl")
    assert result.exit_code == 0, result.output
    import networkx as nx

    g = nx.read_graphml(tmp_path / "g.graphml")
    assert sum(1 for _, d in g.nodes(data=True) if d["type"] == "Paper") == 468


def test_build_of_a_jsonl_file(tmp_path):
    out = tmp_path / "out"
    result = run("build", SMALL, "--out", out)
    assert result.exit_code == 0, result.output
    n = sum(1 for line in SMALL.read_text().splitlines() if line.strip())
    g = rdflib.Graph().parse(out / "graph.ttl")
    assert len(set(g.subjects(rdflib.RDF.type, KGO.Paper))) == n


# ---- bad input: one line, non-zero exit, nothing half-written ----

def _assert_one_line_error(result, *needles):
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("kg: error: ")
    for n in needles:
        assert n in lines[0]


def test_missing_file(tmp_path):
    result = run("build", tmp_path / "nope.txt", "--out", tmp_path / "out")
    _assert_one_line_error(result, "nope.txt")
    assert not (tmp_path / "out").exists()


def test_malformed_json_line_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    good = SMALL.read_text().splitlines()[0]
    bad.write_text(good + "\n{\"title\": \"x\", \"abstract\": \n", encoding="utf-8")
    result = run("build", bad, "--out", tmp_path / "out")
    _assert_one_line_error(result, "bad.jsonl:2")
    assert not (tmp_path / "out").exists()


def test_empty_abstract(tmp_path):
    bad = tmp_path / "empty.jsonl"
    bad.write_text(json.dumps({"title": "A paper", "abstract": "  "}) + "\n", encoding="utf-8")
    _assert_one_line_error(run("build", bad, "--out", tmp_path / "out"), "empty.jsonl:1", "abstract")


def test_non_utf8_file(tmp_path):
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("A title\nAn abstract about caf\xe9 models.\n".encode("latin-1"))
    _assert_one_line_error(run("build", bad, "--out", tmp_path / "out"), "latin1.txt:2")


def test_failed_build_leaves_previous_output_intact(tmp_path):
    out = tmp_path / "out"
    assert run("build", SMALL, "--out", out).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n", encoding="utf-8")
    _assert_one_line_error(run("build", bad, "--out", out), "bad.jsonl:1")
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert before == after
    assert sorted(p.name for p in out.iterdir()) == [".paperkg", ".store.lock", "explorer.html", "graph.ttl", "store"]


def test_skip_bad_reports_and_goes_on(tmp_path):
    src = tmp_path / "mixed.jsonl"
    src.write_text(SMALL.read_text().splitlines()[0] + "\nnot json\n", encoding="utf-8")
    result = run("build", src, "--skip-bad", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "1 bad records skipped -> 1 papers" in result.stdout
    assert result.stderr.count("mixed.jsonl:2") == 1, result.stderr  # reported once (it was twice)
    assert result.stderr.strip() == (f"kg: warning: skipped bad record: {src}:2: not valid JSON (Expecting value "
                                     "at column 1); each line must hold one complete JSON object")
    quiet = run("-q", "build", src, "--skip-bad", "--out", tmp_path / "quiet")
    assert quiet.exit_code == 0 and quiet.stderr == "" and "1 bad records skipped" in quiet.stdout
    verbose = run("-v", "build", src, "--skip-bad", "--out", tmp_path / "verbose")
    assert verbose.exit_code == 0 and verbose.stderr.count("mixed.jsonl:2") == 1
    assert re.search(r"^kg: info: built 1 papers in [\d.]+ s$", verbose.stderr, re.M), verbose.stderr


def test_malformed_sparql_is_one_line(tmp_path):
    result = run("query", "SELECT ?x WHERE { ?x", "--graph", TESTS / "data" / "small.ttl")
    _assert_one_line_error(result, "malformed SPARQL query at line 1")


def test_missing_store_is_one_line(tmp_path):
    result = run("query", "ASK {}", "--store", tmp_path / "nostore")
    assert result.exit_code != 0
    assert "nostore" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_every_command_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        assert f"kg {name}" in readme, name


def test_built_graph_conforms_to_the_shapes(built):
    import pyshacl

    out, _ = built
    g = rdflib.Graph().parse(out / "graph.ttl")
    conforms, _, text = pyshacl.validate(g, shacl_graph=rdflib.Graph().parse(ROOT / "ontology" / "shapes.ttl"),
                                         advanced=True)
    assert conforms, text[:2000]


def test_building_twice_gives_the_same_graph(built, tmp_path):
    out, _ = built
    again = tmp_path / "again"
    assert run("build", "--out", again).exit_code == 0
    assert (again / "graph.ttl").read_bytes() == (out / "graph.ttl").read_bytes()


def test_hostile_title_is_kept_as_text_and_inert(tmp_path):
    hostile = '</script><script>alert(1)</script><img src=x onerror=alert(1)> "quoted" \\ {braces}'
    src = tmp_path / "hostile.jsonl"
    abstract = "We train a ResNet-50 on ImageNet. Code: https://github.com/x/y\"onmouseover=alert(1)."
    src.write_text(json.dumps({"title": hostile, "abstract": abstract}) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run("build", src, "--out", out)
    assert result.exit_code == 0, result.output
    g = rdflib.Graph().parse(out / "graph.ttl")
    titles = [str(t) for t in g.objects(None, rdflib.URIRef("http://purl.org/dc/terms/title"))]
    assert titles == [hostile]
    html = (out / "explorer.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert all("alert" not in str(repo) or "%22" in str(repo) for repo in g.objects(None, KGO.hasCode))


def test_eval_scores_a_graph_file_against_gold():
    result = run("eval", TESTS / "data" / "small_gold.jsonl", "--graph", TESTS / "data" / "small.ttl", "--json")
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)["scores"]
    from kg.evaluate import evaluate

    assert scores == evaluate(TESTS / "data" / "small.ttl", TESTS / "data" / "small_gold.jsonl").scores
    assert scores["papers"] == 3 and scores["papers_missing"] == 1


def test_serve_binds_loopback_and_serves_the_explorer_beside_the_store(built, monkeypatch):
    import kg.server

    seen = {}
    monkeypatch.setattr(kg.server, "serve", lambda store, host, port, **kw: seen.update(store=store, host=host,
                                                                                        port=port, **kw))
    out, _ = built
    result = run("serve", "--store", out / "store")
    assert result.exit_code == 0, result.output
    assert seen["host"] == "127.0.0.1" and seen["port"] == 7878
    assert seen["explorer"] == str(out / "explorer.html") and seen["store"] == str(out / "store")


# ---- conventions: version, exit statuses, one error shape, logging, environment, choices, completion ----

SMALL_TTL = TESTS / "data" / "small.ttl"


def test_version_is_the_installed_distributions():
    from importlib.metadata import version

    result = run("--version")
    assert result.exit_code == 0 and result.stdout == f"kg (paperkg) {version('paperkg')}\n"


@pytest.mark.parametrize("args, code, needle", [
    (("query", "--format", "yaml", "ASK {}"), 2, "Invalid value for '--format' / '-f': 'yaml' is not one of 'table', "
                                               "'json', 'xml', 'csv', 'tsv', 'turtle', 'ntriples', 'jsonld', "
                                               "'rdfxml'. (see kg query --help)"),
    (("view", "--kind", "tree"), 2, "'tree' is not one of 'overview', 'papers', 'entities'"),
    (("build", "--format", "csv", "x.csv"), 2, "'csv' is not one of 'daily', 'jsonl', 'arxiv'"),
    (("bogus",), 2, "No such command 'bogus'. (see kg --help)"),
    (("stats", "--nope"), 2, "No such option: --nope"),
    (("export",), 2, "Missing argument"),
    (("query", "SELECT ?x WHERE { ?x", "--graph", SMALL_TTL), 2, "malformed SPARQL query"),
    (("query", "--name", "nope", "--graph", SMALL_TTL), 2, "unknown named query 'nope'"),
    (("query", "--name", "papers-using-dataset", "--graph", SMALL_TTL), 2, "needs --param dataset"),
    (("stats", "--store", "no/such/store"), 1, "no/such/store"),
])
def test_every_error_is_one_line_with_its_exit_status(args, code, needle):
    result = run(*args)
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("kg: error: "), result.stderr
    assert needle in result.stderr


def test_ctrl_c_exits_130_with_one_line(monkeypatch):
    import kg.knowledge_graph

    def interrupted(path):
        raise KeyboardInterrupt

    monkeypatch.setattr(kg.knowledge_graph, "load", interrupted)
    result = run("stats", "--graph", SMALL_TTL)
    assert result.exit_code == 130 and result.stderr == "kg: error: interrupted\n"


def test_the_real_command_exits_with_the_documented_statuses(tmp_path):
    """Through the console entry point in a process of its own (what a shell script sees)."""
    import subprocess
    import sys

    def kg(*args):
        return subprocess.run([sys.executable, "-m", "kg", *map(str, args)], capture_output=True, text=True,
                              cwd=tmp_path, timeout=120)

    ok = kg("query", "ASK { ?p a kgo:Paper }", "--graph", SMALL_TTL)
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, "true\n", "")
    bad = kg("query", "--format", "yaml", "ASK {}")
    assert bad.returncode == 2 and bad.stderr.startswith("kg: error: Invalid value for '--format'")
    assert len(bad.stderr.splitlines()) == 1
    failed = kg("stats")  # no out/store in tmp_path
    assert failed.returncode == 1 and failed.stderr == "kg: error: out/store: no such file or store directory\n"


def test_help_documents_exit_statuses_environment_and_choices():
    import typer.main

    text = " ".join(run("--help").stdout.split())
    assert "Exit status: 0 ok; 1 failure; 2 bad input or usage" in text and "130 interrupted" in text
    assert "KG_STORE" in text and "KG_OUT" in text and "--version" in text and "--install-completion" in text
    wide = runner.invoke(app, ["query", "--help"], prog_name="kg", env={"COLUMNS": "240"})  # choices on one line
    query_help = wide.stdout
    assert re.search(r"[<\[]table\|json\|xml\|csv\|tsv\|turtle\|ntriples\|jsonld\|rdfxml[>\]]", query_help)
    assert re.search(r"[<\[]papers\|entities[>\]]", run("view", "--help").stdout)
    assert re.search(r"[<\[]daily\|jsonl\|arxiv[>\]]", run("build", "--help").stdout)
    from kg.cli import SourceFormat, ViewKind
    from kg.sources import FORMATS
    from kg.view import KINDS

    assert tuple(f.value for f in SourceFormat) == FORMATS and tuple(k.value for k in ViewKind) == KINDS
    assert typer.main.get_command(app).params  # the global options are there


def test_the_readme_documents_the_exit_statuses():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    from kg.cli import EXIT_CODES

    for code in EXIT_CODES:
        assert f"| {code} |" in readme, code
    assert "KG_STORE" in readme and "KG_OUT" in readme and "kg --version" in readme


def test_store_and_out_come_from_the_environment(built, tmp_path):
    out, _ = built
    q = "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a kgo:Paper }"
    by_store = runner.invoke(app, ["query", q, "--format", "csv"], prog_name="kg", env={"KG_STORE": str(out / "store")})
    by_out = runner.invoke(app, ["query", q, "--format", "csv"], prog_name="kg", env={"KG_OUT": str(out), "KG_STORE": None})
    assert by_store.exit_code == 0 and by_out.exit_code == 0, by_store.output + by_out.output
    assert by_store.stdout.split() == by_out.stdout.split() == ["n", "468"]
    explicit = runner.invoke(app, ["stats", "--store", "no/such"], env={"KG_STORE": str(out / "store")})
    assert explicit.exit_code == 1  # an option given beats the environment
    built_there = runner.invoke(app, ["build", str(SMALL)], env={"KG_OUT": str(tmp_path / "env-out")})
    assert built_there.exit_code == 0, built_there.output
    assert (tmp_path / "env-out" / "graph.ttl").is_file()


def test_shell_completion_completes_commands_and_choices(tmp_path):
    import os
    import subprocess
    import sys

    def complete(words, cword):
        env = {**os.environ, "_KG_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
        done = subprocess.run([sys.executable, "-c", "from kg.cli import main; main()"], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    assert complete("kg qu", 1) == ["query"]
    assert complete("kg query --format ", 3) == ["table", "json", "xml", "csv", "tsv", "turtle", "ntriples", "jsonld",
                                                 "rdfxml"]


def test_ctrl_c_during_a_real_build_exits_130_and_leaves_no_output(tmp_path):
    """SIGINT to a `kg build` process once it has started writing its store."""
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "kg", "build", "--n-process", "1", "--out", str(out)],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not (out.is_dir() and any(out.iterdir())) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, "the build ended before it could be interrupted"
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 130, stderr
    assert stderr == "kg: error: interrupted\n" and stdout == ""
    assert not out.exists()  # the folder this build made is gone, with its half-written store
