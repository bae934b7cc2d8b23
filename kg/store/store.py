"""kg's persistent store: one named graph per article in an embedded pyoxigraph database.

`kg build` adds each newly built article as its own named graph, replacing an
earlier version of the same article, and then writes its output files from the
whole store, so they describe everything built so far. Every article graph holds
the article node with its id and content hash; a later build reads them back to
skip, before any language processing, the articles it already has.

The default graph holds the union of all article graphs, each triple once, and
is what queries see by default. It is kept in step with the article graphs in
the same transaction, so it never counts an entity's label twice (as a union
computed at query time would, for every article that names the entity) and
queries need no deduplication to be fast on large stores.

This is kg's one SPARQL engine (the CLI, the server and the Python API all ask
it) and its one reader of graph files (`Store.from_path`). rdflib stays the API
for building and serialising: graphs come in and go out as rdflib Datasets.

Safety when interrupted: every change is one pyoxigraph transaction. New
articles go in with one `extend`; a changed article is swapped by one SPARQL
update that drops its old graph, adds the new one and removes from the union
the triples no other graph holds; `kg remove` drops articles by one update the
same way. No article is ever half present, so a stored
content hash always stands for a complete graph.
"""
from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox
from rdflib import ConjunctiveGraph, Dataset, Graph
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from kg.rdf.datasets import new_dataset, to_ox, to_rdflib
from kg.rdf.namespaces import PREFIXES, article_graph_iri
from kg.store.limits import Limits, QueryError, check, explain, on_deep_stack

RDF_SUFFIXES = (".ttl", ".trig", ".nq", ".nt", ".jsonld", ".rdf")
Results = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
SPOOL_BATCH = 20_000  # quads per transaction when a long article's graph is stored
# RocksDB keeps what is written in memory tables until they fill (hundreds of MB); flushing them
# to disk every so many quads keeps a build's memory flat (measured: 2,000 short articles stored
# in batches of 64 grew the process by 213 MB flushing every 200,000 quads, 106 MB every 50,000,
# 85 MB every 20,000, where flushing took 4.8 s; 5 long articles: 729 MB without flushing).
FLUSH_EVERY = 50_000
T = TypeVar("T")

ARTICLE_HASHES = """
SELECT ?g ?id ?hash WHERE {
  GRAPH ?g { ?article a kgo:Article ; dcterms:identifier ?id ; kgo:contentHash ?hash }
}"""


class StoreError(Exception):
    """A store or graph file that cannot be opened or read, as a one-line message."""


class Store:
    """kg's graphs in a pyoxigraph store, on disk or in memory."""

    def __init__(self, store: ox.Store, name: str) -> None:
        self.ox = store
        self.name = name  # what error messages call it: the folder or file
        self.loose = False  # whether files loaded may hold triples of the default graph alone (a .ttl)
        self.unflushed = 0  # quads written since the memory tables were last flushed to disk
        self.path: Path | None = None  # the folder or file another process can open for the same graphs
        self.read_only = False

    @classmethod
    def open(cls, path: Path, *, read_only: bool = False) -> Store:
        """The store in folder `path`, created if missing; read_only, a build folder holding one will do."""
        if read_only and not (path / "CURRENT").is_file() and (path / "store" / "CURRENT").is_file():
            path = path / "store"
        if read_only and not (path / "CURRENT").is_file():
            raise StoreError(f"{path}: no kg store here (make one with `kg build ... --out DIR`, it is DIR/store)")
        try:
            if not read_only:
                path.mkdir(parents=True, exist_ok=True)
            store = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
        except OSError as e:
            if "lock" in str(e).lower():
                raise StoreError(f"{path}: store is in use by another kg process") from e
            raise StoreError(f"{path}: cannot open the store ({first_line(e)})") from e
        opened = cls(store, str(path))
        opened.path = path
        opened.read_only = read_only
        return opened

    @classmethod
    def in_memory(cls) -> Store:
        """An empty store in memory (the Python API's outputs pass through one)."""
        return cls(ox.Store(), "memory")

    @classmethod
    def from_path(cls, path: Path) -> Store:
        """The store a path names: a store folder or a build folder holding one (opened read-only),
        or an RDF file (.ttl, .trig, .nq, .nt, .jsonld, .rdf) read into memory."""
        if path.is_dir():
            return cls.open(path, read_only=True)
        store = cls.in_memory()
        store.name = str(path)
        store.load(path)
        store.path = path
        return store

    @classmethod
    def of(cls, graph: Graph) -> Store:
        """An in-memory store holding an rdflib graph: a Dataset's named graphs (with their
        union as the default graph, as in a store folder) or a plain Graph's triples."""
        store = cls.in_memory()
        store.name = "rdflib graph"
        if isinstance(graph, ConjunctiveGraph):
            store.put_articles(graph)
            graph = graph.default_context if not isinstance(graph, Dataset) else graph.default_graph
        store.ox.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.DefaultGraph()) for s, p, o in graph)
        store.loose = True
        return store

    def load(self, path: Path) -> None:
        """Add the graphs of an RDF file, or of a store or build folder, to this store."""
        if path.is_dir():
            self.ox.extend(Store.open(path, read_only=True).ox.quads_for_pattern(None, None, None, None))
            return
        if not path.is_file():
            raise StoreError(f"{path}: no such file")
        suffix = path.suffix.lower()
        fmt = ox.RdfFormat.from_extension(suffix.lstrip(".")) if suffix in RDF_SUFFIXES else None
        if fmt is None:
            hint = " (build articles into a graph with `kg build`)" if suffix in (".txt", ".html", ".htm", ".jsonl") else ""
            raise StoreError(f"{path}: not an RDF file: kg reads graphs from {', '.join(RDF_SUFFIXES)} files{hint}")
        try:
            self.ox.bulk_load(path=str(path), format=fmt)
        except (SyntaxError, ValueError, OSError) as e:
            raise StoreError(f"{path}: not a readable RDF file ({first_line(e)})") from e
        self.ox.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")  # the union, as in a store folder
        self.loose = True

    def triples(self) -> int:
        """How many triples the union of all graphs has."""
        return int(next(iter(self.ox.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value)

    def article_hashes(self) -> dict[str, str]:
        """The content hash of every stored article, by article id."""
        return {row["id"].value: row["hash"].value for row in self.query(ARTICLE_HASHES)}

    def state(self) -> str:
        """A digest of which article versions the store holds; equal digests, equal content."""
        lines = sorted(f"{i}\t{h}\n" for i, h in self.article_hashes().items())
        return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()

    def writable(self) -> None:
        """StoreError unless this store may be changed."""
        if self.read_only:
            raise StoreError(f"{self.name}: the store is open read-only (as kg.open and kg query open it);"
                             " build into it with `kg build` or kg.build(store=Store.open(path))")

    def put_articles(self, ds: Dataset) -> None:
        """Store each named graph of an rdflib Dataset, replacing the stored graph of the same name."""
        by_graph: dict[ox.NamedNode, list[ox.Triple]] = {}
        for g in ds.graphs():
            if g.identifier != DATASET_DEFAULT_GRAPH_ID:
                by_graph[ox.NamedNode(str(g.identifier))] = [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in g]
        self.put_graphs(by_graph.items())

    def put_nquads(self, graphs: Iterable[bytes]) -> None:
        """Store named graphs given as N-Quads (one article each, as `kg.rdf.graph.nquads` writes
        them), replacing stored graphs of the same name.

        New graphs are loaded by pyoxigraph's parser in one transaction, each line
        twice: in its graph and, without the graph, in the union (measured on 2,000
        short articles: 13 s where making the quads in Python took 21 s).
        """
        self.writable()
        new: list[bytes] = []
        for data in graphs:
            if not data:
                continue
            name = ox.NamedNode(data[data.rindex(b"<", 0, data.index(b"\n")) + 1:data.index(b"> .\n")].decode())
            if self.ox.contains_named_graph(name):
                self.put_graphs([(name, [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_QUADS)])])
                continue
            new.append(data)
            new += (line[:line.rindex(b" <")] + b" ." for line in data.splitlines(keepends=False))
            new.append(b"")
        if new:
            payload = b"\n".join(new)
            self.ox.load(payload, format=ox.RdfFormat.N_QUADS)
            self.flushed(payload.count(b"\n"))

    def put_graphs(self, graphs: Iterable[tuple[ox.NamedNode, list[ox.Triple]]]) -> None:
        """Store named graphs, each replacing the stored graph of its name, the union in step: new
        graphs in one transaction, each changed one in one SPARQL update."""
        self.writable()
        new: list[ox.Quad] = []
        for name, triples in graphs:
            if not triples:
                continue
            if self.ox.contains_named_graph(name):
                self.ox.update(self.replacement(name, set(triples)))
            else:
                new += [ox.Quad(t.subject, t.predicate, t.object, graph) for t in dict.fromkeys(triples)
                        for graph in (name, ox.DefaultGraph())]
        self.write(new)

    def write(self, quads: list[ox.Quad]) -> None:
        """Add quads in one transaction, flushing the memory tables now and then (`FLUSH_EVERY`)."""
        self.ox.extend(quads)
        self.flushed(len(quads))

    def flushed(self, written: int) -> None:
        """Count quads written, and flush the memory tables to disk every `FLUSH_EVERY` of them."""
        self.unflushed += written
        if self.unflushed >= FLUSH_EVERY:
            self.ox.flush()
            self.unflushed = 0

    def put_spooled(self, path: Path, stamp: bytes) -> None:
        """Store a long article's named graph from an N-Quads file, read in batches of `SPOOL_BATCH`
        quads so that memory stays bounded however long it is, its content hash (`stamp`, N-Quads)
        last.

        Each batch is a transaction of its own. A build killed before the stamp leaves a
        graph without its hash, which the next build analyses again and replaces.
        """
        self.writable()
        stamp_quads = list(ox.parse(stamp, format=ox.RdfFormat.N_QUADS))
        name = stamp_quads[0].graph_name
        if self.ox.contains_named_graph(name):
            self.ox.update(f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH {name} {{ ?s ?p ?o }}"
                           f" FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {name}) }} }} ;"
                           f" DROP GRAPH {name}")
        batch: list[ox.Quad] = []
        for q in itertools.chain(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS), stamp_quads):
            batch += (q, ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()))
            if len(batch) >= SPOOL_BATCH or q is stamp_quads[0]:
                self.write(batch)
                batch = []
        self.write(batch)

    def replacement(self, name: ox.NamedNode, triples: set[ox.Triple]) -> str:
        """A SPARQL update putting triples in place of graph `name`, and the union in step."""
        old = {q.triple for q in self.ox.quads_for_pattern(None, None, None, name)}
        stale = [t for t in old - triples if not self.elsewhere(t, name)]
        data = " .\n".join(map(str, triples))
        return (f"DELETE DATA {{ {' .'.join(map(str, stale))} }} ;\n"
                f"DROP GRAPH {name} ;\n"
                f"INSERT DATA {{ GRAPH {name} {{ {data} }} }} ;\n"
                f"INSERT DATA {{ {data} }}")

    def remove_articles(self, ids: list[str]) -> None:
        """Drop the graphs of these articles and, from the union, every triple no other article holds
        (an entity only they mention goes, one that others mention stays): one transaction.

        StoreError naming the first id the store does not hold; then nothing is removed.
        """
        self.writable()
        held = self.article_hashes()
        missing = [i for i in ids if i not in held]
        if missing:
            raise StoreError(f"{self.name}: no article {missing[0]!r} in the store (it holds {len(held)} articles)")
        names = {ox.NamedNode(str(article_graph_iri(i))) for i in ids}
        old = {q.triple for name in names for q in self.ox.quads_for_pattern(None, None, None, name)}
        stale = [t for t in old if not self.elsewhere(t, names)]
        drops = "".join(f"DROP GRAPH {name} ;\n" for name in sorted(names, key=str))
        self.ox.update(f"{drops}DELETE DATA {{ {' .'.join(map(str, stale))} }}")

    def elsewhere(self, t: ox.Triple, name: ox.NamedNode | set[ox.NamedNode] | None) -> bool:
        """Whether a named graph other than `name` (or than those of a set) holds t."""
        names = name if isinstance(name, set) else {name}
        return any(isinstance(q.graph_name, ox.NamedNode) and q.graph_name not in names
                   for q in self.ox.quads_for_pattern(t.subject, t.predicate, t.object, None))

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self.ox.named_graphs())

    def dump_graph(self, name: str) -> bytes:
        """One named graph as N-Triples."""
        return self.ox.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(name))

    def dataset(self) -> Dataset:
        """Every named graph of the store in an rdflib Dataset, and the triples of the default graph
        that no named graph holds (as a Turtle file's are) in its default graph."""
        ds = new_dataset()
        for q in self.ox.quads_for_pattern(None, None, None, None):
            s, p, o = to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)
            if not isinstance(q.graph_name, ox.DefaultGraph):
                ds.add((s, p, o, to_rdflib(q.graph_name)))
            elif self.loose and not self.elsewhere(q.triple, None):
                ds.default_graph.add((s, p, o))
        return ds

    def query(self, sparql: str, default_graphs: list[str] | None = None, named_graphs: list[str] | None = None,
              *, read: Callable[[Results], T] | None = None, limits: Limits = Limits()) -> T | Results:
        """Run a SPARQL query; its default graph is the union of all graphs unless default_graphs names some.

        kg's prefixes are predeclared. The query is checked against `limits` first (see
        `kg.store.limits`: length, nesting, SERVICE). With `read`, the query runs and
        `read(results)` reads its results in a thread with a deep stack, and what it
        returns is returned: the way to ask a user's query. Without, the results come
        back to be read in this thread (kg's own queries). Raises QueryError for a
        query over a limit or malformed.
        """
        check(sparql, limits)
        options: dict = {"prefixes": {p: str(ns) for p, ns in PREFIXES.items()}}
        if default_graphs:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        if named_graphs:
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]

        def run() -> T | Results:
            try:
                results = self.ox.query(sparql, **options)
                return results if read is None else read(results)
            except SyntaxError as e:
                raise QueryError(explain(sparql, e)) from e
            except OSError as e:
                raise StoreError(f"{self.name}: cannot read the store ({first_line(e)})") from e

        return run() if read is None else on_deep_stack(run)


def first_line(e: BaseException, limit: int = 200) -> str:
    """An exception's first line, cut at a word end if longer than `limit` characters."""
    line = (str(e).splitlines() or [type(e).__name__])[0]
    if len(line) <= limit:
        return line
    cut = line[:limit].rsplit(" ", 1)[0] if " " in line[:limit] else line[:limit]
    return cut.rstrip(",;: ") + " …"

