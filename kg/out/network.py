"""The entity graph as a networkx graph, for analysis and for the network page, read from a store.

`to_networkx` asks a store (or an rdflib graph, loaded into one) for the entities
of the vocabulary's types and the relations between them, each node and edge
with the evidence sentences of its statements. `choose` picks what a page
shows without reading the whole store: the entities around one (`--focus`), of
some types, and at most `limit` of them, the most connected first, so that a
page of a store of any size is drawn from a bounded part of it.
"""
from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator

import networkx as nx
import rdflib

from kg.rdf.namespaces import KGO
from kg.store.store import Store
from kg.vocab import VOCAB

CHUNK = 400  # entities per VALUES block
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


def to_networkx(source: Store | rdflib.Graph, keep: Iterable[str] | None = None) -> nx.MultiDiGraph:
    """The entity graph (of the entities `keep`, if given) as a networkx MultiDiGraph.

    Nodes are entity IRIs (as `str`) with attributes `label` (the rdfs:label,
    Chinese preferred), `type` (e.g. "Agency"), `altLabels` (sorted skos:altLabel
    texts), `articles` (sorted article IRIs of kgo:mentionedIn) and `evidence`
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
        out.add_node(e, label=label, type=types[e], altLabels=sorted(alts[e] - {label}),
                     articles=sorted(articles[e]), evidence=sorted(node_evidence[e]))
    relations = list(VOCAB.relations)
    for u, rel, v in sorted(edges, key=lambda t: (t[0], relations.index(t[1]), t[2])):
        out.add_edge(u, v, key=rel, relation=rel, evidence=sorted(evidence[(u, rel, v)]))
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
    """The entities that have `name` as their label or one of their other names."""
    query = ('SELECT DISTINCT ?e WHERE { VALUES ?n { "%s" "%s"@zh } ?e rdfs:label|skos:altLabel ?n }'
             % ((name.replace("\\", "\\\\").replace('"', '\\"'),) * 2))
    return sorted(r["e"].value for r in store.query(query))


def unknown_focus(store: Store, focus: str) -> ViewError:
    """The error for a focus no entity is named, suggesting names that contain it or look like it."""
    known = sorted({r["l"].value for r in store.query("SELECT DISTINCT ?l WHERE { ?e rdfs:label|skos:altLabel ?l }")})
    close = [n for n in known if focus in n or n in focus][:5]
    close += [n for n in difflib.get_close_matches(focus, known, n=5, cutoff=0.5) if n not in close]
    hint = f"; did you mean: {', '.join(close[:5])}?" if close else " (no entity has it as rdfs:label or skos:altLabel)"
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
