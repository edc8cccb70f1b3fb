"""The one reader of the graph for everything that draws or analyses it: node, link and evidence tables.

The explorer (:mod:`kg.view`), :func:`kg.export.to_networkx` (and through it GraphML, CSV and
:mod:`kg.analysis`) see the graph only through this module, so they agree by construction on which nodes
there are, of which type, and which paper is linked to what by which relation. It reads the store with
SELECT queries (``Store.rows``: plain strings, streamed, no RDF terms and no rdflib parse), in the
``kgo:`` vocabulary only:

* :func:`read_tables`: every node (papers, the five entity types, code repositories) and every link: one
  :class:`Link` per paper, target and *most specific* asserted relation (``kgo:uses`` is implied by
  ``kgo:usesMethod`` and is not a link of its own), with the best confidence and the number of evidence
  nodes for that relation. A few hundred bytes a paper, where the graph holds ~20 KB.
* :func:`read_abstracts` and :func:`read_evidence`: the details of the papers and links one has chosen
  (the explorer's shown nodes), read in batches.

>>> import kg
>>> t = read_tables(kg.load("tests/data/small.ttl").store)
>>> sorted({n.type for n in t.nodes.values()})
['Architecture', 'Code', 'Dataset', 'Method', 'Metric', 'Paper', 'Task']
>>> sorted({l.relation for l in t.links})[:3]
['addressesTask', 'evaluatesOn', 'hasCode']
"""
from __future__ import annotations

import logging
import math
import re
from collections import defaultdict
from typing import TYPE_CHECKING, Iterable, Iterator, NamedTuple

from .errors import ViewError
from .vocab import ENTITY_TYPES, KGO_NS, LINK_PROPERTIES, sub_properties

if TYPE_CHECKING:
    from rdflib import Graph

    from .store import Store

log = logging.getLogger(__name__)

#: Node types: papers, the entity classes, code repositories.
NODE_TYPES: tuple[str, ...] = ("Paper", *ENTITY_TYPES, "Code")
#: The link properties (most telling first: a paper -> entity pair with several is named by the first).
RELATIONS: tuple[str, ...] = LINK_PROPERTIES
#: Each property's sub-properties in the ``uses`` hierarchy (for the properties that have any).
SUB_PROPERTIES: dict[str, frozenset[str]] = {p: sub_properties(p) for p in RELATIONS if sub_properties(p)}

#: Nodes (or links) per VALUES block when details are read for chosen nodes and links: a 300-node view's
#: ~450 links in one query; the query text stays ~100 KB.
VALUES_BATCH = 500

_ENTITY_VALUES = " ".join(f"kgo:{t}" for t in ENTITY_TYPES)
_Q_PAPERS = ("SELECT ?p ?title ?url WHERE { ?p a kgo:Paper OPTIONAL { ?p dcterms:title ?title } "
             "OPTIONAL { ?p schema:url ?url } }")
_Q_ENTITIES = f"SELECT ?e ?c ?label WHERE {{ VALUES ?c {{ {_ENTITY_VALUES} }} ?e a ?c OPTIONAL {{ ?e rdfs:label ?label }} }}"
_Q_ALIASES = f"SELECT ?e ?alias WHERE {{ VALUES ?c {{ {_ENTITY_VALUES} }} ?e a ?c ; skos:altLabel ?alias }}"
_Q_SUPPORT = ("SELECT ?p ?prop ?o (MAX(?c) AS ?conf) (COUNT(?ev) AS ?n) WHERE { ?ev a kgo:Evidence ; "
              "kgo:paper ?p ; kgo:entity ?o ; kgo:property ?prop OPTIONAL { ?ev kgo:confidence ?c } } "
              "GROUP BY ?p ?prop ?o")
_Q_ABSTRACTS = "SELECT ?p ?abstract WHERE { VALUES ?p { %s } ?p kgo:abstract ?abstract }"
_Q_EVIDENCE = ("SELECT ?p ?o ?ev ?prop ?mention ?sentence ?start ?end ?ss ?conf WHERE { VALUES (?p ?o) { %s } "
               "?ev a kgo:Evidence ; kgo:paper ?p ; kgo:entity ?o . OPTIONAL { ?ev kgo:property ?prop } "
               "OPTIONAL { ?ev kgo:mention ?mention } OPTIONAL { ?ev kgo:sentence ?sentence } "
               "OPTIONAL { ?ev kgo:start ?start } OPTIONAL { ?ev kgo:end ?end } "
               "OPTIONAL { ?ev kgo:sentenceStart ?ss } OPTIONAL { ?ev kgo:confidence ?conf } }")
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _links_query() -> str:
    """Every paper -> target link by its most specific asserted relations: a property with sub-properties
    (``uses``, ``usesDataset``) only where none of them links the same pair, decided by the engine (the graph
    asserts ``kgo:uses`` beside every ``usesX``: half the rows would otherwise be read only to be dropped).
    MINUS, an anti-join, is what Oxigraph does fast here: 10k papers, 148k links in 1.7 s, against 3.6 s with
    FILTER NOT EXISTS and 2.4 s to read every asserted row."""
    plain = [r for r in RELATIONS if r not in SUB_PROPERTIES]
    parts = ["{ VALUES ?rel { " + " ".join(f"kgo:{r}" for r in plain) + " } ?s ?rel ?o }"]
    for rel, subs in SUB_PROPERTIES.items():
        alternatives = "|".join(f"kgo:{r}" for r in RELATIONS if r in subs)
        parts.append(f"{{ ?s kgo:{rel} ?o MINUS {{ ?s {alternatives} ?o }} BIND(kgo:{rel} AS ?rel) }}")
    return "SELECT ?s ?rel ?o WHERE { " + " UNION ".join(parts) + " }"


_Q_LINKS = _links_query()


class Node(NamedTuple):
    """A node: ``id`` (IRI), ``type`` (one of :data:`NODE_TYPES`), ``label`` (a paper's title, an entity's
    label, a repository's URL; the IRI's last segment where there is none), ``url`` (a paper's page, a
    repository's URL) and an entity's ``aliases`` (other names, sorted, the label left out)."""

    id: str
    type: str
    label: str
    url: str | None = None
    aliases: tuple[str, ...] = ()


class Link(NamedTuple):
    """A paper -> entity or code link by one relation (a property's local name, the most specific asserted),
    with the best ``confidence`` of its evidence and the number of evidence nodes (``mentions``); ``None``
    and 0 for a link without evidence (or when the tables were read without ``support``)."""

    paper: str
    relation: str
    target: str
    confidence: float | None
    mentions: int


class Evidence(NamedTuple):
    """One evidence node of a paper -> target pair: the relation it supports, the mention, its sentence,
    character offsets in the paper's text and the extractor's confidence."""

    relation: str | None
    mention: str
    sentence: str
    start: int | None
    end: int | None
    sentence_start: int | None
    confidence: float | None


class Tables(NamedTuple):
    """What :func:`read_tables` gives: ``nodes`` by id (papers, then entities, then code, each sorted by id)
    and ``links`` sorted by paper, target and relation order."""

    nodes: dict[str, Node]
    links: list[Link]


def as_store(graph: Store | Graph) -> Store:
    """``graph`` itself if it is a :class:`kg.store.Store`, else an in-memory store of the rdflib graph or
    Dataset (all its named graphs)."""
    from .store import Store

    if isinstance(graph, Store):
        return graph
    return Store.in_memory(graph)


def local_name(iri: str | None) -> str | None:
    """The local name of a kgo: term, or None (for None or an IRI outside kgo:)."""
    text = iri or ""
    return text[len(KGO_NS):] if text.startswith(KGO_NS) else None


def number(value: str | None) -> float | int | None:
    """A literal's value as a number (an integer stays int), or None (for None or what is not a finite number)."""
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        pass
    try:
        f = float(value)
    except ValueError:
        return None
    return f if math.isfinite(f) else None


def _smallest(current: str | None, value: str | None) -> str | None:
    """Of two values of a property that should have one, the smaller: a deterministic pick."""
    if value is None:
        return current
    return value if current is None or value < current else current


def _iri(value: str) -> str:
    if _NOT_IN_IRI.search(value):
        raise ViewError(f"{value!r} is not an IRI the store could hold")
    return f"<{value}>"


def _batches(items: list, size: int = VALUES_BATCH) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def specific(relations: Iterable[str]) -> list[str]:
    """The relations of a set that no other member of it implies (``usesDataset`` goes when ``evaluatesOn``
    is there), in :data:`RELATIONS` order.

    >>> specific({"uses", "usesDataset", "evaluatesOn", "proposes"})
    ['proposes', 'evaluatesOn']
    """
    rels = set(relations)
    return sorted((r for r in rels if not SUB_PROPERTIES.get(r, frozenset()) & rels), key=RELATIONS.index)


def read_nodes(store: Store) -> dict[str, Node]:
    """Every paper and entity node, by id: papers, then entities, each sorted by id (code repositories are
    nodes too, met in the links: see :func:`iter_links`). A node with several entity types is kept as the
    first in :data:`NODE_TYPES` order."""
    titles: dict[str, tuple[str | None, str | None]] = {}
    for p, title, url in store.rows(_Q_PAPERS):
        old_title, old_url = titles.get(p, (None, None))
        titles[p] = (_smallest(old_title, title), _smallest(old_url, url))
    nodes: dict[str, Node] = {p: Node(p, "Paper", title if title is not None else p, url)
                              for p, (title, url) in sorted(titles.items())}
    del titles
    rank = {t: i for i, t in enumerate(ENTITY_TYPES)}
    entities: dict[str, tuple[int, str | None]] = {}
    for e, c, label in store.rows(_Q_ENTITIES):
        t = rank[local_name(c)]
        if e in nodes:
            log.debug("%s is both a paper and an entity; kept as a paper", e)
            continue
        old = entities.get(e)
        if old is None or t < old[0]:
            entities[e] = (t, label)
        elif t == old[0]:
            entities[e] = (t, _smallest(old[1], label))
    aliases: dict[str, set[str]] = defaultdict(set)
    for e, alias in store.rows(_Q_ALIASES):
        aliases[e].add(alias)
    for e, (t, label) in sorted(entities.items()):
        label = label if label is not None else e.rstrip("/").rsplit("/", 1)[-1]
        nodes[e] = Node(e, ENTITY_TYPES[t], label, None,
                        tuple(sorted(aliases.get(e, set()) - {label}, key=lambda a: (a.casefold(), a))))
    return nodes


def iter_links(store: Store, nodes: dict[str, Node], *, support: bool = True) -> Iterator[Link]:
    """Every link of the graph, streamed (in no set order), one per paper, target and most specific asserted
    relation. A repository met as the target of ``hasCode`` is added to ``nodes`` as a Code node as it is met.

    Params:
        store: the store to read.
        nodes: :func:`read_nodes` of the store (Code nodes are added to it).
        support: give each link its best confidence and number of evidence nodes (a third of the reading;
            without it they are None and 0).

    A link whose paper is not a paper, or whose target is neither a typed entity nor (for ``hasCode``) a
    repository, is left out, with one warning at the end.
    """
    best: dict[tuple[str, str, str], tuple[float | None, int]] = {}
    for p, prop, o, conf, n in store.rows(_Q_SUPPORT) if support else ():
        value = number(conf)
        best[(p, local_name(prop), o)] = (None if value is None else float(value), int(n))
    skipped = 0
    for s, rel_iri, o in store.rows(_Q_LINKS):
        rel = local_name(rel_iri)
        paper = nodes.get(s)
        if paper is None or paper.type != "Paper":
            continue
        target = nodes.get(o)
        if rel == "hasCode":
            if target is None:
                target = nodes[o] = Node(o, "Code", o, o)
            elif target.type != "Code":
                skipped += 1
                continue
        elif target is None or target.type in ("Paper", "Code"):
            skipped += 1
            continue
        yield Link(paper.id, rel, target.id, *best.get((s, rel, o), (None, 0)))
    if skipped:
        log.warning("%d paper links point to something that is not a typed entity or code; left out", skipped)


def read_tables(store: Store, *, support: bool = True) -> Tables:
    """Every node and every link of the graph (see :class:`Node`, :class:`Link`; :func:`read_nodes`,
    :func:`iter_links`), links sorted by paper, target and relation order, Code nodes after the others.
    What the explorer does not need at once it streams instead (:func:`iter_links`)."""
    nodes = read_nodes(store)
    order = {r: i for i, r in enumerate(RELATIONS)}
    links = sorted(iter_links(store, nodes, support=support), key=lambda l: (l.paper, l.target, order[l.relation]))
    code = sorted(i for i, n in nodes.items() if n.type == "Code")
    for i in code:  # after papers and entities, sorted
        nodes[i] = nodes.pop(i)
    return Tables(nodes, links)


def read_abstracts(store: Store, papers: Iterable[str]) -> dict[str, str]:
    """The abstract of each of ``papers`` that has one (the smallest where a paper has several)."""
    out: dict[str, str] = {}
    for batch in _batches(sorted(set(papers))):
        for p, abstract in store.rows(_Q_ABSTRACTS % " ".join(_iri(i) for i in batch)):
            out[p] = _smallest(out.get(p), abstract)
    return out


def read_evidence(store: Store, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[Evidence]]:
    """The evidence of each (paper, target) pair of ``pairs`` that has any, sorted (most confident first,
    then by position in the text)."""
    found: dict[tuple[str, str], dict[str, dict]] = defaultdict(dict)
    for batch in _batches(sorted(set(pairs))):
        values = " ".join(f"({_iri(p)} {_iri(o)})" for p, o in batch)
        for p, o, ev, prop, mention, sentence, start, end, ss, conf in store.rows(_Q_EVIDENCE % values):
            record = found[(p, o)].setdefault(ev, {})
            for key, value in (("prop", prop), ("mention", mention), ("sentence", sentence), ("start", start),
                               ("end", end), ("ss", ss), ("conf", conf)):
                if value is not None:
                    record[key] = _smallest(record.get(key), value)
    out = {}
    for pair, records in found.items():
        evidence = [Evidence(local_name(r.get("prop")), r.get("mention", ""), r.get("sentence", ""),
                             number(r.get("start")), number(r.get("end")), number(r.get("ss")),
                             number(r.get("conf"))) for r in records.values()]
        out[pair] = sorted(evidence, key=lambda ev: (
            -(ev.confidence if ev.confidence is not None else -1.0),
            ev.start if ev.start is not None else math.inf, ev.end or 0, ev.relation or "", ev.mention, ev.sentence))
    return out


__all__ = ["Node", "Link", "Evidence", "Tables", "NODE_TYPES", "RELATIONS", "SUB_PROPERTIES", "read_tables",
           "read_nodes", "iter_links",
           "read_abstracts", "read_evidence", "as_store", "specific", "local_name", "number"]
