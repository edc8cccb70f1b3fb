"""The library API: build a knowledge graph from sources, load one, and use it.

``kg.build()`` composes the stages (sources -> nlp -> link -> graph -> store) in one streaming pass
(:mod:`kg.ingest`); a :class:`KnowledgeGraph` is a view of the Oxigraph store that holds the graph, the
one copy of it, and offers query, save, networkx and HTML views of it.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from .errors import GraphError, NoPapersError, QueryError, SourceError, StoreError
from .extractions import EXTRACTIONS_FILE, read_extractions, segments
from .outputs import EXPLORER_FILE, GRAPH_FILE, STORE_DIR
from .records import Extraction
from .vocab import COVERING_LINKS, ENTITY_TYPES, PREFIXES

if TYPE_CHECKING:
    import rdflib

    from .progress import Progress
    from .results import QueryResult
    from .sources import PaperFilter
    from .store import Store

log = logging.getLogger(__name__)

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
    skipped: list[SourceError] = field(default_factory=list)  #: the first bad records (kg.sources.MAX_REPORTED_BAD)
    bad_records: int = 0  #: bad records skipped, all of them
    seconds: float = 0.0
    filtered: int = 0
    filtered_no_field: int = 0


class KnowledgeGraph:
    """A paperkg knowledge graph: one named graph per paper (plus the shared ``entities`` graph) in an
    Oxigraph store, the one copy of the graph.

    Build one with :func:`kg.build`, or open one with :func:`kg.load`. Queries, counts, dumps, the explorer
    and networkx all read the store (:attr:`store`); :attr:`dataset` and :attr:`graph` convert it to rdflib
    objects for code that wants rdflib (a parse of the whole graph: memory grows with it).

    >>> g = load("tests/data/small.ttl")
    >>> g.stats()["papers"], len(g.entities(type="Method"))
    (3, 8)
    """

    def __init__(self, dataset: rdflib.Dataset | None = None, report: BuildReport | None = None, *,
                 store: Store | None = None, folder: Path | None = None) -> None:
        """Wrap a store (or an rdflib dataset, loaded into an in-memory store); use :func:`build` or :func:`load`.
        ``folder``: the output folder the store belongs to (``graph.ttl`` and ``explorer.html`` beside it are
        rewritten by :meth:`add`)."""
        if dataset is None and store is None:
            raise ValueError("KnowledgeGraph needs a dataset or a store")
        if store is None:
            from .store import Store

            store = Store.in_memory(dataset)
        self._store = store
        self._counted: dict[str, int] | None = None  # counts an update kept (see stats)
        self.report = report
        self.folder = folder
        self._dataset: rdflib.Dataset | None = None
        self._union: rdflib.Graph | None = None
        self._cleanup: weakref.finalize | None = None  #: deletes the temporary folder of a graph built without out

    @property
    def store(self) -> Store:
        """The :class:`kg.store.Store` holding the graph."""
        return self._store

    @property
    def dataset(self) -> rdflib.Dataset:
        """The graph as an rdflib ``Dataset`` over the same Oxigraph store (oxrdflib): named graphs kept, the
        default graph the union of them; nothing is copied, rdflib's SPARQL is delegated to Oxigraph. Read-only
        for a store opened read-only. (For a copy in rdflib's own memory: :func:`kg.export.to_rdflib`.)

        Measured on 2,000 synthetic papers (243k triples): ready in 0.04 s and 59 MB peak, where parsing a
        dump into rdflib took 24 s and 544 MB; a GROUP BY query 0.04 s against 0.28 s.

        >>> g = load("tests/data/small.ttl")
        >>> len(list(g.dataset.triples((None, None, None)))) == len(g)
        True
        """
        if self._dataset is None:
            import rdflib

            ds = rdflib.Dataset(store=self.store.rdflib_store(), default_union=True)
            for prefix, ns in PREFIXES.items():
                ds.bind(prefix, ns, override=True)
            self._dataset = ds
        return self._dataset

    @property
    def graph(self) -> rdflib.Graph:
        """All triples as one rdflib ``Graph`` (the union of the named graphs), over the same store as
        :attr:`dataset` (no copy).

        >>> g = load("tests/data/small.ttl")
        >>> len(g.graph) == len(g)
        True
        """
        if self._union is None:
            import rdflib

            graph = rdflib.Graph(store=self.store.rdflib_store(union=True))
            for prefix, ns in PREFIXES.items():
                graph.bind(prefix, ns, override=True)
            self._union = graph
        return self._union

    def __len__(self) -> int:
        """The number of distinct triples (the union of the named graphs)."""
        return int(self.query("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }").rows[0][0])

    def query(self, sparql: str, **bindings: Any) -> QueryResult:
        """Answer a SPARQL query; ``bindings`` are bound safely as values of the query's variables.

        The standard prefixes (kgo, rdfs, skos, dcterms, schema, prov, xsd, rdf) may be left out; a bound
        variable must be in the SELECT clause. Returns a :class:`kg.results.QueryResult`.

        >>> g = load("tests/data/small.ttl")
        >>> r = g.query("SELECT ?title ?l WHERE { ?p kgo:evaluatesOn ?d ; dcterms:title ?title . "
        ...             "?d rdfs:label ?l } ORDER BY ?title", l="ImageNet")
        >>> [str(row[0]) for row in r.rows]
        ['Masked Autoencoders Enable Efficient Knowledge Distillers']
        """
        return self.store.query(sparql, bindings or None)

    def named_query(self, name: str, /, **params: Any) -> QueryResult:
        """Run a query shipped with paperkg (``kg query --list``; :func:`kg.query.list_named_queries`), its
        parameters bound safely. Returns a :class:`kg.results.QueryResult`.

        Raises: :class:`kg.errors.QueryError` for an unknown query, a missing parameter or one it does not take.

        >>> g = load("tests/data/small.ttl")
        >>> [str(row.title)[:20] for row in g.named_query("papers-using-dataset", dataset="ImageNet")]
        ['Masked Autoencoders ', 'PASS: An ImageNet re']
        """
        from .query import run_named_query

        return run_named_query(self.store, name, params)

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
        if type is not None and type not in ENTITY_TYPES:
            raise QueryError(f"unknown entity type {type!r}; use one of {', '.join(ENTITY_TYPES)}")
        types = " ".join(f"kgo:{t}" for t in ([type] if type else ENTITY_TYPES))
        q = f"""SELECT ?iri ?type ?label WHERE {{ VALUES ?c {{ {types} }} ?iri a ?c ; rdfs:label ?label .
                BIND(STRAFTER(STR(?c), "#") AS ?type) }} ORDER BY ?type ?label ?iri"""
        return self.query(q).to_dicts()

    def stats(self) -> dict[str, int]:
        """Counts: papers, entities of each type, code repositories, evidence, links of each property, triples
        (in all named graphs: a triple in two graphs counts twice, which never happens in a graph paperkg built).
        Right after :func:`build` or :meth:`add` into an output folder, the counts that update kept
        (:mod:`kg.graph_stats`: only the changed graphs recounted) instead of a pass over the whole store."""
        if self._counted is not None:
            return dict(self._counted)
        out: dict[str, int] = {}
        q = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c"
        by_class = {str(c).rsplit("#", 1)[-1].rsplit("/", 1)[-1]: int(n) for c, n in self.query(q).rows}
        out["papers"] = by_class.get("Paper", 0)
        for t in ENTITY_TYPES:
            out[t.lower() + "s"] = by_class.get(t, 0)
        out["code repositories"] = by_class.get("SoftwareSourceCode", 0)
        out["evidence"] = by_class.get("Evidence", 0)
        links = " ".join(f"kgo:{p}" for p in COVERING_LINKS)
        q = f"""SELECT ?p (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?a ?p ?b {{ ?a ?p ?b .
            VALUES ?p {{ {links} }} }} }} GROUP BY ?p"""
        for p, n in sorted(self.query(q).rows):
            out["links " + str(p).rsplit("#", 1)[-1]] = int(n)
        # quads, counted without a set of all triples; equal to len(self) for a graph paperkg built (no
        # triple is in two of its named graphs), where len(self) would hold every triple to count them once
        out["triples"] = self.store.quad_count()
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

    def add(self, sources: Any, *, format: str | None = None,
            skip_bad: bool = False, filter: PaperFilter | None = None, nlp=None, batch_size: int | None = None,
            n_process: int | None = None, progress: Progress | bool | None = False) -> BuildReport:
        """Add the papers of ``sources`` to this graph's store, in place, crash-safely.

        A paper already in the graph (same title key, see :attr:`kg.records.Paper.key`) is not
        duplicated: if its record is the same it is skipped, if the record changed (another abstract,
        date, authors…) the paper is re-extracted and replaces the old one. Only new and changed papers
        go through the NLP pipeline, only their named graphs are written, and in the shared ``entities``
        graph only the entities (code repositories, components) they touch are recomputed, from the
        linking tables the store keeps: the result is exactly what ``build(old_sources + new_sources)``
        gives (same IRIs, labels and aliases), at the cost of the change.

        The store's write lock is taken before anything is read and held to the end; the changes go into
        a checkpoint of the store swapped in when complete, so Ctrl-C or ``kill -9`` at any point leaves
        the store as it was, and a second writer is refused at once. In an output folder (``kg.load("out")``
        or ``kg.load("out/store")``) the checkpoint, ``graph.ttl`` and ``explorer.html`` are staged in a new
        generation and swapped in together (:mod:`kg.outputs`): the three old or the three new.

        Params: as :func:`build` (``sources`` is required).
        Returns: a :class:`BuildReport` of this addition (``papers``: papers added, ``updated``: papers
          re-extracted, ``duplicates``: records dropped as duplicates of each other or of unchanged papers).
        Raises: :class:`kg.errors.GraphError` if the graph keeps no linking tables (it was loaded from an
          RDF file); :class:`kg.errors.SourceError` for a missing file or a bad record (unless ``skip_bad``);
          :class:`kg.errors.StoreError` if another process is writing the store.

        >>> g = build("tests/data/sources/papers.jsonl")
        >>> g.add(["tests/data/sources/arxiv-snapshot.json", "tests/data/sources/papers.jsonl"]).papers
        4
        >>> len(g.papers())
        7
        """
        from .nlp import extract
        from .sources import SourceStats

        t0 = time.perf_counter()
        name, items = _split_sources(sources)
        if name is None and not items:
            raise SourceError("add() needs at least one source file or directory")
        stats = SourceStats()
        todo_count = 0

        def extractions(is_current):
            def todo():
                nonlocal todo_count
                for paper in _read(name, items, format, skip_bad, filter, stats):
                    if not is_current(paper):
                        todo_count += 1
                        yield paper

            kwargs = {} if batch_size is None else {"batch_size": batch_size}
            return extract(todo(), nlp, n_process=n_process, **kwargs)

        result = self._update(extractions, _progress(progress))
        report = BuildReport(files=stats.files_read, records=stats.records_read,
                             duplicates=stats.records_read - todo_count - stats.bad_records + result.duplicates,
                             papers=result.added, updated=result.replaced, skipped=list(stats.skipped),
                             bad_records=stats.bad_records,
                             seconds=time.perf_counter() - t0, filtered=stats.filtered_out,
                             filtered_no_field=stats.filtered_no_field)
        log.info("added %d papers, re-extracted %d in %.1f s", report.papers, report.updated, report.seconds)
        return report

    def add_extractions(self, extractions: Iterable[Extraction]) -> int:
        """Add NLP output made elsewhere (worker processes, a cluster), as :meth:`add` does: the counterpart of
        :func:`from_extractions`. A paper whose record is already in the graph is dropped.

        Returns: the number of papers added (not counting replaced ones).

        >>> from kg.records import Extraction, Paper
        >>> g = from_extractions([Extraction(Paper("A title", "An abstract."))])
        >>> g.add_extractions([Extraction(Paper("A title", "An abstract.")), Extraction(Paper("B", "More."))])
        1
        """
        return self._update(lambda is_current: (ex for ex in extractions if not is_current(ex.paper)),
                            _progress(False)).added

    def _update(self, extractions, progress: Progress):
        """Add ``extractions(is_current)`` (``is_current(paper)``: whether the graph has that record already)
        to the store in one crash-safe update, and the folder's files with it (see :meth:`add`)."""
        from .ingest import add_extractions, open_tables
        from .outputs import Generation, OutputFolder, folder_of
        from .store import Store, StoreUpdate, is_store
        from .tables import record_digest

        path = self.store.path
        if not self.store.read_only and is_store(path):
            # this handle would write into the new store's directory when closed after the swap (RocksDB
            # writes files by path): close it now, reopen read-only after the update
            self._store.close()
            self._store = Store.open(path, read_only=True)
        if not is_store(path):
            raise GraphError("this graph was loaded from an RDF file and keeps no NLP output (linking tables) to "
                             "add papers with; add to the store that `kg build` wrote (kg.load('out/store')), or "
                             "build old and new sources together: kg.build([old..., new...])")
        folder = folder_of(self.folder) if self.folder is not None else folder_of(path)
        if folder is None and self.folder is not None and is_store(self.folder / STORE_DIR):
            folder = OutputFolder(self.folder)  # written by an older paperkg: its first write moves it to generations

        def run(update: StoreUpdate, gen: Generation | None) -> None:
            nonlocal result, counted
            tables = open_tables(update)
            try:
                stream = extractions(lambda paper: tables.record(paper.key) == record_digest(paper))
                result = add_extractions(update, tables, progress.papers(stream), progress)
            finally:
                tables.close()
            if update.changed and gen is not None:
                counted = _write_outputs(KnowledgeGraph(store=update.store), gen, progress,
                                         changed=result.changed_graphs)

        result = counted = None
        if folder is None:  # a store on its own: changed in a checkpoint swapped in (Store.updating)
            with Store.updating(path) as update:
                run(update, None)
        else:  # an output folder: store, graph.ttl and explorer.html staged in a new generation, swapped together
            try:
                with folder.writing() as gen:
                    previous = gen.previous / STORE_DIR
                    if not is_store(previous):
                        raise StoreError(f"no store at {folder.path / STORE_DIR} to update; build one with "
                                         f"`kg build --out {folder.path}` first")
                    with Store.staging(gen.path / STORE_DIR, copy_of=previous) as store:
                        update = StoreUpdate(store, previous)
                        run(update, gen)
                    gen.discard = not update.changed
            except OSError as err:
                raise StoreError(f"cannot update {folder.path}: {err}; its outputs are unchanged") from err
        if update.changed:
            self._reopen()
            self._counted = counted
        elif folder is not None:  # nothing changed: the counts the current generation kept still hold
            from .graph_stats import read_counts, totals

            kept = read_counts(self.store.path)
            self._counted = totals(kept) if kept is not None else None
        return result

    def _reopen(self) -> None:
        """Open the store again after :meth:`add` swapped a new one in (this handle still reads the old one)."""
        from .store import Store

        path = self._store.path
        self._store.close()
        self._store = Store.open(path, read_only=True)
        self._dataset = self._union = None

    def extractions(self) -> Iterator[Extraction]:
        """The NLP output behind the graph, streamed from the store directory (a paper re-extracted by
        :meth:`add` comes again later; its last extraction is its current one).

        Raises: GraphError if the store keeps none (a graph loaded from an RDF file).
        """
        found = read_extractions(self.store.path) if self.store.path.is_dir() else None
        if found is None:
            raise GraphError("this graph keeps no NLP output: it was loaded from an RDF file, not a store `kg build` "
                             "wrote")
        return found

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
        if fmt is not None:  # Oxigraph's serialisers: streamed, ~30x faster than rdflib's on a whole corpus
            self.store.dump(path, fmt)
            return Path(path)
        return write_rdf(self.dataset, path, format)

    def save_store(self, path: str | os.PathLike) -> Path:
        """Write a copy of the graph's store, with its linking tables and NLP output, to ``path`` (replaced
        if it holds a store), crash-safely: a new store is built beside it and swapped in when complete.

        Returns: ``path``. Raises: :class:`kg.errors.StoreError` if ``path`` is a file or a non-empty
        directory that is not a store, or another process is writing the store.
        """
        from .tables import TABLES_FILE

        files = [TABLES_FILE] + ([p.name for p in segments(self.store.path)] if self.store.path.is_dir() else [])
        return self.store.copy_to(path, files=files)

    def view(self, path: str | os.PathLike = "explorer.html", **options: Any) -> Path:
        """Write the interactive HTML explorer (see :func:`kg.view.write_explorer` for ``options``:
        ``focus``, ``hops``, ``budget``, ``min_confidence``, ``title``). Returns the path written.

        >>> import tempfile, pathlib
        >>> load("tests/data/small.ttl").view(pathlib.Path(tempfile.mkdtemp()) / "x.html").suffix
        '.html'
        """
        from .view import write_explorer

        return write_explorer(self.store, path, **options)

    def close(self) -> None:
        """Release the store (a graph built without ``out`` also deletes its temporary directory).

        >>> g = build("tests/data/sources/papers.jsonl")
        >>> folder = g.store.path.parent
        >>> g.close(); folder.exists()
        False
        """
        self._store.close()
        if self._cleanup is not None:
            self._cleanup()


#: File in a store directory: where each named graph's part of the folder's ``graph.ttl`` is (offset,
#: length), so that ``kg add`` copies the parts of unchanged graphs instead of serialising them again.
GRAPH_INDEX = "paperkg-graph-index.json"
def _write_outputs(g: KnowledgeGraph, gen, progress: Progress, changed: set[str] | None = None) -> dict[str, int]:
    """Write ``graph.ttl`` and ``explorer.html`` of the store ``g`` (staged in the generation ``gen``, see
    :class:`kg.outputs.Generation`) into that generation. With the named graphs ``changed`` since the previous
    generation, the parts of its ``graph.ttl`` that did not change are copied instead of serialised again
    (see :class:`kg.store.UnionReuse`). Returns the graph's counts (:meth:`KnowledgeGraph.stats`), recounted
    only for the changed graphs (:mod:`kg.graph_stats`)."""
    from .store import UnionReuse

    reuse = None
    previous = gen.previous
    if previous is not None and changed is not None and (previous / STORE_DIR / GRAPH_INDEX).is_file():
        try:
            index = json.loads((previous / STORE_DIR / GRAPH_INDEX).read_text(encoding="utf-8"))
            reuse = UnionReuse(previous / GRAPH_FILE, index, frozenset(changed))
        except (OSError, ValueError):
            reuse = None  # then every graph is serialised again
    with progress.stage(f"writing {GRAPH_FILE}"):
        index = g.store.dump_union(gen.path / GRAPH_FILE, "turtle", reuse=reuse)
        (g.store.path / GRAPH_INDEX).write_text(json.dumps(index), encoding="utf-8")
    with progress.stage(f"writing {EXPLORER_FILE}"):
        g.view(gen.path / EXPLORER_FILE)
    from .graph_stats import update_counts

    with progress.stage("counting"):
        return update_counts(g.store, previous / STORE_DIR if previous is not None else None, changed)


def _progress(progress: Progress | bool | None) -> Progress:
    from .progress import Progress

    if isinstance(progress, Progress):
        return progress
    return Progress(enabled=progress)


def _split_sources(sources: Any) -> tuple[str | None, Any]:
    from .sources.memory import split_sources

    return split_sources(sources)


def _read(name: str | None, items: Any, format: str | None, skip_bad: bool, filter: PaperFilter | None,
          stats: Any) -> Iterator[Any]:
    """The distinct papers of paths (``name`` None; ``items`` None: the bundled corpus) or in-memory records."""
    from .sources import read_sources
    from .sources.memory import read_records

    if name is None:
        return read_sources(items or None, format=format, skip_bad=skip_bad, filter=filter, stats=stats)
    return read_records(name, items, skip_bad=skip_bad, filter=filter, stats=stats)


def build(sources: Any = None, *, out: str | os.PathLike | None = None,
          format: str | None = None, skip_bad: bool = False, filter: PaperFilter | None = None, nlp=None,
          batch_size: int | None = None, n_process: int | None = None, scheduler: str | None = None,
          progress: Progress | bool | None = False, allow_empty: bool = False) -> KnowledgeGraph:
    """Build a knowledge graph from paper sources, in one streaming pass into a new store.

    Params:
      sources: files or directories (daily-papers ``.txt``, JSON Lines, arXiv snapshot); ``None`` means
        the bundled sample corpus. Or papers in memory (:mod:`kg.sources.memory`): an iterable of dicts with
        ``title`` and ``abstract`` (and optional ``id``, ``url``, ``date``, ``authors``, ``categories``), an
        iterable of :class:`kg.Paper`, or a pandas DataFrame with those columns.
      out: an output folder: writes ``out/store`` (the Oxigraph store, with its linking tables and NLP
        output), ``out/graph.ttl`` and ``out/explorer.html``, which replace what was there together, only once
        all three are complete (staged in a new generation of the folder under its write lock, see
        :mod:`kg.outputs`). ``None``: the store goes to a temporary directory, deleted when the graph is
        closed or garbage-collected.
      format: force a source format ("daily", "jsonl", "arxiv") instead of guessing from the extension.
      skip_bad: report and skip bad records (in ``report.skipped``) instead of stopping at the first one.
      filter: a :class:`kg.sources.PaperFilter`: keep only the records of some categories or dates, and
        stop after ``limit`` papers (counted after the filters and de-duplication), while streaming.
      nlp: a spaCy pipeline from ``kg.nlp()``; default: the shipped one.
      batch_size, n_process: passed to :func:`kg.nlp.extract` (``n_process`` None: the cores available).
      scheduler: the address of a Dask scheduler (``tcp://HOST:8786``): the NLP runs on that cluster's workers,
        ``batch_size`` papers a task (:mod:`kg.cluster`; needs ``paperkg[dask]``); the rest of the build runs
        here, and the graph is the same as a local build's. ``n_process`` does not apply.
      progress: report progress on stderr (a :class:`kg.progress.Progress`, ``True``, ``False``, or ``None``:
        when stderr is a terminal).
      allow_empty: with ``out``, write the outputs even if no paper was read (by default that is an error,
        so that an empty or unreadable source never replaces a graph).
    Returns: a :class:`KnowledgeGraph` whose ``report`` says what was read.
    Raises: :class:`kg.errors.SourceError` for a missing file or a bad record (unless ``skip_bad``), a bad
      in-memory record named by position (``<records>:2: 'abstract' is missing``); :class:`kg.errors.KGError`
      naming what is expected for sources of another type;
      :class:`kg.errors.NoPapersError` (exit status 2 in the CLI) if ``out`` is given, no paper was read and not
      ``allow_empty``; :class:`kg.errors.StoreError` if another process is writing ``out``;
      :class:`kg.errors.OptionError` if an output's path in ``out`` holds something else (checked before anything
      is read: :class:`kg.outputs.OutputFolder`); :class:`kg.errors.ClusterError` if the Dask cluster cannot be used,
      :class:`kg.errors.PipelineError` if its workers kept dying on a task.

    >>> g = build("tests/data/sources/papers.jsonl")
    >>> g.report.papers, len(g.papers())
    (3, 3)
    >>> g = build([{"title": "SlimFlow: Smaller One-Step Diffusion", "abstract": "We train a U-Net on CIFAR-10."}])
    >>> [str(row.label) for row in g.query("SELECT ?label WHERE { ?d a kgo:Dataset ; rdfs:label ?label }")]
    ['CIFAR-10']
    """
    from .nlp import extract
    from .progress import estimate_records
    from .sources import SourceStats

    t0 = time.perf_counter()
    name, items = _split_sources(sources)
    progress = _progress(progress)
    stats = SourceStats()
    total = estimate_records(items or None) if progress.enabled and name is None else None
    papers = _read(name, items, format, skip_bad, filter, stats)
    if scheduler is None:
        kwargs = {} if batch_size is None else {"batch_size": batch_size}
        found = extract(papers, nlp, n_process=n_process, **kwargs)
    else:
        found = _extract_on_cluster(papers, scheduler, nlp, batch_size, n_process)
    try:
        g = from_extractions(progress.papers(found, total=total), out=out, progress=progress, allow_empty=allow_empty)
    except NoPapersError as err:
        if name is not None:
            names = name
        else:
            names = ", ".join(str(s) for s in items) if items else "the bundled corpus"
        bad = f", {stats.bad_records:,} bad records skipped" if stats.bad_records else ""
        raise NoPapersError(f"{names}: " + str(err).replace(  # the shape of every source error: FILE: reason
            "no papers read", f"no papers read ({stats.records_read:,} records read{bad})", 1)) from None
    g.report.files, g.report.records, g.report.skipped = stats.files_read, stats.records_read, list(stats.skipped)
    g.report.bad_records = stats.bad_records
    g.report.duplicates += stats.duplicates_dropped
    g.report.filtered, g.report.filtered_no_field = stats.filtered_out, stats.filtered_no_field
    g.report.seconds = time.perf_counter() - t0
    log.info("built %d papers in %.1f s", g.report.papers, g.report.seconds)
    return g


def _extract_on_cluster(papers, scheduler: str, nlp, batch_size: int | None, n_process: int | None):
    from .cluster import extract_on_cluster
    from .errors import ClusterError

    if n_process not in (None, 1):
        raise ClusterError(f"n_process={n_process} is for a local build; with scheduler={scheduler!r} the Dask "
                           "workers do the NLP (start one one-thread worker per core: dask worker --nworkers N "
                           "--nthreads 1)")
    kwargs = {} if batch_size is None else {"papers_per_task": batch_size}
    return extract_on_cluster(papers, scheduler, nlp, **kwargs)


def _left_as_it_was(previous: Path | None) -> str:
    return f" ({previous.parent.parent} is left as it was)" if previous is not None else ""


def from_extractions(extractions: Iterable[Extraction], *, out: str | os.PathLike | None = None,
                     progress: Progress | bool | None = False, allow_empty: bool = False) -> KnowledgeGraph:
    """Build a knowledge graph from NLP output: the part of :func:`build` after the NLP, for extractions
    made anywhere (worker processes, a cluster) and handed over as an iterator; they are consumed as they
    come, one at a time. ``out`` and ``progress`` as in :func:`build`; ``report.papers`` counts the papers.

    >>> from kg.records import Extraction, Paper
    >>> from_extractions([Extraction(Paper("A title", "An abstract."))]).report.papers
    1
    """
    from .ingest import write_new
    from .outputs import OutputFolder
    from .store import Store

    progress = _progress(progress)
    cleanup = None  # what to delete if the build fails: a folder this call made
    if out is None:
        folder = None
        cleanup = Path(tempfile.mkdtemp(prefix="paperkg-"))
        store_path = cleanup / STORE_DIR
    else:
        folder = Path(out)
        if folder.exists() and not folder.is_dir():
            raise StoreError(f"{folder} is a file; give a folder for the outputs (e.g. out)")
        if not folder.exists():
            cleanup = folder
        store_path = folder / STORE_DIR
    try:
        if folder is None:
            with Store.building(store_path) as store:
                result = write_new(store, extractions, progress)
        else:
            with OutputFolder(folder).writing() as gen, Store.staging(gen.path / STORE_DIR) as store:
                result = write_new(store, extractions, progress)
                if result.added == 0 and not allow_empty:
                    raise NoPapersError(f"no papers read, so nothing was written{_left_as_it_was(gen.previous)}; "
                                        "pass --allow-empty (allow_empty=True) to write an empty graph")
                counted = _write_outputs(KnowledgeGraph(store=store), gen, progress)
    except OSError as err:
        if cleanup is not None:
            shutil.rmtree(cleanup, ignore_errors=True)
        raise StoreError(f"cannot write {folder}: {err}; its outputs are unchanged") from err
    except BaseException:
        if cleanup is not None:
            shutil.rmtree(cleanup, ignore_errors=True)
        raise
    # read-only: a writable RocksDB handle left open across a later swap (kg add) would write its files into
    # the directory now at that path when it closes; every write goes through Store.building/updating
    g = KnowledgeGraph(store=Store.open(store_path, read_only=True), folder=folder,
                       report=BuildReport(papers=result.added, duplicates=result.duplicates))
    if folder is not None:
        g._counted = counted
    if out is None:
        g._cleanup = weakref.finalize(g, shutil.rmtree, cleanup, True)
    return g


def load(path: str | os.PathLike) -> KnowledgeGraph:
    """Open a graph written by paperkg: an output folder of ``kg build`` (holding ``store/``), a store
    directory (both opened read-only), or an RDF file (.ttl, .trig, .nq, .nt; .jsonld, .rdf through rdflib).
    A graph opened from an output folder keeps the folder's ``graph.ttl`` and ``explorer.html`` in step
    when papers are added (:meth:`KnowledgeGraph.add`).

    Raises: :class:`kg.errors.GraphError` if the file is missing or not valid RDF;
      :class:`kg.errors.StoreError` if the directory is not a store.

    >>> len(load("tests/data/small.ttl").papers())
    3
    """
    from .export import rdf_format
    from .outputs import recover
    from .store import Store, is_store, store_format

    path = Path(path)
    recover(path)  # finish what a writer killed mid-way left in an output folder
    if path.is_dir():
        if not is_store(path) and (path / STORE_DIR).is_dir():
            return KnowledgeGraph(store=Store.open(path / STORE_DIR, read_only=True), folder=path)
        return KnowledgeGraph(store=Store.open(path, read_only=True))
    if not path.exists():
        raise GraphError(f"{path}: no such file or store directory")
    fmt = rdf_format(path)
    if store_format(fmt) is not None:
        try:
            return KnowledgeGraph(store=Store.in_memory_from_file(path))
        except StoreError as err:
            raise GraphError(str(err)) from err
    import rdflib

    ds = rdflib.Dataset(default_union=True)
    try:
        ds.parse(path, format=fmt)
    except (SyntaxError, ValueError, UnicodeDecodeError) as err:
        raise GraphError(f"{path}: not valid {fmt}: {err}".splitlines()[0]) from err
    return KnowledgeGraph(ds)


__all__ = ["KnowledgeGraph", "BuildReport", "build", "from_extractions", "load", "EXTRACTIONS_FILE", "GRAPH_FILE",
           "EXPLORER_FILE", "STORE_DIR"]
