"""Small helpers over character spans that the rule components share."""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from spacy.tokens import Span

CLAUSE_MARKS = (",", ";", "，", "；")


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    label: str


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
