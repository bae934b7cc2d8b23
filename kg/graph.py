"""Turn resolved articles into RDF under the kg ontology.

Each article gets a named graph holding what was extracted from it: the entities
it mentions (type, canonical label, the aliases seen in it, `mentionedIn`), the
relations as plain triples, and for each relation an `rdf:Statement` carrying the
evidence sentence, its character offsets in the original text and a confidence.
The union of all named graphs is the whole graph. An entity's `rdfs:label` is its
canonical name, the same in every article, so the union has exactly one.
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from kg.namespaces import KGO, PREFIXES, SCHEMA, article_graph_iri, article_iri, entity_iri, statement_iri

if TYPE_CHECKING:
    from kg.resolve import ArticleGraph


def bind(g: Graph) -> Graph:
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    return g


def to_dataset(articles: Iterable[ArticleGraph]) -> Dataset:
    """One named graph per article."""
    ds = bind(Dataset())
    for ag in articles:
        add_article(ds.graph(article_graph_iri(ag.article.id)), ag)
    return ds


def union(ds: Dataset) -> Graph:
    """All triples of all named graphs in one graph."""
    g = bind(Graph())
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def add_article(g: Graph, ag: ArticleGraph) -> None:
    a = ag.article
    doc = article_iri(a.id)
    g.add((doc, RDF.type, KGO.Article))
    g.add((doc, DCTERMS.identifier, Literal(a.id)))
    g.add((doc, KGO.contentHash, Literal(a.content_hash)))
    g.add((doc, KGO.encoding, Literal(a.encoding)))
    if a.title:
        g.add((doc, DCTERMS.title, Literal(a.title)))
    if a.url:
        g.add((doc, SCHEMA.url, Literal(a.url, datatype=XSD.anyURI)))
    if a.date:
        g.add((doc, DCTERMS.date, Literal(a.date)))

    iris: dict[tuple[str, str], URIRef] = {}
    for key, ent in sorted(ag.entities.items()):
        e = iris[key] = entity_iri(ent.type, ent.name)
        g.add((e, RDF.type, KGO[ent.type]))
        g.add((e, RDFS.label, Literal(ent.name, lang="zh")))
        for alias in sorted(ent.aliases - {ent.name, ""}):
            g.add((e, SKOS.altLabel, Literal(alias, lang="zh")))
        g.add((e, KGO.mentionedIn, doc))

    for f in ag.facts:
        s, o = iris[f.head], iris[f.tail]
        g.add((s, KGO[f.relation], o))
        st = statement_iri(a.id, str(s), f.relation, str(o))
        g.add((st, RDF.type, RDF.Statement))
        g.add((st, RDF.subject, s))
        g.add((st, RDF.predicate, KGO[f.relation]))
        g.add((st, RDF.object, o))
        g.add((st, PROV.wasDerivedFrom, doc))
        g.add((st, KGO.confidence, Literal(Decimal(f"{f.confidence:.2f}"))))
        g.add((st, KGO.sentence, Literal(f.sentence)))
        g.add((st, KGO.startOffset, Literal(f.start)))
        g.add((st, KGO.endOffset, Literal(f.end)))
