"""PDF and Word articles, the files of a folder that are not articles, and articles with almost no
Chinese. All texts here are invented; the PDF and the .docx are written by the tests."""
from __future__ import annotations

from pathlib import Path

import pytest

import kg
from kg.model import Article, Failure, Skipped
from kg.read import documents
from kg.read.ingest import read_inputs, script_warning
from helpers import run

TEXT = "西岭市公安局查处西岭青禾食品有限公司销售假冒“山茶”商标商品案。"
ENGLISH = ("The Xiling City Public Security Bureau seized 3,000 counterfeit items in a raid on a warehouse, "
           "officials said on Monday.")


def pdf(text: str) -> bytes:
    """A one-page PDF whose text uses Adobe's predefined simplified-Chinese font (nothing embedded)."""
    content = f"BT /F1 12 Tf 72 720 Td <{text.encode('utf-16-be').hex().upper()}> Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >>"
        b" /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor 7 0 R >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [0 0 1000 1000] /ItalicAngle 0"
        b" /Ascent 880 /Descent -120 /CapHeight 880 /StemV 80 >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def docx(path: Path, *paragraphs: str, table: list[list[str]] | None = None) -> Path:
    docx_module = pytest.importorskip("docx")
    document = docx_module.Document()
    document.add_paragraph(paragraphs[0])
    if table:
        t = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, cell in enumerate(row):
                t.cell(r, c).text = cell
    for p in paragraphs[1:]:
        document.add_paragraph(p)
    document.save(str(path))
    return path


@pytest.fixture()
def readers() -> None:
    pytest.importorskip("pypdf")
    pytest.importorskip("docx")


def test_a_pdf_is_an_article(tmp_path: Path, readers) -> None:
    (tmp_path / "xl-notice.pdf").write_bytes(pdf(TEXT))
    [article] = read_inputs([tmp_path / "xl-notice.pdf"])
    assert isinstance(article, Article)
    assert (article.id, article.text, article.encoding) == ("xl-notice", TEXT, "pdf")


def test_a_word_document_is_an_article_with_its_tables(tmp_path: Path, readers) -> None:
    path = docx(tmp_path / "xl-report.docx", TEXT, "第二段。", table=[["案件", "办理机关"], ["山茶商标案", "西岭市公安局"]])
    [article] = read_inputs([path])
    assert article.text == f"{TEXT}\n案件\t办理机关\n山茶商标案\t西岭市公安局\n第二段。"


def test_pdf_and_word_articles_are_built(tmp_path: Path, readers) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.pdf").write_bytes(pdf(TEXT))
    docx(tmp_path / "in" / "b.docx", "南屿市海关与西岭市公安局联合开展“晨光”专项行动。")
    g = kg.build([tmp_path / "in"])
    assert sorted(ag.article.id for ag in g.articles) == ["a", "b"] and g.errors == []
    assert g.search("西岭市公安局")[0].articles == 2


def test_a_damaged_pdf_is_a_failure_naming_it(tmp_path: Path, readers) -> None:
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\nnot really")
    [failure] = read_inputs([tmp_path / "broken.pdf"])
    assert isinstance(failure, Failure) and str(failure).startswith(f"{tmp_path / 'broken.pdf'}: cannot read a PDF (")
    (tmp_path / "scan.pdf").write_bytes(pdf(""))
    [failure] = read_inputs([tmp_path / "scan.pdf"])
    assert str(failure) == f"{tmp_path / 'scan.pdf'}: no text in it (a scanned page without a text layer?)"


def test_without_the_readers_documents_are_skipped_with_the_way_to_read_them(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(documents, "available", lambda suffix: False)
    monkeypatch.setattr("kg.read.ingest.available", lambda suffix: False)
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "b.pdf").write_bytes(pdf(TEXT))
    items = list(read_inputs([tmp_path]))
    assert [type(i) for i in items] == [Article, Skipped]
    assert str(items[1]) == f"{tmp_path / 'b.pdf'}: skipped (.pdf files need the optional reader:" \
                            " pip install 'kg-ip[documents]')"
    [failure] = read_inputs([tmp_path / "b.pdf"])  # asked for by name: a failure, with the same advice
    assert str(failure) == f"{tmp_path / 'b.pdf'}: a PDF: pip install 'kg-ip[documents]' to read it"


def test_each_skipped_file_has_a_line_and_the_summary_counts_them(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(TEXT, encoding="utf-8")
    (src / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    (src / "table.xlsx").write_bytes(b"PK\x03\x04")
    rc, out, err = run("build", str(src), "--out", str(tmp_path / "out"))
    assert rc == 0, err
    assert err.splitlines() == [
        f"kg: {src / 'photo.jpg'}: skipped (not an article file (.txt, .html, .htm, .jsonl, .pdf, .docx))",
        f"kg: {src / 'table.xlsx'}: skipped (not an article file (.txt, .html, .htm, .jsonl, .pdf, .docx))",
    ]
    assert out.splitlines()[0] == "articles: 1 built, 0 failed, 0 unchanged, 2 files skipped (1 in the graph)"


def test_an_article_with_almost_no_chinese_is_warned_of(tmp_path: Path) -> None:
    (tmp_path / "en.txt").write_text(ENGLISH, encoding="utf-8")
    (tmp_path / "zh.txt").write_text(TEXT + " Brand: SHANCHA, case no. 2024-117.", encoding="utf-8")
    rc, out, err = run("build", str(tmp_path / "en.txt"), str(tmp_path / "zh.txt"), "--out", str(tmp_path / "out"))
    assert rc == 0
    [line] = err.splitlines()
    assert line.startswith(f"kg: warning: {tmp_path / 'en.txt'}: article 'en' has almost no Chinese text (0 of ")
    assert line.endswith("letters); kg reads Chinese news and will find little in it")
    assert kg.build(texts=[ENGLISH]).warnings and not kg.build(texts=[TEXT]).warnings


def test_script_warning_counts_letters_only() -> None:
    assert script_warning(Article("n", "2024-117: 3,000 件")) is None  # digits and marks are not letters
    assert script_warning(Article("e", "Seized 3000 items")) is not None
