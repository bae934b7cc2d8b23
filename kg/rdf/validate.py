"""Check a built graph against the kg SHACL shapes (`ontology/shapes.ttl`).

Validation runs without inference: RDFS inference over the ontology's
`rdfs:domain` axioms would give every subject of, say, `kgo:handledBy` the
type `kgo:Case` and so hide exactly the errors the subject shapes look for.
The ontology is still mixed in, so that `sh:class` accepts subclasses of our
classes. A Dataset is validated as the union of its graphs, because an entity's
label, its `kgo:mentionedIn` link and the article it points to may sit in
different named graphs. The shapes of the relations (subject and object types)
are made from the vocabulary, so a new relation is checked as soon as it is in
the ontology and the relations table.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pyshacl
from rdflib import BNode, Graph, Literal, Namespace
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

from kg.datafiles import ontology_path
from kg.rdf.datasets import union
from kg.rdf.namespaces import KGO
from kg.vocab import VOCAB

KGS = Namespace("https://w3id.org/kg-ip/shapes#")


@dataclass(frozen=True)
class ValidationResult:
    """Outcome of a SHACL run: whether the graph conforms, how many
    violations were found, and pySHACL's human-readable report."""

    conforms: bool
    violations: int
    report: str


def relation_shapes() -> Graph:
    """One node shape per relation: its subjects in the relation's domain, its objects in its range."""
    g = Graph()

    def one_of(shape: BNode, types: tuple[str, ...]) -> None:
        if len(types) == 1:
            g.add((shape, SH["class"], KGO[types[0]]))
            return
        options = []
        for t in types:
            option = BNode()
            g.add((option, SH["class"], KGO[t]))
            options.append(option)
        head = BNode()
        Collection(g, head, options)
        g.add((shape, SH["or"], head))

    for rel in VOCAB.relations.values():
        shape, prop = KGS[f"{rel.name}Shape"], BNode()
        g.add((shape, RDF.type, SH.NodeShape))
        g.add((shape, SH.targetSubjectsOf, KGO[rel.name]))
        one_of(shape, rel.domain)
        g.add((shape, SH.message, Literal(f"The subject of kgo:{rel.name} must be {choice(rel.domain)}.")))
        g.add((shape, SH.property, prop))
        g.add((prop, SH.path, KGO[rel.name]))
        one_of(prop, rel.range)
        g.add((prop, SH.message, Literal(f"kgo:{rel.name} must point to {choice(rel.range)}.")))
    return g


def choice(types: tuple[str, ...]) -> str:
    """"a kgo:Agency or kgo:Association", "a kgo:Agency, kgo:Company or kgo:Person"."""
    names = [f"kgo:{t}" for t in types]
    return "a " + (names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1])


@cache
def shapes() -> Graph:
    """The shapes file and the relation shapes, read once per process."""
    g = Graph().parse(ontology_path("shapes.ttl"), format="turtle")
    g += relation_shapes()
    return g


@cache
def ontology() -> Graph:
    return Graph().parse(ontology_path("kg.ttl"), format="turtle")


def validate(data_graph: Graph) -> ValidationResult:
    """Validate `data_graph` (a Graph, or a Dataset as the union of its graphs) against the shapes."""
    conforms, results, report = pyshacl.validate(
        union(data_graph), shacl_graph=shapes(), ont_graph=ontology(), inference="none")
    violations = sum(1 for _ in results.subjects(SH.resultSeverity, SH.Violation))
    return ValidationResult(conforms=bool(conforms), violations=violations, report=report)
