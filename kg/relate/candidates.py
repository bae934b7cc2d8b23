"""Candidate relations of one article: the mention pairs the relation classifier decides on.

A candidate is a mention pair (h, t) for a relation r whose types fit r (the ontology's domain
and range, `kg.learn.relations.type_pairs`) and that lie within one of these scopes, closest
first:
- `nested`: one name inside the other (a body in a case title, a place in a body's name);
- `clause`, `sentence`: the same clause (between commas) or sentence;
- `near1`, `near2`, `paragraph`: one, two or more sentences apart in the same paragraph (a
  dropped subject: "…局开展…行动。查处…案"); `line1`, `line2`: one or two lines apart;
- `section`: a heading and the lines under it, up to the next heading of its type: a case
  title of a case list and its entry, an award heading and the cases or people listed under it;
- `rule`: any other pair the sentence rules proposed;
- `name`: a relation read off the names alone by the resolver (locatedIn, subOrganizationOf),
  whose place may never be mentioned.
Measured on the 70 shared articles with the rules' mentions: 12,589 candidates that reach 516
of the 533 gold relations whose two entities the pipeline found (97%); every type-fitting
mention pair of each article would be about 24,000 for the other 17.

Reporters (a person named in a byline, after 记者/通讯员) are never a party to anything:
they get no candidates at all, so no model can make them one.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache

from kg.nlp.lexicon import DATA, Lexicon
from kg.relate.mentions import ArticleMentions, Key, Mention
from kg.vocab import VOCAB

SYMMETRIC = {r for r, v in VOCAB.relations.items() if v.symmetric}
CLAUSE_MARKS = re.compile(r"[,;:，；：]")
SCOPES = ("nested", "clause", "sentence", "near1", "near2", "paragraph", "line1", "line2", "section", "rule", "name")
HEADING_LEAD = 6  # a heading starts within this many characters of its line ("一、", "案例3:")
HEADING_SLACK = 12  # a heading that is not a case holds at most this many characters besides its name
BYLINE_SPAN = 8  # a reporter's name follows the byline word within this many characters
BRACKET = re.compile(r"\([^()\n]{2,40}\)")  # a byline in brackets: (陈某 记者李某)
WORDS = lru_cache(maxsize=1)(lambda: Lexicon(DATA))  # byline words ("reporter"), list separators


@dataclass(frozen=True)
class Candidate:
    relation: str
    head: int | None  # mention indices into ArticleMentions.mentions; None for a name-only place
    tail: int | None
    head_entity: Key
    tail_entity: Key
    scope: str


class Layout:
    """Where each mention of an article sits: sentence, clause, line, coordinated list, section."""

    def __init__(self, view: ArticleMentions) -> None:
        self.view = view
        text, ms = view.text, view.mentions
        starts = [s for s, _ in view.sentences]
        self.sentence = [max(bisect_right(starts, m.start) - 1, 0) for m in ms]
        self.line = [text.count("\n", 0, m.start) for m in ms]
        self.clause = [len(CLAUSE_MARKS.findall(text, view.sentences[s][0], m.start)) for m, s in zip(ms, self.sentence)]
        # a mention inside another one's name (the body in a case title) is not "top"
        self.outer: list[int | None] = [None] * len(ms)
        for i, m in enumerate(ms):
            for j in range(i - 1, -1, -1):
                o = ms[j]
                if o.start <= m.start and m.end <= o.end and (o.start, o.end) != (m.start, m.end):
                    self.outer[i] = j
                    break
        self.lists = self.coordinated_lists()
        self.list_of = {i: (n, k) for n, members in enumerate(self.lists) for k, i in enumerate(members)}
        self.heading, self.section = self.headings()
        self.announced = self.announcements()

    def top(self, i: int) -> bool:
        return self.outer[i] is None

    def coordinated_lists(self) -> list[list[int]]:
        """Runs of two or more top-level mentions joined only by list separators: A、B和C."""
        text, ms = self.view.text, self.view.mentions
        top = [i for i in range(len(ms)) if self.top(i)]
        lists, run = [], [top[0]] if top else []
        for a, b in zip(top, top[1:]):
            if text[ms[a].end:ms[b].start].strip() in WORDS().words("list_separator"):
                run.append(b)
                continue
            if len(run) > 1:
                lists.append(run)
            run = [b]
        if len(run) > 1:
            lists.append(run)
        return lists

    def headings(self) -> tuple[list[bool], list[dict[str, int]]]:
        """Which mentions head a section, and for each mention the heading of each type over it.

        A heading is the first name of a line, within its first six characters (after a
        number such as "一、" or "案例3:"), that is either a case (a case-list title: "1. …案")
        or nearly the whole line (an award heading: "二等奖(共2篇)"). Its section runs to the next
        heading of the same type, so the cases listed under an award heading stay in its section.
        A heading is in its own section.
        """
        text, ms = self.view.text, self.view.mentions
        line_start = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        line_end = line_start[1:] + [len(text) + 1]
        heading = [False] * len(ms)
        sections: list[dict[str, int]] = []
        current: dict[str, int] = {}
        seen_line = -1
        for i, m in enumerate(ms):
            line = self.line[i]
            if line != seen_line and self.top(i) and m.start - line_start[line] <= HEADING_LEAD and (
                    m.type == "Case" or line_end[line] - 1 - line_start[line] - (m.end - m.start) <= HEADING_SLACK):
                heading[i] = True
                current = {**current, m.type: i}
            seen_line = line
            sections.append(current)
        return heading, sections

    def announcements(self) -> dict[int, int]:
        """Case title → the award named last before it: "…公布了十大典型案例:" and the list below."""
        out, last = {}, None
        for i, m in enumerate(self.view.mentions):
            if m.type == "Award" and self.top(i):
                last = i
            elif m.type == "Case" and self.heading[i] and last is not None:
                out[i] = last
        return out

    def pairs(self) -> Iterator[tuple[int, int]]:
        """Index pairs (i < j) of mentions of different entities within two lines, a heading
        and a mention of its section, or an award and the case titles listed after it."""
        ms = self.view.mentions
        near = set()
        for i in range(len(ms)):
            for j in range(i + 1, len(ms)):
                if self.line[j] - self.line[i] > 2 and self.section[j].get(ms[i].type) != i:
                    break  # further mentions are further away and out of i's section (if i heads one)
                if ms[i].entity != ms[j].entity:
                    near.add((i, j))
                    yield i, j
        for case, award in sorted(self.announced.items()):
            if (award, case) not in near and ms[award].entity != ms[case].entity:
                yield award, case

    def heads(self, h: int, t: int) -> bool:
        """Whether mention h is the heading of t's section."""
        return h != t and self.section[t].get(self.view.mentions[h].type) == h

    def scope(self, h: int, t: int) -> str:
        """The closest scope holding both mentions (of a pair from `pairs`)."""
        a, b = self.view.mentions[h], self.view.mentions[t]
        if (a.start <= b.start and b.end <= a.end) or (b.start <= a.start and a.end <= b.end):
            return "nested"
        if self.sentence[h] == self.sentence[t]:
            return "clause" if self.clause[h] == self.clause[t] else "sentence"
        lines = abs(self.line[h] - self.line[t])
        sentences = abs(self.sentence[h] - self.sentence[t])
        if lines == 0:
            return f"near{sentences}" if sentences <= 2 else "paragraph"
        if lines <= 2:
            return f"line{lines}"
        return "section"  # or an announced award: both are lists under what names them

    @cached_property
    def reporters(self) -> set[int]:
        """Mentions of people named in a byline: 记者李青山, (陈某 通讯员王某)."""
        words = WORDS().words("reporter")
        text = self.view.text
        brackets = [(b.start(), b.end()) for b in BRACKET.finditer(text) if any(w in b.group() for w in words)]
        return {i for i, m in enumerate(self.view.mentions) if m.type == "Person"
                and (any(w in text[max(0, m.start - BYLINE_SPAN):m.start] for w in words)
                     or any(s <= m.start and m.end <= e for s, e in brackets))}


def candidates(view: ArticleMentions, layout: Layout, type_pairs: dict[str, set[tuple[str, str]]]) -> list[Candidate]:
    """Every candidate of the article, once per (mention pair, relation), in a fixed order."""
    ms = view.mentions
    out: dict[tuple, Candidate] = {}

    def add(rel: str, h: int | None, t: int | None, he: Key, te: Key, scope: str) -> None:
        if he == te or (he[0], te[0]) not in type_pairs[rel]:
            return
        if rel in SYMMETRIC and te < he:
            h, t, he, te = t, h, te, he
        key = (rel, h, t, he, te)
        if key not in out:
            out[key] = Candidate(rel, h, t, he, te, scope)

    fitting: dict[tuple[str, str], list[str]] = {}  # (head type, tail type) → the relations it fits
    for rel, pairs in type_pairs.items():
        for pair in sorted(pairs):
            fitting.setdefault(pair, []).append(rel)
    excluded = layout.reporters
    for h, t in layout.pairs():
        if h in excluded or t in excluded:
            continue
        scope = layout.scope(h, t)
        for a, b in ((h, t), (t, h)):
            for rel in fitting.get((ms[a].type, ms[b].type), ()):
                add(rel, a, b, ms[a].entity, ms[b].entity, scope)
    for p in view.proposals:
        if p.head not in excluded and p.tail not in excluded and p.relation in type_pairs:
            add(p.relation, p.head, p.tail, ms[p.head].entity, ms[p.tail].entity, "rule")
    first = first_mentions(ms)
    for f in view.name_facts:
        if f.relation in type_pairs and f.head in first:
            add(f.relation, first[f.head], first.get(f.tail), f.head, f.tail, "name")
    return list(out.values())


def first_mentions(ms: Iterable[Mention]) -> dict[Key, int]:
    out: dict[Key, int] = {}
    for i, m in enumerate(ms):
        out.setdefault(m.entity, i)
    return out
