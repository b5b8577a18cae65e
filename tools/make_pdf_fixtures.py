"""Make the PDF fixtures of tests/fixtures/made/ the way agencies make them: a Word document
(python-docx: merged cells, column widths, table borders, "repeat header row", a page-number footer)
turned into a PDF by LibreOffice headless. Each variant is one small report with the REAL numbers of
a real report, and the script writes the ground truth it printed beside it (``<name>.expected.tsv``:
table, row, column, value, blank — ``blank`` marks a cell printed empty whose meaning is 0).

    .venv/bin/python tools/make_pdf_fixtures.py            # all variants into tests/fixtures/made/
    .venv/bin/python tools/make_pdf_fixtures.py --only a_blank_legal_2023 --out /tmp/made

Needs LibreOffice (soffice) and a CJK font (fonts-noto-cjk); tools/make_fixtures.sh installs them.
The PDFs embed their creation date: a rerun gives new bytes but the same text and geometry.

Numbers (each set checked here against the template's arithmetic before anything is written):

* ``SEED_000``  — 表三/表四 of data/seeds/000_c5b0e1e384a688a1.txt (六安市裕安区人民政府 2020, 2019 template)
* ``HUAIAN``    — 表三/表四 of shared/reports/huaian_municipal_2024.pdf (淮安市人民政府 2024, 2021 template),
  read off the rendered pages (tests/golden/huaian-2024.cells.tsv)
* ``PINGTAN``   — 表三/表四 of shared/reports/pingtan_2023_page.txt (平潭综合实验区 2023, 2021 template),
  as the converter reads its cells
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell

from converter.tables.layout import APPLICANT_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "made"

COLUMNS = tuple(APPLICANT_COLUMNS)  # 自然人 … 其他, 总计: the template's order
LEGAL = range(1, 6)  # 商业企业 … 其他: the columns agencies leave blank for 0
T4_ROWS = ("review", "litigation-direct", "litigation-after-review")
T4_COLUMNS = ("upheld", "corrected", "other", "pending", "total")
CORNER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

# (notation, labels): one label spans the three label columns, two share the first (三、…), three fill them.
ROWS_HEAD = [
    ("1", ["一、本年新收政府信息公开申请数量"]),
    ("2", ["二、上年结转政府信息公开申请数量"]),
    ("3.1", ["三、本年度办理结果", "（一）予以公开"]),
    ("3.2", ["三、本年度办理结果", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"]),
    ("3.3.1", ["三、本年度办理结果", "（三）不予公开", "1.属于国家秘密"]),
    ("3.3.2", ["三、本年度办理结果", "（三）不予公开", "2.其他法律行政法规禁止公开"]),
    ("3.3.3", ["三、本年度办理结果", "（三）不予公开", "3.危及“三安全一稳定”"]),
    ("3.3.4", ["三、本年度办理结果", "（三）不予公开", "4.保护第三方合法权益"]),
    ("3.3.5", ["三、本年度办理结果", "（三）不予公开", "5.属于三类内部事务信息"]),
    ("3.3.6", ["三、本年度办理结果", "（三）不予公开", "6.属于四类过程性信息"]),
    ("3.3.7", ["三、本年度办理结果", "（三）不予公开", "7.属于行政执法案卷"]),
    ("3.3.8", ["三、本年度办理结果", "（三）不予公开", "8.属于行政查询事项"]),
    ("3.4.1", ["三、本年度办理结果", "（四）无法提供", "1.本机关不掌握相关政府信息"]),
    ("3.4.2", ["三、本年度办理结果", "（四）无法提供", "2.没有现成信息需要另行制作"]),
    ("3.4.3", ["三、本年度办理结果", "（四）无法提供", "3.补正后申请内容仍不明确"]),
    ("3.5.1", ["三、本年度办理结果", "（五）不予处理", "1.信访举报投诉类申请"]),
    ("3.5.2", ["三、本年度办理结果", "（五）不予处理", "2.重复申请"]),
    ("3.5.3", ["三、本年度办理结果", "（五）不予处理", "3.要求提供公开出版物"]),
    ("3.5.4", ["三、本年度办理结果", "（五）不予处理", "4.无正当理由大量反复申请"]),
    ("3.5.5", ["三、本年度办理结果", "（五）不予处理", "5.要求行政机关确认或重新出具已获取信息"]),
]
ROWS_OTHER_2019 = [("3.6", ["三、本年度办理结果", "（六）其他处理"])]
ROWS_OTHER_2021 = [
    (
        "3.6.1",
        ["三、本年度办理结果", "（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"],
    ),
    (
        "3.6.2",
        [
            "三、本年度办理结果",
            "（六）其他处理",
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        ],
    ),
    ("3.6.3", ["三、本年度办理结果", "（六）其他处理", "3.其他"]),
]
ROWS_TAIL = [("3.7", ["三、本年度办理结果", "（七）总计"]), ("4", ["四、结转下年度继续办理"])]


def _rows(text: str) -> dict[str, list[int]]:
    """``notation: seven numbers`` per line."""
    out: dict[str, list[int]] = {}
    for line in text.strip().splitlines():
        notation, numbers = line.split(":")
        out[notation.strip()] = [int(n) for n in numbers.split()]
    return out


ZERO = "0 0 0 0 0 0 0"
SEED_000 = _rows(f"""
1: 12 3 0 0 0 0 15
2: {ZERO}
3.1: 8 1 0 0 0 0 9
3.2: 1 1 0 0 0 0 2
3.3.1: {ZERO}
3.3.2: {ZERO}
3.3.3: {ZERO}
3.3.4: 0 1 0 0 0 0 1
3.3.5: {ZERO}
3.3.6: {ZERO}
3.3.7: {ZERO}
3.3.8: 1 0 0 0 0 0 1
3.4.1: 2 0 0 0 0 0 2
3.4.2: {ZERO}
3.4.3: {ZERO}
3.5.1: {ZERO}
3.5.2: {ZERO}
3.5.3: {ZERO}
3.5.4: {ZERO}
3.5.5: {ZERO}
3.6: {ZERO}
3.7: 12 3 0 0 0 0 15
4: {ZERO}
""")
SEED_000_T4 = [[0] * 5, [0] * 5, [0] * 5]

HUAIAN = _rows("""
1: 3001 53 0 0 61 4 3119
2: 34 0 0 0 0 0 34
3.1: 1288 21 0 0 50 3 1362
3.2: 447 7 0 0 0 0 454
3.3.1: 2 0 0 0 0 0 2
3.3.2: 30 1 0 0 0 0 31
3.3.3: 5 0 0 0 0 0 5
3.3.4: 6 0 0 0 0 0 6
3.3.5: 7 1 0 0 0 0 8
3.3.6: 12 0 0 0 0 0 12
3.3.7: 9 0 0 0 0 0 9
3.3.8: 105 0 0 0 0 0 105
3.4.1: 746 12 0 0 10 1 769
3.4.2: 11 0 0 0 0 0 11
3.4.3: 1 0 0 0 0 0 1
3.5.1: 56 6 0 0 0 0 62
3.5.2: 25 0 0 0 0 0 25
3.5.3: 0 0 0 0 0 0 0
3.5.4: 0 0 0 0 0 0 0
3.5.5: 1 0 0 0 0 0 1
3.6.1: 67 3 0 0 1 0 71
3.6.2: 6 0 0 0 0 0 6
3.6.3: 108 2 0 0 0 0 110
3.7: 2932 53 0 0 61 4 3050
4: 103 0 0 0 0 0 103
""")
HUAIAN_T4 = [[72, 64, 178, 37, 351], [13, 4, 8, 1, 26], [12, 1, 1, 6, 20]]

PINGTAN = _rows(f"""
1: 80 1 0 0 0 0 81
2: {ZERO}
3.1: 22 0 0 0 0 0 22
3.2: 19 1 0 0 0 0 20
3.3.1: {ZERO}
3.3.2: {ZERO}
3.3.3: {ZERO}
3.3.4: 1 0 0 0 0 0 1
3.3.5: {ZERO}
3.3.6: 1 0 0 0 0 0 1
3.3.7: 1 0 0 0 0 0 1
3.3.8: 2 0 0 0 0 0 2
3.4.1: 31 0 0 0 0 0 31
3.4.2: {ZERO}
3.4.3: {ZERO}
3.5.1: {ZERO}
3.5.2: 1 0 0 0 0 0 1
3.5.3: {ZERO}
3.5.4: {ZERO}
3.5.5: {ZERO}
3.6.1: 1 0 0 0 0 0 1
3.6.2: {ZERO}
3.6.3: 1 0 0 0 0 0 1
3.7: 80 1 0 0 0 0 81
4: {ZERO}
""")
PINGTAN_T4 = [[1, 1, 0, 0, 2], [4, 0, 0, 1, 5], [1, 0, 1, 0, 2]]


def check(values: dict[str, list[int]], table4: list[list[int]]) -> None:
    """The template's arithmetic: row totals, （七） = sum of the outcome rows, 一+二 = （七）+四, 表四 totals."""
    for notation, row in values.items():
        assert sum(row[:6]) == row[6], f"row {notation}: {row}"
    outcomes = [n for n in values if n.startswith("3.") and n != "3.7"]
    for column in range(7):
        assert sum(values[n][column] for n in outcomes) == values["3.7"][column], f"（七） column {column}"
        assert values["1"][column] + values["2"][column] == values["3.7"][column] + values["4"][column]
    for row in table4:
        assert sum(row[:4]) == row[4], f"表四 {row}"


def one_row_other(values: dict[str, list[int]]) -> dict[str, list[int]]:
    """The 2021 numbers with （六）其他处理 printed as one row: the sum of its three sub-rows."""
    out: dict[str, list[int]] = {}
    for notation, row in values.items():
        if notation.startswith("3.6."):
            out["3.6"] = [a + b for a, b in zip(out.get("3.6", [0] * 7), row, strict=True)]
        else:
            out[notation] = row
    return out


# --------------------------------------------------------------------------------------------
# Word documents


@dataclass
class Variant:
    name: str
    what: str
    source: str
    title: list[str]
    values: dict[str, list[int]]
    table4: list[list[int]]
    rows: list[tuple[str, list[str]]]
    blank: Callable[[str, int, int], bool] = lambda notation, column, value: False
    before: int = 1  # paragraphs of running text before 表三 (pushes it over a page break)
    widths: list[float] = field(default_factory=lambda: [1.2, 2.2, 3.6] + [1.25] * 6 + [1.3])  # cm
    vertical_outcome: bool = False  # "三、本年度办理结果" one character per line in a narrow cell
    borders: str = "grid"  # grid | horizontal (no vertical rules) | inner (no outer border)
    repeat_header: bool = False
    labels: dict[str, str] = field(default_factory=dict)  # label text → as printed (typos)


def _widths(table: Table, widths: list[float]) -> None:
    """Column widths as Word stores them: the grid (w:gridCol, which LibreOffice lays out by) and each cell."""
    table.autofit = False
    for column, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
        column.w = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)


def _borders(table: Table, style: str) -> None:
    """Table borders as Word writes them (w:tblBorders): all, horizontal rules only, or inner rules only."""
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    on = {
        "grid": {"top", "left", "bottom", "right", "insideH", "insideV"},
        "horizontal": {"top", "bottom", "insideH"},
        "inner": {"insideH", "insideV"},
    }[style]
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "single" if edge in on else "nil")
        if edge in on:
            element.set(qn("w:sz"), "4")
            element.set(qn("w:space"), "0")
            element.set(qn("w:color"), "000000")
        borders.append(element)
    tbl_pr.append(borders)


def _repeat_header(table: Table, rows: int) -> None:
    for row in table.rows[:rows]:
        tr_pr = row._tr.get_or_add_trPr()
        header = OxmlElement("w:tblHeader")
        header.set(qn("w:val"), "true")
        tr_pr.append(header)


def _write(cell: _Cell, text: str, *, center: bool = True, size: float = 9) -> None:
    cell.text = ""
    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.LEFT
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _page_number_footer(document: Document) -> None:
    """A centred footer "- N -" (a PAGE field), as most agencies print it."""
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("- ")
    field_run = paragraph.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText" if text == " PAGE " else "w:t")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        field_run._r.append(element)
    paragraph.add_run(" -")


def _document() -> Document:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Noto Serif CJK SC"
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Serif CJK SC")
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.6)
    section.top_margin = section.bottom_margin = Cm(2.5)
    _page_number_footer(document)
    return document


def _paragraph(document: Document, text: str, *, size: float = 12, center: bool = False, bold: bool = False) -> None:
    paragraph = document.add_paragraph()
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    else:
        paragraph.paragraph_format.first_line_indent = Pt(2 * size)
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.bold = bold


FILLER = (
    "本年度，我单位认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，"
    "围绕中心工作，持续深化政务公开，进一步规范依申请公开办理流程，严格按照法定时限答复申请人，"
    "做到依法、规范、及时、便民。"
)


def _table3(document: Document, variant: Variant) -> None:
    rows = variant.rows
    table = document.add_table(rows=3 + len(rows), cols=10)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _borders(table, variant.borders)
    _widths(table, variant.widths)
    grid = table.rows
    corner = grid[0].cells[0].merge(grid[2].cells[2])
    _write(corner, CORNER, center=False)
    _write(grid[0].cells[3].merge(grid[0].cells[9]), "申请人情况")
    _write(grid[1].cells[3].merge(grid[2].cells[3]), "自然人")
    _write(grid[1].cells[4].merge(grid[1].cells[8]), "法人或其他组织")
    _write(grid[1].cells[9].merge(grid[2].cells[9]), "总计")
    for column, label in zip(
        range(4, 9), ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"), strict=True
    ):
        _write(grid[2].cells[column], label)
    if variant.repeat_header:
        _repeat_header(table, 3)

    def printed(label: str) -> str:
        return variant.labels.get(label, label)

    # label cells: merge each run of equal labels in a label column
    first_outcome = next(i for i, (n, _) in enumerate(rows) if n.startswith("3."))
    last_outcome = max(i for i, (n, _) in enumerate(rows) if n.startswith("3."))
    for index, (notation, labels) in enumerate(rows):
        row = grid[3 + index]
        if len(labels) == 1:
            _write(row.cells[0].merge(row.cells[2]), printed(labels[0]), center=False)
        elif len(labels) == 2:
            _write(row.cells[1].merge(row.cells[2]), printed(labels[1]), center=False)
        else:
            _write(row.cells[2], printed(labels[2]), center=False)
        for column, value in enumerate(variant.values[notation]):
            text = "" if variant.blank(notation, column, value) else str(value)
            _write(row.cells[3 + column], text)
    outcome = grid[3 + first_outcome].cells[0].merge(grid[3 + last_outcome].cells[0])
    label = "三、本年度办理结果"
    _write(outcome, "\n".join(label) if variant.vertical_outcome else label)
    start = None
    for index in range(len(rows) + 1):
        group = rows[index][1][1] if index < len(rows) and len(rows[index][1]) == 3 else None
        previous = rows[start][1][1] if start is not None else None
        if start is not None and group != previous:
            _write(grid[3 + start].cells[1].merge(grid[3 + index - 1].cells[1]), printed(previous), center=False)
            start = None
        if group is not None and start is None:
            start = index


def _table4(document: Document, variant: Variant) -> None:
    table = document.add_table(rows=4, cols=15)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _borders(table, variant.borders)
    _widths(table, [1.05] * 15)
    grid = table.rows
    _write(grid[0].cells[0].merge(grid[0].cells[4]), "行政复议")
    _write(grid[0].cells[5].merge(grid[0].cells[14]), "行政诉讼")
    _write(grid[1].cells[5].merge(grid[1].cells[9]), "未经复议直接起诉")
    _write(grid[1].cells[10].merge(grid[1].cells[14]), "复议后起诉")
    labels = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    for column, label in enumerate(labels):
        _write(grid[1].cells[column].merge(grid[2].cells[column]), label)
        _write(grid[2].cells[5 + column], label)
        _write(grid[2].cells[10 + column], label)
    for block, row in enumerate(variant.table4):
        for column, value in enumerate(row):
            _write(grid[3].cells[5 * block + column], str(value), size=10.5)


def build_docx(variant: Variant, path: Path) -> None:
    document = _document()
    for line in variant.title:
        _paragraph(document, line, size=16, center=True, bold=True)
    _paragraph(document, "一、总体情况", bold=True)
    for _ in range(variant.before):
        _paragraph(document, FILLER)
    _paragraph(document, "三、收到和处理政府信息公开申请情况", bold=True)
    _table3(document, variant)
    _paragraph(document, "四、政府信息公开行政复议、行政诉讼情况", bold=True)
    _table4(document, variant)
    _paragraph(document, "五、存在的主要问题及改进情况", bold=True)
    _paragraph(document, FILLER)
    document.save(str(path))


def expected_tsv(variant: Variant) -> str:
    lines = ["table\trow\tcolumn\tvalue\tblank"]
    for notation, _ in variant.rows:
        for column, value in enumerate(variant.values[notation]):
            flag = "blank" if variant.blank(notation, column, value) else ""
            lines.append(f"table3\t{notation}\t{COLUMNS[column]}\t{value}\t{flag}")
    for row, values in zip(T4_ROWS, variant.table4, strict=True):
        for column, value in zip(T4_COLUMNS, values, strict=True):
            lines.append(f"table4\t{row}\t{column}\t{value}\t")
    return "\n".join(lines) + "\n"


def _legal_zero(notation: str, column: int, value: int) -> bool:
    return column in LEGAL and value == 0


ROWS_2019 = ROWS_HEAD + ROWS_OTHER_2019 + ROWS_TAIL
ROWS_2021 = ROWS_HEAD + ROWS_OTHER_2021 + ROWS_TAIL
SEED = "data/seeds/000_c5b0e1e384a688a1.txt (六安市裕安区人民政府 2020, 2019 template)"
HUAIAN_SOURCE = "shared/reports/huaian_municipal_2024.pdf (淮安市人民政府 2024, 2021 template)"
PINGTAN_SOURCE = "shared/reports/pingtan_2023_page.txt (平潭综合实验区 2023, 2021 template)"

VARIANTS = [
    Variant(
        "a_blank_legal_2023",
        "表三 with the legal-person columns (商业企业…其他) printed BLANK wherever the value is 0",
        PINGTAN_SOURCE,
        ["平潭综合实验区2023年政府信息公开工作年度报告"],
        PINGTAN,
        PINGTAN_T4,
        ROWS_2021,
        blank=_legal_zero,
    ),
    Variant(
        "b_page_break_2019",
        "表三 broken across a page break, its three header rows repeated on the next page (Word's "
        "'repeat header row'), a '- N -' page-number footer on each page",
        SEED,
        ["六安市裕安区人民政府2020年政府信息公开工作年度报告"],
        SEED_000,
        SEED_000_T4,
        ROWS_2019,
        before=6,
        repeat_header=True,
    ),
    Variant(
        "c_wrapped_labels_2024",
        "narrow label columns: '4.无正当理由大量反复申请' wraps over 2-3 lines, and the merged "
        "'三、本年度办理结果' cell prints one character per line",
        HUAIAN_SOURCE,
        ["淮安市人民政府2024年政府信息公开工作年度报告"],
        HUAIAN,
        HUAIAN_T4,
        ROWS_2021,
        widths=[0.75, 1.5, 2.2] + [1.45] * 7,
        vertical_outcome=True,
    ),
    Variant(
        "d_one_row_other_2024",
        "2021-template 表三 that prints （六）其他处理 as ONE row (the sum of its three sub-rows)",
        HUAIAN_SOURCE,
        ["淮安市人民政府2024年政府信息公开工作年度报告"],
        one_row_other(HUAIAN),
        HUAIAN_T4,
        ROWS_HEAD + ROWS_OTHER_2019 + ROWS_TAIL,
    ),
    Variant(
        "e_label_typos_2019",
        "row labels with typos / characters missing: '4.无正当理由大量反复申', '2.其他法律法规禁止公开', '（三）不于公开'",
        SEED,
        ["六安市裕安区人民政府2020年政府信息公开工作年度报告"],
        SEED_000,
        SEED_000_T4,
        ROWS_2019,
        labels={
            "4.无正当理由大量反复申请": "4.无正当理由大量反复申",
            "2.其他法律行政法规禁止公开": "2.其他法律法规禁止公开",
            "（三）不予公开": "（三）不于公开",
        },
    ),
    Variant(
        "f_horizontal_rules_2024",
        "tables with horizontal rules only (no vertical rule at all), legal-person zeros printed blank",
        HUAIAN_SOURCE,
        ["淮安市人民政府2024年政府信息公开工作年度报告"],
        HUAIAN,
        HUAIAN_T4,
        ROWS_2021,
        blank=_legal_zero,
        borders="horizontal",
    ),
    Variant(
        "f_no_outer_border_2019",
        "tables with inner rules only (no outer border), legal-person zeros printed blank",
        SEED,
        ["六安市裕安区人民政府2020年政府信息公开工作年度报告"],
        SEED_000,
        SEED_000_T4,
        ROWS_2019,
        blank=_legal_zero,
        borders="inner",
    ),
    Variant(
        "g_two_line_title_2024",
        "the title printed over two lines ('淮安市人民政府' / '2024 年政府信息公开工作年度报告')",
        HUAIAN_SOURCE,
        ["淮安市人民政府", "2024 年政府信息公开工作年度报告"],
        HUAIAN,
        HUAIAN_T4,
        ROWS_2021,
    ),
]


def to_pdf(docx: Path, out: Path) -> Path:
    profile = Path(tempfile.gettempdir()) / f"lo-profile-{os.getpid()}"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(out), str(docx)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return out / (docx.stem + ".pdf")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--only", action="append", help="variant name (repeatable)")
    args = parser.parse_args(argv)
    if shutil.which("soffice") is None:
        sys.stderr.write(
            "soffice (LibreOffice) is not installed: run tools/make_fixtures.sh or apt-get install libreoffice-writer-nogui"
            + "\n"
        )
        return 2
    for values, table4 in ((SEED_000, SEED_000_T4), (HUAIAN, HUAIAN_T4), (PINGTAN, PINGTAN_T4)):
        check(values, table4)
    args.out.mkdir(parents=True, exist_ok=True)
    for variant in VARIANTS:
        if args.only and variant.name not in args.only:
            continue
        docx = args.out / f"{variant.name}.docx"
        build_docx(variant, docx)
        to_pdf(docx, args.out)
        (args.out / f"{variant.name}.expected.tsv").write_text(expected_tsv(variant), encoding="utf-8")
        sys.stdout.write(f"{variant.name}: {variant.what}" + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
