/* paperkg explorer: tooltips, a details panel and a search box on top of the page pyvis draws.
 *
 * pyvis leaves the vis-network objects in the globals `network`, `nodes` and `edges`. Every node
 * and edge carries `tip` (tooltip lines, [kind, text]) and `kg` (details). Text from the graph is
 * only ever put into the page with textContent / DOM properties, never as HTML, and a link is made
 * only for http(s) URLs, so a hostile title or URL stays inert text.
 */
(function () {
  "use strict";
  if (typeof network === "undefined" || !network) {
    return;
  }

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

  // Headings of the link groups in the panel, for a paper (its links out) and an entity (links in).
  var OUT = {proposes: "Proposes", hasCode: "Code", addressesTask: "Addresses tasks", reportsMetric: "Reports metrics",
             comparesWith: "Compares with", cooccurs: "Used together with"};
  var IN = {proposes: "Proposed by", hasCode: "Code of", cooccurs: "Used together with"};
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
          li.appendChild(evidenceBlock(e.kg.evidence));
        }
        ul.appendChild(li);
      });
      panel.appendChild(ul);
    });
    if (k.type !== "Paper" && !k.papers && typeof k.degree === "number" && k.degree > ids.length) {
      panel.appendChild(el("div", "kg-meta", "Linked to " + k.degree + " papers; " + (k.degree - ids.length) +
        " are not in this view (focus on it to see them all)."));
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
      panel.appendChild(evidenceBlock(e.kg.evidence));
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

  // ---- filters: node types (legend check boxes) and a confidence threshold (slider)
  var filterBoxes = Array.prototype.slice.call(document.querySelectorAll("input.kg-filter"));
  var slider = document.getElementById("kg-min-confidence");
  var sliderValue = document.getElementById("kg-confidence-value");
  var visibleNote = document.getElementById("kg-visible");
  var allNodes = nodes.get({fields: ["id", "kg"]});
  var allEdges = edges.get({fields: ["id", "from", "to", "kg"]});
  var totalNodes = allNodes.length, totalEdges = allEdges.length;

  function applyFilters() {
    var shownTypes = {};
    filterBoxes.forEach(function (b) { shownTypes[b.value] = b.checked; });
    var min = slider ? parseFloat(slider.value) : 0;
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
      // an entity or code node whose every link is too weak goes too; papers stay
      var show = typeOk[n.id] && (n.kg.type === "Paper" || !everLinked[n.id] || linked[n.id] === true);
      if (show) {
        shownNodes += 1;
      }
      nodeUpdates.push({id: n.id, hidden: !show});
    });
    nodes.update(nodeUpdates);
    edges.update(edgeUpdates);
    visibleNote.textContent = (shownNodes === totalNodes && shownEdges === totalEdges) ? "" :
      "Showing " + shownNodes + " of " + totalNodes + " nodes, " + shownEdges + " of " + totalEdges + " links";
    document.body.setAttribute("data-visible-nodes", String(shownNodes));
    document.body.setAttribute("data-visible-edges", String(shownEdges));
  }
  filterBoxes.forEach(function (b) { b.addEventListener("change", applyFilters); });
  if (slider) {
    slider.addEventListener("input", applyFilters);
  }

  // ---- search: every node's full name and its aliases; picking one selects, centres and describes it.
  var input = document.getElementById("kg-search");
  var names = document.getElementById("kg-names");
  var byName = {};
  function addName(name, id, hint) {
    var key = String(name).trim().toLowerCase();
    if (!key || byName[key] !== undefined) {
      return;
    }
    byName[key] = id;
    var opt = document.createElement("option");
    opt.value = String(name);
    if (hint) {
      opt.label = hint;
    }
    names.appendChild(opt);
  }
  var all = nodes.get();
  all.forEach(function (n) { addName(label(n), n.id); });
  all.forEach(function (n) {
    ((n.kg && n.kg.aliases) || []).forEach(function (a) { addName(a, n.id, a + " \u2192 " + label(n)); });
  });

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

  function find() {
    var q = String(input.value).trim().toLowerCase();
    if (!q) {
      return;
    }
    var id = byName[q];
    if (id === undefined) {  // otherwise the shortest name containing what was typed
      var best = null;
      Object.keys(byName).forEach(function (key) {
        if (key.indexOf(q) >= 0 && (best === null || key.length < best.length || (key.length === best.length && key < best))) {
          best = key;
        }
      });
      id = best === null ? undefined : byName[best];
    }
    input.classList.toggle("kg-notfound", id === undefined);
    if (id !== undefined) {
      select(id);
    }
  }
  input.addEventListener("change", find);
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      find();
    }
  });

  // A small view fitted to the window would be blown up: no closer than 1.5× (labels are sized for 1×).
  function fitCapped() {
    network.fit({animation: false});
    if (network.getScale() > 1.5) {
      network.moveTo({scale: 1.5, animation: false});
    }
  }
  fitCapped();

  // Labels are sized for the zoom a view is fitted at; zoomed in, none gets bigger than data-label-max px.
  var labelMax = parseFloat(document.body.getAttribute("data-label-max")) || 20;
  var baseFont = {}, capped = {};
  nodes.get({fields: ["id", "font"]}).forEach(function (n) { baseFont[n.id] = (n.font && n.font.size) || 14; });
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
  network.on("zoom", capLabels);
  capLabels();

  // A link to #<node IRI> (the query page of `kg serve` links its results so) selects that node.
  function fromHash() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    if (id) {
      select(id);
    }
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();

  window.kgExplorer = {select: select, applyFilters: applyFilters, find: find};
  document.body.setAttribute("data-ready", "1");

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
  if (document.body.getAttribute("data-physics") === "stabilise") {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({physics: {enabled: false}});
      document.body.setAttribute("data-stabilised", "1");
    });
  } else {
    document.body.setAttribute("data-stabilised", "1");
  }
})();
