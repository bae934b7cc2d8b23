"""`kg export`: GraphML and GEXF that networkx (and Gephi) read back, node and edge CSV, Neo4j import files.

The graph is kg's bundled invented demo.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import networkx as nx
import pytest

import kg
from kg.store.counts import entity_counts, relation_counts
from kg.out.export import EXPORTS
from helpers import run

# neo4j-admin database import: a header field is `name:type`, `name` alone (a string), or a
# special field, optionally named and with an ID group (`iri:ID`, `:ID(Person)`)
NEO4J_TYPES = {"int", "long", "float", "double", "boolean", "byte", "short", "char", "string", "point", "date",
               "localtime", "time", "localdatetime", "datetime", "duration"}
NEO4J_SPECIAL = {"ID", "LABEL", "START_ID", "END_ID", "TYPE", "IGNORE"}
FIELD = re.compile(r"(?P<name>[^:]*)(?::(?P<kind>[A-Za-z_]+)(?P<array>\[\])?(?:\((?P<group>[^)]*)\))?)?")


@pytest.fixture(scope="module")
def graph(demo) -> nx.MultiDiGraph:
    return kg.open(demo.out).to_networkx()


def export(demo, fmt: str, out: Path) -> Path:
    rc, stdout, err = run("export", str(demo.out), "--format", fmt, "--out", str(out))
    assert rc == 0, err
    return out


def neo4j_header(line: str, special: set[str]) -> dict[str, str]:
    """The fields of a Neo4j import header, each checked against the import tool's grammar."""
    fields = {}
    for text in next(csv.reader([line])):
        m = FIELD.fullmatch(text)
        assert m, text
        kind = m["kind"] or "string"
        if kind in NEO4J_SPECIAL:
            assert kind in special and not m["array"], text
        else:
            assert kind in NEO4J_TYPES and m["name"] and m["group"] is None, text
        fields[m["name"] or f":{kind}"] = kind + (m["array"] or "")
    return fields


def test_every_format_has_an_exporter() -> None:
    assert set(EXPORTS) == {"graphml", "gexf", "csv", "neo4j"}


def test_graphml_round_trips_through_networkx(demo, graph, tmp_path: Path) -> None:
    back = nx.read_graphml(export(demo, "graphml", tmp_path) / "graph.graphml", force_multigraph=True)
    assert (back.number_of_nodes(), back.number_of_edges()) == (graph.number_of_nodes(), graph.number_of_edges())
    counts = kg.open(demo.out).store
    assert back.number_of_nodes() == sum(entity_counts(counts).values())
    assert back.number_of_edges() == sum(relation_counts(counts).values()) > 0
    assert dict(back.nodes(data=True)) == dict(graph.nodes(data=True))
    assert sorted(back.edges(keys=True, data=True)) == sorted(graph.edges(keys=True, data=True))


def test_gexf_round_trips_through_networkx(demo, graph, tmp_path: Path) -> None:
    back = nx.read_gexf(export(demo, "gexf", tmp_path) / "graph.gexf")
    assert (back.number_of_nodes(), back.number_of_edges()) == (graph.number_of_nodes(), graph.number_of_edges())
    some = next(iter(graph))
    assert back.nodes[some]["label"] == graph.nodes[some]["label"]  # Gephi shows it
    assert back.nodes[some]["type"] == graph.nodes[some]["type"]


def test_exports_are_the_same_bytes_every_time(demo, tmp_path: Path) -> None:
    for fmt in ("graphml", "gexf"):
        a, b = export(demo, fmt, tmp_path / f"{fmt}-a"), export(demo, fmt, tmp_path / f"{fmt}-b")
        for f in a.iterdir():
            assert f.read_bytes() == (b / f.name).read_bytes(), f.name
    assert b"lastmodifieddate" not in (tmp_path / "gexf-a" / "graph.gexf").read_bytes()


def test_csv_has_a_row_per_entity_and_relation(demo, graph, tmp_path: Path) -> None:
    out = export(demo, "csv", tmp_path)
    pandas = pytest.importorskip("pandas")
    nodes, edges = pandas.read_csv(out / "nodes.csv"), pandas.read_csv(out / "edges.csv")
    assert list(nodes.columns) == ["id", "label", "type", "altLabels", "articles", "articleIds", "sentences"]
    assert list(edges.columns) == ["source", "target", "relation", "label", "sentences", "evidence"]
    assert (len(nodes), len(edges)) == (graph.number_of_nodes(), graph.number_of_edges())
    assert set(edges["source"]) | set(edges["target"]) <= set(nodes["id"])
    assert "东江市市场监督管理局" in set(nodes["label"])
    assert (out / "nodes.csv").read_bytes().startswith("\ufeffid,".encode())  # spreadsheets read the Chinese right


def test_neo4j_files_follow_the_import_format(demo, graph, tmp_path: Path) -> None:
    out = export(demo, "neo4j", tmp_path)
    node_lines = (out / "nodes.csv").read_text(encoding="utf-8").splitlines()
    rel_text = (out / "relationships.csv").read_text(encoding="utf-8")
    nodes = neo4j_header(node_lines[0], {"ID", "LABEL"})
    rels = neo4j_header(rel_text.splitlines()[0], {"START_ID", "END_ID", "TYPE"})
    assert nodes == {"iri": "ID", ":LABEL": "LABEL", "name": "string", "altLabels": "string[]", "articles": "int",
                     "articleIds": "string[]", "sentences": "int"}
    assert rels == {":START_ID": "START_ID", ":END_ID": "END_ID", ":TYPE": "TYPE", "name": "string",
                    "sentences": "int", "evidence": "string[]"}
    node_rows = list(csv.DictReader(node_lines))
    rel_rows = list(csv.DictReader(io.StringIO(rel_text)))
    assert len(node_rows) == graph.number_of_nodes() and len(rel_rows) == graph.number_of_edges()
    ids = {r["iri:ID"] for r in node_rows}
    assert all(r[":START_ID"] in ids and r[":END_ID"] in ids for r in rel_rows)  # no dangling relationship
    assert {r[":LABEL"] for r in node_rows} <= {"Agency", "Company", "Association", "Case", "Award", "Campaign",
                                                  "LegalDocument", "Brand", "Person", "Place"}
    assert all(r["articles:int"].isdigit() for r in node_rows)
    assert all("\n" not in v for r in rel_rows for v in r.values())  # no --multiline-fields needed
    script = (out / "import.sh").read_text(encoding="utf-8")
    assert "neo4j-admin database import full --nodes=nodes.csv --relationships=relationships.csv" in script


def test_to_networkx_is_written_by_networkx_as_it_is(demo, tmp_path: Path) -> None:
    g = kg.open(demo.out).to_networkx()
    nx.write_graphml(g, tmp_path / "g.graphml")
    nx.write_gexf(g, tmp_path / "g.gexf")
    assert nx.read_graphml(tmp_path / "g.graphml").number_of_nodes() == g.number_of_nodes()


def test_export_from_python_and_errors(demo, tmp_path: Path) -> None:
    written = kg.open(demo.out).export("gexf", tmp_path)
    assert written == [tmp_path / "graph.gexf"]
    with pytest.raises(ValueError, match="unknown export format 'dot'; kg exports graphml, gexf, csv, neo4j"):
        kg.open(demo.out).export("dot", tmp_path)
    rc, _, err = run("export", str(tmp_path / "nowhere"), "--format", "csv", "--out", str(tmp_path / "x"))
    assert rc == 2 and len(err.splitlines()) == 1 and "nowhere" in err
