"""The entity graph as a networkx graph, for analysis, for the network page and for exports.

`entity_graph` asks a store (or an rdflib graph, loaded into one) for the
entities of the vocabulary's types and the relations between them, each node and
edge with the evidence sentences of its statements (as lists, for the page);
`to_networkx` gives the same graph with every attribute a string or a number, as
GraphML and GEXF can write them and Gephi reads them. `choose` picks what a page
shows without reading the whole store: the entities around one (`--focus`, found
by any of its names, as the search finds them), of some types, and at most
`limit` of them, the most connected first, so that a page of a store of any size
is drawn from a bounded part of it.
"""
from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator

import networkx as nx
import pyoxigraph as ox
import rdflib

from kg.rdf.namespaces import KGO
from kg.reference.names import name_keys, search_key
from kg.store.store import Store
from kg.vocab import VOCAB

CHUNK = 400  # entities per VALUES block
SEPARATOR = " | "  # between the names (and article ids) of one flat attribute, as the named questions join them
TYPES = " ".join(f"kgo:{t}" for t in VOCAB.types)
RELATIONS = " ".join(f"kgo:{r}" for r in VOCAB.relations)


class ViewError(ValueError):
    """A selection that cannot be drawn: unknown focus entity or type, negative hops."""


def store_of(source: Store | rdflib.Graph) -> Store:
    return source if isinstance(source, Store) else Store.of(source)


def local_name(iri: str) -> str:
    tail = re.split(r"[#/]", iri.rstrip("/#"))[-1]
    return tail or iri


def label_rank(value: str, language: str) -> tuple[int, str]:
    """Prefer a Chinese label, then an untagged one, then any; ties broken by text."""
    lang = language.lower()
    return 0 if lang.startswith("zh") else 1 if not lang else 2, value


def rows(store: Store, query: str, entities: list[str] | None) -> Iterator[dict]:
    """The rows of a query whose `?e` is bound to each of `entities` in turn (all entities if None)."""
    if entities is None:
        yield from store.query(query.replace("#VALUES#", ""))
        return
    for i in range(0, len(entities), CHUNK):
        values = "VALUES ?e { " + " ".join(f"<{e}>" for e in entities[i:i + CHUNK]) + " }"
        yield from store.query(query.replace("#VALUES#", values))


def entity_graph(source: Store | rdflib.Graph, keep: Iterable[str] | None = None) -> nx.MultiDiGraph:
    """The entity graph (of the entities `keep`, if given) as a networkx MultiDiGraph.

    Nodes are entity IRIs (as `str`) with attributes `label` (the rdfs:label,
    Chinese preferred), `type` (e.g. "Agency"), `altLabels` (sorted skos:altLabel
    texts), `keys` (the search keys of all its names, skos:prefLabel included),
    `articles` (sorted article IRIs of kgo:mentionedIn) and `evidence`
    (sorted (article IRI, sentence) pairs of the statements of all its
    relations). Edges are the vocabulary's relations between two such nodes,
    keyed by and carrying `relation` (e.g. "handledBy") and their own
    `evidence`; a symmetric relation gives one edge per pair, from the smaller
    IRI to the larger. Articles are not nodes.
    """
    store = store_of(source)
    chosen = sorted(set(keep)) if keep is not None else None
    order = list(VOCAB.types)
    types: dict[str, str] = {}
    for r in rows(store, f"SELECT ?e ?t WHERE {{ #VALUES# VALUES ?t {{ {TYPES} }} ?e a ?t }}", chosen):
        e, t = r["e"].value, r["t"].value.removeprefix(str(KGO))
        if e not in types or order.index(t) < order.index(types[e]):
            types[e] = t
    entities = sorted(types)
    labels: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for r in rows(store, "SELECT ?e ?l WHERE { #VALUES# ?e rdfs:label ?l }", entities):
        labels[r["e"].value].append(label_rank(r["l"].value, r["l"].language or ""))
    alts: dict[str, set[str]] = defaultdict(set)
    for r in rows(store, "SELECT ?e ?l WHERE { #VALUES# ?e skos:altLabel ?l FILTER(isLiteral(?l)) }", entities):
        alts[r["e"].value].add(r["l"].value)
    english: dict[str, set[str]] = defaultdict(set)
    for r in rows(store, "SELECT ?e ?l WHERE { #VALUES# ?e skos:prefLabel ?l FILTER(isLiteral(?l)) }", entities):
        english[r["e"].value].add(r["l"].value)
    articles: dict[str, set[str]] = defaultdict(set)
    for r in rows(store, "SELECT ?e ?a WHERE { #VALUES# ?e kgo:mentionedIn ?a }", entities):
        articles[r["e"].value].add(r["a"].value)
    edges: set[tuple[str, str, str]] = set()
    for r in rows(store, f"SELECT ?e ?p ?o WHERE {{ #VALUES# VALUES ?p {{ {RELATIONS} }} ?e ?p ?o }}", entities):
        if r["o"].value in types:
            edges.add(VOCAB.ordered(r["e"].value, r["p"].value.removeprefix(str(KGO)), r["o"].value))
    evidence: dict[tuple[str, str, str], set[tuple[str, str]]] = defaultdict(set)
    query = ("SELECT ?e ?p ?o ?a ?sentence WHERE { #VALUES# ?st rdf:subject ?e ; rdf:predicate ?p ; rdf:object ?o ;"
             " kgo:sentence ?sentence OPTIONAL { ?st prov:wasDerivedFrom ?a } }")
    for r in rows(store, query, entities):
        key = VOCAB.ordered(r["e"].value, r["p"].value.removeprefix(str(KGO)), r["o"].value)
        if key in edges:
            evidence[key].add((r["a"].value if r["a"] is not None else "", r["sentence"].value))

    out = nx.MultiDiGraph()
    node_evidence: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for u, rel, v in edges:
        node_evidence[u] |= evidence[(u, rel, v)]
        node_evidence[v] |= evidence[(u, rel, v)]
    for e in entities:
        label = min(labels[e])[1] if labels[e] else local_name(e)
        others = sorted(alts[e] - {label})
        keys = sorted({k for n in [label, *others, *english[e]] for k in name_keys(n)})
        out.add_node(e, label=label, type=types[e], altLabels=others, keys=keys,
                     articles=sorted(articles[e]), evidence=sorted(node_evidence[e]))
    relations = list(VOCAB.relations)
    for u, rel, v in sorted(edges, key=lambda t: (t[0], relations.index(t[1]), t[2])):
        out.add_edge(u, v, key=rel, relation=rel, evidence=sorted(evidence[(u, rel, v)]))
    return out


def to_networkx(source: Store | rdflib.Graph) -> nx.MultiDiGraph:
    """The entity graph (`entity_graph`) with attributes that GraphML and GEXF can write.

    Nodes: `label`, `type`, `altLabels` (the other names joined by " | "),
    `articles` (how many articles mention it), `articleIds` (their ids, joined)
    and `sentences` (how many evidence sentences). Edges, keyed by relation:
    `relation` (e.g. "handledBy"), `label` (its Chinese name, as the page shows
    it), `sentences` and `evidence` (the evidence sentences, one per line).
    """
    store = store_of(source)
    rich = entity_graph(store)
    ids = {r["a"].value: r["id"].value for r in store.query("SELECT ?a ?id WHERE { ?a a kgo:Article ; dcterms:identifier ?id }")}
    out = nx.MultiDiGraph()
    for n, d in rich.nodes(data=True):
        out.add_node(n, label=d["label"], type=d["type"], altLabels=SEPARATOR.join(d["altLabels"]),
                     articles=len(d["articles"]), articleIds=SEPARATOR.join(ids.get(a, a) for a in d["articles"]),
                     sentences=len(d["evidence"]))
    for u, v, rel, d in rich.edges(keys=True, data=True):
        sentences = sorted({text for _, text in d["evidence"]})
        out.add_edge(u, v, key=rel, relation=rel, label=VOCAB.relations[rel].zh, sentences=len(sentences),
                     evidence="\n".join(sentences))
    return out


def entity_types(types: Iterable[str] | None) -> set[str] | None:
    """Type names as given ("agency", "kgo:Agency", a full IRI) as the vocabulary's names."""
    if types is None:
        return None
    wanted: set[str] = set()
    for t in types:
        name = str(t).strip()
        if name.startswith(str(KGO)):
            name = name[len(str(KGO)):]
        elif name.startswith("kgo:"):
            name = name[4:]
        match = next((c for c in VOCAB.types if c.lower() == name.lower()), None)
        if match is None:
            raise ViewError(f"unknown entity type {t!r}; expected one of: {', '.join(VOCAB.types)}")
        wanted.add(match)
    return wanted


def named(store: Store, name: str) -> list[str]:
    """The entities one of whose names has the search key of `name` (`kg.reference.names`)."""
    key = search_key(name)
    if bool(store.query("ASK { ?e kgo:searchKey ?k }")):
        return sorted(r["e"].value for r in store.query(f"SELECT DISTINCT ?e WHERE {{ ?e kgo:searchKey {ox.Literal(key)} }}"))
    return sorted({e for e, keys in name_keys_of(store).items() if key in keys})


def name_keys_of(store: Store) -> dict[str, set[str]]:
    """Every entity's search keys computed from its names: for a graph written without them."""
    out: dict[str, set[str]] = defaultdict(set)
    for r in store.query("SELECT ?e ?l WHERE { ?e rdfs:label|skos:altLabel|skos:prefLabel ?l FILTER(isLiteral(?l)) }"):
        out[r["e"].value] |= name_keys(r["l"].value)
    return out


def unknown_focus(store: Store, focus: str) -> ViewError:
    """The error for a focus no entity is named, suggesting the labels of entities whose names
    are closest to it (`kg.store.search.suggest`)."""
    from kg.store.search import suggest

    close = suggest(store, focus)
    if not close and not bool(store.query("ASK { ?e kgo:searchKey ?k }")):
        key, labels = search_key(focus), {r["e"].value: r["l"].value for r in store.query("SELECT ?e ?l WHERE { ?e rdfs:label ?l }")}
        scored: dict[str, float] = {}
        for e, keys in name_keys_of(store).items():
            for k in keys:
                score = 1.0 if key and (key in k or k in key) else difflib.SequenceMatcher(None, key, k).ratio()
                if score >= 0.5 and e in labels:
                    scored[labels[e]] = max(score, scored.get(labels[e], 0.0))
        close = [label for label, _ in sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))[:5]]
    hint = f"; did you mean: {', '.join(close)}?" if close else " (no entity has a name like it)"
    return ViewError(f"focus entity {focus!r} not found{hint}")


def neighbours(store: Store, frontier: list[str]) -> set[str]:
    """The entities one relation away from any of `frontier`, either way."""
    query = f"SELECT DISTINCT ?n WHERE {{ #VALUES# VALUES ?p {{ {RELATIONS} }} {{ ?e ?p ?n }} UNION {{ ?n ?p ?e }} }}"
    return {r["n"].value for r in rows(store, query, frontier)}


def choose(store: Store, focus: str | None = None, hops: int = 1, types: Iterable[str] | None = None,
           limit: int | None = None) -> tuple[list[str] | None, list[str]]:
    """The entities to draw (None: all) and the focus entities among them.

    `focus`: those within `hops` relation steps of the entities so named;
    `types`: only those types; `limit`: at most that many, the most connected first.
    """
    wanted = entity_types(types)
    keep: set[str] | None = None
    seeds: list[str] = []
    if focus is not None:
        if hops < 0:
            raise ViewError(f"hops must be 0 or more, got {hops}")
        seeds = named(store, focus.strip())
        if not seeds:
            raise unknown_focus(store, focus.strip())
        keep, frontier = set(seeds), list(seeds)
        for _ in range(hops):
            frontier = sorted(neighbours(store, frontier) - keep)
            keep |= set(frontier)
    if wanted is not None:
        typed = {r["e"].value for t in wanted for r in store.query(f"SELECT ?e WHERE {{ ?e a kgo:{t} }}")}
        keep = typed if keep is None else keep & typed
    if limit is not None:
        ranked = most_connected(store, limit if keep is None else None)
        pool = ranked if keep is None else [e for e in ranked if e in keep] + sorted(keep - set(ranked))
        if keep is not None or len(pool) >= limit:
            keep = set(pool[:limit])
    return (sorted(keep) if keep is not None else None), [s for s in seeds if keep is None or s in keep]


def most_connected(store: Store, limit: int | None) -> list[str]:
    """Entities by falling number of relations (then IRI), isolated ones last; `limit` at most."""
    cap = f"LIMIT {limit}" if limit is not None else ""
    query = (f"SELECT ?e (COUNT(?x) AS ?d) WHERE {{ VALUES ?t {{ {TYPES} }} ?e a ?t "
             f"OPTIONAL {{ VALUES ?p {{ {RELATIONS} }} {{ ?e ?p ?x }} UNION {{ ?x ?p ?e }} }} }}"
             f" GROUP BY ?e ORDER BY DESC(?d) STR(?e) {cap}")
    return [r["e"].value for r in store.query(query)]
