"""Run the whole job: inputs → articles → entities and relations → RDF.

`extract` yields one `ArticleGraph` per article; `build` collects them with the
input errors; the CLI and the Python API both go through here.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset

from kg.graph import to_dataset
from kg.ingest import Article, InputError, read_inputs
from kg.nlp import load_pipeline
from kg.normalize import normalize
from kg.resolve import ArticleGraph, Resolver

Progress = Callable[[int, int], None]  # called with (articles done, articles in all)
Extract = Callable[[Sequence[Article], Progress | None], Iterable[ArticleGraph]]


@dataclass
class Build:
    articles: list[ArticleGraph] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

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
        lines = [f"articles: {len(self.articles)} built, {len(self.errors)} failed",
                 f"entities: {sum(types.values())} ({fmt(types)})",
                 f"relations: {sum(relations.values())} ({fmt(relations)})"]
        return "\n".join(lines)


def extract(articles: Sequence[Article], progress: Progress | None = None) -> Iterator[ArticleGraph]:
    """Entities and relations of each article, in input order."""
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
            progress(i + 1, len(articles))
        yield resolver(article, norm, doc)


def build(inputs: Iterable[str | Path | Article], progress: Progress | None = None, run: Extract = extract) -> Build:
    """Read inputs and extract every article; input problems are collected, not raised.

    `run` extracts the articles: `extract` in this process, or one of `kg.parallel`'s.
    """
    result = Build()
    articles = []
    for item in read_inputs(inputs):
        if isinstance(item, InputError):
            result.errors.append(str(item))
        else:
            articles.append(item)
    if progress:
        progress(0, len(articles))
    result.articles = list(run(articles, progress))
    return result
