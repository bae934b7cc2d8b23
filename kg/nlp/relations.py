"""Relation extraction: sentence-level rules over the entity spans.

Writes `doc._.relations`, a list of `Relation(head, label, tail, confidence,
sentence)`. Trigger words are in `data/triggers.tsv`. The rules follow how
Chinese press releases are written:
- a body and a case/campaign/document in one sentence with a trigger word
  (查处, 开展, 签署…) are linked; when the sentence has no body of its own (a
  dropped subject), the last body that opened a sentence is used;
- names nested in a case or award name say who the case involves or who gave
  the award ("…局查处…案", "…委员会2023年度十佳案例");
- every pair of bodies in a sentence about joint work cooperates;
- in case lists, "原告/被告:" lines after a case title name its parties.
Relations that follow from names alone (locatedIn, subOrganizationOf) are drawn
after canonicalisation, in `kg.resolve.resolver`.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.nlp.lexicon import DATA, Lexicon, alternation, save
from kg.vocab import VOCAB
from kg.nlp.spans import clause_end, clause_start, in_sentence, inside

BODIES = VOCAB.relations["handledBy"].range  # the bodies that handle cases and give awards
ORG_TYPES = VOCAB.organisations
RECIPIENTS = ("Agency", "Company", "Association", "Case", "Place", "Person")  # winners the sentence rules name
FILES = ("words.tsv", "triggers.tsv", "expressions.tsv")  # what `to_disk` writes


@dataclass(frozen=True)
class Relation:
    head: Span
    label: str
    tail: Span
    confidence: float
    sentence: Span


if not Doc.has_extension("relations"):
    Doc.set_extension("relations", default=None)


@Language.factory("kg_relations", default_config={"spans_key": "kg", "data_dir": None},
                  assigns=["doc._.relations"], requires=["doc.spans", "token.is_sent_start"])
def make_relations(nlp: Language, name: str, spans_key: str, data_dir: str | None) -> "RelationExtractor":
    return RelationExtractor(spans_key, Path(data_dir) if data_dir else DATA)


class RelationExtractor:
    """Relations between the entity spans of `doc.spans[spans_key]`, into `doc._.relations`.

    data: the folder of its word lists (`FILES`); `to_disk` writes them, `from_disk` reads them back.
    """

    def __init__(self, spans_key: str = "kg", data: Path = DATA) -> None:
        self.spans_key = spans_key
        self.load(data)

    def to_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> None:
        save(self.data, Path(path), FILES)

    def from_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> RelationExtractor:
        self.load(Path(path))
        return self

    def load(self, data: Path) -> None:
        self.data = data
        lexicon = Lexicon(data)
        self.triggers = {r: lexicon.triggers(r) for r in VOCAB.relations}
        self.winning = lexicon.triggers("receivedAward", "winning")  # its subject receives the award
        self.giving = lexicon.triggers("receivedAward", "giving")  # its subject gives it
        self.separators = lexicon.words("list_separator")
        self.reporter = alternation(lexicon.words("reporter"))
        self.title_line = lexicon.regex("title_line")
        self.list_lead = lexicon.regex("list_lead")

    def has(self, relation: str, text: str) -> bool:
        return any(w in text for w in self.triggers[relation])

    def first(self, relation: str, text: str) -> int:
        """Position of the first trigger of `relation` in text, or -1."""
        hits = [text.find(w) for w in self.triggers[relation] if w in text]
        return min(hits) if hits else -1

    def last(self, relation: str, text: str) -> int:
        """Position of the last trigger of `relation` in text, or -1."""
        return max((text.rfind(w) for w in self.triggers[relation]), default=-1)

    def __call__(self, doc: Doc) -> Doc:
        mentions = sorted(doc.spans[self.spans_key], key=lambda m: m.start_char) if self.spans_key in doc.spans else []
        starts = [m.start_char for m in mentions]
        found: dict[tuple, Relation] = {}

        def add(rel: Relation) -> None:
            key = (rel.head.start_char, rel.head.end_char, rel.head.label_, rel.label,
                   rel.tail.start_char, rel.tail.end_char, rel.tail.label_)
            if rel.head.text != rel.tail.text and (key not in found or found[key].confidence < rel.confidence):
                found[key] = rel

        subject: Span | None = None  # the last body that opened a sentence
        case: Span | None = None  # the case whose title was seen last (case lists)
        listed: Span | None = None  # the case whose title line opened the current entry of a case list
        honour: Span | None = None  # a typical-case list named before the list begins (…十大案例)
        for sent in doc.sents:
            here = in_sentence(mentions, starts, sent)
            top = [m for m in here if not any(inside(m, o) for o in here)]
            for rel in self.sentence_relations(sent, here, top, subject, case):
                add(rel)
            cases = [m for m in top if m.label_ == "Case"]
            title = cases[0] if len(cases) == 1 and self.title_line.fullmatch(sent.text.replace(cases[0].text, "", 1)) else None
            if title is not None:
                listed = title
                if honour is not None:
                    add(Relation(title, "receivedAward", honour, 0.6, sent))
            elif cases:
                listed = None
            elif listed is not None:
                for rel in self.entry_relations(sent, top, listed):
                    add(rel)
            if listed is None:
                honour = next((m for m in reversed(top) if m.label_ == "Award" and m.text.endswith("案例")), honour)
            bodies = [m for m in top if m.label_ in BODIES]
            if bodies and bodies[0].start_char - sent.start_char <= 12:
                subject = bodies[0]
            if cases:
                case = cases[-1]
        doc._.relations = sorted(found.values(), key=lambda r: (r.head.start_char, r.label, r.tail.start_char))
        return doc

    def sentence_relations(self, sent: Span, here: list[Span], top: list[Span],
                           subject: Span | None, case: Span | None) -> Iterator[Relation]:
        text = sent.text
        of = lambda *labels: [m for m in top if m.label_ in labels]  # noqa: E731
        cases, awards = of("Case"), of("Award")
        bodies = of(*BODIES)
        actors = bodies or ([subject] if subject is not None else [])
        conf = 0.7 if bodies else 0.45

        # Names nested in case and award names.
        for c in cases:
            for m in here:
                if inside(m, c):
                    if m.label_ in BODIES:
                        yield Relation(c, "handledBy", m, 0.85, sent)
                    elif m.label_ in ("Company", "Person"):
                        yield Relation(c, "involves", m, 0.85, sent)
                    elif m.label_ == "Brand":
                        yield Relation(c, "concernsBrand", m, 0.85, sent)
        for a in awards:
            givers = [m for m in here if inside(m, a) and m.label_ in BODIES and m.start_char == a.start_char]
            if givers:  # the longest: …协会优质品牌保护工作委员会, not …协会 within it
                yield Relation(a, "awardedBy", max(givers, key=len), 0.8, sent)

        # Case, body and trigger in one sentence.
        if cases and self.has("handledBy", text):
            for c in cases:
                # bodies named before the case or in its clause; a later clause is about something else
                for b in actors:
                    if b.start_char < c.start_char or self.handles_after(text, c, b, sent.start_char):
                        yield Relation(c, "handledBy", b, conf, sent)
                for m in of("Company", "Person"):
                    if self.has("involves", text) or len(cases) == 1:
                        yield Relation(c, "involves", m, 0.55, sent)
                for m in of("Brand"):
                    yield Relation(c, "concernsBrand", m, 0.55, sent)
        elif case is not None and not cases and text.lstrip().startswith(self.triggers["involves"]):
            for m in of("Company", "Person"):
                yield Relation(case, "involves", m, 0.6, sent)

        yield from self.award_relations(sent, top, subject, case)

        # Campaigns carried out by a body.
        for camp in of("Campaign"):
            if self.has("conducted", text):
                for b in (of("Agency") or ([subject] if subject is not None and subject.label_ == "Agency" else [])):
                    yield Relation(b, "conducted", camp, conf, sent)

        # Joint work: every pair of named bodies cooperates; signed documents.
        orgs = of(*ORG_TYPES)
        docs = of("LegalDocument")
        if self.has("cooperatesWith", text):
            # bodies named after 查处/查办… are the targets of the joint work, not partners
            cut = self.first("handledBy", text)
            if cut >= 0:
                orgs = [o for o in orgs if o.start_char - sent.start_char < cut]
            parties = orgs if len(orgs) >= 2 else (orgs + [subject] if subject is not None and orgs else [])
            parties = list({(p.start_char, p.end_char): p for p in parties}.values())
            if not awards:
                for i, a in enumerate(parties):
                    for b in parties[i + 1:]:
                        if a.text != b.text:
                            yield Relation(a, "cooperatesWith", b, 0.6, sent)
        if docs and self.has("partyTo", text):
            signers = orgs or ([subject] if subject is not None else [])
            for d in docs:
                for o in signers:
                    if o.start_char < d.start_char:
                        yield Relation(o, "partyTo", d, conf, sent)

    def entry_relations(self, sent: Span, top: list[Span], case: Span) -> Iterator[Relation]:
        """Sentences of a case-list entry, after its title line: courts and prosecutors that
        handled the case, and the marks it concerns."""
        if self.has("handledBy", sent.text):
            for b in (m for m in top if m.label_ in BODIES):
                yield Relation(case, "handledBy", b, 0.55, sent)
        if self.has("concernsBrand", sent.text):
            for m in (m for m in top if m.label_ == "Brand"):
                yield Relation(case, "concernsBrand", m, 0.5, sent)

    def listed_after(self, text: str, award: Span, top: list[Span], offset: int) -> list[Span]:
        """The bodies listed right after an award: "…示范企业为A、B和C" (A, B and C)."""
        lead = self.list_lead.match(text, award.end_char - offset)
        if lead is None:
            return []
        out: list[Span] = []
        pos = lead.end()  # the first name starts right after 为, each next one after a separator
        for m in top:
            at = m.start_char - offset
            if at < lead.end():
                continue
            if text[pos:at] not in (self.separators if out else ("",)) or m.label_ not in ORG_TYPES:
                break
            out.append(m)
            pos = m.end_char - offset
        return out

    def handles_after(self, text: str, case: Span, body: Span, offset: int) -> bool:
        """Whether a body named after the case handled it: 该案由X查处, in the case's clause."""
        end = clause_end(text, case.end_char - offset)
        rest = text[body.end_char - offset:end]
        return body.end_char - offset <= end and any(w in rest for w in self.triggers["handledBy"])

    def award_relations(self, sent: Span, top: list[Span], subject: Span | None,
                        case: Span | None) -> Iterator[Relation]:
        """X 被评为/荣获 Award; X 向 Y 颁发 Award; 受到 X 的 Award; 被 X 评为 Award.

        A typical-case list (…典型案例, …十佳案例) is won by a case, never by the body
        that handled it: its recipient is a case of the sentence or the last one named.
        """
        text = sent.text
        for award in (m for m in top if m.label_ == "Award"):
            rel_start = award.start_char - sent.start_char
            before = text[:rel_start]
            giver_pos = before.rfind("向")
            if "颁发" in before and giver_pos >= 0:
                # X 向 Y 颁发 Award, X within the clause of 向
                clause = clause_start(text, giver_pos)
                for m in top:
                    at = m.start_char - sent.start_char
                    if m.label_ in RECIPIENTS and giver_pos < at < rel_start:
                        yield Relation(m, "receivedAward", award, 0.75, sent)
                    elif m.label_ in BODIES and clause <= at < giver_pos:
                        yield Relation(award, "awardedBy", m, 0.75, sent)
                continue
            trig = self.last("receivedAward", before)
            if trig < 0:
                continue
            clause = clause_start(text, trig)
            if before.startswith(self.giving, trig) and "被" not in before[clause:trig]:
                # X和Y决定授予…Award: the bodies before the verb give it;
                # A荣获X授予的Award: A, before the receiving verb, received it from X
                won = max((before.rfind(w, clause, trig) for w in self.winning), default=-1)
                for m in top:
                    at = m.start_char - sent.start_char
                    if m.label_ in BODIES and max(clause, won) <= at < trig:
                        yield Relation(award, "awardedBy", m, 0.7, sent)
                    elif m.label_ in RECIPIENTS and clause <= at < won:
                        yield Relation(m, "receivedAward", award, 0.7, sent)
                continue
            window = before[trig:]
            by = before.rfind("被", clause_start(text, trig), trig)
            if "受到" in window or by >= 0:
                # 受到 X 的 Award, 被 X 评为 Award: X gave it
                lo = trig if "受到" in window else by
                for m in top:
                    at = m.start_char - sent.start_char
                    if m.label_ in BODIES and lo < at < rel_start:
                        yield Relation(award, "awardedBy", m, 0.75, sent)
                trig = by if by >= 0 else trig
            if award.text.endswith(("案例", "案件")):
                cases = [m for m in top if m.label_ == "Case" and m.end_char - sent.start_char <= trig]
                for c in cases or ([case] if case is not None else []):
                    yield Relation(c, "receivedAward", award, 0.7 if cases else 0.45, sent)
                continue
            listed = self.listed_after(text, award, top, sent.start_char)
            if listed:
                # 获评的7家国家知识产权示范企业为A、B、C
                for r in listed:
                    yield Relation(r, "receivedAward", award, 0.7, sent)
                continue
            recipients = [m for m in top if m.label_ in RECIPIENTS and m.end_char - sent.start_char <= trig
                          and not self.reporter.search(text, max(0, m.start_char - sent.start_char - 4), m.start_char - sent.start_char)]
            if recipients:
                last = recipients[-1]
                # a coordinated list of recipients: A、B和C 被评为…
                group = [last]
                for m in reversed(recipients[:-1]):
                    gap = text[m.end_char - sent.start_char:group[-1].start_char - sent.start_char]
                    if gap in self.separators:
                        group.append(m)
                    else:
                        break
                for r in group:
                    yield Relation(r, "receivedAward", award, 0.7, sent)
            elif subject is not None:
                yield Relation(subject, "receivedAward", award, 0.4, sent)
