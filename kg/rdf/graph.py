"""Turn resolved articles into RDF under the kg ontology.

Each article gets a named graph holding what was extracted from it: the entities
it mentions (type, canonical label, the aliases seen in it, `mentionedIn`), the
relations as plain triples, and for each relation an `rdf:Statement` carrying the
evidence sentence, its character offsets in the original text and a confidence.
The union of all named graphs is the whole graph. An entity's `rdfs:label` is its
canonical name, the same in every article, so the union has exactly one; each of
its names also comes as `kgo:searchKey` (`kg.reference.names`), the form the named
questions look names up in. A symmetric relation is written from the smaller IRI
to the larger, so the union holds it once per pair. Bodies
and places the resolver found in the reference tables also get an English
`skos:prefLabel` and `owl:sameAs` their Wikidata item.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

import rdflib
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from kg.rdf.namespaces import KGO, PREFIXES, SCHEMA, WIKIDATA, article_graph_iri, article_iri, entity_iri, statement_iri
from kg.model import ArticleGraph
from kg.reference.names import name_keys
from kg.vocab import VOCAB

# Control characters (tab and line breaks aside) carry nothing in a label and break XML-based
# tools; lone surrogates and the non-characters U+FFFE/U+FFFF cannot be written as UTF-8 at all.
NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
NOT_UNICODE = re.compile(r"[\ud800-\udfff\ufffe\uffff]")
# An absolute IRI as Turtle, N-Triples and JSON-LD accept it (RFC 3987 minus what IRIREF excludes).
IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\\x7f-\x9f\ud800-\udfff]*")


def bind(g: Graph) -> Graph:
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, replace=True)  # else rdflib keeps its own schema: (https) and ours becomes schema1:
    return g


def text(s: str, lang: str | None = None) -> Literal:
    """A string literal that every RDF syntax can write and read back: control characters
    dropped, characters that are not Unicode text replaced by U+FFFD."""
    return Literal(NOT_UNICODE.sub("\ufffd", NOT_TEXT.sub("", s)), lang=lang)


def check(g: Graph) -> None:
    """ValueError naming the first term of g that would not survive serialisation."""
    for triple in g:
        for term in triple:
            if isinstance(term, URIRef) and not IRI.fullmatch(term):
                raise ValueError(f"invalid IRI {str(term)[:200]!r}")
            if isinstance(term, Literal) and (NOT_UNICODE.search(term) or NOT_TEXT.search(term)):
                raise ValueError(f"invalid literal {str(term)[:200]!r}")


def new_dataset() -> Dataset:
    """An empty Dataset with kg's prefixes, whose default graph reads as the union of its named graphs."""
    return bind(Dataset(default_union=True))


def to_dataset(articles: Iterable[ArticleGraph], min_confidence: float = 0.0) -> Dataset:
    """One named graph per article; the default graph reads as their union.

    Relations less confident than `min_confidence` are left out.
    """
    ds = new_dataset()
    for ag in articles:
        add_article(ds.graph(article_graph_iri(ag.article.id)), ag, min_confidence)
    return ds


def union(graph: Graph) -> Graph:
    """All triples of all named graphs of a Dataset in one graph; a plain Graph as it is."""
    if not isinstance(graph, rdflib.ConjunctiveGraph):  # rdflib.Dataset is a subclass
        return graph
    g = bind(Graph())
    for s, p, o, _ in graph.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def add_article(g: Graph, ag: ArticleGraph, min_confidence: float = 0.0) -> None:
    a = ag.article
    doc = article_iri(a.id)
    g.add((doc, RDF.type, KGO.Article))
    g.add((doc, DCTERMS.identifier, text(a.id)))
    g.add((doc, KGO.contentHash, Literal(a.content_hash)))
    g.add((doc, KGO.encoding, Literal(a.encoding)))
    if a.title:
        g.add((doc, DCTERMS.title, text(a.title)))
    if a.url:
        g.add((doc, SCHEMA.url, Literal(text(a.url), datatype=XSD.anyURI)))
    if a.date:
        g.add((doc, DCTERMS.date, text(a.date)))

    iris: dict[tuple[str, str], URIRef] = {}
    for key, ent in sorted(ag.entities.items()):
        e = iris[key] = entity_iri(ent.type, ent.name)
        g.add((e, RDF.type, KGO[ent.type]))
        g.add((e, RDFS.label, text(ent.name, lang="zh")))
        for alias in sorted(ent.aliases - {ent.name, ""}):
            g.add((e, SKOS.altLabel, text(alias, lang="zh")))
        g.add((e, KGO.mentionedIn, doc))
        if ent.en:
            g.add((e, SKOS.prefLabel, Literal(ent.en, lang="en")))
        for name in {ent.name, ent.en, *ent.aliases} - {""}:
            for key in name_keys(str(text(name))):
                g.add((e, KGO.searchKey, Literal(key)))
        if ent.wikidata:
            g.add((e, OWL.sameAs, WIKIDATA[ent.wikidata]))

    for f in ag.facts:
        if f.confidence < min_confidence:
            continue
        # a symmetric relation in one direction (smaller IRI first), so that the union holds it
        # once per pair however each article words it: one relation, as the summary and page count
        s, _, o = VOCAB.ordered(iris[f.head], f.relation, iris[f.tail])
        g.add((s, KGO[f.relation], o))
        st = statement_iri(a.id, str(s), f.relation, str(o))
        g.add((st, RDF.type, RDF.Statement))
        g.add((st, RDF.subject, s))
        g.add((st, RDF.predicate, KGO[f.relation]))
        g.add((st, RDF.object, o))
        g.add((st, PROV.wasDerivedFrom, doc))
        g.add((st, KGO.confidence, Literal(Decimal(f"{f.confidence:.2f}"))))
        g.add((st, KGO.sentence, text(f.sentence)))
        g.add((st, KGO.startOffset, Literal(f.start)))
        g.add((st, KGO.endOffset, Literal(f.end)))
