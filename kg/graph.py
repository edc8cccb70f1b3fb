"""Turn linked papers into RDF quads: the ONLY module that mints IRIs.

Each paper's triples (its metadata, its links, their evidence, its code links) live in a named graph
of their own, which depends on that paper alone, so that a paper can be replaced by itself and papers
stream into the store one by one. What papers share lives in the ``entities`` named graph: the canonical
entities (types, label, aliases, catalogued), the code repositories (typed once however many papers
link them) and the pipeline components. No triple is in two named graphs, so the union of the graphs
is their concatenation (``graph.ttl`` is written graph by graph, without de-duplicating). IRIs and
literals depend only on the input text, never on time or order of processing.

Terms are pyoxigraph's (``NamedNode`` checks that an IRI is valid when it is made; literals are
escaped by Oxigraph when written), so that what reaches the store has been checked by the store's own
rules; nothing here opens, loads or queries a store (:mod:`kg.store` does).
"""
from __future__ import annotations

import hashlib
import logging
import re
from decimal import Decimal
from typing import Iterable
from urllib.parse import quote

import pyoxigraph as ox

from .errors import GraphError
from .link import Entity, LinkedPaper
from .records import CodeLink, Paper
from .vocab import BASE, PREFIXES, SCHEMA_NAME, STANDARD_PROPERTIES, TERMS, kgo

log = logging.getLogger(__name__)

PAPER = BASE + "paper/"
ENTITY = BASE + "entity/"
EVIDENCE = BASE + "evidence/"
COMPONENT = BASE + "component/"
GRAPH = BASE + "graph/"
#: Named graph holding what papers share: canonical entities, code repositories, components.
ENTITIES_GRAPH = GRAPH + "entities"

#: Characters left as they are in a URL's path, query and fragment (RFC 3987's; ``[ ]`` only in a host, ``#``
#: only once); anything else (spaces, quotes, <>, {}, non-ASCII) is percent-encoded so that the IRI is valid
#: in every RDF syntax.
_PATH_SAFE = ":/?@!$&'()*+,;=%~-._"
#: Characters left as they are in a host name (and user info).
_HOST_SAFE = "!$&'()*+,;=%~-._"
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
#: Digits kept of a confidence: three are enough to tell bands apart and keep output stable.
_CONFIDENCE_PLACES = Decimal("0.001")

_RDF, _RDFS, _XSD = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["xsd"]
_SKOS, _DCT, _SDO, _PROV = PREFIXES["skos"], PREFIXES["dcterms"], PREFIXES["schema"], PREFIXES["prov"]

#: The kgo: terms as pyoxigraph nodes (a closed set: ``_K["unknown"]`` raises KeyError).
_K = {t: ox.NamedNode(kgo(t)) for t in TERMS}
_TYPE = ox.NamedNode(_RDF + "type")
_LABEL = ox.NamedNode(_RDFS + "label")
_ALT_LABEL = ox.NamedNode(_SKOS + "altLabel")
_TITLE = ox.NamedNode(_DCT + "title")
_DATE = ox.NamedNode(_DCT + "date")
_IDENTIFIER = ox.NamedNode(_DCT + "identifier")
_SCHOLARLY_ARTICLE = ox.NamedNode(_SDO + "ScholarlyArticle")
_SOFTWARE = ox.NamedNode(_SDO + "SoftwareSourceCode")
_CODE_REPOSITORY = ox.NamedNode(_SDO + "codeRepository")
_SCHEMA_DATASET = ox.NamedNode(_SDO + "Dataset")
_URL = ox.NamedNode(_SDO + "url")
_NAME = ox.NamedNode(SCHEMA_NAME)
#: kgo: property -> the standard property written beside it (kg.vocab.STANDARD_PROPERTIES).
_STANDARD = {prop: ox.NamedNode(iri) for prop, iri in STANDARD_PROPERTIES.items()}
_GENERATED_BY = ox.NamedNode(_PROV + "wasGeneratedBy")
_XSD_DATE = ox.NamedNode(_XSD + "date")
_XSD_INTEGER = ox.NamedNode(_XSD + "integer")
_XSD_DECIMAL = ox.NamedNode(_XSD + "decimal")
_XSD_BOOLEAN = ox.NamedNode(_XSD + "boolean")
_ENTITIES = ox.NamedNode(ENTITIES_GRAPH)


def _digest(*parts: str, n: int = 16) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:n]


def paper_iri(paper: Paper) -> str:
    """The paper's IRI: a digest of its title key, so every source of the same paper agrees.

    >>> paper_iri(Paper("Consistency Models", "...")) == paper_iri(Paper("Consistency models", "x"))
    True
    """
    return PAPER + _digest(paper.key or paper.title)


def paper_graph_iri(paper: Paper) -> str:
    """The named graph holding one paper's triples."""
    return GRAPH + "paper/" + _digest(paper.key or paper.title)


def entity_iri(entity: Entity | str) -> str:
    """``…/entity/<type>/<normalised name>`` of an :class:`~kg.link.Entity` or its key: readable and stable.

    >>> entity_iri("Dataset/imagenet")
    'https://w3id.org/paperkg/entity/dataset/imagenet'
    """
    key = entity.key if isinstance(entity, Entity) else entity
    etype, name = key.split("/", 1)
    return f"{ENTITY}{etype.lower()}/{name}"


def code_iri(url: str) -> str | None:
    """The IRI of a URL from a paper's text or record (a code repository, a landing page): the URL as written,
    made a valid absolute IRI, or ``None`` when it cannot be one. This is the one place where text becomes an IRI.

    ``https://`` is added when the text gives no scheme; characters not allowed where they stand are
    percent-encoded (spaces, quotes, ``<>{}|^`` and backslash, non-ASCII, ``[ ]`` outside the host, a ``#``
    after the first, a ``%`` not followed by two hex digits); a URL without a host, with a port that is not
    a number up to 65535, or that is still not an IRI by Oxigraph's rules (those of the store's parsers)
    gives ``None``.

    >>> code_iri("https://github.com/a/b c")
    'https://github.com/a/b%20c'
    >>> code_iri("github.com/a/b")
    'https://github.com/a/b'
    >>> code_iri("https://x.github.io/p/#/demo#top"), code_iri("https://github.com/x/y%")
    ('https://x.github.io/p/#/demo%23top', 'https://github.com/x/y%25')
    >>> code_iri("https://github.com:abc/x/y"), code_iri("https:///x/y")
    (None, None)
    """
    if not _SCHEME.match(url):
        url = "https://" + url
    scheme, _, rest = url.partition("://")
    end = min((i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
    authority, tail = rest[:end], rest[end:]
    userinfo, at, hostport = authority.rpartition("@")
    if hostport.startswith("["):  # an IPv6 literal: [::1]:8080
        host, bracket, port = hostport.partition("]")
        host += bracket
        if port and not port.startswith(":"):
            return None
        port = port[1:]
    else:
        host, _, port = hostport.partition(":")
    if not host or (port and not (port.isdigit() and int(port) <= 65535)):
        return None
    if not host.startswith("["):
        host = _fix_percent(quote(host, safe=_HOST_SAFE))
    userinfo = _fix_percent(quote(userinfo, safe=_HOST_SAFE + ":")) + at
    body, hash_, fragment = tail.partition("#")
    iri = (f"{scheme}://{userinfo}{host}{':' + port if port else ''}"
           f"{_fix_percent(quote(body, safe=_PATH_SAFE))}{hash_}{_fix_percent(quote(fragment, safe=_PATH_SAFE))}")
    try:
        ox.NamedNode(iri)
    except ValueError:
        return None
    return iri


def _fix_percent(text: str) -> str:
    """``%`` not starting a percent-encoded byte, encoded itself (``%zz`` -> ``%25zz``)."""
    return _BAD_PERCENT.sub("%25", text)


def component_iri(name: str) -> str:
    return COMPONENT + quote(name, safe="")


def _node(iri: str, paper: Paper | None = None) -> ox.NamedNode:
    try:
        return ox.NamedNode(iri)
    except ValueError as err:
        where = f" of paper {paper.title!r} ({paper.source}:{paper.line})" if paper is not None else ""
        raise GraphError(f"cannot make an IRI of {iri!r}{where}: {err}") from err


def _url_node(url: str, paper: Paper, what: str, warn: bool = True) -> ox.NamedNode | None:
    """A URL from the text as an IRI node (:func:`code_iri`), or ``None`` when it cannot be made a valid IRI
    (e.g. ``https://host:port-that-is-not-a-number``): then it is left out of the paper, with a warning
    naming the file, line and paper when ``warn``."""
    iri = code_iri(url)
    if iri is None:
        if warn:
            log.warning("%s:%s: %s %r of paper %r cannot be made a valid IRI; left out", paper.source, paper.line,
                        what, url[:200], paper.title[:80])
        return None
    return ox.NamedNode(iri)


def code_repositories(lp: LinkedPaper, warn: bool = True) -> list[tuple[CodeLink, ox.NamedNode]]:
    """A linked paper's code links with their repositories' IRI nodes; a URL that cannot be an IRI is left
    out (with a warning when ``warn``)."""
    out = []
    for c in lp.code:
        node = _url_node(c.url, lp.paper, "code URL", warn)
        if node is not None:
            out.append((c, node))
    return out


def _confidence(x: float) -> ox.Literal:
    value = Decimal(str(min(1.0, max(0.0, float(x))))).quantize(_CONFIDENCE_PLACES)
    return ox.Literal(str(value), datatype=_XSD_DECIMAL)


def _integer(n: int) -> ox.Literal:
    return ox.Literal(str(int(n)), datatype=_XSD_INTEGER)


def paper_quads(lp: LinkedPaper) -> list[ox.Quad]:
    """The quads of one linked paper's named graph (metadata, links, evidence, code links).

    A URL of the paper or of its code that cannot be made a valid IRI is left out, with a warning.
    """
    paper = lp.paper
    g = _node(paper_graph_iri(paper))
    p = _node(paper_iri(paper))
    out: list[ox.Quad] = []

    def add(s: ox.NamedNode, pred: ox.NamedNode, o) -> None:
        out.append(ox.Quad(s, pred, o, g))

    add(p, _TYPE, _K["Paper"])
    add(p, _TYPE, _SCHOLARLY_ARTICLE)
    title = ox.Literal(paper.title)
    add(p, _TITLE, title)
    add(p, _NAME, title)

    def meta(prop: str, value: ox.Literal) -> None:  # the kgo: property and the standard one it refines
        add(p, _K[prop], value)
        add(p, _STANDARD[prop], value)

    meta("abstract", ox.Literal(paper.abstract))
    url = _url_node(paper.url, paper, "URL") if paper.url else None
    if url is not None:
        add(p, _URL, url)
    if paper.date:
        add(p, _DATE, ox.Literal(paper.date, datatype=_XSD_DATE))
    if paper.id:
        is_arxiv = (paper.url or "").startswith("https://arxiv.org/abs/")
        if is_arxiv:
            meta("arxivId", ox.Literal(paper.id))
        else:
            add(p, _IDENTIFIER, ox.Literal(paper.id))
    for name in paper.authors:
        add(p, _K["authorName"], ox.Literal(name))
    for cat in paper.categories:
        meta("category", ox.Literal(cat))

    def evidence(prop: str, obj: ox.NamedNode, text: str, start: int, end: int, sentence: str, sent_start: int,
                 component: str, confidence: float) -> None:
        ev = _node(EVIDENCE + _digest(p.value, _K[prop].value, obj.value, str(start), str(end)))
        add(ev, _TYPE, _K["Evidence"])
        add(ev, _K["paper"], p)
        add(ev, _K["entity"], obj)
        add(ev, _K["property"], _K[prop])
        add(ev, _K["mention"], ox.Literal(text))
        add(ev, _K["sentence"], ox.Literal(sentence))
        add(ev, _K["start"], _integer(start))
        add(ev, _K["end"], _integer(end))
        add(ev, _K["sentenceStart"], _integer(sent_start))
        add(ev, _GENERATED_BY, _node(component_iri(component)))
        add(ev, _K["confidence"], _confidence(confidence))

    for c, repo in code_repositories(lp):
        add(p, _K["hasCode"], repo)
        evidence("hasCode", repo, c.url, c.start, c.end, c.sentence, c.sent_start, c.component, c.confidence)
    for ln in lp.links:
        e = _node(entity_iri(ln.entity))
        for prop in ln.properties:
            add(p, _K[prop], e)
        for m, prop in ln.evidence:
            evidence(prop, e, m.text, m.start, m.end, m.sentence, m.sent_start, m.component, m.confidence)
    return out


def code_iris(lp: LinkedPaper) -> list[str]:
    """The IRIs of the code repositories a linked paper links to (typed in the entities graph)."""
    return sorted({node.value for _, node in code_repositories(lp, warn=False)})  # paper_quads warns


def entity_quads(entity: Entity) -> list[ox.Quad]:
    """An entity's quads in the entities graph: its types, label, aliases and catalogued flag."""
    e = _node(entity_iri(entity))
    out = [ox.Quad(e, _TYPE, _K[entity.type], _ENTITIES), ox.Quad(e, _TYPE, _K["Entity"], _ENTITIES)]
    if entity.type == "Dataset":
        out.append(ox.Quad(e, _TYPE, _SCHEMA_DATASET, _ENTITIES))
    label = ox.Literal(entity.label)
    out += [ox.Quad(e, _LABEL, label, _ENTITIES), ox.Quad(e, _NAME, label, _ENTITIES)]
    out += [ox.Quad(e, _ALT_LABEL, ox.Literal(a), _ENTITIES) for a in entity.aliases]
    out.append(ox.Quad(e, _K["catalogued"], ox.Literal("true" if entity.catalogued else "false",
                                                       datatype=_XSD_BOOLEAN), _ENTITIES))
    return out


def code_repository_quads(iri: str) -> list[ox.Quad]:
    """A code repository's quads in the entities graph (``iri`` from :func:`code_iri`)."""
    repo = _node(iri)
    return [ox.Quad(repo, _TYPE, _SOFTWARE, _ENTITIES), ox.Quad(repo, _CODE_REPOSITORY, repo, _ENTITIES)]


def component_quads(name: str) -> list[ox.Quad]:
    """A pipeline component's quads in the entities graph."""
    c = _node(component_iri(name))
    return [ox.Quad(c, _TYPE, _K["Component"], _ENTITIES), ox.Quad(c, _LABEL, ox.Literal(name), _ENTITIES)]


def shared_subject(kind: str, value: str) -> str:
    """The IRI of a shared node of the entities graph: ``kind`` ``entity`` (value: an entity key),
    ``code`` (value: a code IRI) or ``component`` (value: its name)."""
    if kind == "entity":
        return entity_iri(value)
    if kind == "code":
        return value
    return component_iri(value)


def linked_quads(papers: Iterable[LinkedPaper], entities: Iterable[Entity]) -> Iterable[ox.Quad]:
    """Every quad of a small linked corpus (see :func:`kg.link.link`): paper graphs, then the entities graph."""
    repos: set[str] = set()
    components: set[str] = set()
    for lp in papers:
        yield from paper_quads(lp)
        repos.update(code_iris(lp))
        components.update(lp.components)
    for ent in entities:
        yield from entity_quads(ent)
    for iri in sorted(repos):
        yield from code_repository_quads(iri)
    for name in sorted(components):
        yield from component_quads(name)


__all__ = ["paper_quads", "entity_quads", "code_repository_quads", "component_quads", "linked_quads", "paper_iri",
           "paper_graph_iri", "entity_iri", "code_iri", "component_iri", "code_iris", "shared_subject",
           "ENTITIES_GRAPH"]
