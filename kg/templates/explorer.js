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

  function showNode(id) {
    var n = nodes.get(id);
    if (!n) {
      return;
    }
    var k = n.kg || {};
    panel.textContent = "";
    panel.appendChild(el("div", "kg-type", k.type));
    panel.appendChild(el("h2", null, k.title || n.label));
    if (k.url) {
      panel.appendChild(link(k.url));
    }
    if (k.aliases && k.aliases.length) {
      panel.appendChild(el("div", "kg-meta", "Also written: " + k.aliases.join(", ")));
    }
    if (k.abstract) {
      panel.appendChild(el("p", "kg-abstract", k.abstract));
    }
    if (k.code && k.code.length) {
      panel.appendChild(el("h3", null, "Code"));
      var ul = el("ul");
      k.code.forEach(function (u) {
        var li = el("li");
        li.appendChild(link(u));
        ul.appendChild(li);
      });
      panel.appendChild(ul);
    }
    var ids = network.getConnectedEdges(id);
    if (ids.length) {
      panel.appendChild(el("h3", null, "Links (" + ids.length + ")"));
      var list = el("ul", "kg-links");
      edges.get(ids).sort(function (x, y) {
        return String(x.kg.relation + x.to).localeCompare(String(y.kg.relation + y.to));
      }).forEach(function (e) {
        var other = nodes.get(e.from === id ? e.to : e.from);
        var li = el("li");
        li.appendChild(el("div", "kg-rel", e.kg.relation_text + "  " + (other ? (other.kg.title || other.label) : "")));
        li.appendChild(evidenceBlock(e.kg.evidence));
        list.appendChild(li);
      });
      panel.appendChild(list);
    }
    panel.hidden = false;
  }

  function showEdge(id) {
    var e = edges.get(id);
    if (!e) {
      return;
    }
    var from = nodes.get(e.from), to = nodes.get(e.to);
    panel.textContent = "";
    panel.appendChild(el("div", "kg-type", "Link: " + e.kg.relation_text));
    panel.appendChild(el("h2", null, from ? (from.kg.title || from.label) : e.from));
    panel.appendChild(el("div", "kg-rel", e.kg.relation_text + "  " + (to ? (to.kg.title || to.label) : e.to)));
    if (e.kg.relations.length > 1) {
      panel.appendChild(el("div", "kg-meta", "asserted as: " + e.kg.relations.join(", ")));
    }
    panel.appendChild(evidenceBlock(e.kg.evidence));
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

  // Search: a datalist of every node's full name; picking one selects, centres and describes it.
  var input = document.getElementById("kg-search");
  var names = document.getElementById("kg-names");
  var byName = {};
  nodes.get().forEach(function (n) {
    var name = String((n.kg && n.kg.title) || n.label);
    byName[name.toLowerCase()] = n.id;
    var opt = document.createElement("option");
    opt.value = name;
    names.appendChild(opt);
  });
  function find() {
    var id = byName[String(input.value).trim().toLowerCase()];
    if (id === undefined) {
      return;
    }
    network.selectNodes([id]);
    network.focus(id, {scale: 1.0, animation: false});
    showNode(id);
  }
  input.addEventListener("change", find);
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      find();
    }
  });

  // Keep the whole graph in view when the window changes size, until the user zooms or drags.
  var moved = false;
  network.on("zoom", function () { moved = true; });
  network.on("dragEnd", function () { moved = true; });
  window.addEventListener("resize", function () {
    if (!moved) {
      network.fit({animation: false});
    }
  });

  // Without positions from Python (very large views), let physics lay the graph out once, then stop.
  if (document.body.getAttribute("data-physics") === "stabilise") {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({physics: {enabled: false}});
    });
  }
})();
