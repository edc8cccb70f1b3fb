"""Exports of the graph for other tools: networkx (and through it GraphML and CSV), RDF files, rdflib.

This is one of the edges where rdflib is used: :func:`to_rdflib` converts a store to an rdflib
``Dataset`` (a parse of its N-Quads: the whole graph in memory, ~3x the store's size) for code that wants
rdflib objects. Every RDF file (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML) is written by Oxigraph's
serialisers (:meth:`kg.store.Store.dump`); :func:`write_rdf` is for an rdflib dataset in hand.
"""
from __future__ import annotations

import csv
import io
import logging
import os
from pathlib import Path

import rdflib

from .atomic import atomic_file
from .errors import GraphError
from .vocab import PREFIXES
from .xmltext import XML_INVALID, xml_text

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
#: rdflib formats written as XML.
XML_FORMATS = {"xml", "pretty-xml", "trix"}

log = logging.getLogger(__name__)


def to_networkx(source):
    """The graph as a ``networkx.MultiDiGraph``: papers, entities and code repositories as nodes.

    Node attributes: ``type`` (Paper, Method, Architecture, Dataset, Task, Metric, Code) and ``label``;
    edges go from a paper to an entity or repository, keyed by the relation (``proposes``,
    ``evaluatesOn``, ``usesMethod`` …, ``hasCode``), with ``confidence`` (the best evidence's) and
    ``mentions`` (how many evidence nodes support it; a link without evidence has no ``confidence`` and
    0 mentions). A link asserted by a property and by a super-property of it (``usesDataset`` and
    ``evaluatesOn``) is one edge, keyed by the most specific (``kgo:uses`` is an edge only where nothing
    more specific is asserted). It reads the
    graph through :mod:`kg.reader`, as the explorer does, so both show the same nodes and links.

    ``source``: a :class:`kg.store.Store`, or an rdflib Graph or Dataset.

    >>> import kg.export, rdflib
    >>> kg.export.to_networkx(rdflib.Graph()).number_of_nodes()
    0
    """
    import networkx as nx

    from .reader import as_store, read_tables

    tables = read_tables(as_store(source))
    g = nx.MultiDiGraph()
    for n in tables.nodes.values():
        g.add_node(n.id, type=n.type, label=n.label)
    for link in tables.links:
        support = {"mentions": link.mentions} if link.confidence is None else \
            {"confidence": link.confidence, "mentions": link.mentions}
        g.add_edge(link.paper, link.target, key=link.relation, relation=link.relation, **support)
    return g


def rdf_format(path: str | os.PathLike, format: str | None = None) -> str:
    """The rdflib format for ``path``: ``format`` if given, else from the extension."""
    if format:
        return format
    ext = Path(path).suffix.lower()
    if ext not in RDF_FORMATS:
        raise GraphError(f"{path}: unknown RDF file extension {ext!r}; use one of {', '.join(RDF_FORMATS)}")
    return RDF_FORMATS[ext]


def to_rdflib(store) -> rdflib.Dataset:
    """The graph of a :class:`kg.store.Store` as an rdflib ``Dataset`` (named graphs kept, the default graph
    the union of them): the documented way from paperkg's store to rdflib, a parse of the whole graph.

    >>> from kg.store import Store
    >>> len(to_rdflib(Store.in_memory_from_file("tests/data/small.ttl")))
    556
    """
    ds = rdflib.Dataset(default_union=True)
    ds.parse(data=store.dump_bytes("nquads"), format="nquads")
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns, override=True)
    return ds


def union_graph(ds: rdflib.Dataset) -> rdflib.Graph:
    """All triples of an rdflib dataset in one plain graph (what ``graph.ttl`` holds)."""
    g = rdflib.Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def write_rdf(dataset: rdflib.Dataset, path: str | os.PathLike, format: str | None = None) -> Path:
    """Write the dataset to ``path`` (atomically): quads formats keep the named graphs,
    triple formats get the union of all graphs."""
    fmt = rdf_format(path, format)
    data = dataset if fmt in QUAD_FORMATS else union_graph(dataset)
    if fmt in XML_FORMATS:
        data = _xml_safe(data)
    with atomic_file(path, "wb") as f:
        data.serialize(destination=f, format=fmt, encoding="utf-8")
    return Path(path)


def _xml_safe(graph: rdflib.Graph) -> rdflib.Graph:
    """``graph`` itself, or a copy whose literals hold no character XML forbids (see :data:`XML_INVALID`)."""
    bad = [t for t in graph if isinstance(t[2], rdflib.Literal) and XML_INVALID.search(str(t[2]))]
    if not bad:
        return graph
    log.warning("%d literals hold characters XML does not allow; written with U+FFFD in their place", len(bad))
    for s, p, o in bad:
        graph.remove((s, p, o))
        graph.add((s, p, rdflib.Literal(xml_text(str(o)), lang=o.language, datatype=o.datatype)))
    return graph


def write_graphml(source, path: str | os.PathLike) -> Path:
    """Write the networkx view of the graph as GraphML (for Gephi, yEd, Cytoscape), atomically; a character
    XML does not allow (:data:`XML_INVALID`) is written as U+FFFD."""
    import networkx as nx

    g = to_networkx(source)
    for _, data in g.nodes(data=True):
        data["label"] = xml_text(data["label"])
    with atomic_file(path, "wb") as f:
        nx.write_graphml(g, f)
    return Path(path)


#: Columns of the CSV pair (Gephi's spreadsheet import: nodes need ``Id``, edges ``Source``/``Target``;
#: ``Type`` of an edge is Gephi's Directed/Undirected, ``Label`` the relation, ``Weight`` the mentions).
CSV_NODE_COLUMNS = ("Id", "Label", "Type")
CSV_EDGE_COLUMNS = ("Source", "Target", "Type", "Label", "Weight", "Confidence", "Mentions")


def csv_paths(path: str | os.PathLike) -> tuple[Path, Path]:
    """The nodes and edges files for ``path``: ``graph.csv`` gives ``graph.nodes.csv`` and ``graph.edges.csv``.

    >>> [p.name for p in csv_paths("out/graph.csv")]
    ['graph.nodes.csv', 'graph.edges.csv']
    """
    path = Path(path)
    stem = path.name[:-len(path.suffix)] if path.suffix.lower() == ".csv" else path.name
    return path.with_name(f"{stem}.nodes.csv"), path.with_name(f"{stem}.edges.csv")


def csv_rows(source) -> tuple[list[tuple], list[tuple]]:
    """The rows (without header) of the nodes and edges CSV files: the nodes and edges of
    :func:`to_networkx` (so of the GraphML export), nodes sorted by ``Id``, edges by source, relation,
    target. Every edge is ``Directed``; ``Weight`` and ``Mentions`` are the number of evidence nodes,
    ``Confidence`` the best evidence's."""
    g = to_networkx(source)
    nodes = sorted((n, d["label"], d["type"]) for n, d in g.nodes(data=True))
    edges = sorted(((u, v, "Directed", rel, d["mentions"], d.get("confidence", ""), d["mentions"])
                    for u, v, rel, d in g.edges(keys=True, data=True)), key=lambda e: (e[0], e[3], e[1]))
    return nodes, edges


def _csv_bytes(header: tuple[str, ...], rows: list[tuple]) -> bytes:
    """RFC 4180 CSV (CRLF line ends, as ``kg query --format csv``; fields quoted when they hold a comma,
    quote or line break), UTF-8 without a byte order mark."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def write_csv(source, path: str | os.PathLike) -> tuple[Path, Path]:
    """Write the graph as a pair of UTF-8 CSV files that Gephi's spreadsheet import (and any spreadsheet)
    reads: ``X.nodes.csv`` (``Id,Label,Type``) and ``X.edges.csv`` (``Source,Target,Type,Label,Weight,
    Confidence,Mentions``) for ``path`` = ``X.csv`` (see :func:`csv_paths`, :func:`csv_rows`).

    Both or neither: both files are written in full to temporary files first and renamed into place
    only then (edges, then nodes: two renames in one folder), so an error while writing either leaves no
    new file, and the old files, if any, as they were.
    """
    nodes_path, edges_path = csv_paths(path)
    nodes, edges = csv_rows(source)
    with atomic_file(nodes_path, "wb") as nf, atomic_file(edges_path, "wb") as ef:
        nf.write(_csv_bytes(CSV_NODE_COLUMNS, nodes))
        ef.write(_csv_bytes(CSV_EDGE_COLUMNS, edges))
    return nodes_path, edges_path
