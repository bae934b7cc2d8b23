"""Tests for the ontology (ontology/kg.ttl), the SHACL shapes (ontology/shapes.ttl)
and kg.rdf.validate: the files parse, every term is labelled in Chinese and English,
a hand-written conforming graph passes, and each kind of error is caught."""

from decimal import Decimal

import pytest
from rdflib import OWL, RDF, RDFS, Dataset, Graph, Literal, Namespace, URIRef

from kg.datafiles import ontology_path
from kg.rdf.validate import validate

KGO = Namespace("https://w3id.org/kg-ip/ontology#")
KGR = Namespace("https://w3id.org/kg-ip/id/")

CLASSES = """Agency Company Association Case Award Campaign LegalDocument Brand
    Person Place Article""".split()
OBJECT_PROPERTIES = """handledBy involves concernsBrand receivedAward awardedBy
    cooperatesWith subOrganizationOf partyTo conducted locatedIn mentionedIn""".split()
DATATYPE_PROPERTIES = "sentence startOffset endOffset confidence contentHash encoding searchKey".split()

AGENCY = KGR["Agency/0000000000000001"]
COMPANY = KGR["Company/0000000000000002"]
BRAND = KGR["Brand/0000000000000003"]
ARTICLE = KGR["article/sample1"]
STATEMENT = KGR["statement/00000000000000aa"]

CONFORMING_TTL = """
@prefix kgo: <https://w3id.org/kg-ip/ontology#> .
@prefix kgr: <https://w3id.org/kg-ip/id/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .

kgr:article\\/sample1 a kgo:Article ;
    dcterms:identifier "sample1" ;
    kgo:contentHash "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" .

kgr:Agency\\/0000000000000001 a kgo:Agency ;
    rdfs:label "东江市市场监督管理局"@zh ; skos:altLabel "东江市市场监管局"@zh ;
    kgo:locatedIn kgr:Place\\/0000000000000004 ;
    kgo:subOrganizationOf kgr:Agency\\/0000000000000005 ;
    kgo:cooperatesWith kgr:Association\\/0000000000000006 ;
    kgo:partyTo kgr:LegalDocument\\/0000000000000007 ;
    kgo:conducted kgr:Campaign\\/0000000000000008 ;
    kgo:receivedAward kgr:Award\\/0000000000000009 ;
    kgo:mentionedIn kgr:article\\/sample1 .
kgr:Company\\/0000000000000002 a kgo:Company ;
    rdfs:label "东江某贸易有限公司"@zh-Hans ;
    kgo:locatedIn kgr:Place\\/0000000000000004 ;
    kgo:mentionedIn kgr:article\\/sample1 .
kgr:Brand\\/0000000000000003 a kgo:Brand ;
    rdfs:label "东江牌"@zh ; skos:altLabel "DONGJIANG" ;
    kgo:mentionedIn kgr:article\\/sample1 .
kgr:Place\\/0000000000000004 a kgo:Place ;
    rdfs:label "东江市"@zh ; kgo:mentionedIn kgr:article\\/sample1 .
kgr:Agency\\/0000000000000005 a kgo:Agency ;
    rdfs:label "东江省市场监督管理局"@zh ; kgo:mentionedIn kgr:article\\/sample1 .
kgr:Association\\/0000000000000006 a kgo:Association ;
    rdfs:label "东江市知识产权保护协会"@zh ;
    kgo:partyTo kgr:LegalDocument\\/0000000000000007 ;
    kgo:mentionedIn kgr:article\\/sample1 .
kgr:LegalDocument\\/0000000000000007 a kgo:LegalDocument ;
    rdfs:label "知识产权保护协作备忘录"@zh ; kgo:mentionedIn kgr:article\\/sample1 .
kgr:Campaign\\/0000000000000008 a kgo:Campaign ;
    rdfs:label "护航-2023"@zh ; kgo:mentionedIn kgr:article\\/sample1 .
kgr:Award\\/0000000000000009 a kgo:Award ;
    rdfs:label "2023年度十佳知识产权案例"@zh ;
    kgo:awardedBy kgr:Agency\\/0000000000000005 ;
    kgo:mentionedIn kgr:article\\/sample1 .
kgr:Person\\/000000000000000a a kgo:Person ;
    rdfs:label "王某"@zh ; kgo:mentionedIn kgr:article\\/sample1 .
kgr:Case\\/000000000000000b a kgo:Case ;
    rdfs:label "东江某贸易有限公司侵犯东江牌注册商标专用权案"@zh ;
    kgo:handledBy kgr:Agency\\/0000000000000001 ;
    kgo:involves kgr:Company\\/0000000000000002 , kgr:Person\\/000000000000000a ;
    kgo:concernsBrand kgr:Brand\\/0000000000000003 ;
    kgo:receivedAward kgr:Award\\/0000000000000009 ;
    kgo:mentionedIn kgr:article\\/sample1 .

kgr:statement\\/00000000000000aa a rdf:Statement ;
    rdf:subject kgr:Case\\/000000000000000b ;
    rdf:predicate kgo:handledBy ;
    rdf:object kgr:Agency\\/0000000000000001 ;
    prov:wasDerivedFrom kgr:article\\/sample1 ;
    kgo:sentence "该案由东江市市场监督管理局查处。" ;
    kgo:startOffset 120 ;
    kgo:endOffset 136 ;
    kgo:confidence 0.9 .
"""


def conforming_graph() -> Graph:
    """A fresh copy of the hand-written graph that should pass every shape."""
    return Graph().parse(data=CONFORMING_TTL, format="turtle")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ontology_path("kg.ttl"), format="turtle")


def test_ontology_path_reports_missing_files() -> None:
    with pytest.raises(FileNotFoundError):
        ontology_path("no-such-file.ttl")


def test_shapes_parse() -> None:
    shapes = Graph().parse(ontology_path("shapes.ttl"), format="turtle")
    assert len(shapes) > 100


def test_ontology_header(ontology: Graph) -> None:
    (onto,) = ontology.subjects(RDF.type, OWL.Ontology)
    assert ontology.value(onto, OWL.versionInfo) is not None


@pytest.mark.parametrize(
    "name, kind",
    [(c, OWL.Class) for c in CLASSES]
    + [(p, OWL.ObjectProperty) for p in OBJECT_PROPERTIES]
    + [(p, OWL.DatatypeProperty) for p in DATATYPE_PROPERTIES],
)
def test_term_is_declared_and_labelled(ontology: Graph, name: str, kind: URIRef) -> None:
    term = KGO[name]
    assert (term, RDF.type, kind) in ontology
    label_langs = {label.language for label in ontology.objects(term, RDFS.label)}
    assert {"zh", "en"} <= label_langs
    comment_langs = {c.language for c in ontology.objects(term, RDFS.comment)}
    assert "en" in comment_langs


def test_every_kgo_term_is_expected(ontology: Graph) -> None:
    """No term in our namespace escapes the label test above."""
    declared = {s for s in ontology.subjects(RDF.type, None) if str(s).startswith(str(KGO))}
    expected = {KGO[n] for n in CLASSES + OBJECT_PROPERTIES + DATATYPE_PROPERTIES}
    assert declared == expected


def test_property_characteristics(ontology: Graph) -> None:
    assert (KGO.cooperatesWith, RDF.type, OWL.SymmetricProperty) in ontology
    for prop in (KGO.subOrganizationOf, KGO.locatedIn):
        assert (prop, RDF.type, OWL.TransitiveProperty) not in ontology


def test_union_domain_lists_its_classes(ontology: Graph) -> None:
    union = ontology.value(ontology.value(KGO.handledBy, RDFS.range), OWL.unionOf)
    assert set(ontology.items(union)) == {KGO.Agency, KGO.Association}


def test_conforming_graph_validates() -> None:
    result = validate(conforming_graph())
    assert result.conforms, result.report
    assert result.violations == 0


def test_dataset_is_validated_as_union() -> None:
    """Entity in one named graph, its article in another: still conforming."""
    dataset = Dataset()
    articles = dataset.graph(URIRef("https://w3id.org/kg-ip/graph/articles"))
    sample = dataset.graph(URIRef("https://w3id.org/kg-ip/graph/sample1"))
    for triple in conforming_graph():
        (articles if triple[0] == ARTICLE else sample).add(triple)
    result = validate(dataset)
    assert result.conforms, result.report


def _without(*patterns):
    """Edit that removes the triples matching each pattern (which must match)."""
    def edit(g: Graph) -> None:
        for pattern in patterns:
            assert any(g.triples(pattern))
            g.remove(pattern)
    return edit


def _with(*triples):
    """Edit that adds new triples."""
    def edit(g: Graph) -> None:
        for t in triples:
            assert t not in g
            g.add(t)
    return edit


def _replace(old, new):
    """Edit that swaps one existing triple for another."""
    def edit(g: Graph) -> None:
        assert old in g
        g.remove(old)
        g.add(new)
    return edit


LABEL = Literal("东江市市场监督管理局", lang="zh")

BROKEN = {
    "no label": (_without((AGENCY, RDFS.label, None)), "exactly one rdfs:label"),
    "two labels": (
        _with((AGENCY, RDFS.label, Literal("东江市监管局", lang="zh"))),
        "exactly one rdfs:label",
    ),
    "plain label": (
        _replace((AGENCY, RDFS.label, LABEL), (AGENCY, RDFS.label, Literal(str(LABEL)))),
        "exactly one rdfs:label",
    ),
    "english label": (
        _replace((AGENCY, RDFS.label, LABEL), (AGENCY, RDFS.label, Literal("Dongjiang AMR", lang="en"))),
        "exactly one rdfs:label",
    ),
    "two english names": (
        _with((AGENCY, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"), Literal("Dongjiang AMR", lang="en")),
              (AGENCY, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"), Literal("Dongjiang MR", lang="en"))),
        "one English skos:prefLabel",
    ),
    "sameAs not wikidata": (
        _with((AGENCY, OWL.sameAs, URIRef("http://example.org/Q1"))),
        "Wikidata item",
    ),
    "altLabel not a string": (
        _with((AGENCY, URIRef("http://www.w3.org/2004/02/skos/core#altLabel"), BRAND)),
        "skos:altLabel values must be strings",
    ),
    "no mentionedIn": (_without((AGENCY, KGO.mentionedIn, None)), "mentionedIn at least one"),
    "mentionedIn a non-article": (_with((AGENCY, KGO.mentionedIn, BRAND)), "mentionedIn at least one"),
    "handledBy from Company to Brand": (
        _with((COMPANY, KGO.handledBy, BRAND)),
        "kgo:handledBy",
    ),
    "article without identifier": (
        _without((ARTICLE, URIRef("http://purl.org/dc/terms/identifier"), None)),
        "dcterms:identifier",
    ),
    "confidence 1.5": (
        _replace(
            (STATEMENT, KGO.confidence, Literal(Decimal("0.9"))),
            (STATEMENT, KGO.confidence, Literal(Decimal("1.5"))),
        ),
        "between 0 and 1",
    ),
    "negative offset": (
        _replace((STATEMENT, KGO.startOffset, Literal(120)), (STATEMENT, KGO.startOffset, Literal(-1))),
        "non-negative",
    ),
    "offset not an integer": (
        _replace((STATEMENT, KGO.endOffset, Literal(136)), (STATEMENT, KGO.endOffset, Literal("136"))),
        "non-negative",
    ),
}


@pytest.mark.parametrize("case", BROKEN)
def test_broken_graph_is_rejected(case: str) -> None:
    edit, expected_message = BROKEN[case]
    graph = conforming_graph()
    edit(graph)
    result = validate(graph)
    assert not result.conforms
    assert result.violations >= 1
    assert expected_message in result.report


def test_handled_by_checks_both_ends() -> None:
    """Company → Brand breaks the subject (domain) and the object (range) rule."""
    graph = conforming_graph()
    graph.add((COMPANY, KGO.handledBy, BRAND))
    report = validate(graph).report
    assert "subject of kgo:handledBy must be a kgo:Case" in report
    assert "must point to a kgo:Agency or kgo:Association" in report
