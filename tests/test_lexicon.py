"""The lexicon of names the gold papers use (kg/nlp/lexicon.py): who enters, what it counts, where its candidates
come from in cross-validation, and that it ships inside the resolver, on the repository's real gold papers."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.nlp import train as training
from kg.nlp.lexicon import COMPONENT, MIN_PAPERS, Lexicon, learn_lexicon
from kg.nlp.resolve import RESOLVER_FILE, Resolver, title_candidates
from kg.records import name_key, title_key

ROOT = Path(__file__).parent.parent


def _gold_titles(papers) -> dict[str, set[str]]:
    """name key -> the distinct titles of the papers that have it as a gold entity."""
    out: dict[str, set[str]] = {}
    for g in papers:
        for e in g.entities:
            for k in {name_key(f) for f in e.forms} - {""}:
                out.setdefault(k, set()).add(title_key(g.title))
    return out


@pytest.fixture(scope="module")
def gold():
    """The 300 papers of training/gold/train.jsonl, tokenised as kg train tokenises them."""
    papers, _ = training.read_training_gold([ROOT / "training" / "gold" / "train.jsonl"])
    nlp = training._blank()
    docs, _ = training.docs_from_gold(papers, nlp)
    return papers, docs, nlp


def test_only_names_of_two_or_more_papers_enter_with_their_type_shares_and_keyphraseness(gold):
    papers, docs, nlp = gold
    lex = learn_lexicon(papers, docs, nlp)
    titles = _gold_titles(papers)
    assert 100 < len(lex) < len(titles)
    assert all(len(titles[k]) >= MIN_PAPERS for k in lex.entries)
    single = [k for k, t in titles.items() if len(t) == 1]
    assert single and not set(single) & set(lex.entries)  # no name coined by a single paper
    # a paper read twice is still one paper
    coined = next(g for g in papers if any(name_key(e.name) in single for e in g.entities))
    twice = learn_lexicon(papers + [coined], docs + [docs[papers.index(coined)]], nlp)
    assert not set(single) & set(twice.entries)
    # ImageNet: a Dataset wherever it is gold; keyphraseness = papers linking it / papers whose text has it
    entry = lex.entries["imagenet"]
    assert entry.shares == {"Dataset": 1.0}
    # (a hyphenated compound is one token and its own name: "ImageNet-1k" does not contain ImageNet)
    has = [bool(re.search(r"(?<![\w-])imagenets?(?![\w-])", g.text, re.I)) for g in papers]
    links = ["imagenet" in {name_key(f) for e in g.entities for f in e.forms} for g in papers]
    assert entry.keyphraseness == pytest.approx(sum(h and k for h, k in zip(has, links)) / sum(has))
    assert 0 < entry.keyphraseness < 1


def test_each_paper_gets_candidates_only_from_the_lexicon_of_the_other_folds(gold):
    papers, docs, nlp = gold
    folds = training.source_folds(papers, 2)
    lexicons, cands = training.lexicon_candidates(papers, docs, folds, nlp)
    only_fold0 = {k for k, t in _gold_titles([g for g, f in zip(papers, folds) if f == 0]).items() if len(t) >= 2}
    only_fold0 -= set(_gold_titles([g for g, f in zip(papers, folds) if f == 1]))
    assert only_fold0 and not only_fold0 & set(lexicons[0].entries)
    assert only_fold0 & set(lexicons[1].entries)
    for g, f, cs in zip(papers, folds, cands):
        assert all(c.component == COMPONENT for c in cs)
        if f == 0:
            assert not {name_key(g.text[c.start:c.end]) for c in cs} & only_fold0
    assert sum(map(len, cands)) > len(papers)  # the lexicons do find names in unseen papers


def test_the_lexicon_travels_in_the_resolvers_json(gold):
    papers, docs, nlp = gold
    lex = learn_lexicon(papers, docs, nlp)
    r = Resolver(("none", "Dataset"), {"bias": (0.0, 0.0)}, {}, lexicon=lex)
    again = Resolver.from_json(r.to_json())
    assert again.lexicon.to_dict() == lex.to_dict()
    assert Resolver.from_json(Resolver(("none", "Dataset"), {"bias": (0.0, 0.0)}, {}).to_json()).lexicon is None


def test_the_shipped_lexicon_holds_no_name_that_a_single_training_paper_uses():
    shipped = Resolver.load(RESOLVER_FILE).lexicon
    assert isinstance(shipped, Lexicon) and len(shipped) > 500
    papers, _ = training.read_training_gold([ROOT / "training" / "gold"])
    titles = _gold_titles(papers)
    assert all(len(titles.get(k, ())) >= MIN_PAPERS for k in shipped.entries)


def test_the_pipeline_links_names_of_its_lexicon_and_says_the_resolver_found_them():
    import kg.nlp
    from kg.catalogue import surface_variants
    from kg.sources import read_sources

    nlp = kg.nlp.load()
    lexicon = Resolver.load(RESOLVER_FILE).lexicon
    variants = {name_key(v) for e in lexicon.entries.values() for f in e.forms for v in surface_variants(f)}
    papers = list(read_sources(None))[:60]
    found = []
    for doc in nlp.pipe(p.text for p in papers):
        segments = {name_key(doc.text[c.start:c.end]) for c in title_candidates(doc.text)}
        found += [(e, name_key(e.text) in segments) for e in doc.ents if e._.paperkg_component == "paperkg_resolver"]
    lexicon_found = [e for e, segment in found if not segment]
    assert lexicon_found  # names no rule component proposed, found by the resolver's lexicon
    # each a lexicon name, or its plural or hyphen variant (or else one of the title's segments)
    assert {name_key(e.text) for e in lexicon_found} <= variants
