"""A progress bar for long builds: articles done, articles per second and time left.

A `kg.run.builder.Progress` callback drawn by tqdm on stderr. The CLI shows it only
on a terminal; the Python API when asked (`kg.build(..., progress=True)`).
"""
from __future__ import annotations

import sys
from types import TracebackType

from tqdm import tqdm


class ProgressBar:
    """Called with (articles done, articles in all); the bar appears at the first call."""

    def __init__(self) -> None:
        self.bar: tqdm | None = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = tqdm(total=total, unit=" articles", file=sys.stderr, dynamic_ncols=True, smoothing=0.1)
        self.bar.update(done - self.bar.n)

    @property
    def done(self) -> int:
        return self.bar.n if self.bar is not None else 0

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
