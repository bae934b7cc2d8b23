"""Tests for kg.read.decode: bytes of invented sentences in each encoding kg reads."""
from __future__ import annotations

import codecs

import pytest

from kg.read.decode import DecodeError, decode, decode_name

SIMPLIFIED = [
    "东江市市场监督管理局查处东江宏达贸易有限公司侵犯注册商标专用权案。",
    "近日，北岭县公安局破获一起销售假冒注册商标的商品案，抓获犯罪嫌疑人三名。",
    "会议强调，要加强知识产权保护，优化营商环境，推动高质量发展。",
    "海关在进出口环节查扣侵权货物一批，涉及运动鞋和服装。",
]
TRADITIONAL = [
    "東江市市場監督管理局查處東江宏達貿易有限公司侵犯註冊商標專用權案。",
    "近日，北嶺縣警察局破獲一起銷售仿冒商標商品案，逮捕嫌疑人三名。",
    "會議強調，要加強智慧財產權保護，優化營商環境，推動高品質發展。",
    "海關在進出口環節查扣侵權貨物一批，涉及運動鞋與服裝。",
]


@pytest.mark.parametrize("text", SIMPLIFIED)
@pytest.mark.parametrize("codec", ["gbk", "gb18030", "gb2312"])
def test_simplified_in_gb_encodings(text: str, codec: str) -> None:
    d = decode(text.encode(codec))
    assert (d.text, d.encoding, d.truncated) == (text, "gb18030", False)


@pytest.mark.parametrize("text", TRADITIONAL)
def test_traditional_in_big5(text: str) -> None:
    d = decode(text.encode("big5"))
    assert (d.text, d.encoding) == (text, "big5")


@pytest.mark.parametrize("text", TRADITIONAL)
def test_traditional_in_gbk_is_gb18030(text: str) -> None:
    # GBK holds traditional characters too; Big5 must not win just because the text is traditional
    d = decode(text.encode("gbk"))
    assert (d.text, d.encoding) == (text, "gb18030")


@pytest.mark.parametrize("text", SIMPLIFIED + TRADITIONAL)
def test_utf8_with_and_without_bom(text: str) -> None:
    d = decode(text.encode("utf-8"))
    assert (d.text, d.encoding) == (text, "utf-8")
    d = decode(codecs.BOM_UTF8 + text.encode("utf-8"))
    assert (d.text, d.encoding) == (text, "utf-8-sig")


def test_ascii_is_utf8() -> None:
    assert decode(b"Dongjiang police, 8 May.").encoding == "utf-8"


@pytest.mark.parametrize("codec,expected", [("utf-8", "utf-8"), ("gbk", "gb18030"), ("big5", "big5")])
def test_file_cut_inside_its_last_character(codec: str, expected: str) -> None:
    text = TRADITIONAL[0] if codec == "big5" else SIMPLIFIED[0]
    data = text.encode(codec)[:-1]  # half of 。 is lost
    d = decode(data)
    assert (d.text, d.encoding, d.truncated) == (text[:-1], expected, True)


@pytest.mark.parametrize("data,words", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "NUL byte at offset 8"),
    ("Dongjiang 东江".encode("utf-16"), "NUL byte"),
    (bytes(range(1, 32)) * 4 + "东江".encode(), "control"),
    ("Le café fermé à Dongjiang".encode("latin-1"), "not text in UTF-8, GB18030 or Big5"),
])
def test_binary_and_unknown_data_is_refused_with_a_reason(data: bytes, words: str) -> None:
    with pytest.raises(DecodeError, match=words) as e:
        decode(data)
    assert "\n" not in str(e.value)


def test_japanese_shift_jis_is_not_taken_for_chinese() -> None:
    # valid GB18030 bytes, but read so they are rare characters: refused, not mojibake
    data = "警察は偽物の靴を押収した".encode("shift_jis")
    with pytest.raises(DecodeError, match="as gb18030 it is not Chinese text"):
        decode(data)


def test_prefer_keeps_the_encoding_of_the_line_before() -> None:
    # four characters are too few to tell GB18030 from Big5 for sure; the file's encoding decides
    data = "東江海關".encode("big5")
    assert decode(data, prefer="big5").encoding == "big5"
    assert decode(data, prefer="big5").text == "東江海關"


def test_file_names_in_gbk_bytes() -> None:
    assert decode_name("东江通报.txt".encode("gbk")) == "东江通报.txt"
    assert decode_name(b"plain.txt") == "plain.txt"
    assert decode_name(b"\xff\xfe\x00x") == "\ufffd\ufffd\x00x"


@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8])
def test_utf8_with_a_damaged_byte_is_read_with_a_replacement_character(bom: bytes) -> None:
    data = SIMPLIFIED[0].encode("utf-8")
    d = decode(bom + data[:30] + data[31:])  # one byte of the 11th character, 查, lost
    assert d.encoding == ("utf-8-sig" if bom else "utf-8")
    assert d.text == SIMPLIFIED[0][:10] + "\ufffd\ufffd" + SIMPLIFIED[0][11:]


def test_byte_order_mark_before_gbk_is_refused() -> None:
    with pytest.raises(DecodeError, match="UTF-8 byte-order mark, but not UTF-8"):
        decode(codecs.BOM_UTF8 + SIMPLIFIED[1].encode("gbk"))


@pytest.mark.parametrize("text", ["东", "a东b", "东江市公安局"])
def test_short_gbk_is_not_taken_for_damaged_utf8(text: str) -> None:
    d = decode(text.encode("gbk"))
    assert (d.text, d.encoding) == (text, "gb18030")
