"""Exports of the graph for other tools: networkx (and through it GraphML), RDF files."""
from __future__ import annotations

import os
from pathlib import Path

import rdflib

from .atomic import atomic_file
from .errors import GraphError
from .vocab import sparql_prefixes

#: RDF syntaxes by file extension (rdflib format names); quads formats keep the named graphs.
RDF_FORMATS: dict[str, str] = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".rdf": "xml",
    ".xml": "xml",
}
QUAD_FORMATS = {"nquads", "trig"}

_NODES = sparql_prefixes() + """
SELECT ?n ?type ?label WHERE {
  { ?n a kgo:Paper ; dcterms:title ?label . BIND("Paper" AS ?type) }
  UNION
  { ?n a ?c ; rdfs:label ?label . VALUES ?c { kgo:Method kgo:Architecture kgo:Dataset kgo:Task kgo:Metric }
    BIND(STRAFTER(STR(?c), "#") AS ?type) }
  UNION
  { ?n a schema:SoftwareSourceCode . BIND("Code" AS ?type) BIND(STR(?n) AS ?label) }
}"""

_EDGES = sparql_prefixes() + """
SELECT ?p ?rel ?e (MAX(?conf) AS ?confidence) (COUNT(?ev) AS ?mentions) WHERE {
  ?p a kgo:Paper ; ?prop ?e .
  VALUES ?prop { kgo:proposes kgo:usesMethod kgo:usesArchitecture kgo:usesDataset kgo:evaluatesOn kgo:trainsOn
                 kgo:comparesWith kgo:addressesTask kgo:reportsMetric kgo:hasCode }
  ?ev kgo:paper ?p ; kgo:entity ?e ; kgo:property ?prop ; kgo:confidence ?conf .
  BIND(STRAFTER(STR(?prop), "#") AS ?rel)
} GROUP BY ?p ?rel ?e"""


def to_networkx(source):
    """The graph as a ``networkx.MultiDiGraph``: papers, entities and code repositories as nodes.

    Node attributes: ``type`` (Paper, Method, Architecture, Dataset, Task, Metric, Code) and ``label``;
    edges go from a paper to an entity or repository, keyed by the relation (``proposes``,
    ``evaluatesOn``, ``usesMethod`` …, ``hasCode``), with ``confidence`` (the best evidence's) and
    ``mentions`` (how many evidence nodes support it). Plain ``kgo:uses`` is left out: every use
    has a more specific relation.

    ``source``: anything :func:`kg.query.run_query` reads (an rdflib Graph or a :class:`kg.store.Store`).

    >>> import kg.export, rdflib
    >>> kg.export.to_networkx(rdflib.Graph()).number_of_nodes()
    0
    """
    import networkx as nx

    from .query import run_query

    g = nx.MultiDiGraph()
    for n, type_, label in run_query(source, _NODES).rows:
        g.add_node(str(n), type=str(type_), label=str(label))
    for p, rel, e, confidence, mentions in run_query(source, _EDGES).rows:
        g.add_edge(str(p), str(e), key=str(rel), relation=str(rel), confidence=float(confidence),
                   mentions=int(mentions))
    return g


def rdf_format(path: str | os.PathLike, format: str | None = None) -> str:
    """The rdflib format for ``path``: ``format`` if given, else from the extension."""
    if format:
        return format
    ext = Path(path).suffix.lower()
    if ext not in RDF_FORMATS:
        raise GraphError(f"{path}: unknown RDF file extension {ext!r}; use one of {', '.join(RDF_FORMATS)}")
    return RDF_FORMATS[ext]


def write_rdf(dataset: rdflib.Dataset, path: str | os.PathLike, format: str | None = None) -> Path:
    """Write the dataset to ``path`` (atomically): quads formats keep the named graphs,
    triple formats get the union of all graphs."""
    from .graph import union_graph

    fmt = rdf_format(path, format)
    data = dataset if fmt in QUAD_FORMATS else union_graph(dataset)
    with atomic_file(path, "wb") as f:
        data.serialize(destination=f, format=fmt, encoding="utf-8")
    return Path(path)


def write_graphml(source, path: str | os.PathLike) -> Path:
    """Write the networkx view of the graph as GraphML (for Gephi, yEd, Cytoscape), atomically."""
    import networkx as nx

    g = to_networkx(source)
    with atomic_file(path, "wb") as f:
        nx.write_graphml(g, f)
    return Path(path)
