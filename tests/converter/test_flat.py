"""Reading report text whose table cells ran together (converter/flat.py).

The pingtan pages (tests/fixtures/pingtan, copied from shared/reports) print every table on one line
with no separator between cells. The key numbers below were worked out by hand from the page text;
the comment at each page says how.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from converter.errors import ISSUE_CODES, Issue
from converter.flat import (
    APPEAL_GROUPS,
    MAX_SPLITS,
    ROW_SUM,
    FlatText,
    _read_table4,
    _walk_cuts,
    joint_cuts,
    looks_flat,
    looks_flat_legacy,
    read_flat,
    read_flat_legacy,
    split_cells,
    split_dashed,
    split_run,
)
from converter.model import Cell
from converter.tables.layout import (
    APPEAL_CELLS,
    APPLICANT_COLUMNS,
    DISCLOSURE_ROWS,
    REQUEST_ROWS,
    Generation,
    Measure,
    concept,
)

PINGTAN = Path(__file__).parents[1] / "fixtures" / "pingtan"


def page(year: int) -> str:
    return (PINGTAN / f"pingtan_{year}_page.txt").read_text(encoding="utf-8")


def by_key(cells: list[Cell]) -> dict[tuple[str, ...], Decimal]:
    keys = [c.key for c in cells]
    assert len(keys) == len(set(keys)), "a cell was published twice"
    return {c.key: c.value for c in cells}


def t3(values: dict[tuple[str, ...], Decimal], row: str) -> list[int]:
    return [int(values[("table3", row, col)]) for col in APPLICANT_COLUMNS]


def t4(values: dict[tuple[str, ...], Decimal], proceeding: str) -> list[int]:
    return [int(values[("table4", proceeding, r)]) for p, r in APPEAL_CELLS if p == proceeding]


def codes(issues: list[Issue]) -> list[str]:
    return [i.code for i in issues]


# ---------------------------------------------------------------------------------------------
# The splitter on strings


def test_issue_codes_are_registered() -> None:
    assert "cells-run-together" in ISSUE_CODES
    assert "cell-ambiguous" in ISSUE_CODES


def test_split_unique_by_the_row_total() -> None:
    # templates.md §7: "本年新收…640020470" = 64|0|0|2|0|4|70
    assert split_run("640020470", 7, ROW_SUM) == [(64, 0, 0, 2, 0, 4, 70)]
    # one digit a cell needs no arithmetic
    assert split_run("0000000", 7) == [(0,) * 7]
    assert split_run("000", 3) == [(0, 0, 0)]


def test_split_ambiguous_without_equations() -> None:
    # "行政规范性文件693665" = 69/3/665 per templates.md, but nothing in the table says so
    cuts = split_run("693665", 3)
    assert cuts is not None
    assert (69, 3, 665) in cuts
    assert len(cuts) == 10  # C(5, 2): every cut is allowed, none has a leading zero
    # the row total alone leaves two cuts of "270020130" (pingtan 2021 row 三（一）)
    assert split_run("270020130", 7, ROW_SUM) == [(2, 7, 0, 0, 20, 1, 30), (27, 0, 0, 2, 0, 1, 30)]


def test_split_leading_zero_rule() -> None:
    assert split_run("105", 2) == [(10, 5)]  # not 1|05
    assert split_run("0012", 2) == []  # 0|012, 00|12 and 001|2 all have a leading zero
    assert split_run("1000001", 7, ROW_SUM) == [(1, 0, 0, 0, 0, 0, 1)]  # 10|0|0|0|0|0|1 breaks the total
    assert split_cells("05", [Measure.COUNT]) == []
    assert split_cells("0.5", [Measure.AMOUNT]) == [("0.5",)]


def test_split_table4_groups() -> None:
    # templates.md §7: 表四 "10203120001200000" = 1,0,2,0,3 | 12,0,0,0,12 | 0×5
    assert split_run("10203120001200000", 15, APPEAL_GROUPS) == [(1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0)]


def test_split_table2_measures() -> None:
    assert split_cells("350", [Measure.COUNT, Measure.CHANGE]) == [("3", "50"), ("35", "0")]
    assert split_cells("3-18", [Measure.COUNT, Measure.CHANGE]) == [("3", "-18")]
    cuts = split_cells("13575394432.52元", [Measure.COUNT, Measure.AMOUNT])
    assert cuts is not None and len(cuts) == 10 and ("135", "75394432.52元") in cuts
    assert split_cells("12元3", [Measure.AMOUNT, Measure.COUNT]) == []  # a unit only at the end


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789", min_size=1, max_size=24), st.booleans())
def test_block_split_equals_the_plain_search(run: str, table4: bool) -> None:
    # the fast path (total first, parts bounded by it) finds exactly the cuts of the plain search
    n, groups = (15, APPEAL_GROUPS) if table4 else (7, ROW_SUM)
    fast, plain = split_run(run, n, groups), _walk_cuts(run, n, groups, MAX_SPLITS) if run.isdigit() else []
    assert (sorted(fast) if fast is not None else None) == (sorted(plain) if plain is not None else None)


def test_split_gives_up_on_too_many_cuts() -> None:
    assert split_run("1" * 40, 7) is None  # C(39, 6) cuts: more than the limit
    assert split_run("1" * 100, 7, ROW_SUM) is None  # longer than any table row


def test_joint_cuts_use_the_column_equations() -> None:
    # pingtan 2021: 三（一） and 三（四）1 each have two cuts by their own total; the column sums decide
    rows = {notation: [(0,) * 7] for notation in REQUEST_ROWS[Generation.GEN2021]}
    rows["1"] = [(64, 0, 0, 2, 0, 4, 70)]
    rows["3.1"] = split_run("270020130", 7, ROW_SUM)
    rows["3.2"] = [(5, 0, 0, 0, 0, 0, 5)]
    rows["3.3.5"] = rows["3.3.8"] = rows["3.6.3"] = rows["4"] = [(1, 0, 0, 0, 0, 0, 1)]
    rows["3.3.7"] = [(6, 0, 0, 0, 0, 0, 6)]
    rows["3.4.1"] = split_run("220000325", 7, ROW_SUM)
    rows["3.7"] = [(63, 0, 0, 2, 0, 4, 69)]
    joint = joint_cuts(rows, Generation.GEN2021)
    assert joint is not None
    assert joint["3.1"] == [(27, 0, 0, 2, 0, 1, 30)]
    assert joint["3.4.1"] == [(22, 0, 0, 0, 0, 3, 25)]


# ---------------------------------------------------------------------------------------------
# Flattened text built from a table (the pingtan wording)

_T3_HEADER = (
    "三、收到和处理政府信息公开申请情况（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
)
_T3_GROUP = {
    "3.1": "三、本年度办理结果（一）",
    "3.2": "（二）",
    "3.3.1": "（三）不予公开",
    "3.4.1": "（四）无法提供",
    "3.5.1": "（五）不予处理",
    "3.6": "（六）",
    "3.6.1": "（六）其他处理",
    "3.7": "（七）",
}
_T4_HEADER = (
    "四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉"
    "复议后起诉结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计"
)
_T2_BLOCKS = {
    Generation.GEN2019: {
        "20-1": "第二十条第（一）项信息内容本年新制作数量本年新公开数量对外公开总数量",
        "20-5": "第二十条第（五）项信息内容上一年项目数量本年增/减处理决定数量",
        "20-6": "第二十条第（六）项信息内容上一年项目数量本年增/减处理决定数量",
        "20-8": "第二十条第（八）项信息内容上一年项目数量本年增/减",
        "20-9": "第二十条第（九）项信息内容采购项目数量采购总金额（单位：万元，保留4位小数）",
    },
    Generation.GEN2021: {
        "20-1": "第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数",
        "20-5": "第二十条第（五）项信息内容本年处理决定数量",
        "20-6": "第二十条第（六）项信息内容本年处理决定数量",
        "20-8": "第二十条第（八）项信息内容本年收费金额（单位：万元）",
    },
}


def _row_label(notation: str) -> str:
    c = concept("request", notation)
    head = {"1": "一、", "2": "二、", "4": "四、"}.get(notation, _T3_GROUP.get(notation, ""))
    number = f"{notation.split('.')[-1]}." if notation.count(".") == 2 else ""
    return head + number + c.zh


def flatten(
    generation: Generation,
    table3: dict[str, tuple[int, ...]],
    table4: tuple[int, ...],
    table2: dict[str, tuple[str, ...]] | None = None,
    zero: str = "0",
) -> str:
    """A page like the pingtan crawl: metadata lines, then every table on one line, no separators;
    ``zero`` is how a 0 of 表三/表四 is printed ("-" in some reports)."""
    body = ["一、总体情况 本年度共收到若干申请。二、主动公开政府信息情况"]
    block = None
    for row in DISCLOSURE_ROWS[generation]:
        if row.provision != block:
            block = row.provision
            body.append(_T2_BLOCKS[generation][block])
        body.append(concept("item", row.item).zh + "".join((table2 or {}).get(row.item, ("0",) * len(row.columns))))
    body.append(_T3_HEADER)
    for notation in REQUEST_ROWS[generation]:
        body.append(_row_label(notation) + "".join(str(v or zero) for v in table3[notation]))
    body.append(_T4_HEADER + "".join(str(v or zero) for v in table4))
    body.append("五、存在的主要问题及改进情况无。六、其他需要报告的事项无。")
    return "标题: 某区2021年度政府信息公开工作年度报告\n发布时间: 2022-01-30\n==== 正文 ====\n" + "".join(body)


def zero_table3(generation: Generation) -> dict[str, tuple[int, ...]]:
    return dict.fromkeys(REQUEST_ROWS[generation], (0,) * 7)


def test_flatten_round_trip_of_the_2021_page_shape() -> None:
    rows = zero_table3(Generation.GEN2021)
    rows.update(
        {
            "1": (64, 0, 0, 2, 0, 4, 70),
            "3.1": (27, 0, 0, 2, 0, 1, 30),
            "3.2": (5, 0, 0, 0, 0, 0, 5),
            "3.3.5": (1, 0, 0, 0, 0, 0, 1),
            "3.3.7": (6, 0, 0, 0, 0, 0, 6),
            "3.3.8": (1, 0, 0, 0, 0, 0, 1),
            "3.4.1": (22, 0, 0, 0, 0, 3, 25),
            "3.6.3": (1, 0, 0, 0, 0, 0, 1),
            "3.7": (63, 0, 0, 2, 0, 4, 69),
            "4": (1, 0, 0, 0, 0, 0, 1),
        }
    )
    text = flatten(Generation.GEN2021, rows, (1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0))
    assert looks_flat(text)
    cells, issues = read_flat(text, Generation.GEN2021)
    values = by_key(cells)
    for notation, vector in rows.items():
        assert t3(values, notation) == list(vector)
    assert "cell-ambiguous" not in codes(issues)


def test_ambiguous_rows_publish_only_the_cells_every_split_agrees_on() -> None:
    # 三（一） and 三（二） both print "220000325": each could be 22/0/0/0/0/3/25 or 2/20/0/0/0/3/25, and
    # since they add up to the same （七） either way round, the arithmetic cannot decide.
    rows = zero_table3(Generation.GEN2021)
    rows["3.1"] = (22, 0, 0, 0, 0, 3, 25)
    rows["3.2"] = (2, 20, 0, 0, 0, 3, 25)
    rows["3.7"] = rows["1"] = (24, 20, 0, 0, 0, 6, 50)
    cells, issues = read_flat(flatten(Generation.GEN2021, rows, (0,) * 15), Generation.GEN2021)
    values = by_key(cells)
    # the columns both splits give alike (科研机构 … 总计: 0 0 0 3 25) are certain; 自然人 and 商业企业 are not
    for row in ("3.1", "3.2"):
        published = {k[2]: v for k, v in values.items() if k[:2] == ("table3", row)}
        assert published == dict(zip(APPLICANT_COLUMNS[2:], (0, 0, 0, 3, 25), strict=True))
    ambiguous = [i for i in issues if i.code == "cell-ambiguous"]
    assert len(ambiguous) == 2
    assert all(i.target is None and "'220000325'" in i.message and "2 splits" in i.message for i in ambiguous)
    assert all("自然人, 商业企业" in i.message for i in ambiguous)
    assert t3(values, "3.7") == [24, 20, 0, 0, 0, 6, 50]  # the other rows are still published
    assert t3(values, "4") == [0] * 7


def test_a_row_whose_total_does_not_fit_is_refused() -> None:
    # "1000010" is seven digits for seven cells, but 1+0+0+0+0+1 ≠ 0: a blank cell or a misprint, not a split
    rows = zero_table3(Generation.GEN2019)
    text = flatten(Generation.GEN2019, rows, (0,) * 15).replace("（一）予以公开0000000", "（一）予以公开1000010")
    cells, issues = read_flat(text, Generation.GEN2019)
    assert not any(c.key[:2] == ("table3", "3.1") for c in cells)
    assert any(i.code == "cell-ambiguous" and "'1000010'" in i.message for i in issues)
    assert any(c.key[:2] == ("table3", "3.2") for c in cells)


def test_separated_cells_are_not_misread() -> None:
    # seed 004 prints "政府集中采购 |\n76 |\n21756705 |": the "|" is dropped like whitespace, so the row is one
    # run "7621756705" with several cuts — never the 7/6 that the first number alone would give
    cells_printed = ["第二十条第（九）项", "信息内容", "采购项目数量", "采购总金额", "政府集中采购", "76", "21756705"]
    text = "".join(f"{c} |\n" for c in cells_printed) + "三、收到和处理政府信息公开申请情况"
    cells, issues = read_flat(text, Generation.GEN2019)
    assert [c for c in cells if c.table == "table2"] == []
    assert any(i.code == "cell-ambiguous" and "21756705" in i.message for i in issues)


def test_cells_run_together_issue_on_every_published_cell() -> None:
    cells, issues = read_flat(page(2021), Generation.GEN2021)
    run_together = {i.target for i in issues if i.code == "cells-run-together"}
    multi_cell = [c for c in cells if c.table in {"table3", "table4"} or c.key[2] == "regulation"]
    assert {c.key for c in multi_cell} <= run_together
    row1 = next(i for i in issues if i.target == ("table3", "1", "total"))
    assert "'640020470'" in row1.message and "64/0/0/2/0/4/70" in row1.message
    cell = next(c for c in cells if c.key == ("table3", "1", "total"))
    assert cell.source_text == "640020470"
    assert cell.row_label == "一、本年新收政府信息公开申请数量"
    assert cell.column_label == "总计"
    assert cell.line == 10


# ---------------------------------------------------------------------------------------------
# The pingtan pages


def test_looks_flat() -> None:
    for year in (2019, 2021, 2023):
        assert looks_flat(page(year))
    assert not looks_flat(page(2018))  # legacy: no 表三
    assert looks_flat_legacy(page(2018))
    assert not looks_flat_legacy(page(2021))
    separated = "".join(
        f"{label}\t{cells}\n"
        for label, cells in (
            ("一、本年新收政府信息公开申请数量", "1\t0\t0\t0\t0\t0\t1"),
            ("二、上年结转政府信息公开申请数量", "0\t0\t0\t0\t0\t0\t0"),
            ("四、结转下年度继续办理", "0\t0\t0\t0\t0\t0\t0"),
        )
    )
    assert not looks_flat(separated)
    assert looks_flat(separated.replace("\t", ""))
    assert not looks_flat("本报告没有表格。")


def test_pingtan_2019() -> None:
    # By hand from the page: "一、本年新收政府信息公开申请数量230 000023" = 23|0|0|0|0|0|23 (9 digits in 7
    # cells: 23 twice, the rest 0); 二 "0000000"; （一） "7000007" = 7; （七） "23 0 00 0 023" = 23;
    # 四 " 0 0 00 00 0 " = 0. Check: the outcome rows 7 + 1 (二) + 7 (四)1 + 5 (四)3 + 3 (五)2 = 23 = （七）,
    # and 一 23 + 二 0 = （七） 23 + 四 0. 表四 is fifteen "0".
    cells, issues = read_flat(page(2019), Generation.GEN2019)
    values = by_key(cells)
    assert t3(values, "1") == [23, 0, 0, 0, 0, 0, 23]
    assert t3(values, "2") == [0] * 7
    assert t3(values, "3.1") == [7, 0, 0, 0, 0, 0, 7]
    assert t3(values, "3.7") == [23, 0, 0, 0, 0, 0, 23]
    assert t3(values, "4") == [0] * 7
    assert sum(1 for k in values if k[0] == "table3") == 23 * 7  # every row published
    assert [t4(values, p)[-1] for p in ("review", "litigation-direct", "litigation-after-review")] == [0, 0, 0]
    assert sum(1 for k in values if k[0] == "table4") == 15
    # 表二: "规章000" is 0/0/0; every other row has several cuts and is refused
    assert [k for k in values if k[0] == "table2"] == [
        ("table2", "20-1", "regulation", c) for c in ("new-made", "new-published", "total-published")
    ]
    refused = [i.message for i in issues if i.code == "cell-ambiguous"]
    assert len(refused) == 7
    assert any("'13575394432.52元'" in m for m in refused)


def test_pingtan_2021() -> None:
    # By hand: 一 "640020470" = 64|0|0|2|0|4|70 (the narrative: "本年度全区共收到70件申请");
    # （一） "270020130" = 27|0|0|2|0|1|30 (2|7|0|0|20|1|30 also adds up, but then 商业企业, 0 in 一 and
    # 二, would have 7 outcomes and （七） says 0); （七） "630020469" = 63|0|0|2|0|4|69 ("办结69件"); 四 "1000001" = 1
    # ("1件结转下年度继续办理"); 一 70 + 二 0 = 69 + 1. 表四 "10203120001200000" =
    # 1,0,2,0,3 | 12,0,0,0,12 | 0,0,0,0,0 (templates.md §7).
    cells, issues = read_flat(page(2021), Generation.GEN2021)
    values = by_key(cells)
    assert t3(values, "1") == [64, 0, 0, 2, 0, 4, 70]
    assert t3(values, "2") == [0] * 7
    assert t3(values, "3.1") == [27, 0, 0, 2, 0, 1, 30]
    assert t3(values, "3.4.1") == [22, 0, 0, 0, 0, 3, 25]
    assert t3(values, "3.7") == [63, 0, 0, 2, 0, 4, 69]
    assert t3(values, "4") == [1, 0, 0, 0, 0, 0, 1]
    assert sum(1 for k in values if k[0] == "table3") == 25 * 7
    assert t4(values, "review") == [1, 0, 2, 0, 3]
    assert t4(values, "litigation-direct") == [12, 0, 0, 0, 12]
    assert t4(values, "litigation-after-review") == [0, 0, 0, 0, 0]
    # 表二: one-cell rows and "规章 000" are read; "行政规范性文件693665" (69/3/665) has 10 cuts: refused
    assert values[("table2", "20-5", "administrative-license", "decisions-this-year")] == 2293
    assert values[("table2", "20-6", "administrative-penalty", "decisions-this-year")] == 1282
    assert values[("table2", "20-6", "administrative-coercion", "decisions-this-year")] == 42
    assert values[("table2", "20-8", "administrative-fee", "fee-amount")] == Decimal("24252.311082")
    fee = next(c for c in cells if c.key == ("table2", "20-8", "administrative-fee", "fee-amount"))
    assert fee.unit == "wan-yuan"
    assert not any(k[:3] == ("table2", "20-1", "administrative-normative-document") for k in values)
    (refused,) = [i for i in issues if i.code == "cell-ambiguous"]
    assert "'693665'" in refused.message and "10 splits" in refused.message


def test_pingtan_2023() -> None:
    # By hand: 一 "801000081" = 80|1|0|0|0|0|81 (narrative: "共计81件，涉及自然人80件、商业企业1件");
    # （一） "220000022" = 22 and （二） "191000020" = 20 ("予以公开及部分公开42件" = 22 + 20);
    # （七） "801000081" = 81 ("办结依申请公开81件"); 四 "0000000". 表四 "110024001510102" is 15 digits for
    # 15 cells: 1,1,0,0,2 | 4,0,0,1,5 | 1,0,1,0,2 ("行政复议案件2件、行政诉讼案件7件" = 5 + 2).
    cells, issues = read_flat(page(2023), Generation.GEN2021)
    values = by_key(cells)
    assert t3(values, "1") == [80, 1, 0, 0, 0, 0, 81]
    assert t3(values, "2") == [0] * 7
    assert t3(values, "3.1") == [22, 0, 0, 0, 0, 0, 22]
    assert t3(values, "3.2") == [19, 1, 0, 0, 0, 0, 20]
    assert t3(values, "3.7") == [80, 1, 0, 0, 0, 0, 81]
    assert t3(values, "4") == [0] * 7
    assert sum(1 for k in values if k[0] == "table3") == 25 * 7
    assert t4(values, "review") == [1, 1, 0, 0, 2]
    assert t4(values, "litigation-direct") == [4, 0, 0, 1, 5]
    assert t4(values, "litigation-after-review") == [1, 0, 1, 0, 2]
    assert values[("table2", "20-8", "administrative-fee", "fee-amount")] == Decimal("5949.088667")
    assert [i.code for i in issues if i.code == "cell-ambiguous"] == ["cell-ambiguous"]  # 行政规范性文件77132470


def test_pingtan_2018_legacy() -> None:
    # "主动公开文件数条206912106" (本年度|历年累计) can be 20|6912106, 206|912106 or 2069|12106: refused;
    # the prose "主动公开政府信息2069条" still gives the figure. "当面申请数条00" = 0|0.
    cells, issues = read_flat_legacy(page(2018))
    values = by_key(cells)
    assert values[("legacy", "proactive-disclosed")] == 2069
    assert "legacy-from-prose" in codes(issues)
    assert values[("legacy", "applications-in-person")] == 0
    assert values[("legacy", "review")] == 0
    assert sum("'206912106'" in i.message for i in issues if i.code == "cell-ambiguous") == 2
    assert read_flat(page(2018), Generation.LEGACY)[0] == cells


# ---------------------------------------------------------------------------------------------
# Property: whatever is published is the truth

_count = st.one_of(st.just(0), st.just(0), st.integers(0, 9), st.integers(0, 150), st.integers(0, 2000))


Table = tuple[Generation, dict[str, tuple[int, ...]], tuple[int, ...], dict[str, tuple[str, ...]]]


@st.composite
def tables(draw: st.DrawFn) -> Table:
    generation = draw(st.sampled_from([Generation.GEN2019, Generation.GEN2021]))
    rows: dict[str, tuple[int, ...]] = {}
    leaves = [r for r in REQUEST_ROWS[generation] if r.startswith("3.") and r != "3.7"]
    active = draw(st.sets(st.sampled_from(leaves), max_size=6))
    for leaf in leaves:
        rows[leaf] = tuple(draw(_count) for _ in range(6)) if leaf in active else (0,) * 6
    outcome = tuple(sum(rows[leaf][i] for leaf in leaves) for i in range(6))
    carried_out = tuple(draw(_count) for _ in range(6))
    carried_in = tuple(draw(st.integers(0, outcome[i] + carried_out[i])) for i in range(6))
    new = tuple(outcome[i] + carried_out[i] - carried_in[i] for i in range(6))
    rows.update({"3.7": outcome, "1": new, "2": carried_in, "4": carried_out})
    table3 = {r: (*v, sum(v)) for r, v in rows.items()}
    groups = [tuple(draw(st.integers(0, 12)) for _ in range(4)) for _ in range(3)]
    table4 = tuple(v for g in groups for v in (*g, sum(g)))
    table2: dict[str, tuple[str, ...]] = {}
    for row in DISCLOSURE_ROWS[generation]:
        pieces = []
        for _, measure in row.columns:
            if measure is Measure.COUNT:
                pieces.append(str(draw(_count)))
            elif measure is Measure.CHANGE:
                pieces.append(str(draw(st.integers(-50, 50))))
            else:
                pieces.append(f"{draw(st.integers(0, 99999))}.{draw(st.integers(0, 99)):02d}")
        table2[row.item] = tuple(pieces)
    return generation, table3, table4, table2


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_published_cells_are_the_truth(table: Table) -> None:
    generation, table3, table4, table2 = table
    cells, issues = read_flat(flatten(generation, table3, table4, table2), generation)
    truth: dict[tuple[str, ...], Decimal] = {}
    for notation, vector in table3.items():
        for column, value in zip(APPLICANT_COLUMNS, vector, strict=True):
            truth[("table3", notation, column)] = Decimal(value)
    for (proceeding, result), value in zip(APPEAL_CELLS, table4, strict=True):
        truth[("table4", proceeding, result)] = Decimal(value)
    for row in DISCLOSURE_ROWS[generation]:
        for (column, _), text in zip(row.columns, table2[row.item], strict=True):
            truth[("table2", row.provision, row.item, column)] = Decimal(text)
    values = by_key(cells)
    for key, value in values.items():
        assert truth[key] == value, f"{key}: published {value}, the table says {truth[key]}"
    # a row of one digit a cell is always read
    for notation, vector in table3.items():
        if all(v < 10 for v in vector):
            assert ("table3", notation, "total") in values
    if all(v < 10 for v in table4):
        assert len([k for k in values if k[0] == "table4"]) == 15
    published_rows = {k[:2] for k in values if k[0] == "table3"}
    refused = [i for i in issues if i.code == "cell-ambiguous" and i.message.startswith("表三 row")]
    assert len(published_rows) + len(refused) == len(REQUEST_ROWS[generation])


@pytest.mark.parametrize("generation", [Generation.GEN2019, Generation.GEN2021])
def test_no_tables_no_cells(generation: Generation) -> None:
    cells, issues = read_flat("标题: 某区年度报告\n本年度无依申请公开。", generation)
    assert cells == []
    assert codes(issues).count("table-missing") == 3


# ---------------------------------------------------------------------------------------------
# Tolerance: what real crawls print around the rows (typo'd labels, a page number, one （六） row,
# a blank 总计, a cell printed "-")

GOLDEN = Path(__file__).parents[1] / "golden" / "huaian-2024.cells.tsv"


def huaian_table3() -> dict[str, tuple[int, ...]]:
    """The reviewed 表三 cells of Huai'an 2024 (a 2021-format table), row by row."""
    cells: dict[str, dict[str, int]] = {}
    for line in GOLDEN.read_text(encoding="utf-8").splitlines()[1:]:
        table, row, column, value, *_ = line.split("\t")
        if table == "table3":
            cells.setdefault(row, {})[column] = int(value)
    return {row: tuple(values[c] for c in APPLICANT_COLUMNS) for row, values in cells.items()}


def pingtan_2021_table3() -> dict[str, tuple[int, ...]]:
    """表三 of shared/reports/pingtan_2021_page.txt, as worked out in test_pingtan_2021."""
    rows = zero_table3(Generation.GEN2021)
    rows.update(
        {
            "1": (64, 0, 0, 2, 0, 4, 70),
            "3.1": (27, 0, 0, 2, 0, 1, 30),
            "3.2": (5, 0, 0, 0, 0, 0, 5),
            "3.3.5": (1, 0, 0, 0, 0, 0, 1),
            "3.3.7": (6, 0, 0, 0, 0, 0, 6),
            "3.3.8": (1, 0, 0, 0, 0, 0, 1),
            "3.4.1": (22, 0, 0, 0, 0, 3, 25),
            "3.6.3": (1, 0, 0, 0, 0, 0, 1),
            "3.7": (63, 0, 0, 2, 0, 4, 69),
            "4": (1, 0, 0, 0, 0, 0, 1),
        }
    )
    return rows


def run_of(rows: dict[str, tuple[int, ...]], notation: str) -> str:
    return "".join(str(v) for v in rows[notation])


def assert_table3(values: dict[tuple[str, ...], Decimal], rows: dict[str, tuple[int, ...]]) -> None:
    for notation, vector in rows.items():
        assert t3(values, notation) == list(vector), notation


def test_typod_labels_are_found_by_similarity() -> None:
    # Real crawls print "5.属于三类内部事物信息" (事务), "4.无正当理由大量反复申" (请 cut off) and "3.危及三安全一稳定"
    # (quotes lost). As printed, the first two labels are not found, and a label found by part of its name
    # ("三安全一稳定") would leave its "3." in the run before it ("0000000" + "3" = "00000003").
    rows = huaian_table3()
    text = flatten(Generation.GEN2021, rows, (0,) * 15)
    for right, typo in (
        ("5.属于三类内部事务信息", "5.属于三类内部事物信息"),
        ("4.无正当理由大量反复申请", "4.无正当理由大量反复申"),
        ("3.危及“三安全一稳定”", "3.危及三安全一稳定"),
    ):
        assert right in text
        text = text.replace(right, typo)
    cells, issues = read_flat(text, Generation.GEN2021)
    values = by_key(cells)
    assert_table3(values, rows)
    placed = {i.target[1] for i in issues if i.code == "row-placed-by-similarity" and i.target}
    assert placed == {"3.3.5", "3.5.4"}
    assert "not-read" not in codes(issues)


def test_a_label_nothing_resembles_stays_unread() -> None:
    # a label changed beyond recognition is not guessed: its row is left out, the rows around it are read
    rows = pingtan_2021_table3()
    text = flatten(Generation.GEN2021, rows, (0,) * 15).replace("5.属于三类内部事务信息", "5.其他情形")
    cells, issues = read_flat(text, Generation.GEN2021)
    values = by_key(cells)
    assert not any(k[:2] == ("table3", "3.3.5") for k in values)
    assert any(i.code == "not-read" and "3.3.5" in i.message for i in issues)
    assert t3(values, "3.3.7") == [6, 0, 0, 0, 0, 0, 6]


@pytest.mark.parametrize("glue", ["5", "\n5\n"])
def test_a_page_number_glued_to_a_run_is_dropped(glue: str) -> None:
    # "3.补正后申请内容仍不明确0010001" then the page number "5" of the footer: "00100015" has no cut whose parts
    # add up to its 总计; without the "5", "0010001" has exactly one (Huai'an 3.4.3 = 1), which the column sums
    # of the whole table confirm (printed glued) or a line break vouches for.
    rows = huaian_table3()
    run = run_of(rows, "3.4.3")
    text = flatten(Generation.GEN2021, rows, (0,) * 15).replace(f"仍不明确{run}", f"仍不明确{run}{glue}")
    cells, issues = read_flat(text, Generation.GEN2021)
    values = by_key(cells)
    assert_table3(values, rows)
    (note,) = [i for i in issues if i.code == "not-read" and "3.4.3" in i.message]
    assert "'5'" in note.message and note.severity.value == "info"


def test_a_dropped_page_number_the_column_sums_contradict_is_refused() -> None:
    # "10000015" cut as 1|0|0|0|0|0|1 (+ page "5") would give 3.4.3 one request the outcome total does not have
    rows = pingtan_2021_table3()
    text = flatten(Generation.GEN2021, rows, (0,) * 15).replace("仍不明确0000000", "仍不明确10000015")
    cells, issues = read_flat(text, Generation.GEN2021)
    values = by_key(cells)
    assert not any(k[:2] == ("table3", "3.4.3") for k in values)
    assert any(i.code == "cell-ambiguous" and "'10000015'" in i.message for i in issues)
    assert t3(values, "3.7") == [63, 0, 0, 2, 0, 4, 69]


def test_a_dropped_page_number_no_sum_can_confirm_is_refused() -> None:
    # with row 3.4.1 unreadable the outcome rows no longer add up to a known （七）: nothing confirms the drop
    rows = pingtan_2021_table3()
    text = (
        flatten(Generation.GEN2021, rows, (0,) * 15)
        .replace("仍不明确0000000", "仍不明确00000005")
        .replace("政府信息220000325", "政府信息2200003")
    )
    cells, issues = read_flat(text, Generation.GEN2021)
    values = by_key(cells)
    assert not any(k[:2] in {("table3", "3.4.3"), ("table3", "3.4.1")} for k in values)
    assert any(i.code == "cell-ambiguous" and "'00000005'" in i.message for i in issues)


def test_a_2021_table_printing_other_handling_as_one_row() -> None:
    # pingtan 2021 with （六）其他处理 printed as one row "1000001" (its one 3.6.3 request): the 2019 rows are read,
    # and the sum of the outcome rows (with 3.6) decides 三（一） "270020130" = 27|0|0|2|0|1|30
    rows = pingtan_2021_table3()
    text = flatten(Generation.GEN2021, rows, (0,) * 15)
    start, end = text.index("（六）其他处理"), text.index("（七）总计")
    text = text[:start] + "（六）其他处理1000001" + text[end:]
    cells, issues = read_flat(text, Generation.GEN2021)
    values = by_key(cells)
    single = {r: v for r, v in rows.items() if not r.startswith("3.6.")} | {"3.6": (1, 0, 0, 0, 0, 0, 1)}
    assert_table3(values, single)
    assert not any(k[1].startswith("3.6.") for k in values if k[0] == "table3")
    (note,) = [i for i in issues if i.code == "subrows-not-printed"]
    assert note.target == ("table3", "3.6", "total")
    assert "not-read" not in codes(issues)


def test_a_blank_total_on_an_all_zero_row() -> None:
    # "二、上年结转政府信息公开申请数量000000": six 0s for seven cells, the 总计 printed blank
    rows = pingtan_2021_table3()
    text = flatten(Generation.GEN2021, rows, (0,) * 15).replace("申请数量0000000", "申请数量000000")
    cells, issues = read_flat(text, Generation.GEN2021)
    values = by_key(cells)
    assert t3(values, "2") == [0] * 7
    (note,) = [i for i in issues if i.code == "blank-read-as-zero"]
    assert note.target == ("table3", "2", "total")
    run_together = {i.target for i in issues if i.code == "cells-run-together"}
    assert {("table3", "2", c) for c in APPLICANT_COLUMNS[:-1]} <= run_together


@pytest.mark.parametrize("printed", ["000001", "00000", "100000"])
def test_other_short_rows_are_still_refused(printed: str) -> None:
    # a blank among non-zero cells, or two blanks, leave more than one reading: refused
    rows = pingtan_2021_table3()
    text = flatten(Generation.GEN2021, rows, (0,) * 15).replace("申请数量0000000", f"申请数量{printed}")
    cells, issues = read_flat(text, Generation.GEN2021)
    assert not any(c.key[:2] == ("table3", "2") for c in cells)
    assert "blank-read-as-zero" not in codes(issues)


def test_a_cell_printed_dash_in_table2() -> None:
    # "行政事业性收费53-" (上一年项目数量 53, 本年增/减 printed "-"): never 5 | 3
    assert split_cells("53-", [Measure.COUNT, Measure.CHANGE]) == [("53", "-")]
    # a dash between numbers is a sign or a cell of its own: "1545-81631" in three cells has both readings
    cuts = split_cells("1545-81631", [Measure.COUNT, Measure.CHANGE, Measure.COUNT])
    assert cuts is not None and ("1545", "-", "81631") in cuts and ("1545", "-8", "1631") in cuts
    text = flatten(Generation.GEN2019, zero_table3(Generation.GEN2019), (0,) * 15).replace(
        "行政事业性收费00", "行政事业性收费53-"
    )
    cells, issues = read_flat(text, Generation.GEN2019)
    values = by_key(cells)
    assert values[("table2", "20-8", "administrative-fee", "previous-year-items")] == 53
    assert ("table2", "20-8", "administrative-fee", "change") not in values
    assert any(
        i.code == "blank-cell" and i.target == ("table2", "20-8", "administrative-fee", "change") for i in issues
    )


def test_labels_wrapped_around_their_runs() -> None:
    # a crawl that wraps long labels prints "一、本年新收政府信0000000息公开申请数量": the full label is not in the
    # text, its short name is; the text is still recognised as run together and the rows are read
    rows = pingtan_2021_table3()
    text = flatten(Generation.GEN2021, rows, (0,) * 15)
    for notation in ("1", "2", "4"):
        label, run = concept("request", notation).zh, run_of(rows, notation)
        text = text.replace(label + run, label[:7] + run + label[7:])
    assert looks_flat(text)
    values = by_key(read_flat(text, Generation.GEN2021)[0])
    assert t3(values, "1") == [64, 0, 0, 2, 0, 4, 70]
    assert t3(values, "4") == [1, 0, 0, 0, 0, 0, 1]


# ---------------------------------------------------------------------------------------------
# Dashes printed for zeros in 表三/表四 ("123----15", "-------"): a dash is a cell of its own


def test_split_cuts_at_the_dashes_first() -> None:
    # rows of 六安市裕安区 2020 (seed 000) printed with "-" for 0
    assert split_dashed("123----15", 7, ROW_SUM) == [(12, 3, None, None, None, None, 15)]
    assert split_dashed("-1----1", 7, ROW_SUM) == [(None, 1, None, None, None, None, 1)]
    assert split_dashed("81----9", 7, ROW_SUM) == [(8, 1, None, None, None, None, 9)]
    assert split_dashed("-------", 7, ROW_SUM) == [(None,) * 7]
    assert split_dashed("—" * 15, 15, APPEAL_GROUPS) == [(None,) * 15]
    # a Chinese dash "——" is one blank cell: fourteen "—" are the seven cells of a blank row
    assert split_dashed("—" * 14, 7, ROW_SUM) == [(None,) * 7]
    # a blank cell is not assumed 0: "12-3" … the printed parts may fall short of the total
    assert (1, 2, None, 3, None, None, 7) in (split_dashed("12-3--7", 7, ROW_SUM) or [])
    # a blank 总计 above a part that is not 0 is no reading ("— 3 —" is a page footer)
    assert split_dashed("00000-3-", 7, ROW_SUM) == []


def test_zeros_printed_as_dashes_are_read() -> None:
    # pingtan 2021 printing every 0 of 表三 and 表四 as "-": "一、本年新收…64--2-470" is 64|-|-|2|-|4|70
    rows = pingtan_2021_table3()
    text = flatten(Generation.GEN2021, rows, (0,) * 15, zero="-")
    assert "申请数量64--2-470" in text and looks_flat(text)
    cells, issues = read_flat(text, Generation.GEN2021)
    values = by_key(cells)
    assert_table3(values, rows)
    assert t4(values, "review") == [0] * 5 and len([k for k in values if k[0] == "table4"]) == 15
    zeros = {i.target for i in issues if i.code == "blank-read-as-zero"}
    assert ("table3", "1", "commercial-enterprise") in zeros and ("table4", "review", "total") in zeros
    assert ("table3", "1", "natural-person") not in zeros
    assert "blank-cell" not in codes(issues)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_published_cells_are_the_truth_with_dashes_for_zeros(table: Table) -> None:
    generation, table3, table4, _ = table
    cells, _ = read_flat(flatten(generation, table3, table4, zero="-"), generation)
    truth = {
        ("table3", n, c): Decimal(v)
        for n, vector in table3.items()
        for c, v in zip(APPLICANT_COLUMNS, vector, strict=True)
    }
    truth.update({("table4", p, r): Decimal(v) for (p, r), v in zip(APPEAL_CELLS, table4, strict=True)})
    for key, value in by_key(cells).items():
        if key[0] != "table2":
            assert truth[key] == value, f"{key}: published {value}, the table says {truth[key]}"


def test_a_blank_total_above_counts_is_not_read() -> None:
    # "64--2-4-": the 总计 printed "-" above 70 requests; nothing says what it is, the row is left out
    rows = pingtan_2021_table3()
    text = flatten(Generation.GEN2021, rows, (0,) * 15, zero="-").replace("申请数量64--2-470", "申请数量64--2-4-")
    cells, issues = read_flat(text, Generation.GEN2021)
    assert not any(c.key[:2] == ("table3", "1") for c in cells)
    assert any(i.code == "cell-ambiguous" and "'64--2-4-'" in i.message for i in issues)


def test_a_dash_the_sums_say_is_not_zero_is_left_out() -> None:
    # 三（二） printed "3-----5" (a misprint of "5-----5"): 3 + the blanks = 5, so the blanks are not all 0 and
    # none is published as 0; the 3 and the 5 are the only cut and are published
    rows = pingtan_2021_table3()
    text = flatten(Generation.GEN2021, rows, (0,) * 15, zero="-")
    assert "不计其他情形）5-----5" in text
    cells, issues = read_flat(text.replace("不计其他情形）5-----5", "不计其他情形）3-----5"), Generation.GEN2021)
    values = by_key(cells)
    assert values[("table3", "3.2", "natural-person")] == 3 and values[("table3", "3.2", "total")] == 5
    blank = {i.target for i in issues if i.code == "blank-cell" and i.target and i.target[1] == "3.2"}
    assert blank == {("table3", "3.2", c) for c in APPLICANT_COLUMNS[1:-1]}
    assert not any(("table3", "3.2", c) in values for c in APPLICANT_COLUMNS[1:-1])


def test_six_dashes_for_seven_cells_and_a_page_footer() -> None:
    # "二、上年结转政府信息公开申请数量------" (seed 000: the 总计 left no trace) is all 0; "0000000— 3 —" ends with
    # the footer of page 3 (seed 004), which is not read
    rows = pingtan_2021_table3()
    text = (
        flatten(Generation.GEN2021, rows, (0,) * 15, zero="-")
        .replace("申请数量-------", "申请数量------")
        .replace("另行制作-------", "另行制作-------— 3 —")
    )
    cells, issues = read_flat(text, Generation.GEN2021)
    values = by_key(cells)
    assert t3(values, "2") == [0] * 7 and t3(values, "3.4.2") == [0] * 7
    assert any(i.code == "not-read" and "'— 3 —'" in i.message for i in issues)


def test_table4_cells_every_split_agrees_on_are_published_the_others_left_out() -> None:
    """The real Huai'an 表四 run together (72 64 178 37 351 | 13 4 8 1 26 | 12 1 1 6 20): three splits fit
    the three 总计 equations and differ only inside 复议后起诉 (12/1/1/6, 1/2/11/6, 1/2/1/16); the
    other ten cells and that group's 总计 are the same in every one of them, so they are certain."""
    text = (
        "四、政府信息公开行政复议、行政诉讼情况\n行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉"
        + ("结果维持结果纠正其他结果尚未审结总计" * 3)
        + "726417837351134812612116 20\n五、存在的主要问题及改进情况"
    )
    issues: list[Issue] = []
    cells = {c.key[1:]: c.value for c in _read_table4(FlatText(text), 0, issues)}
    truth = dict(zip(APPEAL_CELLS, (72, 64, 178, 37, 351, 13, 4, 8, 1, 26, 12, 1, 1, 6, 20), strict=True))
    assert cells == {k: truth[k] for k in cells}
    assert ("litigation-after-review", "total") in cells and ("review", "total") in cells
    undecided = {("litigation-after-review", r) for r in ("upheld", "corrected", "other", "pending")}
    assert undecided.isdisjoint(cells) and len(cells) == 11
    assert len([i for i in issues if i.code == "cell-ambiguous"]) == 4
