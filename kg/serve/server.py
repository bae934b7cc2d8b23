"""`kg serve`'s HTTP server: waitress, bound to 127.0.0.1, in front of the query workers.

waitress rather than the standard library's `http.server`, which reads each
request in the thread that answers it: there, 300 half-sent requests held 300
threads for ever, a chunked body was read as the next request, a bad
Content-Length gave a traceback and a huge one a MemoryError. waitress (pure
Python, no dependencies, the Pylons project's) reads every request whole in one
I/O thread before a thread of its bounded pool sees it; it refuses a
Content-Length over the body cap with 413 before reading the body, a malformed
or negative one with 400, an unknown transfer coding with 501; it reads chunked
bodies, closes idle connections and listens with a real backlog. It is run
with socket errors (clients that disconnect) unlogged.
"""
from __future__ import annotations

import logging
import threading

import waitress
from waitress import wasyncore

from kg.serve.app import App
from kg.serve.settings import Settings
from kg.serve.workers import Pool
from kg.store.store import Store

HOST = "127.0.0.1"


class Endpoint:
    """The endpoint over one store: `serve_forever()` runs it, `shutdown()` (from another thread) stops it."""

    def __init__(self, store: Store, port: int, settings: Settings) -> None:
        quiet()
        self.pool = Pool(store, settings)
        self.app = App(store, self.pool, settings)
        try:
            self.server = waitress.create_server(
                self.app, host=HOST, port=port, ident="kg", threads=settings.threads,
                backlog=settings.backlog, connection_limit=settings.connection_limit,
                channel_timeout=settings.idle_timeout, cleanup_interval=settings.cleanup_interval,
                max_request_body_size=settings.max_body, max_request_header_size=settings.max_header,
                channel_request_lookahead=1,  # lets a running query notice its client has gone
                asyncore_use_poll=True, log_socket_errors=False, expose_tracebacks=False, ipv6=False)
        except BaseException:
            self.pool.close()
            raise
        self.server_address = (HOST, self.server.effective_port)
        self.app.port = self.server.effective_port
        self._stop = threading.Event()
        self._stopped = threading.Event()

    def serve_forever(self) -> None:
        try:
            while not self._stop.is_set():
                wasyncore.loop(timeout=0.2, map=self.server._map, use_poll=True, count=1)
        finally:
            self._stopped.set()
            self.close()

    def shutdown(self) -> None:
        self._stop.set()
        self._stopped.wait(timeout=10)

    def close(self) -> None:
        self.server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)
        wasyncore.close_all(self.server._map)
        self.pool.close()

    server_close = close

    def __enter__(self) -> Endpoint:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def quiet() -> None:
    """waitress logs a warning whenever requests queue for a thread; under load that is normal."""
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    logging.getLogger("waitress").setLevel(logging.ERROR)
