"""The explorer's whole-graph index: every paper, entity and repository (label, type, aliases, degree) so
that the page's search finds any of them; for a graph small enough to embed (:data:`EMBED_MAX_PAPERS`), also
every paper -> target link and every abstract, so that the page draws any node's neighbourhood without a
server. Above that size the page asks ``kg serve`` for neighbourhoods (``mode: "live"``).

The index is compact: parallel arrays (one entry per node, no object per node), links as one flat list of
integers, and the whole JSON gzipped and base64-encoded into the page (:func:`encode_index`), which the
browser decompresses with its own ``DecompressionStream``.
"""
from __future__ import annotations

import base64
import gzip
import json
import logging
from typing import TYPE_CHECKING

from ..reader import (NODE_TYPES, RELATIONS, SUB_PROPERTIES, iter_abstracts, iter_links, read_code, read_degrees,
                      read_nodes)

if TYPE_CHECKING:
    from ..store import Store

log = logging.getLogger(__name__)

#: Largest graph (in papers) whose links and abstracts are embedded in the page, so that focus works from a
#: file opened from disk. Measured with benchmarks/explorer_scale.py on synthetic builds (2 cores, headless
#: Chromium): 10k papers give a 9 MB page whose index decodes in ~1 s; reading links and abstracts from the
#: store costs ~3 s per 10k papers on each build or add. Above it the page holds the search index only and
#: focus comes from ``kg serve``.
EMBED_MAX_PAPERS = 20_000
#: Version of the index layout (the page checks it).
INDEX_VERSION = 1
#: Most neighbours the page draws around a focus from its embedded index.
FOCUS_BUDGET = 150
#: Most neighbours ``kg serve`` reads for a live focus: each paper's evidence is read from the store, and the
#: biggest hubs of a 100k-paper store took 0.43-0.64 s at 150 papers when their data was first read (0.13-0.17 s
#: warm), 0.20-0.39 s at 60 even after the page cache was dropped (benchmarks/explorer_scale.py, 2026-11).
LIVE_FOCUS_BUDGET = 60


def read_index(store: Store, *, embed: bool | None = None) -> dict:
    """The index of every node of the graph (see the module docstring), as plain JSON-ready data.

    Params:
        store: the store to read.
        embed: hold links and abstracts too (``mode: "embedded"``); ``None``: when the graph has at most
            :data:`EMBED_MAX_PAPERS` papers.

    Returns: ``{"v", "mode", "types", "relations", "sub", "ids", "type", "label", "degree", "aliases", "url",
    "budget", "papers", "entities"}`` and, embedded, ``"links"`` (``[paper, target, relation, ...]`` as
    node and relation numbers) and ``"abstract"`` (``[[paper, text], ...]``). ``degree`` is an entity's or a
    repository's number of papers, and (embedded) a paper's number of links.
    """
    nodes = read_nodes(store)
    n_papers = sum(1 for n in nodes.values() if n.type == "Paper")
    if embed is None:
        embed = n_papers <= EMBED_MAX_PAPERS
    read_code(store, nodes)
    ids = list(nodes)
    number = {i: k for k, i in enumerate(ids)}
    type_no = {t: k for k, t in enumerate(NODE_TYPES)}
    degrees = {} if embed else read_degrees(store)  # embedded: counted from the links below
    degree = [degrees.get(i, 0) for i in ids]
    index = {
        "v": INDEX_VERSION, "mode": "embedded" if embed else "live", "types": list(NODE_TYPES),
        "relations": list(RELATIONS), "sub": {r: sorted(s, key=RELATIONS.index) for r, s in SUB_PROPERTIES.items()},
        "ids": ids, "type": [type_no[nodes[i].type] for i in ids], "label": [nodes[i].label for i in ids],
        "degree": degree,
        "aliases": [[number[i], a] for i in ids for a in nodes[i].aliases],
        "url": [[number[i], nodes[i].url] for i in ids if nodes[i].type == "Paper" and nodes[i].url],
        "budget": FOCUS_BUDGET, "papers": n_papers, "entities": len(ids) - n_papers,
    }
    if embed:
        rel_no = {r: k for k, r in enumerate(RELATIONS)}
        triples: list[tuple[int, int, int]] = []
        for link in iter_links(store, nodes, support=False):
            if link.target not in number:  # a repository met only here (not typed as one)
                number[link.target] = len(ids)
                ids.append(link.target)
                index["type"].append(type_no["Code"])
                index["label"].append(link.target)
                degree.append(degrees.get(link.target, 0))
            triples.append((number[link.paper], number[link.target], rel_no[link.relation]))
        triples.sort()  # the engine streams links in no set order: sorted, the same graph gives the same page
        flat = [k for triple in triples for k in triple]
        del triples
        pairs = {(flat[k], flat[k + 1]) for k in range(0, len(flat), 3)}
        for p, o in pairs:  # a paper's links; an entity's or repository's papers
            degree[p] += 1
            degree[o] += 1
        index["links"] = flat
        index["abstract"] = sorted([number[p], text] for p, text in iter_abstracts(store) if p in number)
    log.info("explorer index: %d nodes (%d papers), %s", len(ids), n_papers,
             f"{len(index.get('links', ())) // 3} links embedded" if embed else "live focus")
    return index


def encode_index(index: dict) -> str:
    """The index as the page embeds it: compact JSON, gzipped (no timestamp: same index, same bytes), base64."""
    raw = json.dumps(index, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(gzip.compress(raw, compresslevel=6, mtime=0)).decode("ascii")


def decode_index(text: str) -> dict:
    """The inverse of :func:`encode_index` (for tests and tools)."""
    return json.loads(gzip.decompress(base64.b64decode(text)).decode("utf-8"))


__all__ = ["read_index", "encode_index", "decode_index", "EMBED_MAX_PAPERS", "FOCUS_BUDGET", "LIVE_FOCUS_BUDGET",
           "INDEX_VERSION"]
