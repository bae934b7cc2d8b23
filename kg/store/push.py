"""Copy a store's article graphs to a SPARQL server with the SPARQL 1.1 Graph Store HTTP Protocol.

Each named graph is sent as N-Triples in one `PUT ENDPOINT?graph=IRI`, which
replaces that graph on the server: pushing again updates changed articles and
never duplicates anything. Only named graphs are pushed (a store's default
graph is their union; a plain Turtle file has no named graphs to push). Logins use HTTP Digest or Basic authentication, whichever the server asks
for (Virtuoso's `/sparql-graph-crud-auth` asks for Digest).
"""
from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from kg.store.store import Store

TIMEOUT = 60  # seconds per request


class PushError(Exception):
    """The server refused a graph or could not be reached, as a one-line message."""


def push(store: Store, endpoint: str, user: str | None = None, password: str | None = None,
         progress: Callable[[int, int], None] | None = None) -> int:
    """PUT every named graph of the store to endpoint; how many were pushed."""
    if urlsplit(endpoint).scheme not in ("http", "https"):
        raise PushError(f"{endpoint}: not an http(s) address")
    graphs = store.named_graphs()
    if not graphs:
        raise PushError(f"{store.name}: no named graphs to push (push graph.trig or a store)")
    opener = make_opener(endpoint, user, password)
    for i, name in enumerate(graphs, 1):
        put(opener, endpoint, name, store.dump_graph(name))
        if progress:
            progress(i, len(graphs))
    return len(graphs)


def make_opener(endpoint: str, user: str | None, password: str | None) -> urllib.request.OpenerDirector:
    if user is None:
        return urllib.request.build_opener()
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, endpoint, user, password or "")
    return urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(passwords),
                                       urllib.request.HTTPBasicAuthHandler(passwords))


def put(opener: urllib.request.OpenerDirector, endpoint: str, graph: str, ntriples: bytes) -> None:
    sep = "&" if urlsplit(endpoint).query else "?"
    request = urllib.request.Request(f"{endpoint}{sep}{urlencode({'graph': graph})}", data=ntriples, method="PUT",
                                     headers={"Content-Type": "application/n-triples"})
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            response.read()
    except urllib.error.HTTPError as e:
        detail = " ".join(e.read().decode("utf-8", errors="replace").split())[:200]
        raise PushError(f"{endpoint} refused graph {graph}: {e.code} {e.reason}{': ' + detail if detail else ''}") from e
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", None) or e
        raise PushError(f"cannot reach {endpoint} ({reason})") from e
