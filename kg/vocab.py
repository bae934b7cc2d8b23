"""kg's one vocabulary: the entity types and relations, read from the ontology and two tables.

`ontology/kg.ttl` defines every term (classes, properties, their domain and
range, which properties are symmetric, English labels); `data/types.tsv` and
`data/relations.tsv` say which of them kg extracts, in which order, and what the
page and the scorer need besides (short Chinese names, colours, score groups).
Every module asks `VOCAB` rather than listing types or relations itself, so a
new relation is one row in `relations.tsv` plus its property in `kg.ttl`.

The ontology is parsed with pyoxigraph (about 1 ms), so importing this module
stays cheap.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.datafiles import data_dir, ontology_path, read_table

NAMESPACE = "https://w3id.org/kg-ip/ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"


class VocabularyError(ValueError):
    """The tables name a type or relation the ontology does not define, in one line."""


@dataclass(frozen=True)
class EntityType:
    name: str  # local name of the class, e.g. "Agency"
    zh: str  # short Chinese name (legend)
    en: str  # the class's English rdfs:label
    colour: str
    shape: str
    headline: bool  # scored with the headline entities (else with the other ones)
    organisation: bool  # a body that acts: has a seat, signs, cooperates


@dataclass(frozen=True)
class Relation:
    name: str  # local name of the property, e.g. "handledBy"
    zh: str  # short Chinese label of an edge
    en: str  # the property's English rdfs:label
    domain: tuple[str, ...]  # entity types it may start from
    range: tuple[str, ...]  # entity types it may point to
    symmetric: bool

    def allows(self, head: str, tail: str) -> bool:
        """Whether the relation may link an entity of type `head` to one of type `tail`."""
        return head in self.domain and tail in self.range


@dataclass(frozen=True)
class Vocabulary:
    types: dict[str, EntityType]  # in legend order
    relations: dict[str, Relation]  # in display order
    terms: frozenset[str]  # every local name the ontology defines in its namespace

    @property
    def headline(self) -> tuple[str, ...]:
        return tuple(t for t, v in self.types.items() if v.headline)

    @property
    def other(self) -> tuple[str, ...]:
        return tuple(t for t, v in self.types.items() if not v.headline)

    @property
    def organisations(self) -> tuple[str, ...]:
        return tuple(t for t, v in self.types.items() if v.organisation)

    def ordered(self, head: object, relation: str, tail: object) -> tuple:
        """(head, relation, tail) with a symmetric relation's ends in one canonical order."""
        if relation in self.relations and self.relations[relation].symmetric and tail < head:  # type: ignore[operator]
            head, tail = tail, head
        return head, relation, tail


def load(ontology: Path | None = None, tables: Path | None = None) -> Vocabulary:
    """The vocabulary of an ontology file and a folder holding types.tsv and relations.tsv
    (by default kg's own)."""
    ontology = ontology or ontology_path("kg.ttl")
    tables = tables or data_dir(__file__)
    triples = [q.triple for q in ox.parse(path=str(ontology), format=ox.RdfFormat.TURTLE)]
    objects: dict[tuple[object, str], list] = {}
    for t in triples:
        objects.setdefault((t.subject, t.predicate.value), []).append(t.object)

    def one(node: object, predicate: str) -> object | None:
        return (objects.get((node, predicate)) or [None])[0]

    def classes(node: object) -> tuple[str, ...]:
        """The local names of a class or of an owl:unionOf list of classes."""
        union = one(node, OWL + "unionOf")
        if union is None:
            return (local(node),)
        out = []
        while union is not None and union != ox.NamedNode(RDF + "nil"):
            out.append(local(one(union, RDF + "first")))
            union = one(union, RDF + "rest")
        return tuple(out)

    def label(node: object) -> str:
        return next((o.value for o in objects.get((node, RDFS + "label"), []) if o.language == "en"), "")

    defined = {t.subject for t in triples if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(NAMESPACE)}
    terms = frozenset(local(s) for s in defined)
    kinds = {(t.subject, t.object) for t in triples if t.predicate.value == RDF + "type"}
    types = {}
    for row in read_table(tables / "types.tsv"):
        node = ox.NamedNode(NAMESPACE + row["type"])
        if (node, ox.NamedNode(OWL + "Class")) not in kinds:
            raise VocabularyError(f"{tables / 'types.tsv'}: {row['type']} is not a class of {ontology}")
        types[row["type"]] = EntityType(row["type"], row["zh"], label(node), row["colour"], row["shape"],
                                        row["score"] == "headline", row["group"] == "organisation")
    relations = {}
    for row in read_table(tables / "relations.tsv"):
        node = ox.NamedNode(NAMESPACE + row["relation"])
        if (node, ox.NamedNode(OWL + "ObjectProperty")) not in kinds:
            raise VocabularyError(f"{tables / 'relations.tsv'}: {row['relation']} is not an object property of {ontology}")
        domain, range_ = one(node, RDFS + "domain"), one(node, RDFS + "range")
        if domain is None or range_ is None:
            raise VocabularyError(f"{ontology}: {row['relation']} needs an rdfs:domain and an rdfs:range")
        relations[row["relation"]] = Relation(
            row["relation"], row["zh"], label(node), classes(domain), classes(range_),
            (node, ox.NamedNode(OWL + "SymmetricProperty")) in kinds)
    return Vocabulary(types, relations, terms)


def local(node: object) -> str:
    value = node.value  # type: ignore[attr-defined]
    return value[len(NAMESPACE):] if value.startswith(NAMESPACE) else value


VOCAB = load()
