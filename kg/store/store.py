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
import re
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import XSD
from rdflib.term import Node

from kg.rdf.graph import new_dataset
from kg.rdf.namespaces import PREFIXES, article_graph_iri

RDF_SUFFIXES = (".ttl", ".trig", ".nq", ".nt", ".jsonld", ".rdf")
Results = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
Term = ox.NamedNode | ox.BlankNode | ox.Literal

ARTICLE_HASHES = """
SELECT ?g ?id ?hash WHERE {
  GRAPH ?g { ?article a kgo:Article ; dcterms:identifier ?id ; kgo:contentHash ?hash }
}"""


class StoreError(Exception):
    """A store or graph file that cannot be opened or read, as a one-line message."""


class QueryError(ValueError):
    """A SPARQL query that cannot be run (malformed, or a named question asked wrongly), in one line."""


class Store:
    """kg's graphs in a pyoxigraph store, on disk or in memory."""

    def __init__(self, store: ox.Store, name: str) -> None:
        self.ox = store
        self.name = name  # what error messages call it: the folder or file
        self.loose = False  # whether files loaded may hold triples of the default graph alone (a .ttl)
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
        """Store each named graph of ds, replacing the stored graph of the same name."""
        self.writable()
        new: list[ox.Quad] = []
        for g in ds.graphs():
            if g.identifier == DATASET_DEFAULT_GRAPH_ID or not len(g):
                continue
            name = ox.NamedNode(str(g.identifier))
            triples = {ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in g}
            if self.ox.contains_named_graph(name):
                self.ox.update(self.replacement(name, triples))
            else:
                new += [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples
                        for graph in (name, ox.DefaultGraph())]
        self.ox.extend(new)

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

    def query(self, sparql: str, default_graphs: list[str] | None = None,
              named_graphs: list[str] | None = None) -> Results:
        """Run a SPARQL query; its default graph is the union of all graphs unless default_graphs names some.

        kg's prefixes are predeclared. Raises QueryError for a malformed query.
        """
        options: dict = {"prefixes": {p: str(ns) for p, ns in PREFIXES.items()}}
        if default_graphs:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        if named_graphs:
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        try:
            return self.ox.query(sparql, **options)
        except SyntaxError as e:
            raise QueryError(explain(sparql, e)) from e
        except OSError as e:
            raise StoreError(f"{self.name}: cannot read the store ({first_line(e)})") from e


UPDATE = re.compile(r"(?i)(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b")
PROLOGUE = re.compile(r"(?i)\s*(?:BASE\s*<[^>]*>|PREFIX\s*[^\s:]*:\s*<[^>]*>)")
NOISE = re.compile(r"""<[^<>"{}|^`\\\s]*>|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|#[^\n]*""")
PNAME = re.compile(r"(?<![\w?$@.:-])([A-Za-z][\w.-]*)?:(?=[\w%]|\s|$)")


def explain(sparql: str, error: SyntaxError) -> str:
    """One plain sentence for a query pyoxigraph cannot parse: an update, an undeclared prefix,
    or the parser's first line."""
    body = re.sub(r"#[^\n]*", "", sparql)
    while m := PROLOGUE.match(body):
        body = body[m.end():]
    word = UPDATE.match(body.lstrip())
    if word:
        return (f"{word[1].upper()} is a SPARQL update, and queries here are read-only: kg changes a store"
                " only by `kg build` and `kg remove`")
    declared = set(PREFIXES) | {m[1] for m in re.finditer(r"(?i)PREFIX\s*([^\s:]*):", sparql)}
    unknown = [m[1] or "" for m in PNAME.finditer(NOISE.sub(" ", sparql)) if (m[1] or "") not in declared]
    if unknown:
        return (f"unknown prefix {unknown[0]}: in the query; declare it (PREFIX {unknown[0]}: <…>)"
                f" or use one kg declares: {', '.join(p + ':' for p in PREFIXES)}")
    return f"not a valid SPARQL query: {first_line(error)}"


def to_ox(term: Node) -> Term:
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


def to_rdflib(term: Term) -> Node:
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


def first_line(e: BaseException, limit: int = 200) -> str:
    """An exception's first line, cut at a word end if longer than `limit` characters."""
    line = (str(e).splitlines() or [type(e).__name__])[0]
    if len(line) <= limit:
        return line
    cut = line[:limit].rsplit(" ", 1)[0] if " " in line[:limit] else line[:limit]
    return cut.rstrip(",;: ") + " …"

