"""DOCX extraction: document order, merged cells, blanks; the Word variants of two real reports give
the same cells as the files they were made from (tools/make_fixtures.sh)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import docx
import pytest

from converter.errors import SourceUnreadable
from converter.extract import DOCX, extract
from converter.numbers import BLANK_CELL
from converter.pipeline import convert_file

FIXTURES = Path(__file__).parents[1] / "fixtures"
SEEDS = Path(__file__).parents[2] / "data" / "seeds"
SHANGHAI = "shanghai_municipal_office_2019"
B = BLANK_CELL


def cells(path: Path) -> dict[tuple[str, ...], Decimal]:
    return {c.key: c.value for c in convert_file(path).cells}


@pytest.mark.parametrize(
    ("variant", "source"),
    [(f"{SHANGHAI}.docx", FIXTURES / f"{SHANGHAI}.html"), ("seed_000.docx", SEEDS / "000_c5b0e1e384a688a1.txt")],
)
def test_variant_yields_the_same_cells(variant: str, source: Path) -> None:
    expected = cells(source)
    assert len(expected) > 60
    assert cells(FIXTURES / variant) == expected


def test_shanghai_docx_metadata() -> None:
    report = convert_file(FIXTURES / f"{SHANGHAI}.docx")
    assert (report.meta.agency, report.meta.year) == ("上海市人民政府办公厅", 2019)


def test_seed_000_docx_metadata_and_money() -> None:
    report = convert_file(FIXTURES / "seed_000.docx")
    assert (report.meta.agency, report.meta.year) == ("六安市裕安区人民政府", 2020)
    assert report.source.media_type == DOCX
    money = [c for c in report.cells if c.key[-1] == "procurement-amount"]
    assert [(c.value, c.unit, c.source_text) for c in money] == [(28370, "wan-yuan", "28370 万元")]


def test_shanghai_docx_rows() -> None:
    lines = extract(FIXTURES / f"{SHANGHAI}.docx").lines
    assert lines[0] == "2019年上海市人民政府办公厅政府信息公开工作年度报告"
    assert "信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量" in lines
    row = ["三、本年度办理结果", "（四）无法提供", "2.没有现成信息需要另行制作", "44", "3", *[B] * 5]
    assert "\t".join(row) in lines
    assert lines.index("二、主动公开政府信息情况") < lines.index("规章\t13\t13\t524")  # document order


def test_merged_cells_and_order(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("三、收到和处理政府信息公开申请情况")
    table = document.add_table(rows=3, cols=5)
    outcome = table.cell(0, 0).merge(table.cell(2, 0))  # w:vMerge
    outcome.text = "三、本年度办理结果"
    wide = table.cell(0, 1).merge(table.cell(0, 2))  # w:gridSpan
    wide.text = "（一）予以公开"
    number = table.cell(1, 3).merge(table.cell(2, 3))  # a number merged over two rows
    number.text = "7"
    for row, texts in ((0, ["8", "1"]), (1, ["（三）不予公开", "1.属于国家秘密", None, "2"])):
        for offset, text in enumerate(texts):
            if text is not None:
                table.cell(row, 5 - len(texts) + offset).text = text
    table.cell(2, 1).text = "（三）不予公开"
    table.cell(2, 4).text = "3"
    table.cell(2, 2).paragraphs[0].add_run("2.其他法律")
    table.cell(2, 2).add_paragraph("行政法规禁止公开")  # a label over two paragraphs
    document.add_paragraph("四、结转下年度继续办理\n第二行")  # python-docx writes a w:br
    path = tmp_path / "made.docx"
    document.save(str(path))
    assert extract(path).lines == (
        "三、收到和处理政府信息公开申请情况",
        "三、本年度办理结果\t（一）予以公开\t8\t1",
        "三、本年度办理结果\t（三）不予公开\t1.属于国家秘密\t7\t2",
        f"三、本年度办理结果\t（三）不予公开\t2.其他法律行政法规禁止公开\t{B}\t3",  # 7 stands once
        "四、结转下年度继续办理",
        "第二行",
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "LibreOffice"),  # an old .doc: read through it
        (b"just some text, not a zip", "not a .docx"),
        (b"PK\x03\x04" + b"\x00" * 200, "corrupt or truncated"),
    ],
)
def test_unreadable(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes(data)
    with pytest.raises(SourceUnreadable, match=reason):
        extract(path)


def test_truncated_real_docx(tmp_path: Path) -> None:
    data = (FIXTURES / "seed_000.docx").read_bytes()
    path = tmp_path / "cut.docx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceUnreadable):
        extract(path)


def test_empty_document(tmp_path: Path) -> None:
    path = tmp_path / "empty.docx"
    docx.Document().save(str(path))
    with pytest.raises(SourceUnreadable, match="no text"):
        extract(path)
