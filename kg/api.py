"""kg as a Python library: build a graph from articles, then ask it, draw it or save it.

    import kg
    graph = kg.build(["articles/", "feed.jsonl", "东江市公安局开展“利剑”专项行动。"], workers=2)
    graph.query("SELECT ?name WHERE { ?a a kgo:Agency ; rdfs:label ?name }").to_pandas()
    graph.query(name="entity-facts", params={"name": "东江市公安局"})
    graph.to_networkx()            # entities and relations, for network analysis
    graph.view(focus="东江市公安局")  # the network page, shown inline in Jupyter
    graph.save("out")              # the files `kg build --out out` writes

A `KnowledgeGraph` holds its articles in a pyoxigraph store (`kg.store`), the
same engine `kg query` and `kg serve` ask, so a query gives the same rows and
the same errors everywhere. `kg build` is a thin layer over `build` and the same
store, so both give the same files for the same input.
"""
from __future__ import annotations

import hashlib
import html
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal

from kg.model import Article, ArticleGraph, Failure
from kg.out.files import write_all, write_atomic
from kg.read.ingest import MAX_FILE_BYTES, SUFFIXES
from kg.run.builder import Analyse, BuildResult, Progress, Settings, analyse_all, build_articles
from kg.run.progress import ProgressBar
from kg.store.queries import named_query
from kg.rdf.datasets import to_rdflib
from kg.store.store import QueryError, Store

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd
    from distributed import Client

Input = str | Path | Article


def build(inputs: Iterable[Input] | Input, *, workers: int | None = None, dask: bool | str | Client = False,
          progress: bool | Progress = False, min_confidence: float = 0.0,
          store: Store | None = None, model: str | Path | None = None, keep: bool = True,
          max_bytes: int = MAX_FILE_BYTES) -> KnowledgeGraph:
    """Build the graph of some articles.

    inputs: `.txt` files, folders of them and `.jsonl` files, as for `kg build`;
    `kg.model.Article` records; or article texts. A `Path` is always a path; a
    `str` is a path when it names an existing file or folder or is one line
    ending in `.txt` or `.jsonl`, and otherwise the text of an article whose id
    is `text-` and the start of its SHA-256.
    workers: processes extracting articles (default 1, this one).
    dask: True to run on a local Dask cluster of `workers` processes (Dask's
    default number when None), or a running scheduler's address or a
    `distributed.Client` to run on that cluster.
    progress: True for a progress bar on stderr, or a callable taking
    (articles done, articles in all).
    min_confidence: leave out relations less confident than this.
    model: a folder of trained models (`kg train --out`) to use instead of the shipped ones.
    store: the store to build into (default: a new one in memory); the articles
    it holds already, with the same content, are skipped and listed in `.unchanged`.
    max_bytes: the most read from one input file or JSON line (64 MiB by default).
    keep: keep what each article contributed (`.articles`); `kg build` does not, so
    that its memory stays flat.
    Inputs and articles that fail are listed in `.failures`; the rest are built.
    """
    items = [inputs] if isinstance(inputs, (str, Path, Article)) else list(inputs)
    run = runner(workers, dask)
    settings = Settings(Path(model) if model else None, min_confidence, keep)
    prepared = [as_input(item, n) for n, item in enumerate(items, start=1)]
    store = store or Store.in_memory()
    if progress is True:
        with ProgressBar() as bar:
            result = build_articles(prepared, store, bar, run, settings, max_bytes)
    else:
        result = build_articles(prepared, store, progress or None, run, settings, max_bytes)
    return KnowledgeGraph(store, result)


def runner(workers: int | None, dask: bool | str | Client) -> Analyse:
    """Where articles are analysed: here, in a local process pool, or on a Dask cluster."""
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    if dask is not False and dask is not None:
        from kg.run.parallel import analyse_on_dask

        return partial(analyse_on_dask, scheduler=None if dask is True else dask, workers=workers)
    if workers and workers > 1:
        from kg.run.parallel import analyse_in_processes

        return partial(analyse_in_processes, workers=workers)
    return analyse_all


def as_input(item: Input, n: int) -> Path | Article:
    """A path to read or an article, for an item given to `build` (`n`: its place among them)."""
    if isinstance(item, (Path, Article)):
        return item
    if not isinstance(item, str):
        raise TypeError(f"kg.build: input {n} is a {type(item).__name__}, not a path, a text or an Article")
    if not item.strip():
        raise ValueError(f"kg.build: input {n} is an empty string")
    if looks_like_path(item):
        return Path(item)
    digest = hashlib.sha256(item.encode("utf-8")).hexdigest()
    return Article(id=f"text-{digest[:12]}", text=item, source=f"text {n}")


def looks_like_path(text: str) -> bool:
    if "\n" in text or len(text) > 4096:
        return False
    try:
        return Path(text).exists() or text.endswith(SUFFIXES)
    except OSError:  # e.g. a name too long for the file system
        return False


class KnowledgeGraph:
    """A built graph in a store (one named graph per article), and ways to ask, draw and save it."""

    def __init__(self, store: Store, result: BuildResult | None = None) -> None:
        self.store = store
        self._result = result or BuildResult()
        self._dataset: Dataset | None = None

    @property
    def articles(self) -> list[ArticleGraph]:
        """What each article of the build contributed (entities, relations), in input order
        (empty when built with keep=False)."""
        return self._result.articles

    @property
    def built(self) -> int:
        """How many articles this build analysed and stored."""
        return self._result.built

    @property
    def failures(self) -> list[Failure]:
        """Each input or article that could not be built: source, id, stage and reason."""
        return self._result.failures

    @property
    def errors(self) -> list[str]:
        """The failures as one-line messages."""
        return [str(f) for f in self._result.failures]

    @property
    def unchanged(self) -> list[str]:
        """Ids of articles skipped because `known` held them with the same content."""
        return self._result.unchanged

    def summary(self) -> str:
        """A few lines: articles, entities per type, relations per kind (as `kg build` prints)."""
        return self._result.summary(self.store)

    def to_rdflib(self) -> Dataset:
        """The graph as an rdflib Dataset: a named graph per article, their union as default graph."""
        if self._dataset is None:
            self._dataset = self.store.dataset()
        return self._dataset

    def to_networkx(self) -> nx.MultiDiGraph:
        """Entities as nodes and relations as keyed edges (see `kg.out.network.to_networkx`)."""
        from kg.out.network import to_networkx

        return to_networkx(self.store)

    def query(self, sparql: str | None = None, *, name: str | None = None,
              params: Mapping[str, str] | None = None) -> Rows | bool | Graph:
        """Ask the whole graph in SPARQL, or ask a named question (`kg query --list`) with its parameters.

        kg's prefixes (kgo:, kgr:, rdfs:, skos: …) need no PREFIX line. SELECT
        gives `Rows`, ASK a bool, CONSTRUCT and DESCRIBE an rdflib Graph. A query
        that does not parse or is over a limit of `kg.store.limits` (length, nesting,
        SERVICE), or a named question asked wrongly, raises `QueryError` with the
        message `kg query` prints.
        """
        if (sparql is None) == (name is None):
            raise QueryError("give a query text or name=, not both or neither")
        if name is not None:
            sparql = named_query(name).bound(params or {})
        elif params:
            raise QueryError("params go with name=")
        return self.store.query(sparql, read=answer)

    def view(self, *, focus: str | None = None, hops: int = 1, types: Iterable[str] | None = None,
             height: int = 600) -> NetworkView:
        """The network page (see `kg.out.page.render_network`), shown inline by Jupyter and VS Code."""
        from kg.out.page import render_network

        page, stats = render_network(self.store, focus=focus, hops=hops, types=types)
        return NetworkView(page.decode("utf-8"), stats.nodes, stats.edges, height)

    def outputs(self) -> dict[str, bytes]:
        """The files of a build by name: graph.ttl, graph.trig, graph.jsonld, network.html."""
        from kg.out.export import render

        return render(self.store)

    def save(self, out: str | Path) -> list[Path]:
        """Write the files of `outputs` into the folder `out`, each atomically; their paths."""
        files = self.outputs()  # everything is rendered before the first file is replaced
        write_all(Path(out), files)
        return [Path(out) / name for name in sorted(files)]

    def __repr__(self) -> str:
        return (f"<KnowledgeGraph: {self.built} articles, {self.store.triples()} triples,"
                f" {len(self.errors)} errors>")


@dataclass(frozen=True)
class Rows(Sequence[dict[str, Any]]):
    """The rows of a SELECT, as dicts from variable name to a Python value.

    Literals become their Python value (str, int, float, date …; decimals become
    float), IRIs and blank nodes their text, unbound variables None.
    """

    columns: tuple[str, ...]
    rows: tuple[dict[str, Any], ...]

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i):  # noqa: ANN001, ANN204 - Sequence's int-or-slice signature
        return self.rows[i]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def to_pandas(self) -> pd.DataFrame:
        """A DataFrame with one column per variable (pandas is needed for this only)."""
        import pandas as pd

        return pd.DataFrame(list(self.rows), columns=list(self.columns))


def answer(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> Rows | bool | Graph:
    """A query's results as `KnowledgeGraph.query` gives them."""
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QueryTriples):
        g = Graph()
        for t in result:
            g.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
        return g
    columns = tuple(v.value for v in result.variables)
    return Rows(columns, tuple({c: python(row[c]) for c in columns} for row in result))


def python(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Any:
    """A SPARQL result term as a Python value (see `Rows`)."""
    if term is None:
        return None
    term = to_rdflib(term)
    if isinstance(term, Literal):
        value = term.toPython()
        if isinstance(value, Decimal):
            return float(value)
        return str(value) if isinstance(value, Literal) else value  # a datatype Python has no type for
    return str(term)


@dataclass(frozen=True)
class NetworkView:
    """A self-contained network page; Jupyter and VS Code show it inline, in an iframe."""

    html: str
    nodes: int
    edges: int
    height: int = 600

    def _repr_html_(self) -> str:
        # srcdoc keeps the page whole (its own scripts and styles) and apart from the notebook's
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" sandbox="allow-scripts"'
                f' style="width:100%;height:{self.height}px;border:1px solid #ddd"></iframe>')

    def save(self, path: str | Path) -> Path:
        write_atomic(Path(path), self.html.encode("utf-8"))
        return Path(path)
