"""The text of office documents: PDF (pypdf) and Word .docx (python-docx), optional readers.

News arrives as PDF press releases and Word files beside web pages. Both readers
are an extra (`pip install 'kg-ip[documents]'`) so that the runtime stays small;
without it such a file is skipped with a line that says how to read it. A PDF
gives its text page by page (pages joined by a blank line, as paragraphs); a scan
without a text layer gives none and is reported as such. A .docx gives its
paragraphs and the cells of its tables, in document order.
"""
from __future__ import annotations

import io
from typing import BinaryIO

EXTRA = "pip install 'kg-ip[documents]'"
SUFFIXES = {".pdf": ("pypdf", "a PDF"), ".docx": ("docx", "a Word document")}


class NoReader(Exception):
    """The optional package that reads this kind of file is not installed (one-line message)."""


class Unreadable(Exception):
    """A document that its reader cannot open (damaged, encrypted), in one line."""


def available(suffix: str) -> bool:
    """Whether the reader of files with this suffix is installed."""
    from importlib.util import find_spec

    return find_spec(SUFFIXES[suffix][0]) is not None


def document_text(data: bytes, suffix: str) -> str:
    """The text of the bytes of a .pdf or .docx file; NoReader without the extra, Unreadable for a
    broken file (the bytes are read by the caller, as every input is: regular files only, capped)."""
    module, kind = SUFFIXES[suffix]
    if not available(suffix):
        raise NoReader(f"{kind}: {EXTRA} to read it")
    try:
        return pdf_text(io.BytesIO(data)) if suffix == ".pdf" else docx_text(io.BytesIO(data))
    except (NoReader, OSError):
        raise
    except Exception as e:  # noqa: BLE001 - each library has its own errors for a damaged file
        raise Unreadable(f"cannot read {kind} ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''})"[:300]) from e


def pdf_text(data: BinaryIO) -> str:
    import pypdf

    reader = pypdf.PdfReader(data)
    if reader.is_encrypted:
        raise Unreadable("an encrypted PDF")
    pages = [(page.extract_text() or "").strip() for page in reader.pages]
    return "\n\n".join(p for p in pages if p)


def docx_text(data: BinaryIO) -> str:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(data)
    parts = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            parts.append(block.text)
        elif isinstance(block, Table):
            for row in block.rows:
                parts.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(p for p in parts if p.strip())
