"""The explorer of a whole corpus in a real browser: page size, first draw, search index, search -> focus.

For a built folder OUT (``explorer.html`` and ``store`` in it, as ``kg build`` writes), opens the page in
headless Debian Chromium through Playwright and prints:

* ``page_MB``      size of explorer.html
* ``first_draw_s`` navigation -> the first frame of the overview is painted (vis-network's first
                   ``afterDrawing``; ``ready`` is when the explorer's script has run, just before)
* ``index_s``      navigation -> the whole-graph index is decoded and searchable (``body[data-index=ready]``)
* ``search_ms``    typing a paper's title -> the results (median, max over the sample)
* ``focus_ms``     choosing the result -> its neighbourhood drawn (median, max), over ``--papers`` random papers
                   (seeded) and, separately, the ``--hubs`` most linked entities (the biggest neighbourhoods)

From disk (``file://``, every other request aborted: the page must work offline) and, with ``--serve``, from
``kg serve --store OUT/store --explorer OUT/explorer.html`` on a free loopback port, where a live page fetches
each neighbourhood: there ``request_ms`` (papers) and ``hub_req`` (hubs) are the times of those GETs as the
browser saw them (Resource Timing).

Targets (issue 12): 10k papers: page <= 15 MB, first draw <= 3 s, focus <= 1 s; 100k papers through kg serve:
overview <= 5 s, focus query <= 300 ms.

Usage: python benchmarks/explorer_scale.py OUT [--serve] [--papers 20] [--hubs 5] [--seed 1]
Needs ``chromium`` on PATH and the playwright package (no ``playwright install``).
"""
from __future__ import annotations

import argparse
import base64
import gzip
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from serving import start_kg_serve  # noqa: E402

FOCUS_JS = """async ([id, title]) => {
    const t0 = performance.now();
    const results = kgExplorer.search(title);
    const t1 = performance.now();
    const hit = results.find(r => r.id === id);
    if (!hit) { return {found: false, search: t1 - t0}; }
    const drawn = await kgExplorer.choose(hit);
    const t2 = performance.now();
    return {found: true, search: t1 - t0, focus: t2 - t1, drawn: drawn,
            ok: document.body.getAttribute('data-focus') === id, nodes: nodes.length};
}"""
DIRECT_JS = """async id => {
    const t = performance.now();
    const drawn = await kgExplorer.focus(id);
    return {focus: performance.now() - t, drawn: drawn, ok: document.body.getAttribute('data-focus') === id,
            nodes: nodes.length};
}"""
REQUESTS_JS = """() => performance.getEntriesByType('resource')
    .filter(e => e.name.indexOf('/explorer/neighbourhood') >= 0).map(e => e.responseEnd - e.startTime)"""
INDEX_RE = re.compile(r'<script type="application/octet-stream" id="kg-index"[^>]*>([^<]*)</script>')


def read_index(page: Path) -> dict | None:
    """The index the page embeds (decoded as the browser does), or None."""
    m = INDEX_RE.search(page.read_text(encoding="utf-8"))
    return json.loads(gzip.decompress(base64.b64decode(m.group(1)))) if m else None


def sample(index: dict, papers: int, hubs: int, seed: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(IRI, label) of ``papers`` random papers and of the ``hubs`` entities with most papers."""
    paper_type = index["types"].index("Paper")
    paper_ids = [i for i, t in enumerate(index["type"]) if t == paper_type]
    chosen = random.Random(seed).sample(paper_ids, min(papers, len(paper_ids)))
    entity_types = {k for k, t in enumerate(index["types"]) if t not in ("Paper", "Code")}
    top = sorted((i for i, t in enumerate(index["type"]) if t in entity_types), key=lambda i: -index["degree"][i])
    return ([(index["ids"][i], index["label"][i]) for i in chosen],
            [(index["ids"][i], index["label"][i]) for i in top[:hubs]])


def start_server(out: Path) -> tuple[subprocess.Popen, str]:
    return start_kg_serve("--store", str(out / "store"), "--explorer", str(out / "explorer.html"))


def stats(values: list[float]) -> str:
    return f"{statistics.median(values):8.0f} {max(values):8.0f}" if values else f"{'-':>8} {'-':>8}"


def measure(browser, url: str, offline: bool, papers: list, hubs: list, timeout_s: float) -> dict:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    if offline:
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url, timeout=timeout_s * 1000, wait_until="commit")
    page.wait_for_selector("body[data-ready='1']", timeout=timeout_s * 1000, state="attached")
    page.wait_for_selector("body[data-index]", timeout=timeout_s * 1000, state="attached")
    for _ in range(int(timeout_s * 10)):  # (not wait_for_function: the page's CSP forbids the eval it uses)
        times = page.evaluate("kgExplorer.times")
        if times["drawn"] is not None:
            break
        time.sleep(0.1)
    result = {"first_draw_s": times["drawn"] / 1000, "ready_s": times["ready"] / 1000,
              "index_s": (times["index"] or float("nan")) / 1000, "index": page.get_attribute("body", "data-index"),
              "search": [], "focus": [], "hub_focus": [], "missed": 0, "failed": 0, "nodes": [],
              "note": page.evaluate("(document.getElementById('kg-note') || {}).textContent || ''")}
    if offline and page.evaluate("document.getElementById('kg-note') && !document.getElementById('kg-note').hidden"):
        papers, hubs = [], []  # a live page from disk: focus needs kg serve (the note says so)
    for id_, title in papers:
        r = page.evaluate(FOCUS_JS, [id_, title])
        result["search"].append(r["search"])
        if not r["found"]:  # not among the first results for its own title (a duplicate title): focus it directly
            result["missed"] += 1
            r = page.evaluate(DIRECT_JS, id_)
        if r.get("ok"):
            result["focus"].append(r["focus"])
            result["nodes"].append(r["nodes"])
        else:
            result["failed"] += 1
    result["requests"] = page.evaluate(REQUESTS_JS)  # the papers' neighbourhood GETs (live pages)
    for id_, _ in hubs:
        r = page.evaluate(DIRECT_JS, id_)
        if r.get("ok"):
            result["hub_focus"].append(r["focus"])
        else:
            result["failed"] += 1
    result["hub_requests"] = page.evaluate(REQUESTS_JS)[len(result["requests"]):]
    result["errors"] = errors
    page.close()
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="built folder with explorer.html and store")
    ap.add_argument("--serve", action="store_true", help="also through kg serve (live focus)")
    ap.add_argument("--papers", type=int, default=20)
    ap.add_argument("--hubs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=300, help="seconds to wait for a page")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("no chromium on PATH (apt-get install chromium)")
    html = (args.out / "explorer.html").resolve()
    if not html.is_file():
        sys.exit(f"{args.out}: no explorer.html")
    index = read_index(html)
    if index is None:
        sys.exit(f"{html}: the page embeds no whole-graph index (made by an older kg view?)")
    papers, hubs = sample(index, args.papers, args.hubs, args.seed)
    n_papers = sum(1 for t in index["type"] if index["types"][t] == "Paper")
    print(f"{args.out / 'explorer.html'}: {html.stat().st_size / 1e6:.1f} MB, index of {len(index['ids'])} nodes ({n_papers} papers), "
          f"mode {index['mode']}; {len(papers)} random papers (seed {args.seed}), {len(hubs)} hubs")
    del index
    runs = [("file", html.as_uri(), True)]
    server = None
    if args.serve:
        server, url = start_server(args.out)
        runs.append(("serve", url + "/", False))
    print(f"{'via':<6} {'page_MB':>7} {'draw_s':>6} {'index_s':>7} {'search_ms':>9} {'focus_ms':>8} {'max':>8} "
          f"{'hub_ms':>8} {'max':>8} {'request_ms':>10} {'max':>8} {'hub_req':>8} {'max':>8} {'nodes':>5}  note")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            for via, url, offline in runs:
                r = measure(browser, url, offline, papers, hubs, args.timeout)
                note = "; ".join(x for x in (
                    r["note"], f"{r['missed']} not in their title's results" if r["missed"] else "",
                    f"{r['failed']} focus failed" if r["failed"] else "",
                    f"page errors: {r['errors'][:2]}" if r["errors"] else "") if x)
                med_nodes = statistics.median(r["nodes"]) if r["nodes"] else 0
                search = f"{statistics.median(r['search']):.1f}" if r["search"] else "-"
                print(f"{via:<6} {html.stat().st_size / 1e6:>7.1f} {r['first_draw_s']:>6.2f} {r['index_s']:>7.2f} "
                      f"{search:>9} {stats(r['focus'])} "
                      f"{stats(r['hub_focus'])} {stats(r['requests']):>19} {stats(r['hub_requests'])} "
                      f"{med_nodes:>5.0f}  {note}", flush=True)
            browser.close()
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    main()
