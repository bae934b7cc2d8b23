"""kg's named questions: the commented SPARQL files in `ontology/queries/` (package kg.ontology).

A question's name is its file name without `.rq`. The file opens with a comment
block: the first line is the title, the next lines describe it, and a line
`# @param NAME  what it is` declares a parameter, `# @param NAME@zh  ...` one
whose values are tagged as Chinese, and `# @param NAME:key  ...` an entity's
name, bound as its search key (`kg.reference.names.search_key`) for the query to
match against `kgo:searchKey`, so that any spelling of any of the entity's names
finds it (`kg.store.search` says which such names no entity has, with the
closest ones). Parameter values become RDF literals,
written by pyoxigraph's serialiser (quotes and backslashes escaped) into a
VALUES block that opens the WHERE clause: the one binding oxigraph's planner
uses to look the value up, where a substitution or trailing VALUES would make
it read every label first.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rdflib import Literal

from kg.datafiles import ontology_path
from kg.rdf.datasets import to_ox
from kg.reference.names import search_key
from kg.store.store import QueryError

PARAM = re.compile(r"@param\s+(\w+)(?:@([\w-]+)|:(key))?\s*(.*)")
WHERE = re.compile(r"^[^#\n]*?\bWHERE\s*\{", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    text: str
    params: dict[str, str] = field(default_factory=dict)  # parameter name -> what it is
    languages: dict[str, str] = field(default_factory=dict)  # parameter name -> language tag of its values
    keys: frozenset[str] = frozenset()  # parameters bound as the search key of the name given

    def bindings(self, given: Mapping[str, str]) -> dict[str, Literal]:
        """The given parameter values as literals, checked against the declared parameters."""
        unknown = sorted(set(given) - set(self.params))
        if unknown:
            raise QueryError(f"query {self.name!r} has no parameter {unknown[0]!r}"
                             f" (it takes: {', '.join(self.params) or 'none'})")
        missing = [p for p in self.params if p not in given]
        if missing:
            raise QueryError(f"query {self.name!r} needs --param {missing[0]}=VALUE ({self.params[missing[0]]})")
        bound = {}
        for k, v in given.items():
            if k in self.keys and not search_key(v):
                raise QueryError(f"--param {k}={v!r}: no name in it")
            bound[k] = Literal(search_key(v)) if k in self.keys else Literal(v, lang=self.languages.get(k))
        return bound

    def bound(self, given: Mapping[str, str]) -> str:
        """The query text with the given parameter values bound."""
        values = self.bindings(given)
        if not values:
            return self.text
        where = WHERE.search(self.text)
        if where is None:
            raise QueryError(f"query {self.name!r} has parameters but no WHERE {{ to bind them in")
        names = " ".join(f"?{k}" for k in values)
        terms = " ".join(str(to_ox(v)) for v in values.values())
        block = f"\n  VALUES ({names}) {{ ({terms}) }}"
        return self.text[:where.end()] + block + self.text[where.end():]


def parse(name: str, text: str) -> NamedQuery:
    """A named query from the text of its .rq file."""
    comments = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        comments.append(line[1:].strip())
    declared = [m for c in comments if (m := PARAM.match(c))]
    prose = [c for c in comments if not PARAM.match(c)]
    return NamedQuery(name=name, title=prose[0] if prose else name, description=" ".join(c for c in prose[1:] if c),
                      text=text, params={m[1]: m[4].strip() for m in declared},
                      languages={m[1]: m[2] for m in declared if m[2]}, keys=frozenset(m[1] for m in declared if m[3]))


def named_queries() -> dict[str, NamedQuery]:
    """Every named question shipped with kg, by name."""
    found = (parse(f.stem, f.read_text(encoding="utf-8")) for f in ontology_path("queries").glob("*.rq"))
    return {q.name: q for q in sorted(found, key=lambda q: q.name)}


def named_query(name: str) -> NamedQuery:
    queries = named_queries()
    if name not in queries:
        raise QueryError(f"no named query {name!r} (see `kg query --list`)")
    return queries[name]


def parse_params(pairs: Iterable[str]) -> dict[str, str]:
    """KEY=VALUE strings from the command line as a dict."""
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise QueryError(f"--param {pair!r}: expected KEY=VALUE")
        params[key.strip()] = value
    return params
