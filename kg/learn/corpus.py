"""Annotated articles: each article of a gold folder with its gold annotation, and folds by article.

A gold folder is a folder of articles (`.txt`, as `kg build` reads them) with a
`gold/` folder beside them holding `<article id>.json` in the format of
GUIDELINES.md; `../shared/corpus/{seeds,dev,train}` are laid out so. Folds are
drawn by article with a fixed seed, so every run of a cross-validation holds out
the same articles.
"""
from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.model import Article
from kg.read.ingest import read_inputs


@dataclass(frozen=True)
class Annotated:
    article: Article
    gold: dict  # the gold file's content: doc, entities, relations

    @property
    def id(self) -> str:
        return self.article.id


class CorpusError(ValueError):
    """A gold folder that cannot be used for training, in one line."""


def read_annotated(folders: Iterable[Path]) -> list[Annotated]:
    """Every article of the folders that has a gold file, in id order.

    A folder is either a folder of articles with `gold/` inside, or a `gold/`
    folder itself (its articles are then looked for in the folder above).
    """
    out: dict[str, Annotated] = {}
    for folder in map(Path, folders):
        if folder.name == "gold" and not (folder / "gold").is_dir():
            folder = folder.parent
        gold_dir = folder / "gold"
        if not gold_dir.is_dir():
            raise CorpusError(f"{folder}: no gold/ folder of <article id>.json files")
        golds = {}
        for path in sorted(gold_dir.glob("*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
                raise CorpusError(f"{path}: not a gold file ({e})") from e
            golds[data.get("doc") or path.stem] = data
        texts = [p for p in sorted(folder.iterdir()) if p.is_file() and p.suffix.lower() in (".txt", ".html", ".htm", ".jsonl")]
        for item in read_inputs(texts):
            if isinstance(item, Article) and item.id in golds:
                out[item.id] = Annotated(item, golds[item.id])
    if not out:
        raise CorpusError("no article with a gold file in " + ", ".join(map(str, folders)))
    return [out[k] for k in sorted(out)]


def folds(ids: Sequence[str], k: int, seed: int = 13) -> list[list[str]]:
    """`ids` dealt into k folds of near-equal size after a shuffle fixed by `seed`."""
    if not 2 <= k <= len(ids):
        raise ValueError(f"cannot make {k} folds of {len(ids)} articles")
    order = sorted(ids)
    random.Random(seed).shuffle(order)
    return [sorted(order[i::k]) for i in range(k)]
