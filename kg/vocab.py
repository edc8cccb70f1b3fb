"""The kgo: vocabulary as a closed rdflib namespace (an unknown term raises AttributeError).

Generated from, and kept in sync with, ``ontology/paperkg.ttl`` by ``tests/test_vocab.py``.
IRIs of papers, entities, evidence and graphs are minted only in :mod:`kg.graph`.
"""
from __future__ import annotations

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef

BASE = "https://w3id.org/paperkg/"
MLS = Namespace("http://www.w3.org/ns/mls#")


class KGO(DefinedNamespace):
    """paperkg ontology terms: https://w3id.org/paperkg/ontology#"""

    _fail = True
    _NS = Namespace(BASE + "ontology#")

    # classes
    Paper: URIRef
    Entity: URIRef
    Method: URIRef
    Architecture: URIRef
    Dataset: URIRef
    Task: URIRef
    Metric: URIRef
    Evidence: URIRef
    Component: URIRef
    # paper metadata
    abstract: URIRef
    arxivId: URIRef
    authorName: URIRef
    category: URIRef
    # paper -> entity links
    proposes: URIRef
    uses: URIRef
    usesMethod: URIRef
    usesArchitecture: URIRef
    usesDataset: URIRef
    evaluatesOn: URIRef
    trainsOn: URIRef
    comparesWith: URIRef
    addressesTask: URIRef
    reportsMetric: URIRef
    hasCode: URIRef
    # entity metadata
    catalogued: URIRef
    # evidence
    paper: URIRef
    entity: URIRef
    property: URIRef
    mention: URIRef
    sentence: URIRef
    start: URIRef
    end: URIRef
    sentenceStart: URIRef
    confidence: URIRef


#: Prefixes bound in every graph paperkg writes and every query it runs.
PREFIXES: dict[str, str] = {
    "kgo": str(KGO._NS),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "prov": "http://www.w3.org/ns/prov#",
}


def sparql_prefixes() -> str:
    """The PREFIX lines for :data:`PREFIXES`, to put in front of a query.

    >>> sparql_prefixes().splitlines()[0]
    'PREFIX kgo: <https://w3id.org/paperkg/ontology#>'
    """
    return "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items()) + "\n"
