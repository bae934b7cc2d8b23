"""`kg serve`: the SPARQL 1.1 Protocol endpoint, asked by SPARQLWrapper and by plain HTTP."""
from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest
import rdflib
from SPARQLWrapper import CSV, JSON, POST, POSTDIRECTLY, TURTLE, URLENCODED, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from kg.store.queries import named_query
from kg.serve import negotiate
from kg.store.store import Store

FIXTURE = Path(__file__).parent / "fixtures" / "queries.trig"
CASES = named_query("cases-per-agency").text
CASES_ROWS = [("东江市市场监督管理局", "2"), ("东江市品牌保护协会", "1")]




def client(endpoint: str, query: str, fmt: str = JSON) -> SPARQLWrapper:
    sparql = SPARQLWrapper(f"{endpoint}/sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    return sparql


def json_rows(doc: dict) -> list[tuple]:
    names = doc["head"]["vars"]
    return [tuple(b[n]["value"] if n in b else None for n in names) for b in doc["results"]["bindings"]]


def http(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, r.headers["Content-Type"], r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers["Content-Type"], e.read()


# -- with SPARQLWrapper --------------------------------------------------------------

def test_sparqlwrapper_get_json(endpoint: str) -> None:
    assert json_rows(client(endpoint, CASES).queryAndConvert()) == CASES_ROWS


@pytest.mark.parametrize("request_method", [URLENCODED, POSTDIRECTLY])
def test_sparqlwrapper_post(endpoint: str, request_method: str) -> None:
    sparql = client(endpoint, CASES)
    sparql.setMethod(POST)
    sparql.setRequestMethod(request_method)
    assert json_rows(sparql.queryAndConvert()) == CASES_ROWS


def test_sparqlwrapper_csv_and_xml(endpoint: str) -> None:
    table = list(csv.reader(io.StringIO(client(endpoint, CASES, CSV).queryAndConvert().decode("utf-8"))))
    assert [tuple(r) for r in table] == [("body", "cases"), *CASES_ROWS]
    doc = client(endpoint, CASES, XML).queryAndConvert()  # an xml.dom Document
    values = [b.getElementsByTagName("literal")[0].firstChild.data for b in doc.getElementsByTagName("binding")]
    assert values == [v for row in CASES_ROWS for v in row]


def test_sparqlwrapper_ask_and_construct(endpoint: str) -> None:
    assert client(endpoint, "ASK { ?c a kgo:Case }").queryAndConvert()["boolean"] is True
    construct = "CONSTRUCT { ?c rdfs:label ?l } WHERE { ?c a kgo:Case ; rdfs:label ?l }"
    g = rdflib.Graph().parse(data=client(endpoint, construct, TURTLE).queryAndConvert(), format="turtle")
    assert sorted(str(o) for o in g.objects()) == ["宏达专利纠纷案", "宏达商标侵权案"]


def test_sparqlwrapper_bad_query(endpoint: str) -> None:
    with pytest.raises(QueryBadFormed):
        client(endpoint, "SELECT ?x WHERE {").queryAndConvert()


# -- the protocol by hand ------------------------------------------------------------

@pytest.mark.parametrize("accept, content_type", [
    (None, "application/sparql-results+json"),
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv; charset=utf-8"),
    ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
    ("text/html;q=0.9, text/csv;q=0.5, */*;q=0.1", "text/csv; charset=utf-8"),
    ("*/*", "application/sparql-results+json"),
])
def test_content_types(endpoint: str, accept: str | None, content_type: str) -> None:
    status, got, body = http(f"{endpoint}/sparql?" + urlencode({"query": CASES}), headers={"Accept": accept} if accept else {})
    assert (status, got) == (200, content_type)
    assert "东江市品牌保护协会".encode() in body


def test_default_and_named_graph_parameters(endpoint: str) -> None:
    query = "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a kgo:Case }"
    args = {"query": query, "default-graph-uri": "https://w3id.org/kg-ip/graph/a1"}
    _, _, body = http(f"{endpoint}/sparql?" + urlencode(args))
    assert json_rows(json.loads(body)) == [("1",)]
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?c a kgo:Case } }"
    args = {"query": query, "named-graph-uri": "https://w3id.org/kg-ip/graph/a2"}
    _, _, body = http(f"{endpoint}/sparql?" + urlencode(args))
    assert json_rows(json.loads(body)) == [("https://w3id.org/kg-ip/graph/a2",)]


@pytest.mark.parametrize("how, expected", [
    ("bad query", (400, "not a valid SPARQL query")),
    ("no query", (400, "exactly one query")),
    ("update", (403, "read-only")),
    ("update form", (403, "read-only")),
    ("wrong body type", (415, "application/sparql-query")),
    ("not acceptable", (406, "acceptable types")),
    ("wrong path", (404, "/sparql")),
])
def test_errors(endpoint: str, how: str, expected: tuple[int, str]) -> None:
    url = f"{endpoint}/sparql"
    requests = {
        "bad query": (url + "?" + urlencode({"query": "SELECT ?x WHERE {"}), None, {}),
        "no query": (url, None, {}),
        "update": (url, b"DROP ALL", {"Content-Type": "application/sparql-update"}),
        "update form": (url, b"update=DROP%20ALL", {"Content-Type": "application/x-www-form-urlencoded"}),
        "wrong body type": (url, CASES.encode(), {"Content-Type": "text/plain"}),
        "not acceptable": (url + "?" + urlencode({"query": CASES}), None, {"Accept": "image/png"}),
        "wrong path": (f"{endpoint}/other", None, {}),
    }
    status, content_type, body = http(*requests[how])
    assert status == expected[0]
    assert content_type == "text/plain; charset=utf-8" and expected[1] in body.decode("utf-8")


def test_network_page(endpoint: str) -> None:
    status, content_type, body = http(f"{endpoint}/network")
    assert (status, content_type) == (200, "text/html; charset=utf-8")
    assert b"<html" in body.lower() and "东江市品牌保护协会".encode() in body


def test_query_page_lists_the_named_questions(endpoint: str) -> None:
    status, content_type, body = http(f"{endpoint}/")
    assert (status, content_type) == (200, "text/html; charset=utf-8")
    assert b'"cases-per-agency"' in body and b"https://w3id.org/kg-ip/ontology#" in body


def test_negotiate() -> None:
    offers = ["a/json", "a/xml", "text/csv"]
    assert negotiate(None, offers) == "a/json"
    assert negotiate("text/*", offers) == "text/csv"
    assert negotiate("a/xml;q=0.4, a/json;q=0.3", offers) == "a/xml"
    assert negotiate("*/*;q=0.5, a/json;q=0", offers) == "a/xml"  # the specific range wins over */*
    assert negotiate("image/png", offers) is None


def test_kg_serve_command(tmp_path: Path) -> None:
    """The command itself: opens a store folder, says where it listens, answers, stops on a signal."""
    store = Store.open(tmp_path / "store")
    store.put_articles(rdflib.Dataset().parse(FIXTURE, format="trig"))
    del store  # closes it
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--store", str(tmp_path), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        url = re.search(r"(http://127\.0\.0\.1:\d+/sparql)", line)
        assert url, line + proc.stderr.read()
        assert json_rows(client(url[1].removesuffix("/sparql"), CASES).queryAndConvert()) == CASES_ROWS
    finally:
        proc.terminate()
        proc.wait(timeout=10)
