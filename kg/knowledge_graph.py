"""The library API: build a knowledge graph from sources, load one, and use it.

``kg.build()`` composes the stages (sources -> nlp -> link -> graph); a :class:`KnowledgeGraph`
holds the resulting RDF dataset and offers query, save, store, networkx and HTML views of it.
"""
from __future__ import annotations

import dataclasses
import gzip
import json
import logging
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

import rdflib

from .errors import GraphError, QueryError, SourceError, StoreError
from .records import Extraction
from .vocab import PREFIXES

if TYPE_CHECKING:
    from .sources import PaperFilter

log = logging.getLogger(__name__)

#: File in a store directory holding the NLP output behind its graph (JSON Lines, gzip), so that
#: papers can be added to a store later (:meth:`KnowledgeGraph.add`).
EXTRACTIONS_FILE = "paperkg-extractions.jsonl.gz"
#: Version of that file's format (its first line).
_EXTRACTIONS_FORMAT = 1

_ENTITY_TYPES = ("Method", "Architecture", "Dataset", "Task", "Metric")
#: Kinds of :meth:`KnowledgeGraph.to_networkx`.
_NX_KINDS = ("multigraph", "co-usage", "papers")


@dataclass
class BuildReport:
    """What a build (or :meth:`KnowledgeGraph.add`) read and produced: files and records read (that passed
    the filter), records the filter excluded (``filtered``; ``filtered_no_field`` of them for want of the
    categories or date it compares), duplicate records dropped, papers added, papers
    re-extracted because their record changed (``add`` only), bad records skipped (with ``skip_bad``),
    seconds taken.

    >>> BuildReport(files=1, records=3, papers=3).duplicates
    0
    """

    files: int = 0
    records: int = 0
    duplicates: int = 0
    papers: int = 0
    updated: int = 0
    skipped: list[SourceError] = field(default_factory=list)
    seconds: float = 0.0
    filtered: int = 0
    filtered_no_field: int = 0


class KnowledgeGraph:
    """A paperkg knowledge graph: an RDF dataset with one named graph per paper.

    Build one with :func:`kg.build`, or open one with :func:`kg.load`. Queries, counts and RDF dumps
    run on Oxigraph (:attr:`store`); :attr:`dataset` and :attr:`graph` give the same triples as rdflib
    objects, made on first use.

    >>> g = load("tests/data/small.ttl")
    >>> g.stats()["papers"], len(g.entities(type="Method"))
    (3, 8)
    """

    def __init__(self, dataset: rdflib.Dataset | None = None, report: BuildReport | None = None, *,
                 store=None, extractions: Iterable[Extraction] | None = None) -> None:
        if dataset is None and store is None:
            raise ValueError("KnowledgeGraph needs a dataset or a store")
        self._dataset = dataset
        self._store = store
        self.report = report
        self._union: rdflib.Graph | None = None
        #: The NLP output behind the graph (kept by :func:`build`, read from a store directory's
        #: EXTRACTIONS_FILE on first need, ``None`` for a graph loaded from an RDF file): what :meth:`add`
        #: re-links together with the new papers.
        self._extractions: list[Extraction] | None = None if extractions is None else list(extractions)

    @classmethod
    def _from_extractions(cls, extractions: Iterable[Extraction], report: BuildReport | None = None) -> KnowledgeGraph:
        """Link ``extractions`` (one per distinct paper) into a graph that keeps them for :meth:`add`."""
        from .graph import to_dataset
        from .link import link

        extractions = list(extractions)
        return cls(to_dataset(link(extractions)), report, extractions=extractions)

    @property
    def store(self):
        """The :class:`kg.store.Store` that answers queries (in memory unless loaded from a store directory)."""
        if self._store is None:
            from .store import Store

            self._store = Store.in_memory(self._dataset)
        return self._store

    @property
    def dataset(self) -> rdflib.Dataset:
        """The graph as an rdflib ``Dataset`` (named graphs kept; default graph = their union)."""
        if self._dataset is None:
            ds = rdflib.Dataset(default_union=True)
            ds.parse(data=self.store.dump_bytes("nquads"), format="nquads")
            self._dataset = ds
        return self._dataset

    @property
    def graph(self) -> rdflib.Graph:
        """All triples in one rdflib ``Graph`` (the union of the named graphs)."""
        if self._union is None:
            g = rdflib.Graph()
            g.parse(data=self.store.dump_bytes("ntriples"), format="nt")
            for prefix, ns in PREFIXES.items():
                g.bind(prefix, ns)
            self._union = g
        return self._union

    def __len__(self) -> int:
        """The number of distinct triples (the union of the named graphs)."""
        return int(self.query("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }").rows[0][0])

    def query(self, sparql: str, **bindings: Any):
        """Answer a SPARQL query; ``bindings`` are bound safely as values of the query's variables.

        The standard prefixes (kgo, rdfs, skos, dcterms, schema, prov, xsd, rdf) may be left out; a bound
        variable must be in the SELECT clause. Returns a :class:`kg.query.QueryResult`.

        >>> g = load("tests/data/small.ttl")
        >>> r = g.query("SELECT ?title ?l WHERE { ?p kgo:evaluatesOn ?d ; dcterms:title ?title . "
        ...             "?d rdfs:label ?l } ORDER BY ?title", l="ImageNet")
        >>> [str(row[0]) for row in r.rows]
        ['Masked Autoencoders Enable Efficient Knowledge Distillers']
        """
        from .query import run_query

        return run_query(self.store, sparql, bindings or None)

    def papers(self) -> list[dict[str, Any]]:
        """Every paper as ``{"iri": str, "title": str}``, sorted by title.

        >>> [p["title"][:20] for p in load("tests/data/small.ttl").papers()]
        ['Masked Autoencoders ', 'PASS: An ImageNet re', 'Swin Transformer: Hi']
        """
        rows = self.query("SELECT ?iri ?title WHERE { ?iri a kgo:Paper ; dcterms:title ?title } ORDER BY ?title ?iri")
        return rows.to_dicts()

    def entities(self, type: str | None = None) -> list[dict[str, Any]]:
        """Every entity (of one ``type``: Method, Architecture, Dataset, Task, Metric) as
        ``{"iri": str, "type": str, "label": str}``, sorted by type then label.

        Raises: :class:`kg.errors.QueryError` for an unknown ``type``.

        >>> [e["label"] for e in load("tests/data/small.ttl").entities(type="Dataset")]
        ['ADE20K', 'COCO', 'ImageNet', 'ImageNet-1K', 'Pictures without humAns for Self-Supervision']
        """
        if type is not None and type not in _ENTITY_TYPES:
            raise QueryError(f"unknown entity type {type!r}; use one of {', '.join(_ENTITY_TYPES)}")
        types = " ".join(f"kgo:{t}" for t in ([type] if type else _ENTITY_TYPES))
        q = f"""SELECT ?iri ?type ?label WHERE {{ VALUES ?c {{ {types} }} ?iri a ?c ; rdfs:label ?label .
                BIND(STRAFTER(STR(?c), "#") AS ?type) }} ORDER BY ?type ?label ?iri"""
        return self.query(q).to_dicts()

    def stats(self) -> dict[str, int]:
        """Counts: papers, entities of each type, code repositories, evidence, links of each property, triples."""
        out: dict[str, int] = {}
        q = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c"
        by_class = {str(c).rsplit("#", 1)[-1].rsplit("/", 1)[-1]: int(n) for c, n in self.query(q).rows}
        out["papers"] = by_class.get("Paper", 0)
        for t in _ENTITY_TYPES:
            out[t.lower() + "s"] = by_class.get(t, 0)
        out["code repositories"] = by_class.get("SoftwareSourceCode", 0)
        out["evidence"] = by_class.get("Evidence", 0)
        q = """SELECT ?p (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?a ?p ?b { ?a ?p ?b .
            VALUES ?p { kgo:proposes kgo:uses kgo:addressesTask kgo:reportsMetric kgo:hasCode } } } GROUP BY ?p"""
        for p, n in sorted(self.query(q).rows):
            out["links " + str(p).rsplit("#", 1)[-1]] = int(n)
        out["triples"] = len(self)
        return out

    def to_networkx(self, kind: str = "multigraph", **options: Any):
        """The graph for networkx.

        Params:
          kind: ``"multigraph"``: the typed ``networkx.MultiDiGraph`` of papers, entities and code
            (see :func:`kg.export.to_networkx`); ``"co-usage"``: entities linked by the number of papers
            that mention both (:func:`kg.analysis.co_usage`); ``"papers"``: papers linked by the entities
            they share (:func:`kg.analysis.paper_similarity`).
          options: passed to the projection (e.g. ``types=("Method",)`` for ``"co-usage"``).
        Returns: a ``networkx.MultiDiGraph`` (multigraph) or ``networkx.Graph`` (projections).
        Raises: ``ValueError`` for an unknown ``kind``.

        >>> g = load("tests/data/small.ttl")
        >>> m = g.to_networkx()
        >>> m.number_of_nodes(), m.number_of_edges()
        (29, 28)
        >>> sorted(d["weight"] for _, _, d in g.to_networkx("papers").edges(data=True))
        [1, 1]
        """
        from . import analysis
        from .export import to_networkx

        if kind not in _NX_KINDS:
            raise ValueError(f"unknown networkx kind {kind!r}; use one of {', '.join(_NX_KINDS)}")
        multi = to_networkx(self.store)
        if kind == "multigraph":
            if options:
                raise ValueError(f"kind='multigraph' takes no options, got {', '.join(sorted(options))}")
            return multi
        if kind == "co-usage":
            return analysis.co_usage(multi, **options)
        return analysis.paper_similarity(multi, **options)

    def add(self, sources: Iterable[str | os.PathLike] | str | os.PathLike, *, format: str | None = None,
            skip_bad: bool = False, filter: PaperFilter | None = None, nlp=None, batch_size: int | None = None,
            n_process: int | None = None) -> BuildReport:
        """Add the papers of ``sources`` to this graph, in place.

        A paper already in the graph (same title key, see :attr:`kg.records.Paper.key`) is not
        duplicated: if its record is the same it is skipped, if the record changed (another abstract,
        date, authors…) the paper is re-extracted and replaces the old one. Only new and changed papers
        go through the NLP pipeline. Entities are then re-linked across all papers from the NLP output
        that the graph keeps, so the result is exactly what ``build(old_sources + new_sources)`` gives
        (same IRIs, labels and aliases). :meth:`save_store` then writes only the graphs that changed.

        The NLP output is kept by :func:`build` and in a store directory written by :meth:`save_store`
        (``kg build`` writes one), so ``kg.load("out/store").add(...)`` works. A graph loaded from an RDF
        file holds RDF only (entity labels and in-paper aliases cannot be recovered exactly from it):
        :meth:`add` refuses it; rebuild with ``kg.build([old sources..., new sources...])``.

        Params: as :func:`build` (``sources`` is required).
        Returns: a :class:`BuildReport` of this addition (``papers``: papers added, ``updated``: papers
          re-extracted, ``duplicates``: records dropped as duplicates of each other or of unchanged papers).
        Raises: :class:`kg.errors.GraphError` if the graph keeps no NLP output;
          :class:`kg.errors.SourceError` for a missing file or a bad record (unless ``skip_bad``).

        >>> g = build("tests/data/sources/papers.jsonl")
        >>> g.add(["tests/data/sources/arxiv-snapshot.json", "tests/data/sources/papers.jsonl"]).papers
        4
        >>> len(g.papers())
        7
        """
        from .nlp import extract
        from .sources import SourceStats, read_sources

        t0 = time.perf_counter()
        self._check_extractions()
        if isinstance(sources, (str, os.PathLike)):
            sources = [sources]
        sources = list(sources)
        if not sources:
            raise SourceError("add() needs at least one source file or directory")
        stats = SourceStats()
        known = {ex.paper.key: ex.paper for ex in self._extractions}
        papers = read_sources(sources, format=format, skip_bad=skip_bad, filter=filter, stats=stats)
        todo = [p for p in papers if p.key not in known or not _same_record(known[p.key], p)]
        kwargs = {} if batch_size is None else {"batch_size": batch_size}
        extractions = list(extract(todo, nlp, n_process=n_process, **kwargs)) if todo else []
        added = self._add_extractions(extractions)
        updated = len(todo) - added
        report = BuildReport(files=stats.files_read, records=stats.records_read,
                             duplicates=stats.records_read - len(todo) - len(stats.skipped), papers=added,
                             updated=updated, skipped=list(stats.skipped), seconds=time.perf_counter() - t0,
                             filtered=stats.filtered_out, filtered_no_field=stats.filtered_no_field)
        log.info("added %d papers, re-extracted %d in %.1f s", report.papers, report.updated, report.seconds)
        return report

    def _kept_extractions(self) -> list[Extraction] | None:
        """The NLP output behind the graph: kept by :func:`build`, else read (once) from the store directory
        the graph was loaded from; ``None`` if there is none."""
        if self._extractions is None and self._store is not None and self._store.path.is_dir():
            self._extractions = _read_extractions(self._store.path / EXTRACTIONS_FILE)
        return self._extractions

    def _check_extractions(self) -> None:
        if self._kept_extractions() is None:
            raise GraphError("this graph was loaded from an RDF file and keeps no NLP output to re-link entities "
                             "with; add to the store that `kg build` wrote (kg.load('out/store')), or build old "
                             "and new sources together: kg.build([old..., new...])")

    def _add_extractions(self, extractions: Iterable[Extraction]) -> int:
        """Merge extractions: a paper whose title key is new is added, one whose record differs from the
        kept one replaces it (in place, keeping the paper order), one with the same record is dropped.
        Every entity is then re-linked. Returns the number of papers added (not counting replaced ones)."""
        self._check_extractions()
        from .graph import to_dataset
        from .link import link

        index = {ex.paper.key: i for i, ex in enumerate(self._extractions)}
        added = changed = 0
        for ex in extractions:
            i = index.get(ex.paper.key)
            if i is None:
                index[ex.paper.key] = len(self._extractions)
                self._extractions.append(ex)
                added += 1
            elif not _same_record(self._extractions[i].paper, ex.paper):
                self._extractions[i] = ex
                changed += 1
        if added or changed:
            self._dataset = to_dataset(link(self._extractions))
            self._store = None
            self._union = None
        return added

    def save(self, path: str | os.PathLike, format: str | None = None) -> Path:
        """Write the graph to a file, atomically; the format follows the extension
        (.ttl, .nt, .nq, .trig, .jsonld, .rdf) unless ``format`` (an rdflib format name) is given.
        Turtle and N-Triples hold the union of the named graphs; N-Quads and TriG keep them.

        Returns: the path written. Raises: :class:`kg.errors.GraphError` for an unknown extension.

        >>> import tempfile, pathlib
        >>> out = load("tests/data/small.ttl").save(pathlib.Path(tempfile.mkdtemp()) / "graph.nt")
        >>> len(load(out).papers())
        3
        """
        from .export import rdf_format, write_rdf
        from .store import store_format

        fmt = store_format(rdf_format(path, format))
        if fmt is not None:  # Oxigraph's serialisers: ~30x faster than rdflib's on a whole corpus
            return self.store.dump(path, fmt)
        return write_rdf(self.dataset, path, format)

    def save_store(self, path: str | os.PathLike) -> Path:
        """Write the graph into the persistent Oxigraph store at ``path``, crash-safely.

        A new store is created if ``path`` holds none; an existing store is updated in place of a copy
        (:meth:`kg.store.Store.update_from`): only the named graphs that differ (new or changed papers,
        the entities graph) are rewritten, and the result is swapped in once complete, so Ctrl-C or
        ``kill -9`` at any point leaves the store as it was. The NLP output goes into the store directory
        too (:data:`EXTRACTIONS_FILE`), so papers can be added to the store later.

        Returns: ``path``. Raises: :class:`kg.errors.StoreError` if ``path`` is a file or a non-empty
        directory that is not a store, or another process is writing the store.
        """
        from .store import Store, is_store

        path = Path(path)
        kept = self._kept_extractions()  # read before the store they may come from is replaced
        files = {} if kept is None else {EXTRACTIONS_FILE: _extractions_bytes(kept)}
        if is_store(path):
            changes = Store.update_from(self.store, path, files=files)
            log.info("store %s: %s", path, changes)
        else:
            Store.create_from(self.store, path, files=files).close()
        return path

    def view(self, path: str | os.PathLike = "explorer.html", **options: Any) -> Path:
        """Write the interactive HTML explorer (see :func:`kg.view.write_explorer` for ``options``:
        ``focus``, ``hops``, ``budget``, ``min_confidence``, ``title``). Returns the path written.

        >>> import tempfile, pathlib
        >>> load("tests/data/small.ttl").view(pathlib.Path(tempfile.mkdtemp()) / "x.html").suffix
        '.html'
        """
        from .view import write_explorer

        # a built graph's dataset (its default graph is the union) gives the same page as the union graph,
        # without parsing a dump of the store into a new rdflib Graph (~7 s on the sample corpus)
        return write_explorer(self._dataset if self._dataset is not None else self.graph, path, **options)


def build(sources: Iterable[str | os.PathLike] | str | os.PathLike | None = None, *, format: str | None = None,
          skip_bad: bool = False, filter: PaperFilter | None = None, nlp=None, batch_size: int | None = None,
          n_process: int | None = None) -> KnowledgeGraph:
    """Build a knowledge graph from paper sources.

    Params:
      sources: files or directories (daily-papers ``.txt``, JSON Lines, arXiv snapshot); ``None`` means
        the bundled sample corpus.
      format: force a source format ("daily", "jsonl", "arxiv") instead of guessing from the extension.
      skip_bad: report and skip bad records (in ``report.skipped``) instead of stopping at the first one.
      filter: a :class:`kg.sources.PaperFilter`: keep only the records of some categories or dates, and
        stop after ``limit`` papers (counted after the filters and de-duplication), while streaming.
      nlp: a spaCy pipeline from ``kg.nlp()``; default: the shipped one.
      batch_size, n_process: passed to :func:`kg.nlp.extract` (``n_process`` None: the cores available).
    Returns: a :class:`KnowledgeGraph` whose ``report`` says what was read.
    Raises: :class:`kg.errors.SourceError` for a missing file or a bad record (unless ``skip_bad``).

    >>> g = build("tests/data/sources/papers.jsonl")
    >>> g.report.papers, len(g.papers())
    (3, 3)
    """
    from .nlp import extract
    from .sources import SourceStats, read_sources

    t0 = time.perf_counter()
    if sources is not None and isinstance(sources, (str, os.PathLike)):
        sources = [sources]
    stats = SourceStats()
    papers = read_sources(list(sources) if sources else None, format=format, skip_bad=skip_bad, filter=filter,
                          stats=stats)
    kwargs = {} if batch_size is None else {"batch_size": batch_size}
    extractions = list(extract(papers, nlp, n_process=n_process, **kwargs))
    report = BuildReport(files=stats.files_read, records=stats.records_read, duplicates=stats.duplicates_dropped,
                         papers=len(extractions), skipped=list(stats.skipped),
                         filtered=stats.filtered_out, filtered_no_field=stats.filtered_no_field)
    g = KnowledgeGraph._from_extractions(extractions, report)
    report.seconds = time.perf_counter() - t0
    log.info("built %d papers in %.1f s", report.papers, report.seconds)
    return g


def load(path: str | os.PathLike) -> KnowledgeGraph:
    """Open a graph written by paperkg: an RDF file (.ttl, .trig, .nq, .nt; .jsonld, .rdf through rdflib)
    or a store directory (opened read-only).

    Raises: :class:`kg.errors.GraphError` if the file is missing or not valid RDF;
      :class:`kg.errors.StoreError` if the directory is not a store.

    >>> len(load("tests/data/small.ttl").papers())
    3
    """
    from .export import rdf_format
    from .store import Store, store_format

    path = Path(path)
    if path.is_dir():
        return KnowledgeGraph(store=Store.open(path, read_only=True))
    if not path.exists():
        raise GraphError(f"{path}: no such file or store directory")
    fmt = rdf_format(path)
    if store_format(fmt) is not None:
        try:
            return KnowledgeGraph(store=Store.in_memory_from_file(path))
        except StoreError as err:
            raise GraphError(str(err)) from err
    ds = rdflib.Dataset(default_union=True)
    try:
        ds.parse(path, format=fmt)
    except (SyntaxError, ValueError, UnicodeDecodeError) as err:
        raise GraphError(f"{path}: not valid {fmt}: {err}".splitlines()[0]) from err
    return KnowledgeGraph(ds)


def _same_record(a, b) -> bool:
    """Whether two records of one paper say the same (where they were read from does not count)."""
    return dataclasses.replace(a, source="", line=0) == dataclasses.replace(b, source="", line=0)


def _extractions_bytes(extractions: Iterable[Extraction]) -> bytes:
    """The extractions as gzipped JSON Lines, a header line first (reproducible: no timestamp)."""
    from .records import extraction_to_json

    lines = [json.dumps({"paperkg_extractions": _EXTRACTIONS_FORMAT})]
    lines += [json.dumps(extraction_to_json(ex), ensure_ascii=False, separators=(",", ":")) for ex in extractions]
    return gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), mtime=0)


def _read_extractions(path: Path) -> list[Extraction] | None:
    """The extractions kept in a store directory, or ``None`` if it keeps none."""
    from .records import extraction_from_json
    from .sources import json_objects

    if not path.is_file():
        return None
    try:
        objects = json_objects(path, kind="paperkg extractions")
        _, header = next(objects, (0, None))
        if header != {"paperkg_extractions": _EXTRACTIONS_FORMAT}:
            raise GraphError(f"{path}: not a paperkg extractions file of format {_EXTRACTIONS_FORMAT}; rebuild "
                             "the store with `kg build`")
        extractions = []
        for number, obj in objects:
            try:
                extractions.append(extraction_from_json(obj))
            except (KeyError, TypeError) as err:
                raise GraphError(f"{path}, line {number}: not an extraction ({err}); rebuild the store with "
                                 "`kg build`") from err
        return extractions
    except SourceError as err:
        raise GraphError(str(err)) from err


__all__ = ["KnowledgeGraph", "BuildReport", "build", "load", "EXTRACTIONS_FILE"]
