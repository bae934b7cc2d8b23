"""The entity graph as tables: node and edge CSV for pandas and spreadsheets, and for Neo4j.

`csv_tables` writes `nodes.csv` and `edges.csv` with one column per attribute of
`kg.out.network.to_networkx` (UTF-8 with a byte-order mark, so that spreadsheet
programs read the Chinese right; pandas skips it). `neo4j` writes the header
format of `neo4j-admin database import full`: `nodes.csv` with `iri:ID`,
`:LABEL` (the entity type) and typed properties, `relationships.csv` with
`:START_ID`, `:END_ID`, `:TYPE` (the relation) and typed properties, lists as
`string[]` with Neo4j's default array delimiter `;` (a `;` inside a name or a
sentence becomes `；`), and `import.sh` with the command that loads them.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable

import networkx as nx

from kg.out.network import SEPARATOR

NODE_COLUMNS = ("id", "label", "type", "altLabels", "articles", "articleIds", "sentences")
EDGE_COLUMNS = ("source", "target", "relation", "label", "sentences", "evidence")
ARRAY = ";"  # neo4j-admin's default --array-delimiter
IMPORT = """#!/bin/sh
# Load these files into a new Neo4j database (Neo4j 5; the database must not exist yet, or pass
# --overwrite-destination): sh import.sh [DATABASE]. Then, in Cypher:
#   MATCH (c:Case)-[:handledBy]->(a:Agency) RETURN a.name, count(c) ORDER BY count(c) DESC
cd "$(dirname "$0")" &&
neo4j-admin database import full --nodes=nodes.csv --relationships=relationships.csv "${1:-neo4j}"
"""


def table(header: Iterable[str], rows: Iterable[Iterable[object]], bom: bool = False) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode("utf-8") + out.getvalue().encode("utf-8")


def csv_tables(graph: nx.MultiDiGraph) -> dict[str, bytes]:
    """`nodes.csv` and `edges.csv`: one row per entity and per relation."""
    nodes = ([n, *(d[c] for c in NODE_COLUMNS[1:])] for n, d in graph.nodes(data=True))
    edges = ([u, v, *(d[c] for c in EDGE_COLUMNS[2:])] for u, v, d in graph.edges(data=True))
    return {"nodes.csv": table(NODE_COLUMNS, nodes, bom=True), "edges.csv": table(EDGE_COLUMNS, edges, bom=True)}


def array(items: Iterable[str]) -> str:
    return ARRAY.join(item.replace(ARRAY, "；") for item in items if item)


def neo4j(graph: nx.MultiDiGraph) -> dict[str, bytes]:
    """The node and relationship files of `neo4j-admin database import full`, and `import.sh`."""
    nodes = ([n, d["label"], d["type"], array(d["altLabels"].split(SEPARATOR)), d["articles"],
              array(d["articleIds"].split(SEPARATOR)), d["sentences"]] for n, d in graph.nodes(data=True))
    edges = ([u, v, d["relation"], d["label"], d["sentences"], array(d["evidence"].split("\n"))]
             for u, v, d in graph.edges(data=True))
    return {
        "nodes.csv": table(("iri:ID", "name", ":LABEL", "altLabels:string[]", "articles:int",
                            "articleIds:string[]", "sentences:int"), nodes),
        "relationships.csv": table((":START_ID", ":END_ID", ":TYPE", "name", "sentences:int", "evidence:string[]"),
                                   edges),
        "import.sh": IMPORT.encode("utf-8"),
    }
