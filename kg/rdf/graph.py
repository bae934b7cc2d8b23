"""Turn resolved articles into RDF under the kg ontology, as pyoxigraph quads.

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

Terms are pyoxigraph's, which refuse an invalid IRI when they are made, so an
article whose RDF could not be written fails here, in the "rdf" stage, alone.
Literals lose control characters and get U+FFFD for what is not Unicode text, so
that every RDF syntax can write and read them back. `nquads` gives an article's
graph as bytes, which is how worker processes hand it back.
"""
from __future__ import annotations

import re

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from kg.model import Article, ArticleGraph, Fact
from kg.rdf.namespaces import KGO, SCHEMA, WIKIDATA, article_graph_iri, article_iri, entity_iri, statement_iri
from kg.reference.names import name_keys
from kg.vocab import VOCAB

# Control characters (tab and line breaks aside) carry nothing in a label and break XML-based
# tools; lone surrogates and the non-characters U+FFFE/U+FFFF cannot be written as UTF-8 at all.
NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
NOT_UNICODE = re.compile(r"[\ud800-\udfff\ufffe\uffff]")


def iri(term: object) -> ox.NamedNode:
    """A term's IRI as pyoxigraph's, or a ValueError naming it when it is not a valid IRI."""
    try:
        return ox.NamedNode(str(term))
    except ValueError as e:
        raise ValueError(f"invalid IRI {str(term)[:200]!r} ({e})") from None


def text(s: str, lang: str | None = None) -> ox.Literal:
    """A string literal that every RDF syntax can write and read back."""
    return ox.Literal(NOT_UNICODE.sub("\ufffd", NOT_TEXT.sub("", s)), language=lang)


def integer(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=iri(XSD.integer))


def decimal(x: float) -> ox.Literal:
    """x to two places as a canonical xsd:decimal (0.7, 0.05, 1.0)."""
    digits = f"{x:.2f}".rstrip("0")
    return ox.Literal(digits + "0" if digits.endswith(".") else digits, datatype=iri(XSD.decimal))


class ArticleWriter:
    """One article's named graph written piece by piece: each piece's entities as it comes (their
    triples union into the same nodes), the relations at the end, one per (head, relation, tail)
    with its most confident evidence (as `kg.resolve.resolver.dedupe` keeps them), so that a long
    article is never held whole. Relations less confident than `min_confidence` are left out."""

    def __init__(self, article: Article, min_confidence: float = 0.0) -> None:
        self.article, self.min_confidence = article, min_confidence
        self.doc = iri(article_iri(article.id))
        self.facts: dict[tuple, Fact] = {}
        self.nodes: dict[tuple[str, str], ox.NamedNode] = {}

    def header(self) -> list[ox.Triple]:
        """The article node, but for its content hash (`stamp`)."""
        a, doc = self.article, self.doc
        out = [ox.Triple(doc, iri(RDF.type), iri(KGO.Article)), ox.Triple(doc, iri(DCTERMS.identifier), text(a.id)),
               ox.Triple(doc, iri(KGO.encoding), ox.Literal(a.encoding))]
        if a.title:
            out.append(ox.Triple(doc, iri(DCTERMS.title), text(a.title)))
        if a.url:
            out.append(ox.Triple(doc, iri(SCHEMA.url), ox.Literal(text(a.url).value, datatype=iri(XSD.anyURI))))
        if a.date:
            out.append(ox.Triple(doc, iri(DCTERMS.date), text(a.date)))
        return out

    def stamp(self) -> ox.Triple:
        """The article's content hash: the triple that says the article is in the store whole."""
        return ox.Triple(self.doc, iri(KGO.contentHash), ox.Literal(self.article.content_hash))

    def piece(self, ag: ArticleGraph) -> list[ox.Triple]:
        """The triples of a piece's entities; its facts are kept for `relations`."""
        out = []
        for key, ent in sorted(ag.entities.items()):
            e = self.nodes.setdefault(key, iri(entity_iri(ent.type, ent.name)))
            out += [ox.Triple(e, iri(RDF.type), iri(KGO[ent.type])), ox.Triple(e, iri(RDFS.label), text(ent.name, "zh"))]
            out += [ox.Triple(e, iri(SKOS.altLabel), text(alias, "zh")) for alias in sorted(ent.aliases - {ent.name, ""})]
            out.append(ox.Triple(e, iri(KGO.mentionedIn), self.doc))
            if ent.en:
                out.append(ox.Triple(e, iri(SKOS.prefLabel), ox.Literal(ent.en, language="en")))
            out += [ox.Triple(e, iri(KGO.searchKey), ox.Literal(key))
                    for name in sorted({ent.name, ent.en, *ent.aliases} - {""}) for key in name_keys(text(name).value)]
            if ent.wikidata:
                out.append(ox.Triple(e, iri(OWL.sameAs), iri(WIKIDATA[ent.wikidata])))
        for f in ag.facts:
            key = VOCAB.ordered(f.head, f.relation, f.tail)
            if f.confidence >= self.min_confidence and (key not in self.facts or f.confidence > self.facts[key].confidence):
                self.facts[key] = f
        return out

    def relations(self) -> list[ox.Triple]:
        """The relations of all pieces, each with its statement of evidence."""
        out = []
        for f in sorted(self.facts.values(), key=lambda f: (f.head, f.relation, f.tail)):
            # a symmetric relation in one direction (smaller IRI first), so that the union holds it
            # once per pair however each article words it: one relation, as the summary and page count
            s, _, o = VOCAB.ordered(self.nodes[f.head].value, f.relation, self.nodes[f.tail].value)
            s, p, o = ox.NamedNode(s), iri(KGO[f.relation]), ox.NamedNode(o)
            st = iri(statement_iri(self.article.id, s.value, f.relation, o.value))
            out += [ox.Triple(s, p, o),
                    ox.Triple(st, iri(RDF.type), iri(RDF.Statement)),
                    ox.Triple(st, iri(RDF.subject), s),
                    ox.Triple(st, iri(RDF.predicate), p),
                    ox.Triple(st, iri(RDF.object), o),
                    ox.Triple(st, iri(PROV.wasDerivedFrom), self.doc),
                    ox.Triple(st, iri(KGO.confidence), decimal(f.confidence)),
                    ox.Triple(st, iri(KGO.sentence), text(f.sentence)),
                    ox.Triple(st, iri(KGO.startOffset), integer(f.start)),
                    ox.Triple(st, iri(KGO.endOffset), integer(f.end))]
        return out


def article_triples(ag: ArticleGraph, min_confidence: float = 0.0) -> list[ox.Triple]:
    """The triples of an article's graph; relations less confident than `min_confidence` are left out."""
    writer = ArticleWriter(ag.article, min_confidence)
    return list(dict.fromkeys([*writer.header(), writer.stamp(), *writer.piece(ag), *writer.relations()]))


def nquads(ag: ArticleGraph, min_confidence: float = 0.0) -> bytes:
    """The article's named graph as N-Quads."""
    return serialize(article_graph_iri(ag.article.id), article_triples(ag, min_confidence))


def serialize(graph: object, triples: list[ox.Triple]) -> bytes:
    """Triples as N-Quads of the named graph `graph`."""
    name = iri(graph)
    return ox.serialize((ox.Quad(t.subject, t.predicate, t.object, name) for t in triples),
                        format=ox.RdfFormat.N_QUADS) or b""
