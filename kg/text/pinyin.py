"""Repair pinyin annotations and GBK-misalignment garbles that web copies of Chinese news carry.

* **Pinyin annotations** such as ``國(guó)``, ``產(chǎn)``, ``綠(lǜ)``, ``國(guo)``, also with
  full-width parentheses: the parenthesised pinyin is dropped, the character stays.  A
  tone-marked annotation is dropped when it is a valid pinyin syllable and follows a Han
  character; a tone-less one only when the preceding character has that reading (so
  ``長度(m)`` or ``公司(App)``/``(GACG)`` are kept).  Readings come from
  ``kg/text/data/gbk_pinyin.tsv``.
* **GBK-misalignment garbles** such as ``表?yè)P(yáng)`` (表揚) and ``日?qǐng)?bào)`` (日報).  They come
  from a broken pinyin annotator that read the GBK bytes one byte out of step: the trail
  byte of the previous character and the lead byte of the lost character were read as a
  third character (頁 = ED 93, 請 = D5 88), printed as ``?`` plus its pinyin and ``)``; then
  comes the lost character's trail byte (as ASCII ``P`` when it is < 0x80, else ``?``
  which also swallowed the ``(``), then the lost character's own pinyin and ``)``.  Shape::

      ? <pinyin1> ) <stray byte or ?> [(] <pinyin2> )

  The lost character is rebuilt soundly: it must read *pinyin2*, its GBK trail byte must
  equal the stray byte (or be >= 0x80 for ``?``), and its lead byte must form, after the
  previous character's trail byte, a character reading *pinyin1*.  This identifies the
  character uniquely in about 97% of (previous byte, pinyin1, stray, pinyin2) cases; ties
  are broken by preferring traditional characters (only those get annotated) and then
  common ones (GB2312 level 1 of the simplified form).  Simulated over random traditional
  characters after random common ones, 95% are rebuilt, 3% dropped as ambiguous and 2%
  rebuilt wrongly (mostly when rare heteronym readings collide).  Known forms in
  ``kg/text/data/garbled.tsv`` are used first.  What cannot be repaired: a garble whose
  candidates still tie, or none fit (the whole garble is dropped, so at least the
  surrounding name is not broken by junk), and a character lost *without* any trace.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

from kg.datafiles import data_dir, read_list
from kg.text.t2s import converter

DATA = data_dir(__file__)

TONE_VOWELS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüêếềḿńňǹ"
SYLLABLE = "[a-z" + TONE_VOWELS + "\u0300\u0301\u0304\u0308\u030c]{1,7}"  # one pinyin syllable
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
LOST = "?\u25a1\ufffd"  # ?, □, replacement character
STRIP_TONE = str.maketrans(
    {**{c: "a" for c in "āáǎà"}, **{c: "e" for c in "ēéěèêếề"}, **{c: "i" for c in "īíǐì"},
     **{c: "o" for c in "ōóǒò"}, **{c: "u" for c in "ūúǔù"}, **{c: "v" for c in "ǖǘǚǜü"},
     "ḿ": "m", "ń": "n", "ň": "n", "ǹ": "n"}
)


@functools.lru_cache(maxsize=8192)
def toneless(syllable: str) -> str:
    """``'lǜ'`` -> ``'lv'``; also accepts decomposed tone marks and ``u:``."""
    s = unicodedata.normalize("NFC", syllable).replace("u:", "v").translate(STRIP_TONE)
    return "".join(c for c in s if not unicodedata.combining(c))


class Pinyin:
    """Readings of GBK ideographs, loaded once from ``data/gbk_pinyin.tsv``."""

    def __init__(self, path: Path) -> None:
        self.by_reading: dict[str, str] = {}  # toned syllable -> chars
        self.by_toneless: dict[str, str] = {}
        self.readings: dict[str, set[str]] = {}  # char -> toneless syllables
        self.trails: dict[str, set[int]] = {}  # toned syllable -> GBK trail bytes of its chars
        for line in read_list(path):
            syl, chars = line.split("\t")
            self.by_reading[syl] = chars
            bare = toneless(syl)
            self.by_toneless[bare] = self.by_toneless.get(bare, "") + chars
            trails = self.trails.setdefault(syl, set())
            for ch in chars:
                self.readings.setdefault(ch, set()).add(bare)
                b = ch.encode("gbk")
                trails.add(b[1])
        self.syllables = frozenset(self.by_toneless)


@functools.lru_cache(maxsize=1)
def pinyin() -> Pinyin:
    return Pinyin(DATA / "gbk_pinyin.tsv")


@functools.lru_cache(maxsize=1)
def garbled_table() -> dict[str, str]:
    return dict(line.split("\t")[:2] for line in read_list(DATA / "garbled.tsv"))


@functools.lru_cache(maxsize=65536)
def is_annotation(syllable: str, prev: str) -> bool:
    """Whether ``(syllable)`` after character ``prev`` is a pinyin annotation of it."""
    py = pinyin()
    bare = toneless(syllable)
    if bare not in py.syllables or not any(v in bare for v in "aeiouv"):
        return False
    readings = py.readings.get(prev)
    if readings is not None and bare in readings:
        return True
    if bare != syllable:  # tone-marked: unmistakably pinyin
        return True
    return readings is None and len(bare) >= 2


def _gbk_rank(ch: str) -> tuple[int, int]:
    """Sort key preferring traditional characters, then common ones."""
    simp = converter()(ch)
    trad = 0 if simp != ch else 1
    try:
        lead = simp.encode("gb2312")[0]
        common = 0 if lead < 0xD8 else 1
    except UnicodeEncodeError:
        common = 2
    return trad, common


@functools.lru_cache(maxsize=4096)
def repair_garble(prev: str, p1: str, stray: str, p2: str) -> str:
    """The character lost in a GBK garble, or ``""`` when it cannot be told soundly.

    ``prev`` is the character before the garble ("" if unknown), ``stray`` the stray byte
    as a character ("" when it was shown as ``?``).
    """
    py = pinyin()
    p1 = unicodedata.normalize("NFC", p1)
    p2 = unicodedata.normalize("NFC", p2)
    trails1 = py.trails.get(p1)
    if trails1 is None:
        trails1 = set()
        for syl, t in py.trails.items():
            if toneless(syl) == toneless(p1):
                trails1 |= t
    chars = py.by_reading.get(p2) or py.by_toneless.get(toneless(p2), "")
    cands = []
    for ch in chars:
        lead, trail = ch.encode("gbk")
        if (trail == ord(stray)) if stray else (trail >= 0x80):
            if lead in trails1:
                cands.append(ch)
    if len(cands) > 1 and prev:
        try:
            pb = prev.encode("gbk")
        except UnicodeEncodeError:
            pb = b""
        if len(pb) == 2:
            bare1 = toneless(p1)
            narrowed = []
            for ch in cands:
                try:
                    misread = bytes([pb[1], ch.encode("gbk")[0]]).decode("gbk")
                except UnicodeDecodeError:
                    continue
                if bare1 in py.readings.get(misread, ()):
                    narrowed.append(ch)
            if narrowed:
                cands = narrowed
    if len(cands) > 1:
        cands.sort(key=_gbk_rank)
        if _gbk_rank(cands[0]) == _gbk_rank(cands[1]):
            return ""
    return cands[0] if cands else ""


def strip_pinyin(s: str) -> str:
    """Remove pinyin annotations and repair garbles in a name; no NFKC or t2s.

    ``"國(guó)家知識(shí)產(chǎn)權(quán)局"`` -> ``"國家知識產權局"``.
    """

    def sub(m: re.Match) -> str:
        if m.lastgroup == "g":
            lead = m.group(2)
            form = m.group(0)[len(lead):]
            ch = garbled_table().get(form)
            if ch is None:
                gstart = m.start() + len(lead)
                prev = "" if lead or gstart == 0 else m.string[gstart - 1]
                ch = repair_garble(prev, m.group(3), m.group(4) or "", m.group(5))
            return lead + ch
        if is_annotation(m.group(7), m.string[m.start() - 1]):
            return ""
        return m.group(0)

    return STRIP_RE.sub(sub, s)


STRIP_RE = re.compile(
    rf"(?P<g>([{LOST}]*)\?({SYLLABLE})\)(?:([\x40-\x7e])|\?)\(?({SYLLABLE})\))"
    rf"|(?P<p>(?<=[{HAN}])[(（]({SYLLABLE})[)）])"
)
