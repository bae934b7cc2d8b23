"""Resolve mentions into entities: canonical names, aliases, name-derived relations.

One article at a time: every mention gets a canonical name (abbreviations are
expanded with the article's own places: 市市场监管局 in an article about 江门 →
江门市市场监督管理局; 苏州中院 → 苏州市中级人民法院; 省委 → 中共广东省委), mentions
with the same canonical name become one `Entity`, and every form seen (simplified
and as written in the original, e.g. traditional) is kept as an alias. Relations
that follow from names alone are added here: `locatedIn` (the most specific place
in a body's name) and `subOrganizationOf` (a body whose name extends another's).
Entities with the same type and canonical name in different articles are the
same node of the graph (see `kg.rdf.graph`).
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from spacy.tokens import Doc, Span

from kg.reference import bodies as reference, gazetteer
from kg.model import Article, ArticleGraph, Entity, Fact
from kg.nlp.lexicon import DATA as NLP_DATA, Lexicon, alternation
from kg.text.normalize import Normalized, clean
from kg.text.t2s import to_simplified
from kg.vocab import VOCAB

ORGS = VOCAB.organisations
FOLDED = ("Agency", "Association", "Company", "Award", "LegalDocument", "Person", "Place")  # types whose short names fold into long ones
AS_WRITTEN = ("Campaign", "Brand", "Person")  # types whose canonical name is read off the text alone
QUOTES = re.compile(r"[“”\"'‘’「」『』《》\s]")
QUOTED = re.compile(r"[“「]([^”」]{2,20})[”」]")



# (doc, mention (start, end, label) → entity key, normalized text, the rules' facts) → the facts kept
RelationDecider = Callable[[Doc, dict[tuple[int, int, str], tuple[str, str]], Normalized, list[Fact]], list[Fact]]


class Resolver:
    """One article's mentions (the spans of `doc.spans[spans_key]` and `doc._.relations`) → its ArticleGraph.

    relations: decides the article's relations from its mentions and the rules'
    facts (`kg.relate.model.RelationModel`); without it the rules' facts are kept.
    reference_dir: kg.reference's tables (None: the bundled ones); lexicon: the
    rule components' word lists (for the verbs that open a case title).
    """

    def __init__(self, relations: RelationDecider | None = None, spans_key: str = "kg",
                 reference_dir: Path | None = None, lexicon: Path = NLP_DATA) -> None:
        self.relations = relations
        self.spans_key = spans_key
        self.places = gazetteer.load(reference_dir)
        self.reference = reference.load(reference_dir)
        words = Lexicon(lexicon)
        self.case_verb = alternation(words.triggers("handledBy", "title"))
        self.branch_words = words.words("branch")
        self.year_prefix, self.alias_note = words.regex("year_prefix"), words.regex("alias_note")
        # one or more places, listed or plain divisions (云岭省, 东江市): what may precede 检察院 for 人民检察院
        self.places_only = re.compile(f"(?:{self.places.pattern.pattern}|{words.regex('division').pattern})+")
        self.suffixes = self.reference.suffixes
        self.wholes = self.reference.wholes
        self.place_re = self.places.pattern

    def __call__(self, article: Article, norm: Normalized, doc: Doc) -> ArticleGraph:
        context = self.article_places(doc)
        spans = list(doc.spans[self.spans_key])
        # bodies the article spells out in full: 市市场监管局 is most likely one of them
        named = [self.expand_suffix(s.text) for s in spans if s.label_ in ORGS and s.text[0] not in "市区县省"]
        span_key: dict[tuple[int, int, str], tuple[str, str]] = {}
        entities: dict[tuple[str, str], Entity] = {}
        text = doc.text  # Doc.text joins every token: read it once
        for span in spans:
            name = self.canonical(span.label_, span.text, context, named)
            if name is None:
                continue
            extra = self.variants(span, spans)
            if span.label_ == "Award" and extra:
                # the awarding body's name is not part of the award's: keep it as an alias
                name = extra[0]
            start, end = norm.to_original(span.start_char, span.end_char)
            as_written = clean(norm.original[start:end])[0].strip()
            ent = entities.setdefault((span.label_, name), Entity(span.label_, name))
            ent.aliases.update({span.text, as_written, *extra})
            if span.label_ in AS_WRITTEN and name != span.text:
                # the name as the article writes it: 藍盾 of “藍盾”專項行動 (the name is 蓝盾)
                ent.aliases.add(self.canonical(span.label_, as_written, context, named) or as_written)
            ent.mentions.append((start, end))
            span_key[(span.start_char, span.end_char, span.label_)] = ent.key
            note = self.alias_note.match(text, span.end_char)
            if note:
                ent.aliases.add(note.group(1))
        merged = self.merge(entities)
        merged = self.fold_short_names(merged)
        span_key = {k: merged[v].key for k, v in span_key.items()}
        entities = {e.key: e for e in merged.values()}

        facts = []
        for rel in doc._.relations or []:
            head = span_key.get((rel.head.start_char, rel.head.end_char, rel.head.label_))
            tail = span_key.get((rel.tail.start_char, rel.tail.end_char, rel.tail.label_))
            if head and tail and head != tail:
                start, end = norm.to_original(rel.sentence.start_char, rel.sentence.end_char)
                facts.append(Fact(head, rel.label, tail, rel.confidence,
                                  norm.original[start:end].strip(), start, end))
        facts += self.name_facts(entities, norm.original, context)
        if self.relations is not None:
            facts = self.relations(doc, span_key, norm, facts)
        for ent in entities.values():
            known = self.reference.lookup(ent.type, ent.name)
            if known is not None:
                ent.en, ent.wikidata = known.en, known.wikidata
        return ArticleGraph(article, entities, dedupe(facts))

    # -- canonical names -----------------------------------------------------------
    def variants(self, span: Span, spans: list[Span]) -> list[str]:
        """Shorter forms of a case or award name that also name it.

        An award named after its giver (…委员会2023年度十佳知识产权案例) is also
        known without the giver; a case titled with its handler and verb
        (…局查处侵犯…案) also without them.
        """
        text = span.text
        if span.label_ == "Award":
            givers = [o for o in spans if o.label_ in ("Agency", "Association") and o.start_char == span.start_char
                      and o.end_char < span.end_char]
            if givers:
                rest = text[max(g.end_char for g in givers) - span.start_char:]
                return [rest] if len(rest) >= 4 else []
        if span.label_ == "Case":
            m = self.case_verb.search(text)
            if m and len(text) - m.end() >= 6:
                return [text[m.start():], text[m.end():]]
        return []

    def article_places(self, doc: Doc) -> dict[str, str]:
        """The most mentioned province, city and county of the article."""
        counts: Counter = Counter()
        for span in doc.spans[self.spans_key]:
            if span.label_ == "Place":
                place = self.places.lookup(span.text)
                if place is not None:
                    counts[place] += 1
        best: dict[str, str] = {}
        for place, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].name)):
            best.setdefault(place.level, place.name)
            parent = self.places.parent(place)
            while parent is not None:
                best.setdefault(parent.level, parent.name)
                parent = self.places.parent(parent)
        return best

    def canonical(self, label: str, text: str, context: dict[str, str], named: list[str] = ()) -> str | None:
        """The canonical name of a mention, or None if it cannot be resolved."""
        text = text.strip()
        if label == "Place":
            place = self.places.lookup(text)
            return place.name if place else text
        if label == "LegalDocument":
            return text if text.startswith("《") else f"《{text}》"
        if label == "Campaign" and (quoted := QUOTED.search(text)):
            return quoted.group(1)  # “清源”地理标志保护 is the 清源 campaign
        if label in ("Campaign", "Brand", "Person"):
            return QUOTES.sub("", text) if label != "Brand" else text.strip("“”")
        if label not in ORGS:
            return text
        return self.expand_org(text, context, named)

    def expand_org(self, name: str, context: dict[str, str], named: list[str] = ()) -> str | None:
        """The full name of a body: 省委 → 中共广东省委, 市市场监管局 → 江门市市场监督管理局."""
        if self.reference.full_name(name):
            return self.reference.full_name(name)
        if name in self.wholes:
            try:
                return self.wholes[name].format(**context)
            except KeyError:
                return None
        if name[0] in "市区县省" and not self.places.lookup(name[:2]) and not self.places.lookup(name[:3]):
            rest = self.expand_suffix(name[1:])
            spelled = {b for b in named if b.endswith(rest) and 2 <= len(b) - len(rest) <= 6
                       and b[:-len(rest)].endswith(name[0])}
            if len(spelled) == 1:
                return spelled.pop()
            level = {"市": "city", "省": "province"}.get(name[0], "county")
            if level not in context:
                return None
            name = context[level] + name[1:]
        return self.expand_suffix(name)

    def expand_suffix(self, name: str) -> str:
        """Abbreviated endings written in full: 苏州中院 → 苏州市中级人民法院, 云岭省检察院 → 云岭省人民检察院."""
        for short, full in self.suffixes:
            if name.endswith(short) and not name.endswith(full):
                name = self.full_places(name[: -len(short)] + full)
        for short, full in sorted(self.reference.after_place, key=lambda sf: -len(sf[0])):
            rest = name[: -len(short)]
            if name.endswith(short) and rest and self.places_only.fullmatch(rest):
                return self.full_places(rest) + full
        return name

    def full_places(self, name: str) -> str:
        """Leading places written short, as before an abbreviated suffix, in full: 四川自贡… → 四川省自贡市…"""
        out, pos = "", 0
        while (m := self.place_re.match(name, pos)) is not None:
            out += self.places.lookup(m.group()).name
            pos = m.end()
        return out + name[pos:]

    def merge(self, entities: dict[tuple[str, str], Entity]) -> dict[tuple[str, str], Entity]:
        """Map each entity key to the entity it merges into (same thing, other form)."""
        out: dict[tuple[str, str], Entity] = {}
        by_form: dict[tuple[str, str], Entity] = {}
        # Longest names first, so shorter forms fold into the fullest one.
        for key in sorted(entities, key=lambda k: (-len(k[1]), k)):
            ent = entities[key]
            forms = self.merge_forms(ent)
            target = next((by_form[(ent.type, f)] for f in forms if (ent.type, f) in by_form), None)
            if target is None:
                target = ent
            else:
                target.aliases |= ent.aliases | {ent.name}
                target.mentions += ent.mentions
            for f in forms | {QUOTES.sub("", a) for a in ent.aliases}:
                by_form.setdefault((ent.type, f), target)
            out[key] = target
        return out

    def fold_short_names(self, merged: dict[tuple[str, str], Entity]) -> dict[tuple[str, str], Entity]:
        """Fold a short name into the one full name of the article that ends with it.

        柯桥区市场监督管理局 → 浙江省绍兴市柯桥区市场监督管理局, 西兴派出所 →
        杭州市公安局滨江区分局西兴派出所, 《框架协议》 → 《关于建立…的框架协议》:
        the article says the long form once and the short one afterwards. A short
        name that several full names end with stays as it is.
        """
        named = {id(e): (e, QUOTES.sub("", e.name)) for e in merged.values() if e.type in FOLDED}
        into: dict[int, Entity] = {}
        for short, bare in named.values():
            longer = {id(e): e for e, name in named.values()
                      if e.type == short.type and len(name) > len(bare) and shortens(bare, name, short.type)}
            if len(longer) == 1:
                into[id(short)] = next(iter(longer.values()))
        for key, ent in merged.items():
            target = into.get(id(ent))
            if target is not None:
                target.aliases |= ent.aliases | {ent.name}
                target.mentions += ent.mentions
                merged[key] = target
        return merged

    def merge_forms(self, ent: Entity) -> set[str]:
        """Forms under which two mentions of one article are the same entity."""
        bare = QUOTES.sub("", ent.name)
        forms = {bare}
        if ent.type == "Award":
            forms.add(self.year_prefix.sub("", bare))
        if ent.type == "LegalDocument" and bare.startswith("中华人民共和国"):
            forms.add(bare[len("中华人民共和国"):])
        if ent.type == "LegalDocument":
            forms.add(re.sub(r"\([^)]*\)$", "", bare))
        return forms

    # -- relations from names ------------------------------------------------------
    def name_facts(self, entities: dict[tuple[str, str], Entity], original: str,
                   context: dict[str, str]) -> list[Fact]:
        """locatedIn and subOrganizationOf read off names; the evidence is the name as written.

        A company whose name gives only its province sits in the article's own
        city when that lies inside it (local news about local firms).
        """
        facts = []
        places = {e.name for e in entities.values() if e.type == "Place"}
        bodies = [e for e in entities.values() if e.type in ("Agency", "Association")]
        for ent in list(entities.values()):
            if ent.type not in ORGS:
                continue
            start, end = min(ent.mentions)
            evidence = dict(sentence=original[start:end], start=start, end=end)
            place = self.seat(ent.name) or next((p for p in sorted(places, key=len, reverse=True)
                                                 if len(p) >= 3 and ent.name.startswith(p)), None)
            confidence = 0.9
            if ent.type == "Company" and (local := self.local_seat(place, context)) is not None:
                place, confidence = local, 0.6
            if place is not None:
                if place not in places:
                    forms = {place, self.places.lookup(place).short} - {""}  # seat() names gazetteer places
                    # its mention: where the body's name, as written, begins with it (else none)
                    written, offsets = clean(original[start:end])
                    written = to_simplified(written)
                    at = [(start, start + offsets[len(f)]) for f in sorted(forms, key=len, reverse=True)
                          if written.startswith(f)]
                    entities[("Place", place)] = Entity("Place", place, forms, at[:1])
                    places.add(place)
                facts.append(Fact(ent.key, "locatedIn", ("Place", place), confidence, **evidence))
            if ent.type != "Company":
                # the longest other body whose name or short form begins this one's
                prefixes = [(len(form), b) for b in bodies if b is not ent for form in {b.name} | b.aliases
                            if len(form) >= 4 and ent.name.startswith(form) and ent.name != form]
                if prefixes:
                    parent = max(prefixes, key=lambda lb: lb[0])[1]
                    facts.append(Fact(ent.key, "subOrganizationOf", parent.key, 0.9, **evidence))
        return facts

    def local_seat(self, seat: str | None, context: dict[str, str]) -> str | None:
        """The article's city, when a company's name gives only the province it lies in."""
        area = self.places.lookup(seat) if seat else None
        city = self.places.lookup(context["city"]) if "city" in context else None
        if area is not None and area.level == "province" and city is not None and self.places.within(city, area):
            return city.name
        return None

    def seat(self, name: str) -> str | None:
        """The most specific place a body's name puts it in."""
        if name.startswith("中国"):
            return "中国"
        found = []
        pos = 0
        # Places leading the name (浙江省绍兴市柯桥区…), short forms allowed, each inside the one before.
        while (m := self.place_re.match(name, pos)) is not None:
            place = self.places.lookup(m.group(), found[-1] if found else None)
            if found and not self.places.within(place, found[-1]):
                break
            found.append(place)
            pos = m.end()
        # Places further in (…公安局滨江区分局, …公安局沿滩分局), inside the leading one:
        # 晋江市青阳… is not in 青阳县 of another province.
        area = found[-1] if found else None
        for m in self.place_re.finditer(name, pos):
            place = self.places.lookup(m.group(), area)
            if area is not None and not self.places.within(place, area):
                continue
            if (place.name == m.group() and len(m.group()) >= 3) or name.startswith(self.branch_words, m.end()):
                found.append(place)
        found = [p for p in found if p.level not in ("region",)]
        if not found:
            return "中国" if "(中国)" in name else None
        return max(enumerate(found), key=lambda ip: (gazetteer._rank(ip[1]), ip[0]))[1].name


def shortens(short: str, name: str, type_: str) -> bool:
    """Whether `short` is a short form of `name` as articles write them.

    简某 for 简某清 (an anonymised person cut short); a tail for a body or document
    (西兴派出所, 《框架协议》); a firm or award without a few words in the middle;
    a leading place without its 市/区/县 (东江中级人民法院), and a place itself (西岭 for 西岭市).
    """
    if type_ == "Person":
        return name.startswith(short) and short.endswith("某")
    if name.endswith(short) and len(short) >= 4:
        return True
    if type_ in ("Company", "Award"):  # 河南快德机电有限公司 for 河南快德机电安装有限公司
        return 1 <= len(name) - len(short) <= 4 and any(
            name.startswith(short[:i]) and name.endswith(short[i:]) for i in range(4, len(short) - 1))
    return len(name) == len(short) + 1 and any(
        name[i] in "市省区县" and name[:i] + name[i + 1:] == short for i in range(2, min(5, len(name))))


def dedupe(facts: list[Fact]) -> list[Fact]:
    """One fact per (head, relation, tail), keeping the most confident evidence."""
    best: dict[tuple, Fact] = {}
    for f in facts:
        k = VOCAB.ordered(f.head, f.relation, f.tail)
        if k not in best or f.confidence > best[k].confidence:
            best[k] = f
    return sorted(best.values(), key=lambda f: (f.head, f.relation, f.tail))
