"""The names the gold papers use, learned by ``kg train``, as candidates for the resolver.

A name (its :func:`kg.records.name_key`) enters the lexicon when it is a gold entity of at least
:data:`MIN_PAPERS` distinct training papers, so a name coined by a single paper never does: "accuracy",
"question answering", "BERT", "pre-trained language models" can; a new method's name cannot until other papers
use it. Each name keeps

- its surface forms as the gold writes them (matched in any case, with their hyphen / space / plural variants),
- the share of each type among its gold entities ("attention" is mostly a Method, sometimes an Architecture),
- its keyphraseness: of the training papers whose text contains it, the share that link it ("accuracy" is in
  many abstracts that do not; "ImageNet" nearly always is).

Every occurrence in a paper becomes a candidate (component :data:`COMPONENT`) of each type with a share of at
least :data:`MIN_SHARE`, its confidence keyphraseness × share; the resolver (:mod:`kg.nlp.resolve`) weighs it with
the other evidence. The lexicon travels inside the resolver's JSON, as the resolver learned to read it; an entity
the lexicon found and no rule component did names ``paperkg_resolver`` as the pipe that found it.

>>> import spacy
>>> nlp = spacy.blank("en")
>>> lex = Lexicon({"imagenet": LexiconEntry(("ImageNet",), {"Dataset": 1.0}, 0.9)})
>>> [(c.start, c.end, c.label, c.confidence) for c in lex.matcher(nlp).candidates(nlp("Trained on imagenet."))]
[(11, 19, 'DATASET', 0.9)]
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from kg.records import ENTITY_TYPES, name_key

__all__ = ["Lexicon", "LexiconEntry", "learn_lexicon", "MIN_PAPERS", "MIN_SHARE", "COMPONENT",
           "LexiconMatcher"]

#: A name must be a gold entity of this many distinct papers (by title) to enter: 2 keeps out every name coined
#: by a single paper. On the out-of-fold candidates of 2,288 gold papers, other venues' cross-validated typed /
#: proposed F1 was 0.636 / 0.608 without the lexicon and 0.642 / 0.620 with it; a first, n-gram matcher gave
#: 0.643 / 0.619 with 2 and 0.640 / 0.615 with 3.
MIN_PAPERS = 2
#: A type the name has in less than this share of its gold entities is not proposed for it.
MIN_SHARE = 0.2
#: The component name of the lexicon's candidates (the resolver's features say ``src=lexicon``).
COMPONENT = "paperkg_lexicon"
_LABEL_OF_TYPE = {t: label for label, t in ENTITY_TYPES.items()}


@dataclass(frozen=True)
class LexiconEntry:
    """One name: its surface forms, the share of each type among its gold entities, and its keyphraseness."""

    forms: tuple[str, ...]
    shares: Mapping[str, float]
    keyphraseness: float


class Lexicon:
    """Names (by name key) -> :class:`LexiconEntry`."""

    def __init__(self, entries: Mapping[str, LexiconEntry]) -> None:
        self.entries = dict(entries)

    def __len__(self) -> int:
        return len(self.entries)

    def matcher(self, nlp) -> LexiconMatcher:
        """A matcher of the names in texts that ``nlp``'s tokenizer split."""
        return LexiconMatcher(self, nlp)

    def to_dict(self) -> dict:
        return {k: {"forms": list(e.forms), "shares": {t: round(s, 4) for t, s in sorted(e.shares.items())},
                    "keyphraseness": round(e.keyphraseness, 4)} for k, e in sorted(self.entries.items())}

    @classmethod
    def from_dict(cls, data: Mapping[str, Mapping]) -> Lexicon:
        return cls({k: LexiconEntry(tuple(v["forms"]), dict(v["shares"]), float(v["keyphraseness"]))
                    for k, v in data.items()})


class LexiconMatcher:
    """A spaCy ``PhraseMatcher`` (in any case) of a lexicon's forms and their hyphen / space / plural variants."""

    def __init__(self, lexicon: Lexicon, nlp) -> None:
        from spacy.matcher import PhraseMatcher

        from kg.catalogue import surface_variants

        self.lexicon = lexicon
        self._matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._keys: dict[int, str] = {}
        for key, entry in sorted(lexicon.entries.items()):
            forms = sorted({v.lower() for f in entry.forms for v in surface_variants(f)})
            match_key = f"paperkg_lexicon_{key}"
            self._keys[nlp.vocab.strings.add(match_key)] = key
            self._matcher.add(match_key, [nlp.make_doc(f) for f in forms])

    def find(self, doc) -> dict[str, list[tuple[int, int]]]:
        """Every occurrence of a lexicon name in ``doc``: name key -> character offsets."""
        out: dict[str, list[tuple[int, int]]] = {}
        for match_id, start, end in self._matcher(doc):
            if (start >= 2 and doc[start - 1].text == "-" and not doc[start - 2].whitespace_) or (
                    end < len(doc) and doc[end].text == "-" and not doc[end - 1].whitespace_):
                continue  # a part of a compound: "Language Modeling" in "Vision-Language Modeling", "ImageNet-R"
            span = doc[start:end]
            out.setdefault(self._keys[match_id], []).append((span.start_char, span.end_char))
        return out

    def candidates(self, doc) -> list:
        """The resolver candidates of ``doc``: one per occurrence and type of share :data:`MIN_SHARE` or more."""
        from kg.nlp.resolve import Candidate

        out = []
        for key, spans in self.find(doc).items():
            entry = self.lexicon.entries[key]
            for etype, share in sorted(entry.shares.items()):
                if share >= MIN_SHARE:
                    conf = round(entry.keyphraseness * share, 4)
                    out.extend(Candidate(s, e, _LABEL_OF_TYPE[etype], COMPONENT, conf) for s, e in spans)
        out.sort(key=lambda c: (c.start, -c.end, c.label))
        return out


def learn_lexicon(papers: Sequence, docs: Sequence, nlp, min_papers: int = MIN_PAPERS) -> Lexicon:
    """The lexicon of gold papers (:class:`kg.nlp.gold.GoldPaper`) and their texts as ``nlp`` tokenised them
    (``docs``, one per paper, in order). A name's keyphraseness is the share of the papers whose doc contains it
    that have it as a gold entity."""
    from kg.records import title_key

    papers_of: dict[str, set[str]] = {}
    types: dict[str, dict[str, int]] = {}
    forms: dict[str, set[str]] = {}
    gold_keys = []
    for g in papers:
        keys: set[str] = set()
        for e in g.entities:
            entity_keys = set()
            for form in e.forms:
                k = name_key(form)
                if k:
                    entity_keys.add(k)
                    forms.setdefault(k, set()).add(form)
            for k in entity_keys:  # an entity counts once for its type, however many forms share a key
                types.setdefault(k, {})
                types[k][e.type] = types[k].get(e.type, 0) + 1
            keys |= entity_keys
        gold_keys.append(keys)
        for k in keys:
            papers_of.setdefault(k, set()).add(title_key(g.title))
    kept = sorted(k for k, titles in papers_of.items() if len(titles) >= min_papers)
    matcher = Lexicon({k: LexiconEntry(tuple(sorted(forms[k])), {}, 1.0) for k in kept}).matcher(nlp)
    seen: dict[str, int] = {}
    linked: dict[str, int] = {}
    for keys, doc in zip(gold_keys, docs):
        for k in matcher.find(doc):
            seen[k] = seen.get(k, 0) + 1
            linked[k] = linked.get(k, 0) + (k in keys)
    entries = {}
    for k in kept:
        if linked.get(k):  # else never found where it is gold (its forms split otherwise): no evidence
            total = sum(types[k].values())
            entries[k] = LexiconEntry(tuple(sorted(forms[k])), {t: n / total for t, n in sorted(types[k].items())},
                                      linked[k] / seen[k])
    return Lexicon(entries)
