"""Build the accuracy corpus: real reports' numbers rendered in the shapes real agencies and crawlers
publish (issue 17), each file with its truth. Not committed; rerun to regenerate.

    .venv/bin/python -m bench.accuracy_corpus [--out /tmp/gk-accuracy] [--no-pdf]

Numbers (real, never invented): the seeds' reviewed cells (tests/golden/seed-00N.cells.tsv), Huai'an
2024 (tests/golden/huaian-2024.cells.tsv), Pingtan 2023 (tests/fixtures/made/a_blank_legal_2023.expected.tsv)
and Hebei 教育厅 2021 (what the converter publishes today with no warning on the cell). Each variant
changes only the SHAPE (and, for the sentence variants, states an all-zero table in words; for the
one-row （六） variant, prints the sum of the three sub-rows, as agencies do).

Output (in ``--out``): ``files/<name>.<ext>``, ``truth/<name>.tsv`` (table, row, column, value: the
cells as the report means them, blank = 0), ``index.tsv`` (name, shape, numbers, title style, defects,
agency, year) and ``manifest.csv`` (a page title for the variants printed without one).
"""

from __future__ import annotations

import argparse
import csv
import html
import importlib.util
import random
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from converter.tables.layout import APPLICANT_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
MADE = ROOT / "tests" / "fixtures" / "made"
REPORTS = Path("/work/shared/reports")
OUT = Path("/tmp/gk-accuracy")

APPLICANTS = tuple(APPLICANT_COLUMNS)  # 自然人 … 其他, 总计: the template's order
T4_ROWS = ("review", "litigation-direct", "litigation-after-review")
T4_COLUMNS = ("upheld", "corrected", "other", "pending", "total")
CORNER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
OUTCOME = "三、本年度办理结果"

ROWS_HEAD = [
    ("1", ["一、本年新收政府信息公开申请数量"]),
    ("2", ["二、上年结转政府信息公开申请数量"]),
    ("3.1", [OUTCOME, "（一）予以公开"]),
    ("3.2", [OUTCOME, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"]),
    ("3.3.1", [OUTCOME, "（三）不予公开", "1.属于国家秘密"]),
    ("3.3.2", [OUTCOME, "（三）不予公开", "2.其他法律行政法规禁止公开"]),
    ("3.3.3", [OUTCOME, "（三）不予公开", "3.危及“三安全一稳定”"]),
    ("3.3.4", [OUTCOME, "（三）不予公开", "4.保护第三方合法权益"]),
    ("3.3.5", [OUTCOME, "（三）不予公开", "5.属于三类内部事务信息"]),
    ("3.3.6", [OUTCOME, "（三）不予公开", "6.属于四类过程性信息"]),
    ("3.3.7", [OUTCOME, "（三）不予公开", "7.属于行政执法案卷"]),
    ("3.3.8", [OUTCOME, "（三）不予公开", "8.属于行政查询事项"]),
    ("3.4.1", [OUTCOME, "（四）无法提供", "1.本机关不掌握相关政府信息"]),
    ("3.4.2", [OUTCOME, "（四）无法提供", "2.没有现成信息需要另行制作"]),
    ("3.4.3", [OUTCOME, "（四）无法提供", "3.补正后申请内容仍不明确"]),
    ("3.5.1", [OUTCOME, "（五）不予处理", "1.信访举报投诉类申请"]),
    ("3.5.2", [OUTCOME, "（五）不予处理", "2.重复申请"]),
    ("3.5.3", [OUTCOME, "（五）不予处理", "3.要求提供公开出版物"]),
    ("3.5.4", [OUTCOME, "（五）不予处理", "4.无正当理由大量反复申请"]),
    ("3.5.5", [OUTCOME, "（五）不予处理", "5.要求行政机关确认或重新出具已获取信息"]),
]
ROWS_OTHER_2019 = [("3.6", [OUTCOME, "（六）其他处理"])]
ROWS_OTHER_2021 = [
    ("3.6.1", [OUTCOME, "（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"]),
    ("3.6.2", [OUTCOME, "（六）其他处理", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"]),
    ("3.6.3", [OUTCOME, "（六）其他处理", "3.其他"]),
]
ROWS_TAIL = [("3.7", [OUTCOME, "（七）总计"]), ("4", ["四、结转下年度继续办理"])]

# 表二: (provision, provision label, header labels, [(item, item label)], [column notations])
T2_2019 = [
    (
        "20-1",
        "第二十条第（一）项",
        ["本年新制作数量", "本年新公开数量", "对外公开总数量"],
        [("regulation", "规章"), ("normative-document", "规范性文件")],
        ["new-made", "new-published", "total-published"],
    ),
    (
        "20-5",
        "第二十条第（五）项",
        ["上一年项目数量", "本年增/减", "处理决定数量"],
        [("administrative-license", "行政许可"), ("other-management-service", "其他对外管理服务事项")],
        ["previous-year-items", "change", "decisions"],
    ),
    (
        "20-6",
        "第二十条第（六）项",
        ["上一年项目数量", "本年增/减", "处理决定数量"],
        [("administrative-penalty", "行政处罚"), ("administrative-coercion", "行政强制")],
        ["previous-year-items", "change", "decisions"],
    ),
    (
        "20-8",
        "第二十条第（八）项",
        ["上一年项目数量", "本年增/减"],
        [("administrative-fee", "行政事业性收费")],
        ["previous-year-items", "change"],
    ),
    (
        "20-9",
        "第二十条第（九）项",
        ["采购项目数量", "采购总金额"],
        [("centralized-procurement", "政府集中采购")],
        ["procurement-projects", "procurement-amount"],
    ),
]
T2_2021 = [
    (
        "20-1",
        "第二十条第（一）项",
        ["本年制发件数", "本年废止件数", "现行有效件数"],
        [("regulation", "规章"), ("administrative-normative-document", "行政规范性文件")],
        ["issued", "repealed", "in-force"],
    ),
    (
        "20-5",
        "第二十条第（五）项",
        ["本年处理决定数量"],
        [("administrative-license", "行政许可")],
        ["decisions-this-year"],
    ),
    (
        "20-6",
        "第二十条第（六）项",
        ["本年处理决定数量"],
        [("administrative-penalty", "行政处罚"), ("administrative-coercion", "行政强制")],
        ["decisions-this-year"],
    ),
    (
        "20-8",
        "第二十条第（八）项",
        ["本年收费金额（单位：万元）"],
        [("administrative-fee", "行政事业性收费")],
        ["fee-amount"],
    ),
]

Key = tuple[str, str, str]  # (table, row, column) as in tests/golden/*.cells.tsv


# ----------------------------------------------------------------------------------------------
# The real numbers


@dataclass
class Numbers:
    key: str
    agency: str
    year: int
    gen: str  # "2019" | "2021"
    cells: dict[Key, Decimal]
    source: str

    def t3(self, notation: str) -> list[int]:
        return [int(self.cells.get(("table3", notation, c), 0)) for c in APPLICANTS]


def _read_tsv(path: Path) -> dict[Key, Decimal]:
    out: dict[Key, Decimal] = {}
    with path.open(encoding="utf-8") as handle:
        for record in csv.DictReader(handle, delimiter="\t"):
            if record["table"] in ("table2", "table3", "table4"):
                out[(record["table"], record["row"], record["column"])] = Decimal(record["value"])
    return out


def _hebei() -> dict[Key, Decimal]:
    """What the converter publishes today for hebei_jyt_2021.txt, only the cells no warning targets."""
    from converter.errors import Severity
    from converter.options import ConvertOptions, read_manifest
    from converter.pipeline import convert_file

    options = ConvertOptions(manifest=read_manifest(REPORTS / "hebei_manifest.csv"))
    report = convert_file(REPORTS / "hebei_jyt_2021.txt", options)
    flagged = {i.target for i in report.issues if i.target and i.severity is not Severity.INFO}
    out: dict[Key, Decimal] = {}
    for cell in report.cells:
        notations = [n for _, n in cell.codes]
        if (cell.table, *notations) in flagged:
            continue
        out[(cell.table, "/".join(notations[:-1]), notations[-1])] = cell.value
    # 表三 row 二 prints its 总计 blank and its six applicant cells 0 (shared/reports/README.md): all 0,
    # whether or not the converter of the day flags it
    for column in APPLICANTS:
        out[("table3", "2", column)] = Decimal(0)
    t3 = [("table3", n, c) for n, _ in _t3_rows("2021") for c in APPLICANTS]
    t4 = [("table4", r, c) for r in T4_ROWS for c in T4_COLUMNS]
    lost = [k for k in t3 + t4 if k not in out]
    if lost:
        raise ValueError(f"{len(lost)} 表三/表四 cells flagged by the converter, e.g. {lost[0]}")
    return out


def number_sets() -> list[Numbers]:
    sets = [
        Numbers(
            "seed000", "六安市裕安区人民政府", 2020, "2019", _read_tsv(GOLDEN / "seed-000.cells.tsv"), "data/seeds/000"
        ),
        Numbers(
            "seed001", "偃师市人民政府办公室", 2020, "2019", _read_tsv(GOLDEN / "seed-001.cells.tsv"), "data/seeds/001"
        ),
        Numbers("seed003", "相山经济开发区", 2020, "2019", _read_tsv(GOLDEN / "seed-003.cells.tsv"), "data/seeds/003"),
        Numbers(
            "seed004", "三明市梅列区人民政府", 2020, "2019", _read_tsv(GOLDEN / "seed-004.cells.tsv"), "data/seeds/004"
        ),
        Numbers(
            "huaian",
            "淮安市人民政府",
            2024,
            "2021",
            _read_tsv(GOLDEN / "huaian-2024.cells.tsv"),
            "huaian_municipal_2024.pdf",
        ),
        Numbers(
            "pingtan",
            "平潭综合实验区",
            2023,
            "2021",
            _read_tsv(MADE / "a_blank_legal_2023.expected.tsv"),
            "pingtan_2023_page.txt",
        ),
    ]
    try:
        sets.append(Numbers("hebei", "河北省教育厅", 2021, "2021", _hebei(), "hebei_jyt_2021.txt"))
    except Exception as exc:  # noqa: BLE001  the converter is being edited in parallel: a broken import must not stop the corpus
        sys.stderr.write(f"hebei_jyt_2021.txt left out: {exc}\n")
    for numbers in sets:
        _check(numbers)
    return sets


def _check(numbers: Numbers) -> None:
    rows = _t3_rows(numbers.gen)
    for notation, _ in rows:
        values = numbers.t3(notation)
        assert sum(values[:6]) == values[6], f"{numbers.key} row {notation}: {values}"
    for row in T4_ROWS:
        values = [numbers.cells.get(("table4", row, c), Decimal(0)) for c in T4_COLUMNS]
        assert sum(values[:4]) == values[4], f"{numbers.key} 表四 {row}"


def _t3_rows(gen: str, one_row_other: bool = False) -> list[tuple[str, list[str]]]:
    other = ROWS_OTHER_2019 if gen == "2019" or one_row_other else ROWS_OTHER_2021
    return ROWS_HEAD + other + ROWS_TAIL


# ----------------------------------------------------------------------------------------------
# A variant: numbers + shape + title + defects → a file and its truth


@dataclass
class Variant:
    name: str
    shape: str  # tab | lines | run | md | html | docx | pdf
    numbers: Numbers
    title: str = "one"  # one | two | about | none | dept | town
    defects: tuple[str, ...] = ()
    agency: str = ""
    borders: str = "grid"  # docx/pdf: grid | horizontal | inner
    zero_mark: str = "-"
    seed: int = 0

    def has(self, defect: str) -> bool:
        return defect in self.defects


def truth(variant: Variant) -> dict[Key, Decimal]:
    """The cells as the report means them (blank = 0)."""
    numbers = variant.numbers
    cells = dict(numbers.cells)
    # a 表三 replaced by a sentence prints no row at all: its rows are the template's (one-row-other is moot)
    if variant.has("one-row-other") and numbers.gen == "2021" and not variant.has("no-requests"):
        for column in APPLICANTS:
            cells[("table3", "3.6", column)] = sum(
                (cells.pop(("table3", f"3.6.{i}", column), Decimal(0)) for i in (1, 2, 3)), Decimal(0)
            )
    if variant.has("no-requests"):
        cells = {k: (Decimal(0) if k[0] == "table3" else v) for k, v in cells.items()}
    if variant.has("no-appeals"):
        cells = {k: (Decimal(0) if k[0] == "table4" else v) for k, v in cells.items()}
    return cells


@dataclass
class C:
    """One printed table cell (HTML sense: only the cell where a merge starts)."""

    text: str
    colspan: int = 1
    rowspan: int = 1
    label: bool = False


Grid = list[list[C]]

TYPOS = {
    "4.无正当理由大量反复申请": "4.无正当理由大量反复申",
    "2.其他法律行政法规禁止公开": "2.其他法律法规禁止公开",
    "（三）不予公开": "（三）不于公开",
    "3.危及“三安全一稳定”": "3.危及三安全一稳定",
    "1.本机关不掌握相关政府信息": "1.本机关不掌握相关信息",
    "二、上年结转政府信息公开申请数量": "二、上年结转政府信息公开申请数",
    "5.属于三类内部事务信息": "5.属于三类内部事物信息",
}
FULLWIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")


def _fmt(variant: Variant, value: Decimal | int, *, column: int | None = None, row_zero: bool = False) -> str:
    """A number as this variant prints it."""
    value = Decimal(value)
    if value == 0:
        if column is not None and variant.has("blank-legal") and 1 <= column <= 5:
            return ""
        if column == 6 and row_zero and variant.has("blank-total-zero-row"):
            return ""
        if variant.has("zero-dash"):
            return variant.zero_mark
    text = format(value.normalize(), "f") if value != value.to_integral() else str(int(value))
    return text.translate(FULLWIDTH) if variant.has("fullwidth") else text


def table2_grid(variant: Variant) -> Grid:
    """表二 on a 4-column grid (label + 3): a block with one column spans the three; a block with two
    has a blank third cell (as the template's Word table, odd seeds) or a wide second cell (even seeds)."""
    numbers = variant.numbers
    blocks = T2_2019 if numbers.gen == "2019" else T2_2021
    blank_third = variant.seed % 2 == 1

    def spans(n: int) -> list[int]:
        return {1: [3], 2: [1, 1] if blank_third else [1, 2], 3: [1, 1, 1]}[n]

    grid: Grid = []
    for provision, label, headers, items, columns in blocks:
        grid.append([C(label, colspan=4, label=True)])
        tail = [C("", label=True)] if len(headers) == 2 and blank_third else []
        grid.append(
            [C("信息内容", label=True)]
            + [C(h, colspan=w, label=True) for h, w in zip(headers, spans(len(headers)), strict=True)]
            + tail
        )
        for item, item_label in items:
            row = [C(item_label, label=True)]
            for column, width in zip(columns, spans(len(columns)), strict=True):
                value = numbers.cells.get(("table2", f"{provision}/{item}", column), Decimal(0))
                row.append(C(_fmt(variant, value), colspan=width))
            if len(columns) == 2 and blank_third:
                row.append(C(""))
            grid.append(row)
    return grid


def table3_header() -> Grid:
    return [
        [C(CORNER, colspan=3, rowspan=3, label=True), C("申请人情况", colspan=7, label=True)],
        [
            C("自然人", rowspan=2, label=True),
            C("法人或其他组织", colspan=5, label=True),
            C("总计", rowspan=2, label=True),
        ],
        [C(t, label=True) for t in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")],
    ]


def table3_grid(variant: Variant) -> Grid:
    """The template's 10-column 表三 with its merges; defects that live inside the table applied."""
    numbers = variant.numbers
    one_row = variant.has("one-row-other") and numbers.gen == "2021"
    rows = _t3_rows(numbers.gen, one_row)
    values = truth(variant)
    grid = table3_header()
    first = next(i for i, (n, _) in enumerate(rows) if n.startswith("3."))
    last = max(i for i, (n, _) in enumerate(rows) if n.startswith("3."))
    groups: dict[int, int] = {}  # row index where a （三）… group starts → its length
    for index, (_, labels) in enumerate(rows):
        if len(labels) == 3 and (index == 0 or rows[index - 1][1][1:2] != labels[1:2]):
            groups[index] = sum(1 for _, other in rows[index:] if other[1:2] == labels[1:2] and len(other) == 3)
    printed = (lambda s: TYPOS.get(s, s)) if variant.has("typo") else (lambda s: s)
    for index, (notation, labels) in enumerate(rows):
        row: list[C] = []
        if len(labels) == 1:
            row.append(C(printed(labels[0]), colspan=3, label=True))
        else:
            if index == first:
                row.append(C(OUTCOME, rowspan=last - first + 1, label=True))
            if len(labels) == 2:
                row.append(C(printed(labels[1]), colspan=2, label=True))
            else:
                if index in groups:
                    row.append(C(printed(labels[1]), rowspan=groups[index], label=True))
                row.append(C(printed(labels[2]), label=True))
        numbers_row = [values.get(("table3", notation, c), Decimal(0)) for c in APPLICANTS]
        zero = not any(numbers_row)
        row += [C(_fmt(variant, v, column=i, row_zero=zero)) for i, v in enumerate(numbers_row)]
        grid.append(row)
    return grid


def table4_grids(variant: Variant) -> list[Grid]:
    values = truth(variant)
    labels = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")

    def numbers(row: str) -> list[C]:
        return [C(_fmt(variant, values.get(("table4", row, c), Decimal(0)))) for c in T4_COLUMNS]

    if variant.has("t4-split"):  # 复议 | 诉讼 printed as two tables one above the other
        review = [[C("行政复议", colspan=5, label=True)], [C(t, label=True) for t in labels], numbers("review")]
        lawsuit = [
            [C("行政诉讼", colspan=10, label=True)],
            [C("未经复议直接起诉", colspan=5, label=True), C("复议后起诉", colspan=5, label=True)],
            [C(t, label=True) for t in labels * 2],
            numbers("litigation-direct") + numbers("litigation-after-review"),
        ]
        return [review, lawsuit]
    grid: Grid = [
        [C("行政复议", colspan=5, label=True), C("行政诉讼", colspan=10, label=True)],
        [C(t, rowspan=2, label=True) for t in labels]
        + [C("未经复议直接起诉", colspan=5, label=True), C("复议后起诉", colspan=5, label=True)],
        [C(t, label=True) for t in labels * 2],
        numbers("review") + numbers("litigation-direct") + numbers("litigation-after-review"),
    ]
    return [grid]


def positional(grid: Grid) -> list[list[str]]:
    """Each row as a full-width list: covered cells are "" (what copying a Word table gives)."""
    width = max(sum(c.colspan for c in row) for row in grid)
    taken: dict[tuple[int, int], bool] = {}
    out: list[list[str]] = []
    for r, row in enumerate(grid):
        line = [""] * width
        col = 0
        for cell in row:
            while taken.get((r, col)):
                col += 1
            line[col] = cell.text
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken[(r + dr, col + dc)] = True
            col += cell.colspan
        out.append(line)
    return out


# ----------------------------------------------------------------------------------------------
# The words around the tables

NAV = [
    "首页 > 政务公开 > 政府信息公开 > 政府信息公开年报",
    "您当前的位置：首页 > 信息公开 > 年度报告",
]
FOOTER = [
    "主办单位：{agency}  承办：{agency}办公室",
    "网站标识码：3401000001  备案号：皖ICP备05001234号",
    "【打印本页】 【关闭窗口】",
]
FILLER = (
    "本年度，我单位认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，"
    "持续深化政务公开，进一步规范依申请公开办理流程，严格按照法定时限答复申请人。"
)
DEPTS = ["合肥市教育局", "南通市卫生健康委员会", "杭州市西湖区民政局", "绍兴市生态环境局", "宁德市交通运输局"]
TOWNS = ["昆山市周市镇人民政府", "宁海县西店镇人民政府", "江阴市徐霞客镇人民政府", "浏阳市大围山镇人民政府"]


def title_lines(variant: Variant) -> list[str]:
    agency, year = variant.agency, variant.numbers.year
    return {
        "one": [f"{agency}{year}年政府信息公开工作年度报告"],
        "two": [agency, f"{year}年政府信息公开工作年度报告"],
        "about": [f"关于{agency}{year}年度政府信息公开工作年度报告"]
        if variant.seed % 2
        else [f"{agency}关于{year}年度政府信息公开工作的年度报告"],
        "none": [],
        "dept": [f"{agency}{year}年政府信息公开工作年度报告"],
        "town": [f"{agency}{year}年度政府信息公开工作年度报告"],
    }[variant.title]


def page_title(variant: Variant) -> str:
    return f"{variant.agency}{variant.numbers.year}年政府信息公开工作年度报告"


def intro(variant: Variant) -> str:
    year = variant.numbers.year
    return (
        f"本报告根据《中华人民共和国政府信息公开条例》要求编制，所列数据的统计期限自{year}年1月1日起至"
        f"{year}年12月31日止。"
    )


SENTENCE3 = "本年度，我单位未收到政府信息公开申请，无上年结转及结转下年度的政府信息公开申请。"
SENTENCE4 = "本年度未发生因政府信息公开申请提起的行政复议、行政诉讼案件。"


@dataclass
class Doc:
    """The report as a sequence of blocks: ("p", text) paragraphs, ("h", text) headings, ("t", grid, name)."""

    blocks: list[tuple] = field(default_factory=list)


def document(variant: Variant) -> Doc:
    doc = Doc()
    for line in title_lines(variant):
        doc.blocks.append(("title", line))
    doc.blocks.append(("p", intro(variant)))
    doc.blocks.append(("h", "一、总体情况"))
    doc.blocks.append(("p", FILLER))
    if variant.has("page-break"):
        doc.blocks += [("p", FILLER)] * 7
    if any(k[0] == "table2" for k in variant.numbers.cells):
        doc.blocks.append(("h", "二、主动公开政府信息情况"))
        doc.blocks.append(("t", table2_grid(variant), "table2"))
    doc.blocks.append(("h", "三、收到和处理政府信息公开申请情况"))
    if variant.has("no-requests"):
        doc.blocks.append(("p", SENTENCE3))
    else:
        doc.blocks.append(("t", table3_grid(variant), "table3"))
    doc.blocks.append(("h", "四、政府信息公开行政复议、行政诉讼情况"))
    if variant.has("no-appeals"):
        doc.blocks.append(("p", SENTENCE4))
    else:
        for grid in table4_grids(variant):
            doc.blocks.append(("t", grid, "table4"))
    doc.blocks.append(("h", "五、存在的主要问题及改进情况"))
    doc.blocks.append(("p", FILLER))
    doc.blocks.append(("h", "六、其他需要报告的事项"))
    doc.blocks.append(("p", "本年度无收取信息处理费情况。"))
    return doc


# ----------------------------------------------------------------------------------------------
# Text shapes


def _text_rows(variant: Variant, grid: Grid, name: str, rng: random.Random) -> list[list[str]]:
    """Rows of cell texts for a text shape, with the in-table defects of crawled text."""
    rows = [[c.text for c in row] for row in grid] if variant.shape in ("lines", "run") else positional(grid)
    if name != "table3":
        return rows
    body = 3
    if variant.has("wrap"):  # label wrapped over two lines, the numbers between its halves
        for index in range(body, len(rows)):
            row = rows[index]
            for j, text in enumerate(row):
                if len(text) >= 12 and text not in (OUTCOME,) and not text.startswith("（本列"):
                    cut = len(text) // 2 + 1
                    if variant.shape in ("lines", "run"):  # half, the numbers, the other half
                        row[j] = text[:cut]
                        rows.insert(index + 1, [text[cut:]])
                    else:  # a line with the first half, a line with the numbers, a line with the rest
                        top, bottom = [""] * len(row), [""] * len(row)
                        top[j], bottom[j] = text[:cut], text[cut:]
                        row[j] = ""
                        rows.insert(index, top)
                        rows.insert(index + 2, bottom)
                    break
            else:
                continue
            if rng.random() < 0.5:
                break
    if variant.has("repeat-header"):
        at = body + (len(rows) - body) // 2
        rows[at:at] = [list(r) for r in rows[:3]]
    if variant.has("pagenum"):
        at = body + (len(rows) - body) * 2 // 3
        mark = rng.choice(["- 5 -", "5", "第5页", "— 3 —"])
        rows[at:at] = [[mark]]
    return rows


def render_text(variant: Variant, rng: random.Random) -> str:
    doc = document(variant)
    out: list[str] = []
    if variant.has("crawler"):
        out += [
            f"标题: {page_title(variant)}",
            f"发布时间: {variant.numbers.year + 1}-01-2{rng.randint(0, 9)} 09:3{rng.randint(0, 9)}",
            f"来源: {variant.agency}",
            "==================== 正文 ====================",
        ]
    if variant.has("nav"):
        out.append(rng.choice(NAV))
    for block in doc.blocks:
        kind = block[0]
        if kind in ("title", "p", "h"):
            out.append(block[1])
            if variant.shape == "lines":
                out.append("")
            continue
        grid, name = block[1], block[2]
        rows = _text_rows(variant, grid, name, rng)
        if variant.shape == "tab":
            out += ["\t".join(r) for r in rows]
        elif variant.shape == "lines":
            for r in rows:
                for text in r:
                    if text:
                        out += [text, ""]
                out.append("")
        elif variant.shape == "run":
            out.append("".join("".join(r) for r in rows))
        elif variant.shape == "md":
            width = max(len(r) for r in rows)
            padded = [r + [""] * (width - len(r)) for r in rows]
            out.append("| " + " | ".join(padded[0]) + " |")
            out.append("|" + "---|" * width)
            out += ["| " + " | ".join(r) + " |" for r in padded[1:]]
            out.append("")
    if variant.has("nav"):
        out += [f.format(agency=variant.agency) for f in FOOTER]
    text = "\n".join(out) + "\n"
    if variant.shape == "run":  # a crawled page: the body run together into few lines
        body_start = 4 if variant.has("crawler") else 0
        head, body = out[:body_start], out[body_start:]
        lead = 1 + variant.has("nav") + len(title_lines(variant))  # nav and title: a space after each, as crawled
        text = "\n".join([*head, " ".join(body[:lead]) + "".join(body[lead:])]) + "\n"
    return text


# ----------------------------------------------------------------------------------------------
# HTML (Word "save as HTML", inside a site's layout table)


def _td(cell: C, variant: Variant) -> str:
    attrs = ""
    if cell.colspan > 1:
        attrs += f" colspan={cell.colspan}"
    if cell.rowspan > 1:
        attrs += f" rowspan={cell.rowspan}"
    text = html.escape(cell.text) if cell.text else "&nbsp;"
    align = "left" if cell.label else "center"
    return (
        f"<td{attrs} valign=center style='border:solid windowtext 1.0pt;padding:0cm 5.4pt 0cm 5.4pt'>"
        f"<p class=MsoNormal align={align} style='text-align:{align}'><span style='font-size:10.5pt;"
        f"font-family:仿宋_GB2312'>{text}</span></p></td>"
    )


def render_html(variant: Variant, rng: random.Random) -> str:
    doc = document(variant)
    title = page_title(variant)
    parts = [
        "<html><head><meta http-equiv=Content-Type content='text/html; charset=utf-8'>",
        f"<title>{html.escape(title)}_{html.escape(variant.agency)}</title></head><body>",
        "<table width=1000 align=center class=layout><tr><td class=nav>",
        f"<div class=crumb>{html.escape(rng.choice(NAV))}</div></td></tr><tr><td class=content>",
    ]
    titles = [b[1] for b in doc.blocks if b[0] == "title"]
    if titles:
        parts.append("<h1>" + "<br>".join(html.escape(t) for t in titles) + "</h1>")
    parts.append(
        f"<div class=info>发布时间：{variant.numbers.year + 1}-01-25 来源：{html.escape(variant.agency)}</div>"
    )
    parts.append("<div class=WordSection1>")
    for block in doc.blocks:
        kind = block[0]
        if kind == "title":
            continue
        if kind in ("p", "h"):
            parts.append(f"<p class=MsoNormal style='text-indent:32.0pt'><span>{html.escape(block[1])}</span></p>")
            continue
        grid = block[1]
        parts.append(
            "<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse'>"
        )
        for row in grid:
            parts.append("<tr>" + "".join(_td(c, variant) for c in row) + "</tr>")
        parts.append("</table>")
    parts.append("</div></td></tr><tr><td class=footer>")
    parts += [f"<p>{html.escape(f.format(agency=variant.agency))}</p>" for f in FOOTER]
    parts.append("</td></tr></table></body></html>")
    return "\n".join(parts) + "\n"


# ----------------------------------------------------------------------------------------------
# DOCX (python-docx) and PDF (LibreOffice)


def _tools():
    spec = importlib.util.spec_from_file_location("make_pdf_fixtures", ROOT / "tools" / "make_pdf_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules["make_pdf_fixtures"] = module
    spec.loader.exec_module(module)
    return module


def render_docx(variant: Variant, path: Path, tools) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT

    doc = document(variant)
    word = tools._document()
    for block in doc.blocks:
        kind = block[0]
        if kind == "title":
            tools._paragraph(word, block[1], size=16, center=True, bold=True)
        elif kind == "h":
            tools._paragraph(word, block[1], bold=True)
        elif kind == "p":
            tools._paragraph(word, block[1])
        else:
            grid, name = block[1], block[2]
            width = max(sum(c.colspan for c in row) for row in grid)
            table = word.add_table(rows=len(grid), cols=width)
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            tools._borders(table, variant.borders)
            if name == "table3":
                widths = [0.75, 1.5, 2.2] + [1.45] * 7 if variant.has("wrap") else [1.2, 2.2, 3.6] + [1.25] * 6 + [1.3]
            elif name == "table2":
                widths = [4.4, 3.6, 3.6, 3.6]
            else:
                widths = [15.6 / width] * width
            tools._widths(table, widths)
            if name == "table3" and variant.has("repeat-header"):
                tools._repeat_header(table, 3)
            taken: set[tuple[int, int]] = set()
            for r, row in enumerate(grid):
                col = 0
                for cell in row:
                    while (r, col) in taken:
                        col += 1
                    target = table.cell(r, col)
                    if cell.colspan > 1 or cell.rowspan > 1:
                        target = target.merge(table.cell(r + cell.rowspan - 1, col + cell.colspan - 1))
                    for dr in range(cell.rowspan):
                        for dc in range(cell.colspan):
                            taken.add((r + dr, col + dc))
                    text = cell.text
                    if cell.text == OUTCOME and variant.has("wrap"):
                        text = "\n".join(OUTCOME)
                    tools._write(target, text, center=not cell.label, size=9 if name != "table4" else 8)
                    col += cell.colspan
    word.save(str(path))


def to_pdf(docx_files: list[Path], outdir: Path) -> None:
    """All DOCX in one soffice call (~1 s a file)."""
    if not docx_files:
        return
    subprocess.run(
        [
            "soffice",
            "-env:UserInstallation=file:///tmp/lo-acc-profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            *map(str, docx_files),
        ],
        check=True,
        capture_output=True,
        timeout=1800,
    )


# ----------------------------------------------------------------------------------------------
# The plan: which variants


TEXT_DEFECTS = [
    "typo",
    "wrap",
    "pagenum",
    "repeat-header",
    "one-row-other",
    "no-requests",
    "no-appeals",
    "blank-total-zero-row",
    "t4-split",
    "fullwidth",
    "zero-dash",
]
HTML_DEFECTS = [
    "typo",
    "blank-legal",
    "one-row-other",
    "no-requests",
    "no-appeals",
    "blank-total-zero-row",
    "t4-split",
    "fullwidth",
    "zero-dash",
]
DOCX_DEFECTS = [
    "typo",
    "wrap",
    "blank-legal",
    "one-row-other",
    "no-requests",
    "no-appeals",
    "blank-total-zero-row",
    "t4-split",
    "repeat-header",
    "zero-dash",
]
TITLES = ["one", "two", "about", "none", "dept", "town"]


def plan(sets: list[Numbers], per_shape: int, rng: random.Random) -> list[Variant]:
    variants: list[Variant] = []
    shapes = {
        "tab": TEXT_DEFECTS,
        "lines": TEXT_DEFECTS,
        "run": TEXT_DEFECTS,
        "md": TEXT_DEFECTS,
        "html": HTML_DEFECTS,
        "docx": DOCX_DEFECTS,
        "pdf": [*DOCX_DEFECTS, "page-break"],
    }
    for shape, defects in shapes.items():
        for i in range(per_shape):
            numbers = sets[i % len(sets)]
            chosen: list[str] = []
            if i % 4:  # one clean variant in four; the others one or two defects, cycling so each is covered
                chosen.append(defects[i % len(defects)])
                if i % 3 == 0:
                    chosen.append(defects[(i * 7 + 3) % len(defects)])
            if shape in ("tab", "lines", "run", "md"):
                chosen += [d for d in ("crawler", "nav") if rng.random() < 0.5]
            if "one-row-other" in chosen and numbers.gen != "2021":
                numbers = next(s for s in sets if s.gen == "2021")
            if "no-requests" in chosen or "no-appeals" in chosen:  # small agencies state it in words
                numbers = rng.choice([s for s in sets if s.key in ("seed001", "seed003", "seed004", "pingtan")])
            title = TITLES[(i // len(sets)) % len(TITLES)] if shape != "lines" else TITLES[(i + 3) % len(TITLES)]
            agency = numbers.agency
            if title == "dept":
                agency = DEPTS[i % len(DEPTS)]
            elif title == "town":
                agency = TOWNS[i % len(TOWNS)]
            borders = ("grid", "horizontal", "inner")[i % 3] if shape == "pdf" else "grid"
            name = f"{shape}-{i:02d}-{numbers.key}-{title}" + ("-" + "-".join(sorted(set(chosen))) if chosen else "")
            variants.append(
                Variant(
                    name,
                    shape,
                    numbers,
                    title,
                    tuple(dict.fromkeys(chosen)),
                    agency,
                    borders,
                    zero_mark=("-", "—", "/")[i % 3],
                    seed=i,
                )
            )
    return variants


def write_truth(variant: Variant, path: Path) -> None:
    lines = ["table\trow\tcolumn\tvalue"]
    for (table, row, column), value in sorted(truth(variant).items()):
        lines.append(f"{table}\t{row}\t{column}\t{value}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--per-shape", type=int, default=30, help="variants per shape (7 shapes)")
    parser.add_argument("--no-pdf", action="store_true")
    args = parser.parse_args(argv)
    started = time.monotonic()
    rng = random.Random(17)
    sets = number_sets()
    if args.out.exists():
        shutil.rmtree(args.out)
    files, truths = args.out / "files", args.out / "truth"
    files.mkdir(parents=True)
    truths.mkdir()
    pdf_src = args.out / "pdf-src"
    pdf_src.mkdir()
    tools = _tools()
    variants = plan(sets, args.per_shape, rng)
    if args.no_pdf:
        variants = [v for v in variants if v.shape != "pdf"]
    manifest = [("file", "url", "agency", "year", "published", "title")]
    index = [("name", "file", "shape", "numbers", "title", "defects", "agency", "year", "borders")]
    pdf_docx: list[Path] = []
    for variant in variants:
        vrng = random.Random(variant.seed * 31 + len(variant.name))
        if variant.shape in ("tab", "lines", "run"):
            file = files / f"{variant.name}.txt"
            file.write_text(render_text(variant, vrng), encoding="utf-8")
        elif variant.shape == "md":
            file = files / f"{variant.name}.md"
            file.write_text(render_text(variant, vrng), encoding="utf-8")
        elif variant.shape == "html":
            file = files / f"{variant.name}.html"
            file.write_text(render_html(variant, vrng), encoding="utf-8")
        elif variant.shape == "docx":
            file = files / f"{variant.name}.docx"
            render_docx(variant, file, tools)
        else:
            source = pdf_src / f"{variant.name}.docx"
            render_docx(variant, source, tools)
            pdf_docx.append(source)
            file = files / f"{variant.name}.pdf"
        write_truth(variant, truths / f"{variant.name}.tsv")
        if variant.title == "none":
            manifest.append((file.name, "", "", "", "", page_title(variant)))
        index.append(
            (
                variant.name,
                file.name,
                variant.shape,
                variant.numbers.key,
                variant.title,
                ",".join(variant.defects),
                variant.agency,
                str(variant.numbers.year),
                variant.borders,
            )
        )
    if pdf_docx:
        to_pdf(pdf_docx, files)
    with (args.out / "manifest.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(manifest)
    with (args.out / "index.tsv").open("w", encoding="utf-8") as handle:
        handle.write("".join("\t".join(r) + "\n" for r in index))
    made = sum(1 for _ in files.iterdir())
    sys.stdout.write(f"{made} files in {files} ({len(variants)} variants) in {time.monotonic() - started:.0f} s\n")
    return 0 if made == len(variants) else 1


if __name__ == "__main__":
    sys.exit(main())
