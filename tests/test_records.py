"""kg.records: the keys that identify papers and names, Unicode-aware (NFKC, case folding, every script)."""
from __future__ import annotations

import re

import pytest

from kg.records import name_key, title_key
from kg.sources import read_sources


@pytest.mark.parametrize("a, b", [
    ("α-Net: Attention for Graphs", "β-Net: Attention for Graphs"),
    ("深度学习的图像识别方法", "自然语言处理的预训练模型"),
    ("Möbius Networks", "Mbius Networks"),
    ("Распознавание изображений", "Распознавание речи"),
])
def test_titles_that_differ_only_outside_ascii_have_different_keys(a, b):
    assert title_key(a) and title_key(b) and title_key(a) != title_key(b)


@pytest.mark.parametrize("a, b", [
    ("ＢＥＲＴ Ｒｅｖｉｓｉｔｅｄ", "BERT revisited"),  # fullwidth forms (NFKC)
    ("Eﬃcient Transformers", "Efficient Transformers"),  # a ligature (NFKC)
    ("STRASSE Models", "Straße Models"),  # case folding, not lower()
    ("Mo\u0308bius Networks", "Möbius Networks"),  # decomposed and composed
    ("Consistency Models — Revisited", "consistency models: revisited"),  # punctuation does not count
])
def test_titles_that_are_the_same_words_have_one_key(a, b):
    assert title_key(a) == title_key(b)


def test_ascii_keys_are_what_they_were_so_existing_iris_do_not_change():
    """Every bundled title and a sample of names with only ASCII letters keep the key (and the IRI) of the
    ASCII-only normalisation; only titles with letters outside ASCII change (2 of the 468 bundled)."""
    old = lambda t: re.sub(r"[^a-z0-9]+", "", t.lower())  # noqa: E731
    titles = [p.title for p in read_sources(None)]
    changed = [t for t in titles if title_key(t) != old(t)]
    assert len(titles) == 468
    assert all(not re.sub(r"[^\w]", "", t).isascii() for t in changed)
    assert len(changed) == 2
    for name in ("Vision Transformers", "R&D", "ResNet-50", "ImageNet-1K", "GPT-4o"):
        words = re.findall(r"[a-z0-9]+", name.lower().replace("&", "and"))
        assert name_key(name) == "".join(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
                                         for w in words)


def test_names_in_other_scripts_are_distinct_entities():
    assert name_key("α-Net") != name_key("β-Net") != name_key("Net")
    assert name_key("Fleiss’ κ") != name_key("Fleiss")


def test_docstring_examples_run():
    import doctest

    import kg.records

    assert doctest.testmod(kg.records).failed == 0
