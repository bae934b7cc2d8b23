"""Read articles from .txt files, folders of them and JSON Lines files.

This is the only module that touches input files. Problems with one input
(missing, empty, not UTF-8, a malformed JSON line) are reported as `InputError`
values, one line each, naming the file (and line), so that the good inputs
beside a bad one are still built.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

SUFFIXES = (".txt", ".jsonl")


@dataclass(frozen=True)
class Article:
    id: str
    text: str
    source: str = ""  # file (and line) it was read from
    url: str | None = None
    title: str | None = None
    date: str | None = None
    encoding: str = "utf-8"

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


class InputError(Exception):
    """A problem with one input, as a one-line message naming the file."""


def read_inputs(paths: Iterable[str | Path | Article]) -> Iterator[Article | InputError]:
    """Articles from the given files and folders, in a stable order, with errors in line.

    An `Article` among the paths (the Python API takes texts too) is passed on as it is.
    """
    seen: dict[str, str] = {}
    for path in paths:
        if isinstance(path, Article):
            files = [path]
        elif (path := Path(path)).is_dir():
            files = sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
            if not files:
                yield InputError(f"{path}: folder holds no .txt or .jsonl files")
        elif path.exists():
            files = [path]
        else:
            yield InputError(f"{path}: no such file or folder")
            continue
        for file in files:
            for item in [file] if isinstance(file, Article) else read_file(file):
                if isinstance(item, Article):
                    if item.id in seen:
                        item = InputError(f"{item.source}: article id {item.id!r} already read from {seen[item.id]}")
                    else:
                        seen[item.id] = item.source
                yield item


def read_file(path: Path) -> Iterator[Article | InputError]:
    if path.suffix not in SUFFIXES:
        yield InputError(f"{path}: not a .txt or .jsonl file")
        return
    try:
        data = path.read_bytes()
    except OSError as e:
        yield InputError(f"{path}: cannot read ({e.strerror})")
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        yield InputError(f"{path}: not UTF-8 text (invalid byte 0x{data[e.start]:02x} at offset {e.start})")
        return
    if not text.strip():
        yield InputError(f"{path}: empty file")
        return
    if path.suffix == ".txt":
        yield Article(id=path.stem, text=text, source=str(path))
    else:
        yield from read_jsonl(path, text)


def read_jsonl(path: Path, text: str) -> Iterator[Article | InputError]:
    # split on \n only: str.splitlines() would also break inside a record at U+2028
    for n, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            yield InputError(f"{where}: malformed JSON ({e.msg} at column {e.colno})")
            continue
        if not isinstance(record, dict):
            yield InputError(f"{where}: expected a JSON object with 'id' and 'text'")
            continue
        missing = [k for k in ("id", "text") if isinstance(record.get(k), bool)
                   or not isinstance(record.get(k), (str, int)) or record.get(k) == ""]
        if missing:
            yield InputError(f"{where}: missing or empty field {', '.join(repr(k) for k in missing)}")
            continue
        if not str(record["text"]).strip():
            yield InputError(f"{where}: empty text")
            continue
        optional = {k: str(record[k]) for k in ("url", "title", "date") if record.get(k) not in (None, "")}
        yield Article(id=str(record["id"]), text=str(record["text"]), source=where, **optional)
