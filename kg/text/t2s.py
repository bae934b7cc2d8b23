"""Traditional → simplified Chinese with OpenCC's t2s, keeping lengths so that offsets stay exact.

OpenCC's per-character t2s never changes length (checked over every code point up
to U+2FFFF), but its phrase table might in principle, so `t2s_aligned` uses the
converted text only when its length is unchanged; otherwise each line is
converted alone, and a line that still changes length character by character.
"""
from __future__ import annotations

import functools


@functools.lru_cache(maxsize=1)
def converter():
    """The OpenCC t2s converter's ``convert`` method, created on first use."""
    import opencc

    try:
        return opencc.OpenCC("t2s.json").convert
    except Exception:  # older bindings name configs without the extension
        return opencc.OpenCC("t2s").convert


def t2s_aligned(text: str) -> str:
    """t2s of ``text`` with exactly the same length (see the module docstring)."""
    conv = converter()
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


@functools.lru_cache(maxsize=65536)
def to_simplified(s: str) -> str:
    """Traditional -> simplified (OpenCC t2s) for short strings such as names; cached."""
    return converter()(s)


HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))


@functools.lru_cache(maxsize=1)
def _traditional() -> dict[str, str]:
    """Simplified character -> the characters t2s turns into it (itself aside), over the BMP's ideographs."""
    chars = [chr(c) for lo, hi in HAN_RANGES for c in range(lo, hi + 1)]
    converted = converter()("\n".join(chars)).split("\n")  # one per line: no phrase spans two
    out: dict[str, str] = {}
    for t, s in zip(chars, converted):
        if len(s) == 1 and s != t:
            out[s] = out.get(s, "") + t
    return out


def traditional_of(simplified: str) -> str:
    """The characters that t2s converts to `simplified` (one character), e.g. 国 -> 國囯."""
    return _traditional().get(simplified, "")
