"""The search key of a name: how a name a user types finds the entity, in any script or short form.

A user types the name they know: 東江市市場監管局 for the entity labelled
东江市市场监督管理局. The key is the scorer's match key (`kg.text.keys.match_key`:
pinyin, width, script, quotes and case made alike) with a listed abbreviated
ending written out (`data/abbreviations.tsv`, kind `suffix`: 市场监管局 → 市场监督管理局,
中院 → 中级人民法院), so two names that evaluation counts as the same always get the
same key, and a short ending finds the full one. Every name of an entity
(`rdfs:label`, `skos:altLabel`, `skos:prefLabel`) is written into the graph with its key
(`kgo:searchKey`; `name_keys`), and the named questions look the typed name's key up
there: one index lookup, as fast as matching the label itself.

The network page cannot run Python; `page_rules` gives its script the same rules as
data (the quotation marks, the endings, the traditional characters of the names it
holds), and a browser test checks that it computes the same keys.
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from kg.reference.bodies import load
from kg.text.keys import QUOTES, match_key
from kg.text.pinyin import TONE_VOWELS
from kg.text.t2s import traditional_of


@lru_cache(maxsize=1)
def endings() -> tuple[tuple[str, str], ...]:
    """(abbreviated ending, full ending) pairs as keys, longest abbreviation first."""
    pairs = {(match_key(short), match_key(full)) for short, full in load().suffixes}
    return tuple(sorted(pairs, key=lambda p: (-len(p[0]), p)))


@lru_cache(maxsize=65536)
def search_key(name: str) -> str:
    """The key under which `name` finds an entity: its match key with an abbreviated ending written out."""
    key = match_key(name)
    for short, full in endings():
        if key.endswith(short):
            return key[: len(key) - len(short)] + full
    return key


def name_keys(name: str) -> set[str]:
    """The keys a name is stored under (`kgo:searchKey`): its search key, and its match key when an
    ending was written out, so that a part of the name as written (监管) is found inside it too."""
    return {match_key(name), search_key(name)} - {""}


def page_rules(keys: Iterable[str]) -> dict:
    """What the network page's script needs to compute `search_key` of a typed name.

    `keys`: the keys of the names on the page; only the traditional forms of their
    characters are sent (a character no name holds cannot be part of a match).
    """
    chars = {c for key in keys for c in key}
    t2s = {t: s for s in sorted(chars) for t in traditional_of(s)}
    tones = TONE_VOWELS + "\u0300\u0301\u0304\u0308\u030c"  # a tone mark: unmistakably pinyin
    return {"quotes": QUOTES.pattern, "tones": tones, "endings": [list(p) for p in endings()], "t2s": t2s}
