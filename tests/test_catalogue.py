"""The catalogue data file and its lookups (kg/catalogue.py: pure Python, no spaCy)."""
from __future__ import annotations

import json
from collections import defaultdict

import pytest

from kg.catalogue import DEFAULT_PATH, TYPES, is_case_sensitive, key, load_catalogue, surface_variants
from kg.errors import SourceError


@pytest.fixture(scope="module")
def cat():
    return load_catalogue()


def test_data_file_is_well_formed_json_lines_with_valid_types():
    lines = [l for l in DEFAULT_PATH.read_text(encoding="utf-8").splitlines() if l.strip()]
    assert len(lines) >= 500
    for no, line in enumerate(lines, 1):
        rec = json.loads(line)
        assert rec["type"] in TYPES, (no, rec)
        assert isinstance(rec["name"], str) and rec["name"].strip() == rec["name"] != ""
        assert isinstance(rec.get("aliases", []), list)


def test_no_alias_is_shared_by_two_entries_of_the_same_type(cat):
    owners = defaultdict(set)
    for e in cat:
        for n in e.names:
            owners[(e.type, n.lower())].add(e.name)
    clashes = {k: v for k, v in owners.items() if len(v) > 1}
    assert not clashes


def test_no_two_entries_have_the_same_type_and_name(cat):
    seen = [(e.type, e.name) for e in cat]
    assert len(seen) == len(set(seen))


def test_every_type_is_represented(cat):
    assert {e.type for e in cat} == set(TYPES)


@pytest.mark.parametrize("name,type_,canonical", [
    ("ImageNet", "Dataset", "ImageNet"),
    ("ImageNet-1k", "Dataset", "ImageNet-1K"),
    ("cifar10", "Dataset", "CIFAR-10"),
    ("ImageNetV2", "Dataset", "ImageNetV2"),
    ("ImageNet-C", "Dataset", "ImageNet-C"),
    ("ViTs", "Architecture", "Vision Transformer"),
    ("ResNet50", "Architecture", "ResNet-50"),
    ("ResNet-101", "Architecture", "ResNet-101"),
    ("U-Net", "Architecture", "U-Net"),
    ("GPT-4", "Architecture", "GPT-4"),
    ("Stable Diffusion", "Architecture", "Stable Diffusion"),
    ("Adam", "Method", "Adam"),
    ("LoRA", "Method", "LoRA"),
    ("classifier-free guidance", "Method", "classifier-free guidance"),
    ("FID", "Metric", "FID"),
    ("Inception Score", "Metric", "Inception Score"),
    ("mIoU", "Metric", "mIoU"),
    ("semantic segmentation", "Task", "semantic segmentation"),
])
def test_widely_known_names_are_found_with_their_type(cat, name, type_, canonical):
    entry = cat.lookup(name)
    assert entry is not None and entry.type == type_ and entry.name == canonical


def test_distinct_variants_stay_distinct(cat):
    assert cat.lookup("ResNet-50").name != cat.lookup("ResNet-101").name
    assert cat.lookup("ImageNetV2").name != cat.lookup("ImageNet").name
    assert cat.lookup("ImageNet-C").name != cat.lookup("ImageNet").name


def test_lookup_by_type_and_unknown_names(cat):
    assert cat.lookup("ImageNet", "Method") is None
    assert cat.lookup("SlimFlow") is None  # a name one paper coins is never catalogued


def test_surface_variants_cover_hyphens_and_plurals():
    assert surface_variants("CIFAR-10") == ["CIFAR-10", "CIFAR 10", "CIFAR10"]
    assert "diffusion models" in surface_variants("diffusion model")
    assert "UNet" in surface_variants("U-Net")
    assert surface_variants("GPT-4") == ["GPT-4", "GPT 4", "GPT4"]  # no plural of a version number
    assert "CNNs" in surface_variants("CNN")


def test_acronyms_match_case_sensitively_long_names_do_not():
    assert is_case_sensitive("CLIP") and is_case_sensitive("PASS") and is_case_sensitive("ViT")
    assert not is_case_sensitive("ImageNet") and not is_case_sensitive("knowledge distillation")


def test_key_is_the_scorer_normalisation():
    assert key("Vision Transformers") == key("vision-transformer") == "visiontransformer"


def test_a_malformed_line_names_file_and_line(tmp_path):
    bad = tmp_path / "cat.jsonl"
    bad.write_text('{"type": "Dataset", "name": "X"}\n{"type": "Gadget", "name": "Y"}\n', encoding="utf-8")
    with pytest.raises(SourceError, match=r"cat.jsonl:2: type 'Gadget'"):
        load_catalogue(bad)


def test_a_missing_file_is_a_source_error(tmp_path):
    with pytest.raises(SourceError, match="cannot read the catalogue"):
        load_catalogue(tmp_path / "nope.jsonl")
