"""Run the whole job: inputs → articles → entities and relations → RDF → the store, streaming.

`build_articles` reads the inputs twice: once to count the articles to build and
to skip, before any language processing, those the store already has (same id
and content hash, see `kg.store`), then again to feed them, one at a time, to
the analysis (here, or in worker processes: `kg.run.parallel`). Each article
comes back as its named graph in N-Quads (`kg.model.Built`), which goes into the
store in batches of `WRITE_BATCH`, one transaction each, and is forgotten: no
list of all articles, graphs or the whole dataset is ever held, so memory stays
flat however many articles there are. One bad article costs only itself:
whatever fails (reading, normalize, nlp, resolve, rdf) becomes a `Failure` and
the rest are built. The spaCy pipeline is only loaded when there is something to
analyse. The CLI and the Python API both go through here.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from kg.model import Article, ArticleGraph, Built, Failure, Skipped, StageError
from kg.read.ingest import MAX_FILE_BYTES, read_inputs, script_warning
from kg.store.store import Store

WRITE_BATCH = 64  # articles per store transaction
Progress = Callable[[int, int], None]  # called with (articles done, articles in all)


@dataclass(frozen=True)
class Settings:
    """How articles are analysed, wherever that happens."""

    model: Path | None = None  # a folder of trained models (None: the shipped ones)
    min_confidence: float = 0.0  # relations less confident than this are left out of the RDF
    keep: bool = False  # hand back each ArticleGraph too (the Python API keeps them)
    spool: Path | None = None  # where long articles' graphs are written (a folder this machine's store reads)


Analyse = Callable[[Iterable[Article], int, "Progress | None", Settings], Iterator["Built | Failure"]]


@dataclass
class BuildResult:
    """What a build did: how many articles it built (and their graphs, when kept), what failed, what it skipped."""

    built: int = 0
    articles: list[ArticleGraph] = field(default_factory=list)  # only with Settings.keep
    failures: list[Failure] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # ids of articles skipped as already built
    skipped: list[Skipped] = field(default_factory=list)  # files in input folders that are not articles
    warnings: list[str] = field(default_factory=list)  # articles built but worth a look (almost no Chinese)

    def summary(self, entities: Mapping[str, int], relations: Mapping[str, int], stored: int) -> str:
        """A few lines: articles built, failed, unchanged and files skipped in this build, and how many
        the graph holds (`stored`), then the entities per type and relations per kind of the whole
        graph (`kg.store.counts`)."""
        fmt = lambda c: ", ".join(f"{k} {v}" for k, v in sorted(c.items(), key=lambda kv: (-kv[1], kv[0])) if v) or "none"  # noqa: E731
        line = f"articles: {self.built} built, {len(self.failures)} failed, {len(self.unchanged)} unchanged"
        if self.skipped:
            line += f", {len(self.skipped)} file{'s' if len(self.skipped) > 1 else ''} skipped"
        line += f" ({stored} in the graph)"
        return "\n".join([line, f"entities: {sum(entities.values())} ({fmt(entities)})",
                          f"relations: {sum(relations.values())} ({fmt(relations)})"])


def analyse_all(articles: Iterable[Article], total: int, progress: Progress | None = None,
                settings: Settings = Settings()) -> Iterator[Built | Failure]:
    """Each article built, or the failure that cost it, in input order, in this process."""
    from kg.run.analyse import Analyser, write  # loads spaCy, which only new articles need

    analyse = Analyser(model=settings.model)
    for done, article in enumerate(articles, 1):
        try:
            yield write(analyse, article, settings.min_confidence, settings.keep, settings.spool)
        except StageError as e:
            yield Failure.of(e.__cause__ or e, article.source, e.stage, article.id)
        if progress:
            progress(done, total)


def build_articles(inputs: Iterable[str | Path | Article], store: Store, progress: Progress | None = None,
                   run: Analyse = analyse_all, settings: Settings = Settings(),
                   max_bytes: int = MAX_FILE_BYTES) -> BuildResult:
    """Read inputs, analyse every article the store lacks and put it in the store; failures are
    collected, not raised. `run` analyses: `analyse_all` here, or one of `kg.run.parallel`'s.
    max_bytes: the most read from one input file or JSON line (a larger one fails)."""
    inputs = list(inputs)
    result = BuildResult()
    todo = plan(inputs, store.article_hashes(), result, max_bytes)
    if not todo:
        return result
    if progress:
        progress(0, len(todo))
    pending: list[bytes] = []
    articles = (a for a in read_inputs(inputs, max_bytes) if isinstance(a, Article) and todo.get(a.id) == a.content_hash)
    with tempfile.TemporaryDirectory(prefix="kg-spool-") as spool:
        for item in run(articles, len(todo), progress, replace(settings, spool=Path(spool))):
            if isinstance(item, Failure):
                result.failures.append(item)
                continue
            result.built += 1
            if item.graph is not None:
                result.articles.append(item.graph)
            if item.spool:
                store.put_nquads(pending)
                pending = []
                store.put_spooled(Path(item.spool), item.stamp)
                Path(item.spool).unlink()
            else:
                pending.append(item.nquads)
            if len(pending) >= WRITE_BATCH:
                store.put_nquads(pending)
                pending = []
        store.put_nquads(pending)
    return result


def plan(inputs: list[str | Path | Article], known: Mapping[str, str], result: BuildResult,
         max_bytes: int = MAX_FILE_BYTES) -> dict[str, str]:
    """The first reading: the content hash of each article to build, by id; the inputs that fail
    and the articles already built (same id and hash in `known`) go into `result`."""
    todo: dict[str, str] = {}
    for item in read_inputs(inputs, max_bytes):
        if isinstance(item, Failure):
            result.failures.append(item)
        elif isinstance(item, Skipped):
            result.skipped.append(item)
        elif known.get(item.id) == item.content_hash:
            result.unchanged.append(item.id)
        else:
            todo[item.id] = item.content_hash
            if warning := script_warning(item):
                result.warnings.append(warning)
    return todo

