"""Latency of `kg serve` under 50 concurrent clients asking a named question.

    nice -n 10 .venv/bin/python benchmarks/serve_latency.py [--triples 200000] [--clients 50] [--requests 4]
        [--question entity-facts] [--store DIR] [--kg-python PYTHON] [--kg-path CHECKOUT]

Makes a store of synthetic articles in kg's shape (benchmarks/sparql.py's
generator; kept in --store DIR when given, so before/after runs ask the same
store), starts `python -m kg.cli serve --store DIR --port 0` as a separate
process (from --kg-path, e.g. a checkout of main, to measure the endpoint as it
was), and has --clients threads each send --requests GET queries of the named
question one after the other, each on a new connection as SPARQLWrapper does.
A question with a parameter gets the name of the agency in most articles.
Reports the p50, p95 and slowest latency of the requests that were answered,
the count of those that were not (refused, reset, timed out after 60 s), and
the requests per second. Not a test: the figures depend on the machine.

Measured on a shared 2-core machine (load average 3-4), 208,355 triples,
entity-facts (27 rows), 50 clients x 4 requests, three runs each:
- before (main's http.server endpoint, threads, listen backlog 5): p50 22-31 ms,
  p95 1.8-2.8 s, slowest 2.0-4.5 s, 43-67 requests/s; the clients whose
  connections the backlog dropped waited for TCP's 1 s and 3 s retries.
- after (waitress, 2 query worker processes): p50 211-243 ms, p95 460-513 ms,
  slowest 0.7-1.1 s, 149-169 requests/s; every client is admitted and waits its
  turn for a worker (50 clients / ~160 requests/s is ~300 ms).
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sparql import generate, sample_name  # noqa: E402

from kg.store.queries import named_query  # noqa: E402
from kg.store.store import Store  # noqa: E402


def make_store(folder: Path, triples: int) -> None:
    """A store folder holding the synthetic articles, unless it holds a store already."""
    if (folder / "CURRENT").is_file():
        return
    with tempfile.TemporaryDirectory() as tmp:
        nq = Path(tmp) / "articles.nq"
        generate(nq, triples)
        Store.open(folder).ox.bulk_load(path=str(nq), format=__import__("pyoxigraph").RdfFormat.N_QUADS)


def start_server(folder: Path, python: str, kg_path: Path | None) -> tuple[subprocess.Popen, str]:
    env = dict(os.environ, PYTHONPATH=str(kg_path)) if kg_path else None
    proc = subprocess.Popen([python, "-m", "kg.cli", "serve", "--store", str(folder), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
                            cwd=kg_path or None)
    line = proc.stdout.readline()
    match = re.search(r"(http://127\.0\.0\.1:\d+)/sparql", line)
    if not match:
        proc.kill()
        sys.exit(f"kg serve did not start: {line!r}")
    return proc, match[1]


def ask(url: str) -> float | None:
    """Seconds one request took, None if it was not answered with 200."""
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            r.read()
            ok = r.status == 200
    except (urllib.error.URLError, OSError):
        ok = False
    return time.perf_counter() - start if ok else None


def run(url: str, clients: int, requests: int) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    failed = [0]
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def client() -> None:
        barrier.wait()
        for _ in range(requests):
            took = ask(url)
            with lock:
                if took is None:
                    failed[0] += 1
                else:
                    latencies.append(took)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, failed[0], time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--triples", type=int, default=200_000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=4, help="requests per client")
    ap.add_argument("--question", default="entity-facts")
    ap.add_argument("--store", type=Path, help="keep the store here (made if missing)")
    ap.add_argument("--kg-python", default=sys.executable, help="the Python that runs kg serve")
    ap.add_argument("--kg-path", type=Path, help="a kg checkout to serve from (default: the installed kg)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.store or Path(tmp) / "store"
        make_store(folder, args.triples)
        store = Store.open(folder, read_only=True)
        question = named_query(args.question)
        params = {p: sample_name(store) for p in question.params}
        text = question.bound(params)
        rows = sum(1 for _ in store.query(text))
        triples = store.triples()
        del store
        proc, base = start_server(folder, args.kg_python, args.kg_path)
        try:
            url = f"{base}/sparql?" + urlencode({"query": text})
            ask(url)  # warm the store's caches
            latencies, failed, wall = run(url, args.clients, args.requests)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    total = args.clients * args.requests
    print(f"{args.question} {params or ''}: {rows} rows from {triples} triples; "
          f"{args.clients} clients x {args.requests} requests")
    if latencies:
        cuts = statistics.quantiles(latencies, n=20)
        print(f"answered {len(latencies)}/{total}, not answered {failed}; "
              f"p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {cuts[18] * 1000:.0f} ms, "
              f"slowest {max(latencies) * 1000:.0f} ms; {len(latencies) / wall:.1f} requests/s")
    else:
        print(f"no request answered ({failed} failed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
