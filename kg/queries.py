"""kg's named questions: the commented SPARQL files in `ontology/queries/` (package kg.ontology).

A question's name is its file name without `.rq`. The file opens with a comment
block: the first line is the title, the next lines describe it, and a line
`# @param NAME  what it is` declares a parameter. Parameter values are bound as
string literals by the store (`kg.store.Store.query`), never written into the
query text, so users can copy the files into any SPARQL tool as they are.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from kg.resources import ontology_path

PARAM = re.compile(r"@param\s+(\w+)\s*(.*)")


class QueryError(Exception):
    """A named question that does not exist or is asked without its parameters."""


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    text: str
    params: dict[str, str] = field(default_factory=dict)  # parameter name -> what it is

    def bindings(self, given: Mapping[str, str]) -> dict[str, str]:
        """The given parameter values, checked against the declared ones."""
        unknown = sorted(set(given) - set(self.params))
        if unknown:
            raise QueryError(f"query {self.name!r} has no parameter {unknown[0]!r}"
                             f" (it takes: {', '.join(self.params) or 'none'})")
        missing = [p for p in self.params if p not in given]
        if missing:
            raise QueryError(f"query {self.name!r} needs --param {missing[0]}=VALUE ({self.params[missing[0]]})")
        return dict(given)


def parse(name: str, text: str) -> NamedQuery:
    """A named query from the text of its .rq file."""
    comments = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        comments.append(line[1:].strip())
    params = {m[1]: m[2].strip() for c in comments if (m := PARAM.match(c))}
    prose = [c for c in comments if not PARAM.match(c)]
    title = prose[0] if prose else name
    description = " ".join(c for c in prose[1:] if c)
    return NamedQuery(name=name, title=title, description=description, text=text, params=params)


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
