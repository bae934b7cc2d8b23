"""Tests for kg.ingest.read_inputs. All bodies and texts here are invented."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.failures import Failure
from kg.ingest import Article, read_inputs

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


def test_folder_is_read_recursively_sorted_and_only_txt_jsonl(tmp_path: Path) -> None:
    d = tmp_path / "news"
    (d / "c").mkdir(parents=True)
    (d / "b.txt").write_text("东江宏达贸易有限公司乙。", encoding="utf-8")
    (d / "a.txt").write_text("东江市公安局甲。", encoding="utf-8")
    (d / "c" / "d.txt").write_text("东江市品牌保护协会丁。", encoding="utf-8")
    jsonl(d / "bb.jsonl", {"id": "j1", "text": "东江市知识产权局一。"}, {"id": "j2", "text": "东江市知识产权局二。"})
    (d / "notes.md").write_text("东江 notes", encoding="utf-8")
    (d / "data.json").write_text('{"id": "x", "text": "y"}', encoding="utf-8")
    (d / "c" / "readme").write_text("no suffix", encoding="utf-8")
    items = read(d)
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
    message = only_error(read(tmp_path))
    assert str(tmp_path) in message


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
