"""What a graph holds, counted one way everywhere: entities per type and relations per kind.

A relation is one distinct (subject, relation, object) triple of one of the
vocabulary's relations in the union of all articles, after `--min-confidence`
(a relation below it is never written). The same relation read in several
articles counts once; a symmetric relation is written from the smaller IRI to the
larger (`kg.rdf.graph`), so it counts once per pair. The build summary counts with
these queries, the network page draws one edge per such triple, and the named
question `relations-per-kind` gives the same figures in plain SPARQL; a test
holds the three together.
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
    """Relations per kind (see the module docstring), in the vocabulary's order."""
    values = " ".join(f"kgo:{r}" for r in VOCAB.relations)
    rows = store.query(f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o }} GROUP BY ?p")
    found = {r["p"].value.rpartition("#")[2]: int(r["n"].value) for r in rows}
    return {r: found.get(r, 0) for r in VOCAB.relations}
