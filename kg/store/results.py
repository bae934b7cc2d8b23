"""Query results as text: an aligned table for people, SPARQL CSV or JSON for programs.

CSV and JSON are the W3C SPARQL 1.1 results formats, written by `kg.store.writers`
as `kg serve` writes them; the
table shows literals as their plain value and IRIs shortened with kg's prefixes,
and lines Chinese text up by display width (a CJK character takes two columns).
CONSTRUCT and DESCRIBE results are printed as Turtle, ASK results as true/false.
"""
from __future__ import annotations

import io
import unicodedata

import pyoxigraph as ox

from kg.rdf.namespaces import PREFIXES
from kg.store.store import Results
from kg.store.writers import write

MAX_CELL = 60  # display columns; longer cells are cut in tables (csv and json keep them whole)
FORMATS = ("csv", "json")


def render(results: Results, fmt: str = "table") -> str:
    """Results as text to print: fmt is table, csv or json (ignored for graph results)."""
    if isinstance(results, ox.QueryTriples):
        prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
        return (ox.serialize(results, format=ox.RdfFormat.TURTLE, prefixes=prefixes) or b"").decode("utf-8")
    if fmt in FORMATS:
        out = io.BytesIO()
        write(results, fmt, out)
        return out.getvalue().decode("utf-8")
    if isinstance(results, ox.QueryBoolean):
        return "true\n" if bool(results) else "false\n"
    header = [v.value for v in results.variables]
    rows = [[show(row[name]) for name in header] for row in results]
    return table(header, rows)


def show(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    """A term as a person reads it: a literal's value, an IRI with a prefix where one fits."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for prefix, ns in PREFIXES.items():
            if term.value.startswith(str(ns)):
                return f"{prefix}:{term.value[len(str(ns)):]}"
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def cut(text: str) -> str:
    """text on one line and at most MAX_CELL columns wide."""
    text = " ".join(text.split())
    if width(text) <= MAX_CELL:
        return text
    while width(text) > MAX_CELL - 1:
        text = text[:-1]
    return text + "…"


def table(header: list[str], rows: list[list[str]]) -> str:
    """Columns padded to their widest cell, a rule under the header, and a row count."""
    rows = [[cut(c) for c in r] for r in rows]
    widths = [max([width(h)] + [width(r[i]) for r in rows]) for i, h in enumerate(header)]

    def line(cells: list[str]) -> str:
        return "  ".join(c + " " * (w - width(c)) for c, w in zip(cells, widths)).rstrip()

    lines = [line(header), line(["-" * w for w in widths])]
    lines += [line(r) for r in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"
