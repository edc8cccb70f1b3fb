"""The triple store: the ONLY module that knows paperkg keeps its graph in Oxigraph (pyoxigraph, on disk).

A small interface:

- :meth:`Store.open`; :meth:`Store.building` (a new store built beside the old one, bulk-loaded in chunks
  through a :class:`BulkLoader`, and swapped in only when complete) and :meth:`Store.create_from` (the same,
  from a whole dataset or another store);
- :meth:`Store.updating` (changes made in a checkpoint of the store, swapped in only when complete: what
  ``kg add`` writes in);
- :meth:`Store.replace_paper_graphs` (drop and re-add named graphs in ONE transaction);
- :meth:`Store.load` (transactional, the default) and :meth:`Store.bulk_load` (fast, NOT
  transactional: a failure can leave part of the data written);
- :meth:`Store.query` (SPARQL, default graph = union of the named graphs), :meth:`Store.dump` (streamed),
  ``len(store)``, :meth:`Store.close` / ``with``.

Quads go in and come out as pyoxigraph ``Quad`` objects (the terms :mod:`kg.graph` makes); query results
come out as :class:`kg.results.QueryResult` (rdflib terms, made only for the rows a query returns).

Every pyoxigraph error becomes a :class:`kg.errors.StoreError` (or :class:`kg.errors.QueryError`)
naming the store path and what to do.
"""
from __future__ import annotations

import contextlib
import glob
import io
import itertools
import logging
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping

import pyoxigraph as ox

from .atomic import atomic_dir, atomic_file, dir_lock
from .errors import QueryError, StoreError
from .results import QueryResult, binding_terms, check_query_text, one_line, syntax_error, unbindable
from .vocab import PREFIXES

if TYPE_CHECKING:
    from rdflib import Graph, URIRef
    from rdflib.term import Identifier

log = logging.getLogger(__name__)

#: File every Oxigraph (RocksDB) store directory holds; a directory without it is not a store.
STORE_MARKER = "CURRENT"

#: Formats :meth:`Store.dump` writes: name → (pyoxigraph format, holds named graphs).
DUMP_FORMATS: dict[str, tuple[ox.RdfFormat, bool]] = {
    "turtle": (ox.RdfFormat.TURTLE, False),
    "ntriples": (ox.RdfFormat.N_TRIPLES, False),
    "nquads": (ox.RdfFormat.N_QUADS, True),
    "trig": (ox.RdfFormat.TRIG, True),
    "jsonld": (ox.RdfFormat.JSON_LD, False),
    "rdfxml": (ox.RdfFormat.RDF_XML, False),
}
_FORMAT_ALIASES = {"ttl": "turtle", "nt": "ntriples", "nq": "nquads", "n-triples": "ntriples",
                   "n-quads": "nquads", "json-ld": "jsonld", "xml": "rdfxml", "rdf": "rdfxml", "rdf/xml": "rdfxml"}
_EXTENSIONS = {".ttl": "turtle", ".nt": "ntriples", ".nq": "nquads", ".trig": "trig", ".jsonld": "jsonld",
               ".rdf": "rdfxml", ".xml": "rdfxml"}

#: SPARQL results formats :meth:`Store.query_serialized` writes (SELECT, ASK): name → pyoxigraph format.
RESULTS_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}

#: Graph formats :meth:`Store.query_serialized` writes (CONSTRUCT, DESCRIBE): name → pyoxigraph format.
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}

#: A query answer's format by the name ``kg query --format`` and the endpoint's ``format=`` / ``output=``
#: parameters take: name → (format for SELECT / ASK, format for CONSTRUCT / DESCRIBE), ``None`` where the
#: name does not fit the kind (CSV of a graph, Turtle of solutions).
ANSWER_FORMATS: dict[str, tuple[str | None, str | None]] = {
    "json": ("json", "jsonld"), "xml": ("xml", "rdfxml"), "csv": ("csv", None), "tsv": ("tsv", None),
    "turtle": (None, "turtle"), "ntriples": (None, "ntriples"), "jsonld": (None, "jsonld"),
    "rdfxml": (None, "rdfxml"),
}

#: Quads per call of Oxigraph's bulk loader while a store is built (:class:`BulkLoader`). Measured
#: (2 shared cores, 900k evidence-shaped quads into an on-disk store, 2026-11): chunks of 20k, 50k, 100k
#: and 200k quads load in 9.8, 11.4, 9.5 and 10.3 s (noise) at a peak RSS of 69, 103, 175 and 292 MB;
#: 1M quads a chunk takes 1.1 GB. Transactional ``extend`` in 20k chunks: 23.5 s, 857 MB. The price of
#: chunks: the 1.2M quads of 10k synthetic papers take 315 MB on disk loaded by chunks (50k or 200k alike)
#: against 193 MB in one ``bulk_load`` of a file, which peaks at 1.05 GB (``optimize()`` does not shrink it).
BULK_CHUNK_QUADS = 50_000


# ---------------------------------------------------------------------------------------------------
# rdflib <-> pyoxigraph


def _nquads(dataset: Graph) -> bytes:
    """The dataset (or graph) as N-Quads bytes (a plain Graph: N-Triples, i.e. the default graph).

    Serialising with rdflib and parsing with Oxigraph is the fastest way across: on the 52,600 quads
    of 100 copies of the test fixture (2 cores) rdflib's N-Quads serialisation takes 0.35 s and
    ``bulk_load`` 0.45 s (``load``: 1.6 s), while building pyoxigraph ``Quad`` objects term by term
    takes 0.64 s before ``bulk_extend`` (0.51 s) or ``extend`` (2.2 s).
    """
    fmt = "nquads" if getattr(dataset, "context_aware", False) else "nt"
    return dataset.serialize(format=fmt, encoding="utf-8")


def _load_nquads(store: ox.Store, data: bytes, *, bulk: bool) -> None:
    """Load N-Quads into a pyoxigraph store: ``bulk_load`` (fast, not transactional) or ``load``."""
    if bulk:
        store.bulk_load(data, ox.RdfFormat.N_QUADS)
    else:
        store.load(data, ox.RdfFormat.N_QUADS)


def _to_ox(term: Identifier) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise QueryError(f"cannot bind {term!r}: bind an IRI, a blank node or a literal")


_XSD_STRING = PREFIXES["xsd"] + "string"


def _from_ox(term: Any) -> Identifier | None:
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        return Literal(term.value) if dt == _XSD_STRING else Literal(term.value, datatype=URIRef(dt))
    raise QueryError(f"the store returned a {type(term).__name__} ({term}), which paperkg results cannot hold "
                     "(RDF 1.2 triple terms are not supported)")


def _to_result(res: Any) -> QueryResult:
    if isinstance(res, ox.QueryBoolean):
        return QueryResult.ask(bool(res))
    if isinstance(res, ox.QueryTriples):
        from rdflib import Graph

        g = Graph()
        for t in res:
            g.add((_from_ox(t.subject), _from_ox(t.predicate), _from_ox(t.object)))
        return QueryResult.from_graph(g)
    names = [v.value for v in res.variables]
    rows = [tuple(_from_ox(sol[i]) for i in range(len(names))) for sol in res]
    return QueryResult.select(names, rows)


def _ox_syntax_error(sparql: str, err: SyntaxError) -> QueryError:
    msg = str(err)
    m = re.match(r"error at (\d+):(\d+): (.*)", msg, re.DOTALL)
    if m:
        return syntax_error(sparql, int(m.group(1)), int(m.group(2)), m.group(3))
    return syntax_error(sparql, None, None, msg)


class ResultLimitError(QueryError):
    """A query gave more rows (solutions or triples) than the caller's limit; reading stopped there."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"the result has more than {limit:,} rows (solutions or triples), the limit; reading "
                         "stopped there. Narrow the query (a LIMIT, a FILTER, fewer variables) or page with "
                         "LIMIT/OFFSET")


class QueryStoppedError(QueryError):
    """The caller asked (through ``should_stop``) to stop reading a query's results."""


@dataclass(frozen=True)
class SerializedResult:
    """A query's answer already written in a wire format (see :meth:`Store.query_serialized`).

    ``kind`` is ``"select"``, ``"ask"`` or ``"graph"``; ``format`` the name of the format used
    (a key of :data:`RESULTS_FORMATS` or :data:`GRAPH_FORMATS`) and ``data`` the bytes, or both
    ``None`` when the caller offered no format for this kind (then no result was read); ``rows``
    the number of solutions or triples written.
    """

    kind: str
    format: str | None
    data: bytes | None
    rows: int = 0


def _written(data: bytes | None) -> bytes:
    """What a pyoxigraph serialiser returned: the bytes, or ``b""`` when it wrote into a file."""
    return b"" if data is None else data


def _tsv_line(values: Iterable[str]) -> str:
    return "\t".join(values) + "\n"


# ---------------------------------------------------------------------------------------------------
# Paths


def is_store(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a store directory (holds Oxigraph's ``CURRENT`` file).

    >>> is_store("/nonexistent")
    False
    """
    return (Path(path) / STORE_MARKER).is_file()


def _check_replaceable(path: Path) -> None:
    if path.exists() and not path.is_dir():
        raise StoreError(f"{path} is a file, not a store directory; choose a directory for the store (e.g. out/store)")
    if path.is_dir() and not is_store(path) and any(path.iterdir()):
        raise StoreError(f"refusing to replace {path}: it is a non-empty directory that is not a paperkg store; "
                         "choose an empty or new directory for the store")


def _open_error(path: Path, err: OSError) -> StoreError:
    msg = str(err)
    if "lock" in msg.lower():
        return StoreError(f"store {path} is locked: another process (or another open Store in this one) has it "
                          "open for writing; close that first, or open it with read_only=True")
    return StoreError(f"cannot open store {path}: {msg}")


def store_format(name: str) -> str | None:
    """The store's name for an RDF format name (``nt``, ``ntriples``, ``ttl``, ``nquads``, ``json-ld``, ``xml``
    …), or ``None`` when Oxigraph does not read and write it.

    >>> store_format("nt"), store_format("turtle"), store_format("json-ld"), store_format("xml"), store_format("n3")
    ('ntriples', 'turtle', 'jsonld', 'rdfxml', None)
    """
    name = _FORMAT_ALIASES.get(name.lower(), name.lower())
    return name if name in DUMP_FORMATS else None


def _format(path: Path, fmt: str | None) -> tuple[str, ox.RdfFormat, bool]:
    name = fmt.lower() if fmt else _EXTENSIONS.get(path.suffix.lower())
    name = _FORMAT_ALIASES.get(name or "", name)
    if name not in DUMP_FORMATS:
        raise StoreError(f"cannot tell the format to write {path} in ({fmt or path.suffix or 'no extension'}); "
                         f"use one of: {', '.join(DUMP_FORMATS)} (or a .ttl/.nt/.nq/.trig file name)")
    return (name, *DUMP_FORMATS[name])


# ---------------------------------------------------------------------------------------------------
# The store


def _xml_safe(triples: Iterable[ox.Triple]) -> Iterator[ox.Triple]:
    """``triples`` with each literal's characters that XML does not allow as U+FFFD (:mod:`kg.xmltext`), so
    that RDF/XML is well-formed; one warning says how many literals changed."""
    from .xmltext import XML_INVALID, xml_text

    changed = 0
    for t in triples:
        o = t.object
        if isinstance(o, ox.Literal) and XML_INVALID.search(o.value):
            changed += 1
            o = ox.Literal(xml_text(o.value), language=o.language) if o.language else \
                ox.Literal(xml_text(o.value), datatype=o.datatype)
            t = ox.Triple(t.subject, t.predicate, o)
        yield t
    if changed:
        log.warning("%d literals hold characters XML does not allow; written with U+FFFD in their place", changed)


class Store:
    """An Oxigraph store on disk holding paperkg's dataset: one named graph per paper plus ``entities``.

    Get one with :meth:`open` or :meth:`create_from`; close it (or use ``with``) to release the
    directory's lock. Queries see the union of the named graphs as their default graph.

    >>> import tempfile, pathlib
    >>> from rdflib import Dataset, URIRef, Literal
    >>> ds = Dataset()
    >>> _ = ds.graph(URIRef("https://ex.org/g")).add((URIRef("https://ex.org/a"), URIRef("https://ex.org/p"), Literal(1)))
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "store"
    >>> with Store.create_from(ds, path) as store:
    ...     len(store), store.query("SELECT ?o WHERE { ?s ?p ?o }").rows
    (1, [(rdflib.term.Literal('1', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer')),)])
    """

    def __init__(self, handle: ox.Store, path: Path, *, read_only: bool = False) -> None:
        """Wrap an open pyoxigraph store; use :meth:`open` or :meth:`create_from` instead."""
        self._ox: ox.Store | None = handle
        self.path = path
        self.read_only = read_only

    # -- opening -----------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike, *, create: bool = False, read_only: bool = False) -> Store:
        """Open the store in directory ``path``.

        Params:
            path: the store directory (``kg build --out DIR`` writes ``DIR/store``).
            create: make an empty store if ``path`` does not exist (or is an empty directory).
            read_only: open without taking the write lock (several readers may share a store;
                reading while another process writes is undefined, Oxigraph says).

        Returns: the open :class:`Store`.

        Raises: StoreError naming ``path`` when it does not exist (and ``create`` is false), is not
            a store, or is locked by another writer.

        >>> Store.open("/nonexistent/store")
        Traceback (most recent call last):
        ...
        kg.errors.StoreError: no store at /nonexistent/store: the directory does not exist; build one with `kg build --out DIR` (the store is DIR/store) or pass create=True
        """
        path = Path(path)
        _recover(path)
        if create and read_only:
            raise StoreError(f"cannot create store {path} read-only; open it with create=True, read_only=False")
        if path.exists() and not path.is_dir():
            raise StoreError(f"{path} is a file, not a store directory; pass the store directory (e.g. out/store)")
        if not is_store(path):
            if not path.exists() and not create:
                raise StoreError(f"no store at {path}: the directory does not exist; build one with "
                                 "`kg build --out DIR` (the store is DIR/store) or pass create=True")
            if path.exists() and (not create or any(path.iterdir())):
                raise StoreError(f"{path} is not a paperkg store (no {STORE_MARKER} file in it); pass the store "
                                 "directory that `kg build` wrote (DIR/store)")
            path.mkdir(parents=True, exist_ok=True)
        try:
            handle = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
        except OSError as err:
            raise _open_error(path, err) from err
        log.debug("opened store %s%s", path, " read-only" if read_only else "")
        return cls(handle, path, read_only=read_only)

    @classmethod
    def create_from(cls, dataset: Graph | Store, path: str | os.PathLike, *,
                    files: Mapping[str, bytes] | None = None) -> Store:
        """Build a NEW store at ``path`` from an rdflib ``Dataset`` and open it.

        The store is built in a temporary directory beside ``path`` and swapped in only once
        complete: if anything fails (or the process is interrupted) the previous store at ``path``
        is left as it was and the temporary directory is removed (see :func:`kg.atomic.atomic_dir`).
        Inside the new directory the fast non-transactional ``bulk_load`` is safe, since nothing
        else sees the directory until the swap. A process that still has the old store open keeps
        reading the old data until it reopens.

        Params:
            dataset: the graph to store (``kg.graph.to_dataset`` output: named graphs are kept; a plain
                ``Graph`` goes to the default graph), or another :class:`Store` to copy (Oxigraph
                serialises it, much faster than rdflib would the same dataset).
            path: the store directory; replaced if it holds a store, created if missing.
            files: extra files (name → content) to write into the store directory, swapped in with it.

        Returns: the new store, open for writing.

        Raises: StoreError if ``path`` is a file or a non-empty directory that is not a store, another
            process is writing it, or the store cannot be written.
        """
        path = Path(path)
        _check_replaceable(path)
        started = time.perf_counter()
        data = dataset.dump_bytes("nquads") if isinstance(dataset, Store) else _nquads(dataset)
        try:
            with atomic_dir(path) as tmp:
                handle = ox.Store(str(tmp))
                try:
                    _load_nquads(handle, data, bulk=True)
                    handle.flush()
                    count = len(handle)
                finally:
                    # Release RocksDB's lock and files before the directory is renamed (or removed).
                    del handle
                _write_files(tmp, files)
        except (OSError, SyntaxError) as err:
            raise StoreError(f"cannot build store {path}: {err}; the previous store (if any) is unchanged") from err
        log.info("built store %s: %d quads in %.2f s", path, count, time.perf_counter() - started)
        return cls.open(path)

    @classmethod
    @contextlib.contextmanager
    def building(cls, path: str | os.PathLike) -> Iterator[Store]:
        """Build a NEW store at ``path``: yields an empty store, open for writing, in a temporary directory
        beside ``path``, and swaps it in when the ``with`` block completes.

        ``path``'s write lock is held for the whole block, so a second writer is refused at once. If the
        block fails (or the process is interrupted, even by ``kill -9``) the previous store at ``path`` is
        left as it was and the temporary directory is removed (now, or by the next writer). Inside, the
        fast non-transactional bulk loader (:class:`BulkLoader`) is safe: nothing else sees the directory
        until the swap. The yielded store is closed at the end of the block (``store.path`` is the
        temporary directory): open ``path`` again to read the result.

        Raises: StoreError if ``path`` is a file or a non-empty directory that is not a store, another
            process is writing it, or the store cannot be written.
        """
        path = Path(path)
        _check_replaceable(path)
        try:
            with atomic_dir(path) as tmp, cls.staging(tmp) as store:
                yield store
        except OSError as err:
            raise StoreError(f"cannot build store {path}: {err}; the previous store (if any) is unchanged") from err

    @classmethod
    @contextlib.contextmanager
    def staging(cls, path: str | os.PathLike, copy_of: str | os.PathLike | None = None) -> Iterator[Store]:
        """A new store in directory ``path``, which nothing else reads yet (a temporary directory, or a
        generation of an output folder being staged, see :mod:`kg.outputs`): empty, or a checkpoint of the
        store ``copy_of`` (RocksDB hard links: cheap even for a big store). Yields it open for writing,
        flushes and closes it at the end of the block. No lock and no swap: the caller makes it visible.

        Raises: StoreError if ``copy_of`` is not a store or the store cannot be written.
        """
        path = Path(path)
        try:
            if copy_of is not None:
                if not is_store(copy_of):
                    raise StoreError(f"no store at {copy_of} to update; build one with `kg build --out DIR` first")
                old = ox.Store.read_only(str(copy_of))
                try:
                    if path.is_dir() and not any(path.iterdir()):
                        path.rmdir()  # a checkpoint makes its own directory
                    old.backup(str(path))
                finally:
                    del old
            store = cls(ox.Store(str(path)), path)
        except (OSError, RuntimeError) as err:
            raise StoreError(f"cannot write store {path}: {err}") from err
        try:
            yield store
            store.flush()
        finally:
            store.close()  # release RocksDB's lock and files before the directory is renamed or removed

    @classmethod
    @contextlib.contextmanager
    def updating(cls, path: str | os.PathLike) -> Iterator[StoreUpdate]:
        """Change the store at ``path`` crash-safely: yields a :class:`StoreUpdate` whose ``store`` is a
        checkpoint of it (RocksDB hard links: cheap even for a big store), open for writing, in a temporary
        directory beside it; when the ``with`` block completes having set ``update.changed``, the checkpoint
        is swapped in, otherwise it is thrown away.

        The store's write lock is taken BEFORE the checkpoint is made and held to the end, so everything
        read in the block (from ``update.store`` or ``update.previous``, the directory of the store as it
        was) stays true until the swap, and a second writer is refused at once. Ctrl-C, an error or
        ``kill -9`` at any point leaves the store as it was before the call. Extra files of the store
        directory (the linking tables, the kept NLP output) are not carried into the checkpoint: the block
        copies what it keeps from ``update.previous``.

        Raises: StoreError if ``path`` is not a store, another process is writing it, or the update fails
            (the store is then unchanged).
        """
        path = Path(path)
        started = time.perf_counter()
        try:
            with atomic_dir(path) as tmp:  # takes the lock, then recovers what a killed writer left
                with cls.staging(tmp, copy_of=path) as store:
                    update = StoreUpdate(store, path)
                    yield update
                if not update.changed:
                    raise _Unchanged
        except _Unchanged:
            log.info("store %s unchanged (%.2f s)", path, time.perf_counter() - started)
            return
        except (OSError, RuntimeError) as err:
            raise StoreError(f"cannot update store {path}: {err}; the store is unchanged") from err
        log.info("updated store %s in %.2f s", path, time.perf_counter() - started)

    def copy_to(self, path: str | os.PathLike, *, files: Iterable[str] = ()) -> Path:
        """Write a copy of this store to a new store at ``path`` (replaced if it holds a store), crash-safely,
        with the extra ``files`` of this store's directory. An on-disk store is copied as a RocksDB
        checkpoint (hard links where ``path`` is on the same file system), an in-memory one through N-Quads.

        Raises: StoreError as :meth:`create_from`.
        """
        path = Path(path)
        _check_replaceable(path)
        if path.resolve() == Path(self.path).resolve():
            return path
        handle = self._handle()
        try:
            with atomic_dir(path) as tmp:
                if self.path.is_dir():
                    tmp.rmdir()
                    handle.backup(str(tmp))
                else:
                    copy = ox.Store(str(tmp))
                    copy.bulk_load(handle.dump(format=ox.RdfFormat.N_QUADS), ox.RdfFormat.N_QUADS)
                    copy.flush()
                    del copy
                for name in files:
                    if (self.path / name).is_file():
                        shutil.copyfile(self.path / name, tmp / name)
        except (OSError, RuntimeError) as err:
            raise StoreError(f"cannot write store {path}: {err}; the previous store (if any) is unchanged") from err
        return path

    @classmethod
    def in_memory(cls, dataset: Graph | None) -> Store:
        """A store in memory holding ``dataset`` (an rdflib graph or dataset, or ``None`` for an empty store):
        the same queries and dumps as a store on disk, much faster than rdflib's own SPARQL engine and
        serialisers on a whole corpus.

        >>> from rdflib import Dataset
        >>> len(Store.in_memory(Dataset()))
        0
        """
        handle = ox.Store()
        if dataset is not None:
            try:
                _load_nquads(handle, _nquads(dataset), bulk=True)
            except SyntaxError as err:
                raise StoreError(f"cannot load the graph into memory: {err}") from err
        return cls(handle, Path(":memory:"))

    @classmethod
    def in_memory_from_file(cls, path: str | os.PathLike) -> Store:
        """A store in memory holding the RDF file ``path`` (.ttl, .nt, .nq, .trig), parsed by Oxigraph.

        Raises: StoreError if the file is missing, of another format, or not valid RDF (the message
            names the file and the line).
        """
        path = Path(path)
        name = _EXTENSIONS.get(path.suffix.lower())
        if name is None:
            raise StoreError(f"{path}: cannot read this file type; use a .ttl, .nt, .nq or .trig file")
        if not path.is_file():
            raise StoreError(f"{path}: no such file")
        handle = ox.Store()
        try:
            handle.bulk_load(path=str(path), format=DUMP_FORMATS[name][0])
        except SyntaxError as err:
            raise StoreError(f"{path}: not valid {name}: {' '.join(str(err).split())}") from err
        except (OSError, UnicodeDecodeError) as err:
            raise StoreError(f"{path}: cannot read: {err}") from err
        return cls(handle, path)

    def dump_bytes(self, format: str = "nquads") -> bytes:
        """The whole store serialised in memory (``nquads``/``trig`` keep the named graphs)."""
        name, fmt, with_graphs = _format(Path("store"), format)
        handle = self._handle()
        prefixes = dict(PREFIXES) if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
        if with_graphs:
            return handle.dump(format=fmt, prefixes=prefixes)
        out = io.BytesIO()
        _write_union(handle, out, fmt)
        return out.getvalue()

    def nquads_chunks(self, quads_per_chunk: int) -> Iterator[tuple[bytes, int]]:
        """The whole store as N-Quads in chunks of ``quads_per_chunk`` quads (the last one smaller), streamed:
        ``(N-Quads bytes, number of quads)``; one chunk in memory at a time. A named graph may span two chunks.

        >>> s = Store.in_memory_from_file("tests/data/small.trig")
        >>> [n for _, n in s.nquads_chunks(100)][:3], sum(n for _, n in s.nquads_chunks(100)) == len(s)
        ([100, 100, 100], True)
        """
        quads = iter(self._handle().quads_for_pattern(None, None, None, None))
        while chunk := list(itertools.islice(quads, quads_per_chunk)):
            yield ox.serialize(chunk, format=ox.RdfFormat.N_QUADS), len(chunk)

    def graph_bytes(self, name: str | URIRef | None, format: str = "ntriples") -> bytes:
        """One graph of the store serialised in memory: the named graph ``name``, or the default graph
        (``None``; empty for a store ``kg build`` wrote, which keeps every triple in a named graph).

        Params: name: the graph IRI, or ``None``; format: ``ntriples`` or ``turtle``.

        Raises: StoreError for another format or a closed store.
        """
        fmt = {"ntriples": ox.RdfFormat.N_TRIPLES, "turtle": ox.RdfFormat.TURTLE}.get(format)
        if fmt is None:
            raise StoreError(f"cannot write one graph as {format!r}; use ntriples or turtle")
        graph = ox.DefaultGraph() if name is None else ox.NamedNode(str(name))
        return self._handle().dump(format=fmt, from_graph=graph)

    # -- writing -----------------------------------------------------------------------------------

    def remove_graph(self, name: str) -> None:
        """Remove the named graph ``name`` (an IRI) and its quads, if there is one."""
        handle = self._writable()
        try:
            handle.remove_graph(ox.NamedNode(name))
        except (OSError, RuntimeError) as err:
            raise StoreError(f"removing graph {name} from store {self.path} failed: {err}") from err

    def remove(self, quads: Iterable[ox.Quad]) -> None:
        """Remove these quads (those that are not in the store are ignored)."""
        handle = self._writable()
        try:
            for q in quads:
                handle.remove(q)
        except (OSError, RuntimeError) as err:
            raise StoreError(f"removing quads from store {self.path} failed: {err}") from err

    def quads(self, subject: str | None = None, graph: str | None = None) -> list[ox.Quad]:
        """The quads with this subject IRI in this named graph (``None``: any)."""
        s = ox.NamedNode(subject) if subject is not None else None
        g = ox.NamedNode(graph) if graph is not None else None
        return list(self._handle().quads_for_pattern(s, None, None, g))

    def load(self, dataset: Graph) -> None:
        """Add the dataset's quads in one transaction (all or nothing). The safe default.

        Raises: StoreError if the store is read-only or closed, or the load fails (nothing written).
        """
        self._add(dataset, bulk=False)

    def bulk_load(self, dataset: Graph) -> None:
        """Add the dataset's quads fast, NOT in a transaction: a failure may leave part of them written.

        About 3.5 times faster than :meth:`load` (52,600 quads: 0.45 s against 1.6 s); for building a
        new store prefer :meth:`create_from`, which uses it safely.

        Raises: StoreError if the store is read-only or closed, or the load fails.
        """
        self._add(dataset, bulk=True)

    def _add(self, dataset: Graph, *, bulk: bool) -> None:
        handle = self._writable()
        try:
            _load_nquads(handle, _nquads(dataset), bulk=bulk)
        except (OSError, SyntaxError) as err:
            raise StoreError(f"loading into store {self.path} failed: {err}") from err

    # -- reading -----------------------------------------------------------------------------------

    def query(self, sparql: str, bindings: Mapping[str, Any] | None = None) -> QueryResult:
        """Run a read-only SPARQL query; see :func:`kg.query.run_query` (same rules, same result type).

        Raises: QueryError for a malformed query or bad binding; StoreError if the store is closed
            or cannot be read.
        """
        if not isinstance(sparql, str) or not sparql.strip():
            raise QueryError("empty query: give a SPARQL SELECT, ASK, CONSTRUCT or DESCRIBE query")
        terms = binding_terms(bindings)
        check_query_text(sparql, terms)
        log.debug("query (store %s): %s bindings=%s", self.path, one_line(sparql), terms)
        return self._execute(sparql, terms)

    def _execute(self, sparql: str, terms: Mapping[str, Identifier]) -> QueryResult:
        """The engine part of :meth:`query`: terms already checked and converted."""
        handle = self._handle()
        substitutions = {ox.Variable(k): _to_ox(v) for k, v in terms.items()} or None
        try:
            res = handle.query(sparql, prefixes=dict(PREFIXES), use_default_graph_as_union=True,
                               substitutions=substitutions)
            return _to_result(res)  # Oxigraph evaluates lazily: errors can come while reading
        except SyntaxError as err:
            raise _ox_syntax_error(sparql, err) from err
        except RuntimeError as err:
            missing = [k for k in terms if f"variable ?{k} in its SELECT projection" in str(err)]
            if missing:
                raise unbindable(missing[0]) from err
            raise QueryError(f"query failed: {' '.join(str(err).split())}") from err
        except OSError as err:
            raise StoreError(f"reading store {self.path} failed: {err}") from err

    def rows(self, sparql: str) -> Iterator[tuple[str | None, ...]]:
        """The solutions of a SELECT query as tuples of plain strings, streamed: an IRI's or a literal's
        value, ``None`` where unbound (no RDF terms made: the fast path for readers such as the explorer).

        Raises: QueryError for a malformed query or one that is not a SELECT; StoreError if the store
            cannot be read.
        """
        handle = self._handle()
        try:
            res = handle.query(sparql, prefixes=dict(PREFIXES), use_default_graph_as_union=True)
            if not isinstance(res, ox.QuerySolutions):
                raise QueryError("rows() takes a SELECT query")
            for sol in res:
                yield tuple([None if t is None else t.value for t in sol])
        except SyntaxError as err:
            raise _ox_syntax_error(sparql, err) from err
        except RuntimeError as err:
            raise QueryError(f"query failed: {' '.join(str(err).split())}") from err
        except OSError as err:
            raise StoreError(f"reading store {self.path} failed: {err}") from err

    def query_serialized(self, sparql: str, *, results_format: str | None = "json",
                         graph_format: str | None = "turtle", max_rows: int | None = None,
                         should_stop: Callable[[], bool] | None = None,
                         output: IO[bytes] | None = None,
                         bindings: Mapping[str, Any] | None = None) -> SerializedResult:
        """Run a read-only query and write its answer with Oxigraph's own serialisers (the SPARQL
        endpoint's engine part: no rdflib terms in between).

        Solutions are read one by one and reading stops as soon as there are more than ``max_rows``
        of them, or ``should_stop()`` turns true (checked between rows): a huge result is never
        held in memory. The rows read are kept as SPARQL TSV (N-Triples terms, one line per row),
        parsed back by Oxigraph and written in ``results_format``.

        Params:
            sparql: SELECT, ASK, CONSTRUCT or DESCRIBE (the standard prefixes need no PREFIX lines;
                the default graph is the union of the named graphs, as in :meth:`query`).
            results_format: for SELECT and ASK, a key of :data:`RESULTS_FORMATS`, or ``None``.
            graph_format: for CONSTRUCT and DESCRIBE, a key of :data:`GRAPH_FORMATS`, or ``None``.
            max_rows: most solutions (or triples) to return; ``None``: no limit.
            should_stop: called between rows; when it returns true, reading stops.
            output: a binary file to write the answer into (then ``data`` is ``b""``): the serialiser writes
                as it goes, where writing to bytes grows a buffer by doubling (100,000 rows as XML: 64 MB,
                then 128 MB, at once).
            bindings: variable name → value, bound by the engine as in :meth:`query`.

        Returns: a :class:`SerializedResult` (``data`` is ``None`` if no format was given for the
            query's kind).

        Raises: QueryError for a malformed query or an UPDATE (``kg.query.UpdateRefusedError``),
            SERVICE, or an evaluation error; ResultLimitError beyond ``max_rows``;
            QueryStoppedError when ``should_stop`` said so; StoreError if the store cannot be read.

        >>> from rdflib import Dataset
        >>> r = Store.in_memory(Dataset()).query_serialized("ASK { ?s ?p ?o }")
        >>> r.kind, r.format, r.data
        ('ask', 'json', b'{"head":{},"boolean":false}')
        """
        for name, table in ((results_format, RESULTS_FORMATS), (graph_format, GRAPH_FORMATS)):
            if name is not None and name not in table:
                raise QueryError(f"unknown format {name!r}; use one of: {', '.join(table)}")
        if not isinstance(sparql, str) or not sparql.strip():
            raise QueryError("empty query: give a SPARQL SELECT, ASK, CONSTRUCT or DESCRIBE query")
        terms = binding_terms(bindings)
        check_query_text(sparql, terms)
        substitutions = {ox.Variable(k): _to_ox(v) for k, v in terms.items()} or None
        handle = self._handle()
        limit = max_rows if max_rows is not None else float("inf")

        def check(count: int) -> None:
            if count > limit:
                raise ResultLimitError(int(limit))
            if should_stop is not None and should_stop():
                raise QueryStoppedError(f"stopped reading the results after {count - 1:,} rows, as asked")

        res = solutions = sol = None
        try:
            res = handle.query(sparql, prefixes=dict(PREFIXES), use_default_graph_as_union=True,
                               substitutions=substitutions)
            if isinstance(res, ox.QueryBoolean):
                if results_format is None:
                    return SerializedResult("ask", None, None)
                return SerializedResult("ask", results_format, _written(res.serialize(
                    output, format=RESULTS_FORMATS[results_format])))
            if isinstance(res, ox.QueryTriples):
                if graph_format is None:
                    return SerializedResult("graph", None, None)
                triples = []
                for triple in res:
                    check(len(triples) + 1)
                    triples.append(triple)
                fmt = GRAPH_FORMATS[graph_format]
                prefixes = dict(PREFIXES) if fmt == ox.RdfFormat.TURTLE else None
                data = ox.serialize(triples, output, format=fmt, prefixes=prefixes)
                return SerializedResult("graph", graph_format, _written(data), len(triples))
            if results_format is None:
                return SerializedResult("select", None, None)
            names = [v.value for v in res.variables]
            lines = [_tsv_line(f"?{n}" for n in names)]
            for sol in res:
                check(len(lines))
                lines.append(_tsv_line("" if sol[i] is None else str(sol[i]) for i in range(len(names))))
            rows = len(lines) - 1
            solutions = ox.parse_query_results("".join(lines).encode("utf-8"), ox.QueryResultsFormat.TSV)
            lines = []
            data = solutions.serialize(output, format=RESULTS_FORMATS[results_format])
            return SerializedResult("select", results_format, _written(data), rows)
        except SyntaxError as err:
            raise _ox_syntax_error(sparql, err) from err
        except RuntimeError as err:
            missing = [k for k in terms if f"variable ?{k} in its SELECT projection" in str(err)]
            if missing:
                raise unbindable(missing[0]) from err
            raise QueryError(f"query failed: {' '.join(str(err).split())}") from err
        except OSError as err:
            raise StoreError(f"reading store {self.path} failed: {err}") from err
        finally:
            # pyoxigraph's result iterators must be dropped on the thread that made them (a caller may run
            # this in a worker thread and hand an exception, with this frame in its traceback, elsewhere)
            res = solutions = sol = None  # noqa: F841

    def rdflib_store(self, *, union: bool = False):
        """An rdflib store (oxrdflib's ``OxigraphStore``) over this same Oxigraph store: rdflib graphs made on
        it read (and, unless opened read-only, write) this store, with no copy. ``union``: a plain rdflib
        ``Graph`` on it sees the union of all the graphs (its triples, length and SPARQL), as
        ``Dataset(default_union=True)`` does for its default graph (rdflib 7 iterates a Dataset as quads)."""
        from oxrdflib import OxigraphStore

        if not union:
            return OxigraphStore(store=self._handle())

        class UnionStore(OxigraphStore):
            def triples(self, triple_pattern, context=None):
                return super().triples(triple_pattern, None)

            def __len__(self, context=None) -> int:
                return super().__len__(None)

            def query(self, query, initNs, initBindings, queryGraph, **kwargs):  # noqa: N803
                return super().query(query, initNs, initBindings, "__UNION__", **kwargs)

        return UnionStore(store=self._handle())

    def named_graphs(self) -> list[URIRef]:
        """The names of the store's named graphs (rdflib ``URIRef``), sorted."""
        from rdflib import URIRef

        return sorted(URIRef(g.value) for g in self._handle().named_graphs() if isinstance(g, ox.NamedNode))

    def quad_count(self) -> int:
        """The number of quads (each triple once per named graph it is in); ``len(store)`` says the same."""
        return len(self._handle())

    def __len__(self) -> int:
        """The number of quads in the store."""
        return len(self._handle())

    def dump(self, path: str | os.PathLike, format: str | None = None) -> Path:
        """Write the store to a file, atomically (a failure leaves no partial file).

        Params:
            path: the file to write.
            format: ``turtle`` / ``ntriples`` (the union graph, written graph by graph: see
                :meth:`dump_union`), ``jsonld`` / ``rdfxml`` (the union graph, one document) or ``nquads`` /
                ``trig`` (every named graph); default: from the file extension (.ttl, .nt, .jsonld, .rdf, .xml,
                .nq, .trig).

        Returns: ``path``.

        Raises: StoreError for an unknown format or a failed write.
        """
        path = Path(path)
        name, fmt, with_graphs = _format(path, format)
        handle = self._handle()
        prefixes = dict(PREFIXES) if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
        try:
            with atomic_file(path, "wb") as f:
                if with_graphs:
                    handle.dump(f, fmt, prefixes=prefixes)
                elif fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES):
                    _write_union(handle, f, fmt)
                else:  # one document: every graph's triples through one serialiser, streamed
                    triples = (q.triple for q in handle)
                    if fmt == ox.RdfFormat.RDF_XML:
                        triples = _xml_safe(triples)
                    ox.serialize(triples, f, format=fmt, prefixes=dict(PREFIXES))
        except (OSError, RuntimeError) as err:
            raise StoreError(f"cannot write {path} from store {self.path}: {err}") from err
        log.info("wrote %s (%s) from store %s", path, name, self.path)
        return path

    def dump_union(self, path: str | os.PathLike, format: str = "turtle", *,
                   reuse: UnionReuse | None = None) -> dict[str, list[int]]:
        """Write the union graph to a file, atomically, as :meth:`dump` does for ``turtle`` / ``ntriples``,
        and return its index (graph IRI → ``[offset, length]`` of its part; ``""`` → ``[0, size]``). With
        ``reuse`` (an earlier dump's path and index, and the graphs changed since), unchanged graphs' parts
        are copied from the earlier file instead of serialised again: what ``kg add`` does for graph.ttl.

        Raises: StoreError for another format or a failed write.
        """
        path = Path(path)
        name, fmt, with_graphs = _format(path, format)
        if fmt not in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES):
            raise StoreError(f"dump_union writes turtle or ntriples, not {name}")
        handle = self._handle()
        try:
            with atomic_file(path, "wb") as f:
                index = _write_union(handle, f, fmt, reuse)
        except (OSError, RuntimeError) as err:
            raise StoreError(f"cannot write {path} from store {self.path}: {err}") from err
        log.info("wrote %s (%s, %s) from store %s", path, name, "reusing unchanged graphs" if reuse else "whole",
                 self.path)
        return index

    # -- lifecycle ---------------------------------------------------------------------------------

    def flush(self) -> None:
        """Make sure every write is on disk (Oxigraph also flushes in the background)."""
        if not self.read_only:
            try:
                self._handle().flush()
            except OSError as err:
                raise StoreError(f"flushing store {self.path} failed: {err}") from err

    def close(self) -> None:
        """Flush and release the store (its lock); further use raises StoreError. Idempotent."""
        if self._ox is not None:
            self.flush()
            self._ox = None  # pyoxigraph closes the database when its last reference goes
            log.debug("closed store %s", self.path)

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has been called."""
        return self._ox is None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "read-only" if self.read_only else "open"
        return f"<Store {self.path} ({state})>"

    def _handle(self) -> ox.Store:
        if self._ox is None:
            raise StoreError(f"store {self.path} is closed; open it again with Store.open({str(self.path)!r})")
        return self._ox

    def _writable(self) -> ox.Store:
        handle = self._handle()
        if self.read_only:
            raise StoreError(f"store {self.path} is open read-only; open it with read_only=False to write")
        return handle


@dataclass
class StoreUpdate:
    """What :meth:`Store.updating` yields: ``store``, the checkpoint being changed (open for writing);
    ``previous``, the directory of the store as it was (to copy extra files from); set ``changed`` to have
    the checkpoint swapped in."""

    store: Store
    previous: Path
    changed: bool = False


class _Unchanged(Exception):
    """Raised inside :meth:`Store.updating` to throw an unchanged checkpoint away."""


class BulkLoader:
    """Quads streamed into a store being built (:meth:`Store.building`) or changed in a private checkpoint
    (:meth:`Store.updating`), through Oxigraph's bulk loader in chunks of ``chunk`` quads
    (:data:`BULK_CHUNK_QUADS`): memory stays that of one chunk whatever the number of quads.

    NOT transactional: only for a store directory nothing else sees until it is swapped in.

    >>> store = Store.in_memory(None)
    >>> with BulkLoader(store, chunk=2) as loader:
    ...     loader.add(ox.Quad(ox.NamedNode(f"https://ex.org/{i}"), ox.NamedNode("https://ex.org/p"), ox.Literal("x"),
    ...                        ox.NamedNode("https://ex.org/g")) for i in range(5))
    >>> len(store), loader.quads
    (5, 5)
    """

    def __init__(self, store: Store, chunk: int = BULK_CHUNK_QUADS) -> None:
        self._handle = store._writable()
        self._store = store
        self.chunk = chunk
        self._buffer: list[ox.Quad] = []
        self.quads = 0  #: quads added so far

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads; they reach the store by chunks (all of them by :meth:`flush`)."""
        self._buffer.extend(quads)
        if len(self._buffer) >= self.chunk:
            self.flush()

    def flush(self) -> None:
        """Load what is buffered."""
        if not self._buffer:
            return
        try:
            self._handle.bulk_extend(self._buffer)
        except (OSError, RuntimeError) as err:
            raise StoreError(f"loading into store {self._store.path} failed: {err}") from err
        self.quads += len(self._buffer)
        self._buffer = []

    def __enter__(self) -> BulkLoader:
        return self

    def __exit__(self, exc_type, *exc: object) -> None:
        if exc_type is None:
            self.flush()


def _write_files(directory: Path, files: Mapping[str, bytes] | None) -> None:
    for name, data in (files or {}).items():
        if Path(name).name != name or name.startswith(".") or (directory / name).exists():
            raise StoreError(f"cannot add file {name!r} to a store directory: give a new plain file name")
        (directory / name).write_bytes(data)


def _recover(path: Path) -> None:
    """Finish what a writer killed mid-swap left: the output folder's links (see kg.outputs.recover), or a
    store it left aside (see kg.atomic.recover_dir)."""
    from .outputs import recover

    recover(path)
    if path.exists() or not any(path.parent.glob(f".{glob.escape(path.name)}.*.old")):
        return
    try:
        with dir_lock(path):
            pass  # dir_lock recovers under the lock
    except OSError as err:
        raise StoreError(f"cannot recover store {path}: {err}") from err


@dataclass(frozen=True)
class UnionReuse:
    """An earlier Turtle / N-Triples dump of a store (``path``, and ``index`` as :meth:`Store.dump` returned
    it) and the graphs that changed since (IRIs): the others are copied from it. Ignored (everything is
    serialised) if the file is not the size the index says."""

    path: Path
    index: Mapping[str, list[int]]
    changed: frozenset[str]


def _prefix_header(prefixes: Mapping[str, str]) -> bytes:
    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in prefixes.items()).encode("utf-8")


def _write_union(handle: ox.Store, out: IO[bytes], fmt: ox.RdfFormat, reuse: UnionReuse | None = None
                 ) -> dict[str, list[int]]:
    """Write the union of the store's graphs as Turtle or N-Triples: the ``@prefix`` lines, then each named
    graph's triples serialised by Oxigraph on its own (without its own ``@prefix`` lines), in the store's
    key order, the default graph last. The same content always gives the same bytes, whatever order it was
    loaded in, and nothing is held but one graph's text. A triple in several named graphs comes once per
    graph (paperkg's own graphs share none, see :mod:`kg.graph`). With ``reuse``, unchanged graphs are
    copied from the earlier dump (what ``kg add`` does: it rewrites only the changed papers' parts).
    Returns the index of what was written (see :meth:`Store.dump`).
    """
    turtle = fmt == ox.RdfFormat.TURTLE
    prefixes = dict(PREFIXES) if turtle else None
    header = _prefix_header(PREFIXES) if turtle else b""
    old = None
    if reuse is not None:
        try:
            old = open(reuse.path, "rb")
            if os.fstat(old.fileno()).st_size != reuse.index.get("", [0, -1])[1]:
                old.close()
                old = None
        except OSError:
            old = None
    index: dict[str, list[int]] = {}
    pos = 0
    run: list = []  # unchanged graphs lying back to back in the old file: [old start, length, [(name, length)]]

    def put(name: str | None, chunk: bytes) -> None:
        nonlocal pos
        flush_run()
        out.write(chunk)
        if name is not None:
            index[name] = [pos, len(chunk)]
        pos += len(chunk)

    def keep(name: str, start: int, length: int) -> None:
        if run and run[0] + run[1] == start:
            run[1] += length
            run[2].append((name, length))
        else:
            flush_run()
            run[:] = [start, length, [(name, length)]]

    def flush_run() -> None:
        """Copy a run of unchanged graphs in one go (in the kernel where it can: at 100k papers graph.ttl is
        ~1.5 GB, 100k chunks copied one by one through Python took ~7 s)."""
        nonlocal pos
        if not run:
            return
        start, length, names = run
        run.clear()
        _copy_range(old, out, start, length)
        for name, size in names:
            index[name] = [pos, size]
            pos += size

    try:
        put(None, header)
        graphs = [*handle.named_graphs(), ox.DefaultGraph()]
        for graph in graphs:
            name = graph.value if isinstance(graph, ox.NamedNode) else ""
            kept = reuse.index.get(name) if old is not None and name and name not in reuse.changed else None
            if kept is not None:
                if kept[1]:
                    keep(name, kept[0], kept[1])
                continue
            chunk = handle.dump(format=fmt, from_graph=graph, prefixes=prefixes)
            if turtle:
                chunk = _without_prefix_lines(chunk)
            if chunk:
                put(name or None, chunk)
        flush_run()
    finally:
        if old is not None:
            old.close()
    index[""] = [0, pos]
    return index


def _copy_range(src: IO[bytes], dst: IO[bytes], start: int, length: int) -> None:
    """Append ``length`` bytes of ``src`` from ``start`` to ``dst`` (``os.copy_file_range`` where the system
    has it, else reads of 16 MB)."""
    dst.flush()
    done = 0
    if hasattr(os, "copy_file_range"):
        try:
            while done < length:
                n = os.copy_file_range(src.fileno(), dst.fileno(), length - done, start + done)
                if n == 0:
                    break
                done += n
        except OSError:
            pass  # e.g. across file systems on old kernels: copy the rest by hand
    src.seek(start + done)
    while done < length:
        block = src.read(min(16 << 20, length - done))
        if not block:
            raise OSError(f"{getattr(src, 'name', 'the earlier dump')} ended {length - done} bytes early")
        dst.write(block)
        done += len(block)
    dst.flush()


def _without_prefix_lines(chunk: bytes) -> bytes:
    """A Turtle chunk without the ``@prefix`` lines Oxigraph writes at its top (the file has them once)."""
    start = 0
    while chunk.startswith(b"@prefix ", start):
        start = chunk.index(b"\n", start) + 1
    chunk = chunk[start:]
    return chunk if not chunk or chunk.endswith(b"\n") else chunk + b"\n"


__all__ = ["Store", "StoreUpdate", "UnionReuse", "BulkLoader", "BULK_CHUNK_QUADS", "is_store", "DUMP_FORMATS", "STORE_MARKER", "RESULTS_FORMATS", "GRAPH_FORMATS", "ANSWER_FORMATS",
           "SerializedResult", "ResultLimitError", "QueryStoppedError"]
