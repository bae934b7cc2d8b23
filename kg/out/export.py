"""A build's output files (the graph as Turtle, TriG and JSON-LD, and the network page), and
exports for other tools.

`render` makes every file from a store's whole content; `write_from_store`
writes them into a build folder, atomically (`kg.out.files`), and only when the
store changed since they were last written: `OUT/.kg-store-state` records the
store state (which article versions, and kg's version) they were written from;
it is written after them, so a build interrupted while writing leaves it stale
and the next build writes them again.

`export` writes the entity graph for another tool (`kg export`): each format
family is one module under `kg/out/` with one function from the flat entity
graph (`kg.out.network.to_networkx`) to files, registered by name in `EXPORTS`
and imported only when asked for, as rdflib registers its serialisers.
"""
from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Dataset, Graph

from kg.version import __version__
from kg.out.files import write_all, write_atomic
from kg.rdf.graph import bind, union
from kg.rdf.namespaces import PREFIXES

if TYPE_CHECKING:
    from kg.store.store import Store

OUTPUTS = ("graph.ttl", "graph.trig", "graph.jsonld", "network.html")
STATE = ".kg-store-state"
PREFIX_LINE = re.compile(r"@prefix ([^:\s]*): <([^>]*)> \.")


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
    files = getattr(importlib.import_module(module), function)(to_networkx(store.dataset()))
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


def render(store: Store) -> dict[str, bytes]:
    """The output files of the store's whole content, by name."""
    from kg.out.page import render_network

    ds = store.dataset()
    files = serialise(ds)
    files["network.html"] = render_network(ds)[0]
    return files


def serialise(ds: Dataset) -> dict[str, bytes]:
    """The RDF files of a build: whole graph (Turtle, JSON-LD) and per-article graphs (TriG)."""
    whole = union(ds)
    context = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
    return {
        "graph.ttl": whole.serialize(format="turtle", encoding="utf-8"),
        "graph.trig": trig(ds),
        "graph.jsonld": jsonld(whole, context),
    }


def jsonld(g: Graph, context: dict[str, str]) -> bytes:
    """Compacted JSON-LD with nodes and values in a stable order (rdflib's follows hashes)."""
    doc = json.loads(g.serialize(format="json-ld", context=context))
    key = lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True)  # noqa: E731
    nodes = doc.get("@graph", [])
    for node in nodes:
        for k, v in node.items():
            if isinstance(v, list):
                node[k] = sorted(v, key=key)
    doc["@graph"] = sorted(nodes, key=lambda n: n.get("@id", ""))
    return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def trig(ds: Dataset) -> bytes:
    """TriG with the named graphs in IRI order.

    rdflib's TriG writer orders graphs by hash, which changes between runs; its
    Turtle writer is stable, so each graph is written as Turtle inside its block,
    its prefixes declared before the block unless already declared alike.
    """
    declared = {p: str(ns) for p, ns in PREFIXES.items()}
    parts = ["".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(declared.items())) + "\n"]
    for g in sorted(ds.graphs(), key=lambda g: str(g.identifier)):
        if len(g) == 0:
            continue
        copy = bind(Graph())
        copy += g
        # split at \n only: literals may hold U+2028 and other breaks that splitlines() cuts at
        lines = copy.serialize(format="turtle").split("\n")
        head = 0
        while head < len(lines) and (lines[head].startswith("@prefix") or not lines[head].strip()):
            m = PREFIX_LINE.fullmatch(lines[head])
            if m and declared.get(m[1]) != m[2]:
                declared[m[1]] = m[2]
                parts.append(lines[head] + "\n")
            head += 1
        body = "\n".join(lines[head:]).strip("\n")
        parts.append(f"<{g.identifier}> {{\n{body}\n}}\n\n")
    return "".join(parts).rstrip("\n").encode("utf-8") + b"\n"
