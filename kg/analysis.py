"""Analytics over the networkx view of the graph: rankings, projections, centrality, communities.

Every function takes the typed ``networkx.MultiDiGraph`` of :func:`kg.export.to_networkx` (from
``KnowledgeGraph.to_networkx()``): nodes carry ``type`` (Paper, Method, Architecture, Dataset, Task,
Metric, Code) and ``label``; each paper -> entity edge is keyed by its most specific relation
(``proposes``, ``usesMethod``, ``evaluatesOn`` …). :func:`centrality` and :func:`communities` also take
the projections made here. Only networkx is needed (no scipy: :func:`centrality`'s PageRank is a
small power iteration written here, because networkx's ``pagerank`` requires scipy).

Rankings are lists of :class:`Ranked` ``(node, label, type, value)``, highest value first, ties by
label: ``pandas.DataFrame(most_used(g))`` gives a table.

>>> import kg
>>> g = kg.load("tests/data/small.ttl").to_networkx()
>>> [(r.label, r.value) for r in most_used(g, type="Dataset", n=2)]
[('ImageNet', 2), ('ADE20K', 1)]
"""
from __future__ import annotations

from collections import Counter, defaultdict
from itertools import combinations
from typing import TYPE_CHECKING, Iterable, NamedTuple

from .errors import QueryError

if TYPE_CHECKING:
    import networkx as nx

#: Node types of canonical entities (the kgo: classes).
ENTITY_TYPES = ("Method", "Architecture", "Dataset", "Task", "Metric")
#: Relations that mean "the paper introduces it"; every other paper -> entity relation is a use.
PROPOSES = "proposes"
#: Seed of :func:`communities`: Louvain is randomised; a fixed seed gives the same partition every run.
DEFAULT_SEED = 42
#: PageRank damping (the usual 0.85), convergence tolerance (sum of absolute changes; 1e-10 puts
#: every score within ~1e-10 of networkx's own result) and an iteration cap it never reaches on
#: the sample corpus (it converges in < 100 iterations).
PAGERANK_ALPHA = 0.85
PAGERANK_TOL = 1e-10
PAGERANK_MAX_ITER = 1000


class Ranked(NamedTuple):
    """One row of a ranking: the node id (an IRI), its label and type, and the value ranked on.

    >>> Ranked("https://w3id.org/paperkg/entity/dataset/imagenet", "ImageNet", "Dataset", 2).label
    'ImageNet'
    """

    node: str
    label: str
    type: str
    value: float


def _rank(g: nx.Graph, values: dict[str, float], n: int | None) -> list[Ranked]:
    rows = [Ranked(node, g.nodes[node].get("label", node), g.nodes[node].get("type", ""), v)
            for node, v in values.items()]
    rows.sort(key=lambda r: (-r.value, r.label.casefold(), r.label, r.node))
    return rows if n is None else rows[:n]


def _check_type(type: str | None, allowed: Iterable[str] = ENTITY_TYPES) -> None:
    if type is not None and type not in allowed:
        raise QueryError(f"unknown entity type {type!r}; use one of {', '.join(allowed)}")


def _papers_of(g: nx.MultiDiGraph, *, uses_only: bool = False) -> dict[str, set[str]]:
    """Entity node -> the papers linked to it (by any relation, or by a use only)."""
    out: dict[str, set[str]] = defaultdict(set)
    for p, e, rel in g.edges(keys=True):
        if g.nodes[p].get("type") != "Paper" or g.nodes[e].get("type") not in ENTITY_TYPES:
            continue
        if uses_only and rel == PROPOSES:
            continue
        out[e].add(p)
    return out


def _entities_of(g: nx.MultiDiGraph, types: Iterable[str] = ENTITY_TYPES) -> dict[str, set[str]]:
    """Paper node -> the entities (of ``types``) it is linked to by any relation."""
    types = set(types)
    out: dict[str, set[str]] = {n: set() for n, t in g.nodes(data="type") if t == "Paper"}
    for p, e in g.edges():
        if p in out and g.nodes[e].get("type") in types:
            out[p].add(e)
    return out


def find_node(g: nx.Graph, ref: str, type: str | None = None) -> str:
    """The node ``ref`` names: a node id (IRI), else an exact label (a paper's title, an entity's name),
    else a label equal to it ignoring case; ``type`` narrows the search.

    Raises: :class:`kg.errors.QueryError` if no node, or more than one, matches.

    >>> import kg
    >>> g = kg.load("tests/data/small.ttl").to_networkx()
    >>> find_node(g, "imagenet")
    'https://w3id.org/paperkg/entity/dataset/imagenet'
    """
    if ref in g and (type is None or g.nodes[ref].get("type") == type):
        return ref
    candidates = [(n, d) for n, d in g.nodes(data=True) if type is None or d.get("type") == type]
    for same in (lambda label: label == ref, lambda label: label.casefold() == ref.casefold()):
        hits = sorted(n for n, d in candidates if same(d.get("label", "")))
        if len(hits) == 1:
            return hits[0]
        if hits:
            kinds = ", ".join(sorted({g.nodes[n].get("type", "?") for n in hits}))
            raise QueryError(f"{ref!r} names {len(hits)} nodes ({kinds}); pass type= or the node's IRI")
    where = f" of type {type}" if type else ""
    raise QueryError(f"no node{where} named {ref!r} in the graph; give a node IRI, a paper title or an entity label")


def most_used(g: nx.MultiDiGraph, type: str | None = None, n: int | None = 10) -> list[Ranked]:
    """Entities ranked by the number of papers that use them (any relation but ``proposes``:
    ``uses*``, ``evaluatesOn``, ``trainsOn``, ``comparesWith``, ``addressesTask``, ``reportsMetric``).

    Params: ``type``: only entities of this type (Method, Architecture, Dataset, Task, Metric);
      ``n``: how many (``None``: all used entities).
    Returns: :class:`Ranked` rows, ``value`` = papers. Raises: QueryError for an unknown type.

    >>> import kg
    >>> g = kg.load("tests/data/small.ttl").to_networkx()
    >>> [(r.label, r.value) for r in most_used(g, n=3)]
    [('ImageNet', 2), ('top-1 accuracy', 2), ('ADE20K', 1)]
    """
    _check_type(type)
    papers = _papers_of(g, uses_only=True)
    return _rank(g, {e: len(ps) for e, ps in papers.items() if type is None or g.nodes[e]["type"] == type}, n)


def most_proposed(g: nx.MultiDiGraph, n: int | None = 10, type: str | None = None) -> list[Ranked]:
    """Entities ranked by the number of papers that propose (introduce) them.

    Returns: :class:`Ranked` rows, ``value`` = proposing papers (entities no paper proposes are left out).

    >>> import kg
    >>> g = kg.load("tests/data/small.ttl").to_networkx()
    >>> [(r.label, r.type) for r in most_proposed(g)]
    [('Pictures without humAns for Self-Supervision', 'Dataset'), ('Swin Transformer', 'Architecture')]
    """
    _check_type(type)
    counts: Counter[str] = Counter()
    for p, e, rel in g.edges(keys=True):
        if rel == PROPOSES and (type is None or g.nodes[e].get("type") == type):
            counts[e] += 1
    return _rank(g, dict(counts), n)


def co_usage(g: nx.MultiDiGraph, types: Iterable[str] = ("Method", "Dataset")) -> nx.Graph:
    """The co-usage projection: entities of ``types`` linked when papers mention both.

    With two or more types only pairs of *different* types are linked (the default is the
    method–dataset graph, ready for a heatmap); with one type, pairs within it (``("Method",)``:
    methods used together). Any paper -> entity relation counts, ``proposes`` included.

    Returns: an undirected ``networkx.Graph``; nodes: every entity of ``types`` with ``type``,
      ``label`` and ``papers`` (how many papers mention it); edges: ``weight`` = papers mentioning
      both, ``papers`` = their node ids, sorted.
    Raises: QueryError for an unknown type.

    >>> import kg
    >>> cu = co_usage(kg.load("tests/data/small.ttl").to_networkx(), types=("Dataset",))
    >>> sorted(tuple(sorted((cu.nodes[a]["label"], cu.nodes[b]["label"]))) for a, b in cu.edges())[:2]
    [('ADE20K', 'COCO'), ('ADE20K', 'ImageNet-1K')]
    """
    import networkx as nx

    types = tuple(types)
    if not types:
        raise QueryError("co_usage needs at least one entity type")
    for t in types:
        _check_type(t)
    cross = len(set(types)) > 1
    out = nx.Graph()
    papers = _papers_of(g)
    for node, d in g.nodes(data=True):
        if d.get("type") in types:
            out.add_node(node, type=d["type"], label=d.get("label", node), papers=len(papers.get(node, ())))
    pairs: dict[tuple[str, str], list[str]] = defaultdict(list)
    for paper, ents in _entities_of(g, types).items():
        for a, b in combinations(sorted(ents), 2):
            if not cross or g.nodes[a]["type"] != g.nodes[b]["type"]:
                pairs[a, b].append(paper)
    for (a, b), ps in pairs.items():
        out.add_edge(a, b, weight=len(ps), papers=sorted(ps))
    return out


def paper_similarity(g: nx.MultiDiGraph, types: Iterable[str] = ENTITY_TYPES) -> nx.Graph:
    """The paper projection: papers linked when they share entities (of ``types``).

    Returns: an undirected ``networkx.Graph``; nodes: every paper (``type``, ``label`` = title);
      edges: ``weight`` = entities shared, ``shared`` = their node ids (sorted), ``jaccard`` =
      shared / all entities of the two papers.

    >>> import kg
    >>> ps = paper_similarity(kg.load("tests/data/small.ttl").to_networkx())
    >>> sorted((d["weight"], round(d["jaccard"], 4)) for _, _, d in ps.edges(data=True))
    [(1, 0.0588), (1, 0.0769)]
    """
    import networkx as nx

    types = tuple(types)
    for t in types:
        _check_type(t)
    ents = _entities_of(g, types)
    out = nx.Graph()
    for p in ents:
        out.add_node(p, type="Paper", label=g.nodes[p].get("label", p))
    for a, b in combinations(sorted(ents), 2):
        shared = ents[a] & ents[b]
        if shared:
            out.add_edge(a, b, weight=len(shared), shared=sorted(shared),
                         jaccard=len(shared) / len(ents[a] | ents[b]))
    return out


def related_papers(g: nx.MultiDiGraph, paper: str, n: int | None = 5,
                   types: Iterable[str] = ENTITY_TYPES) -> list[Ranked]:
    """Papers that share the most entities with ``paper`` (a paper node id or its title);
    ties are broken by Jaccard similarity (a smaller paper sharing as much is closer), then title.

    Returns: :class:`Ranked` rows, ``value`` = shared entities. Raises: QueryError for an unknown paper.

    >>> import kg
    >>> g = kg.load("tests/data/small.ttl").to_networkx()
    >>> [r.label[:16] for r in related_papers(g, "Masked Autoencoders Enable Efficient Knowledge Distillers")]
    ['PASS: An ImageNe', 'Swin Transformer']
    """
    p = find_node(g, paper, type="Paper")
    sim = paper_similarity(g, types)
    rows = [Ranked(q, sim.nodes[q]["label"], "Paper", d["weight"]) for q, d in sim[p].items()]
    rows.sort(key=lambda r: (-r.value, -sim[p][r.node]["jaccard"], r.label.casefold(), r.node))
    return rows if n is None else rows[:n]


def combined_with(g: nx.MultiDiGraph, entity: str, n: int | None = 10, type: str | None = None) -> list[Ranked]:
    """What ``entity`` (a node id or label) is usually combined with: the other entities (of ``type``,
    if given) mentioned by the papers that mention it, ranked by the number of such papers.

    Returns: :class:`Ranked` rows, ``value`` = papers mentioning both.
    Raises: QueryError for an unknown or ambiguous entity, or an unknown type.

    >>> import kg
    >>> g = kg.load("tests/data/small.ttl").to_networkx()
    >>> [r.label for r in combined_with(g, "ImageNet", n=3, type="Method")]
    ['DINO', 'knowledge distillation', 'Masked Autoencoders']
    """
    _check_type(type)
    e = find_node(g, entity)
    if g.nodes[e].get("type") not in ENTITY_TYPES:
        raise QueryError(f"{entity!r} is a {g.nodes[e].get('type')}, not an entity")
    ents = _entities_of(g)
    counts: Counter[str] = Counter()
    for paper in _papers_of(g)[e]:
        for other in ents[paper]:
            if other != e and (type is None or g.nodes[other]["type"] == type):
                counts[other] += 1
    return _rank(g, dict(counts), n)


def _simple(g: nx.Graph) -> nx.Graph:
    """An undirected simple graph; parallel edges (of a multigraph) add up in ``weight`` (default 1)."""
    import networkx as nx

    if not g.is_multigraph() and not g.is_directed():
        return g
    out = nx.Graph()
    out.add_nodes_from(g.nodes(data=True))
    for a, b, d in g.edges(data=True):
        w = d.get("weight", 1)
        if out.has_edge(a, b):
            out[a][b]["weight"] += w
        else:
            out.add_edge(a, b, weight=w)
    return out


def pagerank(g: nx.Graph, alpha: float = PAGERANK_ALPHA, weight: str = "weight", tol: float = PAGERANK_TOL,
             max_iter: int = PAGERANK_MAX_ITER) -> dict[str, float]:
    """PageRank of an undirected graph by power iteration, in pure Python (networkx's needs scipy).

    Edges are followed both ways in proportion to ``weight`` (default 1); a node without edges
    spreads its score evenly. Scores sum to 1.

    >>> import networkx as nx
    >>> sorted(round(v, 4) for v in pagerank(nx.path_graph(3)).values())
    [0.2568, 0.2568, 0.4865]
    """
    g = _simple(g)
    nodes = list(g)
    if not nodes:
        return {}
    size = len(nodes)
    strength = {u: sum(d.get(weight, 1) for d in g[u].values()) for u in nodes}
    x = dict.fromkeys(nodes, 1.0 / size)
    for _ in range(max_iter):
        dangling = alpha * sum(x[u] for u in nodes if strength[u] == 0) / size
        new = dict.fromkeys(nodes, (1.0 - alpha) / size + dangling)
        for u in nodes:
            if strength[u]:
                share = alpha * x[u] / strength[u]
                for v, d in g[u].items():
                    new[v] += share * d.get(weight, 1)
        if sum(abs(new[u] - x[u]) for u in nodes) < size * tol:
            return new
        x = new
    return x


def centrality(g: nx.Graph, kind: str = "degree", n: int | None = 10, type: str | None = None) -> list[Ranked]:
    """Nodes ranked by centrality in ``g`` (the multigraph, taken as undirected, or a projection).

    Params: ``kind``: ``"degree"`` (share of other nodes linked), ``"betweenness"`` (normalised,
      unweighted shortest paths) or ``"pagerank"`` (weighted; :func:`pagerank`);
      ``type``: only rank nodes of this type (computed on the whole graph); ``n``: how many.
    Returns: :class:`Ranked` rows, ``value`` = the centrality.
    Raises: QueryError for an unknown kind.

    >>> import kg
    >>> g = kg.load("tests/data/small.ttl").to_networkx()
    >>> [(r.label, round(r.value, 4)) for r in centrality(g, "betweenness", n=2, type="Dataset")]
    [('ImageNet', 0.4233), ('ADE20K', 0.0)]
    """
    import networkx as nx

    kinds = {"degree": nx.degree_centrality, "betweenness": nx.betweenness_centrality, "pagerank": pagerank}
    if kind not in kinds:
        raise QueryError(f"unknown centrality {kind!r}; use one of {', '.join(kinds)}")
    values = kinds[kind](_simple(g))
    if type is not None:
        values = {k: v for k, v in values.items() if g.nodes[k].get("type") == type}
    return _rank(g, values, n)


def communities(g: nx.Graph, seed: int = DEFAULT_SEED, resolution: float = 1.0) -> list[set[str]]:
    """Communities of ``g`` (the multigraph, taken as undirected, or a projection) by networkx's
    Louvain method on edge ``weight``, with a fixed ``seed`` so that runs agree.

    Returns: sets of node ids, largest first (ties: by the smallest label in each).

    >>> import kg
    >>> g = kg.load("tests/data/small.ttl").to_networkx()
    >>> [len(c) for c in communities(g)]
    [13, 8, 8]
    """
    import networkx as nx

    simple = _simple(g)
    parts = nx.community.louvain_communities(simple, weight="weight", resolution=resolution, seed=seed)

    def key(c: set[str]) -> tuple:
        return -len(c), min(simple.nodes[n].get("label", n).casefold() for n in c)

    return sorted((set(c) for c in parts), key=key)


__all__ = ["Ranked", "find_node", "most_used", "most_proposed", "co_usage", "paper_similarity", "related_papers",
           "combined_with", "centrality", "pagerank", "communities", "ENTITY_TYPES"]
