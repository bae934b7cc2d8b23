"""The errors a user meets, each one plain sentence on one line that names the file or term, with a
non-zero exit. All texts here are invented."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import run

TEXT = "西岭市公安局查处西岭青禾食品有限公司销售假冒“山茶”商标商品案。\n"


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("errors-in")
    (src / "xl-1.txt").write_text(TEXT, encoding="utf-8")
    out = tmp_path_factory.mktemp("errors-out")
    assert run("build", str(src), "--out", str(out), "--quiet")[0] == 0
    return out


def test_an_undeclared_prefix_is_named(built: Path) -> None:
    rc, out, err = run("query", "--store", str(built), "SELECT ?n WHERE { ?a a kgo:Agency ; foaf:name ?n }")
    assert rc == 2 and out == ""
    line = one_line(err)
    assert line.startswith("kg: error: unknown prefix foaf: in the query; declare it (PREFIX foaf: <…>)")
    assert "expected one of" not in line  # not the parser's grammar


@pytest.mark.parametrize("update", ["DELETE WHERE { ?s ?p ?o }", "# tidy up\nPREFIX ex: <http://example.org/>\nCLEAR ALL",
                                    "insert data { <x:a> <x:b> <x:c> }"])
def test_an_update_is_refused_as_read_only(built: Path, update: str) -> None:
    rc, out, err = run("query", "--store", str(built), update)
    assert rc == 2 and out == ""
    assert "is a SPARQL update, and queries here are read-only" in one_line(err)
    assert "expected CONSTRUCT" not in err


@pytest.mark.parametrize("command", ["validate", "view", "query", "export"])
def test_an_article_given_as_a_graph_is_not_an_rdf_file(tmp_path: Path, command: str) -> None:
    article = tmp_path / "article.txt"
    article.write_text(TEXT, encoding="utf-8")
    argv = {"validate": ["validate", str(article)], "view": ["view", str(article), "--out", str(tmp_path / "v.html")],
            "query": ["query", str(article), "ASK {}"],
            "export": ["export", str(article), "--format", "csv", "--out", str(tmp_path / "x")]}[command]
    rc, out, err = run(*argv)
    assert rc == 2 and out == ""
    assert one_line(err) == (f"kg: error: {article}: not an RDF file: kg reads graphs from .ttl, .trig, .nq, .nt, "
                             ".jsonld, .rdf files (build articles into a graph with `kg build`)")


def test_a_broken_graph_file_is_one_line_cut_at_a_word(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix x: <http://example.org/> .\nx:a x:b " + "x:c , " * 200, encoding="utf-8")
    rc, _, err = run("validate", str(bad))
    line = one_line(err)
    assert rc == 2 and line.startswith(f"kg: error: {bad}: not a readable RDF file (")


def test_gold_that_matches_no_article_is_an_error_not_zeros(built: Path, tmp_path: Path) -> None:
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "other-article.json").write_text(json.dumps(
        {"doc": "other-article", "entities": [{"id": "e1", "type": "Agency", "name": "西岭市公安局"}], "relations": []},
        ensure_ascii=False), encoding="utf-8")
    rc, out, err = run("evaluate", str(gold), str(built / "graph.ttl"))
    assert rc == 2 and out == ""
    assert one_line(err) == (f"kg: error: {gold}: no gold file matches an article of the graph (gold: other-article;"
                             " graph: xl-1); gold files are named <article id>.json")


def test_gold_that_matches_some_articles_warns_of_the_rest(built: Path, tmp_path: Path) -> None:
    gold = tmp_path / "gold"
    gold.mkdir()
    for doc in ("xl-1", "xl-2"):
        (gold / f"{doc}.json").write_text(json.dumps(
            {"doc": doc, "entities": [{"id": "e1", "type": "Agency", "name": "西岭市公安局"}], "relations": []},
            ensure_ascii=False), encoding="utf-8")
    rc, out, err = run("evaluate", str(gold), str(built / "graph.ttl"))
    assert rc == 0 and "headline entities" in out
    assert one_line(err) == "kg: warning: 1 gold file(s) match no article of the graph: xl-2"


def test_an_empty_input_folder_leaves_nothing_behind(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    out = tmp_path / "OUT"
    rc, stdout, err = run("build", str(empty), "--out", str(out))
    assert rc == 2 and stdout == ""
    assert err.splitlines() == [f"kg: {empty}: folder holds no .txt, .html, .htm, .jsonl, .pdf, .docx files",
                                "kg: error: no article could be read; nothing written"]
    assert not out.exists()


def test_an_empty_input_folder_leaves_an_existing_build_alone(built: Path, tmp_path: Path) -> None:
    before = sorted(p.name for p in built.iterdir())
    empty = tmp_path / "empty"
    empty.mkdir()
    rc, _, _ = run("build", str(empty), "--out", str(built))
    assert rc == 2 and sorted(p.name for p in built.iterdir()) == before
    assert (built / "store" / "CURRENT").is_file()


def test_an_unknown_name_in_a_named_question(built: Path) -> None:
    rc, out, err = run("query", "--store", str(built), "--name", "articles-mentioning", "--param", "name=西岭市公按局")
    assert rc == 2 and out == ""
    line = one_line(err)  # the closest name first (the graph also holds the place 西岭市, less close)
    assert line.startswith("kg: error: no entity is named '西岭市公按局'; did you mean: 西岭市公安局") and line.endswith("?")
