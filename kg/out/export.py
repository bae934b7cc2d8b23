"""A build's output files, streamed from the store (Turtle, TriG and JSON-LD, and the network page),
and exports for other tools.

`render` gives a writer for every file, each streaming the store's content into
an open file in a fixed order, so outputs are byte-stable and never held whole:
graph.ttl and graph.jsonld hold the union of all articles, subject by subject
in IRI order (the subjects come sorted from the store, each one's triples are
sorted alone), graph.trig each article's named graph in IRI order. Turtle and
TriG are pyoxigraph's serialisers; JSON-LD is compacted with kg's prefixes as
rdflib compacts it, node by node. `write_from_store` writes them into a build
folder (`kg.out.files`), and only when the store changed since they were last
written: `OUT/.kg-store-state` records the store state (which article versions,
and kg's version) they were written from; it is written after them, so a build
interrupted while writing leaves it stale and the next build writes them again.

`export` writes the entity graph for another tool (`kg export`): each format
family is one module under `kg/out/` with one function from the flat entity
graph (`kg.out.network.to_networkx`) to files, registered by name in `EXPORTS`
and imported only when asked for, as rdflib registers its serialisers.
"""
from __future__ import annotations

import importlib
import itertools
import json
from collections.abc import Iterator
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import pyoxigraph as ox

from kg.out.files import Content, write_all, write_atomic
from kg.rdf.namespaces import PREFIXES
from kg.version import __version__

if TYPE_CHECKING:
    from kg.store.store import Store

OUTPUTS = ("graph.ttl", "graph.trig", "graph.jsonld", "network.html")
STATE = ".kg-store-state"
PREFIX_MAP = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
# Resource IRIs (kgr:Agency/…, kgr:article/%E4…) would be written as prefixed names full of
# escapes (kgr:article\/\%3C…) that some parsers (rdflib's) refuse: Turtle and TriG write them whole.
TURTLE_PREFIXES = {p: ns for p, ns in PREFIX_MAP.items() if p != "kgr"}
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
SORT_IN_MEMORY = 50_000  # quads of one named graph sorted at once for TriG
NATIVE = {XSD + "integer": int, XSD + "double": float, XSD + "boolean": lambda v: v == "true"}  # as JSON values


EXPORTS = {  # format -> "module:function" taking the flat entity graph, giving {file name: bytes}
    "graphml": "kg.out.graphfiles:graphml",
    "gexf": "kg.out.graphfiles:gexf",
    "csv": "kg.out.tables:csv_tables",
    "neo4j": "kg.out.tables:neo4j",
}


def export(store: Store, fmt: str, out: Path) -> list[Path]:
    """Write the store's entity graph in an `EXPORTS` format into the folder `out`; the files written."""
    from kg.out.network import to_networkx

    if fmt not in EXPORTS:
        raise ValueError(f"unknown export format {fmt!r}; kg exports {', '.join(EXPORTS)}")
    module, _, function = EXPORTS[fmt].partition(":")
    files = getattr(importlib.import_module(module), function)(to_networkx(store))
    write_all(out, files)
    return [out / name for name in sorted(files)]


def write_from_store(store: Store, out: Path) -> bool:
    """Write the output files of `out` from the store unless they already show it; True if written."""
    state = f"kg {__version__}\n{store.state()}\n"
    stamp = out / STATE
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == state and all((out / n).is_file() for n in OUTPUTS):
        return False
    write_all(out, render(store))  # everything is rendered before the first file is replaced
    write_atomic(stamp, state.encode("utf-8"))
    return True


def render(store: Store) -> dict[str, Content]:
    """A writer for each output file of the store's whole content, by name."""
    from kg.out.page import render_store

    return {
        "graph.ttl": lambda f: ox.serialize(union_triples(store), f, ox.RdfFormat.TURTLE, prefixes=TURTLE_PREFIXES),
        "graph.trig": lambda f: ox.serialize(article_quads(store), f, ox.RdfFormat.TRIG, prefixes=TURTLE_PREFIXES),
        "graph.jsonld": lambda f: jsonld(store, f),
        "network.html": lambda f: f.write(render_store(store)[0]),
    }


def union_triples(store: Store) -> Iterator[ox.Triple]:
    """The union of all graphs, subject by subject in IRI order, each subject's triples sorted."""
    for row in store.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o } ORDER BY ?s"):
        yield from sorted((q.triple for q in store.ox.quads_for_pattern(row["s"], None, None, ox.DefaultGraph())),
                          key=lambda t: (t.predicate.value, str(t.object)))


def article_quads(store: Store) -> Iterator[ox.Quad]:
    """Every article's named graph in IRI order, each graph's quads sorted: a graph of at most
    `SORT_IN_MEMORY` quads at once, a larger one (a long article) subject by subject."""
    key = lambda q: (q.subject.value, q.predicate.value, str(q.object))  # noqa: E731
    for name in store.named_graphs():
        graph = ox.NamedNode(name)
        quads = list(itertools.islice(store.ox.quads_for_pattern(None, None, None, graph), SORT_IN_MEMORY + 1))
        if len(quads) <= SORT_IN_MEMORY:
            yield from sorted(quads, key=key)
            continue
        del quads
        for row in store.query(f"SELECT DISTINCT ?s WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }} ORDER BY ?s"):
            yield from sorted(store.ox.quads_for_pattern(row["s"], None, None, graph), key=key)


def shrink(iri: str) -> str:
    """An IRI as rdflib's JSON-LD compaction writes it: prefix:name when the part before the
    last #, / or : is one of kg's namespaces."""
    for delim in "#/:":
        at = iri.rfind(delim)
        if at > -1:
            prefix = next((p for p, ns in PREFIX_MAP.items() if ns == iri[:at + 1]), None)
            return f"{prefix}:{iri[at + 1:]}" if prefix else iri
    return iri


def value(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> object:
    """An object of a triple as a compacted JSON-LD value."""
    if not isinstance(term, ox.Literal):
        return {"@id": shrink(term.value)}
    if term.language:
        return {"@language": term.language, "@value": term.value}
    kind = term.datatype.value
    if kind == XSD + "string":
        return term.value
    if kind in NATIVE:
        return NATIVE[kind](term.value)
    return {"@type": shrink(kind), "@value": term.value}


def jsonld(store: Store, f: BinaryIO) -> None:
    """Compacted JSON-LD of the union: kg's prefixes as the context, a node per subject in IRI
    order, its keys and values sorted, one value written bare and several as a list."""
    head = json.dumps({"@context": PREFIX_MAP}, ensure_ascii=False, indent=1, sort_keys=True)
    f.write(head[:-2].encode("utf-8") + b',\n "@graph": [')
    sort = lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True)  # noqa: E731
    first = True
    for subject, triples in groupby(union_triples(store), key=lambda t: t.subject):
        node: dict[str, object] = {"@id": shrink(subject.value)}
        for predicate, objects in groupby(triples, key=lambda t: t.predicate.value):
            key = "@type" if predicate == RDF_TYPE else shrink(predicate)
            values = sorted((shrink(t.object.value) if key == "@type" else value(t.object) for t in objects), key=sort)
            node[key] = values[0] if len(values) == 1 else values
        text = json.dumps(node, ensure_ascii=False, indent=1, sort_keys=True)
        f.write((b"\n" if first else b",\n") + "\n".join("  " + line for line in text.split("\n")).encode("utf-8"))
        first = False
    f.write(b"]\n}" if first else b"\n ]\n}")
