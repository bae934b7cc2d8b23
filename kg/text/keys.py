"""The match key of a name: the form under which two spellings of a name are the same.

Evaluation (`kg.learn.evaluate`, as `../shared/eval/score.py`) compares names
under this key, and the search (`kg.reference.names.search_key`, the named
questions, `kg search`, the network page) builds on it, so that a name counts as
found exactly when it would count as matched: pinyin annotations removed and
garbles repaired (`kg.text.pinyin`), NFKC (full-width forms), traditional →
simplified (OpenCC t2s), spaces and quotation marks dropped, lower case.
"""
from __future__ import annotations

import re
import unicodedata

from kg.text.pinyin import strip_pinyin
from kg.text.t2s import to_simplified

QUOTES = re.compile(r"[\s“”‘’「」『』《》〈〉\"'`]+")


def match_key(name: str) -> str:
    """The form under which two names are the same for scoring (GUIDELINES.md)."""
    text = unicodedata.normalize("NFKC", strip_pinyin(str(name)))
    return QUOTES.sub("", to_simplified(text)).lower()
