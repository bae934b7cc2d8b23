"""kg.store.limits: the checks every query passes before pyoxigraph parses it, in `kg query` and
`KnowledgeGraph.query` (kg serve's are in test_serve_hostile.py).

Each hostile query here kills a process that hands it to pyoxigraph unchecked (a
segmentation fault at 2,500 braces or 5,000 parentheses, measured with 0.5.13), so
the CLI runs in a child process: a crash shows as a negative exit code.
"""
from __future__ import annotations

import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import kg
from kg.store.limits import MAX_DEPTH, MAX_LENGTH, Limits, QueryError, check
from kg.store.store import Store

FIXTURE = Path(__file__).parent / "fixtures" / "queries.trig"
BRACES = "SELECT * WHERE " + "{" * 5000 + "}" * 5000
PARENTHESES = "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 5000 + "?o" + ")" * 5000 + ") }"
NOTS = "SELECT * WHERE { ?s ?p ?o FILTER(" + "!" * 30000 + "false) }"  # no nesting, a 30,000-deep tree


class Listener:
    """A TCP port that records whether anything connected to it; with hold, it keeps each
    connection open and never answers."""

    def __init__(self, hold: bool = False) -> None:
        self.hold = hold
        self.held: list[socket.socket] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.accept, daemon=True)
        self.thread.start()

    def accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            if self.hold:
                self.held.append(conn)
            else:
                conn.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        for conn in self.held:
            conn.close()
        self.sock.close()


@pytest.fixture()
def listener():
    lst = Listener()
    yield lst
    lst.close()


def service_query(port: int) -> str:
    return f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"


def kg_query(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", "query", str(FIXTURE), *args],
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("query, message", [
    (BRACES, f"nests brackets more than {MAX_DEPTH} deep"),
    (PARENTHESES, f"nests brackets more than {MAX_DEPTH} deep"),
    ("SELECT * WHERE { ?s ?p ?o } #" + "x" * MAX_LENGTH, "over the limit of 50,000"),
])
def test_kg_query_refuses_in_one_line(query: str, message: str) -> None:
    done = kg_query(query)
    assert done.returncode == 2, done.stderr[-300:]
    assert done.stderr.count("\n") == 1 and message in done.stderr and "Traceback" not in done.stderr


def test_kg_query_refuses_service_and_sends_nothing(listener: Listener) -> None:
    done = kg_query(service_query(listener.port))
    assert done.returncode == 2 and "federated queries are disabled" in done.stderr
    assert listener.connections == 0


def test_kg_query_survives_a_deep_tree_without_nesting() -> None:
    done = kg_query(NOTS)  # crashes pyoxigraph on an 8 MB stack; runs on the deep one
    assert done.returncode == 0, done.stderr[-300:]
    assert "(0 rows)" in done.stdout


def test_the_api_refuses_the_same(listener: Listener) -> None:
    graph = kg.KnowledgeGraph(Store.from_path(FIXTURE))
    for query, message in [(BRACES, "nests brackets"), (PARENTHESES, "nests brackets"),
                           (service_query(listener.port), "federated queries are disabled")]:
        with pytest.raises(QueryError, match=message):
            graph.query(query)
    assert listener.connections == 0
    assert len(graph.query(NOTS)) == 0
    assert len(graph.query("SELECT ?c WHERE { ?c a kgo:Case }")) == 2  # and still answers


@pytest.mark.parametrize("query", [
    'SELECT * WHERE { ?s ?p "SERVICE {{{{" }',  # in a string
    "SELECT * WHERE { ?s ?p '''SERVICE\n{{''' }",  # in a long string
    "SELECT * WHERE { ?s <http://x/SERVICE(((> ?o }",  # in an IRI
    "SELECT * WHERE { ?s ?p ?o } # SERVICE {{{{{{",  # in a comment
    "PREFIX service: <http://x/> SELECT * WHERE { ?s service:p ?service . ?s ex:SERVICE ?o }",  # names
    "SELECT * WHERE { ?s ?p ?o FILTER(?o < 3 && ?o > 1) }",  # less-than is not an IRI
])
def test_what_is_not_code_counts_for_nothing(query: str) -> None:
    check(query, Limits(max_depth=3))


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { ?s ?p ?o .SERVICE <http://x/> {} }",
    "SELECT * WHERE { ?s ?p 1.SERVICE <http://x/> {} }",
    'SELECT * WHERE { ?s ?p "a"@en.SERVICE <http://x/> {} }',
    "SELECT * WHERE { ?s ?p ?o }service SILENT ?x {}",
    "SELECT * WHERE { ?s ?p ?o\n# a comment\nSeRvIcE <http://x/> {} }",
])
def test_service_is_found_however_it_is_written(query: str) -> None:
    with pytest.raises(QueryError, match="federated queries are disabled"):
        check(query)
    check(query, Limits(allow_service=True))


def test_depth_counts_every_kind_of_bracket() -> None:
    check("SELECT * WHERE { { ( [ ] ) } }", Limits(max_depth=4))
    with pytest.raises(QueryError, match="more than 3 deep"):
        check("SELECT * WHERE {\n{ ( [ ] ) } }", Limits(max_depth=3))
