"""A read-only SPARQL 1.1 Protocol endpoint over a store, a query page and the network page, on 127.0.0.1.

`/sparql` answers queries sent by GET (`?query=`), by POST as a form (`query=`)
or by POST with the query as the body (`application/sparql-query`);
`default-graph-uri` and `named-graph-uri` are honoured, and without them the
default graph is the union of all article graphs. Results come in the format
the Accept header asks for: SPARQL JSON (the default), XML, CSV or TSV for
SELECT and ASK; Turtle (the default), N-Triples, RDF/XML or JSON-LD for
CONSTRUCT and DESCRIBE. `/` is the query page (kg's prefixes predeclared, the
named questions as examples), `/network` the network page, drawn from the
store on first request.

Errors are SPARQL 1.1 Protocol errors, one line of plain text: 400 for a query
that is malformed or over a limit of `kg.store.limits` (length, nesting,
SERVICE), 403 for an update or a request for another host, 406, 413 for a body
over the cap, 415; 500 for more rows than --max-rows, 503 for a query past
--timeout (its worker is killed). The parts: `settings` (every limit and media
type), `app` (the protocol), `workers` (the query processes and the deadline),
`server` (waitress), `page` (the query page).

The store is opened read-only, as it was when the server started: restart the
server to see a later build.
"""
from __future__ import annotations

from kg.serve.settings import Settings, negotiate
from kg.store.store import Store

__all__ = ["Settings", "make_server", "negotiate"]


def make_server(store: Store, port: int = 0, settings: Settings | None = None):  # noqa: ANN201 - Endpoint, imported late
    """A server bound to 127.0.0.1:port (0: any free port) with its query workers started;
    call serve_forever() to run it, shutdown() from another thread to stop it."""
    from kg.serve.server import Endpoint

    return Endpoint(store, port, settings or Settings())
