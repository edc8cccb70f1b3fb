"""Turn linked extractions into RDF: the ONLY module that mints IRIs.

Each paper's triples (its metadata, its links, their evidence, its code) live in a named graph of
their own, so that a paper can be replaced atomically; the canonical entities live in the
``entities`` named graph. IRIs and literals depend only on the input text, never on time or
order of processing, so building twice gives identical graphs.
"""
from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from urllib.parse import quote

from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SDO as SCHEMA, SKOS, XSD

from .link import Entity, Linked
from .records import Paper
from .vocab import BASE, KGO, PREFIXES

PAPER = Namespace(BASE + "paper/")
ENTITY = Namespace(BASE + "entity/")
EVIDENCE = Namespace(BASE + "evidence/")
COMPONENT = Namespace(BASE + "component/")
GRAPH = Namespace(BASE + "graph/")
#: Named graph holding the canonical entities (type, labels) shared by all papers.
ENTITIES_GRAPH = GRAPH["entities"]

#: Characters left as they are in a code URL; anything else (spaces, quotes, <>, {}, non-ASCII)
#: is percent-encoded so that the IRI is valid in every RDF syntax.
_IRI_SAFE = ":/?#[]@!$&'()*+,;=%~-._"
#: Digits kept of a confidence: three are enough to tell bands apart and keep output stable.
_CONFIDENCE_PLACES = Decimal("0.001")


def _digest(*parts: str, n: int = 16) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:n]


def paper_iri(paper: Paper) -> URIRef:
    """The paper's IRI: a digest of its title key, so every source of the same paper agrees.

    >>> paper_iri(Paper("Consistency Models", "...")) == paper_iri(Paper("Consistency models", "x"))
    True
    """
    return PAPER[_digest(paper.key or paper.title)]


def paper_graph_iri(paper: Paper) -> URIRef:
    """The named graph holding one paper's triples."""
    return GRAPH["paper/" + _digest(paper.key or paper.title)]


def entity_iri(entity: Entity) -> URIRef:
    """``…/entity/<type>/<normalised name>``: readable and stable.

    >>> from kg.link import Entity
    >>> str(entity_iri(Entity("Dataset/imagenet", "Dataset", "ImageNet", (), True)))
    'https://w3id.org/paperkg/entity/dataset/imagenet'
    """
    etype, name = entity.key.split("/", 1)
    return ENTITY[f"{etype.lower()}/{name}"]


def code_iri(url: str) -> URIRef:
    """The code repository's IRI: the URL as written, made a valid absolute IRI
    (``https://`` added when the text gives none, unsafe characters percent-encoded).

    >>> str(code_iri("https://github.com/a/b c"))
    'https://github.com/a/b%20c'
    >>> str(code_iri("github.com/a/b"))
    'https://github.com/a/b'
    """
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", url):
        url = "https://" + url
    return URIRef(quote(url, safe=_IRI_SAFE))


def component_iri(name: str) -> URIRef:
    return COMPONENT[quote(name, safe="")]


def _confidence(x: float) -> Literal:
    value = Decimal(str(min(1.0, max(0.0, float(x))))).quantize(_CONFIDENCE_PLACES)
    return Literal(value, datatype=XSD.decimal)


def _bind(g: Graph) -> None:
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, Namespace(ns), override=True)


def _paper_triples(g: Graph, paper: Paper, p: URIRef) -> None:
    g.add((p, RDF.type, KGO.Paper))
    g.add((p, RDF.type, SCHEMA.ScholarlyArticle))
    g.add((p, DCTERMS.title, Literal(paper.title)))
    g.add((p, KGO.abstract, Literal(paper.abstract)))
    if paper.url:
        g.add((p, SCHEMA.url, code_iri(paper.url)))
    if paper.date:
        g.add((p, DCTERMS.date, Literal(paper.date, datatype=XSD.date)))
    if paper.id:
        is_arxiv = (paper.url or "").startswith("https://arxiv.org/abs/")
        g.add((p, KGO.arxivId if is_arxiv else DCTERMS.identifier, Literal(paper.id)))
    for name in paper.authors:
        g.add((p, KGO.authorName, Literal(name)))
    for cat in paper.categories:
        g.add((p, KGO.category, Literal(cat)))


def _evidence(g: Graph, p: URIRef, prop: URIRef, obj: URIRef, *, text: str, start: int, end: int,
              sentence: str, sent_start: int, component: str, confidence: float) -> None:
    ev = EVIDENCE[_digest(str(p), str(prop), str(obj), str(start), str(end))]
    g.add((ev, RDF.type, KGO.Evidence))
    g.add((ev, KGO.paper, p))
    g.add((ev, KGO.entity, obj))
    g.add((ev, KGO.property, prop))
    g.add((ev, KGO.mention, Literal(text)))
    g.add((ev, KGO.sentence, Literal(sentence)))
    g.add((ev, KGO.start, Literal(start)))
    g.add((ev, KGO.end, Literal(end)))
    g.add((ev, KGO.sentenceStart, Literal(sent_start)))
    g.add((ev, PROV.wasGeneratedBy, component_iri(component)))
    g.add((ev, KGO.confidence, _confidence(confidence)))


def to_dataset(linked: Linked) -> Dataset:
    """Build the RDF dataset: one named graph per paper plus the ``entities`` graph.

    Params: ``linked``, the output of :func:`kg.link.link`.
    Returns: an rdflib ``Dataset`` whose default graph is the union of its named graphs.
    """
    ds = Dataset(default_union=True)
    _bind(ds)
    components: set[str] = set()
    paper_graphs: dict[str, Graph] = {}
    for paper in linked.papers:
        g = ds.graph(paper_graph_iri(paper))
        paper_graphs[paper.key] = g
        p = paper_iri(paper)
        _paper_triples(g, paper, p)
        for c in linked.code.get(paper.key, ()):
            repo = code_iri(c.url)
            g.add((p, KGO.hasCode, repo))
            g.add((repo, RDF.type, SCHEMA.SoftwareSourceCode))
            g.add((repo, SCHEMA.codeRepository, repo))
            components.add(c.component)
            _evidence(g, p, KGO.hasCode, repo, text=c.url, start=c.start, end=c.end, sentence=c.sentence,
                      sent_start=c.sent_start, component=c.component, confidence=c.confidence)
    for ln in linked.links:
        g = paper_graphs[ln.paper.key]
        p = paper_iri(ln.paper)
        e = entity_iri(linked.entities[ln.entity])
        for prop in ln.properties:
            g.add((p, KGO[prop], e))
        for m, prop in ln.evidence:
            components.add(m.component)
            _evidence(g, p, KGO[prop], e, text=m.text, start=m.start, end=m.end, sentence=m.sentence,
                      sent_start=m.sent_start, component=m.component, confidence=m.confidence)
    eg = ds.graph(ENTITIES_GRAPH)
    for ent in linked.entities.values():
        e = entity_iri(ent)
        eg.add((e, RDF.type, KGO[ent.type]))
        eg.add((e, RDF.type, KGO.Entity))
        if ent.type == "Dataset":
            eg.add((e, RDF.type, SCHEMA.Dataset))
        eg.add((e, RDFS.label, Literal(ent.label)))
        for alias in ent.aliases:
            eg.add((e, SKOS.altLabel, Literal(alias)))
        eg.add((e, KGO.catalogued, Literal(ent.catalogued)))
    for name in sorted(components):
        c = component_iri(name)
        eg.add((c, RDF.type, KGO.Component))
        eg.add((c, RDFS.label, Literal(name)))
    return ds


def union_graph(ds: Dataset) -> Graph:
    """All triples of the dataset in one plain graph (what ``graph.ttl`` holds)."""
    g = Graph()
    _bind(g)
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


__all__ = ["to_dataset", "union_graph", "paper_iri", "paper_graph_iri", "entity_iri", "code_iri",
           "ENTITIES_GRAPH"]
