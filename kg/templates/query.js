// The query page of `kg serve` (/query): runs SPARQL against /sparql and shows the answer as a table.
// Text from the graph or the server never becomes markup: every value is set with textContent.
(function () {
  "use strict";
  var named = JSON.parse(document.getElementById("kg-named-queries").textContent);
  var select = document.getElementById("kg-named");
  var description = document.getElementById("kg-description");
  var paramsBox = document.getElementById("kg-params");
  var textarea = document.getElementById("kg-query");
  var status = document.getElementById("kg-status");
  var errorBox = document.getElementById("kg-error");
  var table = document.getElementById("kg-results");
  var graphBox = document.getElementById("kg-graph");
  var PREFIXES = {
    "https://w3id.org/paperkg/ontology#": "kgo:", "http://www.w3.org/2000/01/rdf-schema#": "rdfs:",
    "http://www.w3.org/2004/02/skos/core#": "skos:", "http://purl.org/dc/terms/": "dcterms:",
    "https://schema.org/": "schema:", "http://www.w3.org/ns/prov#": "prov:",
    "http://www.w3.org/2001/XMLSchema#": "xsd:", "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf:"
  };

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }

  function short(iri) {
    for (var ns in PREFIXES) {
      if (iri.indexOf(ns) === 0 && /^[\w.-]*$/.test(iri.slice(ns.length))) { return PREFIXES[ns] + iri.slice(ns.length); }
    }
    return iri;
  }

  named.forEach(function (q) { select.appendChild(el("option", q.name)).value = q.name; });

  function showNamed() {
    var q = named.filter(function (x) { return x.name === select.value; })[0];
    paramsBox.textContent = "";
    description.textContent = q ? q.description : "";
    if (!q) { return; }
    textarea.value = q.text;
    Object.keys(q.params).forEach(function (name) {
      var row = el("div");
      var label = el("label", name);
      var input = el("input");
      input.id = "kg-param-" + name;
      input.name = name;
      label.htmlFor = input.id;
      row.appendChild(label);
      row.appendChild(input);
      row.appendChild(el("small", q.params[name]));
      paramsBox.appendChild(row);
      input.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { run(); } });
    });
  }
  select.addEventListener("change", showNamed);

  function fail(text) {
    errorBox.textContent = text;
    errorBox.hidden = false;
    status.textContent = "";
  }

  function cell(term) {
    var td = el("td");
    if (!term) { return td; }
    if (term.type === "uri") {
      var a = el("a", short(term.value));
      a.href = "/#" + encodeURIComponent(term.value);
      a.title = "show in the explorer: " + term.value;
      td.appendChild(a);
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
    } else {
      td.textContent = term.value;
      if (/#(integer|decimal|double|float|int|long)$/.test(term.datatype || "")) { td.className = "num"; }
    }
    return td;
  }

  function showSolutions(doc) {
    var thead = table.tHead, tbody = table.tBodies[0];
    thead.textContent = "";
    tbody.textContent = "";
    if (doc.boolean !== undefined) {
      var hr = el("tr");
      hr.appendChild(el("th", "boolean"));
      thead.appendChild(hr);
      var br = el("tr");
      br.appendChild(el("td", String(doc.boolean)));
      tbody.appendChild(br);
      table.hidden = false;
      status.textContent = "ASK: " + doc.boolean;
      return;
    }
    var vars = doc.head.vars || [];
    var tr = el("tr");
    vars.forEach(function (v) { tr.appendChild(el("th", v)); });
    thead.appendChild(tr);
    doc.results.bindings.forEach(function (b) {
      var row = el("tr");
      vars.forEach(function (v) { row.appendChild(cell(b[v])); });
      tbody.appendChild(row);
    });
    table.hidden = false;
    var n = doc.results.bindings.length;
    status.textContent = n + (n === 1 ? " row" : " rows");
  }

  function run() {
    var body = new URLSearchParams();
    body.set("query", textarea.value);
    Array.prototype.forEach.call(paramsBox.querySelectorAll("input"), function (input) {
      body.set("$" + input.name, input.value);
    });
    errorBox.hidden = true;
    table.hidden = true;
    graphBox.hidden = true;
    status.textContent = "running…";
    document.body.setAttribute("data-state", "running");
    fetch("/sparql", {
      method: "POST", body: body,
      headers: {"Accept": "application/sparql-results+json, text/turtle;q=0.9"}
    }).then(function (r) {
      var type = r.headers.get("content-type") || "";
      if (!r.ok) {
        return r.json().then(function (e) { fail(r.status + " " + e.error.title + ": " + e.error.detail); },
                             function () { fail("HTTP " + r.status); });
      }
      if (type.indexOf("text/turtle") === 0) {
        return r.text().then(function (t) { graphBox.textContent = t; graphBox.hidden = false; status.textContent = "graph (Turtle)"; });
      }
      return r.json().then(showSolutions);
    }).catch(function (e) { fail(String(e)); }).then(function () {
      document.body.setAttribute("data-state", "done");
    });
  }
  document.getElementById("kg-run").addEventListener("click", run);
  textarea.addEventListener("keydown", function (ev) { if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { run(); } });
  window.kgQuery = {run: run};
  document.body.setAttribute("data-ready", "1");
})();
