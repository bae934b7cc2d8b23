"""kg's graphs as rdflib objects, for the tools that want them (pySHACL, networkx, notebooks).

kg writes and stores RDF with pyoxigraph; rdflib is the interface users and some
tools expect. `to_rdflib` and `to_ox` turn one term into the other,
`new_dataset` makes an rdflib Dataset with kg's prefixes whose default graph is
the union of its named graphs, and `union` flattens a Dataset into one Graph.
"""
from __future__ import annotations

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from kg.rdf.namespaces import PREFIXES

Term = ox.NamedNode | ox.BlankNode | ox.Literal


def bind(g: Graph) -> Graph:
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, replace=True)  # else rdflib keeps its own schema: (https) and ours becomes schema1:
    return g


def new_dataset() -> Dataset:
    """An empty Dataset with kg's prefixes, whose default graph reads as the union of its named graphs."""
    return bind(Dataset(default_union=True))


def union(graph: Graph) -> Graph:
    """All triples of all named graphs of a Dataset in one graph; a plain Graph as it is."""
    if not isinstance(graph, rdflib.ConjunctiveGraph):  # rdflib.Dataset is a subclass
        return graph
    g = bind(Graph())
    for s, p, o, _ in graph.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def to_ox(term: Node) -> Term:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def to_rdflib(term: Term) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"not an RDF term: {term!r}")
