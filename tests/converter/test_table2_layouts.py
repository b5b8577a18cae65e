"""表二 as the extractors hand it over: a value printed in a cell merged across the columns of the
other rows (2021 template, cut by the PDF grid into "(空白) | 447228 | (空白)"), the 2019 template's
empty third cell of 20-8/20-9, and the 第二十条 heading rows that the grid fills with empty cells.

The lines are those the PDF grid gives for the Huai'an 2024 numbers (tests/fixtures/
huaian_municipal_2024.pdf) laid out in the Word template and saved as PDF by LibreOffice (the
accuracy corpus's PDF shape), and the Word grid for a 2019-template report in the seed 000 shape;
``B`` is the grids' mark for a cell printed empty.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from converter.detect import locate_tables
from converter.model import SourceDoc
from converter.numbers import BLANK_CELL
from converter.tables.layout import DISCLOSURE_ROWS, Generation
from converter.tables.table2 import read_table2
from converter.tokens import tokenize

B = BLANK_CELL
HUAIAN_2024 = [  # as the PDF grid reads it: the merged value cells cut along the rules of 第（一）项
    "二、主动公开政府信息情况",
    f"第二十条第（一）项\t{B}\t{B}\t{B}",
    "信息内容\t本年制发件数\t本年废止件数\t现行有效件数",
    "规章\t1\t0\t11",
    "行政规范性文件\t8\t26\t66",
    f"第二十条第（五）项\t{B}\t{B}\t{B}",
    "信息内容\t本年处理决定数量",
    f"行政许可\t{B}\t447228\t{B}",
    f"第二十条第（六）项\t{B}\t{B}\t{B}",
    "信息内容\t本年处理决定数量",
    f"行政处罚\t{B}\t3985758\t{B}",
    f"行政强制\t{B}\t88283\t{B}",
    f"第二十条第（八）项\t{B}\t{B}\t{B}",
    "信息内容\t本年收费金额（单位：万元）",
    f"行政事业性收费\t{B}\t96171.6\t{B}",
    "三、收到和处理政府信息公开申请情况",
]
SEED_2019 = [  # as the Word template prints it: 20-8 and 20-9 keep the table's empty third cell
    "第二十条第（一）项",
    "信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量",
    "规章\t0\t0\t0",
    "规范性文件\t79\t79\t257",
    "第二十条第（五）项",
    "信息内容\t上一年项目数量\t本年增/减\t处理决定数量",
    "行政许可\t193\t6\t9188",
    "其他对外管理服务事项\t1060\t-540\t32933",
    "第二十条第（六）项",
    "信息内容\t上一年项目数量\t本年增/减\t处理决定数量",
    "行政处罚\t3\t0\t2291",
    "行政强制\t0\t0\t45",
    "第二十条第（八）项",
    "信息内容\t上一年项目数量\t本年增/减",
    f"行政事业性收费\t11\t0\t{B}",
    "第二十条第（九）项",
    "信息内容\t采购项目数量\t采购总金额",
    f"政府集中采购\t1085\t28370 万元\t{B}",
    "三、收到和处理政府信息公开申请情况",
]


def read(lines: list[str], generation: Generation):
    doc = SourceDoc(path=Path("x.pdf"), sha256="0" * 64, media_type="application/pdf", lines=tuple(lines))
    tokens = tokenize(doc)
    region = locate_tables(tokens).table2
    assert region is not None
    cells, issues = read_table2(tokens[region[0] : region[1]], generation)
    return {c.key[1:]: c for c in cells}, issues


def test_value_in_a_merged_cell_cut_by_the_pdf_grid_is_read() -> None:
    cells, issues = read(HUAIAN_2024, Generation.GEN2021)
    assert {k: c.value for k, c in cells.items() if k[0] != "20-1"} == {
        ("20-5", "administrative-license", "decisions-this-year"): 447228,
        ("20-6", "administrative-penalty", "decisions-this-year"): 3985758,
        ("20-6", "administrative-coercion", "decisions-this-year"): 88283,
        ("20-8", "administrative-fee", "fee-amount"): Decimal("96171.6"),
    }
    assert cells[("20-8", "administrative-fee", "fee-amount")].unit == "wan-yuan"
    assert len(cells) == sum(len(row.columns) for row in DISCLOSURE_ROWS[Generation.GEN2021])
    # the 第二十条 heading rows, with the grid's empty cells, are headings, not rows left out
    assert [i.code for i in issues] == ["unit-from-header"]


def test_2019_template_empty_third_cell_of_20_8_and_20_9_is_dropped() -> None:
    cells, issues = read(SEED_2019, Generation.GEN2019)
    assert cells[("20-8", "administrative-fee", "previous-year-items")].value == 11
    assert cells[("20-8", "administrative-fee", "change")].value == 0
    assert cells[("20-9", "centralized-procurement", "procurement-projects")].value == 1085
    amount = cells[("20-9", "centralized-procurement", "procurement-amount")]
    assert (amount.value, amount.unit) == (28370, "wan-yuan")
    assert len(cells) == sum(len(row.columns) for row in DISCLOSURE_ROWS[Generation.GEN2019])
    assert not issues


def test_a_printed_cell_is_never_dropped_or_shifted() -> None:
    lines = list(SEED_2019)
    # a "-" is printed (a zero), not an empty cell: three printed cells for two columns stay ambiguous
    lines[lines.index(f"行政事业性收费\t11\t0\t{B}")] = "行政事业性收费\t11\t0\t-"
    # an empty cell between printed ones: which column "1085" belongs to is not known
    lines[lines.index(f"政府集中采购\t1085\t28370 万元\t{B}")] = f"政府集中采购\t1085\t{B}\t28370 万元\t12"
    cells, issues = read(lines, Generation.GEN2019)
    assert not [k for k in cells if k[0] in ("20-8", "20-9")]
    left_out = [i.message for i in issues if i.code == "cell-ambiguous"]
    assert len(left_out) == 2 and all("left out" in m for m in left_out)


def test_empty_cells_around_one_printed_zero_or_dash() -> None:
    lines = list(HUAIAN_2024)
    lines[lines.index(f"行政许可\t{B}\t447228\t{B}")] = f"行政许可\t{B}\t0\t{B}"
    lines[lines.index(f"行政强制\t{B}\t88283\t{B}")] = f"行政强制\t{B}\t-\t{B}"
    cells, issues = read(lines, Generation.GEN2021)
    assert cells[("20-5", "administrative-license", "decisions-this-year")].value == 0
    assert ("20-6", "administrative-coercion", "decisions-this-year") not in cells
    assert [i.source_text for i in issues if i.code == "blank-cell"] == ["-"]


def test_an_item_row_printed_all_empty_is_noted_not_taken_for_a_heading() -> None:
    lines = list(HUAIAN_2024)
    lines[lines.index(f"行政强制\t{B}\t88283\t{B}")] = f"行政强制\t{B}\t{B}\t{B}"
    cells, issues = read(lines, Generation.GEN2021)
    assert ("20-6", "administrative-coercion", "decisions-this-year") not in cells
    noted = [i for i in issues if i.code == "blank-cell"]
    assert [(i.source_text, "行政强制" in i.message) for i in noted] == [(B, True)]
