"""kg's persistent store: one named graph per article in an embedded pyoxigraph database.

`kg build` adds each newly built article as its own named graph, replacing an
earlier version of the same article, and then writes its output files from the
whole store, so they describe everything built so far. Every article graph holds
the article node with its id and content hash; a later build reads them back to
skip, before any language processing, the articles it already has.

rdflib stays the API for building and serialising: graphs come in and go out as
rdflib Datasets, and pyoxigraph only stores and answers SPARQL.

Safety when interrupted: every change is one pyoxigraph transaction. A changed
article's old graph is removed, then all new graphs are added in one `extend`;
killed in between, the store merely lacks those articles, and the next build,
finding them missing, makes them again. No article is ever half present, so a
stored content hash always stands for a complete graph.

Queries see the union of all graphs as their default graph. pyoxigraph's union
keeps duplicates (an entity's label is in every article that mentions it), so
kg's queries use DISTINCT and COUNT(DISTINCT ...).
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import XSD
from rdflib.term import Node

from kg.graph import bind
from kg.namespaces import PREFIXES

Results = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples

ARTICLE_HASHES = """
SELECT ?g ?id ?hash WHERE {
  GRAPH ?g { ?article a kgo:Article ; dcterms:identifier ?id ; kgo:contentHash ?hash }
}"""


class StoreError(Exception):
    """A store that cannot be opened or read, as a one-line message."""


class Store:
    """kg's graphs in a pyoxigraph store, on disk or in memory."""

    def __init__(self, store: ox.Store, name: str) -> None:
        self.ox = store
        self.name = name  # what error messages call it: the folder or file

    @classmethod
    def open(cls, path: Path, *, read_only: bool = False) -> Store:
        """The store in folder `path`; created if missing unless read_only."""
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
        return cls(store, str(path))

    @classmethod
    def from_file(cls, path: Path) -> Store:
        """An in-memory store holding an RDF file (.ttl, .trig, .nq, .nt, .jsonld, .rdf)."""
        if not path.is_file():
            raise StoreError(f"{path}: no such file")
        fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".")) or (
            ox.RdfFormat.JSON_LD if path.suffix == ".json" else None)
        if fmt is None:
            raise StoreError(f"{path}: unknown RDF file type {path.suffix!r}")
        store = ox.Store()
        try:
            store.bulk_load(path=str(path), format=fmt)
        except (SyntaxError, ValueError, OSError) as e:
            raise StoreError(f"{path}: not a readable RDF file ({first_line(e)})") from e
        return cls(store, str(path))

    def __len__(self) -> int:
        return len(self.ox)

    def article_hashes(self) -> dict[str, str]:
        """The content hash of every stored article, by article id."""
        return {row["id"].value: row["hash"].value for row in self.query(ARTICLE_HASHES)}

    def state(self) -> str:
        """A digest of which article versions the store holds; equal digests, equal content."""
        lines = sorted(f"{i}\t{h}\n" for i, h in self.article_hashes().items())
        return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()

    def put_articles(self, ds: Dataset) -> None:
        """Store each named graph of ds, replacing the stored graph of the same name."""
        graphs = [g for g in ds.graphs() if g.identifier != DATASET_DEFAULT_GRAPH_ID and len(g)]
        for g in graphs:
            name = ox.NamedNode(str(g.identifier))
            if self.ox.contains_named_graph(name):
                self.ox.remove_graph(name)
        self.ox.extend([ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.NamedNode(str(g.identifier)))
                        for g in graphs for s, p, o in g])

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self.ox.named_graphs())

    def dump_graph(self, name: str) -> bytes:
        """One named graph as N-Triples."""
        return self.ox.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(name))

    def dataset(self) -> Dataset:
        """The whole store as an rdflib Dataset, graph by graph."""
        ds = bind(Dataset())
        for q in self.ox.quads_for_pattern(None, None, None, None):
            graph = DATASET_DEFAULT_GRAPH_ID if isinstance(q.graph_name, ox.DefaultGraph) else to_rdflib(q.graph_name)
            ds.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object), graph))
        return ds

    def query(self, sparql: str, bindings: Mapping[str, str] | None = None,
              default_graphs: list[str] | None = None, named_graphs: list[str] | None = None) -> Results:
        """Run a SPARQL query; the default graph is the union of all graphs unless default_graphs names some.

        bindings: values for variables, each bound as a plain string literal
        (never spliced into the query text). kg's prefixes are predeclared.
        Raises SyntaxError for a malformed query.
        """
        options: dict = {"prefixes": {p: str(ns) for p, ns in PREFIXES.items()}}
        if default_graphs:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        else:
            options["use_default_graph_as_union"] = True
        if named_graphs:
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        if bindings:
            options["substitutions"] = {ox.Variable(k): ox.Literal(v) for k, v in bindings.items()}
        try:
            return self.ox.query(sparql, **options)
        except OSError as e:
            raise StoreError(f"{self.name}: cannot read the store ({first_line(e)})") from e


def to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"not an RDF term: {term!r}")


def first_line(e: BaseException) -> str:
    return (str(e).splitlines() or [type(e).__name__])[0][:200]

