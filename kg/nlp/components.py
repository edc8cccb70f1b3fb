"""Every spaCy pipeline component of paperkg, as registered factories (names prefixed ``paperkg_``).

Each component is a thin shell over a pure function in a sibling module and writes onto the Doc:

=========================  ==========================================================================
``paperkg_title_sentences`` the title (first line) is its own sentence; runs before ``sentencizer``
``paperkg_code_links``      ``doc.spans["code"]``: code / project URLs (:mod:`kg.nlp.code_links`)
``paperkg_catalogue``       candidates from the catalogue of widely-known entities (:mod:`kg.catalogue`)
``paperkg_task_phrases``    TASK candidates for lower-case task names ("lung nodule detection")
``paperkg_abbreviations``   candidates from "Long Form (LF)" definitions and later uses of "LF"
                            (:mod:`kg.nlp.abbreviations`)
``paperkg_new_names``       candidates for names the paper coins (:mod:`kg.nlp.new_names`)
``paperkg_spans``          the learned span model's candidates in ``doc.spans["paperkg_model"]``
                            (:mod:`kg.nlp.spans`)
``paperkg_entities``        the rules' choice: candidates -> ``doc.ents`` (longest match wins), canonical
                            names and aliases
``paperkg_roles``           the rules' ``span._.paperkg_role`` / ``paperkg_relation`` (:mod:`kg.nlp.roles`)
``paperkg_resolver``        the final ``doc.ents``: every candidate and the rules' choice weighed by the
                            learned resolver (:mod:`kg.nlp.resolve`), with its confidence and role
=========================  ==========================================================================

Candidates wait in ``doc.spans["paperkg_candidates"]``; every entity span carries the extension
attributes ``paperkg_component``, ``paperkg_confidence``, ``paperkg_canonical``, ``paperkg_aliases``,
``paperkg_role`` and ``paperkg_relation``.
"""
from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Callable

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from kg.catalogue import Catalogue, Entry, is_case_sensitive, key, load_catalogue, surface_variants
from kg.errors import PipelineError
from kg.nlp import abbreviations as abbr
from kg.nlp import code_links, new_names, roles
from kg.nlp.lexicon import COMPONENT as LEXICON_COMPONENT
from kg.nlp.heads import HEAD_LABELS, _PHRASE_STOP as PHRASE_STOP, find_metric_phrases, find_task_phrases, type_from_head, type_from_phrase, type_from_suffix
from kg.nlp.resolve import (LABEL_OF_TYPE, RESOLVER_FILE, TITLE_COMPONENT, Candidate, Resolver, group_candidates,
                            title_candidates)
from kg.nlp.spans import MIN_SCORE as SPAN_MIN_SCORE
from kg.nlp.spans import MODEL_CANDIDATES, SpanModel
from kg.nlp.tokenizer import create_tokenizer  # noqa: F401  (registers "paperkg.tokenizer.v1")

log = logging.getLogger(__name__)

#: Entity labels on doc.ents (the keys of kg.records.ENTITY_TYPES).
LABELS = ("METHOD", "ARCHITECTURE", "DATASET", "TASK", "METRIC")
CANDIDATES = "paperkg_candidates"
_INDEX = ("paperkg", "candidate_index")
#: doc.user_data key: catalogue names (keys) that a strong coining cue marks as proposed by this paper.
PROPOSED_KNOWN = ("paperkg", "proposed_known")
CODE = "code"

# --- confidences (house rule 4: each named, with the reason for its value) ------------------------------
# Ordered by how often each kind of mention was right on the 60 dev papers (entity-level precision,
# 2026-11 baseline): catalogue 0.85, acronym long forms 0.70, coined names 0.64. Values rank evidence;
# they are not calibrated probabilities.
#: A catalogue name of 5+ characters or several words ("ImageNet", "knowledge distillation"): rarely ambiguous.
CONF_CATALOGUE_NAME = 0.9
#: A short case-sensitive catalogue alias ("ViT", "SAM", "AP"): an acronym may stand for something else.
CONF_CATALOGUE_SHORT = 0.7
#: A one-word lower-case catalogue term ("classification", "pruning", "latency"): right type, but often
#: a passing word rather than something the paper uses or addresses.
CONF_CATALOGUE_GENERIC = 0.5
#: An acronym-defined long form typed by the catalogue ("Knowledge distillation (KD)").
CONF_ABBR_CATALOGUE = 0.9
#: An acronym-defined long form typed by its head word ("... Layer Normalization (TD-LN)" -> Method).
CONF_ABBR_HEAD = 0.75
#: An acronym-defined long form with no type evidence, typed METHOD by default (the commonest type).
CONF_ABBR_DEFAULT = 0.5
#: A name coined in the title prefix ("SlimFlow: ...") or after "we propose"/"dubbed" and typed by context.
CONF_NEW_NAME_TYPED = 0.75
#: A coined name typed by default (METHOD): the name is right more often than the type.
CONF_NEW_NAME_DEFAULT = 0.6

#: A lower-case task phrase found by its head ("lung nodule detection"), not in the catalogue.
CONF_TASK_PHRASE = 0.5
CONF_METRIC_PHRASE = 0.5
#: A lower-case technique introduced as "we propose a <phrase> scheme/strategy/..." (kg.nlp.new_names).
CONF_DESCRIBED = 0.6

EXTENSIONS = {
    "paperkg_component": None,
    "paperkg_confidence": None,
    "paperkg_canonical": None,
    "paperkg_aliases": (),
    "paperkg_role": None,
    "paperkg_relation": None,
}

#: What each factory declares it writes (``assigns``) and reads (``requires``), so that ``nlp.analyze_pipes()``
#: reports a pipe placed before what it needs. Candidates go to ``doc.spans`` with these span extensions;
#: entities to ``doc.ents`` with the same ones.
ENTITY_ATTRS = [f"span._.{name}" for name in ("paperkg_component", "paperkg_confidence", "paperkg_canonical",
                                              "paperkg_aliases", "paperkg_role")]
CANDIDATE_ATTRS = ["doc.spans", *ENTITY_ATTRS]


#: doc.user_data key of the doc's text, kept once it is read (see :func:`doc_text`).
_TEXT = ("paperkg", "text")


def doc_text(doc: Doc) -> str:
    """The doc's text. ``Doc.text`` joins every token anew on each access (a tenth of the pipeline's time when
    each component read it); the tokens never change after tokenisation, so it is kept in ``doc.user_data``."""
    text = doc.user_data.get(_TEXT)
    if text is None:
        text = doc.user_data[_TEXT] = doc.text
    return text


def register_extensions() -> None:
    """Declare paperkg's Span extension attributes (idempotent)."""
    for name, default in EXTENSIONS.items():
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)


register_extensions()


def add_candidate(doc: Doc, start_char: int, end_char: int, label: str, *, component: str, confidence: float,
                  canonical: str | None = None, aliases: tuple[str, ...] = (), role: str | None = None) -> Span | None:
    """Add one candidate entity to ``doc.spans["paperkg_candidates"]``; returns the span, or None when
    the characters do not line up with tokens. Of two candidates with the same offsets and label the
    more confident one keeps its attributes."""
    span = doc.char_span(start_char, end_char, label=label)
    if span is None:
        span = doc.char_span(start_char, end_char, label=label, alignment_mode="contract")
        if span is None or not span.text.strip():
            log.debug("candidate %r does not align with tokens", doc_text(doc)[start_char:end_char])
            return None
    group = doc.spans.setdefault(CANDIDATES, [])
    index = doc.user_data.setdefault(_INDEX, {})  # (start, end, label) -> confidence, dropped by paperkg_entities
    k = (span.start, span.end, label)
    if k in index:
        # Same offsets and label: the extension values are shared; keep the more confident candidate's.
        if index[k] >= confidence:
            if role == "proposed":
                span._.paperkg_role = role
            return span
    else:
        group.append(span)
    index[k] = confidence
    span._.paperkg_component = component
    span._.paperkg_confidence = confidence
    span._.paperkg_canonical = canonical
    span._.paperkg_aliases = tuple(aliases)
    if role:
        span._.paperkg_role = role
    return span


# --- sentences ---------------------------------------------------------------------------------------------
class TitleSentences:
    """Mark the first token after each newline (the title's end) as a sentence start."""

    def __call__(self, doc: Doc) -> Doc:
        for tok in doc:
            if tok.i == 0:
                tok.is_sent_start = True
            elif "\n" in doc[tok.i - 1].text or "\n" in doc[tok.i - 1].whitespace_:
                tok.is_sent_start = not tok.is_space or tok.i == len(doc) - 1
        return doc


@Language.factory("paperkg_title_sentences", assigns=["token.is_sent_start"])
def make_title_sentences(nlp: Language, name: str) -> TitleSentences:
    return TitleSentences()


# --- code links ---------------------------------------------------------------------------------------------
class CodeLinks:
    """``doc.spans["code"]``: the URLs the text offers as the paper's code or project page."""

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for start, end, url in code_links.find_code_links(doc_text(doc)):
            span = doc.char_span(start, end, label="CODE") or doc.char_span(
                start, end, label="CODE", alignment_mode="contract")
            if span is None or not span.text.lower().startswith(url[:12].lower()):
                continue  # the tokens cut the URL's start off ("GitHub](https://…" gave "/x/y"): not a URL
            sentence = span.sent.text if doc.has_annotation("SENT_START") else doc_text(doc)
            if code_links.is_paper_code(url, sentence):
                spans.append(span)
        doc.spans[CODE] = spans
        return doc


@Language.factory("paperkg_code_links", requires=["doc.sents"], assigns=["doc.spans"])
def make_code_links(nlp: Language, name: str) -> CodeLinks:
    return CodeLinks()


# --- catalogue --------------------------------------------------------------------------------------------
#: A size / version code right after a catalogue name makes a distinct variant ("EfficientNet-B2", "DeiT-T",
#: "DiT-XL/2", "MobileNet-V1", "Qwen2.5-VL", "PixArt-Sigma", "GPT-3 Small"), never "-based" / "-like".
VARIANT = re.compile(
    r"(?:-(?:[A-Z]{1,3}\d{0,2}(?:/\d+)?|[A-Z][a-z]+|[vV]\d+(?:\.\d+)?|\d+(?:-\d+)?[A-Za-z]?)"
    r"|[ ](?:Small|Base|Large|Huge|Tiny|XL|XXL))(?![\w-])"
)
#: Entity types whose variants are separate entities (ResNet-50 is not ResNet-101; ImageNet-C is not ImageNet).
VARIANT_TYPES = {"Architecture", "Dataset"}


class CatalogueMatcher:
    """Candidates for every catalogue name, alias and variant in the text (case-aware).

    Acronyms and short capitalised aliases match with their case ("CLIP", "ViT"); the rest in any case
    ("imagenet", "Knowledge Distillation"). Hyphen/space/joined spellings and plurals are matched too.
    The catalogue is saved with the pipeline (``to_disk``), so a saved pipeline is self-contained.
    """

    def __init__(self, nlp: Language, name: str, catalogue: str = "") -> None:
        self.nlp = nlp
        self.name = name
        self.catalogue: Catalogue = load_catalogue(catalogue or None)
        self._matchers: tuple[PhraseMatcher, PhraseMatcher] | None = None
        self._keys: dict[int, tuple[Entry, float]] = {}

    def _build(self) -> tuple[PhraseMatcher, PhraseMatcher]:
        exact = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        caseless = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        plural_ok = {"Method", "Architecture", "Task", "Metric"}
        for i, entry in enumerate(self.catalogue):
            pats: dict[tuple[bool, float], set[str]] = {}
            for alias in entry.names:
                cs = entry.case_sensitive if entry.case_sensitive is not None else is_case_sensitive(alias)
                conf = (CONF_CATALOGUE_SHORT if cs and len(alias) <= 4 else
                        CONF_CATALOGUE_GENERIC if (alias.islower() and " " not in alias and "-" not in alias)
                        else CONF_CATALOGUE_NAME)
                variants = surface_variants(alias, plural=entry.type in plural_ok or (cs and alias.isupper()))
                pats.setdefault((cs, conf), set()).update(variants)
            for (cs, conf), texts in pats.items():
                match_key = f"paperkg_cat_{i}_{int(cs)}_{conf}"
                kid = self.nlp.vocab.strings.add(match_key)
                self._keys[kid] = (entry, conf)
                docs = [self.nlp.make_doc(t) for t in sorted(texts)]
                (exact if cs else caseless).add(match_key, docs)
        return exact, caseless

    def __call__(self, doc: Doc) -> Doc:
        if self._matchers is None:
            self._matchers = self._build()
        text = None
        for matcher in self._matchers:
            for kid, start, end in matcher(doc):
                entry, conf = self._keys[kid]
                span = doc[start:end]
                if start >= 2 and doc[start - 1].text == "-" and not doc[start - 2].whitespace_:
                    continue  # a fragment of a compound: "Language Modeling" in "Vision-Language Modeling"
                start_char, end_char, canonical = span.start_char, span.end_char, entry.name
                if entry.type in VARIANT_TYPES:
                    if text is None:
                        text = doc_text(doc)
                    m = VARIANT.match(text, end_char)
                    if m:  # "EfficientNet-B2", "DiT-XL/2", "GPT-3 Small": a distinct, more specific entity
                        end_char = m.end()
                        canonical = text[start_char:end_char]
                add_candidate(doc, start_char, end_char, entry.type.upper(), component=self.name,
                              confidence=conf, canonical=canonical)
        return doc

    def to_disk(self, path, exclude=tuple()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        with (path / "catalogue.jsonl").open("w", encoding="utf-8") as fh:
            for e in self.catalogue:
                rec = {"type": e.type, "name": e.name, "aliases": list(e.aliases)}
                for field in ("description", "url", "case_sensitive"):
                    if getattr(e, field) is not None:
                        rec[field] = getattr(e, field)
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")

    def from_disk(self, path, exclude=tuple()) -> "CatalogueMatcher":
        file = Path(path) / "catalogue.jsonl"
        if not file.exists():
            raise PipelineError(f"{file} is missing: the saved pipeline is incomplete; save it again with nlp.to_disk")
        self.catalogue = load_catalogue(file)
        self._matchers = None
        self._keys = {}
        return self


@Language.factory("paperkg_catalogue", default_config={"catalogue": ""}, assigns=CANDIDATE_ATTRS)
def make_catalogue(nlp: Language, name: str, catalogue: str) -> CatalogueMatcher:
    """``catalogue``: path of a catalogue JSONL file; empty for the bundled one."""
    return CatalogueMatcher(nlp, name, catalogue)


# --- task and metric phrases ---------------------------------------------------------------------------------
class PhraseCandidates:
    """Candidates of one label for lower-case phrases the catalogue does not list, found by a pure function
    of the text: TASK by :func:`kg.nlp.heads.find_task_phrases`, METRIC by :func:`kg.nlp.heads.find_metric_phrases`."""

    def __init__(self, name: str, label: str, find: Callable[[str], list[tuple[int, int]]], confidence: float) -> None:
        self.name, self.label, self.find, self.confidence = name, label, find, confidence

    def __call__(self, doc: Doc) -> Doc:
        for start, end in self.find(doc_text(doc)):
            add_candidate(doc, start, end, self.label, component=self.name, confidence=self.confidence)
        return doc


@Language.factory("paperkg_task_phrases", assigns=CANDIDATE_ATTRS)
def make_task_phrases(nlp: Language, name: str) -> PhraseCandidates:
    return PhraseCandidates(name, "TASK", find_task_phrases, CONF_TASK_PHRASE)


@Language.factory("paperkg_metric_phrases", assigns=CANDIDATE_ATTRS)
def make_metric_phrases(nlp: Language, name: str) -> PhraseCandidates:
    return PhraseCandidates(name, "METRIC", find_metric_phrases, CONF_METRIC_PHRASE)


# --- abbreviations -----------------------------------------------------------------------------------------
class Abbreviations:
    """Candidates for acronym-defined long forms, their short forms, and later uses of the short forms."""

    def __init__(self, name: str, catalogue: str = "") -> None:
        self.name = name
        self.catalogue = load_catalogue(catalogue or None)

    def _type(self, long: str, short: str) -> tuple[str, str, float]:
        """(label, canonical, confidence) of a long form."""
        entry = self.catalogue.lookup(long)
        if entry is None:
            e2 = self.catalogue.lookup(short)
            # The acronym alone is weak evidence ("CD" is many things): use it only if the head agrees.
            if e2 is not None and type_from_head(long) in (None, e2.type.upper()) and (
                    any(_same_ends(long, n) for n in e2.names) or not any(" " in n for n in e2.names)):
                entry = e2
        if entry is not None:
            return entry.type.upper(), entry.name, CONF_ABBR_CATALOGUE
        # The head before a preposition types the phrase ("Transformer with Hierarchical Prompting"),
        # else the last word; else the short form's ending ("UniRepLKNet").
        # A name without a preposition is typed by its last word only: "Any Ratio Adaptability Diffusion"
        # is not a METRIC for its inner "Ratio"; an unknown last word falls to the name's own ending.
        has_stop = any(w.lower() in PHRASE_STOP for w in long.split()[1:])
        label = ((type_from_phrase(long) if has_stop else None) or type_from_head(long)
                 or type_from_suffix(short))
        if label:
            return label, long, CONF_ABBR_HEAD
        return "METHOD", long, CONF_ABBR_DEFAULT

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        seen: set[str] = set()
        for a in abbr.find_abbreviations(text):
            if a.short in seen:
                continue
            seen.add(a.short)
            inner = abbr.head_after(text, a, HEAD_LABELS)
            if inner is not None:
                # "Sparsely-Sharded (S2) Attention": the name runs past the parenthesis to its head noun;
                # the text shortens it to "S2-Attention" (or "S2 Attention").
                end, short_name = inner
                long = text[a.long_start:end]
                label, canonical, conf = self._type(long, a.short)
                add_candidate(doc, a.long_start, end, label, component=self.name, confidence=conf,
                              canonical=long, aliases=(short_name,))
                for variant in (short_name, short_name.replace("-", " ")):
                    for s, e in abbr.short_form_occurrences(text, variant):
                        add_candidate(doc, s, e, label, component=self.name, confidence=conf, canonical=long)
                continue
            label, canonical, conf = self._type(a.long, a.short)
            add_candidate(doc, a.long_start, a.long_end, label, component=self.name, confidence=conf,
                          canonical=canonical, aliases=(a.short,))
            for s, e in abbr.short_form_occurrences(text, a.short):
                add_candidate(doc, s, e, label, component=self.name, confidence=conf, canonical=canonical)
        return doc


def _same_ends(long: str, name: str) -> bool:
    """Whether a long form spells the catalogue name ``name``: every word of the name starts a word of the long
    form ("test-time adaption (TTA)" is "test-time adaptation"), or one is a prefix of the other. "Self-similarity
    driven Scale-invariant Learning (SSL)" is not "self-supervised learning" (SSL), nor "fully connected neural
    networks (FCNs)" "fully convolutional networks" (FCN), though the acronym and head agree.
    (A catalogue entry known only by its acronym, "VTAB", cannot be checked this way and is accepted.)"""
    if key(long).startswith(key(name)) or key(name).startswith(key(long)):
        return True  # "structured state-space sequence (S4)" and the catalogue's "Structured State Space"
    a = {w[:4] for w in re.findall(r"[a-z0-9]+", long.lower())}
    b = {w[:4] for w in re.findall(r"[a-z0-9]+", name.lower())}
    return bool(b) and b <= a


@Language.factory("paperkg_abbreviations", default_config={"catalogue": ""}, assigns=CANDIDATE_ATTRS)
def make_abbreviations(nlp: Language, name: str, catalogue: str) -> Abbreviations:
    return Abbreviations(name, catalogue)


# --- new names -----------------------------------------------------------------------------------------------
class NewNames:
    """Candidates for names the paper coins (role ``proposed``), at every occurrence of the name."""

    def __init__(self, name: str, catalogue: str = "") -> None:
        self.name = name
        self.catalogue = load_catalogue(catalogue or None)

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        names = new_names.find_new_names(text)
        prefix = new_names.title_prefix(text.split("\n", 1)[0])
        if prefix is not None and self.catalogue.lookup(prefix.text) is not None:
            names.append(prefix)  # "Swin Transformer: ...": a catalogue name heading its own paper
        for n in names:
            if n.text.lower() in abbr.BROAD_FIELDS:
                continue
            entry = self.catalogue.lookup(n.text)
            label, canonical = n.label, n.text
            conf = CONF_NEW_NAME_DEFAULT if n.typed_by == "default" else CONF_NEW_NAME_TYPED
            if entry is not None:
                # The catalogue knows famous names because their papers exist: the Swin Transformer paper
                # ("Swin Transformer: ...", "a new vision Transformer, called Swin Transformer") proposes
                # it. Only the strongest cues count; a bare "we propose X ..." is too often "we propose X-based".
                if entry.type.upper() not in roles.ROLE_LABELS or not new_names.is_strong_known_cue(text, n):
                    continue  # widely known: the paper uses it, it does not coin it
                label, canonical, conf = entry.type.upper(), entry.name, CONF_CATALOGUE_NAME
                doc.user_data.setdefault(PROPOSED_KNOWN, set()).add(key(entry.name))
            for s, e in new_names.name_occurrences(text, n.text):
                add_candidate(doc, s, e, label, component=self.name, confidence=conf, canonical=canonical,
                              role="proposed")
        for d in new_names.find_described_methods(text):
            if self.catalogue.lookup(d.name) is not None or d.name.lower() in abbr.BROAD_FIELDS:
                continue
            # "a two-way stitching scheme": the whole phrase at its definition, the bare name elsewhere;
            # both spellings become labels of one entity (canonical = the bare name).
            add_candidate(doc, d.start, d.full_end, "METHOD", component=self.name, confidence=CONF_DESCRIBED,
                          canonical=d.name, aliases=(d.name,), role="proposed")
            for s, e in new_names.name_occurrences(text, d.name):
                if s != d.start:
                    add_candidate(doc, s, e, "METHOD", component=self.name, confidence=CONF_DESCRIBED,
                                  canonical=d.name, role="proposed")
        return doc


@Language.factory("paperkg_new_names", default_config={"catalogue": ""}, assigns=CANDIDATE_ATTRS)
def make_new_names(nlp: Language, name: str, catalogue: str) -> NewNames:
    return NewNames(name, catalogue)


# --- entities ------------------------------------------------------------------------------------------------
class Entities:
    """Resolve candidates into ``doc.ents``: no overlaps, the longest match wins (then the most confident).

    Mentions with the same canonical name (case- and plural-insensitive) are one entity: each gets the
    entity's other surface forms as ``paperkg_aliases``.
    """

    def __call__(self, doc: Doc) -> Doc:
        doc.user_data.pop(_INDEX, None)
        cands = []
        for s in doc.spans.get(CANDIDATES, []):
            attrs = s._  # one accessor per span: each ``s._`` builds a new one
            cands.append((-(s.end_char - s.start_char), -(attrs.paperkg_confidence or 0), s.start, s.end, s, attrs))
        cands.sort(key=lambda c: c[:3])
        chosen: list[Span] = []
        meta_of: dict[int, tuple] = {}
        taken: set[int] = set()
        for _, _, start, end, s, attrs in cands:
            if taken.intersection(range(start, end)):
                continue
            chosen.append(s)
            meta_of[id(s)] = (attrs.paperkg_component, attrs.paperkg_confidence, attrs.paperkg_canonical or s.text,
                              attrs.paperkg_aliases, attrs.paperkg_role)
            taken.update(range(start, end))
        chosen.sort(key=lambda s: s.start)
        chosen = _drop_passing_families(doc, chosen, meta_of)
        meta = [meta_of[id(s)] for s in chosen]
        doc.ents = chosen
        groups: dict[str, set[str]] = {}
        for s, m in zip(chosen, meta):
            g = groups.setdefault(key(m[2]), set())
            g.add(s.text)
            g.update(m[3])
            if m[2] != s.text:
                g.add(m[2])
        for ent, (component, conf, canonical, aliases, role) in zip(doc.ents, meta):
            attrs, text = ent._, ent.text
            attrs.paperkg_component = component
            attrs.paperkg_confidence = conf
            attrs.paperkg_canonical = canonical
            attrs.paperkg_aliases = tuple(sorted(a for a in groups[key(canonical)] if a != text))
            attrs.paperkg_role = role
        return doc


#: Catalogue names of broad model families. The guidelines make one a used Architecture only when the paper
#: builds on or evaluates it; named once, outside the title, it is a passing mention ("... of deep neural
#: network (DNN) models") and is dropped.
GENERIC_FAMILIES = frozenset(key(n) for n in (
    "Deep Neural Network", "Neural Network", "Foundation Model", "Language Model", "Autoregressive Model",
    "Vision-Language Model", "Recurrent Neural Network"))


def _drop_passing_families(doc: Doc, chosen: list[Span], meta_of: dict[int, tuple]) -> list[Span]:
    """``chosen`` without the broad model families named once outside the title and not proposed (``meta_of``:
    id of a span -> its component, confidence, canonical name, aliases and role)."""
    keys = {id(s): key(meta_of[id(s)][2]) for s in chosen}
    counts: dict[str, int] = {}
    for k in keys.values():
        counts[k] = counts.get(k, 0) + 1
    title_end = doc_text(doc).find("\n")
    return [s for s in chosen if not (keys[id(s)] in GENERIC_FAMILIES and counts[keys[id(s)]] == 1
                                      and meta_of[id(s)][4] != "proposed"
                                      and (title_end < 0 or s.start_char > title_end))]


@Language.factory("paperkg_entities", requires=["doc.spans"], assigns=["doc.ents", *ENTITY_ATTRS])
def make_entities(nlp: Language, name: str) -> Entities:
    return Entities()


# --- roles ---------------------------------------------------------------------------------------------------
class Roles:
    """``paperkg_role`` ("proposed" / "used") on Method, Architecture and Dataset entities, and
    ``paperkg_relation`` (evaluatesOn / trainsOn / comparesWith) where the sentence says so."""

    def __call__(self, doc: Doc) -> Doc:
        ents = list(doc.ents)
        text = doc_text(doc)
        proposed: set[str] = set()
        # A catalogue entity is widely known: the paper uses it, whatever the sentence says.
        known = {key(e._.paperkg_canonical or e.text) for e in ents if e._.paperkg_component == "paperkg_catalogue"}
        # ... unless a strong coining cue named it (paperkg_new_names): the paper of a famous name.
        proposed_known = doc.user_data.pop(PROPOSED_KNOWN, set())  # popped: a set cannot go through Doc.to_bytes
        for ent in ents:
            if ent.label_ not in roles.ROLE_LABELS:
                continue
            canon = key(ent._.paperkg_canonical or ent.text)
            if canon in proposed_known or (ent._.paperkg_role == "proposed" and canon not in known):
                proposed.add(canon)  # a coining cue (title prefix, "called X"), even for a catalogue name
            elif canon in known:
                if ent._.paperkg_component == "paperkg_catalogue" and roles.is_proposed_object(
                        text[ent.sent.start_char: ent.start_char], text[ent.end_char: ent.end_char + 20]):
                    proposed.add(canon)  # "we propose consistency models, a new family of ..."
            elif ent._.paperkg_component != "paperkg_catalogue":
                before = text[ent.sent.start_char: ent.start_char]
                if roles.is_proposed_here(before):
                    proposed.add(canon)
        ents = _add_proposed_variants(doc, ents, proposed)
        for ent in ents:
            if ent.label_ not in roles.ROLE_LABELS:
                ent._.paperkg_role = None
                continue
            canon = key(ent._.paperkg_canonical or ent.text)
            ent._.paperkg_role = "proposed" if canon in proposed else "used"
            if ent._.paperkg_role == "used":
                ent._.paperkg_relation = roles.relation(text[ent.sent.start_char: ent.start_char], ent.label_)
        return doc


#: Component name of the size-variant mentions added by the roles step.
VARIANT_COMPONENT = "paperkg_roles"


def _add_proposed_variants(doc: Doc, ents: list[Span], proposed: set[str]) -> list[Span]:
    """Add the size / version variants the text names of a proposed one-word name ("ViG-T", "SVT-H-S",
    "ResFormer-B-MR"), each a separate proposed entity (annotation guidelines), typed ARCHITECTURE for
    a size code (else like the name). Returns the new entity list (also set on ``doc.ents``).

    A variant already resolved to a longer entity is left alone; one that only overlaps the bare name
    ("ViG" in "ViG-T") replaces it. Not an elliptic list ("EMOv2-1M/2M/5M") nor a size of the model
    ("DiMR-XL variants").
    """
    text = doc_text(doc)
    bases = {}
    for e in ents:
        t = e.text
        if (e.label_ in ("METHOD", "ARCHITECTURE") and key(e._.paperkg_canonical or t) in proposed
                and " " not in t and new_names.is_strong_word(t)):
            bases.setdefault(t, e.label_)
    if not bases:
        return ents
    added: list[Span] = []
    for base, label in bases.items():
        for m in roles.variant_occurrences(text, base):
            span = doc.char_span(m[0], m[1], label=roles.variant_label(text[m[0]:m[1]], base, label))
            if span is None:
                continue
            clash = [e for e in ents if e.start < span.end and span.start < e.end]
            if any(not (span.start <= e.start and e.end <= span.end) for e in clash) or any(
                    e.end - e.start >= span.end - span.start for e in clash):
                continue
            added.append(span)
            ents = [e for e in ents if e not in clash]
    if not added:
        return ents
    meta = {e.start: (e._.paperkg_component, e._.paperkg_confidence, e._.paperkg_canonical, e._.paperkg_aliases,
                      e._.paperkg_role, e._.paperkg_relation) for e in ents}
    doc.ents = sorted(ents + added, key=lambda e: e.start)
    out = list(doc.ents)
    for e in out:
        if e.start in meta and not any(a.start == e.start for a in added):
            (e._.paperkg_component, e._.paperkg_confidence, e._.paperkg_canonical, e._.paperkg_aliases,
             e._.paperkg_role, e._.paperkg_relation) = meta[e.start]
        else:
            e._.paperkg_component, e._.paperkg_confidence = VARIANT_COMPONENT, CONF_NEW_NAME_TYPED
            e._.paperkg_canonical, e._.paperkg_aliases = e.text, ()
            proposed.add(key(e.text))
    return out


@Language.factory("paperkg_roles", requires=["doc.ents", "doc.sents"],
                  assigns=["doc.ents", *ENTITY_ATTRS, "span._.paperkg_relation"])
def make_roles(nlp: Language, name: str) -> Roles:
    return Roles()


# --- the learned resolver ------------------------------------------------------------------------------------
def span_candidate(span: Span, with_role: bool = False) -> Candidate:
    """A candidate or rule entity span as the resolver's :class:`Candidate` (its rule role too, ``with_role``)."""
    attrs = span._  # one accessor per span: each ``span._`` builds a new one
    conf = attrs.paperkg_confidence
    return Candidate(span.start_char, span.end_char, span.label_, attrs.paperkg_component or "unknown",
                     float(conf if conf is not None else 0.5), attrs.paperkg_canonical,
                     attrs.paperkg_role if with_role else None)


class LearnedResolver:
    """The final say on ``doc.ents``: every candidate (the rules', the span model's, those of the resolver's
    lexicon, :mod:`kg.nlp.lexicon`, and the title's segments) is grouped and weighed by
    :class:`kg.nlp.resolve.Resolver`; kept groups become the entities, with the resolver's type and probability
    (``paperkg_confidence``), its role, and the rules' finer relation. Overlapping mentions: the more probable
    group wins, then the longer span.
    """

    def __init__(self, nlp: Language, name: str, model: str = "") -> None:
        self.nlp = nlp
        self.name = name
        self.path = Path(model) if model else RESOLVER_FILE
        self._resolver = None
        self._lexicon = None  # the matcher of the resolver's lexicon, built on first use

    @property
    def resolver(self) -> Resolver:
        if self._resolver is None:
            if not self.path.is_file():
                raise PipelineError(f"no trained resolver at {self.path}; train one with `kg train` or leave "
                                    "paperkg_resolver out (kg.nlp.load(exclude=['paperkg_spans', 'paperkg_resolver']))")
            try:
                self._resolver = Resolver.load(self.path)
            except (OSError, ValueError, KeyError) as err:
                raise PipelineError(f"cannot load the resolver at {self.path}: {err}") from err
        return self._resolver

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        cands = [span_candidate(s) for s in doc.spans.get(CANDIDATES, [])]
        model = doc.spans.get(MODEL_CANDIDATES)
        if model is not None:
            scores = model.attrs.get("scores") or [1.0] * len(model)
            cands += [Candidate(s.start_char, s.end_char, s.label_, "paperkg_spans", float(sc))
                      for s, sc in zip(model, scores)]
        chosen = [span_candidate(e, with_role=True) for e in doc.ents]
        resolver = self.resolver
        if resolver.lexicon is not None:
            if self._lexicon is None:
                self._lexicon = resolver.lexicon.matcher(self.nlp)
            cands += self._lexicon.candidates(doc)
        cands += title_candidates(text)
        picks = []
        for group, etype, p in resolver.decide(group_candidates(text, cands, chosen)):
            for start, end in sorted({(c.start, c.end) for c in group.mentions}):
                picks.append((p, end - start, start, end, group, etype))
        picks.sort(key=lambda x: (-x[0], -x[1], x[2]))
        taken: set[int] = set()
        selected = []
        for p, _, start, end, group, etype in picks:
            span = doc.char_span(start, end, label=LABEL_OF_TYPE[etype], alignment_mode="contract")
            if span is None or taken.intersection(range(span.start, span.end)):
                continue
            taken.update(range(span.start, span.end))
            selected.append((span, group, etype, p))
        selected.sort(key=lambda x: x[0].start)
        doc.ents = [s for s, *_ in selected]
        forms: dict[int, set[str]] = {}
        proposed: dict[int, bool] = {}  # per group: its mentions share one role
        for span, group, etype, _ in selected:
            forms.setdefault(id(group), set()).add(text[span.start_char:span.end_char])
            if id(group) not in proposed and etype in ("Method", "Architecture", "Dataset"):
                proposed[id(group)] = resolver.proposed_probability(group.features, etype) >= ROLE_THRESHOLD
        # per group, computed once (a group may hold thousands of mentions in a long text): its mentions by
        # offsets, the best of them by label, and its canonical name (the catalogue's first)
        by_offsets: dict[int, dict[tuple[int, int], list[Candidate]]] = {}
        best: dict[tuple[int, str], Candidate] = {}
        canonicals: dict[int, str | None] = {}
        for span, group, etype, _ in selected:
            if id(group) not in by_offsets:
                offsets: dict[tuple[int, int], list[Candidate]] = {}
                for c in group.mentions:
                    offsets.setdefault((c.start, c.end), []).append(c)
                by_offsets[id(group)] = offsets
                canonicals[id(group)] = next((c.canonical for c in sorted(
                    group.mentions, key=lambda c: c.component != "paperkg_catalogue") if c.canonical), None)
        for ent, (span, group, etype, p) in zip(doc.ents, selected):
            label = ent.label_
            attrs = ent._  # one accessor per span: each ``ent._`` builds a new one
            same = by_offsets[id(group)].get((span.start_char, span.end_char))
            if same:
                source = max(same, key=lambda c: (c.label == label, _PROVENANCE_RANK.get(c.component, 2), c.confidence))
            else:
                if (id(group), label) not in best:
                    best[(id(group), label)] = max(group.mentions, key=lambda c: (
                        c.label == label, _PROVENANCE_RANK.get(c.component, 2), c.confidence))
                source = best[(id(group), label)]
            surface = text[ent.start_char:ent.end_char]  # ent.text, without joining its tokens again
            canonical = canonicals[id(group)] or surface
            # the lexicon's names and the title's segments are found by this pipe
            attrs.paperkg_component = self.name if source.component in _OWN_COMPONENTS else source.component
            attrs.paperkg_confidence = p
            attrs.paperkg_canonical = canonical
            aliases = forms[id(group)] | ({canonical} if canonical != surface else set())
            attrs.paperkg_aliases = tuple(sorted(a for a in aliases if a != surface))
            if label in roles.ROLE_LABELS:
                is_proposed = proposed[id(group)]
                attrs.paperkg_role = "proposed" if is_proposed else "used"
                attrs.paperkg_relation = None if is_proposed else roles.relation(
                    text[ent.sent.start_char: ent.start_char], label)
            else:
                attrs.paperkg_role = attrs.paperkg_relation = None
        return doc

    def to_disk(self, path, exclude=tuple()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "resolver.json").write_text(self.resolver.to_json() + "\n", encoding="utf-8")

    def from_disk(self, path, exclude=tuple()) -> "LearnedResolver":
        file = Path(path) / "resolver.json"
        if not file.exists():
            raise PipelineError(f"{file} is missing: the saved pipeline is incomplete; save it again with nlp.to_disk")
        self.path, self._resolver, self._lexicon = file, None, None
        _ = self.resolver
        return self


#: Candidates the resolver proposes itself: an entity found only by them is credited to the resolver's pipe.
_OWN_COMPONENTS = (LEXICON_COMPONENT, TITLE_COMPONENT)
#: Which candidate of a kept mention names the component that found it: a rule component's (it says why), then
#: the resolver's own (the lexicon's, a title segment), then the span model's.
_PROVENANCE_RANK = {**dict.fromkeys(_OWN_COMPONENTS, 1), "paperkg_spans": 0}

#: A kept Method / Architecture / Dataset is proposed when the resolver's role model gives it at least this
#: probability: 0.5, the break-even of a calibrated binary classifier for accuracy. Lower bars trade precision for
#: recall at a loss: cross-validated proposed F1 on other venues 0.567, 0.575, 0.582, 0.587, 0.588 at 0.3, 0.35,
#: 0.4, 0.45, 0.5 (1,988 gold papers).
ROLE_THRESHOLD = 0.5


@Language.factory("paperkg_resolver", default_config={"model": ""}, requires=["doc.spans", "doc.ents", "doc.sents"],
                  assigns=["doc.ents", *ENTITY_ATTRS, "span._.paperkg_relation"])
def make_resolver(nlp: Language, name: str, model: str) -> LearnedResolver:
    """``model``: a resolver JSON file written by ``kg train`` (empty: the shipped one)."""
    return LearnedResolver(nlp, name, model)


@Language.factory("paperkg_spans", default_config={"model": "", "min_score": SPAN_MIN_SCORE}, assigns=["doc.spans"])
def make_spans(nlp: Language, name: str, model: str, min_score: float) -> SpanModel:
    """``model``: directory of a trained span model (empty: the shipped one); ``min_score``: lowest score kept."""
    return SpanModel(nlp, name, model, min_score)
