"""kg.vocab: the one vocabulary of types and relations, read from the ontology and two tables."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph

from kg.datafiles import ontology_path
from kg.rdf.namespaces import KGO
from kg.vocab import VOCAB, VocabularyError, load

ROOT = Path(__file__).resolve().parents[1]


def test_types_and_relations_come_from_the_ontology() -> None:
    ontology = Graph().parse(ontology_path("kg.ttl"))
    assert list(VOCAB.types)[:2] == ["Agency", "Company"] and len(VOCAB.types) == 10
    assert VOCAB.relations["handledBy"].domain == ("Case",)
    assert VOCAB.relations["handledBy"].range == ("Agency", "Association")
    assert [r for r, v in VOCAB.relations.items() if v.symmetric] == ["cooperatesWith"]
    for name, rel in VOCAB.relations.items():
        assert (KGO[name], None, None) in ontology and rel.en and rel.zh


def test_symmetric_relations_have_one_order() -> None:
    assert VOCAB.ordered("b", "cooperatesWith", "a") == ("a", "cooperatesWith", "b")
    assert VOCAB.ordered("b", "handledBy", "a") == ("b", "handledBy", "a")


def test_a_misspelt_term_is_an_error() -> None:
    with pytest.raises(AttributeError):
        KGO.handledby  # noqa: B018
    with pytest.raises(KeyError):
        KGO["cooperateWith"]


def test_a_relation_missing_from_the_ontology_is_refused(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "kg" / "data", tmp_path / "tables")
    with (tmp_path / "tables" / "relations.tsv").open("a", encoding="utf-8") as f:
        f.write("owns\t拥有\n")
    with pytest.raises(VocabularyError, match="owns is not an object property"):
        load(tables=tmp_path / "tables")


def test_the_named_queries_use_only_defined_terms() -> None:
    import re

    for path in ontology_path("queries").glob("*.rq"):
        for term in re.findall(r"\bkgo:(\w+)", path.read_text(encoding="utf-8")):
            assert term in VOCAB.terms, f"{path.name}: kgo:{term}"


def test_relations_per_kind_counts_every_relation_of_the_vocabulary() -> None:
    import re

    text = (ontology_path("queries") / "relations-per-kind.rq").read_text(encoding="utf-8")
    values = re.search(r"VALUES \?p \{([^}]*)\}", text)[1]
    assert re.findall(r"kgo:(\w+)", values) == list(VOCAB.relations)


NEW_RELATION = """
kgo:owns a owl:ObjectProperty ;
    rdfs:label "owns"@en , "拥有"@zh ;
    rdfs:domain kgo:Company ;
    rdfs:range kgo:Brand .
"""

USE_IT = r'''
import json, sys
from pathlib import Path
import kg
from kg.rdf.validate import validate
from kg.learn.evaluate import score
from kg.out.page import page_data, render_network
from kg.out.network import entity_graph
from kg.store.store import Store

folder = Path(sys.argv[1])
stored = Store.from_path(folder / "good.ttl")
good = stored.dataset()
bad = Store.from_path(folder / "bad.ttl").dataset()
gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
result = score({"a1": gold}, good)
page = render_network(good)[0].decode("utf-8")
nx_graph = entity_graph(stored)
print(json.dumps({
    "kg": kg.__file__,
    "good": validate(good).conforms,
    "bad": validate(bad).report,
    "owns": [result.relations["owns"].tp, result.relations["owns"].gold],
    "page": [r for r in page_data(stored, nx_graph, [])["relations"] if r["name"] == "owns"],
    "label": '"label":"拥有"' in page,
}, ensure_ascii=False))
'''

GRAPH = """
@prefix kgo: <https://w3id.org/kg-ip/ontology#> .
@prefix kgr: <https://w3id.org/kg-ip/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
kgr:article\\/a1 a kgo:Article ; dcterms:identifier "a1" .
kgr:Company\\/c1 a kgo:Company ; rdfs:label "东江云雀食品有限公司"@zh ; kgo:mentionedIn kgr:article\\/a1 .
kgr:Brand\\/b1 a kgo:Brand ; rdfs:label "云雀"@zh ; kgo:mentionedIn kgr:article\\/a1 .
"""


def test_a_new_relation_is_a_row_and_an_ontology_term(tmp_path: Path) -> None:
    """In a copy of kg, one row in relations.tsv and one property in kg.ttl make a relation that
    validation checks, evaluation scores and the page draws."""
    copy = tmp_path / "copy"
    shutil.copytree(ROOT / "kg", copy / "kg", ignore=shutil.ignore_patterns("__pycache__", "model"))
    shutil.copytree(ROOT / "ontology", copy / "ontology")
    with (copy / "kg" / "data" / "relations.tsv").open("a", encoding="utf-8") as f:
        f.write("owns\t拥有\n")
    with (copy / "ontology" / "kg.ttl").open("a", encoding="utf-8") as f:
        f.write(NEW_RELATION)
    (tmp_path / "good.ttl").write_text(GRAPH + "kgr:Company\\/c1 kgo:owns kgr:Brand\\/b1 .\n", encoding="utf-8")
    (tmp_path / "bad.ttl").write_text(GRAPH + "kgr:Brand\\/b1 kgo:owns kgr:Company\\/c1 .\n", encoding="utf-8")
    gold = {"doc": "a1", "entities": [{"id": "e1", "type": "Company", "name": "东江云雀食品有限公司"},
                                      {"id": "e2", "type": "Brand", "name": "云雀"}],
            "relations": [{"s": "e1", "p": "owns", "o": "e2"}]}
    (tmp_path / "gold.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(copy)}
    run = subprocess.run([sys.executable, "-c", USE_IT, str(tmp_path)], env=env, cwd=tmp_path, capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout)
    assert Path(seen["kg"]).is_relative_to(copy)
    assert seen["good"] is True
    assert "The subject of kgo:owns must be a kgo:Company" in seen["bad"]
    assert seen["owns"] == [1, 1]
    assert seen["page"] == [{"name": "owns", "zh": "拥有", "en": "owns", "count": 1}] and seen["label"]
