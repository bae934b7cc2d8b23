"""`kg push`: one Graph Store Protocol PUT per article graph.

First against a small recording server written here, then against a real
Virtuoso on loopback when `virtuoso-t` is installed (Debian package
virtuoso-opensource; `make test` installs it where it may).
"""
from __future__ import annotations

import base64
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import rdflib
from SPARQLWrapper import JSON, SPARQLWrapper

from kg.store.queries import named_queries
from kg.store.store import Store
from helpers import run

GRAPHS = ["https://w3id.org/kg-ip/graph/a1", "https://w3id.org/kg-ip/graph/a2"]


def local_graph(store_dir: Path, name: str) -> rdflib.Graph:
    return Store.open(store_dir, read_only=True).dataset().graph(rdflib.URIRef(name))


# -- a recording Graph Store ---------------------------------------------------------

class Recorder(BaseHTTPRequestHandler):
    """Keeps each PUT; asks for Basic authentication when the server has a password."""

    def do_PUT(self) -> None:
        if self.server.password and self.headers.get("Authorization") != self.server.password:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="test"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = self.rfile.read(int(self.headers["Content-Length"]))
        graph = parse_qs(urlsplit(self.path).query)["graph"][0]
        self.server.puts.append((graph, self.headers["Content-Type"], body))
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture()
def recorder():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.puts, server.password = [], None
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def test_one_put_per_article_graph(recorder, store_dir: Path) -> None:
    endpoint = f"http://127.0.0.1:{recorder.server_address[1]}/gsp"
    rc, out, err = run("push", "--store", str(store_dir), "--endpoint", endpoint)
    assert rc == 0, err
    assert f"pushed 2 named graphs from {store_dir} to {endpoint}" in out
    assert [g for g, _, _ in recorder.puts] == GRAPHS
    for graph, content_type, body in recorder.puts:
        assert content_type == "application/n-triples"
        sent = rdflib.Graph().parse(data=body.decode("utf-8"), format="nt")
        assert set(sent) == set(local_graph(store_dir, graph))


def test_push_with_login(recorder, store_dir: Path, monkeypatch) -> None:
    recorder.password = "Basic " + base64.b64encode(b"kg:s3cret").decode()
    endpoint = f"http://127.0.0.1:{recorder.server_address[1]}/gsp"
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", "wrong")
    rc, _, err = run("push", "--store", str(store_dir), "--endpoint", endpoint, "--user", "kg")
    assert rc == 2 and f"{endpoint} refused graph {GRAPHS[0]}: 401" in err and recorder.puts == []
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", "s3cret")
    rc, _, err = run("push", "--store", str(store_dir), "--endpoint", endpoint, "--user", "kg")
    assert rc == 0, err
    assert len(recorder.puts) == 2


def test_push_errors(store_dir: Path, tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    rc, _, err = run("push", "--store", str(store_dir), "--endpoint", f"http://127.0.0.1:{port}/gsp")
    assert rc == 2 and "cannot reach" in err and len(err.strip().splitlines()) == 1
    plain = tmp_path / "g.ttl"
    plain.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    rc, _, err = run("push", str(plain), "--endpoint", "http://127.0.0.1:1/gsp")
    assert rc == 2 and "no named graphs to push" in err


# -- a real Virtuoso -----------------------------------------------------------------

VIRTUOSO_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
ServerThreads = 4
[SPARQL]
ResultSetMaxRows = 10000
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    """A Virtuoso on loopback with a fresh database; its HTTP base address."""
    exe = shutil.which("virtuoso-t")
    if exe is None:
        pytest.skip("Virtuoso is not installed (Debian: apt-get install virtuoso-opensource)")
    folder = tmp_path_factory.mktemp("virtuoso")
    sql, http = free_port(), free_port()
    (folder / "virtuoso.ini").write_text(VIRTUOSO_INI.format(d=folder, sql=sql, http=http), encoding="utf-8")
    subprocess.run([exe, "+configfile", str(folder / "virtuoso.ini"), "+wait"], cwd=folder, check=True, timeout=120,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{http}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/sparql?query=ASK%7B%7D", timeout=5).read()
            break
        except OSError:
            if time.monotonic() > deadline:
                pytest.fail("Virtuoso did not answer within 60 s: " + (folder / "virtuoso.log").read_text()[-500:])
            time.sleep(0.5)
    yield base
    pid = int((folder / "virtuoso.lck").read_text().split("=")[1])
    os.kill(pid, 15)
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)


def ask(base: str, query: str) -> list[tuple]:
    sparql = SPARQLWrapper(f"{base}/sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(JSON)
    doc = sparql.queryAndConvert()
    names = doc["head"]["vars"]
    return [tuple(b[n]["value"] if n in b else None for n in names) for b in doc["results"]["bindings"]]


def test_push_to_virtuoso(virtuoso: str, store_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", "dba")  # a fresh Virtuoso's administrator password
    endpoint = f"{virtuoso}/sparql-graph-crud-auth"
    count = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), 'https://w3id.org/kg-ip/')) } GROUP BY ?g ORDER BY ?g"
    expected = [(g, str(len(local_graph(store_dir, g)))) for g in GRAPHS]
    for _ in range(2):  # pushing again replaces each graph: nothing doubles
        rc, _, err = run("push", "--store", str(store_dir), "--endpoint", endpoint, "--user", "dba")
        assert rc == 0, err
        assert ask(virtuoso, count) == expected
    # the named questions give the same rows on Virtuoso, whose default graph is the union of all
    # graphs but keeps a triple once per graph: rows are compared once each, in order
    store = Store.open(store_dir, read_only=True)
    for name, q in named_queries().items():
        if name == "relations-per-kind":  # counts triples of the default graph: Virtuoso's has one per graph
            continue
        text = q.bound({p: {"name": "东江市市场监管局", "article": "a1"}[p] for p in q.params})
        results = store.query(text)
        ours = [tuple(None if r[v.value] is None else r[v.value].value for v in results.variables) for r in results]
        theirs = list(dict.fromkeys(ask(virtuoso, text)))
        assert [tuple(map(unordered, r)) for r in theirs] == [tuple(map(unordered, r)) for r in ours], name
        assert ours, name  # the fixture answers every question


def unordered(value: str | None) -> object:
    """A GROUP_CONCAT's parts as a set: their order is the engine's."""
    return frozenset(value.split(" | ")) if value and " | " in value else value
