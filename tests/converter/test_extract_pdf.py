"""PDF extraction: ruled tables and text in reading order, page numbers, tables over page breaks,
and files that cannot be read (scanned, encrypted, corrupt). The PDF variants of two real reports
give the same cells as the files they were made from (tools/make_fixtures.sh)."""

from __future__ import annotations

import functools
from decimal import Decimal
from pathlib import Path

import pytest

from converter.errors import SourceUnreadable
from converter.extract import extract
from converter.extract.pdf import is_page_number
from converter.model import Report
from converter.numbers import BLANK_CELL
from converter.pipeline import convert_file
from tests.converter.pdf_bytes import pdf_from_objects

FIXTURES = Path(__file__).parents[1] / "fixtures"
SEEDS = Path(__file__).parents[2] / "data" / "seeds"
SHANGHAI = "shanghai_municipal_office_2019"
B = BLANK_CELL


@functools.cache
def convert(path: Path) -> Report:
    """Each fixture converted once for the whole module (PDF parsing takes a second or two)."""
    return convert_file(path)


def cells(path: Path) -> dict[tuple[str, ...], Decimal]:
    return {c.key: c.value for c in convert(path).cells}


@pytest.mark.parametrize(
    ("variant", "source"),
    [(f"{SHANGHAI}.pdf", FIXTURES / f"{SHANGHAI}.html"), ("seed_000.pdf", SEEDS / "000_c5b0e1e384a688a1.txt")],
)
def test_variant_yields_the_same_cells(variant: str, source: Path) -> None:
    expected = cells(source)
    assert len(expected) > 60
    assert cells(FIXTURES / variant) == expected


def test_table_over_a_page_break_and_pages() -> None:
    report = convert(FIXTURES / f"{SHANGHAI}.pdf")
    assert (report.meta.agency, report.meta.year) == ("上海市人民政府办公厅", 2019)
    doc = report.source
    assert doc.media_type == "application/pdf"
    assert doc.pages is not None and len(doc.pages) == len(doc.lines)
    assert list(doc.pages) == sorted(doc.pages) and doc.pages[0] == 1 and doc.pages[-1] == 5
    table3 = {c.key[1:]: c for c in report.cells if c.table == "table3"}
    assert table3[("1", "natural-person")].page == 3  # 表三 starts on page 3 …
    assert table3[("3.7", "total")].page == 4  # … and goes on on page 4
    assert table3[("3.7", "total")].value == 805
    assert not [i for i in report.issues if i.code in {"cell-ambiguous", "missing-cell", "not-read"}]


def test_shanghai_pdf_lines() -> None:
    doc = convert(FIXTURES / f"{SHANGHAI}.pdf").source
    lines = doc.lines
    assert lines[0] == "2019年上海市人民政府办公厅政府信息公开工作年度报告"
    # 表二's header row is cut by the page break: its two-line cells "本年新/制作数量" end on the next
    # page, and the two parts are joined into one row (converter/extract/pdf_grid.py stitch)
    at = lines.index("信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量")
    assert lines[at + 1] == "规章\t13\t13\t524"
    assert doc.pages is not None and doc.pages[at : at + 2] == (2, 3)
    assert "\t".join(["一、本年新收政府信息公开申请数量", "821", "35", B, B, "2", "1", "859"]) in lines
    order = [
        "二、主动公开政府信息情况", "规章\t13\t13\t524", "政府集中采购\t6\t251000元",
        "三、收到和处理政府信息公开申请情况", "\t".join(["四、结转下年度继续办理", "72", *[B] * 5, "72"]),
        "四、政府信息公开行政复议、行政诉讼情况", "五、政府信息公开工作存在的主要问题及改进情况",
    ]  # fmt: skip
    positions = [lines.index(line) for line in order]
    assert positions == sorted(positions)  # text and tables interleaved in reading order
    assert not any(is_page_number(line) for line in lines)


def test_seed_000_pdf_metadata() -> None:
    report = convert(FIXTURES / "seed_000.pdf")
    assert (report.meta.agency, report.meta.year, report.meta.published) == ("六安市裕安区人民政府", 2020, "2021-02-19")


def _pdf(pages: list[list[tuple[float, float, str]]]) -> bytes:
    """A minimal PDF: each page a list of (x, y, ASCII text) drawn in Helvetica 12 pt."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", ""]
    kids = []
    for items in pages:
        stream = " ".join(f"BT /F1 12 Tf {x} {y} Td ({text}) Tj ET" for x, y, text in items)
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
        objects.append(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            f"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> "
            f"/Contents {len(objects)} 0 R >>"
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    return pdf_from_objects(objects)


def test_page_numbers_dropped_and_wide_gaps_cut_cells(tmp_path: Path) -> None:
    path = tmp_path / "made.pdf"
    path.write_bytes(
        _pdf([
            [(72, 760, "Annual report 2019"), (72, 700, "Rules"), (300, 700, "13"), (400, 700, "524"),
             (280, 40, "- 1 -")],
            [(72, 760, "Section five"), (270, 40, "Page 2 of 2")],
        ])
    )  # fmt: skip
    doc = extract(path)
    assert doc.lines == ("Annual report 2019", "Rules\t13\t524", "Section five")
    assert doc.pages == (1, 1, 2)


@pytest.mark.parametrize(
    ("line", "number"),
    [("- 4 -", True), ("—12—", True), ("第 4 页", True), ("第4页 共12页", True), ("共12页 第4页", True), ("3/12", True),
     ("4", False), ("第二十条第（一）项", False), ("- 4 - 规章", False)],
)  # fmt: skip
def test_is_page_number(line: str, number: bool) -> None:
    assert is_page_number(line) is number


def test_a_pdf_without_a_text_layer_is_read_by_ocr() -> None:
    pytest.importorskip("tesserocr", reason="OCR needs tesserocr (pip) and Tesseract's data (make system-packages)")
    try:
        doc = extract(FIXTURES / "scanned.pdf")  # page 4 of the Shanghai PDF at 60 dpi: no text layer
    except SourceUnreadable as exc:  # one line, naming the file, never a crash
        assert str(exc).startswith(str(FIXTURES / "scanned.pdf")) and "\n" not in str(exc)
        return
    assert doc.ocr is not None  # its digits are published only where the arithmetic confirms them


def test_encrypted_pdf() -> None:
    with pytest.raises(SourceUnreadable, match="encrypted"):
        extract(FIXTURES / "encrypted.pdf")


@pytest.mark.parametrize("cut", [0.1, 0.5, 0.9])
def test_truncated_pdf(tmp_path: Path, cut: float) -> None:
    data = (FIXTURES / "seed_000.pdf").read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: int(len(data) * cut)])
    try:
        doc = extract(path)  # pdfminer may recover the pages before the cut …
    except SourceUnreadable as exc:  # … or say why it cannot
        assert "PDF" in exc.reason or "text" in exc.reason
    else:
        assert doc.lines


def test_not_a_pdf(tmp_path: Path) -> None:
    path = tmp_path / "page.pdf"
    path.write_text("<html>not a pdf</html>", encoding="utf-8")
    with pytest.raises(SourceUnreadable, match="not a PDF"):
        extract(path)
