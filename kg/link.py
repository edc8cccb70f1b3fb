"""Canonicalise mentions into entities: one entity per real thing across all papers.

Linking is split in two so that it streams:

* :func:`link_paper` links ONE paper alone. Within a paper, mentions of one type that share a surface
  form (the text or an alias such as an acronym defined in the paper) are one entity, keyed
  ``<Type>/<norm(name)>`` where ``name`` is its catalogue name, else its most complete surface form. The
  key (and so the entity's IRI and the paper's whole named graph) depends on that paper only.
* The corpus-wide part, each entity's label, aliases and catalogued flag, depends only on a compact
  table of what every paper said about each key (:class:`EntityNames` rows: the name, whether the
  catalogue gave it, the surface forms); :func:`entity_from_names` turns one key's rows into its
  :class:`Entity`. The build folds the rows in as papers stream by (:mod:`kg.tables` keeps them on disk);
  :func:`link` does both steps in memory for a handful of papers.

A catalogued entity is keyed by its catalogue name, so every surface form of it (``ViT``, ``Vision
Transformers``) lands on one node, while distinct variants (``ResNet-50`` / ``ResNet-101``) keep distinct
names and so distinct nodes.
"""
from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Iterable, Mapping

from .records import ENTITY_TYPES, CodeLink, Extraction, Mention, Paper, name_key, norm_url
from .vocab import RELATION_TYPES, TYPE_PROPERTY, USES_PROPERTY


@dataclass(frozen=True)
class Entity:
    """A canonical entity: one node of the graph."""

    key: str  #: "<Type>/<normalised name>", unique in the graph
    type: str  #: RDF class local name: Method, Architecture, Dataset, Task or Metric
    label: str  #: canonical name
    aliases: tuple[str, ...]  #: every other surface form seen, sorted
    catalogued: bool


@dataclass(frozen=True)
class Link:
    """A paper -> entity link with the mentions that support it.

    ``properties`` are kgo: local names, most specific first, always ending with the general one
    (e.g. ``("evaluatesOn", "usesDataset", "uses")``); ``evidence`` pairs each supporting
    mention with the most specific property that mention supports.
    """

    paper: Paper
    entity: str  #: Entity.key
    properties: tuple[str, ...]
    evidence: tuple[tuple[Mention, str], ...]


@dataclass(frozen=True)
class EntityNames:
    """What one paper says about one entity (one group of its mentions): the inputs of the entity's label."""

    key: str  #: Entity.key
    name: str  #: the group's name (its catalogue name, else its most complete surface form)
    catalogued: bool  #: whether ``name`` is the catalogue's
    forms: tuple[str, ...]  #: the group's distinct surface forms, sorted


@dataclass(frozen=True)
class LinkedPaper:
    """One paper linked alone: everything its named graph holds, and its rows of the entity table."""

    paper: Paper
    links: tuple[Link, ...]
    code: tuple[CodeLink, ...]  #: distinct code links (by :func:`kg.records.norm_url`), in text order
    names: tuple[EntityNames, ...]  #: one per link
    components: tuple[str, ...]  #: the pipeline components behind its evidence, sorted


@dataclass(frozen=True)
class Linked:
    """A whole (small) corpus after linking, in memory: its papers and their canonical entities."""

    papers: tuple[LinkedPaper, ...]
    entities: dict[str, Entity]

    @property
    def links(self) -> tuple[Link, ...]:
        return tuple(ln for lp in self.papers for ln in lp.links)

    @property
    def code(self) -> dict[str, tuple[CodeLink, ...]]:
        return {lp.paper.key: lp.code for lp in self.papers}


def _forms(m: Mention) -> list[str]:
    return [m.text, *m.aliases]


def _group_paper_mentions(mentions: Iterable[Mention]) -> list[list[Mention]]:
    """Union mentions of one type that share a normalised surface form (union-find)."""
    parent: dict[int, int] = {}
    ms = list(mentions)

    def find(i: int) -> int:
        while parent.setdefault(i, i) != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    seen: dict[tuple[str, str], int] = {}
    for i, m in enumerate(ms):
        find(i)
        for form in _forms(m) + ([m.canonical] if m.canonical else []):
            k = (m.label, name_key(form))
            if not k[1]:
                continue
            if k in seen:
                parent[find(i)] = find(seen[k])
            else:
                seen[k] = i
    groups: dict[int, list[Mention]] = defaultdict(list)
    for i, m in enumerate(ms):
        groups[find(i)].append(m)
    return [groups[r] for r in sorted(groups)]


def _group_name(group: list[Mention]) -> tuple[str, bool]:
    """The group's name: its catalogue name if it has one, else its most complete surface form."""
    canon = Counter(m.canonical for m in group if m.canonical)
    if canon:
        return sorted(canon.items(), key=lambda kv: (-kv[1], kv[0]))[0][0], True
    forms = [f for m in group for f in _forms(m)]
    return sorted(forms, key=lambda f: (-len(f), f))[0], False


def _fallback_key(name: str) -> str:
    return "x" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:12]


def _properties(etype: str, group: list[Mention]) -> tuple[str, ...]:
    if etype in TYPE_PROPERTY:
        return (TYPE_PROPERTY[etype],)
    if any(m.role == "proposed" for m in group):
        return ("proposes",)
    rels = sorted({m.relation for m in group if m.relation and etype in RELATION_TYPES.get(m.relation, ())})
    return (*rels, USES_PROPERTY[etype], "uses")


def _evidence_property(props: tuple[str, ...], m: Mention) -> str:
    if m.relation in props:
        return m.relation
    return props[-2] if props[-1] == "uses" else props[0]


def link_paper(ex: Extraction) -> LinkedPaper:
    """Link one paper's mentions into entities (keys only: labels need the whole corpus).

    Returns: a :class:`LinkedPaper` that depends on ``ex`` alone.
    Raises: ``ValueError`` if a mention has a label outside ``kg.records.ENTITY_TYPES``.

    >>> from kg.records import Paper, Mention, Extraction
    >>> p = Paper("T", "We train ViT on ImageNet.")
    >>> ms = (Mention("ViT", "ARCHITECTURE", 11, 14, "We train ViT on ImageNet.", 2, "catalogue", 0.9,
    ...               role="used", canonical="Vision Transformer"),)
    >>> lp = link_paper(Extraction(p, ms))
    >>> [(ln.entity, ln.properties) for ln in lp.links], lp.names[0].forms
    ([('Architecture/visiontransformer', ('usesArchitecture', 'uses'))], ('ViT',))
    """
    for m in ex.mentions:
        if m.label not in ENTITY_TYPES:
            raise ValueError(f"mention {m.text!r} of paper {ex.paper.title!r} has unknown label {m.label!r}")
    by_type: dict[str, list[Mention]] = defaultdict(list)
    for m in sorted(ex.mentions, key=lambda m: (m.start, m.end)):
        by_type[ENTITY_TYPES[m.label]].append(m)
    links: list[Link] = []
    names: list[EntityNames] = []
    for etype in sorted(by_type):
        for group in _group_paper_mentions(by_type[etype]):
            name, is_cat = _group_name(group)
            key = f"{etype}/{name_key(name) or _fallback_key(name)}"
            names.append(EntityNames(key, name, is_cat, tuple(sorted({f for m in group for f in _forms(m)}))))
            props = _properties(etype, group)
            links.append(Link(ex.paper, key, props, tuple((m, _evidence_property(props, m)) for m in group)))
    seen_urls: dict[str, CodeLink] = {}
    for c in sorted(ex.code, key=lambda c: c.start):
        seen_urls.setdefault(norm_url(c.url), c)
    code = tuple(seen_urls.values())
    components = sorted({m.component for m in ex.mentions} | {c.component for c in code})
    return LinkedPaper(ex.paper, tuple(links), code, tuple(names), tuple(components))


def entity_from_names(key: str, names: Mapping[str, int], catalogue_names: Iterable[str],
                      forms: Iterable[str]) -> Entity:
    """The entity behind ``key`` from what the papers said about it (the one corpus-wide linking rule).

    Params: ``names``: each group name → the number of papers' groups that gave it; ``catalogue_names``:
    those of them the catalogue gave; ``forms``: every surface form seen.
    Returns: the :class:`Entity`: labelled by the catalogue name, else the most frequent name (ties: the
    longest, then alphabetical); every other form an alias.

    >>> entity_from_names("Method/maskedautoencoder", {"Masked Autoencoders": 2, "MAE": 1}, [],
    ...                   ["MAE", "Masked Autoencoders"]).aliases
    ('MAE',)
    """
    catalogue_names = set(catalogue_names)
    candidates = catalogue_names or set(names)
    label = sorted(candidates, key=lambda n: (-names.get(n, 0), -len(n), n))[0]
    return Entity(key, key.split("/", 1)[0], label, tuple(sorted(set(forms) - {label})), bool(catalogue_names))


class EntityNameTable:
    """The entity table of a few papers in memory: key → name counts, catalogue names and forms."""

    def __init__(self) -> None:
        self.names: dict[str, Counter] = defaultdict(Counter)
        self.catalogue: dict[str, set[str]] = defaultdict(set)
        self.forms: dict[str, set[str]] = defaultdict(set)

    def add(self, rows: Iterable[EntityNames]) -> None:
        for row in rows:
            self.names[row.key][row.name] += 1
            if row.catalogued:
                self.catalogue[row.key].add(row.name)
            self.forms[row.key].update(row.forms)

    def entities(self) -> dict[str, Entity]:
        return {k: entity_from_names(k, self.names[k], self.catalogue[k], self.forms[k]) for k in sorted(self.names)}


def link(extractions: Iterable[Extraction]) -> Linked:
    """Link the mentions of every paper into canonical entities, in memory (for a few papers; the build
    streams instead: :func:`link_paper` per paper, the entity table on disk).

    Params: ``extractions``, one per distinct paper (in the order they should appear).
    Returns: a :class:`Linked` whose order and content depend only on the input.
    Raises: ``ValueError`` if a mention has a label outside ``kg.records.ENTITY_TYPES``.

    >>> from kg.records import Paper, Mention, Extraction
    >>> p = Paper("T", "We train ViT on ImageNet.")
    >>> ms = (Mention("ViT", "ARCHITECTURE", 11, 14, "We train ViT on ImageNet.", 2, "catalogue", 0.9,
    ...               role="used", canonical="Vision Transformer"),)
    >>> linked = link([Extraction(p, ms)])
    >>> [(e.label, e.aliases) for e in linked.entities.values()]
    [('Vision Transformer', ('ViT',))]
    """
    papers = tuple(link_paper(ex) for ex in extractions)
    table = EntityNameTable()
    for lp in papers:
        table.add(lp.names)
    return Linked(papers, table.entities())


#: Names are matched by the scorer's normalisation (see :func:`kg.records.name_key`).
norm = name_key

__all__ = ["Entity", "Link", "EntityNames", "LinkedPaper", "Linked", "link_paper", "entity_from_names",
           "EntityNameTable", "link", "norm", "norm_url"]
