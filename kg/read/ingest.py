"""Read articles from text, HTML, JSON Lines, PDF and Word files and folders of them.

This is the only module that touches input files. Bytes become text through
`kg.read.decode` (UTF-8, GB18030 or Big5, recorded on the article); web pages, and
.txt files or JSON text fields that hold one, through `kg.read.htmltext`. A problem
with one input (missing, empty, binary, a malformed JSON line) is yielded as a
`Failure` naming the file (and line), so that the good inputs beside a bad one
are still built. JSON Lines files are read line by line, so a damaged line
loses only its own record and a large file is never held whole. PDF and .docx
files are read by optional readers (`kg.read.documents`). A file in a folder that
is none of these (an image, a spreadsheet, a PDF without the reader) is yielded as
`Skipped`, so that the build names it and counts it; hidden ones (.DS_Store, .git/)
are passed over. `script_warning` tells an article with almost no Chinese text.

Only regular files are read: a named pipe, a device or a socket given as an input
is a failure at once (a FIFO used to hang the build forever, `/dev/zero` grew it to
2.1 GB in 3 s). Files are opened without blocking and checked on the open
descriptor, so a file swapped for a FIFO after a check cannot hang it either. At
most `max_bytes` (MAX_FILE_BYTES, 64 MiB; `read_inputs(max_bytes=)`) are read
from one .txt or .html file or one JSON line; past that the file, or the line, is a
failure, and nothing larger is held in memory.
"""
from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from kg.read import htmltext
from kg.read.decode import DecodeError, decode, decode_name
from kg.read.documents import NoReader, Unreadable, available, document_text
from kg.model import Article, Failure, Skipped

TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl",)
DOCUMENT_SUFFIXES = (".pdf", ".docx")
SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + JSONL_SUFFIXES + DOCUMENT_SUFFIXES
SURROGATE = re.compile(r"[\ud800-\udfff]")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
MAX_FILE_BYTES = 64 * 2**20
NOT_REGULAR = [(stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
               (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")]


class NotReadable(Exception):
    """An input that is not a regular file, or is larger than kg reads; the message says which."""


HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
LEAST_CHINESE = 0.2  # share of an article's letters that are Chinese characters, below which it is warned of


def read_inputs(paths: Iterable[str | Path | Article],
                max_bytes: int = MAX_FILE_BYTES) -> Iterator[Article | Failure | Skipped]:
    """Articles from the given files and folders, in a stable order, with failures and skipped files in line.

    An `Article` among the paths (the Python API takes texts too) is passed on as it is.
    max_bytes: the most read from one .txt or .html file or one JSON line.
    """
    seen: dict[str, str] = {}
    for path in paths:
        if isinstance(path, Article):
            files: list[Path | Article | Skipped] = [path]
        elif (path := Path(path)).is_dir():
            files = list(folder_files(path))
            if not any(isinstance(f, Path) for f in files):
                files.append(Failure(shown(path), f"folder holds no {', '.join(SUFFIXES)} files"))
        elif path.exists():
            files = [path]
        else:
            yield Failure(shown(path), "no such file or folder")
            continue
        for file in files:
            for item in guarded(file, max_bytes) if isinstance(file, Path) else [file]:
                if isinstance(item, Article):
                    if item.id in seen:
                        item = Failure(item.source, f"article id {item.id!r} already read from {seen[item.id]}",
                                       id=item.id)
                    else:
                        seen[item.id] = item.source
                yield item


def folder_files(folder: Path) -> Iterator[Path | Skipped]:
    """The files of a folder and its subfolders in name order: the articles to read, and the others as
    `Skipped` (hidden ones, .DS_Store or .git/…, passed over without a word)."""
    for p in sorted(folder.rglob("*")):
        if p.is_dir():
            continue  # a named pipe or device is kept: reading it fails at once, with a line of its own
        suffix = p.suffix.lower()
        if suffix not in SUFFIXES:
            if not any(part.startswith(".") for part in p.relative_to(folder).parts):
                yield Skipped(shown(p), f"not an article file ({', '.join(SUFFIXES)})")
        elif suffix in DOCUMENT_SUFFIXES and not available(suffix):
            yield Skipped(shown(p), f"{suffix} files need the optional reader: pip install 'kg-ip[documents]'")
        else:
            yield p


def guarded(path: Path, max_bytes: int = MAX_FILE_BYTES) -> Iterator[Article | Failure]:
    """`read_file`, with an unexpected error ending only this file, as its failure."""
    try:
        yield from read_file(path, max_bytes)
    except Exception as e:  # noqa: BLE001 - one file's failure must not stop the others
        yield Failure.of(e, shown(path), "read", None)


def open_regular(path: Path) -> BinaryIO:
    """The file at path opened for reading; NotReadable if it is not a regular file.

    Opened without blocking, so that a named pipe without a writer answers at once.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        mode = os.fstat(fd).st_mode
        for test, kind in NOT_REGULAR:
            if test(mode):
                raise NotReadable(f"not a regular file but {kind}")
        if not stat.S_ISREG(mode):
            raise NotReadable("not a regular file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def too_large(max_bytes: int, what: str = "file") -> NotReadable:
    return NotReadable(f"{what} larger than {max_bytes:,} bytes, the most kg reads from one")


def read_capped(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most max_bytes; NotReadable or OSError otherwise."""
    with open_regular(path) as f:
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise too_large(max_bytes)
    return data


def read_file(path: Path, max_bytes: int = MAX_FILE_BYTES) -> Iterator[Article | Failure]:
    source = shown(path)
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        yield from read_jsonl(path, max_bytes)
        return
    try:
        data = read_capped(path, max_bytes)  # before the suffix: /dev/zero is a device, not a wrong name
    except (NotReadable, OSError) as e:
        yield unreadable(source, e)
        return
    if suffix not in SUFFIXES:
        yield Failure(source, f"not a {', '.join(SUFFIXES)} file")
        return
    if suffix in DOCUMENT_SUFFIXES:
        yield read_document(path, data)
        return
    try:
        decoded = decode(data)
    except DecodeError as e:
        yield Failure(source, str(e))
        return
    text = decoded.text
    if not text.strip():
        yield Failure(source, "empty file")
        return
    fields: dict[str, str | None] = {}
    if suffix in HTML_SUFFIXES or htmltext.looks_like_html(text):
        page = htmltext.extract(text)
        if not page.text.strip():
            yield Failure(source, "web page without text")
            return
        text, fields = page.text, {"title": page.title, "date": page.date}
    yield article(decode_name(os.fsencode(path.stem)), text, source, decoded.encoding, fields)


def read_document(path: Path, data: bytes) -> Article | Failure:
    """The article of the bytes of a PDF or Word file, its id the file stem."""
    source = shown(path)
    try:
        text = document_text(data, path.suffix.lower())
    except (NoReader, Unreadable) as e:
        return Failure(source, str(e))
    if not text.strip():
        return Failure(source, "no text in it (a scanned page without a text layer?)")
    return article(decode_name(os.fsencode(path.stem)), text, source, path.suffix.lower().lstrip("."), {})


def script_warning(item: Article) -> str | None:
    """A warning for an article whose letters are almost all other than Chinese characters."""
    letters = sum(1 for ch in item.text if ch.isalpha())
    chinese = len(HAN.findall(item.text))
    if letters and chinese < LEAST_CHINESE * letters:
        return (f"{item.source}: article {item.id!r} has almost no Chinese text ({chinese} of {letters} letters);"
                " kg reads Chinese news and will find little in it")
    return None


def read_jsonl(path: Path, max_bytes: int = MAX_FILE_BYTES) -> Iterator[Article | Failure]:
    """One article per line of `{"id", "text", "url"?, "title"?, "date"?}`.

    Lines are decoded one by one, each in the encoding of the line before if it fits. A
    file without a single good line (binary junk, another format) is one failure, not one
    per line.
    """
    source = shown(path)
    held: list[Failure] = []  # failures before the first good record
    good = False
    encoding = None
    try:
        with open_regular(path) as f:
            for n, raw in enumerate(capped_lines(f, max_bytes), start=1):
                if raw is not None and not raw.strip():
                    continue
                item = record(raw, f"{source}:{n}", encoding) if raw is not None \
                    else Failure(f"{source}:{n}", str(too_large(max_bytes, "line")))
                if isinstance(item, Article):
                    encoding = item.encoding
                    if not good:
                        good = True
                        yield from held
                elif not good:
                    held.append(item)
                    continue
                yield item
    except (NotReadable, OSError) as e:
        yield unreadable(source, e)
        return
    if not good:
        yield Failure(source, f"no article in it ({held[0].source}: {held[0].reason})" if held else "empty file")


def unreadable(source: str, error: OSError | NotReadable) -> Failure:
    """The failure of an input that could not be read: not a regular file, too large, or an OS error."""
    return Failure(source, str(error) if isinstance(error, NotReadable) else f"cannot read ({error.strerror})")


def capped_lines(f: BinaryIO, max_bytes: int) -> Iterator[bytes | None]:
    """The lines of f, each None if longer than max_bytes (then skipped without being held)."""
    while line := f.readline(max_bytes + 1):
        if len(line) <= max_bytes or line.endswith(b"\n"):
            yield line
            continue
        while (rest := f.readline(max_bytes + 1)) and not rest.endswith(b"\n"):
            pass
        yield None


def record(raw: bytes, where: str, encoding: str | None) -> Article | Failure:
    """The article of one JSON line; `encoding` is that of the line before, if any."""
    try:
        decoded = decode(raw, prefer=encoding)
    except DecodeError as e:
        return Failure(where, str(e))
    line, encoding = decoded.text, decoded.encoding
    try:
        data = json.loads(line)
    except json.JSONDecodeError as e:
        return Failure(where, f"malformed JSON ({e.msg} at column {e.colno})")
    except (ValueError, RecursionError) as e:  # a number too long, nesting too deep
        return Failure(where, f"malformed JSON ({e})")
    if not isinstance(data, dict):
        return Failure(where, "expected a JSON object with 'id' and 'text'")
    missing = [k for k in ("id", "text") if isinstance(data.get(k), bool)
               or not isinstance(data.get(k), (str, int)) or data.get(k) == ""]
    if missing:
        return Failure(where, f"missing or empty field {', '.join(repr(k) for k in missing)}",
                       id=None if "id" in missing else str(data["id"]))
    id_, text = str(data["id"]), str(data["text"])
    fields = {k: str(data[k]) for k in ("url", "title", "date") if data.get(k) not in (None, "")}
    if htmltext.looks_like_html(text):
        page = htmltext.extract(text)
        text = page.text
        fields = {"title": page.title, "date": page.date, **fields}
    if not text.strip():
        return Failure(where, "empty text", id=id_)
    return article(id_, text, where, encoding, fields)


def article(id_: str, text: str, source: str, encoding: str, fields: dict[str, str | None]) -> Article:
    """An Article whose strings are all valid Unicode: lone surrogates (from JSON escapes or
    undecodable file names) become U+FFFD, one for one so offsets into the text hold, and
    the one-line fields lose control characters."""
    line = lambda s: CONTROL.sub(" ", SURROGATE.sub("\ufffd", s)).strip() if s else None  # noqa: E731
    return Article(id=line(id_) or "\ufffd", text=SURROGATE.sub("\ufffd", text), source=source,
                   encoding=encoding, **{k: line(v) for k, v in fields.items()})


def shown(path: Path) -> str:
    """A path as text to show and record, with a name in GBK or Big5 bytes read as such."""
    return decode_name(os.fsencode(path))
