"""What `kg serve` allows its clients, and the media types it speaks: the endpoint's data in one place.

Each default has its reason (measured on a 2-core machine, pyoxigraph 0.5.13,
waitress 3.0; the hostile tests in tests/test_serve_hostile.py hold them):

- timeout 30 s: a query, waiting for a free worker included, is stopped after
  this by killing its worker process (pyoxigraph 0.5 has no way to cancel a query
  from Python); the CPU is free at once and a new worker is ready in about 1 s.
- max_rows 100,000: the most rows (or triples) one answer may have; results are
  spooled to disk, so this bounds disk and time, not memory.
- workers 2: one query process per core; queries beyond wait, they are not refused.
- threads 16: request threads; waitress reads requests (headers and body) in its
  one I/O thread and hands a thread only a complete request, so half-sent
  requests hold no thread.
- max_body 1 MiB: a URL-encoded form of a 50,000-character Chinese query is
  450 KB; a larger Content-Length is refused with 413 before the body is read.
- idle_timeout 10 s: a connection silent that long is closed (checked every
  `cleanup_interval` seconds), so half-sent requests cannot pile up for ever.
- backlog 1024 and connection_limit 1000: the listen queue of the old server (5)
  dropped 175 of 200 connection attempts from 50 concurrent clients.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from kg.store.limits import Limits


@dataclass(frozen=True)
class Settings:
    timeout: float = 30.0  # seconds
    max_rows: int = 100_000
    workers: int = 2
    threads: int = 16
    max_body: int = 2**20  # bytes
    max_header: int = 2**20  # bytes: a GET query travels in the request line
    idle_timeout: int = 10  # seconds
    cleanup_interval: int = 2  # seconds between checks for idle connections
    backlog: int = 1024
    connection_limit: int = 1000
    allowed_hosts: tuple[str, ...] = ()  # host names besides 127.0.0.1 and localhost (--allowed-host)
    limits: Limits = field(default_factory=Limits)
    debug: bool = False  # tracebacks of unexpected errors on stderr


# (media type, kg.store.writers format); the first is the default.
RESULTS = [
    ("application/sparql-results+json", "json"),
    ("application/json", "json"),
    ("application/sparql-results+xml", "xml"),
    ("application/xml", "xml"),
    ("text/csv", "csv"),
    ("text/tab-separated-values", "tsv"),
]
GRAPHS = [
    ("text/turtle", "turtle"),
    ("application/n-triples", "n-triples"),
    ("application/rdf+xml", "rdf-xml"),
    ("application/ld+json", "json-ld"),
    ("text/plain", "n-triples"),
]
TEXT_TYPES = ("text/", "application/n-triples")  # sent with charset=utf-8
HTML = "text/html; charset=utf-8"
PLAIN = "text/plain; charset=utf-8"
FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"


def with_charset(media: str) -> str:
    return media + "; charset=utf-8" if media.startswith(TEXT_TYPES) else media


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
