"""The RDF namespaces kg writes, and how it mints IRIs.

IRIs are derived from content only (type and canonical name, article id), so two
builds of the same input give identical graphs.
"""
from __future__ import annotations

import hashlib
from urllib.parse import quote

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

KGO = Namespace("https://w3id.org/kg-ip/ontology#")
KGR = Namespace("https://w3id.org/kg-ip/id/")
KGG = Namespace("https://w3id.org/kg-ip/graph/")
SCHEMA = Namespace("http://schema.org/")

WIKIDATA = Namespace("http://www.wikidata.org/entity/")

PREFIXES = {"kgo": KGO, "kgr": KGR, "rdf": RDF, "rdfs": RDFS, "skos": SKOS, "dcterms": DCTERMS,
            "prov": PROV, "schema": SCHEMA, "xsd": XSD, "owl": OWL, "wd": WIKIDATA}


def digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def entity_iri(type_: str, name: str) -> URIRef:
    return KGR[f"{type_}/{digest(type_, name)}"]


def article_iri(article_id: str) -> URIRef:
    return KGR[f"article/{quote(article_id, safe='')}"]


def article_graph_iri(article_id: str) -> URIRef:
    return KGG[quote(article_id, safe="")]


def statement_iri(article_id: str, head: str, relation: str, tail: str) -> URIRef:
    return KGR[f"statement/{digest(article_id, head, relation, tail)}"]
