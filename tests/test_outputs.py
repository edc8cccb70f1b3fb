"""kg.outputs: an output folder's three outputs are staged in a generation and swapped in together.

The end-to-end tests (kg add / kg build killed at each step, older folders moved in, readers repairing a
half-done swap) are in test_incremental.py; these check the folder on its own."""
from __future__ import annotations

import doctest
import os

import pytest

import kg.outputs
from kg.outputs import OutputFolder


def _write(gen_path, text: str) -> None:
    (gen_path / "store").mkdir()
    (gen_path / "store" / "CURRENT").write_text(text)
    for name in ("graph.ttl", "explorer.html"):
        (gen_path / name).write_text(text)


def _read(out) -> tuple[str, str, str]:
    return tuple((out / p).read_text() for p in ("store/CURRENT", "graph.ttl", "explorer.html"))


def test_a_failed_write_leaves_the_three_outputs_and_no_generation(tmp_path):
    out = OutputFolder(tmp_path / "out")
    with out.writing() as gen:
        _write(gen.path, "v1")
    with pytest.raises(KeyboardInterrupt):
        with out.writing() as gen:
            _write(gen.path, "v2")
            raise KeyboardInterrupt
    assert _read(out.path) == ("v1", "v1", "v1")
    assert sorted(os.listdir(out.generations)) == ["current", os.readlink(out.generations / "current")]


def test_an_interrupt_after_the_switch_keeps_the_new_generation(tmp_path, monkeypatch):
    out = OutputFolder(tmp_path / "out")
    with out.writing() as gen:
        _write(gen.path, "v1")
    real = kg.outputs._switch

    def switch_then_ctrl_c(*args):
        real(*args)
        raise KeyboardInterrupt

    monkeypatch.setattr(kg.outputs, "_switch", switch_then_ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        with out.writing() as gen:
            _write(gen.path, "v2")
    assert _read(out.path) == ("v2", "v2", "v2")


def test_a_discarded_generation_changes_nothing(tmp_path):
    out = OutputFolder(tmp_path / "out")
    with out.writing() as gen:
        _write(gen.path, "v1")
    current = os.readlink(out.generations / "current")
    with out.writing() as gen:
        gen.discard = True
    assert os.readlink(out.generations / "current") == current and _read(out.path) == ("v1", "v1", "v1")
    assert sorted(os.listdir(out.generations)) == ["current", current]


def test_a_reader_makes_missing_links_and_keeps_a_file_written_there_since(tmp_path):
    """What a kill before the links leaves is repaired by any reader (kg.outputs.recover, which Store.open and
    kg.load call); a file the user wrote over a link since (`kg view --out out/explorer.html`) stays."""
    out = OutputFolder(tmp_path / "out")
    with out.writing() as gen:
        _write(gen.path, "v1")
    (out.path / "graph.ttl").unlink()
    (out.path / "explorer.html").unlink()
    (out.path / "explorer.html").write_text("mine")
    kg.outputs.recover(out.path / "store")
    assert _read(out.path) == ("v1", "v1", "mine")
    with out.writing() as gen:  # the next write replaces it, as a build replaces explorer.html
        _write(gen.path, "v2")
    assert _read(out.path) == ("v2", "v2", "v2")


def test_docstring_examples_run():
    assert doctest.testmod(kg.outputs, optionflags=doctest.ELLIPSIS).failed == 0
    assert doctest.testmod(kg.atomic, optionflags=doctest.ELLIPSIS).failed == 0
