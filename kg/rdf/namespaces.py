"""The RDF namespaces kg writes, and how it mints IRIs.

IRIs are derived from content only (type and canonical name, article id), so two
builds of the same input give identical graphs. `KGO` is closed over the terms the
ontology defines (`kg.vocab`): `KGO.typo` and `KGO["typo"]` raise instead of minting
an IRI that no tool knows.
"""
from __future__ import annotations

import hashlib
import re
from urllib.parse import quote

from rdflib import Namespace, URIRef
from rdflib.namespace import ClosedNamespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from kg.vocab import NAMESPACE, VOCAB

KGO = ClosedNamespace(NAMESPACE, sorted(VOCAB.terms))
KGR = Namespace("https://w3id.org/kg-ip/id/")
KGG = Namespace("https://w3id.org/kg-ip/graph/")
SCHEMA = Namespace("http://schema.org/")

WIKIDATA = Namespace("http://www.wikidata.org/entity/")

PREFIXES = {"kgo": KGO, "kgr": KGR, "rdf": RDF, "rdfs": RDFS, "skos": SKOS, "dcterms": DCTERMS,
            "prov": PROV, "schema": SCHEMA, "xsd": XSD, "owl": OWL, "wd": WIKIDATA}


MAX_SLUG = 100  # longest article id kept readable in an IRI; longer ones end in a digest


def digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def slug(text: str) -> str:
    """`text` as one IRI path segment: percent-encoded, never a dot segment, and, when long,
    cut and ended with a digest of the whole so that different texts stay different."""
    s = quote(text.encode("utf-8", "surrogatepass"), safe="")
    if s in (".", ".."):
        s = s.replace(".", "%2E")
    if len(s) > MAX_SLUG:
        s = re.sub(r"%[0-9A-F]?$", "", s[: MAX_SLUG - 17]) + "-" + digest(text)
    return s


def entity_iri(type_: str, name: str) -> URIRef:
    return KGR[f"{type_}/{digest(type_, name)}"]


def article_iri(article_id: str) -> URIRef:
    return KGR[f"article/{slug(article_id)}"]


def article_graph_iri(article_id: str) -> URIRef:
    return KGG[slug(article_id)]


def statement_iri(article_id: str, head: str, relation: str, tail: str) -> URIRef:
    return KGR[f"statement/{digest(article_id, head, relation, tail)}"]
