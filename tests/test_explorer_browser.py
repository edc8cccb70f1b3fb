"""The explorer page in a real browser: Playwright driving Debian's Chromium, offline (every request other
than the page's own file:// is aborted and recorded).

Skipped, with the reason, when Playwright is not installed or there is no ``chromium`` on PATH
(``apt-get install chromium``; ``playwright install`` is not needed).
"""
from __future__ import annotations

import shutil

import pytest

from kg.view import explorer_data, render_html
from kg.graph import paper_iri
from small_corpus import DMAE, SWIN
from test_view import hostile_graph

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (apt-get install chromium)")

HOSTILE = '</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'


@pytest.fixture(scope="session")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture(scope="session")
def fixture_page_path(small_graph, tmp_path_factory):
    path = tmp_path_factory.mktemp("explorer") / "explorer.html"
    path.write_text(render_html(explorer_data(small_graph), title="fixture"), encoding="utf-8")
    return path


def open_page(browser, path):
    """A fresh tab on ``path``; returns (page, requests to anything but file: that were attempted)."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    blocked: list[str] = []

    def route(r):
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready='1']", timeout=15_000)
    page.errors = errors
    return page, blocked


@pytest.fixture()
def page(browser, fixture_page_path):
    p, blocked = open_page(browser, fixture_page_path)
    yield p
    assert blocked == [], f"the page tried the network: {blocked}"
    assert p.errors == [], p.errors
    p.close()


def visible(page, what="nodes"):
    return page.evaluate(f"{what}.get({{filter: function (x) {{ return !x.hidden; }}}}).length")


def node_id(page, title):
    return page.evaluate("t => nodes.get({filter: n => n.kg.title === t})[0].id", title)


def click_node(page, nid):
    """A real mouse click where vis-network draws the node (canvas position → page position)."""
    page.evaluate("id => network.focus(id, {scale: 1.2, animation: false})", nid)
    xy = page.evaluate("""id => { const p = network.canvasToDOM(network.getPosition(id));
        const r = document.querySelector('#mynetwork canvas').getBoundingClientRect();
        return [r.left + p.x, r.top + p.y]; }""", nid)
    page.mouse.click(*xy)


def test_graph_draws_offline_with_every_node(page, small_graph):
    expected = len(explorer_data(small_graph)["nodes"])
    assert page.locator("#mynetwork canvas").count() == 1
    assert page.evaluate("nodes.length") == expected == page.evaluate("Object.keys(network.body.nodes).length")
    box = page.locator("#mynetwork canvas").bounding_box()
    assert box["width"] > 600 and box["height"] > 400
    # something is painted: the canvas is not blank
    painted = page.evaluate("""() => { const c = document.querySelector('#mynetwork canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
        for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) n++; } return n; }""")
    assert painted > 1000


def test_search_by_alias_selects_centres_and_describes(page):
    page.fill("#kg-search", "MAE")
    page.press("#kg-search", "Enter")
    selected = page.evaluate("network.getSelectedNodes()")
    assert [page.evaluate("id => nodes.get(id).label", i) for i in selected] == ["Masked Autoencoders"]
    assert page.locator("#kg-panel").is_visible()
    assert page.locator("#kg-panel h2").inner_text() == "Masked Autoencoders"
    assert "Also written: MAE" in page.locator("#kg-panel").inner_text()
    centre = page.evaluate("network.canvasToDOM(network.getPosition(network.getSelectedNodes()[0]))")
    box = page.locator("#mynetwork canvas").bounding_box()
    assert abs(centre["x"] - box["width"] / 2) < 2 and abs(centre["y"] - box["height"] / 2) < 2


def test_search_by_part_of_a_name(page):
    page.fill("#kg-search", "swin trans")
    page.press("#kg-search", "Enter")
    assert page.locator("#kg-panel h2").inner_text() == "Swin Transformer"


def test_type_filter_hides_nodes_and_their_links(page):
    before = visible(page)
    methods = page.evaluate("nodes.get({filter: n => n.kg.type === 'Method'}).length")
    assert methods > 0
    page.locator("input.kg-filter[value='Method']").uncheck()
    assert visible(page) == before - methods
    assert page.evaluate("nodes.get({filter: n => n.kg.type === 'Method' && !n.hidden}).length") == 0
    assert page.evaluate("edges.get({filter: e => !e.hidden && nodes.get(e.to).kg.type === 'Method'}).length") == 0
    assert "Showing" in page.locator("#kg-visible").inner_text()
    page.locator("input.kg-filter[value='Method']").check()
    assert visible(page) == before


def test_clicking_a_paper_shows_its_record(page):
    click_node(page, node_id(page, DMAE.title))
    panel = page.locator("#kg-panel")
    assert panel.is_visible()
    text = panel.inner_text()
    assert DMAE.title in text
    assert "This paper studies the potential of distilling knowledge" in text  # abstract snippet
    assert "github.com/UCSC-VLAA/DMAE" in text  # code link
    assert page.locator("#kg-panel a[href='https://github.com/UCSC-VLAA/DMAE']").count() == 1
    assert "Uses" in text and "Masked Autoencoders" in text  # its entities
    assert page.locator("#kg-panel mark").count() > 0  # evidence with the mention highlighted
    assert "confidence" in text


def test_clicking_an_entity_lists_its_papers_with_evidence(page):
    nid = page.evaluate("nodes.get({filter: n => n.label === 'ImageNet'})[0].id")
    click_node(page, nid)
    text = page.locator("#kg-panel").inner_text()
    assert page.locator("#kg-panel h2").inner_text() == "ImageNet"
    assert "Used by (2)" in text and DMAE.title in text
    marks = page.locator("#kg-panel mark").all_inner_texts()
    assert marks and all("imagenet" in m.lower() for m in marks)


def test_confidence_slider_hides_weak_links(page):
    edges_before = visible(page, "edges")
    weak = page.evaluate("edges.get({filter: e => !(e.kg.confidence >= 0.75)}).length")
    assert weak > 0
    page.evaluate("v => { const s = document.getElementById('kg-min-confidence'); s.value = v;"
                  " s.dispatchEvent(new Event('input')); }", "0.75")
    assert visible(page, "edges") == edges_before - weak
    assert page.locator("#kg-confidence-value").inner_text() == "0.75"
    hidden_labels = page.evaluate("nodes.get({filter: n => n.hidden}).map(n => n.label)")
    assert "AP" in hidden_labels  # its only link is 0.5


def test_entity_view_draws_co_occurrence(browser, small_graph, tmp_path):
    path = tmp_path / "entities.html"
    path.write_text(render_html(explorer_data(small_graph, kind="entities")), encoding="utf-8")
    page, blocked = open_page(browser, path)
    try:
        assert blocked == [] and page.errors == []
        assert page.evaluate("nodes.get({filter: n => n.kg.type === 'Paper'}).length") == 0
        assert page.evaluate("edges.get({filter: e => e.kg.relation !== 'cooccurs'}).length") == 0
        page.fill("#kg-search", "ImageNet")
        page.press("#kg-search", "Enter")
        text = page.locator("#kg-panel").inner_text()
        assert "Papers (2)" in text and DMAE.title in text
    finally:
        page.close()


def test_hostile_title_runs_no_script_and_shows_as_text(browser, tmp_path):
    graph = hostile_graph()
    data = explorer_data(graph)
    for n in data["nodes"]:
        if n["type"] == "Paper":
            n["label"] = n["title"] = HOSTILE
    path = tmp_path / "hostile.html"
    path.write_text(render_html(data, title=HOSTILE), encoding="utf-8")
    page, blocked = open_page(browser, path)
    try:
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert blocked == []  # the <img src=x> never became an element that loads
        assert page.locator("img").count() == 0
        assert page.locator("#kg-header h1").inner_text() == HOSTILE
        click_node(page, node_id(page, HOSTILE))
        assert page.locator("#kg-panel h2").inner_text() == HOSTILE
        page.fill("#kg-search", "evilnet")
        page.press("#kg-search", "Enter")
        assert "<b onmouseover=alert(2)>EvilNet</b>" in page.locator("#kg-panel").inner_text()
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.locator("img").count() == 0 and page.locator("#kg-panel b").count() == 0
        assert page.errors == []
    finally:
        page.close()


# ---- the whole graph: the overview page with its index (search any node, focus on it, back)


def page_with_index(graph, path, **index_options):
    """The page ``kg build``/``kg view`` writes (the overview of the graph and its whole-graph index)."""
    from kg.reader import as_store
    from kg.view.index import read_index
    from kg.view.overview import overview_data

    store = as_store(graph)
    index = read_index(store, **index_options)
    path.write_text(render_html(overview_data(store, index), title="fixture", index=index), encoding="utf-8")
    return path


def neighbours(graph, node):
    """The node and what it links to or is linked from, as the reader sees the graph."""
    from kg.reader import as_store, read_tables

    links = read_tables(as_store(graph), support=False).links
    return {node} | {l.target for l in links if l.paper == node} | {l.paper for l in links if l.target == node}


@pytest.fixture(scope="session")
def overview_path(small_graph, tmp_path_factory):
    return page_with_index(small_graph, tmp_path_factory.mktemp("overview") / "explorer.html")


@pytest.fixture()
def overview(browser, overview_path):
    p, blocked = open_page(browser, overview_path)
    p.wait_for_selector("body[data-index='ready']", state="attached", timeout=15_000)
    yield p
    assert blocked == [], f"the page tried the network: {blocked}"
    assert p.errors == [], p.errors
    p.close()


#: The page has drawn a focus view. (Waits use selectors: the page's CSP forbids the eval that
#: Playwright's wait_for_function polls with.)
FOCUSED = "body[data-focus]:not([data-focus=''])"


def results(page):
    page.wait_for_selector("#kg-results li", timeout=5_000)
    return page.locator("#kg-results li .kg-result-name").all_inner_texts()


def test_search_finds_a_paper_not_drawn_and_focus_draws_its_neighbourhood(overview, small_graph):
    paper = str(paper_iri(DMAE))
    assert overview.evaluate("nodes.get({filter: n => n.kg.type === 'Paper'}).length") == 0
    assert overview.evaluate("id => nodes.get(id)", paper) is None
    overview.fill("#kg-search", "efficient knowledge distill")  # part of the title, not its start
    assert results(overview)[0] == DMAE.title
    overview.press("#kg-search", "ArrowDown")  # keyboard only: the first result, chosen
    assert overview.get_attribute("#kg-search", "aria-activedescendant") == "kg-result-0"
    overview.press("#kg-search", "Enter")
    overview.wait_for_selector(f"body[data-focus='{paper}']", state="attached")
    drawn = set(overview.evaluate("nodes.getIds()"))
    assert drawn == neighbours(small_graph, paper)
    assert overview.evaluate("edges.length") == len(drawn) - 1
    panel = overview.locator("#kg-panel")
    assert panel.is_visible() and overview.locator("#kg-panel h2").inner_text() == DMAE.title
    # under each link, the sentence of the abstract that names the target, the name marked; no "evidence"
    text = panel.inner_text()
    assert "Where the abstract names it" in text and "confidence" not in text and "evidence" not in text
    abstract = " ".join(DMAE.abstract.split())
    quotes = overview.locator("#kg-panel blockquote:not(.kg-title-sentence)").all_inner_texts()
    assert quotes and all(" ".join(q.split()) in abstract for q in quotes)
    # a name in the title is shown there too (a paper often names what it introduces only there)
    titles = overview.locator("#kg-panel blockquote.kg-title-sentence").all_inner_texts()
    assert titles and all(" ".join(t.split()) == "title: " + DMAE.title for t in titles)
    assert "ImageNet" in overview.locator("#kg-panel mark").all_inner_texts()
    assert overview.evaluate("decodeURIComponent(location.hash.slice(1))") == paper
    assert overview.locator("#kg-back").is_visible()


def test_the_edge_panel_of_a_focus_names_it_in_the_abstract(overview):
    paper = str(paper_iri(DMAE))
    overview.evaluate("id => kgExplorer.focus(id)", paper)
    target = overview.evaluate("nodes.get({filter: n => n.label === 'ImageNet'})[0].id")
    edge = overview.evaluate("([p, t]) => edges.get({filter: e => e.from === p && e.to === t})[0].id", [paper, target])
    overview.evaluate("id => network.selectEdges([id])", edge)
    overview.evaluate("""id => network.body.emitter.emit('click', {nodes: [], edges: [id],
        pointer: {DOM: {x: 0, y: 0}, canvas: {x: 0, y: 0}}})""", edge)
    text = overview.locator("#kg-panel").inner_text()
    assert "Where the abstract names it" in text and "ImageNet" in text and "confidence" not in text


def test_search_by_alias_finds_the_entity(overview, small_graph):
    overview.fill("#kg-search", "mae")
    assert "MAE \u2192 Masked Autoencoders" in results(overview)
    overview.press("#kg-search", "Enter")  # Enter alone: the best match (the exact alias)
    overview.wait_for_selector(FOCUSED, state="attached")
    focus = overview.get_attribute("body", "data-focus")
    assert overview.evaluate("id => nodes.get(id).label", focus) == "Masked Autoencoders"
    assert set(overview.evaluate("nodes.getIds()")) == neighbours(small_graph, focus)
    assert overview.locator("#kg-panel h2").inner_text() == "Masked Autoencoders"
    assert "Also written: MAE" in overview.locator("#kg-panel").inner_text()


def test_back_to_overview_restores_the_drawing(overview):
    before = overview.evaluate("""() => ({ids: nodes.getIds().sort(), edges: edges.length,
        visible: nodes.get({filter: n => !n.hidden}).length, positions: network.getPositions(),
        scale: network.getScale(), legend: document.getElementById('kg-legend').innerText})""")
    overview.fill("#kg-search", "swin transformer: hierarchical")
    overview.press("#kg-search", "Enter")
    overview.wait_for_selector(FOCUSED, state="attached")
    assert overview.evaluate("nodes.length") != len(before["ids"])
    assert "Paper" in overview.locator("#kg-legend").inner_text()  # the focus's types join the legend
    overview.click("#kg-back")
    after = overview.evaluate("""() => ({ids: nodes.getIds().sort(), edges: edges.length,
        visible: nodes.get({filter: n => !n.hidden}).length, positions: network.getPositions(),
        scale: network.getScale(), legend: document.getElementById('kg-legend').innerText})""")
    assert after == before
    assert overview.get_attribute("body", "data-focus") == ""
    assert overview.locator("#kg-back").is_hidden() and overview.locator("#kg-panel").is_hidden()


def test_opening_the_page_at_a_node_focuses_it(browser, overview_path, small_graph):
    paper = str(paper_iri(SWIN))
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        page.goto(overview_path.as_uri() + "#" + paper)
        page.wait_for_selector(f"body[data-focus='{paper}']", state="attached", timeout=15_000)
        assert set(page.evaluate("nodes.getIds()")) == neighbours(small_graph, paper)
        assert page.locator("#kg-panel h2").inner_text() == SWIN.title
        page.evaluate("id => { location.hash = '#' + id; }", "https://w3id.org/paperkg/entity/dataset/imagenet")
        page.wait_for_selector("body[data-focus='https://w3id.org/paperkg/entity/dataset/imagenet']",
                               state="attached")
        page.go_back()  # the browser's Back: the paper again
        page.wait_for_selector(f"body[data-focus='{paper}']", state="attached")
    finally:
        page.close()


def test_two_hops_adds_the_neighbours_neighbours(overview, small_graph):
    paper = str(paper_iri(DMAE))
    overview.evaluate("id => kgExplorer.focus(id)", paper)
    one = set(overview.evaluate("nodes.getIds()"))
    overview.locator("#kg-hops2").check()  # drawn at once (embedded index)
    two = set(overview.evaluate("nodes.getIds()"))
    expected = set().union(*(neighbours(small_graph, n) for n in one))
    assert one < two <= expected and len(two) <= 151


def test_hostile_title_in_a_large_build_stays_inert(browser, tmp_path):
    from test_view import HOSTILE as TITLE, synthetic_graph

    path = page_with_index(synthetic_graph(400) + hostile_graph(), tmp_path / "explorer.html")
    page, blocked = open_page(browser, path)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        page.wait_for_selector("body[data-index='ready']", state="attached")
        assert page.evaluate("t => nodes.get({filter: n => n.kg.title === t}).length", TITLE) == 0
        page.fill("#kg-search", "<script>alert(1)")
        assert results(page) == [TITLE]
        page.press("#kg-search", "Enter")
        page.wait_for_selector(FOCUSED, state="attached")
        assert page.locator("#kg-panel h2").inner_text() == TITLE
        assert "around \u201c</script><script>alert(1)</script>" in page.locator("#kg-stats").inner_text()
        text = page.locator("#kg-panel").inner_text()
        assert "<b onmouseover=alert(2)>EvilNet</b>" in text  # its entity, as text, and the abstract naming it
        assert "We propose <b onmouseover=alert(2)>EvilNet</b>" in text
        page.fill("#kg-search", "evilnet")
        page.press("#kg-search", "Enter")
        page.wait_for_selector("body[data-focus*='/entity/']", state="attached")
        assert page.locator("#kg-panel h2").inner_text() == "<b onmouseover=alert(2)>EvilNet</b>"
        assert page.locator("img").count() == 0 and page.locator("#kg-panel b").count() == 0
        assert page.locator("a[href^='javascript']").count() == 0
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert dialogs == [] and blocked == [] and page.errors == []
    finally:
        page.close()


# ---- a graph too big to embed: the page asks kg serve for each neighbourhood


@pytest.fixture(scope="module")
def live_site(small_dataset, small_graph, tmp_path_factory):
    """A store and, beside it, its explorer as for a graph too big to embed (index without links: live)."""
    from kg.store import Store

    store_dir = tmp_path_factory.mktemp("live") / "store"
    Store.create_from(small_dataset, store_dir).close()
    page_with_index(small_graph, store_dir.parent / "explorer.html", embed=False)
    return store_dir


def test_through_kg_serve_focus_has_real_evidence(browser, live_site, small_graph):
    from servers import kg_serve

    paper = str(paper_iri(DMAE))
    with kg_serve(live_site) as (url, _):
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            page.goto(url + "/")
            page.wait_for_selector("body[data-index='ready']", state="attached", timeout=15_000)
            assert page.evaluate("id => nodes.get(id)", paper) is None
            page.fill("#kg-search", "efficient knowledge distill")
            assert results(page)[0] == DMAE.title
            page.press("#kg-search", "Enter")
            page.wait_for_selector(f"body[data-focus='{paper}']", state="attached", timeout=15_000)
            assert set(page.evaluate("nodes.getIds()")) == neighbours(small_graph, paper)
            assert page.locator("#kg-panel h2").inner_text() == DMAE.title
            text = page.locator("#kg-panel").inner_text()
            assert "confidence" in text and "Where the abstract names it" not in text  # evidence, from the store
            marks = page.locator("#kg-panel mark").all_inner_texts()
            assert "ImageNet" in marks
            # ImageNet's papers in the whole graph (from the index), not its one link in this view
            assert page.evaluate("nodes.get({filter: n => n.label === 'ImageNet'})[0].kg.degree") == len(
                neighbours(small_graph, "https://w3id.org/paperkg/entity/dataset/imagenet")) - 1
            assert page.locator("#kg-hops2").is_hidden()  # the server answers one hop
            weak = page.evaluate("edges.get({filter: e => !(e.kg.confidence >= 0.95)}).length")
            assert 0 < weak < page.evaluate("edges.length")
            page.evaluate("() => { const s = document.getElementById('kg-min-confidence'); s.value = '0.95';"
                          " s.dispatchEvent(new Event('input')); }")
            assert page.evaluate("edges.get({filter: e => e.hidden}).length") == weak
            page.evaluate("() => { const s = document.getElementById('kg-min-confidence'); s.value = '0';"
                          " s.dispatchEvent(new Event('input')); }")
            assert [r for r in requests if "/explorer/neighbourhood" in r] == [
                url + "/explorer/neighbourhood?node=" + paper.replace(":", "%3A").replace("/", "%2F")]
            # an entity by its alias, from the server too; then back to the overview
            page.fill("#kg-search", "mae")
            page.press("#kg-search", "Enter")
            page.wait_for_selector("body[data-focus*='/entity/']", state="attached", timeout=15_000)
            assert page.locator("#kg-panel h2").inner_text() == "Masked Autoencoders"
            assert page.locator("#kg-panel mark").count() > 0
            page.click("#kg-back")
            assert page.evaluate("nodes.get({filter: n => n.kg.type === 'Paper'}).length") == 0
            assert page.locator("#kg-min-confidence").is_hidden()  # the overview has no confidences
            # the query page links its results to /#IRI: opened so, the page focuses that node
            page.goto(url + "/#" + paper)
            page.wait_for_selector(f"body[data-focus='{paper}']", state="attached", timeout=15_000)
            assert page.locator("#kg-panel h2").inner_text() == DMAE.title
            assert errors == []
        finally:
            page.close()


def test_a_live_page_opened_from_disk_says_focus_needs_the_server(browser, live_site):
    page, blocked = open_page(browser, live_site.parent / "explorer.html")
    try:
        page.wait_for_selector("body[data-index='ready']", state="attached")
        needs = "Focus needs the server: run `kg serve OUT` and open http://127.0.0.1:7878/"
        assert page.locator("#kg-note").inner_text() == needs
        page.fill("#kg-search", DMAE.title)
        page.press("#kg-search", "Enter")
        assert needs in page.locator("#kg-panel").inner_text()
        assert page.get_attribute("body", "data-focus") in (None, "")
        assert blocked == [] and page.errors == []
    finally:
        page.close()


def test_a_node_clicked_in_the_overview_offers_its_focus(overview, small_graph):
    nid = overview.evaluate("nodes.get({filter: n => n.label === 'ImageNet'})[0].id")
    click_node(overview, nid)
    assert overview.locator("#kg-panel h2").inner_text() == "ImageNet"
    overview.click("#kg-panel .kg-focus-here")
    overview.wait_for_selector(f"body[data-focus='{nid}']", state="attached")
    assert set(overview.evaluate("nodes.getIds()")) == neighbours(small_graph, nid)
    assert overview.locator("#kg-panel .kg-focus-here").count() == 0  # it is the focus now
    from kg.reader import as_store, read_tables

    kinds = [n.type for n in read_tables(as_store(small_graph)).nodes.values()]
    drawn = overview.evaluate("nodes.get().map(n => n.kg.type)")
    papers = kinds.count("Paper") - drawn.count("Paper")
    entities = sum(1 for t in kinds if t not in ("Paper", "Code")) - sum(1 for t in drawn if t not in ("Paper", "Code"))
    assert overview.locator("#kg-hidden-note").inner_text().startswith(
        f"{papers} paper{'s' if papers != 1 else ''} and {entities} entities")  # what this view leaves out
