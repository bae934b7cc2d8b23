"""The word lists, trigger words and expressions of kg's rule components, read from a data folder.

`words.tsv` (word, role), `triggers.tsv` (word, relation, role) and
`expressions.tsv` (name, regex) hold every word the rules look for, so that a
word is added or moved to another role without touching code, and a pipeline
saved with `to_disk` carries them (`save`/`Lexicon(folder)`), as spaCy's
SpanRuler carries its patterns.
"""
from __future__ import annotations

import re
import shutil
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from kg.datafiles import read_table

DATA = Path(__file__).parent / "data"  # the bundled word lists, patterns and tables


class Lexicon:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.roles: dict[str, list[str]] = defaultdict(list)
        for row in read_table(folder / "words.tsv"):
            self.roles[row["role"]].append(row["word"])
        self.by_relation: dict[tuple[str, str], list[str]] = defaultdict(list)
        for row in read_table(folder / "triggers.tsv"):
            self.by_relation[(row["relation"], "")].append(row["word"])
            if row["role"]:
                self.by_relation[(row["relation"], row["role"])].append(row["word"])
        self.expressions = {r["name"]: re.compile(r["regex"]) for r in read_table(folder / "expressions.tsv")}

    def words(self, role: str) -> tuple[str, ...]:
        """The words of a role of `words.tsv`, in file order."""
        return tuple(self.roles[role])

    def triggers(self, relation: str, role: str = "") -> tuple[str, ...]:
        """The trigger words of a relation (of one role of it, if given), without repeats, in file order."""
        return tuple(dict.fromkeys(self.by_relation[(relation, role)]))

    def regex(self, name: str) -> re.Pattern:
        """A named expression of `expressions.tsv`."""
        return self.expressions[name]


def alternation(words: Iterable[str]) -> re.Pattern:
    """A regex matching any of the words, longest first."""
    return re.compile("|".join(map(re.escape, sorted(set(words), key=lambda w: (-len(w), w)))))


def save(source: Path, target: Path, names: Iterable[str]) -> None:
    """Copy the named data files of `source` into `target` (a component's `to_disk`)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(source / name, target / name)
