"""表三/表四 stated in a sentence instead of a table: what the sentence states is published, with a
``stated-in-prose`` note naming it, and nothing more; sentences that restrict or shift what they
are about state nothing."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from converter.errors import NotAReport
from converter.model import Cell
from converter.pipeline import convert_file
from converter.tables.layout import APPEAL_CELLS, APPLICANT_COLUMNS, REQUEST_ROWS, Generation
from converter.tables.prose import (
    CARRIED_FORWARD,
    CARRIED_OVER,
    LITIGATION,
    RECEIVED,
    REVIEW,
    find_statements,
    read_prose_tables,
    small_number,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "prose"
APPEALS_HEADING = "四、政府信息公开行政复议、行政诉讼情况"


def stated(text: str, year: int | None = 2023) -> dict[str, int]:
    return {s.figure: s.value for s in find_statements(text.split("\n"), year)}


def read(text: str, have3: bool = False, have4: bool = False, known: tuple[Cell, ...] = ()) -> dict:
    cells, issues = read_prose_tables(text.split("\n"), Generation.GEN2021, have3, have4, 2023, known)
    return {"values": {c.key: c.value for c in cells}, "cells": cells, "issues": issues}


# ---------------------------------------------------------------------------------------------
# What a sentence states


@pytest.mark.parametrize(
    ("sentence", "figures"),
    [
        ("本年度未收到政府信息公开申请。", {RECEIVED: 0}),
        ("本年度我单位未收到政府信息公开申请。", {RECEIVED: 0}),
        ("2023年，本机关共收到政府信息公开申请0件。", {RECEIVED: 0}),
        ("2023年，我局没有收到任何政府信息公开申请。", {RECEIVED: 0}),
        ("本年度新收政府信息公开申请0件，上年结转政府信息公开申请0件。", {RECEIVED: 0, CARRIED_OVER: 0}),
        ("无上年结转申请。", {CARRIED_OVER: 0}),
        ("上年结转政府信息公开申请3件，结转下年度继续办理1件。", {CARRIED_OVER: 3, CARRIED_FORWARD: 1}),
        ("全年未发生涉及政府信息公开的行政复议、行政诉讼案件。", {REVIEW: 0, LITIGATION: 0}),
        ("未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况。", {REVIEW: 0, LITIGATION: 0}),
        ("本年度我局无因政府信息公开引发的行政复议、行政诉讼。", {REVIEW: 0, LITIGATION: 0}),
        ("因政府信息公开工作被申请行政复议和提起行政诉讼的均为0件。", {REVIEW: 0, LITIGATION: 0}),
        ("本年度，我单位未发生政府信息公开行政复议案件，也未发生行政诉讼案件。", {REVIEW: 0, LITIGATION: 0}),
        (f"{APPEALS_HEADING}\n行政复议0件，行政诉讼0件。", {REVIEW: 0, LITIGATION: 0}),
        (f"{APPEALS_HEADING}\n被申请行政复议2件，行政诉讼1件。", {REVIEW: 2, LITIGATION: 1}),
    ],
)
def test_what_real_wording_states(sentence: str, figures: dict[str, int]) -> None:
    assert stated(sentence) == figures


@pytest.mark.parametrize(
    ("sentence", "value"),
    [
        ("收到政府信息公开申请15件。", 15),
        ("2023年，共收到政府信息公开申请 １５ 件，其中自然人申请12件。", 15),  # full-width, spaced
        ("本年度收到政府信息公开申请两件。", 2),
        ("全年共收到政府信息公开申请共计二十三件。", 23),
        ("本年度共收到12件政府信息公开申请。", 12),
    ],
)
def test_a_stated_count_of_applications(sentence: str, value: int) -> None:
    assert stated(sentence) == {RECEIVED: value}


@pytest.mark.parametrize(
    "sentence",
    [
        "除上述申请外，未收到其他政府信息公开申请。",  # 除…外
        "本年度未收到政府信息公开的书面申请。",  # one kind of application
        "本年度未收到通过信函方式提交的申请。",
        "其中，城关镇未收到政府信息公开申请。",  # a part of the agency
        "各乡镇均未收到政府信息公开申请。",
        "2022年未收到政府信息公开申请。",  # another year
        "与上年相比，未收到政府信息公开申请的乡镇有3个。",
        "全年共受理政府信息公开申请12件。",  # 受理 may count last year's too
        "本机关收到政府信息公开申请后，在15个工作日内答复。",  # not a count
        "本年新收政府信息公开申请数量2300000023二、上年结转政府信息公开申请数量",  # table cells run together
        "自条例施行以来累计收到政府信息公开申请96件。",
        "如未收到政府信息公开申请，则表三填写为0。",  # a condition
        "本年度有2件未受理的政府信息公开申请。",  # 未受理: not accepted
        "申请人反映未收到的政府信息公开申请答复已补寄。",
    ],
)
def test_sentences_that_state_no_application_total(sentence: str) -> None:
    assert RECEIVED not in stated(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "全年未发生因行政处罚引发的行政复议。",  # another kind of review
        "被申请行政复议2件，行政诉讼1件。",  # nothing says these are about disclosure
        "除一起行政诉讼外，未发生因政府信息公开引发的行政复议、行政诉讼。",
        "2022年未发生涉及政府信息公开的行政复议、行政诉讼案件。",
        f"{APPEALS_HEADING}\n依据行政诉讼法2019年修订的规定",
    ],
)
def test_sentences_that_state_no_appeal_total(sentence: str) -> None:
    assert not ({REVIEW, LITIGATION} & set(stated(sentence)))


def test_small_numbers() -> None:
    assert [small_number(t) for t in ("0", "零", "两", "十", "十二", "二十", "九十九", "百")] == [
        0,
        0,
        2,
        10,
        12,
        20,
        99,
        None,
    ]


# ---------------------------------------------------------------------------------------------
# What is published


def test_no_application_received_states_row_1_only() -> None:
    result = read("本年度未收到政府信息公开申请。")
    assert result["values"] == {("table3", "1", "total"): Decimal(0)}
    (note,) = result["issues"]
    assert note.code == "stated-in-prose" and note.target == ("table3", "1", "total")
    assert "本年度未收到政府信息公开申请" in note.message


def test_no_carry_over_too_proves_the_whole_table3_zero() -> None:
    result = read("本年度未收到政府信息公开申请，也无上年结转申请。")
    # 一 and 二 are 0 in every column (counts are never negative), so （七）, 四 and every outcome row are 0
    every = {("table3", r, a) for r in REQUEST_ROWS[Generation.GEN2021] for a in APPLICANT_COLUMNS}
    assert result["values"] == dict.fromkeys(every, Decimal(0))
    notes = {i.target: i for i in result["issues"]}
    assert set(notes) == every
    assert all(i.code == "stated-in-prose" for i in notes.values())
    for row in ("3.1", "3.7", "4"):
        assert "proves" in notes[("table3", row, "total")].message


def test_row_2_known_from_a_table_completes_the_arithmetic() -> None:
    known = Cell("table3", (("request", "2"), ("applicant", "total")), None, Decimal(0), "0", "二", "总计")  # type: ignore[arg-type]
    result = read("本年度未收到政府信息公开申请。", known=(known,))
    every = {("table3", r, a) for r in REQUEST_ROWS[Generation.GEN2021] for a in APPLICANT_COLUMNS}
    assert set(result["values"]) == every - {("table3", "2", "total")}  # row 2's 总计 was read from the table


def test_a_non_zero_count_is_published_alone() -> None:
    result = read("2023年，共收到政府信息公开申请15件，无上年结转申请。")
    assert result["values"] == {("table3", "1", "total"): Decimal(15), ("table3", "2", "total"): Decimal(0)}
    assert all("proves" not in i.message for i in result["issues"])


def test_no_review_nor_lawsuit_publishes_all_15_cells_of_table4() -> None:
    result = read("全年未发生涉及政府信息公开的行政复议、行政诉讼案件。")
    assert result["values"] == {("table4", p, r): Decimal(0) for p, r in APPEAL_CELLS}
    targets = [i.target for i in result["issues"] if i.code == "stated-in-prose"]
    assert sorted(targets) == sorted(("table4", p, r) for p, r in APPEAL_CELLS)
    assert all("全年未发生涉及政府信息公开的行政复议、行政诉讼案件" in i.message for i in result["issues"])


def test_reviews_counted_lawsuits_not_split() -> None:
    result = read(f"{APPEALS_HEADING}\n被申请行政复议2件，行政诉讼1件。")
    assert result["values"] == {("table4", "review", "total"): Decimal(2)}
    assert [i.code for i in result["issues"] if i.target is None] == ["not-read"]


def test_a_table_read_is_not_replaced_by_its_prose() -> None:
    text = "本年度未收到政府信息公开申请。全年未发生涉及政府信息公开的行政复议、行政诉讼案件。"
    assert read(text, have3=True, have4=True)["values"] == {}
    assert {k[0] for k in read(text, have3=True)["values"]} == {"table4"}


def test_sentences_that_contradict_each_other_publish_nothing() -> None:
    result = read("本年度未收到政府信息公开申请。2023年，共收到政府信息公开申请3件。")
    assert result["values"] == {}
    assert [i.code for i in result["issues"]] == ["cell-ambiguous"]


# ---------------------------------------------------------------------------------------------
# End to end


def test_2021_report_with_table2_and_prose_tables() -> None:
    report = convert_file(FIXTURES / "dangan_2023_prose_tables.txt")
    assert (report.meta.agency, report.meta.year, report.generation) == ("长丰县档案馆", 2023, Generation.GEN2021)
    values = {c.key: c.value for c in report.cells}
    assert values[("table2", "20-1", "administrative-normative-document", "in-force")] == 1
    table3 = {k: v for k, v in values.items() if k[0] == "table3"}
    assert table3 == {("table3", r, a): Decimal(0) for r in REQUEST_ROWS[Generation.GEN2021] for a in APPLICANT_COLUMNS}
    assert {k for k in values if k[0] == "table4"} == {("table4", p, r) for p, r in APPEAL_CELLS}
    noted = {i.target for i in report.issues if i.code == "stated-in-prose"}
    assert noted == {k for k in values if k[0] in ("table3", "table4")}
    assert not [i for i in report.issues if i.code in ("table-missing", "sum-mismatch")]


def test_report_with_no_table_at_all(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text(
        "某某镇人民政府2020年政府信息公开工作年度报告\n"
        "一、总体情况\n2020年，我镇认真贯彻落实《中华人民共和国政府信息公开条例》。\n"
        "三、收到和处理政府信息公开申请情况\n2020年，我镇未收到政府信息公开申请，无上年结转申请。\n"
        "四、政府信息公开行政复议、行政诉讼情况\n行政复议0件，行政诉讼0件。\n",
        encoding="utf-8",
    )
    report = convert_file(path)
    assert report.generation is Generation.GEN2019  # by the year: no wording decides
    assert len([c for c in report.cells if c.table == "table3"]) == 23 * 7  # the whole 2019 表三, proven 0
    assert len([c for c in report.cells if c.table == "table4"]) == 15
    assert "table-missing" in {i.code for i in report.issues}  # 表二


def test_a_text_that_states_nothing_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text(
        "某某镇人民政府2020年政府信息公开工作年度报告\n2020年，我镇认真贯彻落实政府信息公开条例，收到各类来信3封。\n",
        encoding="utf-8",
    )
    with pytest.raises(NotAReport):
        convert_file(path)


def test_a_crawl_run_into_one_line_still_states_its_tables_in_prose() -> None:
    """The crawl ran the page into one line: the part headings end the sentences before them."""
    text = (
        "政府集中采购367三、收到和处理政府信息公开申请情况本年度，我单位未收到政府信息公开申请，无上年结转申请。"
        "四、政府信息公开行政复议、行政诉讼情况本年度未发生涉及政府信息公开的行政复议、行政诉讼案件。五、存在的主要问题"
    )
    result = read(text)
    assert result["values"][("table3", "1", "total")] == 0
    assert result["values"][("table3", "3.1", "total")] == 0  # the whole 表三, proven 0
    assert len([k for k in result["values"] if k[0] == "table4"]) == 15
