"""The HTML explorer (kg/view.py): data read from the graph, focus and budget, an offline page, inert text."""
from __future__ import annotations

import doctest
import json
import random
import re
from html.parser import HTMLParser

import pytest
import rdflib
from rdflib.namespace import RDFS

import kg.view
import kg.view.page
from kg.reader import as_store
from kg.view.index import read_index
from conftest import ROOT
from kg.errors import ViewError
from kg.graph import paper_iri
from kg.records import CodeLink, Extraction, Paper
from kg.view import DEFAULT_BUDGET, explorer_data, render_html, write_explorer
from small_corpus import DMAE, SWIN, m, union

E = "https://w3id.org/paperkg/entity/"
HOSTILE = "</script><script>alert(1)</script><img src=x onerror=alert(1)>"


# ---------------------------------------------------------------------------------------------- helpers


def hostile_graph() -> rdflib.Graph:
    """A paper whose title, abstract, entity name and code URL are all attempts at markup."""
    paper = Paper(
        title=HOSTILE,
        abstract=("We propose <b onmouseover=alert(2)>EvilNet</b> and evaluate on ImageNet. "
                  "Code: javascript:alert(3) and https://github.com/x/y\"><script>alert(4)</script>"),
    )
    url = "https://github.com/x/y\"><script>alert(4)</script>"
    start, js = paper.text.index(url), paper.text.index("javascript:alert(3)")
    return union([Extraction(paper, (
        m(paper, "<b onmouseover=alert(2)>EvilNet</b>", "METHOD", "proposed"),
        m(paper, "ImageNet", "DATASET", "used", relation="evaluatesOn", canonical="ImageNet"),
    ), (CodeLink(url, start, start + len(url), paper.text[start - 6:], start - 6),
        CodeLink("javascript:alert(3)", js, js + 19, paper.text[js:], js)))])


def synthetic_graph(n_papers: int = 150, seed: int = 7) -> rdflib.Graph:
    """The fixture's pattern at scale: papers each using a handful of entities drawn with a skew (hubs)."""
    rng = random.Random(seed)
    pools = {"METHOD": 70, "ARCHITECTURE": 35, "DATASET": 45, "TASK": 25, "METRIC": 12}
    extractions = []
    for i in range(n_papers):
        picks = []
        for label, size in pools.items():
            k = {"METHOD": 3, "ARCHITECTURE": 1, "DATASET": 2, "TASK": 1, "METRIC": 1}[label]
            for _ in range(k):
                picks.append((label, f"{label.title()}{int(size * rng.random() ** 2):03d}"))
        picks = sorted(set(picks))
        names = [name for _, name in picks]
        paper = Paper(title=f"Synthetic paper {i:03d} on {names[0]} and {names[-1]}",
                      abstract=f"We study {', '.join(names)}. It works.")
        mentions = tuple(m(paper, name, label, "used" if label in ("METHOD", "ARCHITECTURE", "DATASET") else None,
                           nth=-1, canonical=name, confidence=0.5 + 0.5 * rng.random())
                         for label, name in picks)
        extractions.append(Extraction(paper, mentions))
    return union(extractions)


class Tags(HTMLParser):
    """Every start tag of a page with its attributes, and the text of every <script>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def parse(page: str) -> Tags:
    t = Tags()
    t.feed(page)
    t.close()
    return t


def payload_nodes(page: str) -> list[dict]:
    payload = next(s for s in parse(page).scripts if "new vis.DataSet(" in s)
    return json.loads(re.search(r"nodes = new vis\.DataSet\((\[.*?\])\);", payload).group(1))


def by_label(data: dict) -> dict[str, dict]:
    return {n["label"]: n for n in data["nodes"]}


@pytest.fixture(scope="module")
def data(small_graph):
    return explorer_data(small_graph)


@pytest.fixture(scope="module")
def page(data):
    return render_html(data)


# ---------------------------------------------------------------------------------------------- data


def test_whole_fixture_has_every_node_by_type(data):
    assert data["counts"]["nodes"] == {"Paper": 3, "Method": 8, "Architecture": 4, "Dataset": 5, "Task": 4,
                                       "Metric": 3, "Code": 2}
    assert len(data["nodes"]) == 29 and data["counts"]["edges"] == len(data["edges"]) == 28
    assert data["omitted"] == {"nodes": {}, "edges": 0}
    assert data["total"] == {"nodes": 29, "edges": 28}


def test_edges_of_one_paper_use_the_most_specific_property(data):
    dmae = str(paper_iri(DMAE))
    got = {(e["target"], e["relation"]) for e in data["edges"] if e["source"] == dmae}
    assert got == {
        (E + "method/maskedautoencoder", "usesMethod"),
        (E + "method/knowledgedistillation", "usesMethod"),
        (E + "architecture/vitl", "usesArchitecture"),
        (E + "architecture/vitb", "usesArchitecture"),
        (E + "dataset/imagenet", "evaluatesOn"),  # not usesDataset / uses, also asserted
        (E + "metric/top1accuracy", "reportsMetric"),
        ("https://github.com/UCSC-VLAA/DMAE", "hasCode"),
    }


def test_edge_carries_its_best_evidence(data):
    dmae = str(paper_iri(DMAE))
    edge = next(e for e in data["edges"] if e["source"] == dmae and e["target"] == E + "metric/top1accuracy")
    # two mentions: "top-1 accuracy" (0.9) and "top-1 ImageNet accuracy" (0.6): the surer one wins
    assert edge["evidence"]["mention"] == "top-1 accuracy"
    assert edge["evidence"]["confidence"] == edge["confidence"] == 0.9
    ev = edge["evidence"]
    assert DMAE.text[ev["start"]:ev["end"]] == "top-1 accuracy"
    assert DMAE.text[ev["sentence_start"]:].startswith(ev["sentence"])


def test_nodes_carry_paper_text_code_and_aliases(data):
    nodes = by_label(data)
    paper = nodes[DMAE.title]
    assert paper["type"] == "Paper" and paper["abstract"] == DMAE.abstract
    assert paper["code"] == ["https://github.com/UCSC-VLAA/DMAE"]
    assert nodes["Masked Autoencoders"]["aliases"] == ["MAE"]
    assert nodes["ImageNet"]["degree"] == 2
    assert nodes["github.com/UCSC-VLAA/DMAE"]["type"] == "Code"


def test_a_dataset_from_trig_reads_like_its_union(data):
    ds = rdflib.Dataset()
    ds.parse(ROOT / "tests" / "data" / "small.trig", format="trig")
    assert explorer_data(ds) == data


def test_output_is_sorted_and_deterministic(small_graph, data):
    assert [n["id"] for n in data["nodes"]] == sorted(n["id"] for n in data["nodes"])
    assert json.dumps(explorer_data(small_graph), sort_keys=True) == json.dumps(data, sort_keys=True)
    assert render_html(data) == render_html(explorer_data(small_graph))


def test_focus_on_an_alias_keeps_its_papers(small_graph):
    got = explorer_data(small_graph, focus="imagenet")  # ImageNet, any case: PASS and DMAE use it
    assert {n["label"] for n in got["nodes"]} == {
        "ImageNet", "PASS: An ImageNet replacement for self-supervised pretraining without humans", DMAE.title}
    assert got["focus"] == {"query": "imagenet", "ids": [E + "dataset/imagenet"], "hops": 1}
    alias = explorer_data(small_graph, focus="  mae ")
    assert {n["label"] for n in alias["nodes"]} == {"Masked Autoencoders", DMAE.title}


def test_focus_prefers_a_label_to_an_alias(small_graph):
    g = rdflib.Graph() + small_graph
    g.add((rdflib.URIRef(E + "dataset/coco"), rdflib.namespace.SKOS.altLabel, rdflib.Literal("ImageNet")))
    assert explorer_data(g, focus="ImageNet")["focus"]["ids"] == [E + "dataset/imagenet"]
    g.set((rdflib.URIRef(E + "dataset/imagenet"), RDFS.label, rdflib.Literal("ILSVRC")))
    assert explorer_data(g, focus="ImageNet")["focus"]["ids"] == [E + "dataset/coco"]


def test_focus_two_hops_reaches_the_papers_entities(small_graph):
    got = explorer_data(small_graph, focus="top-1 accuracy", hops=2)
    # top-1 accuracy -> DMAE, Swin -> all of their links (7 + 13 with top-1 shared and counted once)
    assert len(got["nodes"]) == 1 + 2 + (7 - 1) + (13 - 1)
    assert got["counts"]["nodes"]["Paper"] == 2 and "PASS" not in {n["label"] for n in got["nodes"]}


def test_focus_on_a_paper_title_and_zero_hops(small_graph):
    got = explorer_data(small_graph, focus=SWIN.title.upper())
    assert len(got["nodes"]) == 14 and len(got["edges"]) == 13
    alone = explorer_data(small_graph, focus=SWIN.title, hops=0)
    assert [n["label"] for n in alone["nodes"]] == [SWIN.title] and alone["edges"] == []


def test_unknown_focus_raises_view_error_naming_it(small_graph):
    with pytest.raises(ViewError, match="'ImageNett'.*did you mean 'imagenet'"):
        explorer_data(small_graph, focus="ImageNett")
    with pytest.raises(ViewError, match="'no such thing'"):
        explorer_data(small_graph, focus="no such thing")


@pytest.mark.parametrize("bad", [{"hops": -1}, {"budget": 0}, {"budget": 2.5}, {"min_confidence": 1.5},
                                 {"min_confidence": "high"}])
def test_bad_options_raise_view_error(small_graph, bad):
    with pytest.raises(ViewError):
        explorer_data(small_graph, **bad)


def test_budget_keeps_hubs_then_papers_with_what_they_propose_and_their_code(small_graph):
    got = explorer_data(small_graph, budget=10)
    # a quarter of the budget for the entities most papers link to (ImageNet, top-1 accuracy: 2 papers
    # each), then each paper with its proposed entities and code, then the most linked of the rest (DINO)
    assert {n["label"] for n in got["nodes"]} == {
        "ImageNet", "top-1 accuracy",
        "PASS: An ImageNet replacement for self-supervised pretraining without humans",
        "Pictures without humAns for Self-Supervision",
        SWIN.title, "Swin Transformer", "github.com/microsoft/Swin-Transformer",
        DMAE.title, "github.com/UCSC-VLAA/DMAE", "DINO"}
    assert {"proposes", "hasCode"} <= {e["relation"] for e in got["edges"]}
    assert got["omitted"] == {"nodes": {"Method": 7, "Architecture": 3, "Dataset": 3, "Task": 4, "Metric": 2},
                              "edges": 19}
    assert len(got["edges"]) == 9
    page = parse(render_html(got))
    note = [a for t, a in page.tags if "data-omitted" in a]
    assert note and note[0]["data-omitted"] == "19"


def test_budget_on_the_synthetic_corpus_keeps_proposals_and_code():
    full = explorer_data(synthetic_graph(60), budget=10_000)
    got = explorer_data(synthetic_graph(60), budget=40)
    assert len(got["nodes"]) == 40
    hubs = sorted((n for n in full["nodes"] if n["type"] != "Paper"), key=lambda n: -n["degree"])[:10]
    kept = {n["id"] for n in got["nodes"]}
    assert all(h["id"] in kept for h in hubs)  # the 10 (a quarter of 40) most linked entities
    assert sum(n["type"] == "Paper" for n in got["nodes"]) >= 10


def test_budget_always_keeps_the_focus(small_graph):
    got = explorer_data(small_graph, focus="ViT-B", hops=1, budget=1)
    assert [n["label"] for n in got["nodes"]] == ["ViT-B"]
    assert got["omitted"]["nodes"] == {"Paper": 1}


def test_min_confidence_drops_weak_links_and_orphans(small_graph):
    got = explorer_data(small_graph, min_confidence=0.75)
    labels = {n["label"] for n in got["nodes"]}
    assert "AP" not in labels and "DINO" not in labels and "self-supervised learning" not in labels  # 0.5, 0.7, 0.6
    assert "MoCo v2" in labels  # 0.8
    assert all(e["confidence"] >= 0.75 for e in got["edges"])
    with pytest.raises(ViewError, match="'AP' has no links with confidence >= 0.75"):
        explorer_data(small_graph, focus="AP", min_confidence=0.75)


def test_uses_hierarchy_matches_the_ontology():
    onto = rdflib.Graph().parse(ROOT / "ontology" / "paperkg.ttl")
    kgo = rdflib.Namespace("https://w3id.org/paperkg/ontology#")
    for sup, subs in kg.view.SUB_PROPERTIES.items():
        found = {str(s)[len(str(kgo)):] for s in onto.transitive_subjects(RDFS.subPropertyOf, kgo[sup])} - {sup}
        assert found == set(subs), sup
    assert set(kg.view.RELATIONS) == {"proposes", "uses", "addressesTask", "reportsMetric", "hasCode"} | {
        str(s)[len(str(kgo)):] for s in onto.transitive_subjects(RDFS.subPropertyOf, kgo.uses)}


def test_entity_view_links_entities_used_together(small_graph):
    got = explorer_data(small_graph, kind="entities")
    assert {n["type"] for n in got["nodes"]} == {"Method", "Architecture", "Dataset"}
    assert {e["relation"] for e in got["edges"]} == {"cooccurs"}
    nodes = by_label(got)
    imagenet = nodes["ImageNet"]
    assert imagenet["degree"] == 2 and {p["title"] for p in imagenet["papers"]} == {
        "PASS: An ImageNet replacement for self-supervised pretraining without humans", DMAE.title}
    assert all(p["evidence"]["mention"] for p in imagenet["papers"])
    pair = [e for e in got["edges"] if {e["source"], e["target"]} == {imagenet["id"], nodes["Masked Autoencoders"]["id"]}]
    assert pair and pair[0]["papers"] == 1 and pair[0]["titles"] == [DMAE.title]
    assert got["kind"] == "entities"
    focus = explorer_data(small_graph, kind="entities", focus="MAE", hops=1)
    assert {n["label"] for n in focus["nodes"]} == {"ImageNet", "Masked Autoencoders", "ViT-B", "ViT-L",
                                                    "knowledge distillation"}
    page = render_html(got)
    assert "used together" in page and '"arrows": {"to": {"enabled": false' in page


def test_unknown_kind_raises_view_error(small_graph):
    with pytest.raises(ViewError, match="kind must be one of papers, entities, not 'graph'"):
        explorer_data(small_graph, kind="graph")


# ---------------------------------------------------------------------------------------------- page


def test_a_small_view_draws_every_label_at_one_size(small_graph):
    nodes = payload_nodes(render_html(explorer_data(small_graph, focus="ImageNet", hops=1)))
    assert {n["font"]["size"] for n in nodes} == {kg.view.page._FONT_BASE}
    assert max(n["size"] for n in nodes) <= kg.view.page._SIZE_MAX_SMALL
    big = payload_nodes(render_html(explorer_data(synthetic_graph(), budget=300)))
    assert len({n["font"]["size"] for n in big}) > 3  # a big view names its hubs bigger


def test_page_has_filters_slider_and_alias_search_data(page):
    tags = parse(page).tags
    assert [a["value"] for t, a in tags if t == "input" and "kg-filter" in a.get("class", "")] == [
        "Paper", "Method", "Architecture", "Dataset", "Task", "Metric", "Code"]
    slider = next(a for t, a in tags if a.get("id") == "kg-min-confidence")
    assert slider["type"] == "range" and slider["min"] == "0" and slider["max"] == "1"
    mae = next(n for n in payload_nodes(page) if n["label"] == "Masked Autoencoders")
    assert "MAE" in mae["kg"]["aliases"]


def test_legend_lists_exactly_the_types_present(small_graph, page):
    assert [a["data-type"] for t, a in parse(page).tags if "data-type" in a] == [
        "Paper", "Method", "Architecture", "Dataset", "Task", "Metric", "Code"]
    only = render_html(explorer_data(small_graph, focus="COCO"))
    assert [a["data-type"] for t, a in parse(only).tags if "data-type" in a] == ["Paper", "Dataset"]
    assert [a["data-relation"] for t, a in parse(only).tags if "data-relation" in a] == ["uses"]


def test_page_loads_nothing_from_the_network(page):
    tags = parse(page).tags
    scripts = [a for t, a in tags if t == "script"]
    assert scripts and all("src" not in a for a in scripts)
    assert not [a for t, a in tags if t == "link"]  # pyvis's Bootstrap stylesheet is gone
    for tag, attrs in tags:
        for name in ("src", "href", "data", "action", "poster"):
            assert not re.match(r"\s*(https?:)?//", attrs.get(name) or ""), (tag, attrs)
    assert "cdn.jsdelivr.net" not in page and "cdnjs.cloudflare.com" not in page
    csp = next(a["content"] for t, a in tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp and "unsafe-inline'" not in csp.split(
        "style-src")[0]


def test_page_inlines_vis_network_and_draws_every_node(data, page):
    scripts = parse(page).scripts
    assert any("vis-network" in s and len(s) > 100_000 for s in scripts)  # the library itself, inline
    payload = next(s for s in scripts if "new vis.DataSet(" in s)
    nodes = json.loads(re.search(r"nodes = new vis\.DataSet\((\[.*?\])\);", payload).group(1))
    assert {n["id"] for n in nodes} == {n["id"] for n in data["nodes"]}
    assert all(isinstance(n["x"], float) and "title" not in n for n in nodes)  # positions from Python
    assert '"physics": {"enabled": false' in payload
    paper = next(n for n in nodes if n["kg"]["title"] == SWIN.title)
    assert paper["label"].endswith("…") and len(paper["label"]) <= 42
    assert paper["shape"] == "square" and paper["size"] > next(n for n in nodes if n["label"] == "COCO")["size"]


def test_hostile_text_never_appears_unescaped():
    graph = hostile_graph()
    data = explorer_data(graph)
    assert HOSTILE in {n["label"] for n in data["nodes"]}  # it is in the data, as text
    page = render_html(data, title="<i>my</i> graph")
    for needle in (HOSTILE, "<script>alert", "</script><script>", "<img", "<b onmouseover",
                   '"><script>', "<i>my"):
        assert needle not in page, needle
    tags = parse(page).tags
    assert not [t for t, a in tags if t in ("img", "b", "i")]
    assert not [(t, k) for t, a in tags for k in a if k.startswith("on")]
    assert len([t for t, a in tags if t == "script"]) == len([t for t, a in parse(render_html(
        explorer_data(synthetic_graph(3)))).tags if t == "script"])  # no script element more than usual
    assert "&lt;i&gt;my&lt;/i&gt; graph" in page


def test_hostile_focus_is_escaped_in_the_header(small_graph):
    data = explorer_data(small_graph, focus="COCO")
    data["focus"]["query"] = "<svg onload=alert(1)>"
    page = render_html(data)
    assert "<svg onload" not in page and "&lt;svg onload=alert(1)&gt;" in page


def test_empty_graph_gives_a_page():
    page = render_html(explorer_data(rdflib.Graph()))
    assert "the graph is empty" in page and parse(page).tags


def test_render_rejects_what_is_not_explorer_data():
    with pytest.raises(ViewError):
        render_html({"nodes": "x"})
    with pytest.raises(ViewError, match="does not list"):
        render_html({"nodes": [], "edges": [{"source": "a", "target": "b", "relation": "uses"}]})


def test_a_few_hundred_nodes_stay_within_the_default_budget():
    data = explorer_data(synthetic_graph())
    assert len(data["nodes"]) <= DEFAULT_BUDGET
    assert data["omitted"]["nodes"] and data["total"]["nodes"] > DEFAULT_BUDGET
    page = render_html(data)
    assert "physics" in page and '"physics": {"enabled": false' in page


# ---------------------------------------------------------------------------------------------- writing


def test_write_explorer_writes_the_complete_page(small_graph, tmp_path):
    path = write_explorer(small_graph, tmp_path / "sub" / "explorer.html", title="Fixture", focus="COCO")
    text = path.read_text(encoding="utf-8")
    assert path == tmp_path / "sub" / "explorer.html"
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert text == render_html(explorer_data(small_graph, focus="COCO"), title="Fixture",
                               index=read_index(as_store(small_graph)))
    assert [p.name for p in path.parent.iterdir()] == ["explorer.html"]


def test_a_failure_while_writing_leaves_no_file(small_graph, tmp_path, monkeypatch):
    monkeypatch.setattr(kg.view.page, "render_html", lambda data, title, index: "<html>" + "x" * 100_000 + "\ud800")
    target = tmp_path / "explorer.html"
    with pytest.raises(UnicodeEncodeError):  # fails inside the write, after most of the page
        write_explorer(small_graph, target)
    assert list(tmp_path.iterdir()) == []
    target.write_text("old page", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        write_explorer(small_graph, target)
    assert target.read_text(encoding="utf-8") == "old page" and list(tmp_path.iterdir()) == [target]


def test_unknown_focus_writes_nothing(small_graph, tmp_path):
    with pytest.raises(ViewError):
        write_explorer(small_graph, tmp_path / "x.html", focus="nothing like it")
    assert list(tmp_path.iterdir()) == []


def test_docstring_examples_run():
    results = [doctest.testmod(m) for m in (kg.view.data, kg.view.layout, kg.view.page)]
    assert sum(r.attempted for r in results) >= 3 and sum(r.failed for r in results) == 0
