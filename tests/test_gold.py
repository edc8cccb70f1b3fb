"""Gold annotations become training spans (kg/nlp/gold.py) and `kg train --check` reports what cannot."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.errors import SourceError
from kg.nlp.gold import GoldEntity, GoldPaper, find_forms, gold_spans, read_gold

ROOT = Path(__file__).parent.parent
GOLD_DIR = ROOT / "training" / "gold"


def _tokens(text: str):
    import spacy

    from kg.nlp import tokenizer  # noqa: F401

    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "paperkg.tokenizer.v1"}}})
    return [(t.idx, t.idx + len(t.text)) for t in nlp.make_doc(text)]


def test_every_mention_of_a_name_and_its_aliases_is_a_span_and_the_longer_overlap_wins():
    # a real abstract sentence of the training set (Analog Bits, sample corpus)
    p = GoldPaper("x", "Analog Bits: Generating Discrete Data using Diffusion Models with Self-Conditioning",
                  "We present Bit Diffusion: a simple and generic approach for generating discrete data with "
                  "continuous state and continuous time diffusion models. The main idea is to train a continuous "
                  "diffusion model to model these bits as real numbers.",
                  (GoldEntity("Bit Diffusion", (), "Method", "proposed"),
                   GoldEntity("diffusion models", ("diffusion model", "continuous diffusion model"), "Architecture", "used"),
                   GoldEntity("Diffusion", (), "Method", "used")))
    spans = gold_spans(p, _tokens(p.text)).spans
    found = [(p.text[s:e], label) for s, e, label, _ in spans]
    assert ("Bit Diffusion", "METHOD") in found
    assert ("Diffusion Models", "ARCHITECTURE") in found  # title, another case of a 4+ letter form
    assert ("continuous diffusion model", "ARCHITECTURE") in found  # longer than "diffusion model" inside it
    assert ("diffusion models", "ARCHITECTURE") in found
    assert not any(label == "METHOD" and text == "Diffusion" for text, label in found)  # inside longer spans
    starts = [s for s, *_ in spans]
    assert starts == sorted(starts)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))  # no overlaps


def test_short_all_capital_forms_keep_their_case_and_urls_do_not_count():
    text = "SAM segments anything; we sam-ple. Code: https://github.com/x/SAM"
    assert find_forms(text, ["SAM"]) == [(0, 3)]
    assert find_forms("Image classification and image classification", ["image classification"]) == [(0, 20), (25, 45)]


def test_a_form_inside_a_token_is_left_out_and_an_unwritten_entity_is_reported():
    p = GoldPaper("x", "T", "We pretrain on ImageNet-1K.", (GoldEntity("ImageNet", (), "Dataset", "used"),
                                                            GoldEntity("COCO", (), "Dataset", "used")))
    g = gold_spans(p, _tokens(p.text))
    assert g.spans == ()  # "ImageNet" is part of the token "ImageNet-1K"
    assert [e.name for e in g.missing] == ["COCO"]


@pytest.mark.parametrize("line, message", [
    ("{", "not valid JSON"),
    ('{"title": "T", "abstract": "A", "entities": [{"name": "X", "type": "Model", "role": "used"}]}', "type 'Model'"),
    ('{"title": "T", "abstract": "A", "entities": [{"name": "X", "type": "Method"}]}', "needs a role"),
    ('{"title": "T", "abstract": "A", "entities": [{"name": "X", "type": "Task", "role": "used"}]}', "takes no role"),
    ('{"title": "T", "entities": []}', "without an 'abstract'"),
])
def test_a_malformed_gold_record_is_one_error_naming_file_and_line(tmp_path, line, message):
    path = tmp_path / "gold.jsonl"
    path.write_text('{"title": "Fine", "abstract": "A", "entities": []}\n' + line + "\n")
    with pytest.raises(SourceError) as err:
        list(read_gold(path))
    assert f"{path}:2" in str(err.value) and message in str(err.value)


def test_the_repository_gold_reads_and_every_name_is_in_its_text():
    papers = [g for f in sorted(GOLD_DIR.glob("*.jsonl")) for g in read_gold(f)]
    assert len(papers) >= 500
    assert all(g.source and g.licence for g in papers)
    missing = [(g.id, e.name) for g in papers for e in gold_spans(g).missing]
    # a handful of scraping artefacts (words run together: "onWeb Snippets"), reported by kg train --check
    assert len(missing) <= sum(len(g.entities) for g in papers) / 1000, missing


def test_kg_train_check_lists_an_unwritten_entity_with_file_and_line_and_exits_1(tmp_path):
    path = tmp_path / "gold.jsonl"
    rec = {"id": "p1", "title": "SlimFlow: one-step models", "abstract": "We train SlimFlow on CIFAR-10.",
           "source": "test", "licence": "CC0",
           "entities": [{"name": "SlimFlow", "aliases": [], "type": "Method", "role": "proposed"},
                        {"name": "CIFAR-100", "aliases": [], "type": "Dataset", "role": "used"}]}
    path.write_text(json.dumps(rec) + "\n")
    proc = subprocess.run([sys.executable, "-m", "kg", "train", str(path), "--check"], capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    assert f"{path}:1: paper p1: Dataset 'CIFAR-100'" in proc.stdout
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    proc = subprocess.run([sys.executable, "-m", "kg", "train", str(bad), "--check"], capture_output=True, text=True)
    assert proc.returncode == 2 and f"{bad}:1" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_kg_train_stops_on_a_bad_unlabelled_file_with_one_line_naming_file_and_line(tmp_path):
    path = tmp_path / "gold.jsonl"
    rec = {"id": "p1", "title": "SlimFlow: one-step models", "abstract": "We train SlimFlow on CIFAR-10.",
           "source": "test", "licence": "CC0",
           "entities": [{"name": "SlimFlow", "aliases": [], "type": "Method", "role": "proposed"}]}
    path.write_text(json.dumps(rec) + "\n")
    bad = tmp_path / "unlabelled.jsonl"
    bad.write_text(json.dumps({"title": "A", "abstract": "Text."}) + "\n" + json.dumps({"title": "B"}) + "\n")
    proc = subprocess.run([sys.executable, "-m", "kg", "train", str(path), "--unlabeled", str(bad), "--out",
                           str(tmp_path / "model")], capture_output=True, text=True)
    assert proc.returncode == 2 and f"{bad}:2" in proc.stderr and "no abstract" in proc.stderr, proc.stderr
    assert not (tmp_path / "model").exists()
