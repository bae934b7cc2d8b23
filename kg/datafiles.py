"""Read kg's data files: one-column lists and TSV tables, with `#` comment lines.

Patterns, gazetteers and word lists live in `kg/data/` and `kg/nlp/data/` so
that they can be read and edited without touching code; this is the one reader.
"""
from __future__ import annotations

import csv
from pathlib import Path

KG_DATA = Path(__file__).parent / "data"
NLP_DATA = Path(__file__).parent / "nlp" / "data"


def _lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [x for x in lines if x.strip() and not x.startswith("#")]


def read_list(path: Path) -> list[str]:
    """The non-comment lines of a one-column file, stripped."""
    return [x.strip() for x in _lines(path)]


def read_table(path: Path) -> list[dict[str, str]]:
    """The rows of a TSV file whose header follows its comment lines."""
    return list(csv.DictReader(_lines(path), delimiter="\t", quoting=csv.QUOTE_NONE))
