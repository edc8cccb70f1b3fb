"""An output folder (``kg build --out DIR``): ``graph.ttl``, ``store/`` and ``explorer.html`` as ONE unit.

Each write (``kg build``, ``kg add``) stages all three in a new *generation* folder that nothing reads yet, and
makes it current with ONE atomic rename of a symbolic link; the user-visible paths are fixed links through it::

    DIR/.paperkg/gen-XXXX/{store/, graph.ttl, explorer.html}   a generation
    DIR/.paperkg/current -> gen-XXXX                            the one switch (replaced by os.replace)
    DIR/store -> .paperkg/current/store                         fixed links: DIR/store, DIR/graph.ttl and
    DIR/graph.ttl -> .paperkg/current/graph.ttl                 DIR/explorer.html always show the three
    DIR/explorer.html -> .paperkg/current/explorer.html         files of one generation
    DIR/.store.lock                                             the write lock (kg.atomic.dir_lock)

So ``kill -9`` at any moment leaves the three old or the three new. The next writer deletes what a killed
one left (other generations, temporary files), and every command (:func:`recover`, called by
``Store.open`` and ``kg.load``) first repairs what a kill left half-done: missing links, or the one-time
move of a folder written by an older paperkg (the three at the top level) into a generation.
Symbolic links need POSIX (or Windows with the right to make them).
"""
from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .atomic import DirectoryBusyError, dir_lock, fsync_dir, fsync_tree

log = logging.getLogger(__name__)

#: The output folder's files (kg.knowledge_graph re-exports them).
GRAPH_FILE = "graph.ttl"
EXPLORER_FILE = "explorer.html"
STORE_DIR = "store"
OUTPUT_NAMES = (STORE_DIR, GRAPH_FILE, EXPLORER_FILE)
#: Hidden folder of the generations, and the link in it naming the current one.
GENERATIONS = ".paperkg"
CURRENT = "current"
#: The generation an older paperkg's folder (the three outputs at the top level) is moved into.
LEGACY = "gen-legacy"
#: Where an older paperkg staged graph.ttl and explorer.html inside a new store (kept to recover its kills).
_OLD_STAGING = "paperkg-outputs"


@dataclass
class Generation:
    """What :meth:`OutputFolder.writing` yields: ``path``, the new generation's folder (write ``store/``,
    ``graph.ttl`` and ``explorer.html`` into it); ``previous``, the current generation's folder, or ``None``
    in a new output folder. Set ``discard`` to throw the new generation away (nothing changed)."""

    path: Path
    previous: Path | None
    discard: bool = False


class OutputFolder:
    """The output folder ``path`` (see the module docstring).

    >>> import tempfile, pathlib
    >>> out = OutputFolder(pathlib.Path(tempfile.mkdtemp()) / "out")
    >>> with out.writing() as gen:
    ...     for name in ("graph.ttl", "explorer.html"):
    ...         _ = (gen.path / name).write_text("v1")
    ...     (gen.path / "store").mkdir()
    >>> (out.path / "graph.ttl").read_text(), sorted(p.name for p in out.path.iterdir())
    ('v1', ['.paperkg', '.store.lock', 'explorer.html', 'graph.ttl', 'store'])
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.generations = self.path / GENERATIONS

    def current(self) -> Path | None:
        """The current generation's folder, or ``None`` (a new folder, or one an older paperkg wrote)."""
        link = self.generations / CURRENT
        if not link.is_symlink():
            return None
        target = self.generations / os.readlink(link)
        return target if target.is_dir() else None

    @contextlib.contextmanager
    def writing(self) -> Iterator[Generation]:
        """Hold the folder's write lock, repair and clean what killed writers left, and yield a new
        :class:`Generation`; when the block completes it becomes current (one rename), and the previous one is
        deleted. On an error, Ctrl-C or ``kill -9`` the folder's outputs stay as they were.

        Raises: DirectoryBusyError (an OSError) if another process is writing the folder.
        """
        self.path.mkdir(parents=True, exist_ok=True)
        with dir_lock(self.path / STORE_DIR):
            self._check()
            self._repair()
            self._clean()
            self.generations.mkdir(exist_ok=True)
            gen = Generation(Path(tempfile.mkdtemp(prefix="gen-", dir=self.generations)), self.current())
            try:
                yield gen
                if not gen.discard:
                    os.chmod(gen.path, 0o777 & ~_umask())  # mkdtemp makes 0700 folders; give what mkdir would
                    fsync_tree(gen.path)
                    _switch(self.generations, gen.path.name)
            except BaseException:
                if self.current() != gen.path:  # (an interrupt just after the switch: the new one is current)
                    shutil.rmtree(gen.path, ignore_errors=True)
                raise
            if gen.discard:
                shutil.rmtree(gen.path, ignore_errors=True)
                return
            self._link()
            self._clean()

    def repair(self) -> None:
        """Finish what a writer killed mid-way left (links, the move of an older folder): what every command
        does before it reads. Cheap when nothing is wrong (a few ``lstat``); otherwise takes the write lock
        for a moment, and does nothing if a writer holds it (that writer repairs the folder itself)."""
        if self._healthy():
            return
        try:
            with dir_lock(self.path / STORE_DIR):
                self._repair(relink=False)  # a file put there since (e.g. by `kg view --out`) stays
        except DirectoryBusyError:
            pass

    # -- under the lock --------------------------------------------------------------------------------

    def _healthy(self) -> bool:
        if not self.generations.is_dir():
            return True  # a new folder, or an older paperkg's: nothing to finish
        if self.current() is None:
            return not (self.generations / LEGACY).is_dir()
        return all(os.path.lexists(self.path / name) for name in OUTPUT_NAMES)

    def _repair(self, *, relink: bool = True) -> None:
        from .store import is_store

        store = self.path / STORE_DIR
        legacy = is_store(store) and not store.is_symlink()
        if self.current() is None and (legacy or (self.generations / LEGACY).is_dir()):
            self._adopt_legacy()
        if self.current() is not None:
            self._link(only_missing=not relink)

    def _adopt_legacy(self) -> None:
        """Move the three outputs an older paperkg wrote at the top level into a generation, made current.
        Each step can be repeated, so a kill half-way is finished by the next run."""
        legacy = self.generations / LEGACY
        legacy.mkdir(parents=True, exist_ok=True)
        store = self.path / STORE_DIR
        if store.is_dir() and not store.is_symlink() and not (legacy / STORE_DIR).exists():
            os.replace(store, legacy / STORE_DIR)
        staged = legacy / STORE_DIR / _OLD_STAGING
        if staged.is_dir():  # an older writer killed after its store's swap: these files go with that store
            for name in (GRAPH_FILE, EXPLORER_FILE):
                if (staged / name).is_file():
                    os.replace(staged / name, legacy / name)
            shutil.rmtree(staged, ignore_errors=True)
        for name in (GRAPH_FILE, EXPLORER_FILE):
            top = self.path / name
            if top.is_file() and not top.is_symlink() and not (legacy / name).exists():
                os.replace(top, legacy / name)
        fsync_dir(legacy)
        fsync_dir(self.path)
        _switch(self.generations, LEGACY)
        self._link()
        log.info("moved the outputs in %s into %s", self.path, legacy)

    def _check(self) -> None:
        """Refuse, before anything is read or written, a folder whose outputs' paths hold something else
        (OptionError: exit status 2, a bad ``--out``)."""
        from .errors import OptionError as StoreError  # a bad --out: the user's to fix
        from .store import is_store

        for name in OUTPUT_NAMES:
            path = self.path / name
            if path.is_symlink() or not path.exists():
                continue
            if name == STORE_DIR:
                if not path.is_dir():
                    raise StoreError(f"{path} is a file, not a store directory; choose another output folder")
                if not is_store(path) and any(path.iterdir()):
                    raise StoreError(f"refusing to replace {path}: it is a non-empty directory that is not a "
                                     "paperkg store; choose another output folder")
            elif not path.is_file():
                raise StoreError(f"refusing to replace {path}: it is not a file (a directory?); move it away or "
                                 "choose another output folder")

    def _link(self, *, only_missing: bool = False) -> None:
        """Make ``DIR/NAME`` the link to ``.paperkg/current/NAME`` for each output (replacing a file, or an
        empty directory, there, unless ``only_missing``)."""
        for name in OUTPUT_NAMES:
            path, target = self.path / name, _link_target(name)
            if _is_link_to(path, target) or only_missing and os.path.lexists(path):
                continue
            if path.is_dir() and not path.is_symlink():
                path.rmdir()  # empty (checked before anything was written); a store was moved into a generation
            tmp = self.path / f".{name}.link.tmp"
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            os.symlink(target, tmp)
            os.replace(tmp, path)
        fsync_dir(self.path)

    def _clean(self) -> None:
        """Delete what killed writers left: generations that are not current, temporary files and links."""
        current = self.current()
        if self.generations.is_dir():
            for p in self.generations.iterdir():
                if p.name == CURRENT or (current is not None and p.name == current.name):
                    continue
                if current is None and p.name == LEGACY:
                    continue
                if p.is_dir() and not p.is_symlink():
                    shutil.rmtree(p, ignore_errors=True)
                else:
                    p.unlink(missing_ok=True)
        for pattern in (f".{GRAPH_FILE}.*.tmp", f".{EXPLORER_FILE}.*.tmp", ".*.link.tmp"):
            for p in self.path.glob(pattern):
                if p.is_file() or p.is_symlink():
                    p.unlink(missing_ok=True)


def _link_target(name: str) -> str:
    return os.path.join(GENERATIONS, CURRENT, name)


def _is_link_to(path: Path, target: str) -> bool:
    return path.is_symlink() and os.readlink(path) == target


def _switch(generations: Path, name: str) -> None:
    """Point ``current`` at generation ``name``: a new link renamed over the old one (atomic)."""
    tmp = generations / f".{CURRENT}.{os.getpid()}.tmp"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(name, tmp)
    os.replace(tmp, generations / CURRENT)
    fsync_dir(generations)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def folder_of(path: str | os.PathLike) -> OutputFolder | None:
    """The output folder that ``path`` (the folder itself, or its ``store``, ``graph.ttl`` or
    ``explorer.html``) belongs to, if it is one paperkg wrote with generations; else ``None``.

    >>> folder_of("/nonexistent/out/store") is None
    True
    """
    path = Path(path)
    for folder in (path, path.parent):
        if (folder / GENERATIONS).is_dir() and (folder == path or path.name in OUTPUT_NAMES):
            return OutputFolder(folder)
    return None


def recover(path: str | os.PathLike) -> None:
    """Repair the output folder of ``path`` (see :func:`folder_of`) if a killed writer left it half-done;
    what every command does before it reads. A no-op for anything else."""
    folder = folder_of(path)
    if folder is not None:
        folder.repair()


__all__ = ["OutputFolder", "Generation", "folder_of", "recover", "GRAPH_FILE", "EXPLORER_FILE", "STORE_DIR",
           "GENERATIONS", "CURRENT"]
