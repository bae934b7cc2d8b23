"""Query results written to a binary file as they are read, with a cap on how many rows.

The W3C formats for SELECT results (SPARQL JSON, XML, CSV and TSV) are written
here one row at a time, in the same bytes pyoxigraph's own serialisers write, so
that the rows can be counted on the way: pyoxigraph's `QuerySolutions.serialize`
takes the whole iterator and cannot stop at a cap. CONSTRUCT and DESCRIBE
triples go through pyoxigraph's RDF serialisers, fed by a counting generator;
ASK answers through pyoxigraph's. `kg serve` writes into a spool file (memory
stays flat whatever the size) and `kg query --format csv|json` into a buffer.
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO, TypeVar

import pyoxigraph as ox

from kg.store.store import Results

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
INTEGER = re.compile(r"[+-]?[0-9]+")
SOLUTIONS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
             "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}
GRAPHS = {"turtle": ox.RdfFormat.TURTLE, "n-triples": ox.RdfFormat.N_TRIPLES,
          "rdf-xml": ox.RdfFormat.RDF_XML, "json-ld": ox.RdfFormat.JSON_LD}
T = TypeVar("T")
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


class TooManyRows(Exception):
    """The results have more rows (or triples) than the cap."""

    def __init__(self, cap: int) -> None:
        super().__init__(f"the results have more than {cap:,} rows; add a LIMIT")
        self.cap = cap


def write(results: Results, fmt: str, out: BinaryIO, max_rows: int | None = None) -> int:
    """Write results in fmt (a key of SOLUTIONS for SELECT and ASK, of GRAPHS for CONSTRUCT and
    DESCRIBE) to out; the number of rows or triples. TooManyRows past max_rows, KeyError for
    a format that does not fit the results."""
    if isinstance(results, ox.QueryBoolean):
        out.write(results.serialize(format=SOLUTIONS[fmt]))
        return 1
    if isinstance(results, ox.QueryTriples):
        fmt_ = GRAPHS[fmt]
        count = [0]
        ox.serialize(capped(results, max_rows, count), output=out, format=fmt_)
        return count[0]
    return WRITERS[fmt](results, out, max_rows)


def capped(items: Iterable[T], cap: int | None, count: list[int] | None = None) -> Iterator[T]:
    """items, counted into count[0]; TooManyRows when one more than cap comes."""
    count = count if count is not None else [0]
    for item in items:
        count[0] += 1
        if cap is not None and count[0] > cap:
            raise TooManyRows(cap)
        yield item


def json_term(term: Term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        if term.language:
            return {"type": "literal", "value": term.value, "xml:lang": term.language}
        if term.datatype.value != XSD_STRING:
            return {"type": "literal", "value": term.value, "datatype": term.datatype.value}
        return {"type": "literal", "value": term.value}
    return {"type": "triple", "value": {"subject": json_term(term.subject), "predicate": json_term(term.predicate),
                                        "object": json_term(term.object)}}


def write_json(results: ox.QuerySolutions, out: BinaryIO, cap: int | None) -> int:
    names = [v.value for v in results.variables]
    dumps = lambda x: json.dumps(x, ensure_ascii=False, separators=(",", ":")).encode("utf-8")  # noqa: E731
    out.write(b'{"head":{"vars":' + dumps(names) + b'},"results":{"bindings":[')
    count = [0]
    for row in capped(results, cap, count):
        binding = {name: json_term(row[i]) for i, name in enumerate(names) if row[i] is not None}
        out.write((b"," if count[0] > 1 else b"") + dumps(binding))
    out.write(b"]}}")
    return count[0]


def xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f'<literal xml:lang="{escape(term.language)}">{escape(term.value)}</literal>'
        if term.datatype.value != XSD_STRING:
            return f'<literal datatype="{escape(term.datatype.value)}">{escape(term.value)}</literal>'
        return f"<literal>{escape(term.value)}</literal>"
    return (f"<triple><subject>{xml_term(term.subject)}</subject><predicate>{xml_term(term.predicate)}"
            f"</predicate><object>{xml_term(term.object)}</object></triple>")


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def write_xml(results: ox.QuerySolutions, out: BinaryIO, cap: int | None) -> int:
    names = [v.value for v in results.variables]
    head = "".join(f'<variable name="{escape(n)}"/>' for n in names)
    out.write(f'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>{head}'
              f"</head><results>".encode("utf-8"))
    count = [0]
    for row in capped(results, cap, count):
        cells = "".join(f'<binding name="{escape(n)}">{xml_term(row[i])}</binding>'
                        for i, n in enumerate(names) if row[i] is not None)
        out.write(f"<result>{cells}</result>".encode("utf-8"))
    out.write(b"</results></sparql>")
    return count[0]


def write_table(results: ox.QuerySolutions, out: BinaryIO, cap: int | None, line: Callable[[list[str]], str],
                header: Callable[[str], str], cell: Callable[[Term], str]) -> int:
    names = [v.value for v in results.variables]
    out.write(line([header(n) for n in names]).encode("utf-8"))
    count = [0]
    for row in capped(results, cap, count):
        out.write(line(["" if row[i] is None else cell(row[i]) for i in range(len(names))]).encode("utf-8"))
    return count[0]


def csv_line(cells: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue()


def csv_cell(term: Term) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal)) else str(term)


def tsv_cell(term: Term) -> str:
    """A term in Turtle syntax, as the TSV results format wants: integers bare, as pyoxigraph writes them."""
    if isinstance(term, ox.Literal) and term.datatype.value == XSD_INTEGER and INTEGER.fullmatch(term.value):
        return term.value
    return str(term)


WRITERS: dict[str, Callable[[ox.QuerySolutions, BinaryIO, int | None], int]] = {
    "json": write_json,
    "xml": write_xml,
    "csv": lambda r, out, cap: write_table(r, out, cap, csv_line, str, csv_cell),
    "tsv": lambda r, out, cap: write_table(r, out, cap, lambda cells: "\t".join(cells) + "\n",
                                           lambda n: f"?{n}", tsv_cell),
}
