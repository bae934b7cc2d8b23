"""Training sentences for the entity model: the run-time features of each sentence and its gold tags.

Every text goes through the same steps as in `kg build`: `kg.text.normalize`, then
kg_lac (keeping the states of one LAC layer) and kg_entities (the rules, whose
names become features), so the model learns from exactly what it will see at
run time (`kg.nlp.tagger.sentence_inputs`). Gold tags come from gold folders
(`kg.learn.spans`) and from CLUENER2020 (`data/cluener.tsv` maps its labels).
A sentence's gold tags in a layer are tag ids, -1 where any tag may stand (a
CLUENER name of a label that is masked); a layer missing from `gold` is not
taught by that sentence (CLUENER has no cases or awards).
"""
from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from kg.datafiles import read_table
from kg.learn.corpus import Annotated
from kg.learn.spans import LEARN_DATA, bio, layered, occurrences
from kg.nlp import entities, lac  # noqa: F401  (registers kg_lac and kg_entities)
from kg.nlp.spans import Mention
from kg.nlp.tagger import sentence_inputs, tag_names
from kg.text.normalize import normalize
from kg.vocab import VOCAB

RULE_TYPES = VOCAB.headline + VOCAB.other  # every type the rules propose is a feature


@dataclass
class Sentence:
    source: str  # article id, or "cluener:<line>"
    start: int  # offset in the normalised text of its source
    states: numpy.ndarray  # [length, width] LAC's states
    tags: list[str]  # LAC's word position and tag per character
    rules: numpy.ndarray  # [length, 3 × rule types] the rules' proposals
    gold: dict[str, numpy.ndarray] = field(default_factory=dict)  # layer → tag ids, -1 = any


@dataclass
class Text:
    """One source's sentences with the gold names they were tagged from (for scoring)."""

    source: str
    sentences: list[Sentence]
    names: list[Mention]  # gold names in the layers, offsets in the normalised text


def feature_pipeline(layer: str) -> Language:
    """kg's tokenizer, kg_lac keeping `layer` and kg_entities: what runs before kg_tagger in a build."""
    nlp = spacy.blank("zh")  # characters as tokens, as kg/nlp/config.cfg has it
    nlp.add_pipe("kg_lac", config={"keep": layer})
    nlp.add_pipe("kg_entities")
    return nlp


def sentences(doc: Doc, source: str, names: Mapping[str, list[Mention]] | None,
              layers: Mapping[str, list[str]], masked: Iterable[tuple[int, int]] = ()) -> list[Sentence]:
    """The sentences of an analysed doc, with gold tag ids of the layers in `names`.

    `masked` are character ranges where any tag may stand, in every taught layer.
    """
    states, tags, rules, starts = sentence_inputs(doc, "kg", RULE_TYPES)
    gold = {}
    for layer, kept in (names or {}).items():
        ids = {t: i for i, t in enumerate(tag_names(layers[layer]))}
        row = numpy.array([ids[t] for t in bio(len(doc.text), kept)], dtype=numpy.int64)
        for s, e in masked:
            row[s:e] = -1
        gold[layer] = row
    out = []
    for st, tg, ru, start in zip(states, tags, rules, starts):
        end = start + len(st)
        out.append(Sentence(source, start, st.astype(numpy.float32), tg, ru,
                            {layer: row[start:end] for layer, row in gold.items()}))
    return out


def from_gold(annotated: Iterable[Annotated], nlp: Language, layers: Mapping[str, list[str]]) -> Iterator[Text]:
    """Each annotated article's sentences, taught in every layer."""
    for a in annotated:
        text = normalize(a.article.text).text
        names = layered(occurrences(text, a.gold["entities"]), layers)
        doc = nlp(text)
        yield Text(a.id, sentences(doc, a.id, names, layers), sorted(n for kept in names.values() for n in kept))


def read_mapping(path: Path = LEARN_DATA / "cluener.tsv") -> dict[str, str]:
    """CLUENER label → kg type, "O" or "mask"."""
    return {r["label"]: r["type"] for r in read_table(path)}


def from_cluener(path: Path, nlp: Language, layers: Mapping[str, list[str]], mapping: Mapping[str, str],
                 limit: int | None = None) -> Iterator[Text]:
    """CLUENER2020 records (JSON lines, inclusive ends) as sentences.

    A record teaches the first layer of each type it maps to (bodies, places), not layers
    that hold names nested in others nor those of types it never labels.
    """
    mapped = {t for t in mapping.values() if t not in ("O", "mask")}
    taught = {next(name for name, types in layers.items() if t in types) for t in mapped
              if any(t in types for types in layers.values())}
    with open(path, encoding="utf-8") as lines:
        for n, line in enumerate(lines):
            if limit is not None and n >= limit:
                break
            record = json.loads(line)
            norm = normalize(record["text"])
            found, masked = [], []
            for label, names in record["label"].items():
                kind = mapping.get(label, "mask")
                for s, e in (o for offsets in names.values() for o in offsets):
                    s, e = bisect_left(norm.offsets, s), bisect_left(norm.offsets, e + 1)
                    if kind == "mask":
                        masked.append((s, e))
                    elif kind != "O" and s < e:
                        found.append(Mention(s, e, kind))
            kept = layered(found, {name: layers[name] for name in taught})
            doc = nlp(norm.text)
            source = f"cluener:{n}"
            yield Text(source, sentences(doc, source, kept, layers, masked), sorted(x for k in kept.values() for x in k))
