"""The real crawled reports beyond the seeds, end to end: every published cell against a golden table
reviewed by hand (tests/fixtures/real/REVIEW.md), the key numbers read off each page, and the
table's own arithmetic on what is published.

The four 平潭 pages print every table on one line with the cells run together; the 河北 教育厅 page
prints one cell per line (row 二 has a blank 总计); the 河北 工信厅 page runs the cells together
again. The comment at each report gives the printed run and how it splits.
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from converter.model import Report
from converter.options import ConvertOptions, read_manifest
from converter.pipeline import convert_file
from converter.tables.layout import APPEAL_CELLS, APPLICANT_COLUMNS, Generation
from tests.converter.golden import cells_tsv, compare, notes_tsv

FIXTURES = Path(__file__).parents[1] / "fixtures"
PINGTAN = FIXTURES / "pingtan"  # the 平潭 pages, copied byte for byte before this file existed
REAL = FIXTURES / "real"
MANIFEST = REAL / "hebei_manifest.csv"  # the crawl's record: the 河北 pages keep their title apart

REPORTS = {
    "pingtan-2018": PINGTAN / "pingtan_2018_page.txt",
    "pingtan-2019": PINGTAN / "pingtan_2019_page.txt",
    "pingtan-2021": PINGTAN / "pingtan_2021_page.txt",
    "pingtan-2023": PINGTAN / "pingtan_2023_page.txt",
    "hebei-jyt-2021": REAL / "hebei_jyt_2021.txt",
    "hebei-gxt-2022": REAL / "hebei_gxt_2022.txt",
}
TEMPLATE_REPORTS = [name for name in REPORTS if name != "pingtan-2018"]
TOTAL = "total"


@cache
def report(name: str) -> Report:
    path = REPORTS[name]
    options = ConvertOptions(manifest=read_manifest(MANIFEST)) if path.parent == REAL else None
    return convert_file(path, options)


def value(rep: Report, *key: str) -> Decimal | None:
    found = [c.value for c in rep.cells if c.key == key]
    assert len(found) <= 1, key
    return found[0] if found else None


def table3(rep: Report) -> dict[str, list[Decimal]]:
    """表三 as rows of seven values in the template's column order (自然人 … 其他, 总计)."""
    rows: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for c in rep.cells:
        if c.table == "table3":
            rows[c.key[1]][c.key[2]] = c.value
    return {r: [cols[k] for k in APPLICANT_COLUMNS] for r, cols in rows.items()}


def table4(rep: Report) -> list[Decimal]:
    """表四's fifteen values in print order (复议, 未经复议直接起诉, 复议后起诉; each 维持/纠正/其他/尚未审结/总计)."""
    cells = {c.key[1:]: c.value for c in rep.cells if c.table == "table4"}
    return [cells[cell] for cell in APPEAL_CELLS]


# --------------------------------------------------------------------------------------------
# golden cell and note tables


@pytest.mark.parametrize("name", list(REPORTS))
def test_golden_cells_and_notes(name: str) -> None:
    rep = report(name)
    compare(f"{name}.cells.tsv", cells_tsv(rep))
    compare(f"{name}.notes.tsv", notes_tsv(rep))


@pytest.mark.parametrize(
    ("name", "agency", "year", "generation"),
    [
        ("pingtan-2018", "平潭综合实验区", 2018, Generation.LEGACY),
        ("pingtan-2019", "平潭综合实验区", 2019, Generation.GEN2019),
        ("pingtan-2021", "平潭综合实验区", 2021, Generation.GEN2021),
        ("pingtan-2023", "平潭综合实验区", 2023, Generation.GEN2021),
        ("hebei-jyt-2021", "河北省教育厅", 2021, Generation.GEN2021),  # agency from the manifest
        ("hebei-gxt-2022", "河北省工业和信息化厅", 2022, Generation.GEN2021),
    ],
)
def test_agency_year_and_template(name: str, agency: str, year: int, generation: Generation) -> None:
    rep = report(name)
    assert (rep.meta.agency, rep.meta.year, rep.generation) == (agency, year, generation)


# --------------------------------------------------------------------------------------------
# key numbers as printed: 表三 rows 一/二/三（一）/三（七）/四 总计 and the three 表四 总计

KEY = {
    # "一、本年新收…数量230 000023" = 23|0|0|0|0|0|23; "（一）予以公开7000007"; "（七）总计23 0 00 0 023";
    # "四、结转下年度继续办理 0 0 00 00 0"; 表四 "000000000000000": fifteen zeros.
    "pingtan-2019": {"1": 23, "2": 0, "3.1": 7, "3.7": 23, "4": 0, "review": 0, "direct": 0, "after": 0},
    # "640020470" = 64|0|0|2|0|4|70; "270020130" = 27|0|0|2|0|1|30 (2|7|0|0|20|1|30 also adds up to 30:
    # the column sums decide); "630020469" = 63|0|0|2|0|4|69; 四 "1000001";
    # 表四 "10203120001200000" = 1|0|2|0|3 · 12|0|0|0|12 · 0|0|0|0|0.
    "pingtan-2021": {"1": 70, "2": 0, "3.1": 30, "3.7": 69, "4": 1, "review": 3, "direct": 12, "after": 0},
    # "801000081" = 80|1|0|0|0|0|81 (一 and （七）); "220000022" = 22|0|0|0|0|0|22;
    # 表四 "110024001510102" = 1|1|0|0|2 · 4|0|0|1|5 · 1|0|1|0|2.
    "pingtan-2023": {"1": 81, "2": 0, "3.1": 22, "3.7": 81, "4": 0, "review": 2, "direct": 5, "after": 2},
    # one cell per line: 一 34/1/0/0/2/0/37; 二 0/0/0/0/0/0 and a blank 总计; (一) 16/0/0/0/2/0/18;
    # (七) 34/1/0/0/2/0/37; 四 seven 0s; 表四 0 0 0 0 0 · 6 0 0 0 6 · 2 0 0 0 2.
    "hebei-jyt-2021": {"1": 37, "2": 0, "3.1": 18, "3.7": 37, "4": 0, "review": 0, "direct": 6, "after": 2},
    # "121010014" = 12|1|0|1|0|0|14 (1|2|1|0|10|0|14 and 1|2|10|1|0|0|14 fit the row total too; the
    # outcome rows' column sums decide); "3101005"; 表四 "100010000010001" = 1|0|0|0|1 · 0×5 · 1|0|0|0|1.
    "hebei-gxt-2022": {"1": 14, "2": 0, "3.1": 5, "3.7": 14, "4": 0, "review": 1, "direct": 0, "after": 1},
}


@pytest.mark.parametrize("name", list(KEY))
def test_key_totals_as_printed(name: str) -> None:
    rep, key = report(name), KEY[name]
    for row in ("1", "2", "3.1", "3.7", "4"):
        assert value(rep, "table3", row, TOTAL) == key[row], row
    for group, short in (("review", "review"), ("litigation-direct", "direct"), ("litigation-after-review", "after")):
        assert value(rep, "table4", group, TOTAL) == key[short], group


def test_pingtan_2021_rows_split_by_the_column_sums() -> None:
    t3 = table3(report("pingtan-2021"))
    assert t3["1"] == [64, 0, 0, 2, 0, 4, 70]
    assert t3["3.1"] == [27, 0, 0, 2, 0, 1, 30]  # not 2|7|0|0|20|1
    assert t3["3.4.1"] == [22, 0, 0, 0, 0, 3, 25]  # "220000325", not 2|20|0|0|0|3
    assert table4(report("pingtan-2021")) == [1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0]


def test_pingtan_2023_rows_split_by_the_column_sums() -> None:
    t3 = table3(report("pingtan-2023"))
    assert t3["3.2"] == [19, 1, 0, 0, 0, 0, 20]  # "191000020", not 1|9|10|0|0|0
    assert t3["3.4.1"] == [31, 0, 0, 0, 0, 0, 31]
    assert t3["3.6.1"] == [1, 0, 0, 0, 0, 0, 1]  # "10000012.申请人逾期…": the "2." numbers the next row


def test_hebei_gxt_first_row_split_by_the_outcome_rows() -> None:
    t3 = table3(report("hebei-gxt-2022"))
    assert t3["1"] == t3["3.7"] == [12, 1, 0, 1, 0, 0, 14]
    assert t3["3.1"] == [3, 1, 0, 1, 0, 0, 5]
    assert t3["3.4.1"] == [8, 0, 0, 0, 0, 0, 8]


def test_hebei_jyt_blank_total_of_row_two_is_proved_zero() -> None:
    rep = report("hebei-jyt-2021")
    # the page prints six 0s for row 二 and leaves its 总计 blank: six 0s add up to 0, and 一 37 + 二 = (七) 37 + 四 0
    assert table3(rep)["2"] == [0] * 7
    assert any(i.code == "missing-cell" and "row 2 " in i.message for i in rep.issues)
    assert table3(rep)["3.5.1"] == [14, 1, 0, 0, 0, 0, 15]


def test_table2_runs_that_split_more_than_one_way_are_left_out() -> None:
    # "行政规范性文件693665" (69/3/665 or 6/93/665 …): 表二 has no arithmetic to decide.
    rep = report("pingtan-2021")
    assert not [c for c in rep.cells if c.key[:3] == ("table2", "20-1", "administrative-normative-document")]
    assert any(i.code == "cell-ambiguous" and "693665" in i.message for i in rep.issues)
    assert value(rep, "table2", "20-1", "administrative-normative-document", "issued") is None
    # one-cell rows are read: "行政许可2293", "行政事业性收费24252.311082" (万元)
    assert value(rep, "table2", "20-5", "administrative-license", "decisions-this-year") == 2293
    assert value(rep, "table2", "20-8", "administrative-fee", "fee-amount") == Decimal("24252.311082")
    # the 教育厅 page prints one cell per line, so 7 / 25 / 181 need no splitting
    jyt = report("hebei-jyt-2021")
    assert [
        value(jyt, "table2", "20-1", "administrative-normative-document", c) for c in ("issued", "repealed", "in-force")
    ] == [7, 25, 181]


def test_pingtan_2018_legacy_table() -> None:
    rep = report("pingtan-2018")
    # "主动公开文件数条206912106": 2069|12106, 206|912106 or 20|6912106 -- the table alone cannot tell,
    # so the 本年度 figure comes from the prose "2018年全区主动公开政府信息2069条", with a note.
    legacy = {c.key[-1]: c.value for c in rep.cells if c.table == "legacy"}
    assert legacy["proactive-disclosed"] == 2069
    assert any(i.code == "legacy-from-prose" for i in rep.issues)
    assert "proactive-website" not in legacy  # "政府网站公开数条206912106": ambiguous, left out
    # every other row prints "00" (本年度 0, 历年累计 0); only the 本年度 column is published
    assert legacy["applications-received"] == legacy["answered"] == legacy["review"] == legacy["litigation"] == 0
    assert len(legacy) == 14
    assert Decimal(12106) not in legacy.values()


# --------------------------------------------------------------------------------------------
# what is published holds the template's arithmetic and re-joins to the printed run


def _outcome_rows(rows: list[str]) -> list[str]:
    return [r for r in rows if r.startswith("3.") and r != "3.7" and not any(o.startswith(r + ".") for o in rows)]


@pytest.mark.parametrize("name", TEMPLATE_REPORTS)
def test_published_tables_hold_their_arithmetic(name: str) -> None:
    t3 = table3(report(name))
    assert len(t3) == (23 if name == "pingtan-2019" else 25)  # every row of the template, all seven cells
    for row, cells in t3.items():
        assert sum(cells[:6]) == cells[6], f"row {row}: six applicant columns ≠ 总计"
    outcomes = _outcome_rows(list(t3))
    for k, column in enumerate(APPLICANT_COLUMNS):
        assert t3["1"][k] + t3["2"][k] == t3["3.7"][k] + t3["4"][k], f"{column}: 一 + 二 ≠ 三（七）+ 四"
        assert sum(t3[r][k] for r in outcomes) == t3["3.7"][k], f"{column}: （七） ≠ the outcome rows"
    t4 = table4(report(name))
    for g in range(3):
        assert sum(t4[5 * g : 5 * g + 4]) == t4[5 * g + 4], f"表四 group {g}: 维持+纠正+其他+尚未审结 ≠ 总计"


@pytest.mark.parametrize("name", ["pingtan-2019", "pingtan-2021", "pingtan-2023", "hebei-gxt-2022"])
def test_split_cells_rejoin_to_the_printed_run(name: str) -> None:
    rep = report(name)
    runs = {c.key[1]: c.source_text for c in rep.cells if c.table == "table3"}
    for row, cells in table3(rep).items():
        assert "".join(str(v) for v in cells) == re.sub(r"\s", "", runs[row]), row
    appeal = {c.source_text for c in rep.cells if c.table == "table4"}
    assert len(appeal) == 1
    assert "".join(str(v) for v in table4(rep)) == appeal.pop()
