"""Turn resolved articles into RDF under the kg ontology, as pyoxigraph quads.

Each article gets a named graph holding what was extracted from it: the entities
it mentions (type, canonical label, the aliases seen in it, `mentionedIn`), the
relations as plain triples, and for each relation an `rdf:Statement` carrying the
evidence sentence, its character offsets in the original text and a confidence.
The union of all named graphs is the whole graph. An entity's `rdfs:label` is its
canonical name, the same in every article, so the union has exactly one. Bodies
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

from kg.model import ArticleGraph
from kg.rdf.namespaces import KGO, SCHEMA, WIKIDATA, article_graph_iri, article_iri, entity_iri, statement_iri

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


def article_triples(ag: ArticleGraph, min_confidence: float = 0.0) -> list[ox.Triple]:
    """The triples of an article's graph; relations less confident than `min_confidence` are left out."""
    a = ag.article
    doc = iri(article_iri(a.id))
    out = [ox.Triple(doc, iri(RDF.type), iri(KGO.Article)),
           ox.Triple(doc, iri(DCTERMS.identifier), text(a.id)),
           ox.Triple(doc, iri(KGO.contentHash), ox.Literal(a.content_hash)),
           ox.Triple(doc, iri(KGO.encoding), ox.Literal(a.encoding))]
    if a.title:
        out.append(ox.Triple(doc, iri(DCTERMS.title), text(a.title)))
    if a.url:
        out.append(ox.Triple(doc, iri(SCHEMA.url), ox.Literal(text(a.url).value, datatype=iri(XSD.anyURI))))
    if a.date:
        out.append(ox.Triple(doc, iri(DCTERMS.date), text(a.date)))

    nodes: dict[tuple[str, str], ox.NamedNode] = {}
    for key, ent in sorted(ag.entities.items()):
        e = nodes[key] = iri(entity_iri(ent.type, ent.name))
        out += [ox.Triple(e, iri(RDF.type), iri(KGO[ent.type])), ox.Triple(e, iri(RDFS.label), text(ent.name, "zh"))]
        out += [ox.Triple(e, iri(SKOS.altLabel), text(alias, "zh")) for alias in sorted(ent.aliases - {ent.name, ""})]
        out.append(ox.Triple(e, iri(KGO.mentionedIn), doc))
        if ent.en:
            out.append(ox.Triple(e, iri(SKOS.prefLabel), ox.Literal(ent.en, language="en")))
        if ent.wikidata:
            out.append(ox.Triple(e, iri(OWL.sameAs), iri(WIKIDATA[ent.wikidata])))

    for f in ag.facts:
        if f.confidence < min_confidence:
            continue
        s, p, o = nodes[f.head], iri(KGO[f.relation]), nodes[f.tail]
        st = iri(statement_iri(a.id, s.value, f.relation, o.value))
        out += [ox.Triple(s, p, o),
                ox.Triple(st, iri(RDF.type), iri(RDF.Statement)),
                ox.Triple(st, iri(RDF.subject), s),
                ox.Triple(st, iri(RDF.predicate), p),
                ox.Triple(st, iri(RDF.object), o),
                ox.Triple(st, iri(PROV.wasDerivedFrom), doc),
                ox.Triple(st, iri(KGO.confidence), decimal(f.confidence)),
                ox.Triple(st, iri(KGO.sentence), text(f.sentence)),
                ox.Triple(st, iri(KGO.startOffset), integer(f.start)),
                ox.Triple(st, iri(KGO.endOffset), integer(f.end))]
    return list(dict.fromkeys(out))


def nquads(ag: ArticleGraph, min_confidence: float = 0.0) -> bytes:
    """The article's named graph as N-Quads."""
    graph = iri(article_graph_iri(ag.article.id))
    quads = (ox.Quad(t.subject, t.predicate, t.object, graph) for t in article_triples(ag, min_confidence))
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
