"""Clean web-page artefacts out of Chinese news text and convert it to simplified Chinese,
keeping an exact map from every output character back into the original text.

Why: the NLP stages match names against gazetteers and gold data that are written in
simplified Chinese after NFKC (see the evaluation guidelines), while provenance
(``kgo:startOffset``/``kgo:endOffset``) must point into the article *as read*.  So every
function here is pure, and :func:`clean`/:func:`normalize` return offsets.

What is repaired (in :func:`clean`, one left-to-right pass over the original):

* **Pinyin annotations** such as ``國(guó)`` and **GBK-misalignment garbles** such as
  ``表?yè)P(yáng)`` (表揚): see `kg.text.pinyin`.
* **Lost-character runs**: ``????``, ``□`` boxes and U+FFFD runs (e.g. ``????□`` for lost
  ideographic-space indentation) become one space mid-line and nothing at a line start or
  end.  A single ASCII ``?`` is a real question mark and is kept.
* **Unicode**: NFKC (full-width ``ＡＢＣ１２３`` and ``，：；（）！？`` become ASCII, CJK
  compatibility ideographs and Kangxi radicals become unified ideographs); ``。、“”《》``
  are *not* NFKC-mapped and are kept, since sentence splitting relies on them.  Zero-width
  characters, soft hyphens, BOMs and control characters are removed; ideographic and other
  odd spaces and tabs collapse to one space; spaces at line ends are dropped; all line
  breaks become ``\\n``.

:func:`normalize` then converts traditional to simplified with OpenCC ``t2s``, keeping the
length so offsets stay exact (`kg.text.t2s`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from kg.text.pinyin import HAN, LOST, SYLLABLE, garbled_table, is_annotation, repair_garble, strip_pinyin
from kg.text.t2s import t2s_aligned, to_simplified

__all__ = ["Normalized", "normalize", "clean", "to_simplified", "strip_pinyin"]

_TOKEN_RE = re.compile(
    # GBK garble: group 2 leading lost run, 3 pinyin1, 4 stray byte, 5 pinyin2
    rf"(?P<g>([{LOST}]*)\?({SYLLABLE})\)(?:([\x40-\x7e])|\?)\(?({SYLLABLE})\))"
    # pinyin annotation after a Han character (group 7 = syllable)
    rf"|(?P<p>(?<=[{HAN}])[(（]({SYLLABLE})[)）])"
    # lost-character runs
    rf"|(?P<lost>[{LOST}]*[\u25a1\ufffd][{LOST}]*|\?{{2,}})"
    r"|(?P<ws>[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+)"
    r"|(?P<nl>\r\n|[\r\n\v\f\x1c-\x1e\x85\u2028\u2029])"
    r"|(?P<drop>[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff])"
)


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
            ch = garbled_table().get(form)
            if ch is None:
                prev = "" if lead_run or gstart == 0 else text[gstart - 1]
                ch = repair_garble(prev, m.group(3), m.group(4) or "", m.group(5))
            if ch:
                emit(unicodedata.normalize("NFKC", ch), gstart)
        elif kind == "p":
            if not is_annotation(m.group(7), text[start - 1]):
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


def normalize(text: str) -> Normalized:
    """Clean ``text`` (see :func:`clean`) and convert it to simplified Chinese."""
    cleaned, offsets = clean(text)
    return Normalized(text, t2s_aligned(cleaned), tuple(offsets))
