"""What went wrong with one input or article, for stderr and for `failed.jsonl`.

A build never stops at a bad article: each problem becomes a `Failure` naming
the source (file, and line for JSON Lines), the article id when known, the stage
that failed (read, normalize, nlp, resolve, rdf) and the reason in one line.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Failure:
    source: str  # file, or file:line
    reason: str  # one line
    stage: str = "read"
    id: str | None = None
    exception: str | None = None  # the exception's type when an unforeseen error stopped it: a bug to report

    def __post_init__(self) -> None:
        object.__setattr__(self, "reason", " ".join(self.reason.split()))

    def __str__(self) -> str:
        if self.stage == "read":
            return f"{self.source}: {self.reason}"
        return f"{self.source}: article {self.id!r} failed in {self.stage} ({self.reason})"

    @classmethod
    def of(cls, error: BaseException, source: str, stage: str, id: str | None) -> Failure:
        """The failure of an article in a stage, from the exception that stopped it."""
        return cls(source, f"{type(error).__name__}: {error}"[:500], stage, id, type(error).__name__)


def to_jsonl(failures: Iterable[Failure]) -> bytes:
    """One JSON object per line: source, id, stage, reason."""
    fields = ("source", "id", "stage", "reason")
    lines = (json.dumps({k: getattr(f, k) for k in fields}, ensure_ascii=False) for f in failures)
    return "".join(line + "\n" for line in lines).encode("utf-8", "backslashreplace")


class StageError(Exception):
    """An article failed in one stage (normalize, nlp, resolve); `__cause__` says why."""

    def __init__(self, stage: str) -> None:
        super().__init__(stage)
        self.stage = stage
