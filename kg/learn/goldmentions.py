"""A mention source for training and measurement: the gold entities' names found in the text.

The relation classifier learns from whatever mentions a pipeline gives it (`kg.learn.relations
.collect`). Run with these mentions instead of the entity rules', it shows what the classifier
does when the entities are right, apart from the entity model's errors; and their views are
extra training examples whose labels no entity error blurs. Each gold name or alias (and its
form without quotes) is looked up in the normalized text; a match inside a longer match of the
same entity is dropped. Names the annotator wrote that the text never spells out ("北京、天津…
等地市场监管局" → 北京市市场监督管理局) are not found, so some gold stays out of reach.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from spacy.tokens import Doc, Span

from kg.model import Article, ArticleGraph
from kg.nlp.pipeline import load_pipeline
from kg.resolve.resolver import RelationDecider, Resolver
from kg.text.normalize import normalize

QUOTES = re.compile(r"[“”\"'‘’「」『』《》]")


def gold_spans(doc: Doc, gold: dict) -> list[Span]:
    """Spans of the gold entities' names in the doc, labelled with their types."""
    text = doc.text
    found = set()
    for g in gold["entities"]:
        forms = {g["name"], *g.get("aliases", [])}
        forms |= {QUOTES.sub("", f) for f in forms}
        spans = {(m.start(), m.end()) for f in forms if len(f) >= 2 for m in re.finditer(re.escape(f), text)}
        found |= {(s, e, g["type"]) for s, e in spans
                  if not any((a, b) != (s, e) and a <= s and e <= b for a, b in spans)}
    out = [doc.char_span(s, e, label=t, alignment_mode="expand") for s, e, t in sorted(found)]
    return [s for s in out if s is not None]


class GoldMentionAnalyser:
    """`kg.run.analyse.Analyser`'s shape, with the gold names as the entity mentions: the pipeline
    runs as usual and `doc.spans["kg"]` is replaced right after `kg_entities`, so the relation
    rules and the resolver see the gold mentions."""

    def __init__(self, golds: Mapping[str, dict], relations: RelationDecider | None = None) -> None:
        self.nlp = load_pipeline()
        self.resolver = Resolver(relations)
        self.golds = golds

    def __call__(self, article: Article) -> ArticleGraph:
        norm = normalize(article.text)
        doc = self.nlp.make_doc(norm.text)
        for name, component in self.nlp.pipeline:
            doc = component(doc)
            if name == "kg_entities":
                doc.spans["kg"] = gold_spans(doc, self.golds[article.id])
        return self.resolver(article, norm, doc)
