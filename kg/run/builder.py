"""Run the whole job: inputs → articles → entities and relations → RDF.

`build_articles` reads the inputs and analyses one article at a time, so one bad
article costs only itself: whatever fails (reading, normalize, nlp, resolve,
rdf) becomes a `Failure` and the rest are built. Articles already built (same id
and content hash, see `kg.store`) are skipped before any language processing,
and the spaCy pipeline is only loaded when there is something to analyse. Each
article's RDF is made once, checked, and kept as its named graph of the build's
Dataset. `analyse_all` analyses in this process; `kg.run.parallel` has the same
in worker processes or on a Dask cluster. The CLI and the Python API both go
through here.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset

from kg.model import Article, ArticleGraph, Failure, Skipped, StageError
from kg.rdf.graph import add_article, check, new_dataset
from kg.rdf.namespaces import article_graph_iri
from kg.read.ingest import read_inputs, script_warning

Progress = Callable[[int, int], None]  # called with (articles done, articles in all)
Analyse = Callable[[Sequence[Article], "Progress | None"], Iterable["ArticleGraph | Failure"]]


@dataclass
class BuildResult:
    """What a build made: each new article's graph (in input order), in RDF too, and what failed."""

    min_confidence: float = 0.0  # relations less confident than this are left out of the RDF
    articles: list[ArticleGraph] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # ids of articles skipped as already built
    skipped: list[Skipped] = field(default_factory=list)  # files in input folders that are not articles
    warnings: list[str] = field(default_factory=list)  # articles built but worth a look (almost no Chinese)
    dataset: Dataset = field(default_factory=new_dataset)  # one named graph per built article

    def add(self, ag: ArticleGraph) -> None:
        """Keep an article whose RDF is sound, else record its failure."""
        name = article_graph_iri(ag.article.id)
        try:
            g = self.dataset.graph(name)
            add_article(g, ag, self.min_confidence)
            check(g)
        except Exception as e:  # noqa: BLE001 - one article's failure must not stop the build
            self.dataset.remove_graph(name)
            self.failures.append(Failure.of(e, ag.article.source, "rdf", ag.article.id))
            return
        self.articles.append(ag)

    def summary(self, entities: Mapping[str, int], relations: Mapping[str, int], stored: int) -> str:
        """A few lines: articles built, failed, unchanged and files skipped in this build, and how many
        the graph holds (`stored`), then the entities per type and relations per kind of the whole
        graph (`kg.store.counts`)."""
        fmt = lambda c: ", ".join(f"{k} {v}" for k, v in sorted(c.items(), key=lambda kv: (-kv[1], kv[0])) if v) or "none"  # noqa: E731
        line = f"articles: {len(self.articles)} built, {len(self.failures)} failed, {len(self.unchanged)} unchanged"
        if self.skipped:
            line += f", {len(self.skipped)} file{'s' if len(self.skipped) > 1 else ''} skipped"
        line += f" ({stored} in the graph)"
        return "\n".join([line, f"entities: {sum(entities.values())} ({fmt(entities)})",
                          f"relations: {sum(relations.values())} ({fmt(relations)})"])


def analyse_all(articles: Sequence[Article], progress: Progress | None = None) -> Iterator[ArticleGraph | Failure]:
    """Each article's graph, or the failure that cost it, in input order, in this process."""
    from kg.run.analyse import Analyser  # loads spaCy, which only new articles need

    analyse = Analyser()
    for done, article in enumerate(articles, 1):
        try:
            yield analyse(article)
        except StageError as e:
            yield Failure.of(e.__cause__ or e, article.source, e.stage, article.id)
        if progress:
            progress(done, len(articles))


def build_articles(inputs: Iterable[str | Path | Article], progress: Progress | None = None,
                   known: Mapping[str, str] | None = None, run: Analyse = analyse_all,
                   min_confidence: float = 0.0) -> BuildResult:
    """Read inputs and analyse every article; failures are collected, not raised.

    known: the content hash of each article already built, by id; an article
    with the same id and hash is listed in `unchanged` instead of analysed.
    run: analyses the new articles: `analyse_all` here, or one of `kg.run.parallel`'s.
    min_confidence: relations less confident than this are left out of the RDF.
    """
    known = known or {}
    result = BuildResult(min_confidence)
    articles = []
    for item in read_inputs(inputs):
        if isinstance(item, Failure):
            result.failures.append(item)
        elif isinstance(item, Skipped):
            result.skipped.append(item)
        elif known.get(item.id) == item.content_hash:
            result.unchanged.append(item.id)
        else:
            articles.append(item)
            if warning := script_warning(item):
                result.warnings.append(warning)
    if articles:
        if progress:
            progress(0, len(articles))
        for item in run(articles, progress):
            if isinstance(item, Failure):
                result.failures.append(item)
            else:
                result.add(item)
    return result
