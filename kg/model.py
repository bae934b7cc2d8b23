"""kg's data model: what flows between the stages, in plain dataclasses (no third-party imports).

    read ──Article──► text, nlp ──► resolve ──ArticleGraph(Entity, Fact)──► rdf ──Built──► store, out
      │                   └────────── Failure (any stage) ────────────────────────► failed.jsonl
      └── Skipped (a file in a folder that is not an article) ──────────────────► a line on stderr

An `Article` is one input text with where it came from; an `ArticleGraph` is
what one article contributes to the graph: its entities under their canonical
names and the facts (relations with their evidence) between them. Anything that
goes wrong with one input or article becomes a `Failure` naming the source, the
stage and the reason, so that the rest are still built. Worker processes send
these records back and forth, so importing this module must stay cheap.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

Key = tuple[str, str]  # an entity's (type, canonical name): the same in every article


@dataclass(frozen=True)
class Article:
    id: str
    text: str
    source: str = ""  # file (and line) it was read from
    url: str | None = None
    title: str | None = None
    date: str | None = None
    encoding: str = "utf-8"

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class Entity:
    type: str
    name: str  # canonical name (simplified)
    aliases: set[str] = field(default_factory=set)
    mentions: list[tuple[int, int]] = field(default_factory=list)  # offsets in the original text
    en: str = ""  # English name, for bodies and places of the reference tables
    wikidata: str = ""  # their Wikidata item (a Q-id), where verified

    @property
    def key(self) -> Key:
        return self.type, self.name


@dataclass(frozen=True)
class Fact:
    head: Key
    relation: str
    tail: Key
    confidence: float
    sentence: str  # the evidence as written in the original text
    start: int  # its offsets in the original text
    end: int


@dataclass
class ArticleGraph:
    """What one article contributes to the graph."""

    article: Article
    entities: dict[Key, Entity]
    facts: list[Fact]


@dataclass(frozen=True)
class Built:
    """One article analysed and written as RDF: its named graph as N-Quads (`kg.rdf.graph.nquads`),
    and its ArticleGraph when the caller asked to keep it (the Python API does; `kg build` does not).

    A long article's graph is written to a file instead (`spool`), piece by piece, without the
    triple of its content hash (`stamp`), which the store adds last."""

    id: str
    nquads: bytes
    graph: ArticleGraph | None = None
    spool: str | None = None  # the N-Quads file of a long article's graph
    stamp: bytes = b""  # with `spool`: the content hash triple, as N-Quads


@dataclass(frozen=True)
class Failure:
    """What went wrong with one input or article: for stderr and for `failed.jsonl`."""

    source: str  # file, or file:line
    reason: str  # one line
    stage: str = "read"  # read, normalize, nlp, resolve, rdf
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


@dataclass(frozen=True)
class Skipped:
    """A file in an input folder that is not an article kg reads (an image, a spreadsheet, a PDF
    without the optional reader): not a failure, but named, so that nothing is left out unsaid."""

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: skipped ({self.reason})"


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
