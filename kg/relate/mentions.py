"""What the relation classifier reads about one article: its text, sentences, resolved mentions
and the relations the rules proposed, as plain data.

Built from the spaCy doc after resolution (`from_doc`), so every mention knows the canonical
entity it belongs to, whatever component found it (the rules' `kg_entities` today, a learned
entity model later): the mention source is whatever wrote `doc.spans["kg"]`. Plain data, so
that training can keep one article's view in memory without its spaCy doc.
"""
from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc

from kg.model import Fact

Key = tuple[str, str]  # an entity's (type, canonical name)


@dataclass(frozen=True)
class Mention:
    start: int  # offsets in the normalized text
    end: int
    type: str
    entity: Key


@dataclass(frozen=True)
class Proposal:
    """A relation the sentence rules (`kg.nlp.relations`) drew between two mentions."""

    head: int  # index into ArticleMentions.mentions
    relation: str
    tail: int
    confidence: float


@dataclass
class ArticleMentions:
    text: str  # the normalized text the mentions point into
    sentences: list[tuple[int, int]]
    mentions: list[Mention]  # sorted by (start, -end)
    proposals: list[Proposal]
    name_facts: list[Fact]  # the resolver's facts read off names alone (locatedIn, subOrganizationOf)


def from_doc(doc: Doc, span_key: dict[tuple[int, int, str], Key], facts: list[Fact]) -> ArticleMentions:
    """The view of a resolved doc; mentions the resolver dropped (unresolvable) are left out.

    facts: the resolver's facts, those of the sentence rules (kept as `proposals`, by mention)
    and those read off names (kept as `name_facts`).
    """
    spans = sorted((s for s in doc.spans["kg"] if (s.start_char, s.end_char, s.label_) in span_key),
                   key=lambda s: (s.start_char, -s.end_char, s.label_)) if "kg" in doc.spans else []
    mentions = [Mention(s.start_char, s.end_char, s.label_, span_key[(s.start_char, s.end_char, s.label_)])
                for s in spans]
    index = {(m.start, m.end, m.type): i for i, m in enumerate(mentions)}
    proposals = []
    for rel in doc._.relations or []:
        h = index.get((rel.head.start_char, rel.head.end_char, rel.head.label_))
        t = index.get((rel.tail.start_char, rel.tail.end_char, rel.tail.label_))
        if h is not None and t is not None:
            proposals.append(Proposal(h, rel.label, t, rel.confidence))
    sentences = [(s.start_char, s.end_char) for s in doc.sents] if doc.has_annotation("SENT_START") else [(0, len(doc.text))]
    proposed = {(mentions[p.head].entity, p.relation, mentions[p.tail].entity) for p in proposals}
    named = [f for f in facts if (f.head, f.relation, f.tail) not in proposed]
    return ArticleMentions(doc.text, sentences, mentions, proposals, named)
