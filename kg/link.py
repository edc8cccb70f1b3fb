"""Canonicalise mentions into entities: one entity per real thing across all papers.

Within a paper, mentions of one type that share a surface form (the text or an alias such as an
acronym defined in the paper) are one entity. Across papers, entities of one type with the same
normalised name are one node; a catalogued entity is keyed by its catalogue name, so every
surface form of it (``ViT``, ``Vision Transformers``) lands on one node, while distinct variants
(``ResNet-50`` / ``ResNet-101``) keep distinct names and so distinct nodes.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Iterable

from .records import ENTITY_TYPES, CodeLink, Extraction, Mention, Paper, name_key

_BASE_USE = {"Method": "usesMethod", "Architecture": "usesArchitecture", "Dataset": "usesDataset"}
#: Finer "used" relations and the entity types they apply to (their rdfs:range in the ontology).
_RELATION_TYPES = {
    "evaluatesOn": {"Dataset"},
    "trainsOn": {"Dataset"},
    "comparesWith": {"Method", "Architecture", "Dataset"},
}


#: Names are matched by the scorer's normalisation (see :func:`kg.records.name_key`).
norm = name_key


def norm_url(url: str) -> str:
    """Normalise a code URL for de-duplication (scheme, ``www.``, case, trailing ``/`` and ``.git``).

    >>> norm_url("https://github.com/Owner/Repo.git/") == norm_url("http://www.github.com/owner/repo")
    True
    """
    u = url.strip().rstrip("/").lower()
    u = re.sub(r"^https?://(www\.)?", "", u)
    return re.sub(r"\.git$", "", u).rstrip("/")


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
class Linked:
    """The whole corpus after linking: papers, canonical entities, links and code links."""

    papers: tuple[Paper, ...]
    entities: dict[str, Entity]
    links: tuple[Link, ...]
    code: dict[str, tuple[CodeLink, ...]]  #: Paper.key -> distinct code links, in text order


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
            k = (m.label, norm(form))
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
    import hashlib

    return "x" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:12]


def _properties(etype: str, group: list[Mention]) -> tuple[str, ...]:
    if etype == "Task":
        return ("addressesTask",)
    if etype == "Metric":
        return ("reportsMetric",)
    if any(m.role == "proposed" for m in group):
        return ("proposes",)
    rels = sorted({m.relation for m in group if m.relation and etype in _RELATION_TYPES.get(m.relation, ())})
    return (*rels, _BASE_USE[etype], "uses")


def _evidence_property(props: tuple[str, ...], m: Mention) -> str:
    if m.relation in props:
        return m.relation
    return props[-2] if props[-1] == "uses" else props[0]


def link(extractions: Iterable[Extraction]) -> Linked:
    """Link the mentions of every paper into canonical entities.

    Params: ``extractions``, one per distinct paper (in the order they should appear).
    Returns: a :class:`Linked` whose order and content depend only on the input.
    Raises: ``ValueError`` if a mention has a label outside ``ENTITY_TYPES``.

    >>> from kg.records import Paper, Mention, Extraction
    >>> p = Paper("T", "We train ViT on ImageNet.")
    >>> ms = (Mention("ViT", "ARCHITECTURE", 11, 14, "We train ViT on ImageNet.", 2, "catalogue", 0.9,
    ...               role="used", canonical="Vision Transformer"),)
    >>> linked = link([Extraction(p, ms)])
    >>> [(e.label, e.aliases) for e in linked.entities.values()]
    [('Vision Transformer', ('ViT',))]
    """
    papers: list[Paper] = []
    per_entity_names: dict[str, Counter] = defaultdict(Counter)
    forms: dict[str, set[str]] = defaultdict(set)
    catalogue_names: dict[str, set[str]] = defaultdict(set)
    links: list[Link] = []
    code: dict[str, tuple[CodeLink, ...]] = {}
    for ex in extractions:
        papers.append(ex.paper)
        for m in ex.mentions:
            if m.label not in ENTITY_TYPES:
                raise ValueError(f"mention {m.text!r} of paper {ex.paper.title!r} has unknown label {m.label!r}")
        by_type: dict[str, list[Mention]] = defaultdict(list)
        for m in sorted(ex.mentions, key=lambda m: (m.start, m.end)):
            by_type[ENTITY_TYPES[m.label]].append(m)
        for etype in sorted(by_type):
            for group in _group_paper_mentions(by_type[etype]):
                name, is_cat = _group_name(group)
                key = f"{etype}/{norm(name) or _fallback_key(name)}"
                per_entity_names[key][name] += 1
                if is_cat:
                    catalogue_names[key].add(name)
                forms[key].update(f for m in group for f in _forms(m))
                props = _properties(etype, group)
                ev = tuple((m, _evidence_property(props, m)) for m in group)
                links.append(Link(ex.paper, key, props, ev))
        seen_urls: dict[str, CodeLink] = {}
        for c in sorted(ex.code, key=lambda c: c.start):
            seen_urls.setdefault(norm_url(c.url), c)
        code[ex.paper.key] = tuple(seen_urls.values())
    entities: dict[str, Entity] = {}
    for key in sorted(per_entity_names):
        names = per_entity_names[key]
        candidates = catalogue_names[key] or set(names)
        label = sorted(candidates, key=lambda n: (-names[n], -len(n), n))[0]
        aliases = tuple(sorted(forms[key] - {label}))
        entities[key] = Entity(key, key.split("/", 1)[0], label, aliases, bool(catalogue_names[key]))
    return Linked(tuple(papers), entities, tuple(links), code)
