"""Mentions and small helpers over character spans that the pipeline's components share."""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.tokens import Doc, Span

CLAUSE_MARKS = (",", ";", "，", "；")


@dataclass(frozen=True, order=True)
class Mention:
    """A typed name at character offsets of the doc's text (the rules' and the entity model's)."""

    start: int
    end: int
    label: str


def write_spans(doc: Doc, key: str, mentions: Iterable[Mention], alignment: str = "contract") -> None:
    """The mentions, in order (longer first at one start), as `doc.spans[key]`; one that no
    token span can hold under `alignment` is left out."""
    spans = []
    for m in sorted(mentions, key=lambda m: (m.start, -m.end, m.label)):
        span = doc.char_span(m.start, m.end, label=m.label, alignment_mode=alignment)
        if span is not None:
            spans.append(span)
    doc.spans[key] = spans


def in_sentence(spans: list[Span], starts: list[int], sent: Span) -> list[Span]:
    """The spans (sorted by start, with their `starts`) that lie within the sentence."""
    lo, hi = bisect_left(starts, sent.start_char), bisect_left(starts, sent.end_char)
    return [s for s in spans[lo:hi] if s.end_char <= sent.end_char]


def strip_quotes(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim unbalanced quotes and spaces at the edges of a span."""
    while start < end and (text[start].isspace() or (text[start] == "“" and "”" not in text[start:end])):
        start += 1
    while end > start and (text[end - 1].isspace() or (text[end - 1] == "”" and "“" not in text[start:end])):
        end -= 1
    return start, end


def clause_start(text: str, pos: int) -> int:
    """Where the clause holding text[pos] begins (after the last comma or semicolon before it)."""
    return max(text.rfind(p, 0, pos) for p in CLAUSE_MARKS) + 1


def clause_end(text: str, pos: int) -> int:
    """Where the clause holding text[pos] ends (at the next comma or semicolon, or the text's end)."""
    ends = [i for i in (text.find(p, pos) for p in CLAUSE_MARKS) if i != -1]
    return min(ends) if ends else len(text)


def inside(a: Span, b: Span) -> bool:
    """Whether span a lies within span b (and is not b)."""
    return b.start_char <= a.start_char and a.end_char <= b.end_char and (a.start_char, a.end_char) != (b.start_char, b.end_char)
