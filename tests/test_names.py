"""Finding an entity by the name a user knows: any script, a short form, a slip of the keyboard.

The articles here are invented; the demo is kg's bundled invented samples.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

import kg
from kg.learn import evaluate
from kg.reference.names import match_key, name_keys, page_rules, search_key
from kg.store.search import UnknownName
from kg.text import keys
from helpers import run

XILING = ("3月2日,西岭市市场监督管理局查处西岭青禾食品有限公司侵犯“山茶”注册商标专用权案。"
          "西岭市市场监督管理局与西岭市公安局联合开展“晨光”专项行动。\n")
NANYU = "南屿市公安局与西岭市市场监督管理局签署知识产权保护协作备忘录。\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("names-in")
    (src / "xl-0302.txt").write_text(XILING, encoding="utf-8")
    (src / "ny-0410.txt").write_text(NANYU, encoding="utf-8")
    out = tmp_path_factory.mktemp("names-out")
    rc, _, err = run("build", str(src), "--out", str(out), "--quiet")
    assert rc == 0, err
    return out


# -- the key -------------------------------------------------------------------------

def test_the_scorer_and_the_search_share_one_normalisation() -> None:
    assert evaluate.match_key is keys.match_key is match_key


@pytest.mark.parametrize("typed, key", [
    ("西岭市市场监督管理局", "西岭市市场监督管理局"),
    ("西嶺市市場監督管理局", "西岭市市场监督管理局"),  # traditional
    ("西岭市市场监管局", "西岭市市场监督管理局"),  # short ending written out
    ("西嶺市市場監管局", "西岭市市场监督管理局"),
    ("“西岭市”市场监督管理局", "西岭市市场监督管理局"),  # quotation marks
    (" 西岭市 市场监督管理局 ", "西岭市市场监督管理局"),  # spaces
    ("西嶺(lǐng)市市場監督管理局", "西岭市市场监督管理局"),  # pinyin annotation
    ("西岭中院", "西岭中级人民法院"),
    ("ＸＩＬＩＮＧ Bureau", "xilingbureau"),  # full width and case
])
def test_search_key(typed: str, key: str) -> None:
    assert search_key(typed) == key


def test_a_name_is_stored_under_its_key_and_as_written() -> None:
    assert name_keys("西岭市市场监管局") == {"西岭市市场监督管理局", "西岭市市场监管局"}
    assert name_keys("西岭市公安局") == {"西岭市公安局"}
    assert name_keys("“ ”") == set()


# -- the README's example and the named questions -------------------------------------------

def test_the_readme_example_returns_the_entity(demo) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    example = "kg query --store OUT --name entity-facts --param name=东江市市场监管局 --format csv"
    assert example in readme
    rc, out, err = run("query", "--store", str(demo.out), "--name", "entity-facts", "--param", "name=东江市市场监管局",
                       "--format", "csv")
    assert rc == 0, err
    rows = list(csv.reader(io.StringIO(out)))[1:]  # an evidence sentence may hold a line break
    assert len(rows) >= 5 and all("东江市市场监督管理局" in (row[0], row[2]) for row in rows)


@pytest.mark.parametrize("name", ["西嶺市市場監督管理局", "西岭市市场监管局", "西嶺市市場監管局"])
def test_traditional_and_short_forms_find_the_same_entity(built: Path, name: str) -> None:
    graph = kg.open(built)
    [found] = graph.search(name)
    assert (found.label, found.type, found.articles) == ("西岭市市场监督管理局", "Agency", 2)
    assert graph.query(name="entity-facts", params={"name": name}).rows == \
        graph.query(name="entity-facts", params={"name": "西岭市市场监督管理局"}).rows


def test_a_misspelt_name_gets_suggestions(built: Path) -> None:
    graph = kg.open(built)
    with pytest.raises(UnknownName) as info:
        graph.query(name="articles-mentioning", params={"name": "西岭市市场监理局"})
    assert info.value.suggestions[0] == "西岭市市场监督管理局"
    assert "did you mean: 西岭市市场监督管理局" in str(info.value) and "\n" not in str(info.value)


# -- kg search ---------------------------------------------------------------------------

def test_kg_search_lists_type_articles_and_iri(built: Path) -> None:
    rc, out, err = run("search", "--store", str(built), "西嶺市市場監管局")
    assert rc == 0, err
    header, _, row, count = out.splitlines()
    assert header.split() == ["entity", "type", "articles", "iri"]
    assert row.split()[:3] == ["西岭市市场监督管理局", "Agency", "2"]
    assert row.split()[3].startswith("https://w3id.org/kg-ip/id/Agency/")
    assert count == "(1 row)"


def test_kg_search_by_part_of_a_name(built: Path) -> None:
    rc, out, _ = run("search", "--store", str(built), "青禾")
    assert rc == 0
    assert out.splitlines()[0] == "no entity is named '青禾'; names containing it:"
    assert "西岭青禾食品有限公司" in out


def test_kg_search_misspelt_suggests_and_fails(built: Path) -> None:
    rc, out, err = run("search", "--store", str(built), "西岭市公按局")
    assert rc == 1 and out == "" and len(err.splitlines()) == 1
    assert err.startswith(f"kg: no entity is named '西岭市公按局' in {built / 'store'}; did you mean: 西岭市公安局")


def test_kg_search_in_a_graph_file(built: Path) -> None:
    rc, out, _ = run("search", str(built / "graph.trig"), "南嶼市公安局")
    assert rc == 0 and "南屿市公安局" in out


# -- the page's search ---------------------------------------------------------------------

TYPED = ["西嶺市市場監管局", "“西岭市”市场监督管理局", "西嶺(lǐng)市市場監督管理局", "ＸＩＬＩＮＧ  Bureau",
         "南屿市公安局", "南嶼警方", "西岭中院", "西岭市（shì）公安局", "《西岭协作备忘录》"]


def test_page_rules_carry_only_what_the_page_needs() -> None:
    rules = page_rules(["西岭市公安局"])
    assert rules["t2s"]["嶺"] == "岭" and set(rules["t2s"].values()) <= set("西岭市公安局")
    assert "國" not in rules["t2s"]  # no name on the page holds 国
    assert ["市场监管局", "市场监督管理局"] in rules["endings"]


def test_the_page_computes_the_same_keys_and_finds_by_them(built: Path, browser_ok) -> None:
    from browser import offline_page

    with offline_page(built / "network.html") as (page, log):
        page.wait_for_function("window.kg && window.kg.readyMs > 0", timeout=30_000)
        keys_in_page = page.evaluate("(typed) => typed.map(kg.searchKey)", TYPED)
        hit = page.evaluate("kg.search('西嶺市市場監管局')")
        label = page.evaluate("(id) => kg.nodes.get(id).name", hit)
        missed = page.evaluate("kg.search('西岭市市场监理局')")
        suggested = page.evaluate("kg.suggestions.map(function (id) { return kg.nodes.get(id).name; })")
        message = page.inner_text("#search-msg")
    assert keys_in_page == [search_key(t) for t in TYPED]
    assert label == "西岭市市场监督管理局"
    assert missed is None and suggested[0] == "西岭市市场监督管理局"
    assert message.startswith("未找到：西岭市市场监理局") and "西岭市市场监督管理局" in message
    assert log.errors == [] and log.blocked == []


def test_page_search_data_is_in_the_page(built: Path) -> None:
    html = (built / "network.html").read_text(encoding="utf-8")
    start = html.index('<script type="application/json" id="kg-data">')
    data = json.loads(html[html.index(">", start) + 1:html.index("</script>", start)])
    agency = next(n for n in data["nodes"] if n["label"] == "西岭市市场监督管理局")
    assert "西岭市市场监督管理局" in agency["keys"]
    assert data["search"]["t2s"]["嶺"] == "岭"
