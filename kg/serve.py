"""A read-only SPARQL 1.1 Protocol endpoint over a store, and the network page, on 127.0.0.1.

`/sparql` answers queries sent by GET (`?query=`), by POST as a form
(`query=`) or by POST with the query as the body (`application/sparql-query`);
`default-graph-uri` and `named-graph-uri` are honoured, and without them the
default graph is the union of all article graphs. Results come in the format
the Accept header asks for: SPARQL JSON (the default), XML, CSV or TSV for
SELECT and ASK; Turtle (the default), N-Triples, RDF/XML or JSON-LD for
CONSTRUCT and DESCRIBE. A malformed query gets 400 with the parser's message,
an update 403. `/` is the network page, drawn from the store on first request.

The store is opened read-only, as it was when the server started: restart the
server to see a later build.
"""
from __future__ import annotations

import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

from kg.store.store import Store

RESULTS = [  # (media type, format); the first is the default
    ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ("application/json", ox.QueryResultsFormat.JSON),
    ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ("application/xml", ox.QueryResultsFormat.XML),
    ("text/csv", ox.QueryResultsFormat.CSV),
    ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
]
GRAPHS = [
    ("text/turtle", ox.RdfFormat.TURTLE),
    ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    ("application/ld+json", ox.RdfFormat.JSON_LD),
    ("text/plain", ox.RdfFormat.N_TRIPLES),
]
TEXT_TYPES = ("text/", "application/n-triples")  # sent with charset=utf-8


class Endpoint(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, store: Store, port: int) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.store = store
        self._page: bytes | None = None
        self._page_lock = threading.Lock()

    def network_page(self) -> bytes:
        with self._page_lock:
            if self._page is None:
                from kg.out.page import render_network

                self._page = render_network(self.store)[0]
            return self._page


def make_server(store: Store, port: int = 0) -> Endpoint:
    """A server bound to 127.0.0.1:port (0: any free port); call serve_forever() to run it."""
    return Endpoint(store, port)


class Handler(BaseHTTPRequestHandler):
    server: Endpoint
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path in ("/", "/network.html"):
            self.send(HTTPStatus.OK, "text/html; charset=utf-8", self.server.network_page())
        elif url.path == "/sparql":
            self.answer(parse_qs(url.query))
        else:
            self.fail(HTTPStatus.NOT_FOUND, f"nothing at {url.path}; the endpoint is /sparql")

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if url.path != "/sparql":
            self.fail(HTTPStatus.NOT_FOUND, f"nothing at {url.path}; the endpoint is /sparql")
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = parse_qs(url.query)
        if kind == "application/x-www-form-urlencoded":
            for key, values in parse_qs(body).items():
                params.setdefault(key, []).extend(values)
        elif kind == "application/sparql-query":
            params["query"] = [body]
        elif kind == "application/sparql-update":
            params["update"] = [body]
        else:
            self.fail(HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                      "send application/x-www-form-urlencoded or application/sparql-query")
            return
        self.answer(params)

    def answer(self, params: dict[str, list[str]]) -> None:
        if "update" in params:
            self.fail(HTTPStatus.FORBIDDEN, "this endpoint is read-only: updates are not accepted")
            return
        queries = params.get("query", [])
        if len(queries) != 1:
            self.fail(HTTPStatus.BAD_REQUEST, "give exactly one query parameter")
            return
        try:
            results = self.server.store.query(queries[0], default_graphs=params.get("default-graph-uri"),
                                              named_graphs=params.get("named-graph-uri"))
        except (SyntaxError, ValueError) as e:
            self.fail(HTTPStatus.BAD_REQUEST, f"malformed query: {e}")
            return
        offers = GRAPHS if isinstance(results, ox.QueryTriples) else RESULTS
        chosen = negotiate(self.headers.get("Accept"), [media for media, _ in offers])
        if chosen is None:
            self.fail(HTTPStatus.NOT_ACCEPTABLE, "acceptable types: " + ", ".join(m for m, _ in offers))
            return
        fmt = dict(offers)[chosen]
        try:
            data = results.serialize(format=fmt) if not isinstance(results, ox.QueryTriples) \
                else ox.serialize(results, format=fmt)
        except (OSError, ValueError, RuntimeError) as e:
            self.fail(HTTPStatus.INTERNAL_SERVER_ERROR, f"cannot answer: {e}")
            return
        charset = "; charset=utf-8" if chosen.startswith(TEXT_TYPES) else ""
        self.send(HTTPStatus.OK, chosen + charset, data or b"")

    def send(self, status: HTTPStatus, content_type: str, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def fail(self, status: HTTPStatus, message: str) -> None:
        self.send(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"))

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        """Quiet: a terminal shows only the start line and errors."""


def negotiate(accept: str | None, offers: list[str]) -> str | None:
    """The offer the Accept header prefers (the first offer if it names none), None if it refuses all."""
    if not accept or not accept.strip():
        return offers[0]
    ranges = []
    for part in accept.split(","):
        media, *options = [x.strip() for x in part.split(";")]
        q = 1.0
        for opt in options:
            key, _, value = opt.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((media.lower(), q))

    def quality(offer: str) -> float:
        kind = offer.split("/")[0]
        best = (-1, 0.0)  # (specificity, q) of the most specific matching range
        for media, q in ranges:
            specificity = 2 if media == offer else 1 if media == f"{kind}/*" else 0 if media == "*/*" else -1
            if specificity > best[0]:
                best = (specificity, q)
        return best[1]

    scored = [(quality(o), -i, o) for i, o in enumerate(offers)]
    q, _, offer = max(scored)
    return offer if q > 0 else None
