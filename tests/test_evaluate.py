"""`kg evaluate`: the figures of ../shared/eval/score.py on hand-made graphs and gold files."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.cli import main
from kg.learn.evaluate import load_gold, match_key, score
from kg.store.store import Store

SCORER = Path(__file__).resolve().parents[2] / "shared" / "eval" / "score.py"

GRAPH = """
@prefix kgo: <https://w3id.org/kg-ip/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix : <https://example.org/> .
:a1 dcterms:identifier "a1" .
:bureau a kgo:Agency ; rdfs:label "東江市市場監督管理局" ; kgo:mentionedIn :a1 ;
    kgo:cooperatesWith :customs .
:customs a kgo:Agency ; rdfs:label "东江海关" ; kgo:mentionedIn :a1 .
:case a kgo:Case ; rdfs:label "“东江宏达贸易有限公司侵犯商标权案”" ; kgo:mentionedIn :a1 ;
    kgo:handledBy :bureau , :customs .
:firm a kgo:Company ; rdfs:label "宏达公司" ; kgo:mentionedIn :a1 .
:city a kgo:Place ; rdfs:label "东江市" ; kgo:mentionedIn :a1 .
"""

GOLD = {"doc": "a1", "entities": [
    {"id": "e1", "type": "Agency", "name": "东江市市场监督管理局", "aliases": []},
    {"id": "e2", "type": "Agency", "name": "东江海关", "aliases": []},
    {"id": "e3", "type": "Case", "name": "东江宏达贸易有限公司侵犯商标权案", "aliases": []},
    {"id": "e4", "type": "Company", "name": "东江宏达贸易有限公司", "aliases": []},
    {"id": "e5", "type": "Award", "name": "2024年度十佳案例", "aliases": []}],
    "relations": [{"s": "e2", "p": "cooperatesWith", "o": "e1"}, {"s": "e3", "p": "handledBy", "o": "e1"},
                  {"s": "e3", "p": "involves", "o": "e4"}]}


@pytest.fixture()
def files(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / "a1.json").write_text(json.dumps(GOLD, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "graph.ttl").write_text(GRAPH, encoding="utf-8")
    return tmp_path / "gold", tmp_path / "graph.ttl"


def test_names_match_across_scripts_quotes_and_pinyin():
    assert match_key("東江市(shì)“市場”監督管理局") == match_key("东江市市场监督管理局")


def test_counts(files):
    gold, graph = files
    result = score(load_gold(gold), Store.from_path(graph).dataset())
    agency, company = result.entities["Agency"], result.entities["Company"]
    assert (agency.tp, agency.system, agency.gold) == (2, 2, 2)
    assert (company.tp, company.system, company.gold) == (0, 1, 1)
    assert (result.headline.tp, result.headline.system, result.headline.gold) == (3, 4, 5)
    # cooperatesWith is symmetric; the second handledBy is spurious; involves is missed
    rel = result.relations
    assert (rel["cooperatesWith"].tp, rel["handledBy"].tp, rel["handledBy"].system, rel["involves"].gold) == (1, 1, 2, 1)
    assert result.missed == ["a1\tCompany\t东江宏达贸易有限公司", "a1\tAward\t2024年度十佳案例"]


@pytest.mark.skipif(not SCORER.is_file(), reason="../shared/eval/score.py is not beside the repository")
def test_same_figures_as_the_shared_scorer(files, tmp_path):
    gold, graph = files
    main(["evaluate", str(gold), str(graph), "--json", str(tmp_path / "ours.json")])
    subprocess.run([sys.executable, str(SCORER), str(gold), str(graph), "--json", str(tmp_path / "theirs.json")],
                   check=True, capture_output=True)
    ours, theirs = (json.loads((tmp_path / f).read_text(encoding="utf-8")) for f in ("ours.json", "theirs.json"))
    assert ours == theirs


def test_bad_gold_file_is_one_line_error(files, capsys):
    gold, graph = files
    (gold / "a2.json").write_text('{"entities": [{"id": "e1", "type": "Thing", "name": "x"}]}', encoding="utf-8")
    assert main(["evaluate", str(gold), str(graph)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "a2.json" in err and "Thing" in err
