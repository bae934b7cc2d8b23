"""The named questions (ontology/queries/*.rq) and `kg query`, on a hand-written graph.

tests/fixtures/queries.trig holds two invented article graphs; the expected rows
below were worked out from it by hand.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import rdflib
from rdflib import Literal

from kg.store.queries import QueryError, named_queries, named_query, parse
from kg.store.results import MAX_CELL, table, width
from kg.store.store import Store
from helpers import run

FIXTURE = Path(__file__).parent / "fixtures" / "queries.trig"

EXPECTED = {  # a set stands for a GROUP_CONCAT, whose order is the engine's
    "cases-per-agency": [("东江市市场监督管理局", "2"), ("东江市品牌保护协会", "1")],
    "cross-region-cooperation": [  # as reported: A1 and A2 name each other; A1 and A3 share a place
        ("东江市公安局北湖分局", "北湖区", "南屿市公安局", "南屿市"),
        ("东江市市场监督管理局", "东江市", "南屿市公安局", "南屿市"),
        ("南屿市公安局", "南屿市", "东江市市场监督管理局", "东江市"),
    ],
    "awards-per-recipient": [
        ("东江市公安局", "Agency", "知识产权保护先进集体", "西岭省知识产权局"),
        ("宏达专利纠纷案", "Case", "年度典型案例", None),
    ],
    "campaigns": [("清风行动", "1", {"东江市市场监督管理局", "南屿市公安局"}), ("蓝天行动", "1", "")],
    "sub-organisations": [("东江市公安局", "东江市公安局北湖分局")],
    "brands-in-cases": [
        ("云雀", "1", {"东江市市场监督管理局"}),
        ('云雀"旗舰"', "1", {"东江市品牌保护协会", "东江市市场监督管理局"}),
    ],
    "agencies-per-place": [("东江市", "2"), ("北湖区", "1"), ("南屿市", "1")],
    "documents-and-parties": [("《协作备忘录》", "东江市市场监督管理局"), ("《协作备忘录》", "南屿市公安局")],
    "cooperation-partners": [
        ("东江市市场监督管理局", "2", {"南屿市公安局", "东江市公安局"}),
        ("南屿市公安局", "2", {"东江市市场监督管理局", "东江市公安局北湖分局"}),
        ("东江市公安局", "1", {"东江市市场监督管理局"}),
        ("东江市公安局北湖分局", "1", {"南屿市公安局"}),
    ],
    "companies-in-several-cases": [("东江宏达贸易有限公司", "2")],  # 北湖某科技公司 is in one case only
    "relations-per-kind": [  # the hand-written fixture states two cooperations both ways: kg writes one
        ("cooperatesWith", "4"), ("locatedIn", "4"), ("handledBy", "3"), ("involves", "3"),
        ("concernsBrand", "2"), ("conducted", "2"), ("partyTo", "2"), ("receivedAward", "2"),
        ("awardedBy", "1"), ("subOrganizationOf", "1"),
    ],
}
# an alias of 东江市市场监督管理局, to show that names are looked up by alias too
ALIAS = "东江市市场监管局"
PARAMS = {"name": ALIAS, "article": "a1"}
EXPECTED_WITH_PARAMS = {
    "article-entities": [
        ("Agency", "东江市公安局"), ("Agency", "东江市市场监督管理局"), ("Agency", "南屿市公安局"),
        ("Brand", "云雀"), ("Campaign", "清风行动"), ("Case", "宏达商标侵权案"),
        ("Company", "东江宏达贸易有限公司"), ("Place", "东江市"), ("Place", "南屿市"),
    ],
    "entity-facts": [
        ("东江市市场监督管理局", "cooperatesWith", "南屿市公安局", "0.6", "东江与南屿联合执法。", "a1"),
        ("宏达商标侵权案", "handledBy", "东江市市场监督管理局", "0.8", "东江市市场监管局查处宏达案。", "a1"),
        ("南屿市公安局", "cooperatesWith", "东江市市场监督管理局", "0.7", "南屿市公安局与东江市市场监管局签署备忘录。", "a2"),
    ],
    "find-entity": [("东江市市场监督管理局", "Agency", "2", "https://w3id.org/kg-ip/id/A1")],
    "articles-mentioning": [
        ("东江市市场监督管理局", "a1", "2025-01-02", "东江查处宏达案", "https://example.org/a1"),
        ("东江市市场监督管理局", "a2", "2025-02-03", "宏达再涉专利纠纷", None),
    ],
}


@pytest.fixture(scope="module")
def store() -> Store:
    return Store.from_path(FIXTURE)


def rows(store: Store, question: str, **params: str) -> list[tuple]:
    results = store.query(named_query(question).bound(params))
    names = [v.value for v in results.variables]
    return [tuple(None if row[n] is None else row[n].value for n in names) for row in results]


def comparable(found: list[tuple], expected: list[tuple]) -> list[tuple]:
    """found, with each GROUP_CONCAT value (a set in expected) split into a set."""
    if len(found) != len(expected):
        return found
    return [tuple(set(v.split(" | ")) if isinstance(e, set) and v is not None else v for v, e in zip(row, want))
            for row, want in zip(found, expected)]


# -- the questions -------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_named_query_rows(store: Store, name: str) -> None:
    assert comparable(rows(store, name), EXPECTED[name]) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED_WITH_PARAMS))
def test_named_query_with_parameters(store: Store, name: str) -> None:
    params = {p: PARAMS[p] for p in named_query(name).params}
    assert rows(store, name, **params) == EXPECTED_WITH_PARAMS[name]


def test_parameters_are_bound_as_literals(store: Store) -> None:
    # quotes in a value match a label with quotes, and cannot end the string in the query text
    found = rows(store, "articles-mentioning", name='云雀"旗舰"')
    assert [r[:2] for r in found] == [('云雀"旗舰"', "a2")]
    assert rows(store, "articles-mentioning", name="a\\b\n} #") == []
    size = store.triples()
    assert rows(store, "entity-facts", name='x" ) } DELETE WHERE { ?s ?p ?o } #') == []
    assert store.triples() == size


@pytest.mark.parametrize("name", [
    "东江市市场监督管理局", "東江市市場監督管理局",  # the label, in either script
    "东江市市场监管局", "東江市市場監管局",  # the short form, in either script
    " 东江市市场监督管理局 ", "“东江市”市场监督管理局", "东江市(shì)市场监督管理局",  # spaces, quotes, pinyin
])
def test_a_name_is_found_in_any_spelling(store: Store, name: str) -> None:
    """Names are matched after the scorer's normalisation, and short endings are written out."""
    assert rows(store, "entity-facts", name=name) == EXPECTED_WITH_PARAMS["entity-facts"]
    assert rows(store, "find-entity", name=name) == EXPECTED_WITH_PARAMS["find-entity"]


def test_a_name_parameter_is_bound_as_its_search_key() -> None:
    q = parse("x", "# T\n# @param who:key  a name\nSELECT ?e WHERE {\n  ?e kgo:searchKey ?who\n}\n")
    assert q.keys == {"who"} and q.params == {"who": "a name"}
    assert q.bindings({"who": "東江市市場監管局"}) == {"who": Literal("东江市市场监督管理局")}
    with pytest.raises(QueryError, match="no name in it"):
        q.bindings({"who": "“ ”"})


def test_every_named_query_is_tested_and_documented() -> None:
    queries = named_queries()
    assert len(queries) >= 10
    assert set(queries) == set(EXPECTED) | set(EXPECTED_WITH_PARAMS)
    for q in queries.values():
        assert q.title and q.description and not q.title.startswith("PREFIX"), q.name
        for prefix in ("kgo:", "rdfs:"):  # each file runs as it is in other tools: it declares its prefixes
            if prefix in q.text.split("SELECT", 1)[1]:
                assert f"PREFIX {prefix}" in q.text, (q.name, prefix)


def test_named_queries_are_standard_sparql(store: Store) -> None:
    """rdflib, a second engine, gives the same rows from the same texts."""
    ds = rdflib.Dataset(default_union=True)
    ds.parse(FIXTURE, format="trig")
    for name, query in named_queries().items():
        params = {p: PARAMS[p] for p in query.params}
        theirs = [tuple(None if v is None else str(v) for v in r) for r in ds.query(query.bound(params))]
        ours = rows(store, name, **params)
        expected = EXPECTED.get(name) or EXPECTED_WITH_PARAMS[name]
        assert comparable(theirs, expected) == comparable(ours, expected) == expected, name


def test_parameters_open_the_where_clause() -> None:
    q = parse("x", "# T\n# @param who@zh  a name\n# not a WHERE { here\nSELECT ?e WHERE {\n  ?e rdfs:label ?who\n}\n")
    assert q.bound({"who": 'a"b'}).splitlines()[3:5] == ["SELECT ?e WHERE {", '  VALUES (?who) { ("a\\"b"@zh) }']


def test_parse_header() -> None:
    q = parse("x", "# Title here\n#\n# Line one\n# line two.\n# @param who@zh  the name\n# @param n  a number\nSELECT ?who WHERE {}\n")
    assert (q.title, q.description, q.params) == ("Title here", "Line one line two.", {"who": "the name", "n": "a number"})
    assert q.bindings({"who": "东江", "n": "3"}) == {"who": Literal("东江", lang="zh"), "n": Literal("3")}
    with pytest.raises(QueryError, match="needs --param who"):
        q.bindings({})
    with pytest.raises(QueryError, match="no parameter 'whom'"):
        q.bindings({"who": "a", "n": "1", "whom": "b"})


# -- kg query ------------------------------------------------------------------------

def test_cli_named_query_table() -> None:
    rc, out, err = run("query", str(FIXTURE), "--name", "cases-per-agency")
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["body", "cases"]
    assert [line.split() for line in lines[2:-1]] == [list(r) for r in EXPECTED["cases-per-agency"]]
    assert lines[-1] == "(2 rows)"
    # a CJK character is two columns wide: the counts line up under their header
    col = lines[0].index("cases")
    assert [width(line[:line.rindex(" ") + 1]) for line in lines[2:-1]] == [col, col]


def test_table_cuts_long_cells() -> None:
    text = table(["a", "b"], [["东" * 100, "x\ny"]])
    row = text.splitlines()[2]
    cell = row.split("  ")[0]
    assert MAX_CELL - 2 <= width(cell) <= MAX_CELL and cell.endswith("…")
    assert row.endswith("x y")  # one line per row


def test_cli_csv_and_json_with_params() -> None:
    rc, out, err = run("query", str(FIXTURE), "--name", "entity-facts", "--param", f"name={ALIAS}", "--format", "csv")
    assert rc == 0, err
    table = list(csv.reader(io.StringIO(out)))
    assert table[0] == ["subject", "relation", "object", "confidence", "sentence", "article"]
    assert [tuple(r) for r in table[1:]] == EXPECTED_WITH_PARAMS["entity-facts"]
    rc, out, err = run("query", str(FIXTURE), "--name", "campaigns", "--format", "json")
    doc = json.loads(out)
    assert doc["head"]["vars"] == ["campaign", "articles", "conductedBy"]
    got = [tuple(b[v]["value"] if v in b else None for v in doc["head"]["vars"]) for b in doc["results"]["bindings"]]
    assert comparable(got, EXPECTED["campaigns"]) == EXPECTED["campaigns"]


def test_cli_query_text_and_file(tmp_path: Path) -> None:
    q = tmp_path / "q.rq"
    q.write_text("SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a kgo:Case }", encoding="utf-8")
    rc, out, _ = run("query", str(FIXTURE), "--file", str(q), "--format", "csv")
    assert (rc, out.split()) == (0, ["n", "2"])
    rc, out, _ = run("query", str(FIXTURE), "ASK { ?c a kgo:Campaign }")
    assert (rc, out) == (0, "true\n")


def test_cli_list() -> None:
    rc, out, _ = run("query", "--list")
    assert rc == 0
    for name, q in named_queries().items():
        assert name in out and q.title in out
    assert "entity-facts --param name=" in out


@pytest.mark.parametrize("argv, message", [
    (("SELECT ?x WHERE {",), "not a valid SPARQL query"),
    (("--name", "no-such-question"), "no named query 'no-such-question'"),
    (("--name", "entity-facts"), "needs --param name=VALUE"),
    (("--name", "campaigns", "--param", "name"), "expected KEY=VALUE"),
    (("--file", "missing.rq"), "missing.rq: cannot read"),
    (("SELECT * WHERE { ?s foaf:name ?o }",), "unknown prefix foaf:"),
    (("PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:p ?o ; :q ?z }",), "unknown prefix :"),
    (("DELETE WHERE { ?s ?p ?o }",), "DELETE is a SPARQL update, and queries here are read-only"),
    (("INSERT DATA { <x:a> <x:b> <x:c> }",), "INSERT is a SPARQL update"),
    (("--name", "entity-facts", "--param", "name=东江市市场监理局"),
     "no entity is named '东江市市场监理局'; did you mean: 东江市市场监督管理局"),
])
def test_cli_errors(argv: tuple[str, ...], message: str) -> None:
    rc, out, err = run("query", str(FIXTURE), *argv)
    assert rc == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err, err


def test_cli_bad_sources(tmp_path: Path) -> None:
    rc, _, err = run("query", "--store", str(tmp_path / "nowhere"), "ASK {}")
    assert rc == 2 and "no kg store here" in err
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle", encoding="utf-8")
    rc, _, err = run("query", str(bad), "ASK {}")
    assert rc == 2 and f"{bad}: not a readable RDF file" in err and len(err.strip().splitlines()) == 1


# -- on a graph built from articles --------------------------------------------------

ARTICLES = Path(__file__).parent / "fixtures" / "articles"  # three short invented news items
BUILT = {
    "cases-per-agency": [("巴彦淖尔市市场监督管理局", "1"), ("江门市公安局", "1")],
    "cross-region-cooperation": [("巴彦淖尔市市场监督管理局", "巴彦淖尔市", "江门市公安局", "江门市")],
    "campaigns": [("清风", "1", {"巴彦淖尔市市场监督管理局", "江门市公安局"})],
    "sub-organisations": [("江门市公安局", "江门市公安局蓬江分局")],
    "agencies-per-place": [("巴彦淖尔市", "1"), ("江门市", "1"), ("蓬江区", "1")],
    "awards-per-recipient": [("东江市知识产权局", "Agency", "全国知识产权行政保护工作先进集体", "国家知识产权局")],
    "cooperation-partners": [("巴彦淖尔市市场监督管理局", "1", {"江门市公安局"}), ("江门市公安局", "1", {"巴彦淖尔市市场监督管理局"})],
    "brands-in-cases": [("云雀", "1", {"巴彦淖尔市市场监督管理局"}), ("蓝鲸", "1", {"江门市公安局"})],
    "companies-in-several-cases": [("东江宏达贸易有限公司", "2")],
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Store:
    out = tmp_path_factory.mktemp("built")
    rules = tmp_path_factory.mktemp("no-models")  # a model folder without models: the rules decide, as BUILT expects
    rc, _, err = run("build", str(ARTICLES), "--out", str(out), "--quiet", "--model", str(rules))
    assert rc == 0, err
    return Store.open(out / "store", read_only=True)


@pytest.mark.parametrize("name", sorted(BUILT))
def test_named_query_rows_on_built_graph(built: Store, name: str) -> None:
    assert comparable(rows(built, name), BUILT[name]) == BUILT[name]


def test_entity_facts_on_built_graph(built: Store) -> None:
    facts = {(s, r, o, a) for s, r, o, _, _, a in rows(built, "entity-facts", name="江门市公安局")}
    assert facts == {
        ("巴彦淖尔市市场监督管理局", "cooperatesWith", "江门市公安局", "b1"),
        ("江门市公安局", "conducted", "清风", "b1"),
        ("江门市公安局", "locatedIn", "江门市", "b1"),
        ("江门市公安局", "locatedIn", "江门市", "b2"),
        ("江门市公安局查处东江宏达贸易有限公司销售假冒“蓝鲸”商标商品案", "handledBy", "江门市公安局", "b2"),
        ("江门市公安局蓬江分局", "subOrganizationOf", "江门市公安局", "b2"),
    }
