"""kg as a Python library: build a graph from articles, then ask it, draw it or save it.

    import kg
    graph = kg.build(["articles/", "feed.jsonl", "东江市公安局开展“利剑”专项行动。"], workers=2)
    graph.query("SELECT ?name WHERE { ?a a kgo:Agency ; rdfs:label ?name }").to_pandas()
    graph.to_networkx()            # entities and relations, for network analysis
    graph.view(focus="东江市公安局")  # the network page, shown inline in Jupyter
    graph.save("out")              # the files `kg build --out out` writes

`kg build` is a thin layer over `build` and `KnowledgeGraph.save`, so both give
the same files for the same input.
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

from rdflib import Dataset, Graph, Literal

from kg.run.builder import Analyse, Build, Progress, analyse_all
from kg.run.builder import build as build_articles
from kg.out.export import write_atomic, write_outputs
from kg.model import Failure
from kg.model import Article
from kg.read.ingest import SUFFIXES
from kg.rdf.namespaces import PREFIXES
from kg.run.progress import ProgressBar

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd
    from distributed import Client

    from kg.model import ArticleGraph

Input = str | Path | Article


def build(inputs: Iterable[Input] | Input, *, workers: int | None = None, dask: bool | str | Client = False,
          progress: bool | Progress = False, min_confidence: float = 0.0,
          known: Mapping[str, str] | None = None) -> KnowledgeGraph:
    """Build the graph of some articles.

    inputs: `.txt` files, folders of them and `.jsonl` files, as for `kg build`;
    `kg.read.ingest.Article` records; or article texts. A `Path` is always a path; a
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
    known: content hashes by article id of articles built before (a store's);
    those articles are skipped and listed in `.unchanged`.
    Inputs and articles that fail are listed in `.failures`; the rest are built.
    """
    items = [inputs] if isinstance(inputs, (str, Path, Article)) else list(inputs)
    run = extractor(workers, dask)
    prepared = [as_input(item, n) for n, item in enumerate(items, start=1)]
    if progress is True:
        with ProgressBar() as bar:
            result = build_articles(prepared, bar, known, run)
    else:
        result = build_articles(prepared, progress or None, known, run)
    return KnowledgeGraph(result, min_confidence)


def extractor(workers: int | None, dask: bool | str | Client) -> Analyse:
    """Where articles are extracted: here, in a local process pool, or on a Dask cluster."""
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    if dask is not False and dask is not None:
        from kg.run.parallel import extract_on_dask

        return partial(extract_on_dask, scheduler=None if dask is True else dask, workers=workers)
    if workers and workers > 1:
        from kg.run.parallel import extract_in_processes

        return partial(extract_in_processes, workers=workers)
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
    """A built graph: the RDF dataset, with one named graph per article, and ways to use it."""

    def __init__(self, result: Build, min_confidence: float = 0.0) -> None:
        self._result = result
        self.min_confidence = min_confidence
        self._dataset: Dataset | None = None

    @property
    def articles(self) -> list[ArticleGraph]:
        """What each article contributed (entities, relations), in input order."""
        return self._result.articles

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
        return self._result.summary()

    def to_rdflib(self) -> Dataset:
        """The rdflib Dataset itself (not a copy): a named graph per article, their union as default graph."""
        if self._dataset is None:
            self._dataset = self._result.dataset(self.min_confidence)
        return self._dataset

    def to_networkx(self) -> nx.MultiDiGraph:
        """Entities as nodes and relations as keyed edges (see `kg.out.view.to_networkx`)."""
        from kg.out.view import to_networkx

        return to_networkx(self.to_rdflib())

    def query(self, sparql: str) -> Rows | bool | Graph:
        """Ask the whole graph in SPARQL; kg's prefixes (kgo:, kgr:, rdfs:, skos: …) need no PREFIX line.

        SELECT gives `Rows`, ASK a bool, CONSTRUCT and DESCRIBE an rdflib Graph.
        A query that does not parse raises `QueryError`.
        """
        try:
            result = self.to_rdflib().query(sparql, initNs=PREFIXES)
        except Exception as e:  # noqa: BLE001 - rdflib raises pyparsing's and its own errors
            raise QueryError(f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}") from e
        if result.type == "ASK":
            return bool(result.askAnswer)
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            return result.graph
        columns = tuple(str(v) for v in result.vars or ())
        return Rows(columns, tuple({c: python(row[c]) for c in columns} for row in result))

    def view(self, *, focus: str | None = None, hops: int = 1, types: Iterable[str] | None = None,
             height: int = 600) -> NetworkView:
        """The network page (see `kg.out.view.render_network`), shown inline by Jupyter and VS Code."""
        from kg.out.view import render_network

        page, stats = render_network(self.to_rdflib(), focus=focus, hops=hops, types=types)
        return NetworkView(page.decode("utf-8"), stats.nodes, stats.edges, height)

    def outputs(self) -> dict[str, bytes]:
        """The files of a build by name: graph.ttl, graph.trig, graph.jsonld, network.html.

        They go through an in-memory store, as `kg build`'s go through its store, so
        both write the same bytes.
        """
        from kg.out.outputs import render
        from kg.store.store import Store

        store = Store.in_memory()
        store.put_articles(self.to_rdflib())
        return render(store)

    def save(self, out: str | Path) -> list[Path]:
        """Write the files of `outputs` into the folder `out`, each atomically; their paths."""
        files = self.outputs()  # everything is rendered before the first file is replaced
        write_outputs(Path(out), files)
        return [Path(out) / name for name in sorted(files)]

    def __repr__(self) -> str:
        return (f"<KnowledgeGraph: {len(self.articles)} articles, {len(self.to_rdflib())} triples,"
                f" {len(self.errors)} errors>")


class QueryError(ValueError):
    """A SPARQL query that could not be run, in one line."""


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


def python(term: object) -> Any:
    """A SPARQL result term as a Python value (see `Rows`)."""
    if isinstance(term, Literal):
        value = term.toPython()
        if isinstance(value, Decimal):
            return float(value)
        return str(value) if isinstance(value, Literal) else value  # a datatype Python has no type for
    return None if term is None else str(term)


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
