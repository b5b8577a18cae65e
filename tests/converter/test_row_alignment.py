"""表三 rows placed by alignment, not by exact labels: typos, wrapped labels, page numbers inside the
table, a one-row （六）其他处理 in a 2021-format table, rows not printed. The numbers are those of the
real Huai'an 2024 report (../shared/reports/huaian_municipal_2024.pdf, 2021 template); the shapes are
the ones real reports print (issue 17)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from converter.checks import check_cells
from converter.model import SourceDoc
from converter.tables.align import similarity
from converter.tables.common import squash
from converter.tables.layout import APPLICANT_COLUMNS, Generation
from converter.tables.table3 import RowPlacement, read_table3
from converter.tokens import tokenize

HUAIAN = [  # (label as printed, 自然人 … 其他, 总计)
    ("一、本年新收政府信息公开申请数量", "1", (3001, 53, 0, 0, 61, 4, 3119)),
    ("二、上年结转政府信息公开申请数量", "2", (34, 0, 0, 0, 0, 0, 34)),
    ("三、本年度办理结果\t（一）予以公开", "3.1", (1288, 21, 0, 0, 50, 3, 1362)),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "3.2", (447, 7, 0, 0, 0, 0, 454)),
    ("（三）不予公开\t1.属于国家秘密", "3.3.1", (2, 0, 0, 0, 0, 0, 2)),
    ("2.其他法律行政法规禁止公开", "3.3.2", (30, 1, 0, 0, 0, 0, 31)),
    ("3.危及“三安全一稳定”", "3.3.3", (5, 0, 0, 0, 0, 0, 5)),
    ("4.保护第三方合法权益", "3.3.4", (6, 0, 0, 0, 0, 0, 6)),
    ("5.属于三类内部事务信息", "3.3.5", (7, 1, 0, 0, 0, 0, 8)),
    ("6.属于四类过程性信息", "3.3.6", (12, 0, 0, 0, 0, 0, 12)),
    ("7.属于行政执法案卷", "3.3.7", (9, 0, 0, 0, 0, 0, 9)),
    ("8.属于行政查询事项", "3.3.8", (105, 0, 0, 0, 0, 0, 105)),
    ("（四）无法提供\t1.本机关不掌握相关政府信息", "3.4.1", (746, 12, 0, 0, 10, 1, 769)),
    ("2.没有现成信息需要另行制作", "3.4.2", (11, 0, 0, 0, 0, 0, 11)),
    ("3.补正后申请内容仍不明确", "3.4.3", (1, 0, 0, 0, 0, 0, 1)),
    ("（五）不予处理\t1.信访举报投诉类申请", "3.5.1", (56, 6, 0, 0, 0, 0, 62)),
    ("2.重复申请", "3.5.2", (25, 0, 0, 0, 0, 0, 25)),
    ("3.要求提供公开出版物", "3.5.3", (0, 0, 0, 0, 0, 0, 0)),
    ("4.无正当理由大量反复申请", "3.5.4", (0, 0, 0, 0, 0, 0, 0)),
    ("5.要求行政机关确认或重新出具已获取信息", "3.5.5", (1, 0, 0, 0, 0, 0, 1)),
    (
        "（六）其他处理\t1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "3.6.1",
        (67, 3, 0, 0, 1, 0, 71),
    ),
    ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.6.2", (6, 0, 0, 0, 0, 0, 6)),
    ("3.其他", "3.6.3", (108, 2, 0, 0, 0, 0, 110)),
    ("（七）总计", "3.7", (2932, 53, 0, 0, 61, 4, 3050)),
    ("四、结转下年度继续办理", "4", (103, 0, 0, 0, 0, 0, 103)),
]
TRUTH = {(notation, APPLICANT_COLUMNS[i]): Decimal(v) for _, notation, row in HUAIAN for i, v in enumerate(row)}


def line(label: str, values: tuple[int, ...] | list[str]) -> str:
    return "\t".join([label, *(str(v) for v in values)])


def read(lines: list[str], generation: Generation = Generation.GEN2021):
    doc = SourceDoc(Path("t.txt"), "0" * 64, "text/plain", tuple(lines))
    trace: list[RowPlacement] = []
    cells, issues = read_table3(tokenize(doc), generation, trace)
    issues += check_cells(cells, generation)  # as the pipeline does
    return {(c.key[1], c.key[2]): c.value for c in cells}, issues, trace


def assert_no_wrong_number(values: dict, truth: dict = TRUTH) -> None:
    wrong = {k: (v, truth.get(k)) for k, v in values.items() if truth.get(k) != v}
    assert not wrong, f"published numbers that are not in the report: {wrong}"


def test_the_clean_table_reads_whole() -> None:
    values, issues, _ = read([line(label, row) for label, _, row in HUAIAN])
    assert values == TRUTH
    assert not [i for i in issues if i.severity != "info"]


def test_labels_with_typos_and_missing_characters_and_a_page_number_inside() -> None:
    rows = [line(label, row) for label, _, row in HUAIAN]
    rows[4] = line("（三）不于公开\t1.属于国家秘", HUAIAN[4][2])  # a typo and a lost character
    rows[18] = line("4.无正当理由大量反复申", HUAIAN[18][2])
    rows[13] = line("2.没有现成信息需另行制作", HUAIAN[13][2])
    rows.insert(12, "12")  # a page number printed inside the table (the page broke here)
    rows.insert(13, "申请人情况\t自然人\t法人或其他组织\t总计")  # the header repeated on the next page
    values, issues, _ = read(rows)
    assert values == TRUTH
    assert any(i.code == "not-read" and "'12'" in i.message for i in issues)  # said, not published


def test_a_row_not_printed_leaves_its_row_out_and_the_others_in_place() -> None:
    rows = [line(label, row) for label, _, row in HUAIAN]
    del rows[21]  # 3.6.2 not printed at all
    values, _issues, _ = read(rows)
    assert_no_wrong_number(values)
    assert not any(k[0] == "3.6.2" for k in values)
    assert {k for k in TRUTH if k[0] != "3.6.2"} == set(values)


def test_labels_wrapped_around_their_numbers() -> None:
    """A PDF's text lines: the label's first half, the numbers, then its second half, which then
    stands before the next row's label."""
    rows: list[str] = []
    for label, _, row in HUAIAN:
        label = label.split("\t")[-1]
        if len(label) > 10:
            rows += [label[:8], line("", row)[1:], label[8:]]
        else:
            rows.append(line(label, row))
    values, _issues, trace = read(rows)
    assert values == TRUTH
    placed = {t.notation for t in trace if t.notation}
    assert placed == {n for _, n, _ in HUAIAN}


def test_one_row_other_handling_in_a_2021_table_is_published_as_3_6() -> None:
    rows = [line(label, row) for label, _, row in HUAIAN]
    other = tuple(sum(HUAIAN[i][2][c] for i in (20, 21, 22)) for c in range(7))
    rows[20:23] = [line("（六）其他处理", other)]
    values, issues, _ = read(rows)
    truth = {k: v for k, v in TRUTH.items() if not k[0].startswith("3.6.")}
    truth |= {("3.6", APPLICANT_COLUMNS[i]): Decimal(v) for i, v in enumerate(other)}
    assert values == truth
    assert any(i.code == "subrows-not-printed" for i in issues)
    cells_issues = [i.code for i in check_cells_of(values)]
    assert "sum-mismatch" not in cells_issues  # the outcome rows with 3.6 add up to （七）


def check_cells_of(values: dict):
    from converter.model import Cell
    from converter.tables.layout import Measure

    cells = [
        Cell("table3", (("request", r), ("applicant", c)), Measure.COUNT, v, str(v), "", "")
        for (r, c), v in values.items()
    ]
    return check_cells(cells, Generation.GEN2021)


def test_blank_cells_are_zero_only_where_the_arithmetic_proves_it() -> None:
    blank = "(空白)"
    rows = []
    for label, _, row in HUAIAN:
        cells = [str(v) if (v or i in (0, 6)) else blank for i, v in enumerate(row)]
        rows.append(line(label, cells))
    # a blank 总计 whose row does not add up to 0 cannot be proven 0
    rows[1] = line(HUAIAN[1][0], ["34", blank, blank, blank, blank, blank, blank])
    values, issues, _ = read(rows)
    assert_no_wrong_number(values)
    assert ("2", "total") not in values
    assert values[("2", "commercial-enterprise")] == 0  # its column: 一 53 + 二 ? = （七）53 + 四 0
    zeros = [i for i in issues if i.code == "blank-read-as-zero"]
    assert zeros and all(i.severity == "info" for i in zeros)
    assert set(values) | {("2", "total")} == set(TRUTH)


def test_a_row_with_a_footer_number_caught_in_it_sheds_it_only_when_the_total_decides() -> None:
    rows = [line(label, row) for label, _, row in HUAIAN]
    rows[5] = rows[5] + "\t7"  # "30 1 0 0 0 0 31 7": the 7 cannot be a cell of this row
    values, _issues, _ = read(rows)
    assert values == TRUTH
    ambiguous = [line(label, row) for label, _, row in HUAIAN]
    ambiguous[17] = ambiguous[17] + "\t0"  # eight zeros: dropping any one gives the same row
    values, _, _ = read(ambiguous)
    assert values == TRUTH


@pytest.mark.parametrize(
    ("printed", "notation"),
    [
        ("4.无正当理由大量反复申", "3.5.4"),
        ("（三）不于公开 1.属于国家秘密", "3.3.1"),
        ("反复申请 5.要求行政机关确认或重新出具已获取信息", "3.5.5"),
        ("2.其他法律法规禁止公开", "3.3.2"),
        ("(七)总 计", "3.7"),
    ],
)
def test_similarity_names_the_row(printed: str, notation: str) -> None:
    from converter.tables.layout import REQUEST_ROWS

    label = squash(printed)
    best = max(REQUEST_ROWS[Generation.GEN2021], key=lambda n: similarity(label, n))
    assert best == notation


# ---------------------------------------------------------------------------------------------
# The property: whatever happens to the printed table, no wrong number is published silently.

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_TYPOS = st.sampled_from(["drop-char", "swap-char", "none", "none"])


@st.composite
def damaged_tables(draw):
    rows: list[str] = []
    for label, _, row in HUAIAN:
        if draw(st.integers(0, 30)) == 0:
            continue  # a row not printed
        label = label.split("\t")[-1]
        kind = draw(_TYPOS)
        if kind == "drop-char" and len(label) > 4:
            at = draw(st.integers(2, len(label) - 1))
            label = label[:at] + label[at + 1 :]
        elif kind == "swap-char" and len(label) > 4:
            at = draw(st.integers(2, len(label) - 1))
            label = label[:at] + "于" + label[at + 1 :]
        cells = [str(v) for v in row]
        for i in range(7):
            if cells[i] == "0" and draw(st.integers(0, 3)) == 0:
                cells[i] = "(空白)"
        # one defect of the extraction per row: a cell lost (a crawl) or a page number caught in it
        # (a PDF's page break); a row with both is indistinguishable from a row printed that way
        defect = draw(st.integers(0, 25))
        if defect == 0:
            del cells[draw(st.integers(0, 6))]
        elif defect == 1:
            cells.append(str(draw(st.integers(1, 40))))
        rows.append(line(label, cells))
        if draw(st.integers(0, 30)) == 0:
            rows.append(str(draw(st.integers(1, 40))))  # a page number on a line of its own
    return rows


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_tables())
def test_no_wrong_number_is_published_silently(rows: list[str]) -> None:
    values, issues, _ = read(rows)
    noted = {i.target[1:] for i in issues if i.target and i.severity != "info"}
    report_warnings = [i for i in issues if i.target is None and i.severity != "info"]
    for key, value in values.items():
        if TRUTH[key] != value:
            assert key in noted or report_warnings, f"{key}: published {value}, the report says {TRUTH[key]}"


def test_a_row_printed_all_blank_whose_last_blank_vanished_is_read_as_zeros() -> None:
    """A crawl prints "-" for 0 and drops the empty 总计: six dashes for seven cells."""
    rows = [line(label, row) for label, _, row in HUAIAN]
    rows[17] = line(HUAIAN[17][0], ["-"] * 6)  # 3.5.3, all 0 in the report
    values, issues, _ = read(rows)
    assert values == TRUTH
    assert {i.target for i in issues if i.code == "blank-read-as-zero"} == {
        ("table3", "3.5.3", c) for c in APPLICANT_COLUMNS
    }
