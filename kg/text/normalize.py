"""Clean web-page artefacts out of Chinese news text and convert it to simplified Chinese,
keeping an exact map from every output character back into the original text.

Why: the NLP stages match names against gazetteers and gold data that are written in
simplified Chinese after NFKC (see the evaluation guidelines), while provenance
(``kgo:startOffset``/``kgo:endOffset``) must point into the article *as read*.  So every
function here is pure, and :func:`clean`/:func:`normalize` return offsets.

What is repaired (in :func:`clean`, one left-to-right pass over the original):

* **Pinyin annotations** such as ``國(guó)``, ``產(chǎn)``, ``綠(lǜ)``, ``國(guo)``, also with
  full-width parentheses: the parenthesised pinyin is dropped, the character stays.  A
  tone-marked annotation is dropped when it is a valid pinyin syllable and follows a Han
  character; a tone-less one only when the preceding character has that reading (so
  ``長度(m)`` or ``公司(App)``/``(GACG)`` are kept).  Readings come from
  ``kg/data/gbk_pinyin.tsv``.
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
  ``kg/data/garbled.tsv`` are used first.  What cannot be repaired: a garble whose
  candidates still tie, or none fit (the whole garble is dropped, so at least the
  surrounding name is not broken by junk), and a character lost *without* any trace.
* **Lost-character runs**: ``????``, ``□`` boxes and U+FFFD runs (e.g. ``????□`` for lost
  ideographic-space indentation) become one space mid-line and nothing at a line start or
  end.  A single ASCII ``?`` is a real question mark and is kept.
* **Unicode**: NFKC (full-width ``ＡＢＣ１２３`` and ``，：；（）！？`` become ASCII, CJK
  compatibility ideographs and Kangxi radicals become unified ideographs); ``。、“”《》``
  are *not* NFKC-mapped and are kept, since sentence splitting relies on them.  Zero-width
  characters, soft hyphens, BOMs and control characters are removed; ideographic and other
  odd spaces and tabs collapse to one space; spaces at line ends are dropped; all line
  breaks become ``\\n``.

:func:`normalize` then converts traditional to simplified with OpenCC ``t2s``.  OpenCC's
per-character t2s never changes length (checked over every code point up to U+2FFFF), but
its phrase table might in principle, so the converted text is used only when its length is
unchanged; otherwise each line is converted alone, and a line that still changes length is
converted character by character, so offsets stay exact.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from kg.datafiles import data_dir, read_list

DATA = data_dir(__file__)

__all__ = ["Normalized", "normalize", "clean", "to_simplified", "strip_pinyin"]


# --------------------------------------------------------------------------- patterns

_TONE_VOWELS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüêếềḿńňǹ"
_P = "[a-z" + _TONE_VOWELS + "\u0300\u0301\u0304\u0308\u030c]{1,7}"  # one pinyin syllable
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_LOST = "?\u25a1\ufffd"  # ?, □, replacement character

_TOKEN_RE = re.compile(
    # GBK garble: group 2 leading lost run, 3 pinyin1, 4 stray byte, 5 pinyin2
    rf"(?P<g>([{_LOST}]*)\?({_P})\)(?:([\x40-\x7e])|\?)\(?({_P})\))"
    # pinyin annotation after a Han character (group 7 = syllable)
    rf"|(?P<p>(?<=[{_HAN}])[(（]({_P})[)）])"
    # lost-character runs
    rf"|(?P<lost>[{_LOST}]*[\u25a1\ufffd][{_LOST}]*|\?{{2,}})"
    r"|(?P<ws>[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+)"
    r"|(?P<nl>\r\n|[\r\n\v\f\x1c-\x1e\x85\u2028\u2029])"
    r"|(?P<drop>[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff])"
)

_STRIP_TONE = str.maketrans(
    {**{c: "a" for c in "āáǎà"}, **{c: "e" for c in "ēéěèêếề"}, **{c: "i" for c in "īíǐì"},
     **{c: "o" for c in "ōóǒò"}, **{c: "u" for c in "ūúǔù"}, **{c: "v" for c in "ǖǘǚǜü"},
     "ḿ": "m", "ń": "n", "ň": "n", "ǹ": "n"}
)


@functools.lru_cache(maxsize=8192)
def _toneless(syllable: str) -> str:
    """``'lǜ'`` -> ``'lv'``; also accepts decomposed tone marks and ``u:``."""
    s = unicodedata.normalize("NFC", syllable).replace("u:", "v").translate(_STRIP_TONE)
    return "".join(c for c in s if not unicodedata.combining(c))


# --------------------------------------------------------------------------- data


class _Pinyin:
    """Readings of GBK ideographs, loaded once from ``data/gbk_pinyin.tsv``."""

    def __init__(self, path: Path) -> None:
        self.by_reading: dict[str, str] = {}  # toned syllable -> chars
        self.by_toneless: dict[str, str] = {}
        self.readings: dict[str, set[str]] = {}  # char -> toneless syllables
        self.trails: dict[str, set[int]] = {}  # toned syllable -> GBK trail bytes of its chars
        for line in read_list(path):
            syl, chars = line.split("\t")
            self.by_reading[syl] = chars
            bare = _toneless(syl)
            self.by_toneless[bare] = self.by_toneless.get(bare, "") + chars
            trails = self.trails.setdefault(syl, set())
            for ch in chars:
                self.readings.setdefault(ch, set()).add(bare)
                b = ch.encode("gbk")
                trails.add(b[1])
        self.syllables = frozenset(self.by_toneless)


@functools.lru_cache(maxsize=1)
def _pinyin() -> _Pinyin:
    return _Pinyin(DATA / "gbk_pinyin.tsv")


@functools.lru_cache(maxsize=1)
def _garbled_table() -> dict[str, str]:
    return dict(line.split("\t")[:2] for line in read_list(DATA / "garbled.tsv"))


@functools.lru_cache(maxsize=1)
def _converter():
    """The OpenCC t2s converter's ``convert`` method, created on first use."""
    import opencc

    try:
        return opencc.OpenCC("t2s.json").convert
    except Exception:  # older bindings name configs without the extension
        return opencc.OpenCC("t2s").convert


# --------------------------------------------------------------------------- repairs


@functools.lru_cache(maxsize=65536)
def _is_annotation(syllable: str, prev: str) -> bool:
    """Whether ``(syllable)`` after character ``prev`` is a pinyin annotation of it."""
    py = _pinyin()
    bare = _toneless(syllable)
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
    simp = _converter()(ch)
    trad = 0 if simp != ch else 1
    try:
        lead = simp.encode("gb2312")[0]
        common = 0 if lead < 0xD8 else 1
    except UnicodeEncodeError:
        common = 2
    return trad, common


@functools.lru_cache(maxsize=4096)
def _repair_garble(prev: str, p1: str, stray: str, p2: str) -> str:
    """The character lost in a GBK garble, or ``""`` when it cannot be told soundly.

    ``prev`` is the character before the garble ("" if unknown), ``stray`` the stray byte
    as a character ("" when it was shown as ``?``).
    """
    py = _pinyin()
    p1 = unicodedata.normalize("NFC", p1)
    p2 = unicodedata.normalize("NFC", p2)
    trails1 = py.trails.get(p1)
    if trails1 is None:
        trails1 = set()
        for syl, t in py.trails.items():
            if _toneless(syl) == _toneless(p1):
                trails1 |= t
    chars = py.by_reading.get(p2) or py.by_toneless.get(_toneless(p2), "")
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
            bare1 = _toneless(p1)
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


# --------------------------------------------------------------------------- clean


def _nfkc_into(chunk: str, base: int, out: list[str], offs: list[int]) -> None:
    """Append NFKC(chunk) to ``out`` with offsets; ``base`` = index of chunk in original."""
    if chunk.isascii() or unicodedata.is_normalized("NFKC", chunk):
        out.append(chunk)
        offs.extend(range(base, base + len(chunk)))
        return
    i, n = 0, len(chunk)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(chunk[j]):
            j += 1
        src = chunk[i:j]
        res = unicodedata.normalize("NFKC", src)
        if len(res) > 1 and res[0] == " ":  # a spacing accent (¯ ´ ˘): dropped, as NFKC would
            res = ""  # make it a space and a mark that joins the letter before on the next pass
        out.append(res)
        if len(res) == len(src):
            offs.extend(range(base + i, base + j))
        else:
            offs.extend([base + i] * len(res))
        i = j


def clean(text: str) -> tuple[str, list[int]]:
    """Repair web artefacts (pinyin annotations, garbles, lost runs, Unicode) without t2s.

    Returns ``(cleaned, offsets)`` where ``offsets[i]`` is the index in ``text`` of
    ``cleaned[i]`` and ``offsets[-1] == len(text)`` (so ``len(offsets) == len(cleaned)+1``).
    See the module docstring for exactly what is repaired.
    """
    out: list[str] = []
    offs: list[int] = []
    pending = -1  # original index of a space not yet emitted (collapsed, dropped at line ends)
    at_line_start = True
    pos = 0

    def emit(s: str, idx: int) -> None:
        nonlocal pending, at_line_start
        if idx < 0:  # an unchanged stretch of text (NFKC only) starting at -idx-1
            piece: list[str] = []
            where: list[int] = []
            _nfkc_into(s, -idx - 1, piece, where)
        else:
            piece, where = [s], [idx] * len(s)
        if not where:  # nothing left (a dropped accent): a pending space stays pending
            return
        if pending >= 0:
            out.append(" ")
            offs.append(pending)
            pending = -1
        out.extend(piece)
        offs.extend(where)
        at_line_start = False

    for m in _TOKEN_RE.finditer(text):
        start = m.start()
        if start > pos:
            emit(text[pos:start], -pos - 1)
        pos = m.end()
        kind = m.lastgroup
        if kind == "g":
            lead_run = m.group(2)
            gstart = start + len(lead_run)
            if lead_run and not at_line_start and pending < 0:
                pending = start
            form = text[gstart:pos]
            ch = _garbled_table().get(form)
            if ch is None:
                prev = "" if lead_run or gstart == 0 else text[gstart - 1]
                ch = _repair_garble(prev, m.group(3), m.group(4) or "", m.group(5))
            if ch:
                emit(unicodedata.normalize("NFKC", ch), gstart)
        elif kind == "p":
            if not _is_annotation(m.group(7), text[start - 1]):
                emit(m.group(0), -start - 1)
        elif kind == "lost" or kind == "ws":
            if not at_line_start and pending < 0:
                pending = start
        elif kind == "nl":
            pending = -1
            out.append("\n")
            offs.append(start)
            at_line_start = True
        # "drop": nothing
    if pos < len(text):
        emit(text[pos:], -pos - 1)
    offs.append(len(text))
    return "".join(out), offs


# --------------------------------------------------------------------------- normalize


@dataclass(frozen=True)
class Normalized:
    """A cleaned, simplified text with the map back into the text as read."""

    original: str  #: the text as read
    text: str  #: cleaned + simplified text used for matching
    #: ``offsets[i]`` = index in ``original`` of ``text[i]``;
    #: ``len(offsets) == len(text) + 1`` and the last entry is ``len(original)``
    offsets: tuple[int, ...]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map the span ``text[start:end]`` to a span of ``original``.

        The span starts where ``text[start]`` came from and ends after the source of
        ``text[end-1]`` (including a pinyin annotation or garble it was rebuilt from, but
        not whitespace or lost-character runs dropped after it; a space that stands for a
        whole run of them maps to the whole run).
        """
        if not 0 <= start <= end <= len(self.text):
            raise IndexError(f"span ({start}, {end}) outside text of length {len(self.text)}")
        s = self.offsets[start]
        if start == end:
            return s, s
        last = self.offsets[end - 1]
        e = self.offsets[end]
        k = end
        while e <= last:  # several text chars from one source char (NFKC expansion)
            k += 1
            e = self.offsets[k]
        if self.text[end - 1] != " ":  # a space stands for a whole run: keep it whole
            while e > last + 1 and (self.original[e - 1].isspace() or self.original[e - 1] in _TRIM):
                e -= 1
        return s, e


_TRIM = frozenset("?\u25a1\ufffd\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\ufeff")


def _t2s_aligned(text: str) -> str:
    """t2s of ``text`` with exactly the same length (see the module docstring)."""
    conv = _converter()
    res = conv(text)
    if len(res) == len(text):
        return res
    lines = []
    for line in text.split("\n"):
        r = conv(line)
        if len(r) != len(line):
            r = "".join(c if len(t := conv(c)) != 1 else t for c in line)
        lines.append(r)
    return "\n".join(lines)


def normalize(text: str) -> Normalized:
    """Clean ``text`` (see :func:`clean`) and convert it to simplified Chinese."""
    cleaned, offsets = clean(text)
    return Normalized(text, _t2s_aligned(cleaned), tuple(offsets))


@functools.lru_cache(maxsize=65536)
def to_simplified(s: str) -> str:
    """Traditional -> simplified (OpenCC t2s) for short strings such as names; cached."""
    return _converter()(s)


def strip_pinyin(s: str) -> str:
    """Remove pinyin annotations and repair garbles in a name; no NFKC or t2s.

    ``"國(guó)家知識(shí)產(chǎn)權(quán)局"`` -> ``"國家知識產權局"``.
    """

    def sub(m: re.Match) -> str:
        if m.lastgroup == "g":
            lead = m.group(2)
            form = m.group(0)[len(lead):]
            ch = _garbled_table().get(form)
            if ch is None:
                gstart = m.start() + len(lead)
                prev = "" if lead or gstart == 0 else m.string[gstart - 1]
                ch = _repair_garble(prev, m.group(3), m.group(4) or "", m.group(5))
            return lead + ch
        if _is_annotation(m.group(7), m.string[m.start() - 1]):
            return ""
        return m.group(0)

    return _STRIP_RE.sub(sub, s)


_STRIP_RE = re.compile(
    rf"(?P<g>([{_LOST}]*)\?({_P})\)(?:([\x40-\x7e])|\?)\(?({_P})\))"
    rf"|(?P<p>(?<=[{_HAN}])[(（]({_P})[)）])"
)
