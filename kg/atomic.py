"""Write outputs so that a failure never leaves a half-written file or directory behind.

Everything paperkg writes goes to a temporary sibling first, is flushed to disk (``fsync``) and renamed
into place only once complete (``os.replace`` is atomic on POSIX for files on one filesystem); the
directory is synced after the rename, so that a power cut leaves the old file or the new one, whole.
The write lock of a directory is a :mod:`filelock` lock (``fcntl`` on POSIX, ``msvcrt`` on Windows).
"""
from __future__ import annotations

import contextlib
import glob
import os
import shutil
import tempfile
from pathlib import Path
from typing import IO, Iterator


def fsync_dir(path: str | os.PathLike) -> None:
    """Flush directory ``path``'s entries (a rename or a new file in it) to disk; a no-op where directories
    cannot be opened (Windows)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on a directory: nothing more can be done there
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temporary file beside ``path``; on success rename it to ``path``, on error delete it.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_file(p) as f:
    ...     _ = f.write("hello")
    >>> p.read_text()
    'hello'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    if "b" in mode:
        encoding = None
    try:
        with os.fdopen(fd, mode, encoding=encoding) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600 files; give what open() would
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def fsync_tree(path: str | os.PathLike) -> None:
    """Flush every file and directory under ``path`` to disk (before a rename makes it visible)."""
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                fd = os.open(os.path.join(root, name), os.O_RDONLY)
            except OSError:
                continue
            try:
                os.fsync(fd)
            except OSError:
                pass
            finally:
                os.close(fd)
        fsync_dir(root)


class DirectoryBusyError(OSError):
    """Another process is writing the directory (it holds the directory's lock)."""


@contextlib.contextmanager
def dir_lock(path: str | os.PathLike) -> Iterator[None]:
    """Hold the exclusive write lock of directory ``path`` (a ``.NAME.lock`` file beside it).

    The operating system releases the lock when the holder exits, even on ``kill -9``, so a crashed
    writer never leaves the directory locked. Under the lock, :func:`recover_dir` undoes what a crash
    of an earlier writer left behind.

    Raises: DirectoryBusyError if another process holds the lock.
    """
    from filelock import FileLock, Timeout

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(path.parent / f".{path.name}.lock", timeout=0, mode=0o666 & ~_umask())
    try:
        lock.acquire()
    except Timeout:
        raise DirectoryBusyError(f"{path} is being written by another process; wait for it to finish") from None
    try:
        recover_dir(path)
        yield
    finally:
        lock.release()


def recover_dir(path: str | os.PathLike) -> bool:
    """Undo what an interrupted :func:`atomic_dir` left beside ``path``; call it holding :func:`dir_lock`.

    A writer killed between its two renames leaves ``path`` missing and the previous directory in
    ``.NAME.*.old/NAME``: that directory is moved back. Temporary ``.NAME.*.tmp`` and ``.NAME.*.old``
    directories of killed writers are deleted. Returns whether ``path`` was restored.
    """
    path = Path(path)
    restored = False
    olds = sorted(path.parent.glob(f".{glob.escape(path.name)}.*.old"))
    if not path.exists():
        for old in olds:
            if (old / path.name).is_dir():
                os.replace(old / path.name, path)
                restored = True
                break
    for stale in olds + sorted(path.parent.glob(f".{glob.escape(path.name)}.*.tmp")):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
    return restored


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a fresh temporary directory beside ``path``; on success it replaces ``path``.

    Holds :func:`dir_lock` throughout, so two writers never interleave. The old directory (if any) is
    moved aside and deleted only after the new one is in place; on error (or Ctrl-C) the temporary
    directory is deleted and ``path`` is left as it was. After a ``kill -9`` the next writer (or
    :func:`recover_dir`) cleans up, and puts the old directory back if the kill came between the renames.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()) / "store"
    >>> with atomic_dir(d) as tmp:
    ...     _ = (tmp / "data").write_text("v1")
    >>> (d / "data").read_text(), sorted(p.name for p in d.parent.iterdir())
    ('v1', ['.store.lock', 'store'])
    """
    path = Path(path)
    with dir_lock(path):
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
        try:
            yield tmp
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 0700 directories; give what mkdir would
        fsync_tree(tmp)
        old = None
        try:
            if path.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent))
                os.replace(path, old / path.name)
            os.replace(tmp, path)
            fsync_dir(path.parent)
        except BaseException:  # e.g. Ctrl-C between the renames: put the old directory back
            recover_dir(path)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
