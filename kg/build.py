"""Run the whole job: inputs → articles → entities and relations → RDF.

`extract` yields one `ArticleGraph` per article; `build` collects them with the
input errors; the CLI and the Python API both go through here. Articles already
built (same id and content hash, see `kg.store`) are skipped before any language
processing, and spaCy is only imported when there is something to extract.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Dataset

from kg.graph import to_dataset
from kg.ingest import Article, InputError, read_inputs
from kg.normalize import normalize

if TYPE_CHECKING:
    from kg.resolve import ArticleGraph

Progress = Callable[[int, Article], None]


@dataclass
class Build:
    articles: list[ArticleGraph] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # ids of articles skipped as already built

    def dataset(self, min_confidence: float = 0.0) -> Dataset:
        """The graph of all articles, without relations less confident than `min_confidence`."""
        return to_dataset(self.articles, min_confidence)

    def summary(self) -> str:
        """A few lines: articles, entities per type, relations per kind."""
        types: Counter = Counter()
        relations: Counter = Counter()
        seen = set()
        for ag in self.articles:
            for key in ag.entities:
                if key not in seen:
                    seen.add(key)
                    types[key[0]] += 1
            relations.update(f.relation for f in ag.facts)
        fmt = lambda c: ", ".join(f"{k} {v}" for k, v in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))) or "none"  # noqa: E731
        lines = [f"articles: {len(self.articles)} built, {len(self.errors)} failed, {len(self.unchanged)} unchanged"]
        if self.articles:
            lines += [f"entities: {sum(types.values())} ({fmt(types)})",
                      f"relations: {sum(relations.values())} ({fmt(relations)})"]
        return "\n".join(lines)


def extract(articles: Iterable[Article], progress: Progress | None = None) -> Iterator[ArticleGraph]:
    """Entities and relations of each article, in input order."""
    from kg.nlp import load_pipeline
    from kg.resolve import Resolver

    nlp = load_pipeline()
    resolver = Resolver()
    pending = ((normalize(a.text), a) for a in articles)
    normed = []

    def texts() -> Iterator[str]:
        for norm, article in pending:
            normed.append((norm, article))
            yield norm.text

    for i, doc in enumerate(nlp.pipe(texts())):
        norm, article = normed[i]
        normed[i] = None  # type: ignore[call-overload]  # free memory as we go
        if progress:
            progress(i + 1, article)
        yield resolver(article, norm, doc)


def build(inputs: Iterable[str | Path], progress: Progress | None = None,
          known: Mapping[str, str] | None = None) -> Build:
    """Read inputs and extract every article; input problems are collected, not raised.

    known: the content hash of each article already built, by id; an article
    with the same id and hash is listed in `unchanged` instead of extracted.
    """
    known = known or {}
    result = Build()
    articles = []
    for item in read_inputs(inputs):
        if isinstance(item, InputError):
            result.errors.append(str(item))
        elif known.get(item.id) == item.content_hash:
            result.unchanged.append(item.id)
        else:
            articles.append(item)
    if articles:
        result.articles = list(extract(articles, progress))
    return result
