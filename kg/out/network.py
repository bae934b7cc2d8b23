"""The entity graph as a networkx graph, for analysis, for the network page and for exports.

`entity_graph` turns a kg graph (rdflib) into a MultiDiGraph of the entities of
the vocabulary's types and the relations between them, each node and edge with
the evidence sentences of its statements (as lists, for the page); `to_networkx`
gives the same graph with every attribute a string or a number, as GraphML and
GEXF can write them and Gephi reads them; `select` cuts out the part around an
entity (found by any of its names, as the search does) or of some types, as
`kg view --focus/--types` draws it.
"""
from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable

import networkx as nx
import rdflib
from rdflib import RDF, RDFS, Literal
from rdflib.namespace import DCTERMS, PROV, SKOS

from kg.rdf.graph import union
from kg.rdf.namespaces import KGO
from kg.reference.names import name_keys, search_key
from kg.vocab import VOCAB

SEPARATOR = " | "  # between the names (and article ids) of one flat attribute, as the named questions join them


class ViewError(ValueError):
    """A selection that cannot be drawn: unknown focus entity or type, negative hops."""


def pick_label(literals: Iterable[Literal]) -> str | None:
    """Prefer a Chinese label, then an untagged one, then any; ties broken by text."""
    lits = [lit for lit in literals if isinstance(lit, Literal)]
    if not lits:
        return None

    def rank(lit: Literal) -> tuple[int, str]:
        lang = (lit.language or "").lower()
        return (0 if lang.startswith("zh") else 1 if not lang else 2, str(lit))

    return str(min(lits, key=rank))


def local_name(iri: str) -> str:
    tail = re.split(r"[#/]", iri.rstrip("/#"))[-1]
    return tail or iri


def evidence(g: rdflib.Graph) -> dict[tuple[str, str, str], set[tuple[str, str]]]:
    """(head, relation, tail) -> {(article IRI, sentence)} from the graph's rdf:Statements."""
    subject, predicate, obj, article = (
        dict(g.subject_objects(p)) for p in (RDF.subject, RDF.predicate, RDF.object, PROV.wasDerivedFrom))
    out: dict[tuple[str, str, str], set[tuple[str, str]]] = defaultdict(set)
    for st, sentence in g.subject_objects(KGO.sentence):
        s, p, o = subject.get(st), str(predicate.get(st)), obj.get(st)
        if s is None or o is None or not p.startswith(str(KGO)):
            continue
        key = VOCAB.ordered(str(s), p[len(str(KGO)):], str(o))
        out[key].add((str(article.get(st, "")), str(sentence)))
    return out


def entity_graph(graph: rdflib.Graph) -> nx.MultiDiGraph:
    """The entity graph as a networkx MultiDiGraph, with list-valued attributes for the page.

    Nodes are the IRIs (as `str`) of resources typed with one of the
    vocabulary's entity types; attributes `label` (the rdfs:label, Chinese
    preferred), `type` (class local name, e.g. "Agency"), `altLabels` (sorted
    list of skos:altLabel texts), `keys` (the search keys of all its names,
    skos:prefLabel included), `articles` (sorted list of the article IRIs
    from kgo:mentionedIn) and `evidence` (sorted (article IRI, sentence) pairs
    of the statements of all its relations). Edges are the vocabulary's
    relations between two such nodes, keyed by and carrying `relation` (local
    name, e.g. "handledBy") and their own `evidence`. A symmetric relation
    yields one edge per pair, from the smaller IRI to the larger, whether one
    or both directions are stated. Articles are not nodes.
    """
    g = union(graph)
    out = nx.MultiDiGraph()
    order = list(VOCAB.types)
    types: dict[str, str] = {}
    terms: dict[str, rdflib.term.Node] = {}
    for name in order:
        for s in g.subjects(RDF.type, KGO[name]):
            key = str(s)
            terms[key] = s
            if key not in types or order.index(name) < order.index(types[key]):
                types[key] = name

    seen: set[tuple[str, str, str]] = set()
    for rel in VOCAB.relations:
        for s, o in g.subject_objects(KGO[rel]):
            if str(s) in types and str(o) in types:
                seen.add(VOCAB.ordered(str(s), rel, str(o)))
    found = evidence(g)
    node_evidence: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for u, rel, v in seen:
        node_evidence[u] |= found.get((u, rel, v), set())
        node_evidence[v] |= found.get((u, rel, v), set())

    for key in sorted(types):
        subj = terms[key]
        label = pick_label(g.objects(subj, RDFS.label)) or local_name(key)
        alts = sorted({str(o) for o in g.objects(subj, SKOS.altLabel) if isinstance(o, Literal)} - {label})
        articles = sorted({str(o) for o in g.objects(subj, KGO.mentionedIn)})
        english = [str(o) for o in g.objects(subj, SKOS.prefLabel)]
        keys = sorted({k for n in [label, *alts, *english] for k in name_keys(n)})
        out.add_node(key, label=label, type=types[key], altLabels=alts, keys=keys, articles=articles,
                     evidence=sorted(node_evidence[key]))
    relations = list(VOCAB.relations)
    for u, rel, v in sorted(seen, key=lambda t: (t[0], relations.index(t[1]), t[2])):
        out.add_edge(u, v, key=rel, relation=rel, evidence=sorted(found.get((u, rel, v), ())))
    return out


def to_networkx(graph: rdflib.Graph) -> nx.MultiDiGraph:
    """The entity graph (`entity_graph`) with attributes that GraphML and GEXF can write.

    Nodes: `label`, `type`, `altLabels` (the other names joined by " | "),
    `articles` (how many articles mention it), `articleIds` (their ids, joined)
    and `sentences` (how many evidence sentences). Edges, keyed by relation:
    `relation` (e.g. "handledBy"), `label` (its Chinese name, as the page shows
    it), `sentences` and `evidence` (the evidence sentences, one per line).
    """
    rich = entity_graph(graph)
    ids = article_ids(union(graph))
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


def article_ids(g: rdflib.Graph) -> dict[str, str]:
    """Article IRI -> its dcterms:identifier."""
    return {str(doc): str(i) for doc, i in g.subject_objects(DCTERMS.identifier)}


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


def names(full: nx.MultiDiGraph) -> dict[str, list[str]]:
    """The search key of every name -> the entities bearing it."""
    out: dict[str, list[str]] = defaultdict(list)
    for n, d in full.nodes(data=True):
        for key in d["keys"]:
            out[key].append(n)
    return out


def unknown_focus(focus: str, full: nx.MultiDiGraph) -> ViewError:
    """The error for a focus no entity is named, suggesting the labels of entities whose names contain
    it or look like it."""
    key = search_key(focus)
    scored: dict[str, float] = {}
    for _, d in full.nodes(data=True):
        for k in d["keys"]:
            score = 1.0 if key and (key in k or k in key) else difflib.SequenceMatcher(None, key, k).ratio()
            if score >= 0.5:
                scored[d["label"]] = max(score, scored.get(d["label"], 0.0))
    close = [label for label, _ in sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))[:5]]
    hint = f"; did you mean: {', '.join(close)}?" if close else " (no entity has a name like it)"
    return ViewError(f"focus entity {focus!r} not found{hint}")


def select(full: nx.MultiDiGraph, focus: str | None, hops: int,
           types: Iterable[str] | None) -> tuple[nx.MultiDiGraph, list[str]]:
    """The subgraph to draw, and the focus entities in it."""
    keep = set(full.nodes)
    seeds: list[str] = []
    if focus is not None:
        if hops < 0:
            raise ViewError(f"hops must be 0 or more, got {hops}")
        named = names(full)
        if search_key(focus) not in named:
            raise unknown_focus(focus.strip(), full)
        seeds = sorted(named[search_key(focus)])
        und = full.to_undirected(as_view=True)
        keep = set()
        for seed in seeds:
            keep |= set(nx.single_source_shortest_path_length(und, seed, cutoff=hops))
    wanted = entity_types(types)
    if wanted is not None:
        keep = {n for n in keep if full.nodes[n]["type"] in wanted}
    return full.subgraph(keep), [s for s in seeds if s in keep]
