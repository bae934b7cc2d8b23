"""The processes that run `kg serve`'s queries, and the deadline that stops them.

pyoxigraph 0.5 cannot cancel a query from Python (oxigraph's cancellation token is
in its Rust API and its own server only), and a query run in a thread of the
server went on burning a core after its client had left. So each query runs in
a worker process that holds the store open read-only (a store folder, or the
graph file loaded into its memory), and a query past its deadline, or whose
client has gone, is stopped by killing that process: its CPU is free at once
(the hostile tests measure it) and a replacement is started in the background.
A worker that dies on a query (it should not: `kg.store.limits` is checked
first) costs only that query.

The worker writes the answer into a spool file in the pool's temporary folder,
row by row (`kg.store.writers`), and tells the server its media type; the server
sends the file and deletes it. An error found before the first byte is sent (a
timeout, too many rows) can so still be a proper status.
"""
from __future__ import annotations

import logging
import multiprocessing
import queue
import shutil
import signal
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from kg.serve.settings import GRAPHS, RESULTS, Settings, negotiate
from kg.store.limits import Limits, QueryError
from kg.store.store import Store, StoreError, first_line

LOG = logging.getLogger("kg.serve")
START_TIMEOUT = 120.0  # seconds a new worker may take to open the store


@dataclass(frozen=True)
class Job:
    query: str
    accept: str | None
    spool: str
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    max_rows: int | None = None


@dataclass(frozen=True)
class Answer:
    """A worker's answer: 200 with the spool's media type, or an error status and one-line message."""

    status: int
    media: str = ""
    message: str = ""


@dataclass(eq=False)  # hashed by identity, kept in a set
class Worker:
    process: multiprocessing.Process
    conn: Connection


def serve_queries(conn: Connection, source: str, limits: Limits) -> None:
    """A worker process: open the store, then answer jobs until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which stops its workers
    try:
        store = Store.from_path(Path(source))
    except Exception as e:  # noqa: BLE001 - told to the server, which says it in one line
        conn.send(Answer(500, message=first_line(e)))
        return
    try:
        conn.send(Answer(200))
        while True:
            conn.send(run(store, conn.recv(), limits))
    except (EOFError, OSError):  # the server has gone
        return


def run(store: Store, job: Job, limits: Limits) -> Answer:
    """One job's answer, its results written to job.spool."""
    import pyoxigraph as ox

    from kg.store.writers import TooManyRows, write

    def read(results: object) -> Answer:
        offers = GRAPHS if isinstance(results, ox.QueryTriples) else RESULTS
        chosen = negotiate(job.accept, [media for media, _ in offers])
        if chosen is None:
            return Answer(406, message="acceptable types: " + ", ".join(m for m, _ in offers))
        with open(job.spool, "wb") as out:
            write(results, dict(offers)[chosen], out, job.max_rows)
        return Answer(200, chosen)

    try:
        return store.query(job.query, job.default_graphs, job.named_graphs, read=read, limits=limits)
    except QueryError as e:
        return Answer(400, message=str(e))
    except TooManyRows as e:
        return Answer(500, message=f"{e}, or start kg serve with a larger --max-rows")
    except StoreError as e:
        return Answer(500, message=str(e))
    except Exception as e:  # noqa: BLE001 - e.g. a SERVICE that failed, when allowed
        return Answer(500, message=f"the query failed: {first_line(e)}")


class Pool:
    """Worker processes over one store; `ask` runs a job in an idle one, within the deadline."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.settings = settings
        self.folder = Path(tempfile.mkdtemp(prefix="kg-serve-"))
        self.source = store.path
        if self.source is None:  # built in memory: the workers load a copy
            self.source = self.folder / "store.nq"
            import pyoxigraph as ox

            store.ox.dump(output=str(self.source), format=ox.RdfFormat.N_QUADS)
        self.context = multiprocessing.get_context("spawn")  # no fork of a threaded server
        self.idle: queue.Queue[Worker] = queue.Queue()
        self.closed = False
        self.lock = threading.Lock()
        self.all: set[Worker] = set()
        try:
            for _ in range(settings.workers):
                self.idle.put(self.start())
        except BaseException:
            self.close()
            raise

    def start(self) -> Worker:
        """A new worker with the store open; StoreError if it cannot open it."""
        mine, theirs = self.context.Pipe()
        process = self.context.Process(target=serve_queries, args=(theirs, str(self.source), self.settings.limits),
                                       name="kg-query-worker", daemon=True)
        process.start()
        theirs.close()
        worker = Worker(process, mine)
        with self.lock:
            self.all.add(worker)
        ready = mine.poll(START_TIMEOUT) and mine.recv()
        if not ready or ready.status != 200:
            self.stop(worker)
            raise StoreError(ready.message if ready else "a query worker did not start")
        return worker

    def spool(self) -> str:
        return str(self.folder / uuid.uuid4().hex)

    def ask(self, job: Job, gone: Callable[[], bool] = lambda: False) -> Answer:
        """The answer to job within settings.timeout (waiting for a worker included), or a 503;
        a worker past the deadline, or whose client is `gone`, is killed and replaced."""
        timeout = self.settings.timeout
        deadline = time.monotonic() + timeout
        try:
            worker = self.idle.get(timeout=timeout)
        except queue.Empty:
            return Answer(503, message=f"all query workers were busy for {timeout:g} s; try again later")
        answered = False
        try:
            worker.conn.send(job)
            while (left := deadline - time.monotonic()) > 0:
                if worker.conn.poll(min(left, 0.2)):
                    answer = worker.conn.recv()
                    answered = True
                    return answer
                if gone():
                    return Answer(503, message="the client closed the connection")  # heard by nobody
            return Answer(503, message=f"the query ran longer than {timeout:g} s, the limit of this server"
                                       " (kg serve --timeout)")
        except (EOFError, OSError):
            return Answer(500, message="the query engine stopped on this query")
        finally:
            if answered:
                self.idle.put(worker)
            else:
                self.replace(worker)

    def replace(self, worker: Worker) -> None:
        """Kill a worker now and start its successor in the background."""
        self.stop(worker)

        def restart() -> None:
            if self.closed:
                return
            try:
                self.idle.put(self.start())
            except StoreError as e:
                LOG.error("kg serve: cannot start a query worker: %s", e)

        threading.Thread(target=restart, name="kg-worker-restart", daemon=True).start()

    def stop(self, worker: Worker) -> None:
        """Kill a worker and close its pipe, once: a deadline's thread and `close` may both ask."""
        with self.lock:
            if worker not in self.all:
                return
            self.all.discard(worker)
        worker.process.kill()
        worker.process.join()
        worker.conn.close()

    def close(self) -> None:
        self.closed = True
        with self.lock:
            workers = list(self.all)
        for worker in workers:
            self.stop(worker)
        shutil.rmtree(self.folder, ignore_errors=True)
