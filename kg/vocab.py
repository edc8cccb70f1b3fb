"""The kgo: vocabulary: its terms, the five entity types, the paper → entity link properties and the
``uses`` hierarchy, declared ONCE here and imported everywhere else.

Kept in sync with ``ontology/paperkg.ttl`` (the source of truth) by ``tests/test_vocab.py``: the same
terms, the same classes under ``kgo:Entity``, the same ``rdfs:subPropertyOf`` tree and ranges.
IRIs of papers, entities, evidence and graphs are minted only in :mod:`kg.graph`.

This module is plain Python data: :data:`KGO`, the closed rdflib namespace of the terms (an unknown term
raises AttributeError), is made on first use, so that the build (which never needs rdflib) does not
import rdflib through it.

>>> ENTITY_TYPES
('Method', 'Architecture', 'Dataset', 'Task', 'Metric')
>>> sorted(sub_properties("usesDataset"))
['evaluatesOn', 'trainsOn']
>>> kgo("uses")
'https://w3id.org/paperkg/ontology#uses'
"""
from __future__ import annotations

from typing import Any

BASE = "https://w3id.org/paperkg/"
#: The kgo: namespace.
KGO_NS = BASE + "ontology#"
MLS_NS = "http://www.w3.org/ns/mls#"

#: Every term of the ontology (local names), in the ontology's order.
TERMS: tuple[str, ...] = (
    # classes
    "Paper", "Entity", "Method", "Architecture", "Dataset", "Task", "Metric", "Evidence", "Component",
    # paper metadata
    "abstract", "arxivId", "authorName", "category",
    # paper -> entity links
    "proposes", "uses", "usesMethod", "usesArchitecture", "usesDataset", "evaluatesOn", "trainsOn",
    "comparesWith", "addressesTask", "reportsMetric", "hasCode",
    # entity metadata
    "catalogued",
    # evidence
    "paper", "entity", "property", "mention", "sentence", "start", "end", "sentenceStart", "confidence",
)

#: The entity classes (subclasses of kgo:Entity), in display order.
ENTITY_TYPES: tuple[str, ...] = ("Method", "Architecture", "Dataset", "Task", "Metric")

#: The ``uses`` hierarchy: each sub-property of ``kgo:uses`` and its direct super-property.
SUPER_PROPERTY: dict[str, str] = {
    "usesMethod": "uses",
    "usesArchitecture": "uses",
    "usesDataset": "uses",
    "comparesWith": "uses",
    "evaluatesOn": "usesDataset",
    "trainsOn": "usesDataset",
}
#: The ``usesX`` property of each entity type that has one (the property whose range is that type).
USES_PROPERTY: dict[str, str] = {"Method": "usesMethod", "Architecture": "usesArchitecture", "Dataset": "usesDataset"}
#: The one link property of the types outside the ``uses`` family.
TYPE_PROPERTY: dict[str, str] = {"Task": "addressesTask", "Metric": "reportsMetric"}
#: The finer "used" relations (the sub-properties of ``kgo:uses`` below the ``usesX``) and the entity types
#: each applies to: its range where that is one entity type, else every type with a ``usesX`` property.
RELATION_TYPES: dict[str, tuple[str, ...]] = {
    "evaluatesOn": ("Dataset",),
    "trainsOn": ("Dataset",),
    "comparesWith": ("Method", "Architecture", "Dataset"),
}
#: Every paper → entity or code property, the most specific and telling first (an edge drawn for several
#: of them is named by the first).
LINK_PROPERTIES: tuple[str, ...] = ("proposes", "evaluatesOn", "trainsOn", "comparesWith", "usesDataset",
                                    "usesArchitecture", "usesMethod", "uses", "addressesTask", "reportsMetric",
                                    "hasCode")


#: The link properties that together cover every paper -> entity or code link, each link once per property
#: (``uses`` is asserted beside every finer "uses" link): what counts and degrees are taken over.
COVERING_LINKS: tuple[str, ...] = ("proposes", "uses", "addressesTask", "reportsMetric", "hasCode")


def sub_properties(prop: str) -> frozenset[str]:
    """Every property below ``prop`` in the ``uses`` hierarchy (transitively; ``prop`` itself excluded).

    >>> sorted(sub_properties("uses"))
    ['comparesWith', 'evaluatesOn', 'trainsOn', 'usesArchitecture', 'usesDataset', 'usesMethod']
    """
    out: set[str] = set()
    frontier = [prop]
    while frontier:
        parent = frontier.pop()
        children = [p for p, sup in SUPER_PROPERTY.items() if sup == parent and p not in out]
        out.update(children)
        frontier.extend(children)
    return frozenset(out)


def kgo(name: str) -> str:
    """The IRI of the kgo: term ``name``.

    Raises: AttributeError for a name that is not a term of the ontology (a closed namespace).
    """
    if name not in _TERM_SET:
        raise AttributeError(f"kgo:{name} is not a term of the paperkg ontology (ontology/paperkg.ttl)")
    return KGO_NS + name


_TERM_SET = frozenset(TERMS)

#: Prefixes bound in every graph paperkg writes and every query it runs.
PREFIXES: dict[str, str] = {
    "kgo": KGO_NS,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "prov": "http://www.w3.org/ns/prov#",
}


#: Paper metadata written with a kgo: property is also written with the standard property it refines
#: (``rdfs:subPropertyOf`` in ontology/paperkg.ttl), so that a client without inference finds it:
#: kgo: local name -> IRI of the standard property. The kgo: terms stay (the vocabulary contract).
STANDARD_PROPERTIES: dict[str, str] = {
    "abstract": PREFIXES["dcterms"] + "abstract",
    "arxivId": PREFIXES["dcterms"] + "identifier",
    "category": PREFIXES["dcterms"] + "subject",
}
#: The name schema.org clients query: written beside ``dcterms:title`` (a paper is a schema:ScholarlyArticle) and
#: beside ``rdfs:label`` (an entity's canonical name), with the same value.
SCHEMA_NAME = PREFIXES["schema"] + "name"


def sparql_prefixes() -> str:
    """The PREFIX lines for :data:`PREFIXES`, to put in front of a query.

    >>> sparql_prefixes().splitlines()[0]
    'PREFIX kgo: <https://w3id.org/paperkg/ontology#>'
    """
    return "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items()) + "\n"


def _closed_namespaces() -> dict[str, Any]:
    from rdflib.namespace import DefinedNamespace, Namespace
    from rdflib.term import URIRef

    kgo_ns = type("KGO", (DefinedNamespace,), {
        "__doc__": f"paperkg ontology terms: {KGO_NS}",
        "__module__": __name__,
        "__annotations__": {t: URIRef for t in TERMS},
        "_fail": True,
        "_NS": Namespace(KGO_NS),
    })
    return {"KGO": kgo_ns, "MLS": Namespace(MLS_NS)}


def __getattr__(name: str) -> Any:
    """``KGO`` (the closed rdflib namespace of :data:`TERMS`) and ``MLS``, made on first use."""
    if name in ("KGO", "MLS"):
        globals().update(_closed_namespaces())
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["BASE", "KGO_NS", "TERMS", "ENTITY_TYPES", "SUPER_PROPERTY", "USES_PROPERTY", "TYPE_PROPERTY",
           "RELATION_TYPES", "LINK_PROPERTIES", "COVERING_LINKS", "sub_properties", "kgo", "PREFIXES", "sparql_prefixes", "KGO",
           "STANDARD_PROPERTIES", "SCHEMA_NAME"]
