/* paperkg explorer: tooltips, a details panel, a whole-graph search and focus views on top of the page pyvis
 * draws.
 *
 * pyvis leaves the vis-network objects in the globals `network`, `nodes` and `edges`. Every node and edge
 * carries `tip` (tooltip lines, [kind, text]) and `kg` (details). Text from the graph is only ever put into the
 * page with textContent / DOM properties, never as HTML, and a link is made only for http(s) URLs, so a hostile
 * title or URL stays inert text.
 *
 * The drawing first shown is the page's own (the overview). When the page embeds the whole-graph index
 * (<script id="kg-index">, gzip + base64 JSON, decoded after the first draw), the search box finds every paper
 * and entity, and choosing one replaces the drawing with its neighbourhood (a focus view, laid out here,
 * styled with the tables page.py writes into <script id="kg-styles">): from the index itself ("embedded") or
 * from `kg serve` ("live", GET /explorer/neighbourhood). "Back to overview" restores the first drawing.
 */
(function () {
  "use strict";
  if (typeof network === "undefined" || !network) {
    return;
  }
  var body = document.body;
  // ms since navigation (for benchmarks/explorer_scale.py): first frame painted, script done, index searchable
  var times = {drawn: null, ready: null, index: null};
  network.once("afterDrawing", function () { times.drawn = performance.now(); });

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) {
      e.className = cls;
    }
    if (text !== undefined && text !== null) {
      e.textContent = String(text);
    }
    return e;
  }

  function readJSON(id) {
    var tag = document.getElementById(id);
    if (!tag) {
      return null;
    }
    try {
      return JSON.parse(tag.textContent);
    } catch (err) {
      return null;
    }
  }
  var STYLE = readJSON("kg-styles");  // page.py's look tables (_styles_json)

  function tooltip(lines) {
    var box = el("div", "kg-tip");
    (lines || []).forEach(function (line) {
      box.appendChild(el("div", "kg-tip-" + line[0], line[1]));
    });
    return box;
  }

  function link(url, text) {
    if (!/^https?:\/\//i.test(String(url))) {
      return el("span", "kg-url", url);
    }
    var a = el("a", "kg-url", text || url);
    a.href = String(url);
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }

  // vis-network shows an Element given as `title` as it is (a string would go through innerText).
  nodes.update(nodes.get().map(function (n) { return {id: n.id, title: tooltip(n.tip)}; }));
  edges.update(edges.get().map(function (e) { return {id: e.id, title: tooltip(e.tip)}; }));

  var panel = document.getElementById("kg-panel");
  var ABSTRACT_SNIPPET = 600;

  function label(n) {
    return n ? String((n.kg && n.kg.title) || n.label) : "";
  }

  function evidenceBlock(ev) {
    var box = el("div", "kg-evidence");
    if (!ev) {
      box.appendChild(el("div", "kg-meta", "no evidence recorded"));
      return box;
    }
    var q = el("blockquote", "kg-sentence");
    var s = String(ev.sentence || "");
    var a = ev.start - ev.sentence_start;
    var b = ev.end - ev.sentence_start;
    if (typeof a === "number" && a >= 0 && b <= s.length && a < b) {
      q.appendChild(document.createTextNode(s.slice(0, a)));
      q.appendChild(el("mark", null, s.slice(a, b)));
      q.appendChild(document.createTextNode(s.slice(b)));
    } else {
      q.textContent = s;
    }
    box.appendChild(q);
    var conf = (typeof ev.confidence === "number") ? ev.confidence.toFixed(2) : "?";
    box.appendChild(el("div", "kg-meta",
      "mention \u201c" + ev.mention + "\u201d, characters " + ev.start + "\u2013" + ev.end +
      ", confidence " + conf));
    return box;
  }

  // ---- where a paper's abstract names a node (embedded focus views: the index holds no evidence)
  function sentences(text) {
    return String(text).split(/(?<=[.!?])\s+(?=[A-Z0-9"\u201c(\[])/);
  }
  function isWordChar(c) {
    return !!c && /[0-9A-Za-z\u00c0-\uffff]/.test(c);
  }
  // [[start, end], ...] of whole-word, case-insensitive occurrences of any of `names` in `text`.
  function occurrences(text, names) {
    var low = text.toLowerCase(), found = [];
    names.forEach(function (name) {
      var q = String(name || "").toLowerCase().trim();
      if (!q) {
        return;
      }
      for (var at = low.indexOf(q); at >= 0; at = low.indexOf(q, at + 1)) {
        if (!isWordChar(low.charAt(at - 1)) && !isWordChar(low.charAt(at + q.length))) {
          found.push([at, at + q.length]);
        }
      }
    });
    found.sort(function (x, y) { return x[0] - y[0] || y[1] - x[1]; });
    var merged = [];
    found.forEach(function (r) {
      var last = merged[merged.length - 1];
      if (last && r[0] < last[1]) {
        last[1] = Math.max(last[1], r[1]);
      } else {
        merged.push([r[0], r[1]]);
      }
    });
    return merged;
  }
  // The sentences of a paper's abstract that name a node (its title first when that does: a name a paper
  // introduces is often only there), the names marked.
  function namesBlock(title, abstract, names) {
    var box = el("div", "kg-named");
    box.appendChild(el("div", "kg-meta kg-named-head", "Where the abstract names it"));
    var shown = 0;
    [["title", title || ""]].concat(sentences(abstract || "").map(function (s) { return ["text", s]; })).forEach(function (part) {
      var text = part[1].trim(), hits = occurrences(text, names);
      if (!hits.length) {
        return;
      }
      var q = el("blockquote", "kg-sentence"), from = 0;
      if (part[0] === "title") {
        q.className += " kg-title-sentence";
        q.appendChild(el("span", "kg-meta", "title: "));
      }
      hits.forEach(function (h) {
        q.appendChild(document.createTextNode(text.slice(from, h[0])));
        q.appendChild(el("mark", null, text.slice(h[0], h[1])));
        from = h[1];
      });
      q.appendChild(document.createTextNode(text.slice(from)));
      box.appendChild(q);
      shown += 1;
    });
    if (!shown) {
      box.appendChild(el("div", "kg-meta", "the abstract does not name it as written here"));
    }
    return box;
  }

  // Headings of the link groups in the panel, for a paper (its links out) and an entity (links in).
  var OUT = {proposes: "Proposes", hasCode: "Code", addressesTask: "Addresses tasks", reportsMetric: "Reports metrics",
             comparesWith: "Compares with", cooccurs: "Used together with"};
  var IN = {proposes: "Proposed by", hasCode: "Code of", cooccurs: "Used together with",
            comparesWith: "Compared with by", addressesTask: "Addressed by", reportsMetric: "Reported by"};
  var ORDER = ["proposes", "hasCode", "uses", "comparesWith", "addressesTask", "reportsMetric", "cooccurs"];
  function group(rel) {
    return (ORDER.indexOf(rel) >= 0) ? rel : "uses";
  }

  function abstractBlock(text) {
    var p = el("p", "kg-abstract");
    if (text.length <= ABSTRACT_SNIPPET) {
      p.textContent = text;
      return p;
    }
    p.textContent = text.slice(0, ABSTRACT_SNIPPET).replace(/\s+\S*$/, "") + "\u2026 ";
    var more = el("button", "kg-more", "more");
    more.type = "button";
    more.addEventListener("click", function () { p.textContent = text; });
    p.appendChild(more);
    return p;
  }

  // The names a paper's abstract may use for a node (its label, aliases, a repository's URL).
  function namesOf(n) {
    var k = n.kg || {};
    return [k.title || n.label].concat(k.aliases || [], k.url && k.type === "Code" ? [k.url] : []);
  }

  // The block under a link in the panel: its evidence, or (embedded focus) where the abstract names the target.
  function linkDetail(e) {
    if (e.kg.named) {
      var paper = nodes.get(e.from), target = nodes.get(e.to);
      return namesBlock(paper && paper.kg.title, paper && paper.kg.abstract, target ? namesOf(target) : []);
    }
    return evidenceBlock(e.kg.evidence);
  }

  function showNode(id) {
    var n = nodes.get(id);
    if (!n) {
      return;
    }
    var k = n.kg || {};
    panel.textContent = "";
    var close = el("button", "kg-close", "\u00d7");
    close.type = "button";
    close.setAttribute("aria-label", "close");
    close.addEventListener("click", function () { panel.hidden = true; network.unselectAll(); });
    panel.appendChild(close);
    panel.appendChild(el("div", "kg-type", k.type));
    panel.appendChild(el("h2", null, k.title || n.label));
    if (canFocus(id) && state.focus !== id) {
      var go = el("button", "kg-focus-here", "Focus on this node");
      go.type = "button";
      go.addEventListener("click", function () { focusOn(id); });
      panel.appendChild(go);
    }
    if (k.url) {
      panel.appendChild(link(k.url));
    }
    if (k.aliases && k.aliases.length) {
      panel.appendChild(el("div", "kg-meta kg-aliases", "Also written: " + k.aliases.join(", ")));
    }
    if (k.abstract) {
      panel.appendChild(abstractBlock(String(k.abstract)));
    }
    if (k.code && k.code.length) {
      panel.appendChild(el("h3", null, "Code"));
      var ul = el("ul", "kg-code");
      k.code.forEach(function (u) {
        var li = el("li");
        li.appendChild(link(u));
        ul.appendChild(li);
      });
      panel.appendChild(ul);
    }
    if (k.papers) {  // entity view: the papers are not nodes, the data lists them
      panel.appendChild(el("h3", null, "Papers (" + k.degree + ")" +
        (k.papers.length < k.degree ? ", the " + k.papers.length + " most confident" : "")));
      var plist = el("ul", "kg-links");
      k.papers.forEach(function (p) {
        var li = el("li");
        li.appendChild(el("div", "kg-rel", (p.relation === "proposes" ? "proposed by  " : "used by  ") + p.title));
        li.appendChild(evidenceBlock(p.evidence));
        plist.appendChild(li);
      });
      panel.appendChild(plist);
    }
    var ids = network.getConnectedEdges(id);
    var groups = {};
    edges.get(ids).forEach(function (e) {
      if (e.kg.relation === "hasCode" && k.type === "Paper") {
        return;  // listed above with working links
      }
      var g = group(e.kg.relation);
      (groups[g] = groups[g] || []).push(e);
    });
    ORDER.forEach(function (g) {
      var list = groups[g];
      if (!list) {
        return;
      }
      var outgoing = list[0].from === id;
      var head = outgoing ? (OUT[g] || "Uses") : (IN[g] || "Used by");
      panel.appendChild(el("h3", null, head + " (" + list.length + ")"));
      var ul = el("ul", "kg-links");
      list.sort(function (x, y) {
        return label(nodes.get(x.from === id ? x.to : x.from)).localeCompare(label(nodes.get(y.from === id ? y.to : y.from)));
      }).forEach(function (e) {
        var other = nodes.get(e.from === id ? e.to : e.from);
        var li = el("li");
        var text = label(other);
        if (e.kg.relation === "cooccurs") {
          text += " \u2014 " + e.kg.papers + " paper(s)";
        } else if (g === "uses" && e.kg.relation !== "uses") {
          text += "  (" + e.kg.relation_text + ")";
        }
        var row = el("div", "kg-rel", text);
        row.setAttribute("data-id", other ? other.id : "");
        row.addEventListener("click", function () { if (other) { select(other.id); } });
        li.appendChild(row);
        if (e.kg.relation !== "cooccurs") {
          li.appendChild(linkDetail(e));
        }
        ul.appendChild(li);
      });
      panel.appendChild(ul);
    });
    if (k.type !== "Paper" && !k.papers && typeof k.degree === "number" && k.degree > ids.length) {
      panel.appendChild(el("div", "kg-meta", "Linked to " + k.degree + " papers; " + (k.degree - ids.length) +
        " are not in this view" + (canFocus(id) && state.focus !== id ? " (focus on it to see them)." : ".")));
    }
    panel.hidden = false;
    panel.scrollTop = 0;
  }

  function showEdge(id) {
    var e = edges.get(id);
    if (!e) {
      return;
    }
    var from = nodes.get(e.from), to = nodes.get(e.to);
    panel.textContent = "";
    panel.appendChild(el("div", "kg-type", "Link: " + e.kg.relation_text));
    panel.appendChild(el("h2", null, from ? label(from) : e.from));
    panel.appendChild(el("div", "kg-rel", e.kg.relation_text + "  " + (to ? label(to) : e.to)));
    if (e.kg.relations.length > 1) {
      panel.appendChild(el("div", "kg-meta", "asserted as: " + e.kg.relations.join(", ")));
    }
    if (e.kg.relation === "cooccurs") {
      panel.appendChild(el("div", "kg-meta", e.kg.papers + " paper(s), e.g.:"));
      var ul = el("ul");
      (e.kg.titles || []).forEach(function (t) { ul.appendChild(el("li", null, t)); });
      panel.appendChild(ul);
    } else {
      panel.appendChild(linkDetail(e));
    }
    panel.hidden = false;
  }

  network.on("click", function (params) {
    if (params.nodes.length) {
      showNode(params.nodes[0]);
    } else if (params.edges.length) {
      showEdge(params.edges[0]);
    } else {
      panel.hidden = true;
    }
  });

  // ---- legend: the drawing's types and link groups (a focus view may hold some the overview has not)
  var legend = document.getElementById("kg-legend");
  var filterBoxes = [];
  var slider = document.getElementById("kg-min-confidence");
  var sliderValue = document.getElementById("kg-confidence-value");
  var visibleNote = document.getElementById("kg-visible");

  function svgMark(markup) {
    // our own constant markup from page.py (kg-styles), never graph text
    var doc = new DOMParser().parseFromString(String(markup), "text/html");
    return document.importNode(doc.body.firstElementChild, true);
  }

  function legendList(heading) {
    var lists = legend.querySelectorAll("h2");
    for (var i = 0; i < lists.length; i++) {
      if (lists[i].textContent === heading && lists[i].nextElementSibling && lists[i].nextElementSibling.tagName === "UL") {
        return lists[i].nextElementSibling;
      }
    }
    var h = el("h2", null, heading), ul = el("ul");
    var before = document.getElementById("kg-confidence") || visibleNote;
    legend.insertBefore(h, before);
    legend.insertBefore(ul, before);
    return ul;
  }

  // Show the legend rows of what the drawing holds (creating missing ones), with the drawing's counts.
  function syncLegend(typeCounts, groupsShown) {
    if (!STYLE) {
      return;
    }
    var typeList = legendList("Nodes");
    STYLE.types.forEach(function (t) {
      var li = typeList.querySelector("li[data-type='" + t + "']");
      if (!li && typeCounts[t]) {
        li = el("li");
        li.setAttribute("data-type", t);
        var lab = el("label"), box = el("input", "kg-filter");
        box.type = "checkbox";
        box.value = t;
        box.checked = true;
        box.setAttribute("aria-label", "show " + t + " nodes");
        lab.appendChild(box);
        lab.appendChild(svgMark(STYLE.legend[t]));
        lab.appendChild(el("span", null, t));
        li.appendChild(lab);
        li.appendChild(el("span", "kg-count", ""));
        var next = null;  // keep the type order
        STYLE.types.slice(STYLE.types.indexOf(t) + 1).forEach(function (u) {
          next = next || typeList.querySelector("li[data-type='" + u + "']");
        });
        typeList.insertBefore(li, next);
      }
      if (li) {
        li.hidden = !typeCounts[t];
        var count = li.querySelector(".kg-count");
        if (count) {
          count.textContent = String(typeCounts[t] || 0);
        }
      }
    });
    var groupList = legendList("Links"), groupOrder = Object.keys(STYLE.edges);
    groupOrder.forEach(function (g) {
      var li = groupList.querySelector("li[data-relation='" + g + "']");
      if (!li && groupsShown[g]) {
        li = el("li");
        li.setAttribute("data-relation", g);
        li.appendChild(svgMark(STYLE.legend[g]));
        li.appendChild(el("span", null, STYLE.edges[g].text));
        var next = null;
        groupOrder.slice(groupOrder.indexOf(g) + 1).forEach(function (u) {
          next = next || groupList.querySelector("li[data-relation='" + u + "']");
        });
        groupList.insertBefore(li, next);
      }
      if (li) {
        li.hidden = !groupsShown[g];
      }
    });
    groupList.hidden = groupList.previousElementSibling.hidden = !Object.keys(groupsShown).length;
    filterBoxes = Array.prototype.slice.call(document.querySelectorAll("input.kg-filter"));
    filterBoxes.forEach(function (b) {
      if (!b.getAttribute("data-bound")) {
        b.setAttribute("data-bound", "1");
        b.addEventListener("change", applyFilters);
      }
    });
  }
  filterBoxes = Array.prototype.slice.call(document.querySelectorAll("input.kg-filter"));
  filterBoxes.forEach(function (b) {
    b.setAttribute("data-bound", "1");
    b.addEventListener("change", applyFilters);
  });

  // ---- filters: node types (legend check boxes) and a confidence threshold (slider)
  var allNodes, allEdges, totalNodes, totalEdges;
  function snapshot() {
    allNodes = nodes.get({fields: ["id", "kg"]});
    allEdges = edges.get({fields: ["id", "from", "to", "kg"]});
    totalNodes = allNodes.length;
    totalEdges = allEdges.length;
  }
  snapshot();

  function applyFilters() {
    var shownTypes = {};
    filterBoxes.forEach(function (b) { shownTypes[b.value] = b.checked; });
    var min = (slider && !slider.closest("[hidden]")) ? parseFloat(slider.value) : 0;
    if (sliderValue) {
      sliderValue.textContent = min.toFixed(2);
    }
    var typeOk = {}, linked = {}, everLinked = {};
    allNodes.forEach(function (n) { typeOk[n.id] = shownTypes[n.kg.type] !== false; });
    var edgeUpdates = [], shownEdges = 0;
    allEdges.forEach(function (e) {
      var c = e.kg.confidence;
      var strong = min <= 0 || (typeof c === "number" && c >= min);
      var show = strong && typeOk[e.from] && typeOk[e.to];
      everLinked[e.from] = everLinked[e.to] = true;
      if (strong) {
        linked[e.from] = linked[e.to] = true;
      }
      if (show) {
        shownEdges += 1;
      }
      edgeUpdates.push({id: e.id, hidden: !show});
    });
    var nodeUpdates = [], shownNodes = 0;
    allNodes.forEach(function (n) {
      // an entity or code node whose every link is too weak goes too; papers and the focus stay
      var show = typeOk[n.id] && (n.kg.type === "Paper" || n.id === state.focus || !everLinked[n.id] ||
                                  linked[n.id] === true);
      if (show) {
        shownNodes += 1;
      }
      nodeUpdates.push({id: n.id, hidden: !show});
    });
    nodes.update(nodeUpdates);
    edges.update(edgeUpdates);
    visibleNote.textContent = (shownNodes === totalNodes && shownEdges === totalEdges) ? "" :
      "Showing " + shownNodes + " of " + totalNodes + " nodes, " + shownEdges + " of " + totalEdges + " links";
    body.setAttribute("data-visible-nodes", String(shownNodes));
    body.setAttribute("data-visible-edges", String(shownEdges));
  }
  if (slider) {
    slider.addEventListener("input", applyFilters);
  }

  // A confidence slider for a drawing with confidences (live focus views) when the page has none.
  function syncSlider(hasConfidence) {
    if (!slider && hasConfidence && legend) {
      var box = el("div");
      box.id = "kg-confidence";
      var lab = el("label", null, "Hide links below confidence ");
      lab.setAttribute("for", "kg-min-confidence");
      sliderValue = el("output", null, "0.00");
      sliderValue.id = "kg-confidence-value";
      lab.appendChild(sliderValue);
      slider = el("input");
      slider.id = "kg-min-confidence";
      slider.type = "range";
      slider.min = "0";
      slider.max = "1";
      slider.step = "0.05";
      slider.value = "0";
      slider.addEventListener("input", applyFilters);
      box.appendChild(lab);
      box.appendChild(slider);
      legend.insertBefore(box, visibleNote);
    }
    if (slider) {
      document.getElementById("kg-confidence").hidden = !hasConfidence;
    }
  }

  // ---- the whole-graph index (decoded after the first draw)
  var IX = null;          // the decoded index, with look-ups (see prepareIndex)
  var state = {focus: null, hops: 1, overview: null, pending: null};

  function decodeIndex() {
    var tag = document.getElementById("kg-index");
    if (!tag) {
      return Promise.resolve(null);
    }
    if (typeof DecompressionStream === "undefined") {
      return Promise.reject(new Error("this browser cannot decompress the index (no DecompressionStream)"));
    }
    var bin = atob(tag.textContent.replace(/\s+/g, ""));
    tag.textContent = "";  // the text is not needed twice
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) {
      bytes[i] = bin.charCodeAt(i);
    }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text().then(JSON.parse);
  }

  // Look-ups over the index: positions by IRI, aliases, URLs and abstracts by node, an adjacency of the links.
  function prepareIndex(ix) {
    var n = ix.ids.length;
    ix.pos = new Map();
    for (var i = 0; i < n; i++) {
      ix.pos.set(ix.ids[i], i);
    }
    ix.aliasesOf = new Map();
    (ix.aliases || []).forEach(function (a) {
      var list = ix.aliasesOf.get(a[0]);
      if (!list) {
        ix.aliasesOf.set(a[0], list = []);
      }
      list.push(a[1]);
    });
    ix.urlOf = new Map((ix.url || []).map(function (u) { return [u[0], u[1]]; }));
    ix.abstractOf = new Map((ix.abstract || []).map(function (a) { return [a[0], a[1]]; }));
    ix.totals = {};
    ix.type.forEach(function (t) { ix.totals[ix.types[t]] = (ix.totals[ix.types[t]] || 0) + 1; });
    ix.isPaper = ix.types.indexOf("Paper");
    if (ix.links) {  // adjacency: for each node the positions (in links / 3) of its links, either way
      var L = ix.links, m = L.length / 3, count = new Int32Array(n + 1);
      for (var k = 0; k < m; k++) {
        count[L[3 * k]] += 1;
        count[L[3 * k + 1]] += 1;
      }
      var off = new Int32Array(n + 1);
      for (var j = 0; j < n; j++) {
        off[j + 1] = off[j] + count[j];
      }
      var fill = off.slice(0, n), adj = new Int32Array(off[n]);
      for (k = 0; k < m; k++) {
        adj[fill[L[3 * k]]++] = k;
        adj[fill[L[3 * k + 1]]++] = k;
      }
      ix.off = off;
      ix.adj = adj;
    }
    ix.budget = ix.budget || 150;
    return ix;
  }

  // ---- search: every label, alias and title (of the index, or else of the drawing)
  var input = document.getElementById("kg-search");
  var names = document.getElementById("kg-names");
  var S = null;  // {name: [...], low: [...], node: Int32Array, alias: [bool], cat: catalogue}
  var MAX_RESULTS = 20;

  // The catalogue search reads: the index's nodes, or the drawn ones.
  function drawnCatalogue() {
    var all = nodes.get();
    return {
      size: all.length,
      id: function (k) { return all[k].id; },
      type: function (k) { return all[k].kg.type; },
      label: function (k) { return label(all[k]); },
      degree: function (k) { return all[k].kg.degree || 0; },
      names: function (add) {
        all.forEach(function (n, k) { add(label(n), k, false); });
        all.forEach(function (n, k) { (n.kg.aliases || []).forEach(function (a) { add(a, k, true); }); });
      }
    };
  }
  function indexCatalogue(ix) {
    return {
      size: ix.ids.length,
      id: function (k) { return ix.ids[k]; },
      type: function (k) { return ix.types[ix.type[k]]; },
      label: function (k) { return ix.label[k]; },
      degree: function (k) { return ix.degree[k]; },
      names: function (add) {
        for (var k = 0; k < ix.ids.length; k++) {
          add(ix.label[k], k, false);
        }
        (ix.aliases || []).forEach(function (a) { add(a[1], a[0], true); });
      }
    };
  }
  function buildSearch(cat) {
    var s = {name: [], low: [], node: [], alias: [], cat: cat};
    cat.names(function (name, k, isAlias) {
      var text = String(name == null ? "" : name);
      s.name.push(text);
      s.low.push(text.toLowerCase());
      s.node.push(k);
      s.alias.push(isAlias);
    });
    s.node = Int32Array.from(s.node);
    return s;
  }

  // The best matches of `query`: exact names, then names that start with it, then where a word does, then
  // anywhere; within each, entities before papers (a paper's degree counts its own links, not how many papers
  // use it), then the most linked. One result per node (its best name).
  function search(query, limit) {
    var q = String(query || "").trim().toLowerCase();
    limit = limit || MAX_RESULTS;
    if (!q || !S) {
      return [];
    }
    var best = [], where = new Map(), low = S.low, cat = S.cat;
    function worse(a, b) {  // a ranks after b
      return a.tier !== b.tier ? a.tier > b.tier : a.paper !== b.paper ? a.paper : a.degree !== b.degree ? a.degree < b.degree :
        a.len !== b.len ? a.len > b.len : a.name > b.name;
    }
    for (var e = 0; e < low.length; e++) {
      var s = low[e], at = s.indexOf(q);
      if (at < 0) {
        continue;
      }
      var tier = s.length === q.length ? 0 : at === 0 ? 1 : 3;
      if (tier === 3) {  // a later match may start a word
        for (var a2 = at; a2 >= 0; a2 = s.indexOf(q, a2 + 1)) {
          if (!isWordChar(s.charAt(a2 - 1))) {
            tier = 2;
            break;
          }
        }
      }
      var k = S.node[e];
      var r = {tier: tier, paper: cat.type(k) === "Paper", degree: cat.degree(k), len: s.length, name: s, entry: e,
               node: k};
      if (best.length === limit && !worse(best[limit - 1], r)) {
        continue;
      }
      var old = where.get(k);
      if (old !== undefined) {
        if (!worse(old, r)) {
          continue;
        }
        best.splice(best.indexOf(old), 1);
      }
      var pos = best.length;
      while (pos > 0 && worse(best[pos - 1], r)) {
        pos -= 1;
      }
      best.splice(pos, 0, r);
      where.set(k, r);
      if (best.length > limit) {
        where.delete(best.pop().node);
      }
    }
    return best.map(function (r) {
      return {node: r.node, id: cat.id(r.node), name: S.name[r.entry], alias: S.alias[r.entry],
              label: cat.label(r.node), type: cat.type(r.node), degree: r.degree};
    });
  }

  // The results list under the search box (a listbox: arrows move, Enter chooses, Escape closes).
  if (names) {
    input.removeAttribute("list");
    names.parentNode.removeChild(names);
  }
  var listbox = el("ul", "kg-results");
  listbox.id = "kg-results";
  listbox.setAttribute("role", "listbox");
  listbox.setAttribute("aria-label", "search results");
  listbox.hidden = true;
  body.appendChild(listbox);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", "kg-results");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("autocomplete", "off");
  var results = [], active = -1;

  function degreeText(r) {
    if (r.type === "Paper") {
      return "Paper \u00b7 " + r.degree + " link" + (r.degree === 1 ? "" : "s");
    }
    return r.type + " \u00b7 " + r.degree + " paper" + (r.degree === 1 ? "" : "s");
  }
  function closeList() {
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }
  function setActive(i) {
    var items = listbox.children;
    if (active >= 0 && items[active]) {
      items[active].setAttribute("aria-selected", "false");
    }
    active = i;
    if (active >= 0 && items[active]) {
      items[active].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({block: "nearest"});
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }
  function openList() {
    results = search(input.value);
    listbox.textContent = "";
    active = -1;
    if (!results.length) {
      closeList();
      input.classList.toggle("kg-notfound", !!String(input.value).trim() && !!S);
      return;
    }
    input.classList.remove("kg-notfound");
    results.forEach(function (r, i) {
      var li = el("li", "kg-result");
      li.id = "kg-result-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.setAttribute("data-id", r.id);
      li.appendChild(el("span", "kg-result-name", r.alias ? r.name + " \u2192 " + r.label : r.name));
      li.appendChild(el("span", "kg-result-meta", degreeText(r)));
      li.addEventListener("mousedown", function (ev) { ev.preventDefault(); });
      li.addEventListener("click", function () { choose(r); });
      listbox.appendChild(li);
    });
    var box = input.getBoundingClientRect();
    var width = Math.max(box.width, 460);
    listbox.style.top = (box.bottom + 2) + "px";
    listbox.style.left = Math.max(4, Math.min(box.left, window.innerWidth - width - 8)) + "px";
    listbox.style.width = width + "px";
    listbox.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }
  var typing = null;
  input.addEventListener("input", function () {
    clearTimeout(typing);
    typing = setTimeout(openList, 60);
  });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      clearTimeout(typing);
      if (listbox.hidden) {
        openList();
      }
      if (results.length) {
        var next = ev.key === "ArrowDown" ? active + 1 : active - 1;
        setActive((next + results.length + 1) % (results.length + 1) === results.length ? -1 :
                  (next + results.length + 1) % (results.length + 1));
      }
    } else if (ev.key === "Enter") {
      ev.preventDefault();
      clearTimeout(typing);
      if (listbox.hidden || active < 0) {
        results = search(input.value);
        active = results.length ? 0 : -1;
      }
      input.classList.toggle("kg-notfound", !results.length);
      if (active >= 0) {
        choose(results[active]);
      }
    } else if (ev.key === "Escape") {
      closeList();
    }
  });
  input.addEventListener("blur", closeList);
  input.addEventListener("focus", function () {
    if (String(input.value).trim() && listbox.hidden) {
      openList();
    }
  });

  function choose(r) {
    closeList();
    input.classList.remove("kg-notfound");
    input.value = r.alias ? r.name : r.label;
    return IX ? focusOn(r.id) : Promise.resolve(select(r.id));
  }

  // Select a drawn node: centre it and describe it.
  function select(id) {
    var n = nodes.get(id);
    if (!n) {
      return false;
    }
    if (n.hidden) {  // a filtered-out node the user asked for: show its type again
      filterBoxes.forEach(function (b) { if (b.value === n.kg.type) { b.checked = true; } });
      if (slider) {
        slider.value = "0";
      }
      applyFilters();
    }
    network.selectNodes([id]);
    network.focus(id, {scale: Math.max(network.getScale(), 1.0), animation: false});
    capLabels();
    showNode(id);
    return true;
  }

  // ---- focus views: vis-network nodes and edges from explorer data, styled with page.py's tables
  function truncate(text, limit) {  // as page.py's _truncate
    text = String(text).split(/\s+/).filter(Boolean).join(" ");
    if (text.length <= limit) {
      return text;
    }
    var cut = text.slice(0, limit - 1);
    if (cut.slice(Math.floor(limit / 2)).indexOf(" ") >= 0) {
      cut = cut.slice(0, cut.lastIndexOf(" "));
    }
    return cut.replace(/[ ,;:-]+$/, "") + "\u2026";
  }
  function relationText(rel) {
    return (STYLE.relations || {})[rel] || rel;
  }
  function edgeGroup(rel) {
    return ["proposes", "comparesWith", "addressesTask", "reportsMetric", "hasCode", "cooccurs"].indexOf(rel) >= 0 ?
      rel : "uses";
  }
  function nodeTip(n) {  // as page.py's _node_tip
    if (n.type === "Paper") {
      var lines = [["head", n.title || n.label], ["meta", "Paper" + (n.url ? " \u00b7 " + n.url : "")]];
      if (n.abstract) {
        lines.push(["text", truncate(n.abstract, STYLE.abstract_snippet)]);
      }
      (n.code || []).forEach(function (u) { lines.push(["code", "code: " + u]); });
      return lines;
    }
    if (n.type === "Code") {
      return [["head", n.url || n.label], ["meta", "Code repository \u00b7 " + (n.degree || 0) + " paper(s)"]];
    }
    var out = [["head", n.label], ["meta", n.type + " \u00b7 linked to " + (n.degree || 0) + " paper(s)"]];
    if (n.aliases && n.aliases.length) {
      out.push(["text", "also written: " + n.aliases.join(", ")]);
    }
    return out;
  }
  function edgeTip(e, labels, named) {  // as page.py's _edge_tip
    var src = labels[e.source] || e.source, dst = labels[e.target] || e.target;
    var lines = [["head", truncate(src, 60) + " \u2014 " + relationText(e.relation) + " \u2192 " + dst]];
    if ((e.relations || []).length > 1) {
      lines.push(["meta", "asserted as: " + e.relations.join(", ")]);
    }
    var ev = e.evidence;
    if (ev) {
      lines.push(["text", "\u201c" + ev.sentence + "\u201d"]);
      var conf = typeof ev.confidence === "number" ? ev.confidence.toFixed(2) : "?";
      lines.push(["meta", "mention \u201c" + ev.mention + "\u201d \u00b7 confidence " + conf]);
    } else {
      lines.push(["meta", named ? "click for where the abstract names it" : "no evidence recorded"]);
    }
    return lines;
  }
  function visNode(n, shown, small, xy) {  // as page.py's render_html
    var t = n.type, colour = STYLE.colours[t] || "#888888", sz = STYLE.size, ft = STYLE.fonts;
    var weight = Math.sqrt(shown || 0);
    var size = Math.min(small ? sz[2] : STYLE.size_max, sz[0] + sz[1] * weight);
    var font = small ? STYLE.font : t === "Paper" ?
      Math.min(ft.max_paper, ft.paper_base + ft.per_sqrt_degree * Math.max(0, weight - 1)) :
      Math.min(ft.max, STYLE.font + ft.per_sqrt_degree_entity * weight);
    var tip = nodeTip(n);
    return {
      id: n.id, x: xy[0], y: xy[1],
      label: truncate(n.label, (STYLE.label_chars || {})[t] || STYLE.label_chars_default) || "?",
      shape: STYLE.shapes[t] || "dot",
      color: {background: colour, border: colour, highlight: {background: colour, border: "#000000"},
              hover: {background: colour, border: "#000000"}},
      size: Math.round(size * 10) / 10, font: {size: Math.round(font * 10) / 10}, tip: tip, title: tooltip(tip),
      kg: {type: t, title: n.title || n.label, abstract: n.abstract || "", aliases: n.aliases || [],
           code: n.code || [], url: n.url || null, degree: n.degree || 0, papers: n.papers || null}
    };
  }
  var edgeSerial = 0;
  function visEdge(e, labels, named) {
    var st = STYLE.edges[edgeGroup(e.relation)];
    var tip = edgeTip(e, labels, named);
    return {
      id: "kg-e" + (edgeSerial += 1), from: e.source, to: e.target,
      color: {color: st.colour, highlight: "#000000", hover: "#000000"}, width: st.width, dashes: st.dashes,
      arrows: {to: {enabled: true, scaleFactor: 0.5}}, tip: tip, title: tooltip(tip),
      kg: {relation: e.relation, relations: e.relations || [e.relation], relation_text: relationText(e.relation),
           evidence: e.evidence || null, confidence: typeof e.confidence === "number" ? e.confidence : null,
           named: !!named}
    };
  }

  // Radial layout: the focus in the centre, its neighbours on rings around it grouped by type (consecutive
  // nodes alternate rings, so labels on one ring stay apart), the neighbours' neighbours on outer rings
  // near the neighbours they link to.
  function rings(count, inner, spacing) {
    var radii = [], capacity = 0, r = inner;
    while (capacity < count) {
      radii.push(r);
      capacity += Math.max(1, Math.floor(2 * Math.PI * r / spacing));
      r += spacing * 1.6;
    }
    return radii;
  }
  // Each node keeps its angle and goes to the ring most behind its share (a ring's share grows with its
  // radius), so that every ring runs all the way round and nodes on any ring are about equally far apart.
  function placeOnRings(ids, angles, radii, out) {
    var total = radii.reduce(function (a, b) { return a + b; }, 0), assigned = radii.map(function () { return 0; });
    ids.forEach(function (id, k) {
      var best = 0, behind = -Infinity;
      radii.forEach(function (r, j) {
        var d = r / total * (k + 1) - assigned[j];
        if (d > behind + 1e-9) {
          best = j;
          behind = d;
        }
      });
      assigned[best] += 1;
      out[id] = [Math.round(radii[best] * Math.cos(angles[k])), Math.round(radii[best] * Math.sin(angles[k]))];
    });
    return radii.length ? radii[radii.length - 1] : 0;
  }
  function radialLayout(centre, first, second, adjacency, spacing) {
    var xy = {};
    xy[centre] = [0, 0];
    // from the top, clockwise; with a multiple of 4, half a step on, so that none sits level with the centre
    // (whose label runs sideways)
    var shift = first.length % 4 === 0 ? 0.5 : 0;
    var angles = first.map(function (_, k) { return -Math.PI / 2 + 2 * Math.PI * (k + shift) / Math.max(1, first.length); });
    var inner = spacing * 2;
    if (second.length) {  // the neighbours halfway out to the ring their neighbours need: room for their labels
      inner = Math.max(inner, 0.5 * second.length * spacing / (2 * Math.PI));
    }
    var outer = placeOnRings(first, angles, rings(first.length, inner, spacing), xy);
    if (second.length) {
      var angleOf = {};
      first.forEach(function (id, k) { angleOf[id] = angles[k]; });
      var placed = second.map(function (id) {  // circular mean of the angles of its drawn neighbours
        var sx = 0, sy = 0;
        (adjacency[id] || []).forEach(function (nb) {
          if (angleOf[nb] !== undefined) {
            sx += Math.cos(angleOf[nb]);
            sy += Math.sin(angleOf[nb]);
          }
        });
        return [id, Math.atan2(sy, sx)];
      }).sort(function (a, b) { return a[1] - b[1]; });
      var ids2 = placed.map(function (p) { return p[0]; });
      var step = 2 * Math.PI / ids2.length;
      var angles2 = ids2.map(function (_, k) { return placed[0][1] + step * k; });
      placeOnRings(ids2, angles2, rings(ids2.length, outer + spacing * 2, spacing), xy);
    }
    return xy;
  }

  // Draw explorer data ({nodes, edges}) around `centre`; `named`: the edges have no evidence (embedded).
  function drawFocus(centre, data, hops, named) {
    var types = STYLE.types, byId = {}, adjacency = {}, labels = {}, shownDeg = {};
    data.nodes.forEach(function (n) {
      byId[n.id] = n;
      labels[n.id] = n.label;
      // a live view counts links in the view only: an entity's papers in the whole graph are in the index
      var at = IX && n.type !== "Paper" ? IX.pos.get(n.id) : undefined;
      if (at !== undefined && IX.degree[at] > (n.degree || 0)) {
        n.degree = IX.degree[at];
      }
    });
    data.edges.forEach(function (e) {
      (adjacency[e.source] = adjacency[e.source] || []).push(e.target);
      (adjacency[e.target] = adjacency[e.target] || []).push(e.source);
      shownDeg[e.source] = (shownDeg[e.source] || 0) + 1;
      shownDeg[e.target] = (shownDeg[e.target] || 0) + 1;
    });
    var relTo = {};  // the relation linking each neighbour to the centre
    data.edges.forEach(function (e) {
      if (e.source === centre) {
        relTo[e.target] = e.relation;
      } else if (e.target === centre) {
        relTo[e.source] = e.relation;
      }
    });
    function rank(a, b) {
      var na = byId[a], nb = byId[b];
      return types.indexOf(na.type) - types.indexOf(nb.type) ||
        (relTo[b] === "proposes") - (relTo[a] === "proposes") || (nb.degree || 0) - (na.degree || 0) ||
        String(na.label).localeCompare(String(nb.label));
    }
    var first = Object.keys(relTo).filter(function (id) { return byId[id]; }).sort(rank);
    var inFirst = {};
    first.forEach(function (id) { inFirst[id] = true; });
    var second = data.nodes.map(function (n) { return n.id; }).filter(function (id) {
      return id !== centre && !inFirst[id];
    }).sort(rank);
    var small = data.nodes.length <= STYLE.small_view;
    var spacing = STYLE.neighbour_px[small ? 1 : 0];
    var xy = radialLayout(centre, first, second, adjacency, spacing);
    var visNodes = data.nodes.map(function (n) { return visNode(n, shownDeg[n.id], small, xy[n.id] || [0, 0]); });
    var visEdges = data.edges.map(function (e) { return visEdge(e, labels, named); });
    if (state.focus === null) {
      saveOverview();
    }
    state.focus = centre;
    state.hops = hops;
    redraw(visNodes, visEdges);
    // The panel opens on the right: fit the drawing into what it leaves of the canvas.
    var canvasWidth = network.canvas.frame.canvas.clientWidth, panelWidth = panel.offsetWidth || 400;
    if (canvasWidth > 2 * panelWidth) {
      network.moveTo({position: network.getViewPosition(), scale: network.getScale() * (canvasWidth - panelWidth - 20) /
                      canvasWidth, offset: {x: -(panelWidth + 20) / 2, y: 0}, animation: false});
    }
    // Fitted to the window, a big view's labels are too small to be drawn: the focus's always is, and its
    // neighbours' are when there are few enough of them to sit apart on their ring.
    var scale = network.getScale(), bigger = [];
    var want = function (id, px) {
      var n = nodes.get(id);
      if (n && n.font.size * scale < px) {
        bigger.push({id: id, font: {size: Math.round(10 * px / scale) / 10}});
      }
    };
    want(centre, 13);
    if (first.length <= 24) {
      first.forEach(function (id) { want(id, 10); });
    }
    if (bigger.length) {
      nodes.update(bigger);
      resetLabels();
      capLabels();
    }
    var focusNode = byId[centre] || {label: centre};
    stats.textContent = data.nodes.length + " nodes \u00b7 " + data.edges.length + " link" +
      (data.edges.length === 1 ? "" : "s") + " \u00b7 around \u201c" +
      truncate(focusNode.title || focusNode.label, 60) + "\u201d, " + hops + " hop" + (hops === 1 ? "" : "s") +
      (typeof data.omitted === "number" && data.omitted ? " \u00b7 " + data.omitted + " more neighbours not drawn" : "");
    backButton.hidden = false;
    hopsBox.hidden = IX.mode === "live";  // kg serve answers one hop
    hopsInput.checked = hops === 2;
    overviewBlocks.forEach(function (b) { b.hidden = true; });
    if (hint) {
      hint.textContent = overviewHint.replace(/^Node size: [^.]*\./, "Node size: links shown.");
    }
    showNode(centre);  // not selected: vis-network would draw its every link black
    body.setAttribute("data-focus", centre);
    if (hashId() !== centre) {
      window.location.hash = "#" + centre;
    }
    return afterDraw();
  }

  function afterDraw() {
    return new Promise(function (resolve) {
      var done = false;
      network.once("afterDrawing", function () { done = true; resolve(true); });
      network.redraw();
      setTimeout(function () { if (!done) { resolve(true); } }, 1000);
    });
  }

  // Replace what is drawn (and everything that depends on it: filters, label sizes, legend, fit).
  function redraw(visNodes, visEdges) {
    network.setOptions({physics: {enabled: false}});
    network.unselectAll();
    edges.clear();
    nodes.clear();
    nodes.add(visNodes);
    edges.add(visEdges);
    snapshot();
    var typeCounts = {}, groupsShown = {}, conf = false;
    visNodes.forEach(function (n) { typeCounts[n.kg.type] = (typeCounts[n.kg.type] || 0) + 1; });
    visEdges.forEach(function (e) {
      groupsShown[edgeGroup(e.kg.relation)] = true;
      conf = conf || typeof e.kg.confidence === "number";
    });
    syncLegend(typeCounts, groupsShown);
    syncSlider(conf);
    applyFilters();
    resetLabels();
    fitCapped();
    capLabels();
    moved = false;
    noteHidden();
  }

  function saveOverview() {
    var where = network.getPositions();
    state.overview = {
      nodes: overviewNodes.map(function (n) {
        var copy = Object.assign({}, n);
        if (where[n.id]) {
          copy.x = where[n.id].x;
          copy.y = where[n.id].y;
        }
        return copy;
      }),
      edges: overviewEdges,
      view: {position: network.getViewPosition(), scale: network.getScale()},
      stats: overviewStats,
      hash: window.location.hash
    };
  }

  function backToOverview() {
    if (state.focus === null) {
      return;
    }
    var o = state.overview;
    state.focus = null;
    state.pending = null;
    redraw(o.nodes.map(function (n) { return Object.assign({}, n); }),
           o.edges.map(function (e) { return Object.assign({}, e); }));
    network.moveTo({position: o.view.position, scale: o.view.scale, animation: false});
    capLabels();
    stats.textContent = o.stats;
    backButton.hidden = true;
    hopsBox.hidden = true;
    overviewBlocks.forEach(function (b) { b.hidden = false; });
    if (hint) {
      hint.textContent = overviewHint;
    }
    panel.hidden = true;
    body.setAttribute("data-focus", "");
    if (window.location.hash) {
      window.location.hash = "";
    }
    return afterDraw();
  }

  // ---- the neighbourhood of an index node (embedded mode): from the index's links
  // For node i: Map other -> {rels: [relation index...], proposes: bool}.
  function pairsOf(i) {
    var L = IX.links, out = new Map(), proposes = IX.relations.indexOf("proposes");
    for (var a = IX.off[i]; a < IX.off[i + 1]; a++) {
      var k = IX.adj[a], p = L[3 * k], o = L[3 * k + 1], r = L[3 * k + 2];
      var other = p === i ? o : p, pair = out.get(other);
      if (!pair) {
        out.set(other, pair = {rels: [], proposes: false});
      }
      if (pair.rels.indexOf(r) < 0) {
        pair.rels.push(r);
      }
      pair.proposes = pair.proposes || r === proposes;
    }
    out.forEach(function (pair) { pair.rels.sort(function (x, y) { return x - y; }); });
    return out;
  }

  function codeLabel(url) {  // as data.py's _code_label
    var short = String(url).replace(/^[a-z][a-z0-9+.-]*:\/\/(www\.)?/i, "").replace(/\/+$/, "");
    return short || url;
  }

  function ixNode(i) {
    var t = IX.types[IX.type[i]], id = IX.ids[i], lab = IX.label[i];
    if (t === "Paper") {
      var code = [], code_t = IX.types.indexOf("Code");
      pairsOf(i).forEach(function (pair, other) {
        if (IX.type[other] === code_t) {
          code.push(IX.ids[other]);
        }
      });
      return {id: id, type: t, label: lab, title: lab === id ? "" : lab, abstract: IX.abstractOf.get(i) || "",
              url: IX.urlOf.get(i) || null, code: code.sort(), degree: IX.degree[i]};
    }
    if (t === "Code") {
      return {id: id, type: t, label: codeLabel(lab), url: lab, degree: IX.degree[i]};
    }
    return {id: id, type: t, label: lab, aliases: IX.aliasesOf.get(i) || [], degree: IX.degree[i]};
  }

  function neighbourhood(i, hops) {
    var budget = IX.budget;
    // an entity's papers: those that propose it first, then the most linked; a paper's targets: by relation
    // (what it proposes first), then the most linked
    var isPaper = IX.type[i] === IX.isPaper;
    function byRank(pairs) {
      return function (a, b) {
        var pa = pairs.get(a), pb = pairs.get(b);
        return (pb.proposes - pa.proposes) || (isPaper ? pa.rels[0] - pb.rels[0] : 0) ||
          (IX.degree[b] - IX.degree[a]) || a - b;
      };
    }
    var pairs = pairsOf(i);
    var near = Array.from(pairs.keys()).sort(byRank(pairs));
    var keep = near.slice(0, hops === 2 ? Math.ceil(budget * 0.6) : budget);
    var chosen = new Set(keep);
    chosen.add(i);
    if (hops === 2) {  // the neighbours' neighbours linked to most of them, then the most linked
      var count = new Map();
      keep.forEach(function (j) {
        pairsOf(j).forEach(function (_, other) {
          if (!chosen.has(other)) {
            count.set(other, (count.get(other) || 0) + 1);
          }
        });
      });
      var far = Array.from(count.keys()).sort(function (a, b) {
        return count.get(b) - count.get(a) || IX.degree[b] - IX.degree[a] || a - b;
      });
      far.slice(0, budget - keep.length).forEach(function (j) { chosen.add(j); });
      near.slice(keep.length, keep.length + Math.max(0, budget + 1 - chosen.size)).forEach(function (j) {
        chosen.add(j);
      });
    }
    var omitted = near.length - near.filter(function (j) { return chosen.has(j); }).length;
    var outNodes = [], outEdges = [], paperType = IX.isPaper;
    chosen.forEach(function (j) {
      outNodes.push(ixNode(j));
      if (IX.type[j] !== paperType) {
        return;
      }
      pairsOf(j).forEach(function (pair, other) {
        if (!chosen.has(other)) {
          return;
        }
        var rels = pair.rels.map(function (r) { return IX.relations[r]; });
        outEdges.push({source: IX.ids[j], target: IX.ids[other], relation: rels[0], relations: rels,
                       evidence: null, confidence: null});
      });
    });
    return {nodes: outNodes, edges: outEdges, omitted: omitted};
  }

  // ---- focus: on an index node (embedded: from the index; live: from kg serve)
  var NEEDS_SERVER = "Focus needs the server: run `kg serve OUT` and open http://127.0.0.1:7878/";
  function canFocus(id) {
    return !!IX && (IX.mode === "live" ? window.location.protocol !== "file:" : IX.pos.has(id));
  }
  function say(text) {
    headerNote.textContent = text;
    headerNote.hidden = !text;
  }

  function focusOn(id, hops) {
    hops = hops === 2 ? 2 : 1;
    if (!IX) {
      return Promise.resolve(select(id));
    }
    if (IX.mode === "live") {
      if (window.location.protocol === "file:") {
        say(NEEDS_SERVER);
        panel.textContent = "";
        panel.appendChild(el("h2", null, IX.pos.has(id) ? IX.label[IX.pos.get(id)] : id));
        panel.appendChild(el("p", "kg-needs-server", NEEDS_SERVER));
        panel.hidden = false;
        if (nodes.get(id)) {
          select(id);
        }
        return Promise.resolve(false);
      }
      var token = {};
      state.pending = token;
      body.setAttribute("data-loading", "1");
      hops = 1;  // kg serve answers one hop
      var url = "/explorer/neighbourhood?node=" + encodeURIComponent(id);
      return fetch(url, {headers: {Accept: "application/json"}}).then(function (r) {
        if (!r.ok) {
          return r.text().then(function (t) { throw new Error("the server answered " + r.status + ": " + t.slice(0, 200)); });
        }
        return r.json();
      }).then(function (data) {
        if (state.pending !== token) {
          return false;
        }
        state.pending = null;
        say("");
        return drawFocus(id, data, hops, false);
      }).catch(function (err) {
        say("Focus failed: " + err.message);
        return false;
      }).then(function (v) { body.removeAttribute("data-loading"); return v; });
    }
    var i = IX.pos.get(id);
    if (i === undefined) {
      if (!select(id)) {
        say("Not in this graph: " + id);
      }
      return Promise.resolve(false);
    }
    return drawFocus(id, neighbourhood(i, hops), hops, true);
  }

  // ---- header controls and notes
  var header = document.getElementById("kg-header");
  var stats = document.getElementById("kg-stats");
  var overviewStats = stats ? stats.textContent : "";
  // the overview's own notes (what its budget left out, its groups): hidden while a focus view is drawn
  var overviewBlocks = Array.prototype.slice.call(document.querySelectorAll("#kg-legend .kg-omitted, #kg-legend .kg-overview"));
  var ownHiddenNote = document.querySelector("#kg-legend .kg-hidden-note");
  var hint = document.querySelector("#kg-legend .kg-hint");
  var overviewHint = hint ? hint.textContent : "";
  var backButton = el("button", "kg-back", "Back to overview");
  backButton.type = "button";
  backButton.id = "kg-back";
  backButton.hidden = true;
  backButton.addEventListener("click", backToOverview);
  var hopsBox = el("label", "kg-hops");
  var hopsInput = el("input");
  hopsInput.type = "checkbox";
  hopsInput.id = "kg-hops2";
  hopsBox.appendChild(hopsInput);
  hopsBox.appendChild(document.createTextNode(" 2 hops"));
  hopsBox.hidden = true;
  hopsInput.addEventListener("change", function () {
    if (state.focus !== null) {
      focusOn(state.focus, hopsInput.checked ? 2 : 1);
    }
  });
  var headerNote = el("div", "kg-note");
  headerNote.id = "kg-note";
  headerNote.setAttribute("role", "status");
  headerNote.hidden = true;
  header.insertBefore(headerNote, input);
  header.insertBefore(backButton, input);
  header.insertBefore(hopsBox, input);

  // What the drawing leaves out of the whole graph, and how to reach it.
  var hiddenNote = el("div", "kg-hidden-note");
  hiddenNote.id = "kg-hidden-note";
  hiddenNote.hidden = true;
  legend.insertBefore(hiddenNote, legend.firstChild);
  function noteHidden() {
    if (!IX) {
      return;
    }
    var drawn = {};
    nodes.get({fields: ["kg"]}).forEach(function (n) { drawn[n.kg.type] = (drawn[n.kg.type] || 0) + 1; });
    var papers = (IX.totals.Paper || 0) - (drawn.Paper || 0), entities = 0, code = (IX.totals.Code || 0) - (drawn.Code || 0);
    IX.types.forEach(function (t) {
      if (t !== "Paper" && t !== "Code") {
        entities += (IX.totals[t] || 0) - (drawn[t] || 0);
      }
    });
    hiddenNote.textContent = papers + " paper" + (papers === 1 ? "" : "s") + " and " + entities + " entit" +
      (entities === 1 ? "y" : "ies") + (code ? " (and " + code + " code repositor" + (code === 1 ? "y" : "ies") + ")" : "") +
      " are not drawn: search for them.";
    // the overview's legend may say it already
    hiddenNote.hidden = papers + entities + code === 0 || (state.focus === null && !!ownHiddenNote);
  }

  // A small view fitted to the window would be blown up: no closer than 1.5× (labels are sized for 1×).
  function fitCapped() {
    network.fit({animation: false});
    if (network.getScale() > 1.5) {
      network.moveTo({scale: 1.5, animation: false});
    }
  }
  fitCapped();

  // Labels are sized for the zoom a view is fitted at; zoomed in, none gets bigger than data-label-max px.
  var labelMax = parseFloat(body.getAttribute("data-label-max")) || 20;
  var baseFont = {}, capped = {};
  function resetLabels() {
    baseFont = {};
    capped = {};
    nodes.get({fields: ["id", "font"]}).forEach(function (n) { baseFont[n.id] = (n.font && n.font.size) || 14; });
  }
  resetLabels();
  function capLabels() {
    var limit = labelMax / network.getScale(), updates = [];
    Object.keys(baseFont).forEach(function (id) {
      var want = Math.min(baseFont[id], limit);
      if (want < baseFont[id] || capped[id]) {
        if (capped[id] !== want) {
          updates.push({id: id, font: {size: want}});
        }
        capped[id] = want < baseFont[id] ? want : undefined;
      }
    });
    if (updates.length) {
      nodes.update(updates);
    }
  }
  // the overview as first drawn (before any label is capped), to restore it exactly
  var overviewNodes = nodes.get().map(function (n) { return Object.assign({}, n, {font: Object.assign({}, n.font)}); });
  var overviewEdges = edges.get().map(function (e) { return Object.assign({}, e); });
  network.on("zoom", capLabels);
  capLabels();

  // A link to #<node IRI> (the query page of `kg serve` links its results so) focuses that node (selects it
  // on a page without the index); an empty hash goes back to the overview.
  function hashId() {
    var raw = window.location.hash.slice(1);
    try {
      return decodeURIComponent(raw);
    } catch (err) {  // a stray "%" that starts no escape
      return raw;
    }
  }
  function fromHash() {
    var id = hashId();
    if (!id) {
      return backToOverview();
    }
    if (id === state.focus) {
      return;
    }
    if (indexReady) {
      indexReady.then(function () { if (id !== state.focus) { focusOn(id); } });
    } else {
      select(id);
    }
  }
  window.addEventListener("hashchange", fromHash);

  // Keep the whole graph in view when the window changes size, until the user zooms or drags.
  var moved = false;
  network.on("zoom", function () { moved = true; });
  network.on("dragEnd", function () { moved = true; });
  window.addEventListener("resize", function () {
    if (!moved) {
      fitCapped();
    }
  });

  // Without positions from Python (very large views), let physics lay the graph out once, then stop.
  if (body.getAttribute("data-physics") === "stabilise") {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({physics: {enabled: false}});
      body.setAttribute("data-stabilised", "1");
    });
  } else {
    body.setAttribute("data-stabilised", "1");
  }

  // ---- start: search over the drawing at once; the index (if any) after the first draw
  S = buildSearch(drawnCatalogue());
  var indexReady = null;
  function loadIndex() {
    return decodeIndex().then(function (ix) {
      if (!ix) {
        body.setAttribute("data-index", "none");
        return null;
      }
      IX = prepareIndex(ix);
      S = buildSearch(indexCatalogue(IX));
      input.placeholder = "Find any of " + IX.ids.length + " papers and entities\u2026";
      if (IX.mode === "live" && window.location.protocol === "file:") {
        say(NEEDS_SERVER);
      }
      noteHidden();
      times.index = performance.now();
      body.setAttribute("data-index", "ready");
      return IX;
    }).catch(function (err) {
      say("The search index could not be read (" + err.message + "); search covers the drawn nodes only.");
      body.setAttribute("data-index", "error");
      return null;
    });
  }
  if (document.getElementById("kg-index") || document.readyState === "loading") {
    indexReady = new Promise(function (resolve) {
      function go() {
        setTimeout(function () { resolve(loadIndex()); }, 0);
      }
      if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", go);
      } else {
        go();
      }
    });
  } else {
    body.setAttribute("data-index", "none");
  }

  window.kgExplorer = {select: select, applyFilters: applyFilters, search: search, choose: choose, focus: focusOn,
                       back: backToOverview, ready: function () { return indexReady || Promise.resolve(null); },
                       times: times};
  if (window.location.hash) {
    fromHash();
  }
  times.ready = performance.now();
  body.setAttribute("data-ready", "1");
})();
