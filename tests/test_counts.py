"""One definition of "a relation": the build summary, the network page and SPARQL count the same.

A relation is a distinct (subject, relation, object) triple of the union of all articles, after
--min-confidence; a symmetric relation is written in one direction. The demo is kg's invented samples.
"""
from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import kg
from kg.cli import main
from kg.store.counts import entity_counts, relation_counts
from kg.store.search import ask
from kg.vocab import VOCAB

SAID_TWICE = ("西岭市公安局与南屿市海关联合开展“晨光”专项行动。\n", "南屿市海关与西岭市公安局签署合作协议,联合开展执法。\n")


def page_data(path: Path) -> dict:
    html = path.read_text(encoding="utf-8")
    start = html.index('<script type="application/json" id="kg-data">')
    return json.loads(html[html.index(">", start) + 1:html.index("</script>", start)])


def summary_counts(text: str, line: str) -> tuple[int, dict[str, int]]:
    m = re.search(rf"^{line}: (\d+) \((.*)\)$", text, re.MULTILINE)
    parts = [] if m[2] == "none" else m[2].split(", ")
    return int(m[1]), {k: int(v) for k, v in (part.rsplit(" ", 1) for part in parts)}


def test_summary_page_and_sparql_count_the_same_relations(demo) -> None:
    total, per_kind = summary_counts(demo.stdout, "relations")
    data = page_data(demo.out / "network.html")
    page = {r["name"]: r["count"] for r in data["relations"] if r["count"]}
    store = kg.open(demo.out).store
    sparql = {r["relation"].value: int(r["relations"].value) for r in ask(store, "relations-per-kind")}
    assert per_kind == page == sparql == {k: v for k, v in relation_counts(store).items() if v}
    assert total == len(data["edges"]) == sum(sparql.values()) > 0
    entities, per_type = summary_counts(demo.stdout, "entities")
    assert entities == len(data["nodes"]) == sum(entity_counts(store).values())
    assert per_type == {c["name"]: c["count"] for c in data["classes"] if c["count"]}


def test_a_relation_read_in_two_articles_counts_once(tmp_path: Path) -> None:
    g = kg.build(texts={"a1": SAID_TWICE[0], "a2": SAID_TWICE[1]}, model=tmp_path)  # no models: the rules decide
    facts = [f for ag in g.articles for f in ag.facts if f.relation == "cooperatesWith"]
    assert len(facts) == 2 and facts[0].head != facts[1].head  # each article states it its own way round
    assert relation_counts(g.store)["cooperatesWith"] == 1
    stated = g.query("SELECT ?a ?b WHERE { ?a kgo:cooperatesWith ?b }")
    assert len(stated) == 1 and stated[0]["a"] < stated[0]["b"]  # the smaller IRI first
    assert g.to_networkx().number_of_edges() == sum(relation_counts(g.store).values())
    assert "relations: " + str(sum(relation_counts(g.store).values())) in g.summary()


def test_min_confidence_is_counted_after(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for n, text in enumerate(SAID_TWICE):
        (src / f"a{n}.txt").write_text(text, encoding="utf-8")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["build", str(src), "--out", str(tmp_path / "out"), "--min-confidence", "0.95"]) == 0
    total, per_kind = summary_counts(out.getvalue(), "relations")
    assert total == len(page_data(tmp_path / "out" / "network.html")["edges"]) < 3
    assert "cooperatesWith" not in per_kind  # a cooperation read from these sentences is below 0.95
    assert set(relation_counts(kg.open(tmp_path / "out").store)) == set(VOCAB.relations)
