"""What a graph holds, counted one way everywhere: entities per type and relations per kind.

A relation is one distinct (subject, relation, object) triple of one of the
vocabulary's relations in the union of all articles, after `--min-confidence`
(a relation below it is never written). The same relation read in several
articles counts once; a symmetric relation is written from the smaller IRI to the
larger (`kg.rdf.graph`), so it counts once per pair. The build summary counts with
the named question `relations-per-kind` (plain SPARQL anyone can run), the network
page draws one edge per such triple; a test holds them together.
"""
from __future__ import annotations

from kg.store.store import Store
from kg.vocab import VOCAB


def entity_counts(store: Store) -> dict[str, int]:
    """Entities per type, in the vocabulary's order (zero for a type the graph lacks)."""
    values = " ".join(f"kgo:{t}" for t in VOCAB.types)
    rows = store.query(f"SELECT ?t (COUNT(DISTINCT ?e) AS ?n) WHERE {{ VALUES ?t {{ {values} }} ?e a ?t }} GROUP BY ?t")
    found = {r["t"].value.rpartition("#")[2]: int(r["n"].value) for r in rows}
    return {t: found.get(t, 0) for t in VOCAB.types}


def relation_counts(store: Store) -> dict[str, int]:
    """Relations per kind (see the module docstring), in the vocabulary's order: the named question
    `relations-per-kind`, so that the figures kg prints are those of the SPARQL anyone can run."""
    from kg.store.search import ask

    found = {r["relation"].value: int(r["relations"].value) for r in ask(store, "relations-per-kind")}
    return {r: found.get(r, 0) for r in VOCAB.relations}
