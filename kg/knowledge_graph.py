"""The library API: build a knowledge graph from sources, load one, and use it.

``kg.build()`` composes the stages (sources -> nlp -> link -> graph); a :class:`KnowledgeGraph`
holds the resulting RDF dataset and offers query, save, store, networkx and HTML views of it.
"""
from __future__ import annotations

import logging
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import rdflib

from .errors import GraphError, SourceError

log = logging.getLogger(__name__)

_ENTITY_TYPES = ("Method", "Architecture", "Dataset", "Task", "Metric")


@dataclass
class BuildReport:
    """What a build read and produced."""

    files: int = 0
    records: int = 0
    duplicates: int = 0
    papers: int = 0
    skipped: list[SourceError] = field(default_factory=list)
    seconds: float = 0.0


class KnowledgeGraph:
    """A paperkg knowledge graph: an RDF dataset with one named graph per paper.

    Build one with :func:`kg.build`, or open one with :func:`kg.load`.
    """

    def __init__(self, dataset: rdflib.Dataset, report: BuildReport | None = None) -> None:
        self.dataset = dataset
        self.report = report
        self._union: rdflib.Graph | None = None

    @property
    def graph(self) -> rdflib.Graph:
        """All triples in one rdflib Graph (the union of the named graphs)."""
        if self._union is None:
            from .graph import union_graph

            self._union = union_graph(self.dataset)
        return self._union

    def __len__(self) -> int:
        return len(self.graph)

    def query(self, sparql: str, **bindings: Any):
        """Answer a SPARQL query; ``bindings`` are bound safely as values of the query's variables.

        The standard prefixes (kgo, rdfs, skos, dcterms, schema, prov, xsd, rdf) may be left out.

        >>> g = load_fixture()  # doctest: +SKIP
        >>> g.query("SELECT ?t WHERE { ?p kgo:usesDataset ?d . ?d rdfs:label ?l . ?p dcterms:title ?t }",
        ...         l="ImageNet").rows  # doctest: +SKIP
        """
        from .query import run_query

        return run_query(self.graph, sparql, bindings or None)

    def stats(self) -> dict[str, int]:
        """Counts: papers, entities of each type, links of each property, code links, evidence, triples."""
        from .vocab import sparql_prefixes

        g = self.graph
        out: dict[str, int] = {}
        q = sparql_prefixes() + "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c"
        by_class = {str(r.c).rsplit("#", 1)[-1].rsplit("/", 1)[-1]: int(r.n) for r in g.query(q)}
        out["papers"] = by_class.get("Paper", 0)
        for t in _ENTITY_TYPES:
            out[t.lower() + "s"] = by_class.get(t, 0)
        out["code repositories"] = by_class.get("SoftwareSourceCode", 0)
        out["evidence"] = by_class.get("Evidence", 0)
        q = sparql_prefixes() + """SELECT ?p (COUNT(*) AS ?n) WHERE { ?a ?p ?b .
            VALUES ?p { kgo:proposes kgo:uses kgo:addressesTask kgo:reportsMetric kgo:hasCode } } GROUP BY ?p"""
        for r in g.query(q):
            out["links " + str(r.p).rsplit("#", 1)[-1]] = int(r.n)
        out["triples"] = len(g)
        return out

    def to_networkx(self):
        """The graph as a typed ``networkx.MultiDiGraph`` (see :func:`kg.export.to_networkx`)."""
        from .export import to_networkx

        return to_networkx(self.graph)

    def save(self, path: str | os.PathLike, format: str | None = None) -> Path:
        """Write the graph to a file, atomically; the format follows the extension
        (.ttl, .nt, .nq, .trig, .jsonld, .rdf) unless ``format`` (an rdflib format name) is given."""
        from .export import write_rdf

        return write_rdf(self.dataset, path, format)

    def save_store(self, path: str | os.PathLike) -> Path:
        """Write the graph into a new persistent Oxigraph store at ``path`` (replacing any store there
        only once the new one is complete)."""
        from .store import Store

        with Store.create_from(self.dataset, path):
            pass
        return Path(path)

    def view(self, path: str | os.PathLike = "explorer.html", **options: Any) -> Path:
        """Write the interactive HTML explorer (see :func:`kg.view.write_explorer` for ``options``)."""
        from .view import write_explorer

        return write_explorer(self.graph, path, **options)


def build(sources: Iterable[str | os.PathLike] | str | os.PathLike | None = None, *, format: str | None = None,
          skip_bad: bool = False, nlp=None, batch_size: int | None = None, n_process: int = 1) -> KnowledgeGraph:
    """Build a knowledge graph from paper sources.

    Params:
      sources: files or directories (daily-papers ``.txt``, JSON Lines, arXiv snapshot); ``None`` means
        the bundled sample corpus.
      format: force a source format ("daily", "jsonl", "arxiv") instead of guessing from the extension.
      skip_bad: report and skip bad records (in ``report.skipped``) instead of stopping at the first one.
      nlp: a spaCy pipeline from ``kg.nlp()``; default: the shipped one.
      batch_size, n_process: passed to ``nlp.pipe``.
    Returns: a :class:`KnowledgeGraph` whose ``report`` says what was read.
    Raises: :class:`kg.errors.SourceError` for a missing file or a bad record (unless ``skip_bad``).
    """
    from .graph import to_dataset
    from .link import link
    from .nlp import extract
    from .sources import SourceStats, read_sources

    t0 = time.perf_counter()
    if sources is not None and isinstance(sources, (str, os.PathLike)):
        sources = [sources]
    stats = SourceStats()
    papers = read_sources(list(sources) if sources else None, format=format, skip_bad=skip_bad, stats=stats)
    kwargs = {} if batch_size is None else {"batch_size": batch_size}
    linked = link(extract(papers, nlp, n_process=n_process, **kwargs))
    dataset = to_dataset(linked)
    report = BuildReport(files=stats.files_read, records=stats.records_read, duplicates=stats.duplicates_dropped,
                         papers=len(linked.papers), skipped=list(stats.skipped),
                         seconds=time.perf_counter() - t0)
    log.info("built %d papers in %.1f s", report.papers, report.seconds)
    return KnowledgeGraph(dataset, report)


def load(path: str | os.PathLike) -> KnowledgeGraph:
    """Open a graph written by paperkg: an RDF file (.ttl, .trig, .nq, .nt, .jsonld) or a store directory.

    Raises: :class:`kg.errors.GraphError` if the file is missing or not valid RDF;
      :class:`kg.errors.StoreError` if the directory is not a store.
    """
    from .export import rdf_format

    path = Path(path)
    ds = rdflib.Dataset(default_union=True)
    if path.is_dir():
        from .store import Store

        import tempfile

        with Store.open(path, read_only=True) as store, tempfile.TemporaryDirectory() as tmp:
            ds.parse(store.dump(Path(tmp) / "store.nq", "nquads"), format="nquads")
        return KnowledgeGraph(ds)
    if not path.exists():
        raise GraphError(f"{path}: no such file or store directory")
    try:
        ds.parse(path, format=rdf_format(path))
    except (SyntaxError, ValueError, UnicodeDecodeError) as err:
        raise GraphError(f"{path}: not valid {rdf_format(path)}: {err}".splitlines()[0]) from err
    return KnowledgeGraph(ds)


__all__ = ["KnowledgeGraph", "BuildReport", "build", "load"]
