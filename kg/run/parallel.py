"""Analyse articles in other processes: a local process pool or a Dask cluster.

Articles travel in batches, read from the inputs as they are sent; each worker
process loads the spaCy pipeline once and keeps it for every batch it is given,
and hands each article back as its named graph in N-Quads, so the main process
only loads them into the store. They come back in input order whatever order
the batches finish in, and an article's graph does not depend on which batch it
was in, so the store and its outputs are byte for byte those of a one-process
build. Only a few batches per worker are in flight at a time, so memory stays
flat however many articles there are.
"""
from __future__ import annotations

import logging
import math
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.model import Article, Built, Failure
from kg.run.builder import Progress, Settings, analyse_all

if TYPE_CHECKING:
    from distributed import Client

BATCH = 16  # articles per batch: the pipeline's own batch size (kg/nlp/config.cfg)
IN_FLIGHT = 3  # batches per worker submitted ahead of the one being collected


def analyse_batch(articles: list[Article], settings: Settings) -> list[Built | Failure]:
    """What runs in a worker: the one-process analysis of a few articles, written as RDF there."""
    return list(analyse_all(articles, len(articles), None, settings))


def warm_up(model: Path | None = None) -> None:
    """Load the pipeline when a worker starts, not inside its first batch."""
    from kg.nlp.pipeline import load_pipeline

    load_pipeline(model)


def batch_size(total: int, workers: int, most: int) -> int:
    """At most `most` articles a batch, fewer when there are few, so that every worker gets some."""
    return max(1, min(most, math.ceil(total / workers)))


def batches(articles: Iterable[Article], size: int) -> Iterator[list[Article]]:
    """Consecutive batches of at most `size` articles, read from `articles` as they are needed."""
    batch: list[Article] = []
    for article in articles:
        batch.append(article)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def in_order(submit: Callable[[list[Article]], Any], articles: Iterable[Article], total: int, workers: int,
             progress: Progress | None, most: int) -> Iterator[Built | Failure]:
    """Submit batches (`batch_size`), a few per worker ahead, and yield what they built in input order.

    `submit` returns a future (concurrent.futures or Dask: anything with `.result()`).
    """
    pending: deque = deque()
    done = 0

    def collect() -> list[Built | Failure]:
        nonlocal done
        items = pending.popleft().result()
        done += len(items)
        if progress:
            progress(done, total)
        return items

    for chunk in batches(articles, batch_size(total, workers, most)):
        pending.append(submit(chunk))
        if len(pending) > IN_FLIGHT * workers:
            yield from collect()
    while pending:
        yield from collect()


def analyse_in_processes(articles: Iterable[Article], total: int, progress: Progress | None = None,
                         settings: Settings = Settings(), *, workers: int, batch: int = BATCH) -> Iterator[Built | Failure]:
    """Each article built by `workers` local processes, in input order."""
    if not total:
        return
    # spawn: a fresh interpreter is safe whatever threads this one runs (and works everywhere)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=warm_up, initargs=(settings.model,)) as pool:
        submit: Callable[[list[Article]], Future] = lambda chunk: pool.submit(analyse_batch, chunk, settings)  # noqa: E731
        try:
            yield from in_order(submit, articles, total, workers, progress, batch)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def analyse_on_dask(articles: Iterable[Article], total: int, progress: Progress | None = None,
                    settings: Settings = Settings(), *, scheduler: str | Client | None = None,
                    workers: int | None = None, batch: int = BATCH) -> Iterator[Built | Failure]:
    """Each article built on a Dask cluster, in input order.

    `scheduler`: the address of a running scheduler, a `distributed.Client`, or
    None to start a local cluster of `workers` processes (Dask's default count
    when None) for this build only.
    """
    if not total:
        return
    settings = replace(settings, spool=None)  # a remote worker cannot write into this machine's folders
    with dask_client(scheduler, workers) as client:
        count = max(1, len(client.scheduler_info()["workers"]))
        submit = lambda chunk: client.submit(analyse_batch, chunk, settings, pure=False)  # noqa: E731
        yield from in_order(submit, articles, total, count, progress, batch)


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
