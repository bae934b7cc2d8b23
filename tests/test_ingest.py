"""Tests for kg.read.ingest.read_inputs. All bodies and texts here are invented."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.model import Failure, Skipped
from kg.model import Article
from kg.read.ingest import read_inputs

TEXT = "东江市市场监督管理局查处东江宏达贸易有限公司侵权案。\n"


def read(*paths) -> list[Article | Failure]:
    return list(read_inputs(paths))


def only_error(items: list) -> str:
    assert len(items) == 1, items
    assert isinstance(items[0], Failure), items
    message = str(items[0])
    assert "\n" not in message
    return message


def jsonl(path: Path, *lines: object) -> Path:
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n"
                            for line in lines), encoding="utf-8")
    return path


# -- good inputs ---------------------------------------------------------------------

def test_txt_file_id_is_stem_and_text_is_kept_exactly(tmp_path: Path) -> None:
    text = "  东江市市场监督管理局通报:\r\n东江宏达贸易有限公司被罚款。\n\n"
    f = tmp_path / "dj_0508.txt"
    f.write_bytes(text.encode("utf-8"))
    [a] = read(f)
    assert isinstance(a, Article)
    assert a.id == "dj_0508"
    assert a.text == text
    assert a.source == str(f)
    assert (a.url, a.title, a.date) == (None, None, None)


def test_utf8_bom_is_stripped(tmp_path: Path) -> None:
    f = tmp_path / "bom.txt"
    f.write_bytes(b"\xef\xbb\xbf" + TEXT.encode("utf-8"))
    [a] = read(f)
    assert a.text == TEXT
    assert not a.text.startswith("\ufeff")


def test_folder_is_read_recursively_sorted_other_files_skipped_hidden_ones_passed_over(tmp_path: Path) -> None:
    d = tmp_path / "news"
    (d / "c").mkdir(parents=True)
    (d / "b.txt").write_text("东江宏达贸易有限公司乙。", encoding="utf-8")
    (d / "a.txt").write_text("东江市公安局甲。", encoding="utf-8")
    (d / "c" / "d.txt").write_text("东江市品牌保护协会丁。", encoding="utf-8")
    jsonl(d / "bb.jsonl", {"id": "j1", "text": "东江市知识产权局一。"}, {"id": "j2", "text": "东江市知识产权局二。"})
    (d / "notes.md").write_text("东江 notes", encoding="utf-8")
    (d / "data.json").write_text('{"id": "x", "text": "y"}', encoding="utf-8")
    (d / "c" / "readme").write_text("no suffix", encoding="utf-8")
    (d / ".git").mkdir()
    (d / ".git" / "config").write_text("[core]", encoding="utf-8")
    (d / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    everything = read(d)
    skipped = [i for i in everything if isinstance(i, Skipped)]
    assert [i.source for i in skipped] == [str(d / "c" / "readme"), str(d / "data.json"), str(d / "notes.md")]
    items = [i for i in everything if not isinstance(i, Skipped)]
    assert all(isinstance(i, Article) for i in items), items
    assert [a.id for a in items] == ["a", "b", "j1", "j2", "d"]
    assert items[0].text == "东江市公安局甲。"
    assert items[4].source == str(d / "c" / "d.txt")


def test_jsonl_fields_are_carried(tmp_path: Path) -> None:
    f = jsonl(tmp_path / "feed.jsonl",
              {"id": "dj-01", "text": "东江市市场监督管理局开展“清风”行动。", "url": "https://example.org/dj/01",
               "title": "东江开展清风行动", "date": "2025-05-08"},
              "",
              {"id": 42, "text": "东江宏达贸易有限公司被罚款。"})
    a, b = read(f)
    assert (a.id, a.text, a.url, a.title, a.date) == (
        "dj-01", "东江市市场监督管理局开展“清风”行动。", "https://example.org/dj/01", "东江开展清风行动", "2025-05-08")
    assert a.source == f"{f}:1"
    assert (b.id, b.text, b.url, b.title, b.date) == ("42", "东江宏达贸易有限公司被罚款。", None, None, None)
    assert b.source == f"{f}:3"


def test_content_hash_is_sha256_of_text(tmp_path: Path) -> None:
    import hashlib

    f = tmp_path / "h.txt"
    f.write_text(TEXT, encoding="utf-8")
    [a] = read(f)
    assert a.content_hash == hashlib.sha256(TEXT.encode("utf-8")).hexdigest()


# -- errors --------------------------------------------------------------------------

def test_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "gone.txt"
    message = only_error(read(missing))
    assert str(missing) in message


@pytest.mark.parametrize("content", [b"", b"  \n\t\r\n \xe3\x80\x80\n"], ids=["empty", "whitespace"])
def test_empty_or_whitespace_file(tmp_path: Path, content: bytes) -> None:
    f = tmp_path / "blank.txt"
    f.write_bytes(content)
    message = only_error(read(f))
    assert str(f) in message
    assert "empty" in message


def test_text_in_another_encoding_is_rejected(tmp_path: Path) -> None:
    f = tmp_path / "latin1.txt"
    f.write_bytes("Le café de la brigade fermé à Dongjiang.".encode("latin-1"))
    message = only_error(read(f))
    assert str(f) in message
    assert "not text in UTF-8, GB18030 or Big5" in message


def test_malformed_json_line_names_file_and_line(tmp_path: Path) -> None:
    f = jsonl(tmp_path / "feed.jsonl",
              {"id": "ok1", "text": "东江市公安局一。"},
              '{"id": "bad", "text": "东江',
              {"id": "ok3", "text": "东江市公安局三。"})
    items = read(f)
    assert [type(i) for i in items] == [Article, Failure, Article]
    assert f"{f}:2" in str(items[1])
    assert "\n" not in str(items[1])
    assert [items[0].id, items[2].id] == ["ok1", "ok3"]


@pytest.mark.parametrize("record", [
    {"id": "t1"},
    {"id": "t1", "text": ""},
    {"id": "t1", "text": "   "},
    {"id": "t1", "text": None},
    {"text": "东江市公安局。"},
], ids=["no-text", "empty-text", "blank-text", "null-text", "no-id"])
def test_line_without_text_or_id(tmp_path: Path, record: dict) -> None:
    f = jsonl(tmp_path / "feed.jsonl", {"id": "ok", "text": "东江市公安局。"}, record)
    items = read(f)
    assert isinstance(items[0], Article)
    assert len(items) == 2 and isinstance(items[1], Failure)
    assert f"{f}:2" in str(items[1])


@pytest.mark.parametrize("line", ['["t1", "东江"]', '"东江市公安局"', "17", "null"])
def test_non_object_line(tmp_path: Path, line: str) -> None:
    f = jsonl(tmp_path / "feed.jsonl", line)
    message = only_error(read(f))
    assert f"{f}:1" in message


def test_duplicate_id_across_files(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    first = tmp_path / "dup.txt"
    second = tmp_path / "sub" / "dup.txt"
    first.write_text("东江市公安局甲。", encoding="utf-8")
    second.write_text("东江市公安局乙。", encoding="utf-8")
    items = read(tmp_path)
    assert isinstance(items[0], Article) and items[0].text == "东江市公安局甲。"
    assert isinstance(items[1], Failure)
    assert str(second) in str(items[1]) and "dup" in str(items[1])


def test_duplicate_id_between_txt_and_jsonl_line(tmp_path: Path) -> None:
    t = tmp_path / "a7.txt"
    t.write_text("东江市公安局甲。", encoding="utf-8")
    f = jsonl(tmp_path / "feed.jsonl", {"id": "j1", "text": "一。"}, {"id": "a7", "text": "二。"})
    items = read(t, f)
    assert [type(i) for i in items] == [Article, Article, Failure]
    assert f"{f}:2" in str(items[2])


def test_good_file_next_to_bad_one_is_read(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(TEXT, encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    missing = tmp_path / "missing.txt"
    items = read(missing, bad, good)
    assert [type(i) for i in items] == [Failure, Failure, Article]
    assert str(missing) in str(items[0]) and str(bad) in str(items[1])
    assert items[2].id == "good" and items[2].text == TEXT
    # the same inside a folder
    items = read(tmp_path)
    assert [(type(i).__name__, getattr(i, "id", None)) for i in items] == [("Failure", None), ("Article", "good")]


def test_empty_folder_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "x.md").write_text("东江", encoding="utf-8")
    skipped, failure = read(tmp_path)
    assert isinstance(skipped, Skipped) and str(skipped) == f"{tmp_path / 'x.md'}: skipped (not an article file" \
        " (.txt, .html, .htm, .jsonl, .pdf, .docx))"
    assert isinstance(failure, Failure) and str(tmp_path) in str(failure)


# -- known bugs ----------------------------------------------------------------------

def test_jsonl_text_with_unicode_line_separator(tmp_path: Path) -> None:
    text = "东江市公安局通报\u2028东江宏达贸易有限公司被罚款。"
    f = jsonl(tmp_path / "feed.jsonl", {"id": "ls", "text": text}, {"id": "next", "text": "东江。"})
    items = read(f)
    assert [type(i) for i in items] == [Article, Article]
    assert items[0].text == text
    assert items[1].source == f"{f}:2"


def test_boolean_id_is_rejected(tmp_path: Path) -> None:
    f = jsonl(tmp_path / "feed.jsonl", {"id": True, "text": "东江市公安局。"})
    message = only_error(read(f))
    assert f"{f}:1" in message


# -- encodings, web pages, damaged files -----------------------------------------------

TRADITIONAL = "東江市市場監督管理局查處東江宏達貿易有限公司侵權案。\n"


@pytest.mark.parametrize("data,text,encoding", [
    (TEXT.encode("gbk"), TEXT, "gb18030"),
    (TRADITIONAL.encode("big5"), TRADITIONAL, "big5"),
    (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), TEXT, "utf-8-sig"),
    (TEXT.encode("utf-8"), TEXT, "utf-8"),
], ids=["gbk", "big5", "bom", "utf8"])
def test_encoding_is_detected_and_recorded(tmp_path: Path, data: bytes, text: str, encoding: str) -> None:
    f = tmp_path / "a.txt"
    f.write_bytes(data)
    [a] = read(f)
    assert (a.text, a.encoding) == (text, encoding)


PAGE = ("<html><head><title>东江通报</title><meta name='PubDate' content='2024-05-08'></head><body>"
        "<nav>首页</nav><div class='content'><p>东江市市场监督管理局查处<b>东江宏达贸易有限公司</b>侵权案。</p>"
        "<p>罚款5万元。</p></div></body></html>")


@pytest.mark.parametrize("name", ["page.html", "page.htm", "page.txt", "PAGE.HTML"])
def test_web_page_gives_its_text_title_and_date(tmp_path: Path, name: str) -> None:
    f = tmp_path / name
    f.write_bytes(PAGE.encode("gbk"))
    [a] = read(f)
    assert a.id == Path(name).stem
    assert a.text == "东江市市场监督管理局查处东江宏达贸易有限公司侵权案。\n罚款5万元。"
    assert (a.title, a.date, a.encoding) == ("东江通报", "2024-05-08", "gb18030")


def test_web_page_without_text(tmp_path: Path) -> None:
    f = tmp_path / "empty.html"
    f.write_text("<html><head><script>x()</script></head><body></body></html>", encoding="utf-8")
    assert "web page without text" in only_error(read(f))


def test_jsonl_text_holding_html(tmp_path: Path) -> None:
    f = jsonl(tmp_path / "feed.jsonl",
              {"id": "w1", "text": PAGE},
              {"id": "w2", "text": PAGE, "title": "自己的标题"},
              {"id": "w3", "text": "<p></p><div></div><br>"})
    a, b, c = read(f)
    assert a.text == "东江市市场监督管理局查处东江宏达贸易有限公司侵权案。\n罚款5万元。"
    assert (a.title, a.date) == ("东江通报", "2024-05-08")
    assert (b.title, b.date) == ("自己的标题", "2024-05-08")  # the record's own fields win
    assert isinstance(c, Failure) and c.id == "w3" and "empty text" in c.reason


def test_jsonl_lines_in_other_encodings_and_a_damaged_line(tmp_path: Path) -> None:
    f = tmp_path / "mixed.jsonl"
    line = lambda id_, text: json.dumps({"id": id_, "text": text}, ensure_ascii=False) + "\n"  # noqa: E731
    f.write_bytes(line("g1", "东江市公安局一。").encode("gbk") + line("g2", "东江海关二。").encode("gbk")
                  + b'{"id": "x", "text": "\x00\x01\x02"}\n' + line("b1", "東江海關三。").encode("big5")
                  + line("u1", "东江市知识产权局四。").encode("utf-8"))
    items = read(f)
    assert [(type(i).__name__, getattr(i, "id", None)) for i in items] == [
        ("Article", "g1"), ("Article", "g2"), ("Failure", None), ("Article", "b1"), ("Article", "u1")]
    assert [i.encoding for i in items if isinstance(i, Article)] == ["gb18030", "gb18030", "big5", "utf-8"]
    assert items[3].text == "東江海關三。"
    assert items[2].source == f"{f}:3" and "binary" in items[2].reason


def test_half_written_jsonl_loses_only_its_last_record(tmp_path: Path) -> None:
    f = tmp_path / "feed.jsonl"
    whole = json.dumps({"id": "cut", "text": "东江市市场监督管理局查处侵权案。"}, ensure_ascii=False).encode("utf-8")
    f.write_bytes(json.dumps({"id": "ok", "text": "东江。"}, ensure_ascii=False).encode("utf-8") + b"\n"
                  + whole[:-7])  # cut inside a character
    ok, cut = read(f)
    assert ok.id == "ok"
    assert isinstance(cut, Failure) and cut.source == f"{f}:2" and "malformed JSON" in cut.reason


def test_jsonl_of_binary_junk_is_one_failure(tmp_path: Path) -> None:
    import random

    f = tmp_path / "junk.jsonl"
    rng = random.Random(8)
    f.write_bytes(bytes(rng.randrange(256) for _ in range(4000)))
    message = only_error(read(f))
    assert str(f) in message and "no article in it" in message


def test_json_escapes_that_are_not_text_are_replaced(tmp_path: Path) -> None:
    f = tmp_path / "feed.jsonl"
    f.write_text('{"id": "a\\u0000b\\ud800", "text": "东江\\udc00市公安局。", "title": "标\\u0007题"}\n',
                 encoding="utf-8")
    [a] = read(f)
    assert a.id == "a b\ufffd"
    assert a.text == "东江\ufffd市公安局。"  # one for one: offsets into the text hold
    assert a.title == "标 题"
    a.content_hash  # encodable  # noqa: B018


def test_number_too_long_for_python(tmp_path: Path) -> None:
    f = jsonl(tmp_path / "feed.jsonl", {"id": "ok", "text": "东江。"}, '{"id": ' + "9" * 5000 + ', "text": "x"}')
    ok, bad = read(f)
    assert isinstance(bad, Failure) and bad.source == f"{f}:2" and "malformed JSON" in bad.reason


def test_file_name_in_gbk_bytes(tmp_path: Path) -> None:
    import os

    raw = os.fsencode(tmp_path) + b"/" + "东江通报".encode("gbk") + b".txt"
    with open(raw, "wb") as fh:
        fh.write(TEXT.encode("utf-8"))
    [a] = read(tmp_path)
    assert a.id == "东江通报"
    assert a.source.endswith("东江通报.txt")


def test_unexpected_error_in_one_file_costs_only_that_file(tmp_path: Path, monkeypatch) -> None:
    from kg.read import htmltext

    def boom(html: str):
        raise RuntimeError("parser exploded")

    monkeypatch.setattr(htmltext, "extract", boom)
    (tmp_path / "a.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "b.txt").write_text(TEXT, encoding="utf-8")
    bad, good = read(tmp_path)
    assert isinstance(bad, Failure) and bad.source == str(tmp_path / "a.html")
    assert bad.reason == "RuntimeError: parser exploded"
    assert good.id == "b"


# -- what is not read ----------------------------------------------------------------

def test_files_over_the_read_cap_are_failures(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text(TEXT * 100, encoding="utf-8")
    assert "larger than 1,000 bytes" in only_error(list(read_inputs([big], max_bytes=1000)))
    assert isinstance(read(big)[0], Article)  # the default cap is 64 MiB


def test_a_jsonl_line_over_the_cap_costs_only_itself(tmp_path: Path) -> None:
    feed = jsonl(tmp_path / "feed.jsonl", {"id": "long", "text": TEXT * 100}, {"id": "short", "text": TEXT})
    items = list(read_inputs([feed], max_bytes=1000))
    assert isinstance(items[0], Failure) and items[0].source == f"{feed}:1" and "line larger" in items[0].reason
    assert isinstance(items[1], Article) and items[1].id == "short"


def test_a_fifo_in_a_folder_is_a_failure_not_a_hang(tmp_path: Path) -> None:
    import os

    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    os.mkfifo(tmp_path / "b.txt")
    items = read(tmp_path)
    assert isinstance(items[0], Article)
    assert items[1].source == str(tmp_path / "b.txt") and "named pipe" in items[1].reason
