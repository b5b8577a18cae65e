"""Legacy reports (2008 regulation): 附表/统计表 figures and prose, under the legacy code list."""

from __future__ import annotations

from pathlib import Path

from converter.pipeline import convert_file
from converter.tables.layout import Generation

PINGTAN_2018 = Path(__file__).parents[1] / "fixtures" / "pingtan" / "pingtan_2018_page.txt"


def test_pingtan_2018_flattened_statistics_table() -> None:
    report = convert_file(PINGTAN_2018)
    assert (report.meta.agency, report.meta.year, report.generation) == ("平潭综合实验区", 2018, Generation.LEGACY)
    assert report.meta.url and report.meta.url.endswith("t20190110_80529.htm")
    values = {c.key[1]: c.value for c in report.cells}
    # "受理依申请公开信息总数条00" … "行政诉讼数件00": 本年度 0, 历年累计 0
    for notation in (
        "applications-received",
        "applications-in-person",
        "applications-online",
        "applications-letter-fax",
        "answered",
        "granted",
        "partially-granted",
        "refused",
        "answered-other",
        "review",
        "litigation",
        "litigation-and-complaints",
    ):
        assert values[notation] == 0, notation
    # "主动公开文件数条206912106" splits three ways; the prose says 主动公开政府信息2069条
    assert values["proactive-disclosed"] == 2069
    codes = [i.code for i in report.issues]
    assert "legacy-from-prose" in codes
    ambiguous = [i for i in report.issues if i.code == "cell-ambiguous"]
    assert any("206912106" in i.message for i in ambiguous)
    assert "proactive-website" not in values


# ---------------------------------------------------------------------------------------------
# Label variants, the 本年度 column, prose-only reports, prose against the table

from decimal import Decimal  # noqa: E402

import pytest  # noqa: E402

from converter.model import Token  # noqa: E402
from converter.numbers import nfkc  # noqa: E402
from converter.tables.legacy import prose_figures, read_legacy  # noqa: E402

PROSE_ONLY = Path(__file__).parents[1] / "fixtures" / "prose" / "guanqu_2016_prose_only.txt"


def tokens(*rows: tuple[str, ...]) -> list[Token]:
    """One table row per line, one token per cell (the shape of a Word table)."""
    return [Token(text, line) for line, row in enumerate(rows, start=1) for text in row]


def figures_of(cells: list) -> dict[str, Decimal]:
    return {c.key[1]: c.value for c in cells}


@pytest.mark.parametrize(
    ("label", "notation"),
    [
        ("对申请的答复数", "answered"),
        ("对申请的答复总数", "answered"),
        ("信函、传真申请数", "applications-letter-fax"),
        ("接受行政诉讼、举报数", "litigation-and-complaints"),
        ("受理政府信息公开申请总数", "applications-received"),
        ("依申请公开信息数", "applications-received"),
        ("网上申请数", "applications-online"),
        ("其中：当面申请", "applications-in-person"),
        ("因政府信息公开申请提起行政复议数", "review"),
        ("行政诉讼数量", "litigation"),
    ],
)
def test_label_variants_of_real_statistics_tables(label: str, notation: str) -> None:
    cells, _ = read_legacy(tokens(("政府信息公开情况统计表",), ("指标", "单位", "数量"), (label, "件", "7")), [])
    assert figures_of(cells) == {notation: Decimal(7)}


@pytest.mark.parametrize(
    "header",
    [
        ("指标名称", "计量单位", "本年度", "历年累计"),
        ("指标名称", "计量单位", "2016年度", "历年累计"),
        ("指标名称", "计量单位", "历年累计", "本年度"),
        ("指标", "单位", "累计数", "本年数"),
    ],
)
def test_the_year_column_wherever_it_stands(header: tuple[str, ...]) -> None:
    year_first = header.index(next(h for h in header if "本年" in h or "年度" in h)) == 2
    row = ("受理政府信息公开申请总数", "件", *(("12", "96") if year_first else ("96", "12")))
    cells, _ = read_legacy(tokens(("附表：政府信息公开情况统计表",), header, row), [])
    assert figures_of(cells) == {"applications-received": Decimal(12)}


def test_a_row_short_of_a_column_is_not_guessed() -> None:
    header = ("指标名称", "计量单位", "历年累计", "本年度")
    cells, issues = read_legacy(tokens(("统计表",), header, ("行政复议数", "件", "3")), [])
    assert "review" not in figures_of(cells)
    assert any(i.code == "cell-ambiguous" and "本年度" in i.message for i in issues)


@pytest.mark.parametrize(
    ("line", "notation", "value"),
    [
        ("全年共受理政府信息公开申请12件，其中当面申请5件。", "applications-received", 12),
        ("全年共受理 12 件政府信息公开申请。", "applications-received", 12),
        ("受理政府信息公开申请共计１２件。", "applications-received", 12),
        ("本年度受理申请两件。", "applications-received", 2),
        ("2016年，全区因政府信息公开引发的行政复议 3 件。", "review", 3),
    ],
)
def test_prose_figures_as_real_reports_write_them(line: str, notation: str, value: int) -> None:
    assert prose_figures([line])[notation].value == value


def test_a_cumulative_figure_is_never_the_years() -> None:
    lines = ["自2008年以来累计受理政府信息公开申请96件。", "历年累计受理申请120件。"]
    assert "applications-received" not in prose_figures(lines)
    lines.append("2016年，全区共受理政府信息公开申请12件。")
    assert prose_figures(lines)["applications-received"].value == 12


def test_prose_that_contradicts_the_table_names_its_sentence() -> None:
    table = tokens(("附表二 依申请公开政府信息情况",), ("指标", "单位", "数量"), ("同意公开", "件", "472"))
    sentence = "全市答复政府信息公开申请994件，其中同意公开答复470件"
    cells, issues = read_legacy(table, [sentence + "。"])
    assert figures_of(cells)["granted"] == 472
    (mismatch,) = [i for i in issues if i.code == "prose-table-mismatch"]
    assert mismatch.target == ("legacy", "granted") and nfkc(sentence) in mismatch.message


def test_prose_only_legacy_report() -> None:
    report = convert_file(PROSE_ONLY)
    assert (report.meta.year, report.generation) == (2016, Generation.LEGACY)
    values = figures_of(report.cells)
    assert values["applications-received"] == 12  # not the 96 累计 stated before it
    assert (values["applications-in-person"], values["applications-online"], values["applications-letter"]) == (5, 4, 3)
    assert (values["review"], values["litigation"]) == (0, 0)  # "未发生…行政复议、行政诉讼的情况"
    assert values["proactive-disclosed"] == 1530
    notes = {i.target: i.message for i in report.issues if i.code == "legacy-from-prose"}
    assert set(notes) == {("legacy", n) for n in values}
    assert "未发生因政府信息公开申请提起行政复议、行政诉讼的情况" in notes[("legacy", "review")]


def test_legacy_report_stating_only_that_nothing_happened(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text(
        "某某县统计局2015年政府信息公开工作年度报告\n"
        "一、概述\n2015年，我局认真贯彻落实《中华人民共和国政府信息公开条例》。\n"
        "三、依申请公开政府信息情况\n2015年，我局未收到政府信息公开申请。\n"
        "四、因政府信息公开申请行政复议、提起行政诉讼的情况\n2015年，我局未发生因政府信息公开引发的行政复议、行政诉讼。\n",
        encoding="utf-8",
    )
    report = convert_file(path)
    assert report.generation is Generation.LEGACY
    assert figures_of(report.cells) == {"applications-received": 0, "review": 0, "litigation": 0}


def test_flattened_table_with_this_year_and_cumulative_columns(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text(
        "某某县统计局2017年政府信息公开工作年度报告\n"
        "本报告根据《中华人民共和国政府信息公开条例》编制。\n"
        "附表：政府信息公开情况统计表指标名称计量单位本年数累计数主动公开文件数条3050"
        "受理依申请公开信息总数条314行政复议数件00\n",
        encoding="utf-8",
    )
    values = figures_of(convert_file(path).cells)
    # "3050" = 30 / 50 and "314" = 3 / 14 (the other cuts give a 累计 below the year's figure)
    assert (values["proactive-disclosed"], values["applications-received"], values["review"]) == (30, 3, 0)
