"""Tests for the Python API (`kg.build` and `KnowledgeGraph`). All bodies and texts are invented."""

from __future__ import annotations

import contextlib
import hashlib
import html
import io
import re
from pathlib import Path

import pytest
import rdflib

import kg
from kg.api import QueryError, Rows
from kg.cli import main
from kg.model import Article
from kg.out.page import render_network

DONGJIANG = ("5月8日,东江市市场监督管理局查处东江宏达贸易有限公司侵犯“云雀”注册商标专用权案,没收侵权商品1200件。"
             "东江市市场监督管理局与中国东江品牌保护协会联合开展“清风”专项行动。\n")
XILING = "西岭市公安局与西岭市人民检察院签署知识产权保护合作协议。西岭市公安局破获一起假冒“山茶”牌护肤品案。\n"
BEIHU = "北湖区人民法院审结北湖青禾食品有限公司侵犯“青禾”商标权纠纷案。\n"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("articles")
    for name, text in {"dongjiang": DONGJIANG, "xiling": XILING}.items():
        (d / f"{name}.txt").write_text(text, encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def graph(folder: Path) -> kg.KnowledgeGraph:
    return kg.build([folder / "dongjiang.txt", Article(id="xiling", text=XILING)], texts=[BEIHU])


def entity_names(graph: kg.KnowledgeGraph, type_: str | None = None) -> set[str]:
    return {e.name for ag in graph.articles for e in ag.entities.values() if type_ in (None, e.type)}


# -- inputs ----------------------------------------------------------------------------

def test_paths_articles_and_texts_in_one_build(graph) -> None:
    text_id = "text-" + hashlib.sha256(BEIHU.encode("utf-8")).hexdigest()[:12]
    assert [ag.article.id for ag in graph.articles] == ["dongjiang", "xiling", text_id]
    assert graph.errors == []
    assert "西岭市公安局" in entity_names(graph, "Agency")


def test_a_str_naming_a_file_is_read_as_one(folder: Path) -> None:
    g = kg.build(str(folder))  # one item is a list of one; an existing folder is a path
    assert sorted(ag.article.id for ag in g.articles) == ["dongjiang", "xiling"]


def test_a_missing_path_raises_naming_it(tmp_path: Path) -> None:
    missing = str(tmp_path / "artcles")
    with pytest.raises(FileNotFoundError, match=f"input 1, '{re.escape(missing)}': no such file or folder$"):
        kg.build([missing], texts=[XILING])
    with pytest.raises(FileNotFoundError, match="input 2, 'data/news.jsonl'"):
        kg.build([tmp_path, Path("data/news.jsonl")])


def test_a_text_given_as_a_path_is_refused_with_the_way_to_give_it() -> None:
    with pytest.raises(FileNotFoundError, match=r"looks like an article's text: pass texts with texts="):
        kg.build(XILING)


def test_missing_record_lists_a_missing_path_as_kg_build_does(tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    g = kg.build([missing], texts=[XILING], missing="record")
    assert g.errors == [f"{missing}: no such file or folder"]
    assert len(g.articles) == 1


def test_texts_by_id() -> None:
    g = kg.build(texts={"xl-1": XILING})
    assert [ag.article.id for ag in g.articles] == ["xl-1"]
    with pytest.raises(TypeError, match="not one string"):
        kg.build(texts=XILING)


def test_the_same_text_twice_is_reported_once() -> None:
    g = kg.build(texts=[XILING, XILING])
    assert len(g.articles) == 1
    assert len(g.errors) == 1 and "already read from text 1" in g.errors[0]


@pytest.mark.parametrize("item, error", [(42, TypeError), ("  \n", ValueError)])
def test_bad_items_are_refused(folder: Path, item, error) -> None:
    with pytest.raises(error, match="input 2"):
        kg.build([folder, item])


def test_workers_below_one_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        kg.build(texts=[XILING], workers=0)


def test_progress_callable_counts_to_the_total() -> None:
    calls = []
    kg.build(texts=[XILING, BEIHU, DONGJIANG], progress=lambda done, total: calls.append((done, total)))
    assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)]


# -- query -----------------------------------------------------------------------------

def test_select_rows_are_rdflibs_with_python_values(graph) -> None:
    q = "SELECT ?agency ?name WHERE { ?agency a kgo:Agency ; rdfs:label ?name } ORDER BY ?name"
    rows = graph.query(q)
    assert isinstance(rows, Rows) and rows.columns == ("agency", "name")
    prefixed = "PREFIX kgo: <https://w3id.org/kg-ip/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    direct = [(str(r.agency), str(r.name)) for r in graph.to_rdflib().query(prefixed + q)]
    assert [(r["agency"], r["name"]) for r in rows] == direct
    assert {r["name"] for r in rows} == entity_names(graph, "Agency")
    assert all(type(r["name"]) is str and type(r["agency"]) is str for r in rows)


def test_numbers_come_back_as_numbers(graph) -> None:
    rows = graph.query("SELECT (MAX(?c) AS ?most) (COUNT(?s) AS ?n) WHERE { ?s kgo:confidence ?c }")
    facts = [f for ag in graph.articles for f in ag.facts]
    assert rows[0]["most"] == pytest.approx(max(f.confidence for f in facts))
    assert isinstance(rows[0]["most"], float) and isinstance(rows[0]["n"], int)
    assert rows[0]["n"] == len({(ag.article.id, f.head, f.relation, f.tail) for ag in graph.articles for f in ag.facts})


def test_unbound_variables_are_none(graph) -> None:
    rows = graph.query("SELECT ?name ?en WHERE { ?a a kgo:Agency ; rdfs:label ?name OPTIONAL { ?a skos:prefLabel ?en } }")
    assert rows and all(r["en"] is None for r in rows)  # no listed national body in these articles


def test_ask_and_construct(graph) -> None:
    assert graph.query("ASK { ?a kgo:cooperatesWith ?b }") is True
    assert graph.query("ASK { ?a kgo:receivedAward ?b }") is False
    built = graph.query("CONSTRUCT { ?a kgo:cooperatesWith ?b } WHERE { ?a kgo:cooperatesWith ?b }")
    assert isinstance(built, rdflib.Graph)
    pairs = {(f.head[1], f.tail[1]) for ag in graph.articles for f in ag.facts if f.relation == "cooperatesWith"}
    assert len(built) == len(pairs) > 0


def test_a_query_that_does_not_parse_raises_one_line(graph) -> None:
    with pytest.raises(QueryError) as info:
        graph.query("SELEKT ?x WHERE { ?x ?p ?o }")
    assert "\n" not in str(info.value)


def test_empty_result_keeps_its_columns(graph) -> None:
    frame = graph.query("SELECT ?award ?name WHERE { ?award a kgo:Award ; rdfs:label ?name }").to_pandas()
    assert list(frame.columns) == ["award", "name"] and len(frame) == 0


def test_rows_to_pandas(graph) -> None:
    frame = graph.query("SELECT ?name WHERE { ?a a kgo:Agency ; rdfs:label ?name } ORDER BY ?name").to_pandas()
    assert frame["name"].tolist() == sorted(entity_names(graph, "Agency"))


# -- networkx, view, save --------------------------------------------------------------

def test_to_networkx_has_every_entity(graph) -> None:
    g = graph.to_networkx()
    assert {d["label"] for _, d in g.nodes(data=True)} == entity_names(graph)
    relations = {(u, d["relation"], v) for u, v, d in g.edges(data=True)}
    assert any(r == "handledBy" for _, r, _ in relations)


def test_view_is_the_network_page_in_an_iframe(graph) -> None:
    view = graph.view()
    assert view.html.encode("utf-8") == render_network(graph.to_rdflib())[0]
    shown = view._repr_html_()
    m = re.fullmatch(r'<iframe srcdoc="([^"]*)"[^>]*></iframe>', shown)
    assert m, shown[:200]
    assert html.unescape(m.group(1)) == view.html
    assert "<script" not in shown  # the page is inside the attribute, not in the notebook


def test_view_focus_draws_a_part(graph, tmp_path: Path) -> None:
    whole, near = graph.view(), graph.view(focus="西岭市公安局")
    assert 0 < near.nodes < whole.nodes
    assert near.save(tmp_path / "near.html").read_text(encoding="utf-8") == near.html


def test_save_writes_what_the_cli_writes(folder: Path, tmp_path: Path) -> None:
    written = kg.build(folder).save(tmp_path / "api")
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["build", str(folder), "--out", str(tmp_path / "cli")]) == 0
    names = sorted(p.name for p in written)
    assert names == ["graph.jsonld", "graph.trig", "graph.ttl", "network.html"]
    for name in names:
        assert (tmp_path / "api" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name


def test_min_confidence_leaves_out_weak_relations() -> None:
    g = kg.build(texts=[XILING], min_confidence=0.7)
    weak = [f for ag in g.articles for f in ag.facts if f.confidence < 0.7]
    assert weak  # cooperatesWith from a signed agreement is below 0.7
    assert g.query("ASK { ?a kgo:cooperatesWith ?b }") is False
    assert g.query("ASK { ?c kgo:handledBy ?a }") is True


def test_inline_view_draws_in_a_browser(graph, tmp_path: Path, browser_ok) -> None:
    from browser import offline_page

    view = graph.view()
    host = tmp_path / "notebook.html"  # a notebook's output area, as JupyterLab or VS Code shows it
    host.write_text(f"<!doctype html><meta charset='utf-8'><body>{view._repr_html_()}</body>", encoding="utf-8")
    with offline_page(host) as (page, log):
        frame = page.wait_for_selector("iframe").content_frame()
        frame.wait_for_function("window.kg && window.kg.readyMs > 0", timeout=30_000)
        drawn = frame.evaluate("[kg.network.body.nodeIndices.length, kg.network.body.edgeIndices.length]")
        height = page.evaluate("document.querySelector('iframe').getBoundingClientRect().height")
    assert drawn == [view.nodes, view.edges] and view.nodes > 0
    assert height >= view.height
    assert log.errors == [] and log.blocked == [] and log.failed == []


def test_query_asks_the_same_engine_as_kg_query(folder: Path, tmp_path: Path, capsys) -> None:
    """The API and `kg query` ask a pyoxigraph store: same rows, same one-line error."""
    import json

    import pyoxigraph

    from kg.cli import main

    g = kg.build(folder)
    assert isinstance(g.store.ox, pyoxigraph.Store)
    assert main(["build", str(folder), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    question = "SELECT ?a ?name WHERE { ?a a kgo:Agency ; rdfs:label ?name } ORDER BY ?name"
    capsys.readouterr()
    assert main(["query", "--store", str(tmp_path / "out"), "--format", "json", question]) == 0
    bindings = json.loads(capsys.readouterr().out)["results"]["bindings"]
    assert [(r["a"], r["name"]) for r in g.query(question)] == [(b["a"]["value"], b["name"]["value"]) for b in bindings]
    assert bindings
    bad = "SELECT ?x WHERE { ?x ?p }"
    assert main(["query", "--store", str(tmp_path / "out"), bad]) == 2
    cli_error = capsys.readouterr().err.strip()
    with pytest.raises(QueryError) as info:
        g.query(bad)
    assert cli_error == f"kg: error: {info.value}" and "\n" not in str(info.value)


def test_named_questions_from_python(graph) -> None:
    rows = graph.query(name="entity-facts", params={"name": "西岭市公安局"})
    assert rows and all("西岭市公安局" in (r["subject"], r["object"]) for r in rows)
    with pytest.raises(QueryError, match="needs --param name"):
        graph.query(name="entity-facts")
    with pytest.raises(QueryError, match="no named query"):
        graph.query(name="no-such-question")


# -- kg.open -----------------------------------------------------------------------------

def test_open_an_earlier_build(folder: Path, tmp_path: Path) -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["build", str(folder), "--out", str(tmp_path / "out")]) == 0
    built = kg.build(folder)
    question = "SELECT ?a ?name WHERE { ?a a kgo:Agency ; rdfs:label ?name } ORDER BY ?name"
    for where in (tmp_path / "out", tmp_path / "out" / "store", tmp_path / "out" / "graph.trig"):
        opened = kg.open(str(where))
        assert isinstance(opened, kg.KnowledgeGraph)
        assert opened.query(question).rows == built.query(question).rows, where
        assert opened.outputs()["graph.ttl"] == built.outputs()["graph.ttl"]
    opened = kg.open(tmp_path / "out")
    assert opened.summary().splitlines()[1:] == built.summary().splitlines()[1:]
    assert opened.to_networkx().number_of_edges() == built.to_networkx().number_of_edges()
    assert opened.query(name="find-entity", params={"name": "東江市市場監督管理局"})[0]["entity"] == "东江市市场监督管理局"


def test_open_is_read_only(folder: Path, tmp_path: Path) -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["build", str(folder), "--out", str(tmp_path / "out")]) == 0
    opened = kg.open(tmp_path / "out")
    with pytest.raises(QueryError, match="read-only"):
        opened.query("DELETE WHERE { ?s ?p ?o }")
    from kg.store.store import StoreError

    with pytest.raises(StoreError, match="the store is open read-only"):
        kg.build(texts=[XILING], store=opened.store)


def test_open_nothing_says_so(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="kg.open: .*missing: no such file or folder"):
        kg.open(tmp_path / "missing")
    from kg.store.store import StoreError

    with pytest.raises(StoreError, match="no kg store here"):
        kg.open(tmp_path)
