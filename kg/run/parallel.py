"""Analyse articles in other processes: a local process pool or a Dask cluster.

Articles travel in batches; each worker process loads the spaCy pipeline once
and keeps it for every batch it is given. Per-article graphs come back in input
order whatever order the batches finish in, and an article's graph does not
depend on which batch it was in, so the merged graph is byte for byte the
graph of a one-process build. Only a few batches per worker are in flight at a
time, so memory stays flat however many articles there are.
"""
from __future__ import annotations

import logging
import math
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.run.builder import Progress, analyse_all
from kg.model import Failure
from kg.model import Article
from kg.model import ArticleGraph

if TYPE_CHECKING:
    from distributed import Client

BATCH = 16  # articles per batch: the pipeline's own batch size (kg/nlp/config.cfg)
IN_FLIGHT = 3  # batches per worker submitted ahead of the one being collected


def analyse_batch(articles: list[Article], model: Path | None = None) -> list[ArticleGraph | Failure]:
    """What runs in a worker: the one-process analysis of a few articles."""
    return list(analyse_all(articles, model=model))


def warm_up(model: Path | None = None) -> None:
    """Load the pipeline when a worker starts, not inside its first batch."""
    from kg.nlp.pipeline import load_pipeline

    load_pipeline(model)


def batches(articles: Sequence[Article], workers: int, most: int) -> Iterator[list[Article]]:
    """Batches of at most `most` articles, smaller when there are few, so that every worker gets some."""
    size = max(1, min(most, math.ceil(len(articles) / workers)))
    for start in range(0, len(articles), size):
        yield list(articles[start:start + size])


def in_order(submit: Callable[[list[Article]], Any], articles: Sequence[Article], workers: int,
             progress: Progress | None, batch: int) -> Iterator[ArticleGraph | Failure]:
    """Submit batches, a few per worker ahead, and yield their graphs in input order.

    `submit` returns a future (concurrent.futures or Dask: anything with `.result()`).
    """
    pending: deque = deque()
    done = 0

    def collect() -> list[ArticleGraph | Failure]:
        nonlocal done
        graphs = pending.popleft().result()
        done += len(graphs)
        if progress:
            progress(done, len(articles))
        return graphs

    for chunk in batches(articles, workers, batch):
        pending.append(submit(chunk))
        if len(pending) > IN_FLIGHT * workers:
            yield from collect()
    while pending:
        yield from collect()


def analyse_in_processes(articles: Sequence[Article], progress: Progress | None = None, *, workers: int,
                         batch: int = BATCH, model: Path | None = None) -> Iterator[ArticleGraph | Failure]:
    """Each article's graph, computed by `workers` local processes, in input order."""
    if not articles:
        return
    # spawn: a fresh interpreter is safe whatever threads this one runs (and works everywhere)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=warm_up, initargs=(model,)) as pool:
        submit: Callable[[list[Article]], Future] = lambda chunk: pool.submit(analyse_batch, chunk, model)  # noqa: E731
        try:
            yield from in_order(submit, articles, workers, progress, batch)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def analyse_on_dask(articles: Sequence[Article], progress: Progress | None = None, *,
                    scheduler: str | Client | None = None, workers: int | None = None,
                    batch: int = BATCH, model: Path | None = None) -> Iterator[ArticleGraph | Failure]:
    """Each article's graph, computed on a Dask cluster, in input order.

    `scheduler`: the address of a running scheduler, a `distributed.Client`, or
    None to start a local cluster of `workers` processes (Dask's default count
    when None) for this build only.
    """
    if not articles:
        return
    with dask_client(scheduler, workers) as client:
        count = max(1, len(client.scheduler_info()["workers"]))
        submit = lambda chunk: client.submit(analyse_batch, chunk, model, pure=False)  # noqa: E731
        yield from in_order(submit, articles, count, progress, batch)


@contextmanager
def dask_client(scheduler: str | Client | None, workers: int | None) -> Iterator[Client]:
    try:
        from distributed import Client, LocalCluster
    except ImportError as e:
        raise ImportError("kg build --dask needs Dask: pip install 'kg-ip[dask]'") from e
    if isinstance(scheduler, Client):
        yield scheduler
    elif scheduler:
        if workers is not None:
            raise ValueError("workers sets the size of a local cluster; a running scheduler has its own workers")
        with Client(scheduler) as client:
            yield client
    else:
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
            yield client
