"""Entity recognition: the ten entity types of GUIDELINES.md as nested spans.

Three sources of evidence are combined:
- LAC words (from `kg_lac`): organisation names are grown leftwards from a word
  that ends with a typed suffix (局 → Agency, 有限公司 → Company, 协会 → Association),
  and award names from an award suffix (典型案例, 奖, 示范企业);
- regular expressions from `data/patterns.tsv` for cases, campaigns, legal
  documents, brands, quoted awards and anonymised people;
- the place gazetteer for places, and LAC's PER tag for people.
Names may nest ("…协会优质品牌保护工作委员会" holds "…协会"), so the result goes to
`doc.spans` (key `spans_key`, "kg" by default) rather than `doc.ents`.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.reference import DATA as REFERENCE_DATA, bodies as reference, gazetteer
from kg.datafiles import read_table
from kg.nlp.lexicon import DATA, Lexicon, alternation, save
from kg.nlp.spans import Mention, in_sentence, strip_quotes, write_spans
from kg.vocab import VOCAB

ORG_TYPES = VOCAB.organisations
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_BRAND = re.compile(r"[A-Za-z][A-Za-z&'.\-]{1,19}")
ADDRESS_CHAR = re.compile(r"[@./:][A-Za-z0-9]|[A-Za-z0-9][@./:]")  # inside an e-mail or web address
CLAUSE_END = re.compile(r"[，,。；;！？\n]")
# the data files this component reads (its own, then those of kg.reference), which `to_disk` writes
FILES = ("org_suffixes.tsv", "patterns.tsv", "words.tsv", "triggers.tsv", "expressions.tsv")
REFERENCE_FILES = gazetteer.FILES + reference.FILES


@Language.factory(
    "kg_entities",
    default_config={"spans_key": "kg", "words_key": "lac", "data_dir": None, "reference_dir": None},
    assigns=["doc.spans"],
    requires=["doc.spans", "token.is_sent_start"],
)
def make_entities(nlp: Language, name: str, spans_key: str, words_key: str, data_dir: str | None,
                  reference_dir: str | None) -> "EntityRecognizer":
    return EntityRecognizer(spans_key, words_key, Path(data_dir) if data_dir else DATA,
                            Path(reference_dir) if reference_dir else None)


class EntityRecognizer:
    """Finds entity mentions and stores them in `doc.spans[spans_key]`.

    words_key: the spans of LAC words (`kg_lac`); data: the folder of its word
    lists and patterns (`FILES`); reference: the folder of kg.reference's tables
    (None: the bundled ones). `to_disk` writes both, `from_disk` reads them back.
    """

    def __init__(self, spans_key: str = "kg", words_key: str = "lac", data: Path = DATA,
                 reference_dir: Path | None = None) -> None:
        self.spans_key, self.words_key = spans_key, words_key
        self.load(data, reference_dir)

    def to_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> None:
        save(self.data, Path(path) / "data", FILES)
        save(self.reference_dir, Path(path) / "reference", REFERENCE_FILES)

    def from_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> EntityRecognizer:
        self.load(Path(path) / "data", Path(path) / "reference")
        return self

    def load(self, data: Path, reference_dir: Path | None) -> None:
        """Read the word lists, patterns and reference tables."""
        self.data, self.reference_dir = data, reference_dir or REFERENCE_DATA
        lexicon = Lexicon(data)
        self.name_tags = set(lexicon.words("name_tag"))
        self.name_verbs = set(lexicon.words("name_verb"))
        self.award_acts = lexicon.words("award_act")
        self.counterfeit = alternation(lexicon.words("counterfeit"))
        self.vague = re.compile(alternation(lexicon.words("vague")).pattern + "|[0-9]")
        self.case_verb = alternation(lexicon.triggers("handledBy", "title"))
        self.joiners = lexicon.words("joiner")
        self.re = lexicon.regex
        suffixes = read_table(data / "org_suffixes.tsv")
        self.org_suffixes = sorted(((r["suffix"], r["type"]) for r in suffixes), key=lambda x: -len(x[0]))
        self.award_suffixes = sorted(lexicon.words("award_suffix"), key=len, reverse=True)
        self.standalone_awards = set(lexicon.words("award_standalone"))
        self.generic_prefixes = lexicon.words("generic_prefix")
        self.generic_names = set(lexicon.words("generic_name"))
        self.stopwords = set(lexicon.words("chunk_stop"))
        listed = reference.load(self.reference_dir)
        self.short_forms = set(listed.wholes)
        self.case_keywords = lexicon.words("case_keyword")
        self.not_names = lexicon.words("not_name")
        # words stripped from the front of an award name
        self.award_leading = tuple(sorted(lexicon.words("award_leading") + self.generic_prefixes, key=len, reverse=True))
        self.brand_context = lexicon.words("brand_context")
        self.brand_stopwords = {w.lower() for w in lexicon.words("brand_stop")}
        self.patterns = [(r["label"], int(r["group"]), re.compile(r["regex"]))
                         for r in read_table(data / "patterns.tsv")]
        self.places = gazetteer.load(self.reference_dir)
        self.place_re = self.places.pattern
        short_forms = sorted({*listed.full_names, *listed.agency_names}, key=len, reverse=True)
        # listed national bodies and their short forms (国务院, 最高检, CNIPA), not inside a longer word
        self.known_re = re.compile(r"(?<![A-Za-z])(?:" + "|".join(map(re.escape, short_forms)) + r")(?![A-Za-z])")
        self.place_led_suffixes = lexicon.words("place_led_suffix")
        self.collective_suffixes = set(lexicon.words("collective_suffix"))
        self.document_suffixes = lexicon.words("document_suffix")

    def __call__(self, doc: Doc) -> Doc:
        words = sorted(doc.spans[self.words_key], key=lambda s: s.start_char) if self.words_key in doc.spans else []
        text = doc.text  # Doc.text joins every token: read it once
        found: set[Mention] = set()
        found.update(self.organisations(text, words))
        found.update(self.awards(text, words))
        found.update(self.pattern_mentions(text))
        found.update(self.place_mentions(text, words))
        found.update(self.people(words))
        found.update(self.word_mentions(doc, text, words))
        found.update(self.brand_lists(text))
        found.update(self.law_lists(text))
        found.update(self.campaign_lists(text))
        found.update(Mention(m.start(), m.end(), "Agency") for m in self.known_re.finditer(text))
        write_spans(doc, self.spans_key, self.prune(found), alignment="expand")
        return doc

    # -- organisations -------------------------------------------------------------
    def org_type(self, name: str) -> str | None:
        for suffix, label in self.org_suffixes:
            if name.endswith(suffix):
                if label == "Agency" and suffix.endswith("委员会") and re.search("协会|联盟|学会|商会", name):
                    return "Association"
                return label
        return None

    def organisations(self, text: str, words: list[Span]) -> Iterator[Mention]:
        for i, word in enumerate(words):
            # the suffix may span this word and the one before: 工商|部门, 防制|处
            tail = text[words[i - 1].start_char if i else word.start_char:word.end_char]
            if word.label_ not in self.name_tags and not word.text.startswith(")") or self.org_type(tail) is None \
                    or word.text.endswith(self.not_names):
                continue  # (LAC writes "新百伦贸易(中国)有限公司" with a word ")有限公司")
            j = self.grow_left(words, i)
            start = words[j].start_char
            named = (any(w.label_ == "ORG" for w in words[j:i + 1]) or "某" in text[start:word.end_char]
                     or (word.label_ == "LOC" and j == i))  # LAC sometimes tags a whole firm's name LOC
            yield from self.nested_orgs(text, start, word.end_char, named)

    def grow_left(self, words: list[Span], i: int, extra_tags: Iterable[str] = ()) -> int:
        """Index of the first word of the name that ends with words[i]: extend over name-like words."""
        allowed = self.name_tags | set(extra_tags)
        j = i
        while j > 0:
            prev = words[j - 1]
            if prev.end_char != words[j].start_char or words[i].end_char - prev.start_char > 45:
                break
            if prev.text in self.stopwords or not prev.text.strip() or "\n" in prev.text:
                break
            if not (prev.label_ in allowed or prev.text in self.name_verbs or prev.text in ("某", "(", ")")):
                break
            j -= 1
        return j

    def nested_orgs(self, text: str, start: int, end: int, named: bool) -> Iterator[Mention]:
        """The organisation name text[start:end] and the names it begins with.

        `named` says whether LAC saw an organisation name in it: plain descriptions
        ending in 公司 or 机构 (物流公司, 执法机构) are not names; anonymised ones (某公司) are.
        """
        name = text[start:end]
        # Drop unbalanced brackets and leading generic words.
        while name and (name[0] in "()" or name.startswith(self.generic_prefixes)):
            cut = 1 if name[0] in "()" else next(len(p) for p in self.generic_prefixes if name.startswith(p))
            name, start = name[cut:], start + cut
        if name.count("(") != name.count(")"):
            return
        label = self.org_type(name)
        if label is None or not self.specific(name) or len(name) > 32:
            return
        for joiner in self.joiners:  # 国家知识产权局联合星海市公安局: two bodies, not one
            at = name.find(joiner, 2)
            if at > 0 and self.org_type(name[:at]) and self.org_type(name[at + len(joiner):]):
                yield from self.nested_orgs(text, start, start + at, named)
                yield from self.nested_orgs(text, start + at + len(joiner), end, named)
                return
        acronym = re.match(r"\([A-Z]{2,10}\)", text[end:end + 12])
        if not named and not acronym and not name.endswith(("有限公司", "有限责任公司")) and label != "Agency":
            return
        if text.startswith("奖", end):  # 全球反假冒国家公共机构奖 is an award, not a body
            return
        yield Mention(start, end, label)
        # Prefixes that end with a suffix are names too: 杭州市公安局 in 杭州市公安局滨江区分局.
        for k in range(len(name) - 1, 1, -1):
            inner = name[:k]
            inner_label = self.org_type(inner)
            if inner_label and self.specific(inner) and inner.count("(") == inner.count(")") \
                    and not self.places.lookup(inner) and self.ends_at_word(name, k):
                yield Mention(start, start + k, inner_label)

    def ends_at_word(self, name: str, k: int) -> bool:
        """Whether a nested name may end at position k: not inside a longer word (局|办公室)."""
        if name[k:].startswith(("局", "部门", "会", "院", "所", "厂", "店", "署", "处", "组织", "政府", "行")):
            return False
        if name[k:] in ("公司", "有限公司", "有限责任公司", "股份有限公司"):
            return False  # 四川久大盐业集团 in 四川久大盐业集团公司 is the same firm
        for suffix, _ in self.org_suffixes:
            i = name.find(suffix, max(0, k - len(suffix) + 1))
            if i != -1 and i < k < i + len(suffix):
                return False
        return True

    def specific(self, name: str) -> bool:
        """A name that picks out one body, not a generic or collective reference.

        Short forms resolved later in the article's context count: 市市场监管局, 省委.
        """
        if name in self.short_forms or (name[0] in "市区县省" and name[1:] in self.generic_names):
            return True
        if self.re("counted").match(name) or (name[:2] in ("全国", "全省", "全市", "各地") and name[2:] in self.generic_names) \
                or self.vague.search(name):
            return False  # 四家检察院, 两级法院, 全国海关, 国务院有关部门: several or unnamed bodies
        if name.endswith(self.place_led_suffixes) and not self.place_re.match(name):
            return False  # 科技创新中心 is a description; 江门高新区…服务中心 a body
        place = self.place_re.match(name)
        if place and name[place.end():] in self.collective_suffixes:
            return False  # 江苏法院: the courts of a province, not one court
        return len(name) >= 3 and name not in self.generic_names and bool(CJK.search(name))

    # -- awards --------------------------------------------------------------------
    def awards(self, text: str, words: list[Span]) -> Iterator[Mention]:
        for i, word in enumerate(words):
            suffix = next((s for s in self.award_suffixes if text.endswith(s, 0, word.end_char)), None)
            if suffix is None and (m := self.re("award_list_tail").search(text, max(0, word.end_char - 16), word.end_char)):
                suffix = m.group()  # 十佳知识产权案例
            if suffix is None or word.label_ in ("v", "vd", "w", "p"):
                continue
            start = words[self.grow_left(words, i, extra_tags=("TIME",))].start_char
            if text.endswith(self.award_acts, 0, word.end_char):
                continue  # 获奖, 评奖: an act, not an award's name
            start = min(start, word.end_char - len(suffix))
            while True:
                if text.startswith(self.award_leading, start, word.end_char - len(suffix)):
                    start += next(len(p) for p in self.award_leading if text.startswith(p, start))
                elif (count := self.re("count").match(text, start, word.end_char - len(suffix))) is not None:
                    start = count.end()  # 7家国家知识产权示范企业: the title without the count
                else:
                    break
            name = text[start:word.end_char]
            if name != suffix or name in self.standalone_awards:  # 优势企业 alone names no title
                yield Mention(start, word.end_char, "Award")

    # -- regular expressions -------------------------------------------------------
    def pattern_mentions(self, text: str) -> Iterator[Mention]:
        for label, group, regex in self.patterns:
            for m in regex.finditer(text):
                start, end = m.span(group)
                start, end = strip_quotes(text, start, end)
                if end - start < 2:
                    continue
                if label == "LegalDocument" and not text[start:end].rstrip("》").endswith(self.document_suffixes):
                    continue  # 《大众日报》, 《流浪地球》: papers and works, not documents
                if label == "Campaign" and not m.group().startswith("“"):
                    # 江海区深入开展知识产权保护专项行动, A、B等…专项行动: the name follows the verb
                    lead = self.re("campaign_lead").match(text, start, end)
                    start = lead.end() if lead else start
                    if text[start:end] in self.generic_names or end - start < 4:
                        continue
                if label == "Case":
                    # 在“清风”专项行动中查处…案: the clause before the title is not part of it
                    clause = self.re("case_lead_clause").match(text, start, end)
                    start = clause.end() if clause else start
                    # a title that opens with the verb (after at most a place) names the case without it
                    verb = self.case_verb.search(text, start, end)
                    if verb and (verb.start() == start or self.place_re.fullmatch(text, start, verb.start())):
                        start = verb.end()  # 上海查处“X”侵权案: the case is “X”侵权案
                    if not self.case_like(text[start:end]):
                        continue
                yield Mention(start, end, label)

    def campaign_lists(self, text: str) -> Iterator[Mention]:
        """Each quoted item of an enumeration of campaigns: 开展“清源”地理标志保护、“护航-2023”…等专项行动."""
        for m in self.re("campaign_list").finditer(text):
            pos = m.start(1)
            for item in m.group(1).split("、"):
                quoted = item.find("“")
                if quoted != -1 and "”" in item:
                    yield Mention(pos + quoted, pos + len(item), "Campaign")
                pos += len(item) + 1

    def law_lists(self, text: str) -> Iterator[Mention]:
        """Laws and regulations cited without 《》 in a list: 违反药事法、动物传染病防治条例."""
        for m in self.re("law_list").finditer(text):
            pos = m.start()
            for item in re.split(r"[、及和与]", m.group()):
                lead = self.re("law_lead").match(item)
                law = self.re("law_name")
                name = law.fullmatch(item, lead.end()) or law.match(item, lead.end())
                if name and name.end() - name.start() >= 3:
                    yield Mention(pos + name.start(), pos + name.end(), "LegalDocument")
                pos += len(item) + 1

    def case_like(self, name: str) -> bool:
        return (len(name) >= 6 and any(k in name for k in self.case_keywords) and not self.re("count_of_cases").search(name)
                and not name.startswith(("此", "本", "该", "这", "上述", "一起", "各类", "相关", "涉案", "了", "一批")))

    # -- places and people ---------------------------------------------------------
    def place_mentions(self, text: str, words: list[Span]) -> Iterator[Mention]:
        """Gazetteer places: full names anywhere, short forms only where LAC saw a name; and LAC's
        place words ending like a division (…镇, …市) that the gazetteer lacks."""
        tags = {w.start_char: w.label_ for w in words}
        titles = [m.span() for m in re.finditer(r"《[^》]*》", text)]
        for m in self.place_re.finditer(text):
            if any(a < m.start() < b for a, b in titles):
                continue
            name = m.group()
            place = self.places.lookup(name)
            tag = tags.get(m.start())
            if name == place.name and len(name) >= 3:
                yield Mention(m.start(), m.end(), "Place")
            elif tag == "LOC" or (tag == "ORG" and place.level != "county"):
                yield Mention(m.start(), m.end(), "Place")
        # divisions the gazetteer lacks (towns, new districts): LAC place words with a division suffix
        for w in words:
            if w.label_ == "LOC" and self.re("division").fullmatch(w.text) and self.places.lookup(w.text) is None:
                yield Mention(w.start_char, w.end_char, "Place")

    def word_mentions(self, doc: Doc, text: str, words: list[Span]) -> Iterator[Mention]:
        """Latin brands in sentences about marks, and laws cited without 《》."""
        starts = [w.start_char for w in words]
        for sent in doc.sents:
            about_marks = any(w in sent.text for w in self.brand_context)
            for w in in_sentence(words, starts, sent):
                if w.label_ in ("nz", "nw") and len(w.text) >= 3 and w.text.endswith(("法", "条例")):
                    yield Mention(w.start_char, w.end_char, "LegalDocument")
                elif about_marks and self.latin_brand(text, w.start_char, w.end_char):
                    yield Mention(w.start_char, w.end_char, "Brand")
        # 仿冒劳力士、百达翡丽手表: the names LAC finds in the clause after a counterfeiting verb
        for m in self.counterfeit.finditer(text):
            clause_end = CLAUSE_END.search(text, m.end())
            stop = clause_end.start() if clause_end else len(text)
            for w in words[bisect_left(starts, m.end()):bisect_left(starts, stop)]:
                if w.label_ in ("ORG", "nz") and 2 <= len(w.text) <= 6 and self.org_type(w.text) is None \
                        and self.places.lookup(w.text) is None:
                    yield Mention(w.start_char, w.end_char, "Brand")

    def latin_brand(self, text: str, start: int, end: int) -> bool:
        """A Latin word that is not part of an e-mail or web address ("NIKE", not "gov" in customs.gov.hk)."""
        word = text[start:end]
        if not LATIN_BRAND.fullmatch(word) or word.lower() in self.brand_stopwords:
            return False
        joined_before = start > 0 and ADDRESS_CHAR.match(text, start - 1)  # @customs, .gov
        joined_after = ADDRESS_CHAR.match(text, end)  # crimereport@, customs.
        return not (joined_before or joined_after)

    def brand_lists(self, text: str) -> Iterator[Mention]:
        """Each name of an enumeration of brands: 包括NIKE、TOYOTA、凤凰等知名品牌."""
        for m in self.re("brand_list").finditer(text):
            pos = m.start(1)
            for item in m.group(1).split("、"):
                if (LATIN_BRAND.fullmatch(item) or len(item) <= 6) and item.lower() not in self.brand_stopwords:
                    yield Mention(pos, pos + len(item), "Brand")
                pos += len(item) + 1

    @staticmethod
    def prune(found: set[Mention]) -> set[Mention]:
        """Drop places inside a brand (新会陈皮 holds 新会) and people inside a longer name
        (简某 in 简某清, 王氏 in 王氏有礼食品商行)."""
        def inside(m: Mention, labels: tuple[str, ...]) -> bool:
            return any(o.label in labels and o.start <= m.start and m.end <= o.end and o != m for o in found)
        return {m for m in found
                if not (m.label == "Place" and inside(m, ("Brand",)))
                and not (m.label == "Person" and inside(m, ("Person", *ORG_TYPES)))}

    def people(self, words: list[Span]) -> Iterator[Mention]:
        for w in words:
            if w.label_ == "PER" and 2 <= len(w.text) <= 4 and all(CJK.match(c) for c in w.text) \
                    and self.org_type(w.text) is None and not w.text.endswith("氏"):
                yield Mention(w.start_char, w.end_char, "Person")
