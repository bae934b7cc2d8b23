"""Gold annotations → character spans to learn from, in layers of names that do not overlap.

A gold file lists entities (a canonical name and aliases), not mentions. The
mentions are found by locating every name and alias in the article's
normalised text (`kg.text.normalize`) under the scorer's own comparison
(`kg.text.keys.match_key`: quotes and spaces dropped, NFKC, simplified, lower
case), so "“清源”行动" in a gold file finds 清源行动 written with or without
quotes. A canonical name that the text never spells out (a resolved
abbreviation) is found through its aliases, or not at all.

Names nest: a Case title holds a Company and a Brand, an Agency a Place. The
entity model therefore tags several layers (`data/layers.tsv`), each a
sequence of non-overlapping spans; within a layer the longest name wins, so
杭州市公安局滨江区分局 keeps its place in the bodies layer and the 杭州市公安局 inside
it is only tagged where it stands alone.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from kg.datafiles import read_table
from kg.nlp.spans import Mention
from kg.text.keys import QUOTES, match_key

LEARN_DATA = Path(__file__).parent / "data"
OPENING, CLOSING = "“‘「『《〈", "”’」』》〉"


def read_layers(path: Path = LEARN_DATA / "layers.tsv") -> dict[str, list[str]]:
    """Layer name → its entity types, in file order (a type listed twice has two layers)."""
    layers: dict[str, list[str]] = {}
    for row in read_table(path):
        layers.setdefault(row["layer"], []).append(row["type"])
    return layers


def keyed(text: str) -> tuple[str, list[int]]:
    """`text` under `match_key` character by character, with the index in `text` of each key character.

    The text is already normalised (NFKC, simplified), so only quotes, spaces
    and case remain to be folded; each character folds on its own, which keeps the map exact.
    """
    key, where = [], []
    for i, ch in enumerate(text):
        if QUOTES.fullmatch(ch):
            continue
        for k in ch.lower():
            key.append(k)
            where.append(i)
    return "".join(key), where


def occurrences(text: str, entities: Iterable[Mapping]) -> list[Mention]:
    """Every place in `text` (normalised) where a gold entity's name or an alias is written."""
    key, where = keyed(text)
    found = set()
    for ent in entities:
        for name in {match_key(n) for n in [ent["name"], *ent.get("aliases", [])]} - {""}:
            at = key.find(name)
            while at != -1:
                found.add(Mention(*balanced(text, where[at], where[at + len(name) - 1] + 1), ent["type"]))
                at = key.find(name, at + 1)
    return sorted(found)


def balanced(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen text[start:end] over the quote that opens or closes inside it: “清源”行动, not 清源”行动."""
    inner = text[start:end]
    if start > 0 and text[start - 1] in OPENING and any(c in inner for c in CLOSING) \
            and sum(c in OPENING for c in inner) < sum(c in CLOSING for c in inner):
        start -= 1
    if end < len(text) and text[end] in CLOSING and sum(c in OPENING for c in inner) > sum(c in CLOSING for c in inner):
        end += 1
    return start, end


def layered(spans: Iterable[Mention], layers: Mapping[str, list[str]]) -> dict[str, list[Mention]]:
    """The spans of each layer, without overlaps: longest first, then leftmost.

    A type may have several layers (in file order): a span that overlaps one
    already in the first goes to the next, so a body inside a longer body can
    still be taught; a span that fits in none of its layers is left out.
    """
    out: dict[str, list[Mention]] = {name: [] for name in layers}
    for span in sorted(spans, key=lambda s: (s.start - s.end, s.start, s.label)):
        for layer in (name for name, types in layers.items() if span.label in types):
            if not any(s.start < span.end and span.start < s.end for s in out[layer]):
                out[layer].append(span)
                break
    return {name: sorted(kept) for name, kept in out.items()}


def bio(length: int, spans: Iterable[Mention]) -> list[str]:
    """Per character, its tag in one layer: B- or I- and the type, or O."""
    tags = ["O"] * length
    for s in spans:
        tags[s.start] = f"B-{s.label}"
        tags[s.start + 1:s.end] = [f"I-{s.label}"] * (s.end - s.start - 1)
    return tags
