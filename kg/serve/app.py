"""The WSGI application of `kg serve`: the SPARQL 1.1 Protocol at /sparql, the two pages, and /bind
(a named question with its parameters bound, for the query page).

A request is checked in this order: its Host must name this server (127.0.0.1 or
localhost with the bound port, or a name given with --allowed-host), and an
Origin header, if sent, the same; anything else is 403, which stops a web page
the user visits from reaching the endpoint through DNS rebinding. Then the path
and method: /sparql takes GET, POST, HEAD and OPTIONS, the pages GET, HEAD and
OPTIONS, anything else 405. Every /sparql answer carries `Vary: Accept`; HEAD
gets the headers GET would get, without the body. An unexpected error is one
line on stderr (a traceback with --debug) and a 500 to the client.
"""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

from kg.serve.settings import FORM, HTML, PLAIN, QUERY, UPDATE, Settings, with_charset
from kg.serve.workers import Job, Pool
from kg.store.store import QueryError, Store

LOG = logging.getLogger("kg.serve")
SPARQL_METHODS = ("GET", "HEAD", "POST", "OPTIONS")
PAGE_METHODS = ("GET", "HEAD", "OPTIONS")

Headers = list[tuple[str, str]]
Response = tuple[int, Headers, Iterable[bytes]]


class App:
    """Answers requests for one store through a pool of query workers."""

    def __init__(self, store: Store, pool: Pool, settings: Settings) -> None:
        self.store = store
        self.pool = pool
        self.settings = settings
        self.port = 0  # set once the server is bound
        self._pages: dict[str, bytes] = {}
        self._pages_lock = threading.Lock()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        try:
            status, headers, body = self.respond(environ)
        except Exception as e:  # noqa: BLE001 - the one place where errors meet the client
            if self.settings.debug:
                LOG.exception("kg serve: error answering %s", environ.get("PATH_INFO"))
            else:
                LOG.error("kg serve: error answering %s: %s: %s", environ.get("PATH_INFO"), type(e).__name__, e)
            status, headers, body = text(HTTPStatus.INTERNAL_SERVER_ERROR, "the server failed to answer")
        if environ["REQUEST_METHOD"] == "HEAD":
            if hasattr(body, "close"):
                body.close()
            body = []
        start_response(f"{status} {HTTPStatus(status).phrase}", headers)
        return body

    def respond(self, environ: dict) -> Response:
        refused = self.foreign(environ)
        if refused:
            return text(HTTPStatus.FORBIDDEN, refused)
        path, method = environ.get("PATH_INFO") or "/", environ["REQUEST_METHOD"]
        if path == "/sparql":
            allowed = SPARQL_METHODS
        elif path in ("/", "/network", "/network.html", "/bind"):
            allowed = PAGE_METHODS
        else:
            return text(HTTPStatus.NOT_FOUND, f"nothing at {path}; the endpoint is /sparql, the query page /")
        if method not in allowed:
            status, headers, body = text(HTTPStatus.METHOD_NOT_ALLOWED, f"{path} answers {', '.join(allowed)}")
            return status, headers + [("Allow", ", ".join(allowed))], body
        if method == "OPTIONS":
            return HTTPStatus.NO_CONTENT, [("Allow", ", ".join(allowed))] + vary(path), []
        if path == "/bind":
            return bind(environ)
        if path != "/sparql":
            page = self.page("/network" if path == "/network.html" else path)
            return HTTPStatus.OK, [("Content-Type", HTML), ("Content-Length", str(len(page)))], [page]
        status, headers, body = self.sparql(environ, method)
        return status, headers + vary(path), body

    def foreign(self, environ: dict) -> str | None:
        """Why the request is not for this server (a Host or Origin of another name), or None."""
        hosts = {f"{name}:{self.port}" for name in ("127.0.0.1", "localhost", *self.settings.allowed_hosts)}
        hosts |= set(self.settings.allowed_hosts)
        if self.port == 80:
            hosts |= {"127.0.0.1", "localhost"}
        host = environ.get("HTTP_HOST")
        if host is not None and host.lower() not in hosts:
            return (f"this server answers requests for 127.0.0.1:{self.port} or localhost:{self.port}, not {host}"
                    " (kg serve --allowed-host adds a name)")
        origin = environ.get("HTTP_ORIGIN")
        if origin is not None and origin.lower().removeprefix("http://") not in hosts:
            return f"this server answers no requests from pages of {origin}"
        return None

    def page(self, path: str) -> bytes:
        """The query page at /, the network page at /network (drawn from the store once, when first asked)."""
        with self._pages_lock:
            if path not in self._pages:
                if path == "/":
                    from kg.serve.page import render_query_page

                    self._pages[path] = render_query_page()
                else:
                    from kg.out.page import render_network

                    self._pages[path] = render_network(self.store)[0]
            return self._pages[path]

    def sparql(self, environ: dict, method: str) -> Response:
        url = urlsplit("?" + (environ.get("QUERY_STRING") or ""))
        params = parse_qs(url.query)
        if method == "POST":
            kind = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
            if kind not in (FORM, QUERY, UPDATE):
                return text(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, f"send {FORM} or {QUERY}")
            length = int(environ.get("CONTENT_LENGTH") or 0)  # waitress has checked it and read the body
            body = environ["wsgi.input"].read(length).decode("utf-8", errors="replace")
            if kind == FORM:
                for key, values in parse_qs(body).items():
                    params.setdefault(key, []).extend(values)
            else:
                params["update" if kind == UPDATE else "query"] = [body]
        if "update" in params:
            return text(HTTPStatus.FORBIDDEN, "this endpoint is read-only: updates are not accepted")
        queries = params.get("query", [])
        if len(queries) != 1:
            return text(HTTPStatus.BAD_REQUEST, "give exactly one query parameter (the query page is at /)")
        job = Job(queries[0], environ.get("HTTP_ACCEPT"), self.pool.spool(), params.get("default-graph-uri", []),
                  params.get("named-graph-uri", []), self.settings.max_rows)
        try:
            answer = self.pool.ask(job, environ.get("waitress.client_disconnected", lambda: False))
            if answer.status != HTTPStatus.OK:
                return text(answer.status, answer.message)
            spool = open(job.spool, "rb")  # noqa: SIM115 - closed by the server once sent
        finally:
            if os.path.exists(job.spool):
                os.unlink(job.spool)  # the open file stays readable
        size = os.fstat(spool.fileno()).st_size
        wrapper = environ.get("wsgi.file_wrapper", lambda f, n: iter(lambda: f.read(n), b""))
        return HTTPStatus.OK, [("Content-Type", with_charset(answer.media)), ("Content-Length", str(size))], \
            wrapper(spool, 2**16)


def bind(environ: dict) -> Response:
    """/bind?question=NAME&PARAM=VALUE…: the named question with its parameters bound, as `kg query
    --param` binds them (the query page asks for it; a name becomes its search key there)."""
    from kg.store.queries import named_query

    params = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING") or "").items()}
    try:
        return text(HTTPStatus.OK, named_query(params.pop("question", "")).bound(params))
    except QueryError as e:
        return text(HTTPStatus.BAD_REQUEST, str(e))


def text(status: int, message: str) -> Response:
    """A response of one line of plain text."""
    data = (message + "\n").encode("utf-8")
    return status, [("Content-Type", PLAIN), ("Content-Length", str(len(data)))], [data]


def vary(path: str) -> Headers:
    return [("Vary", "Accept")] if path == "/sparql" else []
