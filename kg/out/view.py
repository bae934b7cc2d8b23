"""Interactive network view of the entity graph.

``render_network`` draws the entities of a kg graph (the ten entity classes;
articles are not drawn) and the ten relation properties between them into one
self-contained HTML page that works from ``file://`` with no network:
vis-network's standalone script is read from the installed ``pyvis`` package
and inlined, and the page template (``kg/data/network_template.html``) has no
external reference, fonts included.

Nodes are coloured and shaped by class and sized by degree; edges carry their
Chinese relation name, with the English one and the evidence sentences on
hover; node tooltips show the names, the type and the sentences the entity was
extracted from (the graph's ``rdf:Statement``s with ``kgo:sentence`` and
``prov:wasDerivedFrom``). Positions come from `kg.out.layout`, so the page is still
from its first frame.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import networkx as nx
import rdflib
from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from kg.datafiles import read_table
from kg.out.export import write_atomic
from kg.out.layout import layout
from kg.rdf.namespaces import KGO, SCHEMA

__all__ = [
    "ENTITY_CLASSES",
    "RELATIONS",
    "NetworkStats",
    "ViewError",
    "relation_labels",
    "render_network",
    "to_networkx",
    "write_network",
]

TEMPLATE_PATH = Path(__file__).parent / "data" / "page.html"
VIS_VERSION = "9.1.2"

# The ten entity classes, in legend order: local name -> (zh name, colour, vis shape).
# vis shapes that keep the label outside (and so honour ``size``) are only seven,
# so a few classes share a shape and differ by colour.
ENTITY_CLASSES: dict[str, tuple[str, str, str]] = {
    "Agency": ("机关", "#1f77b4", "square"),
    "Company": ("企业", "#ff7f0e", "dot"),
    "Association": ("协会", "#2ca02c", "hexagon"),
    "Case": ("案件", "#d62728", "diamond"),
    "Award": ("奖项", "#d4a017", "star"),
    "Campaign": ("专项行动", "#9467bd", "triangle"),
    "LegalDocument": ("法律文件", "#8c564b", "triangleDown"),
    "Brand": ("品牌", "#e377c2", "star"),
    "Person": ("人物", "#17becf", "dot"),
    "Place": ("地点", "#7f7f7f", "triangle"),
}

# The ten relation properties drawn as edges (kgo:mentionedIn is not one).
RELATIONS: tuple[str, ...] = (
    "handledBy",
    "involves",
    "concernsBrand",
    "receivedAward",
    "awardedBy",
    "cooperatesWith",
    "subOrganizationOf",
    "partyTo",
    "conducted",
    "locatedIn",
)
SYMMETRIC_RELATIONS = frozenset({"cooperatesWith"})


class ViewError(ValueError):
    """A selection that cannot be drawn: unknown focus entity or type, negative hops."""


@dataclass(frozen=True)
class NetworkStats:
    """How much was drawn."""

    nodes: int
    edges: int


@lru_cache(maxsize=None)
def relation_labels() -> dict[str, tuple[str, str]]:
    """Read ``kg/data/relations.tsv``: relation local name -> (zh label, en label)."""
    return {r["relation"]: (r["zh"], r["en"]) for r in read_table(Path(__file__).parents[1] / "data" / "relations.tsv")}


# --------------------------------------------------------------------------- RDF -> networkx


def _flat(graph: rdflib.Graph) -> rdflib.Graph:
    """A graph whose ``triples`` see every triple: the union for a Dataset/ConjunctiveGraph."""
    if isinstance(graph, rdflib.ConjunctiveGraph):  # rdflib.Dataset is a subclass
        union = rdflib.Graph()
        for s, p, o, _ctx in graph.quads((None, None, None, None)):
            union.add((s, p, o))
        return union
    return graph


def _pick_label(literals: Iterable[Literal]) -> str | None:
    """Prefer a Chinese label, then an untagged one, then any; ties broken by text."""
    lits = [lit for lit in literals if isinstance(lit, Literal)]
    if not lits:
        return None

    def rank(lit: Literal) -> tuple[int, str]:
        lang = (lit.language or "").lower()
        return (0 if lang.startswith("zh") else 1 if not lang else 2, str(lit))

    return str(min(lits, key=rank))


def _local_name(iri: str) -> str:
    tail = re.split(r"[#/]", iri.rstrip("/#"))[-1]
    return tail or iri


def _edge_key(u: str, rel: str, v: str) -> tuple[str, str, str]:
    """One key per drawn edge: a symmetric relation runs from the smaller IRI to the larger."""
    if rel in SYMMETRIC_RELATIONS and v < u:
        u, v = v, u
    return u, rel, v


def _evidence(g: rdflib.Graph) -> dict[tuple[str, str, str], set[tuple[str, str]]]:
    """(head, relation, tail) -> {(article IRI, sentence)} from the graph's rdf:Statements."""
    subject, predicate, obj, article = (
        dict(g.subject_objects(p)) for p in (RDF.subject, RDF.predicate, RDF.object, PROV.wasDerivedFrom)
    )
    out: dict[tuple[str, str, str], set[tuple[str, str]]] = defaultdict(set)
    for st, sentence in g.subject_objects(KGO.sentence):
        s, p, o = subject.get(st), str(predicate.get(st)), obj.get(st)
        if s is None or o is None or not p.startswith(str(KGO)):
            continue
        key = _edge_key(str(s), p[len(str(KGO)) :], str(o))
        out[key].add((str(article.get(st, "")), str(sentence)))
    return out


def to_networkx(graph: rdflib.Graph) -> nx.MultiDiGraph:
    """The entity graph as a networkx MultiDiGraph.

    Nodes are the IRIs (as ``str``) of resources typed with one of the ten
    entity classes; attributes ``label`` (the rdfs:label, Chinese preferred),
    ``type`` (class local name, e.g. ``"Agency"``), ``altLabels`` (sorted list
    of skos:altLabel texts), ``articles`` (sorted list of the article IRIs
    from kgo:mentionedIn) and ``evidence`` (sorted (article IRI, sentence)
    pairs of the statements of all its relations). Edges are the ten relation
    properties between two such nodes, keyed by and carrying ``relation``
    (local name, e.g. ``"handledBy"``) and their own ``evidence``. The
    symmetric kgo:cooperatesWith yields one edge per pair, from the smaller
    IRI to the larger, whether one or both directions are stated. Articles are
    not nodes.
    """
    g = _flat(graph)
    out = nx.MultiDiGraph()

    types: dict[str, str] = {}
    terms: dict[str, rdflib.term.Node] = {}
    order = {name: i for i, name in enumerate(ENTITY_CLASSES)}
    for name in ENTITY_CLASSES:
        for s in g.subjects(RDF.type, KGO[name]):
            key = str(s)
            terms[key] = s
            if key not in types or order[name] < order[types[key]]:
                types[key] = name

    seen: set[tuple[str, str, str]] = set()
    for rel in RELATIONS:
        for s, o in g.subject_objects(KGO[rel]):
            if str(s) in types and str(o) in types:
                seen.add(_edge_key(str(s), rel, str(o)))
    evidence = _evidence(g)
    node_evidence: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for u, rel, v in seen:
        node_evidence[u] |= evidence.get((u, rel, v), set())
        node_evidence[v] |= evidence.get((u, rel, v), set())

    for key in sorted(types):
        subj = terms[key]
        label = _pick_label(g.objects(subj, RDFS.label)) or _local_name(key)
        alts = sorted(
            {str(o) for o in g.objects(subj, SKOS.altLabel) if isinstance(o, Literal)} - {label}
        )
        articles = sorted({str(o) for o in g.objects(subj, KGO.mentionedIn)})
        out.add_node(key, label=label, type=types[key], altLabels=alts, articles=articles,
                     evidence=sorted(node_evidence[key]))
    for u, rel, v in sorted(seen, key=lambda t: (t[0], RELATIONS.index(t[1]), t[2])):
        out.add_edge(u, v, key=rel, relation=rel, evidence=sorted(evidence.get((u, rel, v), ())))
    return out


# --------------------------------------------------------------------------- selection


def _normalise_types(types: Iterable[str] | None) -> set[str] | None:
    if types is None:
        return None
    wanted: set[str] = set()
    for t in types:
        name = str(t).strip()
        if name.startswith(str(KGO)):
            name = name[len(str(KGO)) :]
        elif name.startswith("kgo:"):
            name = name[4:]
        match = next((c for c in ENTITY_CLASSES if c.lower() == name.lower()), None)
        if match is None:
            raise ViewError(f"unknown entity type {t!r}; expected one of: {', '.join(ENTITY_CLASSES)}")
        wanted.add(match)
    return wanted


def _names(full: nx.MultiDiGraph) -> dict[str, list[str]]:
    """Every label and altLabel -> the entities bearing it."""
    names: dict[str, list[str]] = defaultdict(list)
    for n, d in full.nodes(data=True):
        for name in [d["label"], *d["altLabels"]]:
            names[name].append(n)
    return names


def _unknown_focus(focus: str, names: Iterable[str]) -> ViewError:
    """The error for a focus no entity is named, suggesting names that contain it or look like it."""
    names = sorted(names)
    close = [n for n in names if focus in n or n in focus][:5]
    close += [n for n in difflib.get_close_matches(focus, names, n=5, cutoff=0.5) if n not in close]
    hint = f"; did you mean: {', '.join(close[:5])}?" if close else " (no entity has it as rdfs:label or skos:altLabel)"
    return ViewError(f"focus entity {focus!r} not found{hint}")


def _select(
    full: nx.MultiDiGraph, focus: str | None, hops: int, types: Iterable[str] | None
) -> tuple[nx.MultiDiGraph, list[str]]:
    """The subgraph to draw, and the focus entities in it."""
    keep = set(full.nodes)
    seeds: list[str] = []
    if focus is not None:
        if hops < 0:
            raise ViewError(f"hops must be 0 or more, got {hops}")
        name = focus.strip()
        names = _names(full)
        if name not in names:
            raise _unknown_focus(name, names)
        seeds = sorted(names[name])
        und = full.to_undirected(as_view=True)
        keep = set()
        for seed in seeds:
            keep |= set(nx.single_source_shortest_path_length(und, seed, cutoff=hops))
    wanted = _normalise_types(types)
    if wanted is not None:
        keep = {n for n in keep if full.nodes[n]["type"] in wanted}
    return full.subgraph(keep), [s for s in seeds if s in keep]


# --------------------------------------------------------------------------- page data


def _article_info(g: rdflib.Graph, iri: str) -> dict[str, str]:
    node = URIRef(iri)
    ident = next((str(o) for o in sorted(g.objects(node, DCTERMS.identifier))), None)
    info = {"id": ident or _local_name(iri)}
    title = _pick_label(g.objects(node, DCTERMS.title))
    if title:
        info["title"] = title
    date = next((str(o) for o in sorted(g.objects(node, DCTERMS.date))), None)
    if date:
        info["date"] = date
    url = next((str(o) for o in sorted(g.objects(node, SCHEMA.url))), None)
    if url and re.match(r"(?i)https?://", url):
        info["url"] = url
    return info


def _node_size(degree: int) -> float:
    return round(10 + 5 * math.sqrt(degree), 2)


class _Table:
    """Items stored once in the page and referred to by index (articles, sentences)."""

    def __init__(self) -> None:
        self.index: dict = {}

    def ref(self, item) -> int:
        return self.index.setdefault(item, len(self.index))

    def items(self) -> list:
        return list(self.index)


def _build(graph: rdflib.Graph, sub: nx.MultiDiGraph, focus: list[str]) -> dict:
    """The page data: pyvis builds the node and edge records."""
    from pyvis.network import Network

    labels = relation_labels()
    g = _flat(graph)
    articles, sentences = _Table(), _Table()

    def cite(evidence: list[tuple[str, str]]) -> list[int]:
        return [sentences.ref((text, articles.ref(art) if art else -1)) for art, text in evidence]

    placed = layout(sub)
    net = Network(directed=True)
    for n in sorted(sub.nodes):
        d = sub.nodes[n]
        _zh, colour, shape = ENTITY_CLASSES[d["type"]]
        x, y = placed.positions[n]
        net.add_node(
            n,
            label=d["label"],
            shape=shape,
            color=colour,
            size=_node_size(sub.degree(n)),
            type=d["type"],
            altLabels=list(d["altLabels"]),
            articles=[articles.ref(a) for a in d["articles"]],
            sentences=cite(d["evidence"]),
            physics=n in placed.free,
            x=x,
            y=y,
        )

    edges = sorted(
        sub.edges(keys=True, data="evidence"),
        key=lambda t: (t[0], t[1], RELATIONS.index(t[2])),
    )
    parallel: dict[tuple[str, str], int] = {}
    for i, (u, v, rel, evidence) in enumerate(edges):
        zh, en = labels.get(rel, (rel, rel))
        pair = (u, v) if u <= v else (v, u)
        k = parallel.get(pair, 0)
        parallel[pair] = k + 1
        extra: dict = {}
        if k:
            # spread parallel edges between the same two nodes
            extra["smooth"] = {
                "enabled": True,
                "type": "curvedCW" if k % 2 else "curvedCCW",
                "roundness": round(0.2 * ((k + 1) // 2), 2),
            }
        if rel in SYMMETRIC_RELATIONS:
            extra["arrows"] = ""
            extra["dashes"] = True
        net.add_edge(u, v, id=f"e{i}", label=zh, relation=rel, en=en, sentences=cite(evidence), **extra)

    type_counts = {c: 0 for c in ENTITY_CLASSES}
    for node in net.nodes:
        type_counts[node["type"]] += 1
    rel_counts = {r: 0 for r in RELATIONS}
    for edge in net.edges:
        rel_counts[edge["relation"]] += 1

    return {
        "nodes": net.nodes,
        "edges": net.edges,
        "focus": focus,
        "articles": [_article_info(g, a) for a in articles.items()],
        "sentences": [{"text": text, "article": art} for text, art in sentences.items()],
        "classes": [
            {"name": c, "zh": zh, "color": col, "shape": shp, "count": type_counts[c]}
            for c, (zh, col, shp) in ENTITY_CLASSES.items()
        ],
        "relations": [
            {"name": r, "zh": labels[r][0], "en": labels[r][1], "count": rel_counts[r]}
            for r in RELATIONS
        ],
    }


# --------------------------------------------------------------------------- page


def _json_for_script(obj) -> str:
    """JSON that is safe inside a <script> element."""
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


@lru_cache(maxsize=1)
def _vis_js() -> str:
    import pyvis

    base = Path(pyvis.__file__).resolve().parent
    for rel in (f"templates/lib/vis-{VIS_VERSION}", f"lib/vis-{VIS_VERSION}"):
        path = base / rel / "vis-network.min.js"
        if path.is_file():
            js = path.read_text(encoding="utf-8")
            return re.sub(r"(?i)</(script)", r"<\\/\1", js)
    raise FileNotFoundError(
        f"vis-network {VIS_VERSION} not found in the installed pyvis package ({base})"
    )


def _html_escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _render(data: dict, title: str) -> str:
    template = TEMPLATE_PATH.read_text(encoding="utf-8")
    parts = {
        "TITLE": _html_escape(title),
        "VIS_JS": _vis_js(),
        "DATA_JSON": _json_for_script(data),
    }
    # one pass over the template only: inserted text is never rescanned
    return re.sub(r"/\*@(\w+)@\*/", lambda m: parts[m.group(1)], template)


def write_network(graph: rdflib.Graph, path: Path, *, focus: str | None = None, hops: int = 1,
                  types: Iterable[str] | None = None) -> NetworkStats:
    """Draw the entity graph into a self-contained HTML page at ``path`` (see `render_network`)."""
    html, stats = render_network(graph, focus=focus, hops=hops, types=types)
    write_atomic(Path(path), html)
    return stats


def render_network(
    graph: rdflib.Graph,
    *,
    focus: str | None = None,
    hops: int = 1,
    types: Iterable[str] | None = None,
) -> tuple[bytes, NetworkStats]:
    """The entity graph as a self-contained HTML page, and its node and edge counts.

    ``focus``: keep only entities within ``hops`` relation steps (either
    direction) of the entity whose rdfs:label or skos:altLabel equals it
    (every entity with that name is a starting point, and is selected when
    the page opens); `ViewError` naming close matches if there is none.
    ``types``: keep only entities of these classes (local names such as
    ``"Agency"``, ``kgo:Agency`` or full IRIs), applied after ``focus``.
    The same graph and arguments always give the same bytes.
    """
    full = to_networkx(graph)
    sub, seeds = _select(full, focus, hops, types)
    data = _build(graph, sub, seeds)
    title = "知识产权执法知识图谱"
    if focus is not None:
        title += f" · {focus.strip()}（{hops} 跳）"
    html = _render(data, title)
    return html.encode("utf-8"), NetworkStats(nodes=len(data["nodes"]), edges=len(data["edges"]))
