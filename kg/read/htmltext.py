"""The article in a web page: its main text, title and date.

Archives hold pages saved as .html, as .txt, or pasted into the text field of a
JSON record. kg reads the article body out of them with selectolax (lexbor):
scripts, menus and page furniture are dropped, the element most likely to hold
the body is chosen (by the selectors in `kg/data/html.tsv`, keeping the one with
the most text, else the whole body), and block elements become line breaks so
that sentences and paragraphs survive while inline markup (`<b>`, `<a>`) does
not split a name. Offsets in the graph then point into this extracted text.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from kg.datafiles import data_dir, read_table

DOCUMENT = re.compile(r"\A\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta)\b", re.I | re.S)
TAG = re.compile(r"</?(?:p|div|br|span|a|table|td|tr|li|ul|h[1-6]|img|strong|b|i|em|font|section|article)\b[^<>]*>",
                 re.I)
DATE = re.compile(r"((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
DATE_LINE = re.compile(r"(?:发布|發布|发表|發表|更新)?(?:时间|時間|日期)\s*[:：]\s*" + DATE.pattern)
MIN_MAIN_SHARE = 0.25  # a chosen body element must hold at least this share of the page's text
HEAD_CHARS = 2_000  # how far into a page a "发布时间:" line is looked for


@dataclass(frozen=True)
class Page:
    text: str
    title: str | None = None
    date: str | None = None  # YYYY-MM-DD


@dataclass(frozen=True)
class Rules:
    drop: tuple[str, ...]
    block: frozenset[str]
    main: tuple[str, ...]
    title: tuple[str, ...]
    date: tuple[str, ...]


@functools.lru_cache(maxsize=1)
def rules() -> Rules:
    rows = read_table(data_dir(__file__) / "html.tsv")
    pick = lambda what: tuple(r["value"] for r in rows if r["what"] == what)  # noqa: E731
    return Rules(pick("drop"), frozenset(pick("block")), pick("main"), pick("title"), pick("date"))


def looks_like_html(text: str) -> bool:
    """Whether text is a web page or markup rather than plain text: it opens like an HTML
    document, or carries at least three common tags, one of them a closing tag."""
    head = text[:4096]
    if DOCUMENT.match(head):
        return True
    tags = TAG.findall(text[:65536])
    return len(tags) >= 3 and any(t.startswith("</") for t in tags)


def extract(html: str) -> Page:
    """Main text, title and date of a page; the text is "" when the page holds none."""
    r = rules()
    tree = LexborHTMLParser(html)
    title = _first(tree, r.title)
    date = _date(_first(tree, r.date))
    tree.strip_tags(list(r.drop))
    root = tree.body or tree.root
    if root is None:
        return Page("", title, date)
    page_text = _text(root, r.block)
    best = max((n for sel in r.main for n in root.css(sel)), key=lambda n: len(n.text(deep=True)), default=None)
    text = page_text
    if best is not None:
        main_text = _text(best, r.block)
        if len(main_text) >= MIN_MAIN_SHARE * len(page_text):
            text = main_text
    if date is None:
        m = DATE_LINE.search(page_text[:HEAD_CHARS])
        date = _date(m.group(0)) if m else None
    return Page(text, title, date)


def _text(node: LexborNode, blocks: frozenset[str]) -> str:
    """The text under node with a line break around each block element, blank lines dropped."""
    parts: list[str] = []
    stack: list[LexborNode | None] = [node]  # None marks the end of a block element
    while stack:  # a loop, not recursion: hostile pages nest elements thousands deep
        n = stack.pop()
        if n is None:
            parts.append("\n")
        elif n.is_text_node:
            parts.append(n.text_content or "")
        else:
            if n.tag in blocks:
                parts.append("\n")
                stack.append(None)
            stack.extend(reversed(list(n.iter(include_text=True))))
    lines = "".join(parts).split("\n")
    return "\n".join(line for line in (" ".join(x.split()) for x in lines) if line)


def _first(tree: LexborHTMLParser, selectors: tuple[str, ...]) -> str | None:
    for sel in selectors:
        for node in tree.css(sel):
            value = node.attributes.get("content") if node.tag == "meta" else (
                node.attributes.get("datetime") or node.text(deep=True))
            value = " ".join((value or "").split())
            if value:
                return value
    return None


def _date(value: str | None) -> str | None:
    m = DATE.search(value or "")
    if not m:
        return None
    year, month, day = (int(g) for g in m.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"
