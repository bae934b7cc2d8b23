"""Features of a candidate relation: sparse string features, each conjoined with the relation.

One definition serves training and run time, so a feature means the same in both. A
candidate's features describe the two mentions and the text around and between them:
- the entity types, the scope (clause, sentence, nested…), order, distance in characters
  and in mentions between;
- trigger words of `kg/nlp/data/triggers.tsv` between the two, in their sentence, and just
  before and after the pair, by word (授予 gives an award, 荣获 receives one) and by the
  relation they trigger; markers such as 被, 由, 向, 对, 联合 (`relation_marker` in kg/nlp/data/words.tsv);
- coordinated lists (A、B和C): both in one list, its size, each one's place in it, and the
  words right before and after the list (…等单位, 联合…);
- the text between them when short, its character bigrams, and the characters around;
- headings: a case title and the lines of its entry, an award heading and what is listed under
  it, an award named just before a case list (`announced`), and the rank of the mention there;
- nesting (a body inside a case title; the last place in a name is the most specific), the
  last characters of each name;
- what the rules proposed: the rules' own relation for this mention pair, for this entity pair,
  and the relation read off the names (`name`, `name_other`: the name puts the head elsewhere);
- the article: sentence position (the title), how many entities of each side's type it names,
  how often each entity is mentioned and its rank by mentions among its type.
Every feature is prefixed with the relation, so one logistic regression holds one model per
relation; a copy prefixed `*|` lets the rare relations borrow from the frequent ones. Measured
(5 folds, best thresholds): without the `*|` copies F1 0.479 instead of 0.487; without the
lexical features (bigrams, gap text, characters around, name endings) 0.480.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache

from kg.nlp.lexicon import DATA, Lexicon
from kg.relate.candidates import Candidate, Layout
from kg.relate.mentions import ArticleMentions, Mention
from kg.vocab import VOCAB

SHORT_GAP = 8  # the text between two mentions is a feature itself up to this length
BIGRAM_GAP = 24  # and its character bigrams up to this length
WINDOW = 6  # characters before and after the pair that are read for trigger words


@lru_cache(maxsize=1)
def triggers() -> tuple[tuple[str, str], ...]:
    """(word, relation it triggers) for every trigger word, longest words first."""
    lexicon = Lexicon(DATA)
    pairs = {(w, r) for r in VOCAB.relations for w in lexicon.triggers(r)}
    return tuple(sorted(pairs, key=lambda wr: (-len(wr[0]), wr)))


@lru_cache(maxsize=1)
def markers() -> tuple[str, ...]:
    return Lexicon(DATA).words("relation_marker")


def prefixed(relation: str, features: frozenset[str]) -> list[str]:
    """The model's names of a candidate's features: each prefixed by its relation and by `*`, sorted."""
    return sorted([f"{relation}|{f}" for f in features] + [f"*|{f}" for f in features])


@lru_cache(maxsize=4096)
def bucket(n: int, edges: tuple[int, ...]) -> str:
    """The first edge that n does not exceed, as a label ("<=5"), or ">last"."""
    for e in edges:
        if n <= e:
            return f"<={e}"
    return f">{edges[-1]}"


class ArticleFeatures:
    """Feature extraction for the candidates of one article (article-level counts are shared)."""

    def __init__(self, view: ArticleMentions, layout: Layout) -> None:
        self.view, self.layout = view, layout
        self.mention_count = Counter(m.entity for m in view.mentions)
        self.type_count = Counter(e[0] for e in self.mention_count)
        # each entity's rank by mentions among the article's entities of its type (0: the most mentioned)
        ranked = sorted(self.mention_count, key=lambda e: (e[0], -self.mention_count[e], e))
        self.rank = {}
        for e in ranked:
            self.rank[e] = sum(1 for o in self.rank if o[0] == e[0])
        self.proposed: dict[tuple[int, int], set[str]] = {}
        for p in view.proposals:
            self.proposed.setdefault((p.head, p.tail), set()).add(p.relation)
        self.entity_proposed = {(view.mentions[p.head].entity, p.relation, view.mentions[p.tail].entity)
                                for p in view.proposals}
        self.named = {(f.head, f.relation, f.tail) for f in view.name_facts}
        self.named_heads = {(f.head, f.relation) for f in view.name_facts}
        # every trigger word's occurrences in the text, read once: (start, end, word, relation)
        self.occurrences = sorted((m.start(), m.start() + len(w), w, r) for w, r in triggers()
                                  for m in re.finditer(re.escape(w), view.text))
        self.occurrence_starts = [o[0] for o in self.occurrences]
        self.top_starts = [m.start for i, m in enumerate(view.mentions) if layout.top(i)]
        # the mentions in order of their start, to find those inside a span without reading them all
        self.by_start = sorted(range(len(view.mentions)), key=lambda i: view.mentions[i].start)
        self.sorted_starts = [view.mentions[i].start for i in self.by_start]
        self.cache: dict[tuple, frozenset[str]] = {}
        self.members: dict[tuple[int, str], list[int]] | None = None

    def __call__(self, c: Candidate) -> frozenset[str]:
        """The candidate's features, not yet prefixed (`prefixed` makes the model's names of them)."""
        key = (c.head, c.tail, c.scope, c.head_entity, c.tail_entity)
        if key not in self.cache:  # the same mention pair is a candidate of several relations
            self.cache[key] = frozenset(self.structure(c)) | {"bias"}
        return self.cache[key].union(self.rules(c))

    def structure(self, c: Candidate) -> Iterator[str]:
        view, lay = self.view, self.layout
        types = f"{c.head_entity[0]}>{c.tail_entity[0]}"
        yield f"types={types}"
        yield f"scope={c.scope}"
        yield f"types={types}&scope={c.scope}"
        yield f"nhead={bucket(self.type_count[c.head_entity[0]], (1, 2, 5))}"
        yield f"ntail={bucket(self.type_count[c.tail_entity[0]], (1, 2, 5))}"
        yield f"hmentions={bucket(self.mention_count[c.head_entity], (1, 2))}"
        yield f"tmentions={bucket(self.mention_count[c.tail_entity], (1, 2))}"
        yield f"hrank={bucket(self.rank.get(c.head_entity, 9), (0, 1))}"
        yield f"trank={bucket(self.rank.get(c.tail_entity, 9), (0, 1))}"
        if c.head is None or c.tail is None:
            yield "unmentioned"
            return
        h, t = view.mentions[c.head], view.mentions[c.tail]
        yield f"hsuffix={h.entity[1][-2:]}"
        yield f"tsuffix={t.entity[1][-2:]}"
        if lay.sentence[c.head] == 0 or lay.sentence[c.tail] == 0:
            yield "title"
        yield from self.sections(c.head, c.tail)
        if c.scope == "nested":
            outer, inner = (h, t) if h.start <= t.start and t.end <= h.end else (t, h)
            yield "inner=tail" if inner is t else "inner=head"
            # the last place in a name is the most specific: 上海市闵行区… is in 闵行区
            lo, hi = bisect_left(self.sorted_starts, inner.end), bisect_left(self.sorted_starts, outer.end)
            later = any(view.mentions[k].type == inner.type and view.mentions[k].end <= outer.end
                        for k in self.by_start[lo:hi])
            yield f"inner_last={not later}"
            yield from self.around(h, t)
            return
        yield "order=ht" if h.start < t.start else "order=th"
        a, b = (h, t) if h.start < t.start else (t, h)
        gap = view.text[a.end:b.start] if a.end <= b.start else ""
        yield f"chars={bucket(len(gap), (0, 2, 5, 10, 20, 40, 80))}"
        between = bisect_left(self.top_starts, b.start) - bisect_left(self.top_starts, a.end)
        yield f"between={bucket(between, (0, 1, 2, 5))}"
        if len(gap) <= SHORT_GAP:
            yield f"gap={gap}"
        if len(gap) <= BIGRAM_GAP:
            yield from (f"bigram={gap[i:i + 2]}" for i in range(len(gap) - 1))
        for word, rel in self.words(a.end, b.start):
            yield f"between:{word}"
            yield f"between~{rel}"
        yield from (f"marker:{m}" for m in markers() if m in gap)
        if lay.sentence[c.head] == lay.sentence[c.tail]:
            s, e = view.sentences[lay.sentence[c.head]]
            for word, rel in self.words(s, a.start) + self.words(b.end, e):
                yield f"sentence~{rel}"
        yield from self.around(a, b)
        if lay.outer[c.head] is not None:
            yield f"hnested={view.mentions[lay.outer[c.head]].type}"
        if lay.outer[c.tail] is not None:
            yield f"tnested={view.mentions[lay.outer[c.tail]].type}"
        yield from self.lists(c.head, c.tail)

    def around(self, a: Mention, b: Mention) -> Iterator[str]:
        """Trigger words and characters just before the first mention and after the second."""
        text = self.view.text
        yield f"left2={text[max(0, a.start - 2):a.start]}"
        yield f"right2={text[b.end:b.end + 2]}"
        for word, _ in self.words(max(0, a.start - WINDOW), a.start):
            yield f"left:{word}"
        for word, _ in self.words(b.end, b.end + WINDOW):
            yield f"right:{word}"

    def sections(self, h: int, t: int) -> Iterator[str]:
        """Headings: a case title and its entry, an award heading and what is listed under it."""
        lay = self.layout
        if lay.announced.get(h) == t or lay.announced.get(t) == h:
            yield "announced"
        for side, i, j in (("h", h, t), ("t", t, h)):
            if lay.heading[i]:
                yield f"{side}heading"
            if lay.heads(i, j):
                yield f"{side}heads"
                # the first body named in a case's entry handled it, more often than later ones
                yield f"{side}heads_rank={bucket(self.section_rank(i, j), (0, 1, 3))}"

    def section_rank(self, i: int, j: int) -> int:
        """How many mentions of j's type come before j in the section that i heads."""
        if self.members is None:  # every section's members by type, in one pass over the mentions
            ms, lay = self.view.mentions, self.layout
            self.members = {}
            for k, m in enumerate(ms):
                for kind, head in lay.section[k].items():
                    if head is not None and head < k and ms[head].type == kind:
                        self.members.setdefault((head, m.type), []).append(k)
        return bisect_left(self.members.get((i, self.view.mentions[j].type), []), j)

    def lists(self, h: int, t: int) -> Iterator[str]:
        """Coordinated lists: A、B和C 被评为…; 联合A、B、C开展…."""
        text, ms, lay = self.view.text, self.view.mentions, self.layout
        for side, i in (("h", h), ("t", t)):
            if i not in lay.list_of:
                continue
            n, k = lay.list_of[i]
            members = lay.lists[n]
            yield f"{side}list"
            yield f"{side}listpos={'first' if k == 0 else 'last' if k == len(members) - 1 else 'mid'}"
            yield f"{side}listsize={bucket(len(members), (2, 3, 5, 10))}"
            yield f"{side}listafter={text[ms[members[-1]].end:ms[members[-1]].end + 2]}"
            yield f"{side}listbefore={text[max(0, ms[members[0]].start - 2):ms[members[0]].start]}"
        if h in lay.list_of and t in lay.list_of and lay.list_of[h][0] == lay.list_of[t][0]:
            yield "samelist"

    def rules(self, c: Candidate) -> Iterator[str]:
        """What the hand rules said about this pair: kg.nlp.relations and kg.resolve's names."""
        for rel in self.proposed.get((c.head, c.tail), ()):
            yield f"rule={rel}"
            if rel == c.relation:
                yield "rule=same"
        for rel in self.proposed.get((c.tail, c.head), ()):
            yield f"rule_reversed={rel}"
        if (c.head_entity, c.relation, c.tail_entity) in self.entity_proposed:
            yield "erule"
        if (c.head_entity, c.relation, c.tail_entity) in self.named:
            yield "name"
        elif (c.head_entity, c.relation) in self.named_heads:
            yield "name_other"  # the head's name puts it elsewhere (one locatedIn per body)
        else:
            yield "name_none"  # nothing read off the head's name

    def words(self, start: int, end: int) -> list[tuple[str, str]]:
        """Trigger words within text[start:end], with the relation each triggers."""
        out = []
        for k in range(bisect_left(self.occurrence_starts, start), bisect_left(self.occurrence_starts, end)):
            s, e, w, r = self.occurrences[k]
            if e <= end:
                out.append((w, r))
        return out
