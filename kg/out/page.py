"""The network page: the entity graph drawn into one self-contained HTML file.

`render_network` draws the entities and relations of a kg graph (articles are
not drawn) into a page that works from `file://` with no network: the page
template (`data/page.html`) has no external reference, and vis-network's script
(`data/vis-network.min.js`, brought in from npm by `scripts/vendor.py`) is
inlined. Nodes are coloured and shaped by type (`kg.vocab`) and sized by
degree; edges carry their Chinese relation name, with the English one and the
evidence sentences on hover; node tooltips show the names, the type and the
sentences the entity was extracted from. Positions come from `kg.out.layout`,
so the page is still from its first frame.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import networkx as nx
import rdflib

from kg.out.files import write_atomic
from kg.out.layout import font_size, layout, node_size, wrap_label
from kg.out.network import choose, entity_graph, label_rank, local_name, rows, store_of
from kg.reference.names import page_rules
from kg.store.store import Store
from kg.vocab import VOCAB

DATA = Path(__file__).parent / "data"
TITLE = "知识产权执法知识图谱"
LIMIT = 2000  # entities on a page at most (benchmarks/network_page.py: 2,000 are still in 4.4 s)


@dataclass(frozen=True)
class NetworkStats:
    """How much was drawn."""

    nodes: int
    edges: int


def article_info(store: Store, iris: list[str]) -> list[dict[str, str]]:
    """Id, title, date and web address of each article, in the order given."""
    found: dict[str, dict[str, str]] = {a: {"id": local_name(a)} for a in iris}
    query = ("SELECT ?e ?id ?title ?date ?url WHERE { #VALUES# OPTIONAL { ?e dcterms:identifier ?id } "
             "OPTIONAL { ?e dcterms:title ?title } OPTIONAL { ?e dcterms:date ?date } OPTIONAL { ?e schema:url ?url } }")
    seen: dict[str, dict[str, list]] = {a: {"id": [], "title": [], "date": [], "url": []} for a in iris}
    for r in rows(store, query, [a for a in iris if a]):
        for key in ("id", "title", "date", "url"):
            if r[key] is not None:
                seen[r["e"].value][key].append((label_rank(r[key].value, r[key].language or "") if key == "title"
                                                 else r[key].value))
    for a, values in seen.items():
        info = found[a]
        if values["id"]:
            info["id"] = min(values["id"])
        if values["title"]:
            info["title"] = min(values["title"])[1]
        if values["date"]:
            info["date"] = min(values["date"])
        url = min(values["url"]) if values["url"] else None
        if url and re.match(r"(?i)https?://", url):
            info["url"] = url
    return [found[a] for a in iris]


class Table:
    """Items stored once in the page and referred to by index (articles, sentences)."""

    def __init__(self) -> None:
        self.index: dict = {}

    def ref(self, item: object) -> int:
        return self.index.setdefault(item, len(self.index))

    def items(self) -> list:
        return list(self.index)


def page_data(store: Store, sub: nx.MultiDiGraph, focus: list[str]) -> dict:
    """What the page script draws: nodes, edges, legend, articles and sentences (stored once each);
    `sub` is the part of the store's graph to draw."""
    articles, sentences = Table(), Table()

    def cite(evidence: list[tuple[str, str]]) -> list[int]:
        return [sentences.ref((text, articles.ref(art) if art else -1)) for art, text in evidence]

    placed = layout(sub)
    nodes = []
    for n in sorted(sub.nodes):
        d = sub.nodes[n]
        kind = VOCAB.types[d["type"]]
        x, y = placed.positions[n]
        nodes.append({"id": n, "label": d["label"] or n, "shape": kind.shape, "color": kind.colour,
                      "lines": wrap_label(d["label"] or n), "size": node_size(sub.degree(n)),
                      "font": {"size": font_size(sub.degree(n))},
                      "type": d["type"], "altLabels": list(d["altLabels"]), "keys": list(d["keys"]),
                      "articles": [articles.ref(a) for a in d["articles"]], "sentences": cite(d["evidence"]),
                      "physics": n in placed.free, "x": x, "y": y})

    order = list(VOCAB.relations)
    edges = []
    parallel: dict[tuple[str, str], int] = {}
    for i, (u, v, rel, evidence) in enumerate(sorted(sub.edges(keys=True, data="evidence"),
                                                     key=lambda t: (t[0], t[1], order.index(t[2])))):
        relation = VOCAB.relations[rel]
        pair = (u, v) if u <= v else (v, u)
        k = parallel.get(pair, 0)
        parallel[pair] = k + 1
        edge = {"id": f"e{i}", "label": relation.zh, "relation": rel, "en": relation.en,
                "sentences": cite(evidence), "from": u, "to": v, "arrows": "to"}
        if k:  # spread parallel edges between the same two nodes
            edge["smooth"] = {"enabled": True, "type": "curvedCW" if k % 2 else "curvedCCW",
                              "roundness": round(0.2 * ((k + 1) // 2), 2)}
        if relation.symmetric:
            edge["arrows"] = ""
            edge["dashes"] = True
        edges.append(edge)

    type_counts = {t: 0 for t in VOCAB.types}
    for node in nodes:
        type_counts[node["type"]] += 1
    rel_counts = {r: 0 for r in VOCAB.relations}
    for edge in edges:
        rel_counts[edge["relation"]] += 1
    return {
        "nodes": nodes,
        "edges": edges,
        "focus": focus,
        "articles": article_info(store, articles.items()),
        "sentences": [{"text": text, "article": art} for text, art in sentences.items()],
        "classes": [{"name": t.name, "zh": t.zh, "color": t.colour, "shape": t.shape, "count": type_counts[t.name]}
                    for t in VOCAB.types.values()],
        "relations": [{"name": r.name, "zh": r.zh, "en": r.en, "count": rel_counts[r.name]}
                      for r in VOCAB.relations.values()],
        "search": page_rules(k for node in nodes for k in node["keys"]),
    }


def json_for_script(obj: object) -> str:
    """JSON that is safe inside a <script> element."""
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


@lru_cache(maxsize=1)
def vis_js() -> str:
    """vis-network's script, safe to inline in a <script> element."""
    js = (DATA / "vis-network.min.js").read_text(encoding="utf-8")
    return re.sub(r"(?i)</(script)", r"<\\/\1", js)


def html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def render(data: dict, title: str) -> str:
    template = (DATA / "page.html").read_text(encoding="utf-8")
    parts = {"TITLE": html_escape(title), "VIS_JS": vis_js(), "DATA_JSON": json_for_script(data)}
    # one pass over the template only: inserted text is never rescanned
    return re.sub(r"/\*@(\w+)@\*/", lambda m: parts[m.group(1)], template)


def render_network(source: Store | rdflib.Graph, *, focus: str | None = None, hops: int = 1,
                   types: Iterable[str] | None = None, limit: int | None = LIMIT) -> tuple[bytes, NetworkStats]:
    """The entity graph of a store (or of an rdflib graph) as a self-contained HTML page, and its
    node and edge counts.

    `focus`: keep only entities within `hops` relation steps (either direction)
    of the entities whose rdfs:label or skos:altLabel equals it (they are
    selected when the page opens); `ViewError` naming close matches if there is
    none. `types`: keep only entities of these types ("Agency", "kgo:Agency" or
    full IRIs). `limit`: draw at most that many entities, the most connected
    first (a page of tens of thousands is unreadable and slow). The same graph
    and arguments always give the same bytes.
    """
    store = store_of(source)
    keep, seeds = choose(store, focus, hops, types, limit)
    sub = entity_graph(store, keep)
    data = page_data(store, sub, seeds)
    title = TITLE if focus is None else f"{TITLE} · {focus.strip()}（{hops} 跳）"
    return render(data, title).encode("utf-8"), NetworkStats(nodes=len(data["nodes"]), edges=len(data["edges"]))


def render_store(store: Store) -> tuple[bytes, NetworkStats]:
    """The network page of a build folder: the store's most connected entities, at most `LIMIT`."""
    return render_network(store)


def write_network(graph: Store | rdflib.Graph, path: Path, *, focus: str | None = None, hops: int = 1,
                  types: Iterable[str] | None = None) -> NetworkStats:
    """Draw the entity graph into a self-contained HTML page at `path` (see `render_network`)."""
    html, stats = render_network(graph, focus=focus, hops=hops, types=types)
    write_atomic(Path(path), html)
    return stats
