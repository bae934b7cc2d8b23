"""kg as a Python library: build a graph from articles, or open an earlier build, then ask it,
draw it, export it or save it.

    import kg
    graph = kg.build(["articles/", "feed.jsonl"], texts=["东江市公安局开展“利剑”专项行动。"], workers=2)
    graph = kg.open("OUT")          # an earlier `kg build --out OUT`, read-only
    graph.query("SELECT ?name WHERE { ?a a kgo:Agency ; rdfs:label ?name }").to_pandas()
    graph.query(name="entity-facts", params={"name": "東江市公安局"})
    graph.search("东江市公安局")     # the entities of that name, in any spelling
    graph.to_networkx()            # entities and relations, for network analysis
    graph.export("graphml", "out/")  # GraphML, GEXF, CSV or Neo4j import files
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

from kg.model import Article, ArticleGraph, Failure, Skipped
from kg.out.files import as_bytes, write_all, write_atomic
from kg.rdf.datasets import to_rdflib
from kg.read.ingest import MAX_FILE_BYTES
from kg.run.builder import Analyse, BuildResult, Progress, Settings, analyse_all, build_articles
from kg.run.progress import ProgressBar
from kg.store.counts import entity_counts, relation_counts
from kg.store.search import Match, ask, find
from kg.store.store import QueryError, Store

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd
    from distributed import Client

Input = str | Path | Article
Texts = Iterable[str] | Mapping[str, str]


def build(inputs: Iterable[Input] | Input = (), *, texts: Texts | None = None, workers: int | None = None,
          dask: bool | str | Client = False, progress: bool | Progress = False, min_confidence: float = 0.0,
          store: Store | None = None, model: str | Path | None = None, keep: bool = True,
          max_bytes: int = MAX_FILE_BYTES, missing: str = "raise") -> KnowledgeGraph:
    """Build the graph of some articles.

    inputs: `.txt`, `.html`, `.jsonl`, `.pdf` and `.docx` files and folders of them,
    as for `kg build` (a `str` or a `Path`), and `kg.model.Article` records.
    texts: article texts, as a list (each one's id is `text-` and the start of its
    SHA-256) or a dict from article id to text. A path that does not exist raises
    FileNotFoundError naming it, so that a mistyped folder is never read as an
    article (missing="record" lists it in `.failures` instead, as `kg build` does).
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
    if missing not in ("raise", "record"):
        raise ValueError(f"missing must be 'raise' or 'record', not {missing!r}")
    items = [inputs] if isinstance(inputs, (str, Path, Article)) else list(inputs)
    run = runner(workers, dask)
    settings = Settings(Path(model) if model else None, min_confidence, keep)
    prepared = [as_input(item, n, missing == "raise") for n, item in enumerate(items, start=1)]
    prepared += text_articles(texts)
    store = store or Store.in_memory()
    store.writable()  # before any article is analysed
    if progress is True:
        with ProgressBar() as bar:
            result = build_articles(prepared, store, bar, run, settings, max_bytes)
    else:
        result = build_articles(prepared, store, progress or None, run, settings, max_bytes)
    return KnowledgeGraph(store, result)


def open_graph(path: str | Path) -> KnowledgeGraph:
    """The graph of an earlier build, read-only: a build folder (`kg build --out`), a store folder
    or a graph file (.ttl, .trig, .nq, .jsonld …), asked through the same pyoxigraph store as `kg query`.

    Exported as `kg.open`. FileNotFoundError when nothing is there; `StoreError` (one line) when it
    holds no store or cannot be read.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"kg.open: {path}: no such file or folder")
    return KnowledgeGraph(Store.from_path(path))


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


def as_input(item: Input, n: int, strict: bool = True) -> Path | Article:
    """A path to read or an article, for an item given to `build` (`n`: its place among them).

    strict: a path that does not exist raises FileNotFoundError (else the build records it).
    """
    if isinstance(item, Article):
        return item
    if not isinstance(item, (str, Path)):
        raise TypeError(f"kg.build: input {n} is a {type(item).__name__}, not a path or an Article")
    if isinstance(item, str) and not item.strip():
        raise ValueError(f"kg.build: input {n} is an empty string")
    path = Path(item)
    if strict and not exists(path):
        hint = (" (it looks like an article's text: pass texts with texts=[...])"
                if isinstance(item, str) and looks_like_text(item) else "")
        shown = str(item) if len(str(item)) <= 80 else str(item)[:80] + "…"
        raise FileNotFoundError(f"kg.build: input {n}, {shown!r}: no such file or folder{hint}")
    return path


def exists(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte
        return False


def looks_like_text(item: str) -> bool:
    """Whether a string given as a path reads like prose rather than a file name."""
    return "\n" in item or len(item) > 255 or any(ch in item for ch in "。，；！？、“”")


def text_articles(texts: Texts | None) -> list[Article]:
    """The articles of the texts given to `build`: by id from a dict, else ids from their SHA-256."""
    if texts is None:
        return []
    if isinstance(texts, str):
        raise TypeError("kg.build: texts= takes a list of texts or a dict from id to text, not one string")
    pairs = list(texts.items()) if isinstance(texts, Mapping) else [(None, t) for t in texts]
    out = []
    for n, (id_, text) in enumerate(pairs, start=1):
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"kg.build: text {n} is {'empty' if isinstance(text, str) else type(text).__name__}")
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        ident = str(id_) if id_ is not None else f"text-{digest[:12]}"
        out.append(Article(id=ident, text=text, source=f"texts[{id_!r}]" if id_ is not None else f"text {n}"))
    return out


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

    @property
    def skipped(self) -> list[Skipped]:
        """Files in input folders that are not articles (named, so that nothing is left out unsaid)."""
        return self._result.skipped

    @property
    def warnings(self) -> list[str]:
        """Articles built that are worth a look (almost no Chinese text), one line each."""
        return self._result.warnings

    def summary(self) -> str:
        """A few lines: articles of this build, then entities per type and relations per kind of the
        whole graph (as `kg build` prints; a relation as `kg.store.counts` defines it)."""
        return self._result.summary(entity_counts(self.store), relation_counts(self.store),
                                    len(self.store.article_hashes()))

    def search(self, name: str) -> list[Match]:
        """The entities with this name in any spelling (label or alias, traditional or simplified,
        short ending): label, type, article count and IRI, as `kg search` lists them."""
        return find(self.store, name)

    def to_rdflib(self) -> Dataset:
        """The graph as an rdflib Dataset: a named graph per article, their union as default graph."""
        if self._dataset is None:
            self._dataset = self.store.dataset()
        return self._dataset

    def to_networkx(self) -> nx.MultiDiGraph:
        """Entities as nodes and relations as keyed edges, every attribute a string or a number
        (see `kg.out.network.to_networkx`), so that `nx.write_graphml` and `nx.write_gexf` take it."""
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
            result = ask(self.store, name, params)
        elif params:
            raise QueryError("params go with name=")
        else:
            return self.store.query(sparql, read=answer)
        return answer(result)

    def export(self, format: str, out: str | Path) -> list[Path]:  # noqa: A002 - the CLI's --format
        """Write the graph for another tool into the folder `out`: "graphml", "gexf" (Gephi, networkx),
        "csv" (pandas, spreadsheets) or "neo4j" (`neo4j-admin database import`); the files written."""
        from kg.out.export import export

        return export(self.store, format, Path(out))

    def view(self, *, focus: str | None = None, hops: int = 1, types: Iterable[str] | None = None,
             height: int = 600) -> NetworkView:
        """The network page (see `kg.out.page.render_network`), shown inline by Jupyter and VS Code."""
        from kg.out.page import render_network

        page, stats = render_network(self.store, focus=focus, hops=hops, types=types)
        return NetworkView(page.decode("utf-8"), stats.nodes, stats.edges, height)

    def outputs(self) -> dict[str, bytes]:
        """The files of a build by name: graph.ttl, graph.trig, graph.jsonld, network.html."""
        from kg.out.export import render

        return {name: as_bytes(write) for name, write in render(self.store).items()}

    def save(self, out: str | Path) -> list[Path]:
        """Write the files of a build into the folder `out`, streamed from the store, each atomically
        (all written before any replaces an old one); their paths."""
        from kg.out.export import render

        files = render(self.store)
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
