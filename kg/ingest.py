"""Stream extractions into a store: the linking, quads and tables of ``kg build`` and ``kg add``.

One pass, nothing held per paper once it has gone by. For each :class:`~kg.records.Extraction` (from
the local pipeline, worker processes or a cluster: anything that yields them): link it alone
(:func:`kg.link.link_paper`), turn it into its named graph's quads (:func:`kg.graph.paper_quads`) and
bulk-load them in chunks (:class:`kg.store.BulkLoader`), append it to the store's extraction file
(:mod:`kg.extractions`) and fold its rows into the linking tables (:mod:`kg.tables`). At the end the
entities graph is written from the tables, key by key.

:func:`add_extractions` does the same into a checkpoint of an existing store, replacing a paper whose
record changed, and rewrites only the entities graph's triples of the entities, code repositories and
components the new and replaced papers touch.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from .errors import GraphError
from .extractions import ExtractionWriter, link_files
from .graph import (ENTITIES_GRAPH, code_iris, code_repository_quads, component_quads, entity_quads, paper_graph_iri,
                    paper_quads, shared_subject)
from .link import link_paper
from .progress import Progress
from .records import Extraction
from .store import BulkLoader, Store, StoreUpdate
from .tables import TABLES_FILE, LinkTables, Shared, shared_nodes

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    """What went into a store: papers added, papers replaced (a changed record), duplicates dropped."""

    added: int = 0
    replaced: int = 0
    duplicates: int = 0
    changed_graphs: set[str] = field(default_factory=set)  #: named graphs written (IRIs), by an add


def write_new(store: Store, extractions: Iterable[Extraction], progress: Progress | None = None) -> IngestReport:
    """Write ``extractions`` (one per distinct paper; a repeated title key is dropped, the first kept) into
    ``store``, a new empty store being built (:meth:`kg.store.Store.building`), with its linking tables and
    extraction file.

    Raises: GraphError naming a paper whose text gives a URL that cannot be made an IRI.
    """
    progress = progress or Progress(enabled=False)
    report = IngestReport()
    tables = LinkTables.create(store.path)
    try:
        with ExtractionWriter(store.path) as writer, BulkLoader(store) as loader:
            for ex in _first_of_each(extractions, report):
                lp = link_paper(ex)
                loader.add(paper_quads(lp))
                tables.add_paper(lp, code_iris(lp))
                writer.write(ex)
                report.added += 1
            with progress.stage(f"linking {report.added:,} papers: entities graph"):
                tables.finish()
                for entity in tables.entities():
                    loader.add(entity_quads(entity))
                for iri in tables.shared("code"):
                    loader.add(code_repository_quads(iri))
                for name in tables.shared("component"):
                    loader.add(component_quads(name))
            with progress.stage("store: loading the last chunk"):
                loader.flush()
    finally:
        tables.close()
    log.info("wrote %d papers (%d quads) into %s", report.added, loader.quads, store.path)
    return report


def open_tables(update: StoreUpdate) -> LinkTables:
    """The linking tables of the store being updated: a copy of the previous store's, in the checkpoint
    (with the previous store's extraction files linked in beside them).

    Raises: GraphError if the store keeps no linking tables (written by another tool or an older paperkg).
    """
    import shutil

    old = update.previous / TABLES_FILE
    if not old.is_file():
        raise GraphError(f"the store {update.previous} keeps no linking tables ({TABLES_FILE}), so papers cannot be "
                         "added to it exactly; rebuild it from all its sources with `kg build`")
    shutil.copyfile(old, update.store.path / TABLES_FILE)
    link_files(update.previous, update.store.path)
    tables = LinkTables.open(update.store.path)
    assert tables is not None
    return tables


def add_extractions(update: StoreUpdate, tables: LinkTables, extractions: Iterable[Extraction],
                    progress: Progress | None = None) -> IngestReport:
    """Add ``extractions`` to the checkpoint ``update.store``: a new paper is added, one already there
    (same title key) replaced whole; then the entities graph's triples of every entity, code repository
    and component the added and replaced papers touch (before or after) are recomputed from ``tables``
    and rewritten where they differ. Sets ``update.changed`` when anything was written.
    """
    progress = progress or Progress(enabled=False)
    report = IngestReport()
    touched: set[Shared] = set()
    store = update.store
    with ExtractionWriter(store.path) as writer, BulkLoader(store) as loader:
        for ex in _first_of_each(extractions, report):
            key = ex.paper.key
            lp = link_paper(ex)
            graph = paper_graph_iri(ex.paper)
            if tables.record(key) is not None:
                touched |= tables.remove_paper(key)
                store.remove_graph(graph)
                report.replaced += 1
            else:
                report.added += 1
            report.changed_graphs.add(graph)
            iris = code_iris(lp)
            loader.add(paper_quads(lp))
            tables.add_paper(lp, iris)
            touched |= shared_nodes(lp, iris)
            writer.write(ex)
        with progress.stage(f"linking: {len(touched):,} shared nodes to check"):
            removed = added = 0
            for node in sorted(touched, key=lambda n: (n.kind, n.value)):
                old = set(store.quads(shared_subject(node.kind, node.value), ENTITIES_GRAPH))
                new = set(_shared_quads(tables, node))
                if old != new:
                    report.changed_graphs.add(ENTITIES_GRAPH)
                    store.remove(old - new)
                    loader.add(sorted(new - old, key=str))
                    removed += len(old - new)
                    added += len(new - old)
            log.info("entities graph: %d quads removed, %d added for %d shared nodes", removed, added, len(touched))
    update.changed = bool(report.added or report.replaced)
    return report


def _first_of_each(extractions: Iterable[Extraction], report: IngestReport) -> Iterator[Extraction]:
    """Each paper once, the first of its key, in input order; a repeat is counted in ``report.duplicates``."""
    seen: set[str] = set()
    for ex in extractions:
        key = ex.paper.key
        if key in seen:
            report.duplicates += 1
            continue
        seen.add(key)
        yield ex


def _shared_quads(tables: LinkTables, node: Shared) -> list:
    if node.kind == "entity":
        entity = tables.entity(node.value)
        return entity_quads(entity) if entity is not None else []
    if not tables.has_shared(node):
        return []
    return code_repository_quads(node.value) if node.kind == "code" else component_quads(node.value)


__all__ = ["IngestReport", "write_new", "open_tables", "add_extractions"]
