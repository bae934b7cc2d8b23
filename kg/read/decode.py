"""Turn the bytes of an input file into text, telling UTF-8, GB18030 and Big5 apart.

Chinese archives hold files in UTF-8 (with or without a byte-order mark), GBK or
its superset GB18030, and Big5. Strict UTF-8 is tried first, since text in the
other two is almost never valid UTF-8. GB18030 and Big5 bytes often decode
without error in both codecs, so when both succeed the reading with more common
characters wins: real text is mostly characters of GB2312's first level (the
3,755 most used, compared in simplified form), while a wrong reading gives rare
characters, kana, Cyrillic or private-use codes. A file cut off inside its last
character (a half-written file) loses that character, and UTF-8 text with a few
damaged bytes gets U+FFFD for them, rather than being refused.
Binary data (NUL bytes, mostly control characters) is refused with the reason.
"""
from __future__ import annotations

import codecs
import functools
import re
from dataclasses import dataclass

from kg.text.t2s import to_simplified

#: encoding name recorded on the article -> Python codec that reads it
CODECS = {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "gb18030": "gb18030", "big5": "cp950"}
CHINESE = ("gb18030", "big5")  # tried in this order when UTF-8 fails; ties go to the first

JUNK = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ue000-\uf8ff\ufffd]")
MAX_JUNK = 0.10  # share of control, private-use and replacement characters above which data is binary
MAX_DAMAGED = 0.05  # share of non-ASCII characters up to which invalid UTF-8 is read as U+FFFD
MIN_COMMON = 0.5  # share of common characters below which a GB18030/Big5 reading is not Chinese
SAMPLE = 20_000  # characters scored when choosing between GB18030 and Big5
NEUTRAL = re.compile(r"[\x00-\x7f\u3000-\u303f\uff00-\uffef“”‘’…—·\s]")


class DecodeError(ValueError):
    """Bytes that are not text in a supported encoding; the message says why in a few words."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # a key of CODECS
    truncated: bool = False  # the data ended inside a character, which was dropped


def decode(data: bytes, prefer: str | None = None) -> Decoded:
    """The text of `data` and the encoding it was read with.

    `prefer` (GB18030 or Big5, say that of the line before) wins over the other when both
    read the data as plausible Chinese.
    """
    if b"\x00" in data:
        at = data.index(b"\x00")
        raise DecodeError(f"binary data, not text (NUL byte at offset {at})")
    utf8 = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    try:
        return _checked(_read(data, utf8))
    except UnicodeDecodeError as e:
        first = e
    damaged = _read(data, utf8, errors="replace")
    bad = damaged.text.count("\ufffd") - data.count("\ufffd".encode())
    non_ascii = len(damaged.text) - len(damaged.text.encode("ascii", "ignore"))
    # UTF-8 with a damaged byte or two; read as UTF-8, GBK and Big5 text is damaged throughout
    if bad <= max(2, MAX_DAMAGED * non_ascii) and 4 * bad < non_ascii:
        return _checked(damaged)
    if utf8 == "utf-8-sig":
        raise DecodeError(f"UTF-8 byte-order mark, but not UTF-8 ({bad} invalid bytes)")
    readings = []
    for name in CHINESE:
        try:
            readings.append(_read(data, name))
        except UnicodeDecodeError:
            pass
    if not readings:
        raise DecodeError(f"not text in UTF-8, GB18030 or Big5 (invalid byte 0x{data[first.start]:02x} "
                          f"at offset {first.start})")
    best = max(readings, key=lambda d: (d.encoding == prefer and common_share(d.text[:SAMPLE], 1.0) >= MIN_COMMON,
                                        common_share(d.text[:SAMPLE])))
    if common_share(best.text[:SAMPLE], unknown=1.0) < MIN_COMMON:
        raise DecodeError(f"not text in UTF-8, GB18030 or Big5 (not valid UTF-8, and as {best.encoding} "
                          "it is not Chinese text)")
    return _checked(best)


def _read(data: bytes, name: str, errors: str = "strict") -> Decoded:
    """Decoding, strict by default, except that an incomplete character at the very end is dropped."""
    decoder = codecs.getincrementaldecoder(CODECS[name])(errors)
    text = decoder.decode(data, final=False)
    return Decoded(text, name, truncated=bool(decoder.getstate()[0]))


def _checked(d: Decoded) -> Decoded:
    junk = len(JUNK.findall(d.text))
    if d.text and junk > MAX_JUNK * len(d.text):
        raise DecodeError(f"binary data, not text ({junk} of {len(d.text)} characters are control or "
                          f"private-use codes as {d.encoding})")
    return d


def common_share(text: str, unknown: float = 0.0) -> float:
    """Share of the non-ASCII, non-punctuation characters of `text` that are common Chinese
    characters; `unknown` when there are none."""
    chars = NEUTRAL.sub("", text)
    if not chars:
        return unknown
    common = _common()
    return sum(1 for c in chars if c in common or to_simplified(c) in common) / len(chars)


@functools.lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    """The 3,755 characters of GB2312 level 1 (lead bytes 0xB0-0xD7): the commonest in use."""
    chars = set()
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return frozenset(chars)


def decode_name(raw: bytes) -> str:
    """A file name's bytes as text: UTF-8, else GB18030 or Big5 as for contents, else UTF-8 with
    replacement characters (names from old archives are often GBK)."""
    try:
        return decode(raw).text
    except DecodeError:
        return raw.decode("utf-8", "replace")
