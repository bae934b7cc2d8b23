"""The RDF output contract, on a build of two invented articles."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

import kg
from kg.model import Article, ArticleGraph, Entity, Fact
from kg.out.export import render
from kg.out.files import as_bytes
from kg.rdf.datasets import union
from kg.rdf.graph import nquads
from kg.rdf.namespaces import KGO, article_graph_iri, article_iri, entity_iri
from kg.store.store import Store

SIMPLIFIED = ("5月8日,东江市市场监督管理局查处东江宏达贸易有限公司侵犯“云雀”注册商标专用权案,没收侵权商品1200件。"
              "东江市市场监督管理局与中国东江品牌保护协会联合开展“清风”专项行动。\n")
TRADITIONAL = ("中國(guó)東江訊:東江市市場監(jiān)督管理局近日通報一批案件。6月3日,東江市市場監督管理局查處東江宏達貿易有限公司"
               "銷售假冒“雲雀”商標商品案,罰款5萬元。東江市公安局開展“藍盾”專項行動。\n")
TEXTS = {"dj-0508": SIMPLIFIED, "东江通报": TRADITIONAL}
CLASSES = {KGO[c] for c in ("Agency", "Company", "Association", "Case", "Award", "Campaign", "LegalDocument",
                            "Brand", "Person", "Place")}
RELATIONS = {KGO[r] for r in ("handledBy", "involves", "concernsBrand", "receivedAward", "awardedBy",
                              "cooperatesWith", "subOrganizationOf", "partyTo", "conducted", "locatedIn")}


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("articles")
    for stem, text in TEXTS.items():
        (d / f"{stem}.txt").write_bytes(text.encode("utf-8"))
    return d


@pytest.fixture(scope="module")
def result(folder: Path, tmp_path_factory) -> kg.KnowledgeGraph:
    # the rules alone (a models folder without models): these tests are about the graph's shape,
    # and the rules' names on these sentences are fixed; what the models find is measured by make eval
    b = kg.build([folder], model=tmp_path_factory.mktemp("no-models"))
    assert b.failures == []
    return b


@pytest.fixture(scope="module")
def ds(result: kg.KnowledgeGraph) -> Dataset:
    return result.to_rdflib()


@pytest.fixture(scope="module")
def g(ds: Dataset) -> Graph:
    return union(ds)


def entities(g: Graph) -> set[URIRef]:
    return {s for s in g.subjects(KGO.mentionedIn, None)} | {s for c in CLASSES for s in g.subjects(RDF.type, c)}


def node(g: Graph, cls: str, label: str) -> URIRef:
    found = [s for s in g.subjects(RDFS.label, Literal(label, lang="zh")) if (s, RDF.type, KGO[cls]) in g]
    assert len(found) == 1, (cls, label, found)
    return found[0]


def test_build_reads_both_articles(result: kg.KnowledgeGraph) -> None:
    assert [ag.article.id for ag in result.articles] == ["dj-0508", "东江通报"]


def test_every_entity_has_one_zh_label(g: Graph) -> None:
    ents = entities(g)
    assert len(ents) >= 8
    for e in ents:
        labels = list(g.objects(e, RDFS.label))
        assert len(labels) == 1, (e, labels)
        assert labels[0].language == "zh", (e, labels)
        assert str(labels[0]).strip() == str(labels[0]) != ""


def test_every_entity_has_one_kgo_class(g: Graph) -> None:
    for e in entities(g):
        types = set(g.objects(e, RDF.type))
        assert len(types) == 1 and types <= CLASSES, (e, types)
        assert str(e).startswith(f"https://w3id.org/kg-ip/id/{str(next(iter(types))).split('#')[1]}/")


def test_every_entity_is_mentioned_in_an_article_named_by_file_stem(g: Graph) -> None:
    articles = {s: str(g.value(s, DCTERMS.identifier)) for s in g.subjects(RDF.type, KGO.Article)}
    assert articles == {article_iri(stem): stem for stem in TEXTS}
    for e in entities(g):
        docs = set(g.objects(e, KGO.mentionedIn))
        assert docs and docs <= set(articles), (e, docs)


def test_entity_in_both_articles_is_one_node(g: Graph) -> None:
    both = {article_iri("dj-0508"), article_iri("东江通报")}
    for cls, label in (("Company", "东江宏达贸易有限公司"), ("Agency", "东江市市场监督管理局"), ("Brand", "云雀")):
        e = node(g, cls, label)
        assert set(g.objects(e, KGO.mentionedIn)) == both, label
    # entities of one article only
    assert set(g.objects(node(g, "Agency", "东江市公安局"), KGO.mentionedIn)) == {article_iri("东江通报")}
    assert set(g.objects(node(g, "Campaign", "清风"), KGO.mentionedIn)) == {article_iri("dj-0508")}


def test_traditional_spelling_is_alt_label(g: Graph) -> None:
    for cls, label, trad in (("Company", "东江宏达贸易有限公司", "東江宏達貿易有限公司"),
                             ("Agency", "东江市市场监督管理局", "東江市市場監督管理局"),
                             ("Brand", "云雀", "雲雀"),
                             ("Campaign", "蓝盾", "藍盾")):
        e = node(g, cls, label)
        assert Literal(trad, lang="zh") in set(g.objects(e, SKOS.altLabel)), (label, trad)
    # the label is simplified and the simplified-only article adds no alt label
    assert set(g.objects(node(g, "Campaign", "清风"), SKOS.altLabel)) == set()


def test_pinyin_artefacts_do_not_reach_names(g: Graph) -> None:
    names = [str(o) for p in (RDFS.label, SKOS.altLabel) for o in g.objects(None, p)]
    assert names
    assert not [n for n in names if "(" in n or "guó" in n or "jiān" in n]


def test_entity_iris_are_stable(g: Graph, folder: Path, tmp_path: Path) -> None:
    again = union(kg.build([folder], model=tmp_path).to_rdflib())
    assert entities(again) == entities(g)
    assert set(again) == set(g)
    assert node(g, "Company", "东江宏达贸易有限公司") == entity_iri("Company", "东江宏达贸易有限公司")
    assert node(g, "Agency", "东江市市场监督管理局") == entity_iri("Agency", "东江市市场监督管理局")


def test_each_article_has_its_own_named_graph(ds: Dataset) -> None:
    named = {c.identifier: c for c in ds.graphs() if len(c)}
    assert set(named) == {article_graph_iri(stem) for stem in TEXTS}
    for stem in TEXTS:
        graph = named[article_graph_iri(stem)]
        assert set(graph.subjects(RDF.type, KGO.Article)) == {article_iri(stem)}
        assert set(graph.objects(None, KGO.mentionedIn)) == {article_iri(stem)}
        assert str(graph.value(article_iri(stem), DCTERMS.identifier)) == stem


def _statements(graph: Graph) -> dict[tuple, list[URIRef]]:
    out: dict[tuple, list[URIRef]] = {}
    for st in graph.subjects(RDF.type, RDF.Statement):
        key = (graph.value(st, RDF.subject), graph.value(st, RDF.predicate), graph.value(st, RDF.object))
        out.setdefault(key, []).append(st)
    return out


def test_each_relation_has_a_statement_in_its_graph(ds: Dataset) -> None:
    total = 0
    for graph in ds.graphs():
        if not len(graph):
            continue
        stem = str(next(graph.objects(None, DCTERMS.identifier)))
        statements = _statements(graph)
        relations = [t for t in graph if t[1] in RELATIONS]
        total += len(relations)
        assert set(statements) == set(relations), stem
        for triple in relations:
            [st] = statements[triple]
            assert set(graph.objects(st, PROV.wasDerivedFrom)) == {article_iri(stem)}
    assert total >= 8


def _evidence(ds: Dataset):
    for graph in ds.graphs():
        if not len(graph):
            continue
        stem = str(next(graph.objects(None, DCTERMS.identifier)))
        for st in graph.subjects(RDF.type, RDF.Statement):
            yield stem, graph, st


def test_offsets_point_at_the_sentence_in_the_original_text(ds: Dataset) -> None:
    checked = {stem: 0 for stem in TEXTS}
    for stem, graph, st in _evidence(ds):
        start, end, sentence = (graph.value(st, KGO.startOffset), graph.value(st, KGO.endOffset),
                                graph.value(st, KGO.sentence))
        if start is None and end is None and sentence is None:
            continue
        assert start.datatype == XSD.integer and end.datatype == XSD.integer
        s, e = start.toPython(), end.toPython()
        assert 0 <= s < e <= len(TEXTS[stem])
        span = TEXTS[stem][s:e]
        assert span.strip() == str(sentence) or str(sentence) in span, (stem, span, sentence)
        checked[stem] += 1
    assert checked["dj-0508"] >= 3
    assert checked["东江通报"] >= 3


def test_offsets_survive_pinyin_removal(ds: Dataset, g: Graph) -> None:
    # the case sentence of the traditional article comes after 國(guó) and 監(jiān): offsets must count them
    case = node(g, "Case", "东江市市场监督管理局查处东江宏达贸易有限公司销售假冒“云雀”商标商品案")
    graph = ds.graph(article_graph_iri("东江通报"))
    [st] = list(graph.subjects(RDF.subject, case))[:1]
    s, e = graph.value(st, KGO.startOffset).toPython(), graph.value(st, KGO.endOffset).toPython()
    assert TRADITIONAL[s:e].strip() == "6月3日,東江市市場監督管理局查處東江宏達貿易有限公司銷售假冒“雲雀”商標商品案,罰款5萬元。"


def test_handled_by_and_involves_from_the_case_sentence(g: Graph) -> None:
    case = node(g, "Case", "东江市市场监督管理局查处东江宏达贸易有限公司侵犯“云雀”注册商标专用权案")
    assert (case, KGO.handledBy, node(g, "Agency", "东江市市场监督管理局")) in g
    assert (case, KGO.involves, node(g, "Company", "东江宏达贸易有限公司")) in g
    assert (case, KGO.concernsBrand, node(g, "Brand", "云雀")) in g


def test_every_statement_has_offsets(ds: Dataset) -> None:
    missing = [(stem, str(graph.value(st, RDF.predicate))) for stem, graph, st in _evidence(ds)
               if graph.value(st, KGO.startOffset) is None or graph.value(st, KGO.endOffset) is None]
    assert missing == []


def test_confidence_is_decimal_between_0_and_1(ds: Dataset) -> None:
    n = 0
    for _, graph, st in _evidence(ds):
        values = list(graph.objects(st, KGO.confidence))
        assert len(values) == 1, st
        c = values[0]
        assert c.datatype == XSD.decimal, c
        assert isinstance(c.toPython(), Decimal)
        assert Decimal(0) <= c.toPython() <= Decimal(1)
        n += 1
    assert n >= 8


def test_built_dataset_conforms_to_shapes(ds: Dataset) -> None:
    from kg.rdf.validate import validate

    res = validate(ds)
    assert res.conforms, res.report
    assert res.violations == 0


# -- any input gives RDF that the parsers read back (hypothesis) ------------------------

ANY = st.text(st.characters(codec=None), max_size=60)
NASTY = st.lists(st.sampled_from([*'<>"{}|^`\\\'\n\r\t\x00\x01\x7f\x85\u2028\ud800\ufffe%:#@/.东江 ', '"""', "'''"]),
                 max_size=30).map("".join)
STRINGS = st.one_of(ANY, NASTY)


@st.composite
def article_graphs(draw) -> ArticleGraph:
    article = Article(id=draw(STRINGS), text=draw(STRINGS), title=draw(st.none() | STRINGS),
                      url=draw(st.none() | STRINGS), date=draw(st.none() | STRINGS))
    names = draw(st.lists(STRINGS, min_size=2, max_size=4, unique=True))
    types = ["Agency", "Company", "Case", "Brand"]
    entities = {(types[i % 4], n): Entity(types[i % 4], n, set(draw(st.lists(STRINGS, max_size=3))), [(0, 1)])
                for i, n in enumerate(names)}
    keys = list(entities)
    facts = [Fact(keys[0], "handledBy", keys[1], 0.8, draw(STRINGS), 0, 5)]
    return ArticleGraph(article, entities, facts)


def _article_graph(sentence: str, url: str | None = None) -> ArticleGraph:
    keys = [("Agency", "东江市公安局"), ("Company", "东江宏达贸易有限公司")]
    return ArticleGraph(Article("a1", "东江", url=url), {k: Entity(*k, set(), [(0, 2)]) for k in keys},
                        [Fact(keys[0], "handledBy", keys[1], 0.8, sentence, 0, 2)])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(article_graphs())
@example(_article_graph("东江\u2028市公安局"))  # splitlines() cut the TriG here
@example(_article_graph("多行\n@prefix kgo: <urn:x#> .\n证据"))  # a prefix line inside a literal
@example(_article_graph("东江", url="https://example.org/a"))  # schema: was written schema1: and left undeclared
def test_any_strings_round_trip_through_turtle_trig_and_jsonld(ag: ArticleGraph) -> None:
    store = Store.in_memory()
    store.put_nquads([nquads(ag)])
    g = store.dataset().graph(article_graph_iri(ag.article.id))
    files = {name: as_bytes(write) for name, write in render(store).items()}
    expected = set(g)
    assert expected
    assert set(Graph().parse(data=files["graph.ttl"], format="turtle")) == expected
    assert set(Graph().parse(data=files["graph.jsonld"], format="json-ld")) == expected
    back = Dataset()
    back.parse(data=files["graph.trig"], format="trig")
    assert set(back.graph(g.identifier)) == expected


def test_an_iri_that_would_break_the_output_is_named() -> None:
    ag = _article_graph("东江")
    ag.entities[("Agency", "东江市公安局")].wikidata = "Q1 2"
    with pytest.raises(ValueError, match="invalid IRI 'http://www.wikidata.org/entity/Q1 2'"):
        nquads(ag)

