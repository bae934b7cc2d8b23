"""Find entities by any of their names, and the closest names when none has the one asked for.

A name is looked up by its search key (`kg.reference.names.search_key`) in
`kgo:searchKey`, through the named question `find-entity`: one index lookup. When
no entity has it, `suggest` ranks the names that share a pair of characters with
it (a few pairs spread over the name; the store scans the keys for them) by how
alike they are (difflib's ratio, a name that begins with or holds the typed one first): a misspelt 东江市市场监管理局 gets 东江市市场监督管理局. The CLI
(`kg search`, `kg query --name`), the Python API and the page give the same answer.
"""
from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from kg.reference.names import name_keys, search_key
from kg.store.queries import NamedQuery, named_query
from kg.store.store import QueryError, Results, Store

SUGGESTIONS = 5
CLOSE_ENOUGH = 0.5  # least difflib ratio between two keys for a suggestion
GRAMS = 6  # pairs of characters of a name looked for in the keys, at most (each is a scan of them all)


class UnknownName(QueryError):
    """No entity has the name asked for; `suggestions` holds the closest names (maybe none)."""

    def __init__(self, name: str, suggestions: list[str]) -> None:
        hint = f"; did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"no entity is named {name!r}{hint}")
        self.name = name
        self.suggestions = suggestions


@dataclass(frozen=True)
class Match:
    """An entity found by name: its label, type, how many articles mention it, its IRI."""

    label: str
    type: str
    articles: int
    iri: str


def find(store: Store, name: str) -> list[Match]:
    """The entities one of whose names has the search key of `name`, most mentioned first."""
    rows = store.query(named_query("find-entity").bound({"name": name}))
    return [Match(r["entity"].value, r["type"].value, int(r["articles"].value), r["iri"].value) for r in rows]


def containing(store: Store, name: str, limit: int = 20) -> list[Match]:
    """Entities with a name whose key contains the key of `name` (for a part of a name), most mentioned first."""
    keys = name_keys(name)
    if not keys:
        return []
    test = " || ".join(f"CONTAINS(?k, {literal(k)})" for k in sorted(keys))
    rows = store.query(f"""
        SELECT ?e ?entity ?type (COUNT(DISTINCT ?doc) AS ?articles) WHERE {{
          {{ SELECT DISTINCT ?e WHERE {{ ?e kgo:searchKey ?k . FILTER ({test}) }} }}
          ?e rdfs:label ?entity ; a ?class ; kgo:mentionedIn ?doc .
          FILTER (STRSTARTS(STR(?class), STR(kgo:)))
          BIND (STRAFTER(STR(?class), "#") AS ?type)
        }} GROUP BY ?e ?entity ?type ORDER BY DESC(?articles) ?entity LIMIT {int(limit)}""")
    return [Match(r["entity"].value, r["type"].value, int(r["articles"].value), r["e"].value) for r in rows]


def suggest(store: Store, name: str, n: int = SUGGESTIONS) -> list[str]:
    """The labels of up to `n` entities whose names are closest to `name`, closest first."""
    key = search_key(name)
    if not key:
        return []
    pairs = [key[i:i + 2] for i in range(len(key) - 1)] or [key]
    step = max(1, len(pairs) // GRAMS)  # a few pairs spread over the name: a slip spoils two at most
    grams = sorted(set(pairs[::step]) | {pairs[-1]})
    test = " || ".join(f"CONTAINS(?key, {literal(g)})" for g in grams)
    rows = store.query(f"SELECT DISTINCT ?key ?label WHERE {{ ?e kgo:searchKey ?key ; rdfs:label ?label . "
                       f"FILTER ({test}) }}")
    best: dict[str, float] = {}
    for row in rows:
        other = row["key"].value
        score = difflib.SequenceMatcher(None, key, other, autojunk=False).ratio()
        if score < CLOSE_ENOUGH:
            continue
        # as the page's search does: a name that starts with what was typed first, then one holding it
        score += 2.0 if other.startswith(key) else 1.0 if key in other else 0.0
        label = row["label"].value
        if score > best.get(label, 0.0):
            best[label] = score
    return [label for label, _ in sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def check_names(store: Store, query: NamedQuery, params: Mapping[str, str]) -> None:
    """UnknownName, with suggestions, for the first name parameter of `query` that no entity has."""
    for param in sorted(query.keys & set(params)):
        key = search_key(params[param])
        if not bool(store.query(f"ASK {{ ?e kgo:searchKey {literal(key)} }}")):
            raise UnknownName(params[param], suggest(store, params[param]))


def ask(store: Store, name: str, params: Mapping[str, str] | None = None) -> Results:
    """Run the named question `name` with its parameters; UnknownName when no entity has a name given."""
    query = named_query(name)
    text = query.bound(params or {})  # checks the parameters first
    check_names(store, query, params or {})
    return store.query(text)


def literal(text: str) -> str:
    """A SPARQL string literal, escaped by pyoxigraph."""
    return str(ox.Literal(text))
