"""kg.atomic: files reach the disk before they are renamed into place; the write lock is filelock's."""
from __future__ import annotations

import os

import pytest
from filelock import FileLock

import kg.atomic
from kg.atomic import DirectoryBusyError, atomic_dir, atomic_file, dir_lock


def _trace(monkeypatch) -> list[tuple[str, str]]:
    """Record fsync (of what path) and replace calls, in order."""
    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        return real_fsync(fd)

    def replace(src, dst):
        events.append(("replace", str(dst)))
        return real_replace(src, dst)

    monkeypatch.setattr(kg.atomic.os, "fsync", fsync)
    monkeypatch.setattr(kg.atomic.os, "replace", replace)
    return events


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc to name a file descriptor")
def test_an_atomic_file_is_synced_before_its_rename_and_its_directory_after(tmp_path, monkeypatch):
    events = _trace(monkeypatch)
    with atomic_file(tmp_path / "graph.ttl") as f:
        f.write("data")
    assert [e[0] for e in events] == ["fsync", "replace", "fsync"]
    assert events[0][1].startswith(str(tmp_path / ".graph.ttl."))  # the temporary file, complete
    assert events[1][1] == str(tmp_path / "graph.ttl")
    assert events[2][1] == str(tmp_path)  # then the directory entry


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc to name a file descriptor")
def test_an_atomic_directory_is_synced_before_it_is_swapped_in(tmp_path, monkeypatch):
    events = _trace(monkeypatch)
    with atomic_dir(tmp_path / "store") as tmp:
        (tmp / "data").write_text("v1")
    first_replace = next(i for i, e in enumerate(events) if e[0] == "replace")
    synced = {p for op, p in events[:first_replace] if op == "fsync"}
    assert str(tmp / "data") in synced and str(tmp) in synced
    assert events[-1] == ("fsync", str(tmp_path))


def test_the_write_lock_is_a_filelock_lock(tmp_path):
    with FileLock(tmp_path / ".store.lock", timeout=0):  # what another process, on any platform, would hold
        with pytest.raises(DirectoryBusyError, match="being written by another process"):
            with dir_lock(tmp_path / "store"):
                pass
    with dir_lock(tmp_path / "store"):  # released: free again
        pass
