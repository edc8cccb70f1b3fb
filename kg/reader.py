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
from .vocab import COVERING_LINKS, ENTITY_TYPES, KGO_NS, LINK_PROPERTIES, sub_properties

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
_COVERING_LINKS = " ".join(f"kgo:{p}" for p in COVERING_LINKS)
# Single-pattern scans joined here: Oxigraph reads each in one index range, where the OPTIONAL joins of one
# query cost 3-7x more (10k papers: titles 0.10 s against 0.71 s with the URL OPTIONAL in the same query).
_Q_PAPERS = "SELECT ?p WHERE { ?p a kgo:Paper }"
_Q_TITLES = "SELECT ?p ?title WHERE { ?p dcterms:title ?title }"
_Q_URLS = "SELECT ?p ?url WHERE { ?p schema:url ?url }"  # joined with the papers here: 0 s, not 6 s, at 100k
_Q_ENTITIES = f"SELECT ?e ?c WHERE {{ VALUES ?c {{ {_ENTITY_VALUES} }} ?e a ?c }}"
_Q_LABELS = "SELECT ?e ?label WHERE { ?e rdfs:label ?label }"
_Q_ALIASES = "SELECT ?e ?alias WHERE { ?e skos:altLabel ?alias }"
_Q_CODE = "SELECT ?c WHERE { ?c a schema:SoftwareSourceCode }"
#: Papers linked to each entity or repository (``kgo:uses`` stands for every finer "uses" link).
_Q_DEGREES = f"SELECT ?o (COUNT(DISTINCT ?p) AS ?n) WHERE {{ VALUES ?r {{ {_COVERING_LINKS} }} ?p ?r ?o }} GROUP BY ?o"
_Q_ALL_ABSTRACTS = "SELECT ?p ?abstract WHERE { ?p kgo:abstract ?abstract }"
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


def _evidence_order(ev: Evidence) -> tuple:
    """Evidence best first: the most confident, then by position in the text."""
    return (-(ev.confidence if ev.confidence is not None else -1.0), ev.start if ev.start is not None else math.inf,
            ev.end or 0, ev.relation or "", ev.mention, ev.sentence)


def _entity_node(e: str, type: str, label: str | None, aliases: Iterable[str]) -> Node:
    """An entity's node: its label (the IRI's last segment where it has none) and its other names, sorted."""
    label = label if label is not None else e.rstrip("/").rsplit("/", 1)[-1]
    return Node(e, type, label, None, tuple(sorted(set(aliases) - {label}, key=lambda a: (a.casefold(), a))))


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
    nodes too, met in the links: see :func:`iter_links`, or read with :func:`read_code`). A node with several
    entity types is kept as the first in :data:`NODE_TYPES` order; of several titles, labels or URLs the
    smallest."""
    papers = {p for (p,) in store.rows(_Q_PAPERS)}
    titles: dict[str, str] = {}
    for p, title in store.rows(_Q_TITLES):
        if p in papers and title is not None:
            titles[p] = _smallest(titles.get(p), title)
    urls: dict[str, str] = {}
    for p, url in store.rows(_Q_URLS):
        if url is not None and p in papers:
            urls[p] = _smallest(urls.get(p), url)
    nodes: dict[str, Node] = {p: Node(p, "Paper", titles.get(p, p), urls.get(p)) for p in sorted(papers)}
    del titles, urls
    rank = {t: i for i, t in enumerate(ENTITY_TYPES)}
    entities: dict[str, int] = {}
    for e, c in store.rows(_Q_ENTITIES):
        if e in papers:
            log.debug("%s is both a paper and an entity; kept as a paper", e)
            continue
        t = rank[local_name(c)]
        entities[e] = min(t, entities.get(e, t))
    labels: dict[str, str] = {}
    for e, label in store.rows(_Q_LABELS):
        if e in entities and label is not None:
            labels[e] = _smallest(labels.get(e), label)
    aliases: dict[str, set[str]] = defaultdict(set)
    for e, alias in store.rows(_Q_ALIASES):
        if e in entities and alias is not None:
            aliases[e].add(alias)
    for e, t in sorted(entities.items()):
        nodes[e] = _entity_node(e, ENTITY_TYPES[t], labels.get(e), aliases.get(e, ()))
    return nodes


def read_code(store: Store, nodes: dict[str, Node]) -> None:
    """Add every code repository of the store to ``nodes`` (as :func:`iter_links` does for those it meets),
    sorted, after the others; one that is also a paper or an entity stays what it was."""
    for c in sorted(c for (c,) in store.rows(_Q_CODE)):
        if c not in nodes:
            nodes[c] = Node(c, "Code", c, c)


def read_degrees(store: Store) -> dict[str, int]:
    """How many papers link to each entity or code repository (by any link property), one aggregate
    query: the engine counts, nothing is read per link."""
    return {o: int(n) for o, n in store.rows(_Q_DEGREES)}


def iter_abstracts(store: Store) -> Iterator[tuple[str, str]]:
    """Every paper's abstract, streamed, as (paper, abstract) (a paper with several gives each)."""
    for p, abstract in store.rows(_Q_ALL_ABSTRACTS):
        if abstract is not None:
            yield p, abstract


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


class Neighbourhood(NamedTuple):
    """What :func:`read_neighbourhood` gives: the ``center`` node, the ``nodes`` linked to it (and it), its
    ``links`` (most specific relations, with best confidence and number of evidence nodes), the ``evidence``
    of each (paper, target) pair (best first), the ``abstracts`` of the papers among the nodes, and
    ``total``, the number of neighbours (``None``: more than the budget, which kept some)."""

    center: Node
    nodes: dict[str, Node]
    links: list[Link]
    evidence: dict[tuple[str, str], list[Evidence]]
    abstracts: dict[str, str]
    total: int | None


_LINK_VALUES = " ".join(f"kgo:{r}" for r in RELATIONS)
_Q_NODE_TYPE = ("SELECT ?c WHERE { VALUES ?c { kgo:Paper " + _ENTITY_VALUES + " schema:SoftwareSourceCode } %s a ?c }")
_Q_OUT_LINKS = "SELECT ?relation ?target WHERE { VALUES ?relation { " + _LINK_VALUES + " } %s ?relation ?target }"
_Q_PROPOSERS = "SELECT DISTINCT ?paper WHERE { ?paper kgo:proposes %s } ORDER BY ?paper LIMIT %d"
_Q_LINKERS = "SELECT DISTINCT ?paper WHERE { VALUES ?r { " + _COVERING_LINKS + " } ?paper ?r %s } LIMIT %d"
# Without a VALUES block on ?relation (the caller keeps the link properties): 8 ms against 108 ms.
_Q_IN_LINKS = "SELECT ?paper ?relation WHERE { VALUES ?paper { %s } ?paper ?relation %s }"
# Evidence joined without OPTIONALs: Oxigraph then starts from the bound paper (35 ms for 150 papers of the
# most used dataset of 10k papers, where OPTIONAL blocks take 0.4-7 s). Evidence missing one of these
# properties (not written by paperkg) is not shown.
_EVIDENCE_PATTERN = ("?ev kgo:paper ?paper ; kgo:entity ?target ; kgo:property ?prop ; kgo:mention ?mention ; "
                     "kgo:sentence ?sentence ; kgo:start ?start ; kgo:end ?end ; kgo:sentenceStart ?ss ; "
                     "kgo:confidence ?conf .")


def _evidence_query(papers: list[str], targets: list[str]) -> str:
    """Evidence of the links of ``papers`` to ``targets`` (and, for one paper, of all its links: the caller
    keeps those it wants). One paper or one target is written as a constant, so that the engine starts
    from it; a VALUES block beside a constant paper makes it 100x slower (0.22 s against 2 ms)."""
    pattern = _EVIDENCE_PATTERN
    if len(papers) == 1:
        pattern = pattern.replace("kgo:paper ?paper", f"kgo:paper {_iri(papers[0])}")
        return (f"SELECT ?paper ?target ?prop ?mention ?sentence ?start ?end ?ss ?conf WHERE {{ {pattern} "
                f"BIND({_iri(papers[0])} AS ?paper) }}")
    values = "VALUES ?paper { %s }" % " ".join(_iri(i) for i in papers)
    if len(targets) == 1:
        pattern = pattern.replace("kgo:entity ?target", f"kgo:entity {_iri(targets[0])}")
        return (f"SELECT ?paper ?target ?prop ?mention ?sentence ?start ?end ?ss ?conf WHERE {{ {values} {pattern} "
                f"BIND({_iri(targets[0])} AS ?target) }}")
    values += " VALUES ?target { %s }" % " ".join(_iri(i) for i in targets)
    return f"SELECT ?paper ?target ?prop ?mention ?sentence ?start ?end ?ss ?conf WHERE {{ {values} {pattern} }}"


_Q_NODES_OF = ("SELECT ?n ?c ?label ?alias ?title ?url WHERE { VALUES ?n { %s } { VALUES ?c { kgo:Paper "
               + _ENTITY_VALUES + " schema:SoftwareSourceCode } ?n a ?c } UNION { ?n rdfs:label ?label } UNION "
               "{ ?n skos:altLabel ?alias } UNION { ?n dcterms:title ?title } UNION { ?n schema:url ?url } }")


def _nodes_of(store: Store, ids: Iterable[str]) -> dict[str, Node]:
    """The nodes of ``ids`` that are papers, entities or repositories (as :func:`read_nodes` makes them)."""
    rank = {t: i for i, t in enumerate(NODE_TYPES)}
    found: dict[str, dict] = {}
    for batch in _batches(sorted(set(ids))):
        for n, c, label, alias, title, url in store.rows(_Q_NODES_OF % " ".join(_iri(i) for i in batch)):
            rec = found.setdefault(n, {"aliases": set()})
            if c is not None:
                t = "Code" if c.endswith("SoftwareSourceCode") else local_name(c)
                if t in rank and ("type" not in rec or rank[t] < rank[rec["type"]]):
                    rec["type"] = t
            if label is not None:
                rec["label"] = _smallest(rec.get("label"), label)
            if alias is not None:
                rec["aliases"].add(alias)
            if title is not None:
                rec["title"] = _smallest(rec.get("title"), title)
            if url is not None:
                rec["url"] = _smallest(rec.get("url"), url)
    out = {}
    for i, rec in sorted(found.items()):
        t = rec.get("type")
        if t is None:
            continue
        if t == "Paper":
            out[i] = Node(i, t, rec.get("title", i), rec.get("url"))
        elif t == "Code":
            out[i] = Node(i, t, i, i)
        else:
            out[i] = _entity_node(i, t, rec.get("label"), rec["aliases"])
    return out


def read_neighbourhood(store: Store, node: str, *, budget: int = 150) -> Neighbourhood:
    """A node's neighbourhood, read with a few SELECTs bound to it (none scans the graph): for a paper, every
    link it has; for an entity or a repository, the papers linking to it, at most ``budget`` (those that
    propose it first, then in the store's order), with their links to it. With the evidence of each link,
    and the papers' abstracts. (Nodes' degrees are not counted here: that would read every link of a hub;
    :func:`read_degrees` gives them all at once.)

    Raises: ViewError if ``node`` is not an IRI of a paper, entity or repository in the store.
    """
    center_iri = _iri(node)
    kinds = {local_name(c) or "Code" for (c,) in store.rows(_Q_NODE_TYPE % center_iri)}
    if not kinds:
        raise ViewError(f"{node!r} is not a paper, entity or code repository of this graph")
    links: dict[tuple[str, str], set[str]] = defaultdict(set)
    if "Paper" in kinds:
        for rel, target in store.rows(_Q_OUT_LINKS % center_iri):
            links[(node, target)].add(local_name(rel))
        papers = [node]
        total = len({t for _, t in links})
    else:
        papers = [p for (p,) in store.rows(_Q_PROPOSERS % (center_iri, budget + 1))]
        if len(papers) <= budget:
            seen = set(papers)
            papers += [p for (p,) in store.rows(_Q_LINKERS % (center_iri, budget + 1 + len(papers)))
                       if p not in seen][:budget + 1 - len(papers)]
        total = len(papers) if len(papers) <= budget else None
        papers = papers[:budget]
        for batch in _batches(papers):
            for p, rel in store.rows(_Q_IN_LINKS % (" ".join(_iri(i) for i in batch), center_iri)):
                if local_name(rel) in RELATIONS:
                    links[(p, node)].add(local_name(rel))
    nodes = _nodes_of(store, {node, *(i for pair in links for i in pair)})
    if node not in nodes:
        raise ViewError(f"{node!r} is not a paper, entity or code repository of this graph")
    kept = {pair: rels for pair, rels in links.items() if pair[0] in nodes and pair[1] in nodes
            and nodes[pair[0]].type == "Paper" and nodes[pair[1]].type not in ("Paper",)
            and (nodes[pair[1]].type == "Code") == ("hasCode" in rels)}
    evidence: dict[tuple[str, str], list[Evidence]] = defaultdict(list)
    targets = sorted({o for _, o in kept})
    for batch in _batches(sorted({p for p, _ in kept})):
        for tbatch in _batches(targets):
            for p, o, prop, mention, sentence, start, end, ss, conf in store.rows(_evidence_query(batch, tbatch)):
                if (p, o) in kept:
                    evidence[(p, o)].append(Evidence(local_name(prop), mention or "", sentence or "", number(start),
                                                     number(end), number(ss), number(conf)))
    for records in evidence.values():
        records.sort(key=_evidence_order)
    out_links = []
    for (p, o), rels in sorted(kept.items()):
        for rel in specific(rels):
            support = [ev for ev in evidence.get((p, o), ()) if ev.relation == rel]
            out_links.append(Link(p, rel, o, support[0].confidence if support else None, len(support)))
    abstracts = read_abstracts(store, (i for i, n in nodes.items() if n.type == "Paper"))
    return Neighbourhood(nodes[node], nodes, out_links, dict(evidence), abstracts, total)


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
        out[pair] = sorted(evidence, key=_evidence_order)
    return out


__all__ = ["Node", "Link", "Evidence", "Tables", "Neighbourhood", "read_neighbourhood", "read_degrees",
           "read_code", "iter_abstracts", "NODE_TYPES", "RELATIONS", "SUB_PROPERTIES", "read_tables",
           "read_nodes", "iter_links",
           "read_abstracts", "read_evidence", "as_store", "specific", "local_name", "number"]
