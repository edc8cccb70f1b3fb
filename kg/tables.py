"""The linking tables: what each paper contributes to the corpus-wide part of the graph, on disk.

A paper's named graph depends on that paper alone; the entities graph needs, for each entity key, every
name papers gave it (with counts), which of them the catalogue gave, and every surface form, plus the
set of code repositories and pipeline components. These rows are small (a few dozen per paper), so they
are kept, per paper, in one SQLite file in the store folder (:data:`TABLES_FILE`): the build streams them
in, reads each entity's totals back in key order at the end, and ``kg add`` subtracts a changed paper's
rows and recomputes only the entities they touch. Memory stays that of SQLite's page cache, whatever
the corpus size.

The file lives inside the store directory and is swapped in and out with it (see :mod:`kg.store`), so it
is never written in place: SQLite's journal and fsyncs are off (the directory swap is the commit).
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable, Iterator

from .errors import StoreError
from .link import Entity, LinkedPaper, entity_from_names
from .records import Paper

#: File in a store directory holding the linking tables.
TABLES_FILE = "paperkg-tables.sqlite"
#: Version of the tables' schema (in the ``meta`` table).
FORMAT = 1
#: Rows kept in memory before they are written to SQLite (~25 papers' worth). 300k rows shaped like these
#: insert in 0.46 s in batches of 1,000, 0.84 s of 10,000 and 0.85 s of 100,000 (2 busy cores): bigger
#: batches only hold more memory.
BATCH_ROWS = 1_000

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE papers(key TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE names(paper TEXT NOT NULL, entity TEXT NOT NULL, name TEXT NOT NULL, catalogued INTEGER NOT NULL);
CREATE TABLE forms(paper TEXT NOT NULL, entity TEXT NOT NULL, form TEXT NOT NULL);
CREATE TABLE shared(paper TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL);
"""
#: Built once the build has streamed every row in (an index kept up to date during a bulk insert is slower).
_INDEXES = """
CREATE INDEX IF NOT EXISTS names_entity ON names(entity, name);
CREATE INDEX IF NOT EXISTS names_paper ON names(paper);
CREATE INDEX IF NOT EXISTS forms_entity ON forms(entity, form);
CREATE INDEX IF NOT EXISTS forms_paper ON forms(paper);
CREATE INDEX IF NOT EXISTS shared_value ON shared(kind, value);
CREATE INDEX IF NOT EXISTS shared_paper ON shared(paper);
"""


def record_digest(paper: Paper) -> str:
    """A digest of what a paper's record says (where it was read from does not count): two records of
    one paper with the same digest give the same named graph."""
    data = asdict(paper)
    data.pop("source", None)
    data.pop("line", None)
    return hashlib.sha1(json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Shared:
    """A node of the entities graph: ``kind`` ``entity`` (value: an entity key), ``code`` (a code IRI)
    or ``component`` (a component name)."""

    kind: str
    value: str


class LinkTables:
    """The linking tables of one store directory; open with :meth:`create` or :meth:`open`; close when done."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self._db = db
        self.path = path
        self._names: list[tuple] = []
        self._forms: list[tuple] = []
        self._shared: list[tuple] = []
        self._papers: list[tuple] = []

    @classmethod
    def create(cls, directory: str | Path) -> LinkTables:
        """New, empty tables in ``directory`` (a store directory being built)."""
        path = Path(directory) / TABLES_FILE
        if path.exists():
            raise StoreError(f"{path} exists already; tables are created only in a new store directory")
        db = cls._connect(path)
        db.executescript(_SCHEMA)
        db.execute("INSERT INTO meta VALUES ('format', ?)", (str(FORMAT),))
        db.execute("BEGIN")
        return cls(db, path)

    @classmethod
    def open(cls, directory: str | Path) -> LinkTables | None:
        """The tables of the store ``directory``, or ``None`` if it keeps none (a store written by another tool)."""
        path = Path(directory) / TABLES_FILE
        if not path.is_file():
            return None
        try:
            db = cls._connect(path)
            row = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
            db.execute("BEGIN")
        except sqlite3.DatabaseError as err:
            raise StoreError(f"{path}: not paperkg linking tables ({err}); rebuild the store with `kg build`") from err
        if row is None or row[0] != str(FORMAT):
            raise StoreError(f"{path}: linking tables of another format ({row and row[0]}, this paperkg reads "
                             f"{FORMAT}); rebuild the store with `kg build`")
        return cls(db, path)

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(str(path), isolation_level=None)
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        return db

    # -- writing -------------------------------------------------------------------------------------

    def add_paper(self, lp: LinkedPaper, code_iris: Iterable[str]) -> None:
        """Fold one linked paper's rows in (its key must not be in the tables yet)."""
        key = lp.paper.key
        self._papers.append((key, record_digest(lp.paper)))
        for row in lp.names:
            self._names.append((key, row.key, row.name, int(row.catalogued)))
            self._forms.extend((key, row.key, f) for f in row.forms)
        self._shared.extend((key, "code", iri) for iri in code_iris)
        self._shared.extend((key, "component", c) for c in lp.components)
        if len(self._names) + len(self._forms) >= BATCH_ROWS:
            self._write()

    def _write(self) -> None:
        try:
            self._db.executemany("INSERT INTO papers VALUES (?, ?)", self._papers)
        except sqlite3.IntegrityError as err:
            raise StoreError(f"a paper was added twice to the linking tables ({err}): papers must be distinct") from err
        self._db.executemany("INSERT INTO names VALUES (?, ?, ?, ?)", self._names)
        self._db.executemany("INSERT INTO forms VALUES (?, ?, ?)", self._forms)
        self._db.executemany("INSERT INTO shared VALUES (?, ?, ?)", self._shared)
        self._papers, self._names, self._forms, self._shared = [], [], [], []

    def remove_paper(self, key: str) -> set[Shared]:
        """Take a paper's rows out; returns the shared nodes they touched."""
        self._write()
        touched = {Shared("entity", e) for (e,) in self._db.execute("SELECT DISTINCT entity FROM names WHERE paper = ?",
                                                                     (key,))}
        touched |= {Shared(k, v) for k, v in self._db.execute("SELECT kind, value FROM shared WHERE paper = ?", (key,))}
        for table in ("papers", "names", "forms", "shared"):
            self._db.execute(f"DELETE FROM {table} WHERE {'key' if table == 'papers' else 'paper'} = ?", (key,))
        return touched

    def finish(self) -> None:
        """Write what is buffered and build the indexes."""
        self._write()
        self._db.executescript(_INDEXES)  # commits first
        self._db.execute("BEGIN")

    def close(self) -> None:
        """Commit and close (idempotent)."""
        if self._db is not None:
            self._write()
            if self._db.in_transaction:
                self._db.execute("COMMIT")
            self._db.close()
            self._db = None

    # -- reading -------------------------------------------------------------------------------------

    def record(self, key: str) -> str | None:
        """The record digest of the paper ``key`` (see :func:`record_digest`), or ``None`` if it is not in."""
        self._write()
        row = self._db.execute("SELECT record FROM papers WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def paper_count(self) -> int:
        self._write()
        return self._db.execute("SELECT COUNT(*) FROM papers").fetchone()[0]

    def entities(self) -> Iterator[Entity]:
        """Every entity, in key order, streamed (two sorted SQLite scans merged)."""
        self._write()
        names = self._db.execute("SELECT entity, name, COUNT(*), MAX(catalogued) FROM names GROUP BY entity, name "
                                 "ORDER BY entity, name")
        forms = self._db.cursor().execute("SELECT DISTINCT entity, form FROM forms ORDER BY entity, form")
        pending_form = next(forms, None)
        current: str | None = None
        counts: Counter = Counter()
        catalogue: set[str] = set()
        for entity, name, count, catalogued in names:
            if entity != current:
                if current is not None:
                    formset, pending_form = _take(forms, pending_form, current)
                    yield entity_from_names(current, counts, catalogue, formset)
                current, counts, catalogue = entity, Counter(), set()
            counts[name] = count
            if catalogued:
                catalogue.add(name)
        if current is not None:
            formset, pending_form = _take(forms, pending_form, current)
            yield entity_from_names(current, counts, catalogue, formset)

    def entity(self, key: str) -> Entity | None:
        """The entity ``key`` as the tables now make it, or ``None`` if no paper mentions it any more."""
        self._write()
        rows = self._db.execute("SELECT name, COUNT(*), MAX(catalogued) FROM names WHERE entity = ? GROUP BY name",
                                (key,)).fetchall()
        if not rows:
            return None
        forms = [f for (f,) in self._db.execute("SELECT DISTINCT form FROM forms WHERE entity = ?", (key,))]
        return entity_from_names(key, {n: c for n, c, _ in rows}, [n for n, _, cat in rows if cat], forms)

    def shared(self, kind: str) -> Iterator[str]:
        """The distinct values of the shared nodes of ``kind`` (``code`` or ``component``), sorted."""
        self._write()
        for (value,) in self._db.execute("SELECT DISTINCT value FROM shared WHERE kind = ? ORDER BY value", (kind,)):
            yield value

    def has_shared(self, node: Shared) -> bool:
        """Whether any paper still has the shared node ``node``."""
        if node.kind == "entity":
            return self.entity(node.value) is not None
        self._write()
        return self._db.execute("SELECT 1 FROM shared WHERE kind = ? AND value = ? LIMIT 1",
                                (node.kind, node.value)).fetchone() is not None


def _take(cursor, pending, entity: str) -> tuple[list[str], tuple | None]:
    """The forms of ``entity`` from a cursor sorted by entity, and the first row after them."""
    forms = []
    while pending is not None and pending[0] <= entity:
        if pending[0] == entity:
            forms.append(pending[1])
        pending = next(cursor, None)
    return forms, pending


def shared_nodes(lp: LinkedPaper, code_iris: Iterable[str]) -> set[Shared]:
    """The shared nodes of the entities graph that a linked paper touches."""
    return ({Shared("entity", row.key) for row in lp.names} | {Shared("code", i) for i in code_iris}
            | {Shared("component", c) for c in lp.components})


__all__ = ["LinkTables", "Shared", "TABLES_FILE", "record_digest", "shared_nodes"]
