"""One article → its entities and relations, in pieces of bounded size, naming the stage that fails.

Normalisation, the spaCy pipeline and resolution each hold several objects per
character, so a 50 MB dump taken whole would need gigabytes (and spaCy refuses
texts over a million characters). Articles longer than `MAX_CHARS` are cut at
paragraph ends, else sentence ends, each piece is analysed alone, and the pieces
are joined with their offsets shifted back into the whole text, so provenance
offsets stay exact. News articles are far shorter and are analysed whole.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from kg.model import Article, ArticleGraph, Entity, StageError
from kg.nlp.pipeline import load_pipeline
from kg.nlp.pipeline import MODEL
from kg.relate.model import FILE, RelationModel
from kg.resolve.resolver import RelationDecider, Resolver, dedupe
from kg.text.normalize import normalize

MAX_CHARS = 20_000
SENTENCE_ENDS = "。！？；"


class Analyser:
    """Runs normalisation, the spaCy pipeline and resolution on one article at a time.

    model: the folder of trained models the pipeline uses (None: the shipped ones);
    relations: what decides the relations instead of the folder's relation model.
    """

    def __init__(self, max_chars: int | None = None, model: Path | None = None,
                 relations: RelationDecider | None = None) -> None:
        self.nlp = load_pipeline(model)
        self.resolver = Resolver(relations or relation_model(model))
        self.max_chars = max_chars or MAX_CHARS

    def __call__(self, article: Article) -> ArticleGraph:
        parts = []
        for start, end in pieces(article.text, self.max_chars):
            with stage("normalize"):
                norm = normalize(article.text[start:end])
            with stage("nlp"):
                doc = self.nlp(norm.text)
            with stage("resolve"):
                parts.append((start, self.resolver(article, norm, doc)))
        with stage("resolve"):
            return join(article, parts)


def relation_model(model: Path | None) -> RelationModel | None:
    """The relation classifier of a model folder, if it has one (without, the rules decide)."""
    path = (model or MODEL) / FILE
    return RelationModel.from_disk(path) if path.is_file() else None


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Turns any exception inside the block into a StageError naming the stage."""
    try:
        yield
    except StageError:
        raise
    except Exception as e:
        raise StageError(name) from e


def pieces(text: str, size: int) -> Iterator[tuple[int, int]]:
    """(start, end) of consecutive pieces of text, each at most `size` characters, cut after
    a line break, else after a sentence end, else before a character that is not combining."""
    start, n = 0, len(text)
    while n - start > size:
        low, high = start + size // 2, start + size
        cut = text.rfind("\n", low, high) + 1
        if not cut:
            cut = max(text.rfind(c, low, high) for c in SENTENCE_ENDS) + 1
        if not cut:
            cut = high
            while cut > low and unicodedata.combining(text[cut]):
                cut -= 1
        yield start, cut
        start = cut
    yield start, n


def join(article: Article, parts: list[tuple[int, ArticleGraph]]) -> ArticleGraph:
    """One article's graph from the graphs of its pieces, each with the offset of its piece."""
    if len(parts) == 1 and parts[0][0] == 0:
        return parts[0][1]
    entities: dict[tuple[str, str], Entity] = {}
    facts = []
    for offset, ag in parts:
        for key, ent in ag.entities.items():
            whole = entities.setdefault(key, Entity(ent.type, ent.name, en=ent.en, wikidata=ent.wikidata))
            whole.aliases |= ent.aliases
            whole.mentions += [(s + offset, e + offset) for s, e in ent.mentions]
        facts += [replace(f, start=f.start + offset, end=f.end + offset) for f in ag.facts]
    return ArticleGraph(article, entities, dedupe(facts))
