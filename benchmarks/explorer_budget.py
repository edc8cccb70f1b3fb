"""How many nodes can one explorer page hold before the browser gets slow? (chooses kg.view.DEFAULT_BUDGET)

Builds synthetic explorer data of increasing size (the sample corpus's shape: ~30 % papers each linking
~5 entities drawn with a skew, ~60 % entities, ~10 % code), renders each page with kg.view.render_html,
opens it in headless Debian Chromium through Playwright (offline: every non-file request is aborted) and
prints, per size:

* ``layout_s``   Python time to lay the graph out and write the page (render_html)
* ``MB``         page size
* ``ready_s``    load → the explorer script has run (vis-network built, first frame requested)
* ``stable_s``   load → the picture stops moving (immediately when positions come from Python; after
                 the in-browser physics stabilisation for views too big for the Python layout)
* ``frame_ms``   median time to redraw one frame after a zoom step (what panning/zooming feels like)
* ``heap_MB``    JS heap used after stabilisation (CDP Performance.getMetrics)

Usage: python benchmarks/explorer_budget.py [SIZES...]   (default 300 1000 3000 10000)
Needs ``chromium`` on PATH and the playwright package (no ``playwright install``).
"""
from __future__ import annotations

import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from kg.view import NODE_TYPES, render_html

ENTITY_TYPES = NODE_TYPES[1:6]
FRAME_JS = """async () => {
    const t = [];
    for (let i = 0; i < 7; i++) {
        const s = performance.now();
        await new Promise(r => { network.once('afterDrawing', r);
            network.moveTo({scale: network.getScale() * (i % 2 ? 0.9 : 1.1), animation: false}); });
        t.push(performance.now() - s);
    }
    t.sort((a, b) => a - b);
    return t[3];
}"""


def synthetic(n_nodes: int, seed: int = 1) -> dict:
    rng = random.Random(seed)
    n_papers, n_code = int(n_nodes * 0.3), int(n_nodes * 0.1)
    n_entities = n_nodes - n_papers - n_code
    nodes, edges = [], []
    ents = [f"e{i}" for i in range(n_entities)]
    for i, e in enumerate(ents):
        nodes.append({"id": e, "type": ENTITY_TYPES[i % 5], "label": f"Entity {i}", "aliases": [f"E{i}"]})
    for i in range(n_papers):
        p = f"p{i}"
        nodes.append({"id": p, "type": "Paper", "label": f"Synthetic paper {i} on something", "title": f"Paper {i}",
                      "abstract": "We study things. " * 20, "url": None, "code": []})
        targets = {ents[int(n_entities * rng.random() ** 3)] for _ in range(5)}
        for t in sorted(targets):
            ev = {"relation": "uses", "mention": "x", "sentence": "We use x here.", "start": 7, "end": 8,
                  "sentence_start": 0, "confidence": round(rng.random(), 2)}
            edges.append({"source": p, "target": t, "relation": "uses", "relations": ["uses"], "evidence": ev,
                          "confidence": ev["confidence"]})
    for i in range(n_code):
        c = f"https://github.com/x/repo{i}"
        p = f"p{rng.randrange(n_papers)}"
        nodes.append({"id": c, "type": "Code", "label": c[8:], "url": c})
        edges.append({"source": p, "target": c, "relation": "hasCode", "relations": ["hasCode"], "evidence": None,
                      "confidence": None})
    degree: dict[str, int] = {}
    for e in edges:
        degree[e["source"]] = degree.get(e["source"], 0) + 1
        degree[e["target"]] = degree.get(e["target"], 0) + 1
    for n in nodes:
        n["degree"] = degree.get(n["id"], 0)
    return {"nodes": nodes, "edges": edges, "counts": {"nodes": {}}, "omitted": {}, "total": {}, "budget": n_nodes}


def measure(browser, path: Path, timeout_s: float = 240) -> dict:
    page = browser.new_page(viewport={"width": 1500, "height": 950})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    t0 = time.perf_counter()
    page.goto(path.as_uri(), timeout=timeout_s * 1000)
    page.wait_for_selector("body[data-ready='1']", timeout=timeout_s * 1000)
    ready = time.perf_counter() - t0
    page.wait_for_selector("body[data-stabilised='1']", timeout=timeout_s * 1000, state="attached")
    stable = time.perf_counter() - t0
    frame = page.evaluate(FRAME_JS)
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    page.close()
    return {"ready_s": ready, "stable_s": stable, "frame_ms": frame, "heap_MB": metrics["JSHeapUsedSize"] / 2**20}


def main(sizes: list[int]) -> None:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("no chromium on PATH (apt-get install chromium)")
    out = Path(tempfile.mkdtemp(prefix="explorer-budget-"))
    print(f"{'nodes':>6} {'edges':>6} {'layout_s':>8} {'MB':>5} {'ready_s':>7} {'stable_s':>8} {'frame_ms':>8} "
          f"{'heap_MB':>7}  layout")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for n in sizes:
            data = synthetic(n)
            t = time.perf_counter()
            page = render_html(data)
            layout = time.perf_counter() - t
            path = out / f"explorer-{n}.html"
            path.write_text(page, encoding="utf-8")
            r = measure(browser, path)
            how = "python" if 'data-physics="off"' in page else "browser physics"
            print(f"{n:>6} {len(data['edges']):>6} {layout:>8.1f} {len(page) / 2**20:>5.1f} {r['ready_s']:>7.2f} "
                  f"{r['stable_s']:>8.2f} {r['frame_ms']:>8.1f} {r['heap_MB']:>7.1f}  {how}", flush=True)
        browser.close()
    print(f"pages kept in {out}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [300, 1000, 3000, 10000])
