"""Check a built graph against the kg SHACL shapes (``ontology/shapes.ttl``).

Validation runs without inference: RDFS inference over the ontology's
``rdfs:domain`` axioms would give every subject of, say, ``kgo:handledBy`` the
type ``kgo:Case`` and so hide exactly the errors the subject shapes look for.
The ontology is still mixed in, so that ``sh:class`` accepts subclasses of our
classes. A Dataset is validated as the union of its graphs, because an entity's
label, its ``kgo:mentionedIn`` link and the article it points to may sit in
different named graphs.
"""

from dataclasses import dataclass
from functools import cache

import pyshacl
from rdflib import Dataset, Graph
from rdflib.namespace import SH

from kg.datafiles import ontology_path


@dataclass(frozen=True)
class ValidationResult:
    """Outcome of a SHACL run: whether the graph conforms, how many
    violations were found, and pySHACL's human-readable report."""

    conforms: bool
    violations: int
    report: str


@cache
def _load(name: str) -> Graph:
    """Parse a Turtle file from the ontology folder once per process."""
    return Graph().parse(ontology_path(name), format="turtle")


def _union(data: Graph | Dataset) -> Graph:
    """Return the triples of all graphs of a Dataset as one Graph."""
    if not isinstance(data, Dataset):
        return data
    union = Graph()
    for s, p, o, _ in data.quads((None, None, None, None)):
        union.add((s, p, o))
    return union


def validate(data_graph: Graph | Dataset) -> ValidationResult:
    """Validate ``data_graph`` against the shapes; the input is not modified."""
    conforms, results, report = pyshacl.validate(
        _union(data_graph),
        shacl_graph=_load("shapes.ttl"),
        ont_graph=_load("kg.ttl"),
        inference="none",
    )
    violations = sum(1 for _ in results.subjects(SH.resultSeverity, SH.Violation))
    return ValidationResult(conforms=bool(conforms), violations=violations, report=report)
