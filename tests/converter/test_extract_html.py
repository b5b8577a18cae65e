"""HTML extraction: the real Shanghai 2019 report end to end, and the HTML shapes real pages take
(Word-exported spans and <br>, &nbsp; blanks, rowspan/colspan, GB charsets, layout tables)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from converter.errors import Severity, SourceUnreadable
from converter.extract import extract
from converter.extract.html import clean_cell, grid_lines
from converter.model import Report
from converter.numbers import BLANK_CELL, parse_number
from converter.pipeline import convert_file
from converter.tables.layout import APPEAL_CELLS, APPLICANT_COLUMNS, REQUEST_ROWS, Generation
from tests.converter.golden import cells_tsv, compare, notes_tsv

FIXTURES = Path(__file__).parents[1] / "fixtures"
SHANGHAI = FIXTURES / "shanghai_municipal_office_2019.html"
AGENCY = "上海市人民政府办公厅"
B = BLANK_CELL


def value(report: Report, *key: str) -> Decimal | None:
    found = [c.value for c in report.cells if c.key == key]
    assert len(found) <= 1, key
    return found[0] if found else None


@pytest.fixture(scope="module")
def shanghai() -> Report:
    return convert_file(SHANGHAI)


def test_shanghai_source_and_template(shanghai: Report) -> None:
    assert (shanghai.meta.agency, shanghai.meta.year) == (AGENCY, 2019)  # the year comes first in this title
    assert shanghai.source.media_type == "text/html"
    assert shanghai.source.pages is None
    assert shanghai.generation is Generation.GEN2019
    assert shanghai.meta.published == "2020-01-31"
    assert shanghai.source.lines[0] == "2019年上海市人民政府办公厅政府信息公开工作年度报告"


def test_shanghai_table3_cells(shanghai: Report) -> None:
    # Read off the HTML: row 一 is 821 | 35 | &nbsp; | &nbsp; | 2 | 1 | 859, and so on.
    expected = {
        ("1", "natural-person"): 821, ("1", "commercial-enterprise"): 35, ("1", "legal-service-institution"): 2,
        ("1", "other-organization"): 1, ("1", "total"): 859,
        ("2", "natural-person"): 18, ("2", "total"): 18,
        ("3.1", "natural-person"): 258, ("3.1", "commercial-enterprise"): 12, ("3.1", "other-organization"): 1,
        ("3.2", "natural-person"): 3,
        ("3.3.1", "natural-person"): 14, ("3.3.6", "commercial-enterprise"): 1, ("3.3.8", "natural-person"): 10,
        ("3.4.1", "natural-person"): 252, ("3.4.1", "legal-service-institution"): 1, ("3.4.3", "natural-person"): 25,
        ("3.5.1", "natural-person"): 148, ("3.5.2", "commercial-enterprise"): 4,
        ("3.7", "natural-person"): 767, ("3.7", "total"): 805,
        ("4", "natural-person"): 72, ("4", "total"): 72,
    }  # fmt: skip
    for (row, column), number in expected.items():
        assert value(shanghai, "table3", row, column) == number, (row, column)
    printed = [c for c in shanghai.cells if c.table == "table3" and c.source_text != "(空白)"]
    assert len(printed) == 35  # every printed number of 表三, no more
    assert all(c.source_text == str(c.value) for c in printed)


def test_shanghai_blank_cells_are_zero_only_where_the_arithmetic_proves_it(shanghai: Report) -> None:
    # The 总计 column is blank in most rows: where the row's applicant cells add up to more than 0,
    # no arithmetic proves the blank 0, so it is left out with a note.
    for row in ("3.1", "3.2", "3.3.1", "3.4.1"):
        assert value(shanghai, "table3", row, "total") is None
    notes = [i.message for i in shanghai.issues if i.code == "blank-cell"]
    assert any("row 3.1, column 总计" in m for m in notes)
    # Blanks that the arithmetic proves 0: row 二's five organisation columns (18 + blanks = 18), the
    # 自然人 blanks of the outcome rows ((七) 767 = the printed outcome cells), all of （六）其他处理.
    assert value(shanghai, "table3", "2", "research-institution") == 0
    assert value(shanghai, "table3", "3.3.2", "natural-person") == 0
    assert value(shanghai, "table3", "3.3.2", "total") == 0  # a row printed all blank: its parts are 0
    assert value(shanghai, "table3", "3.6", "natural-person") == 0
    zeros = [i for i in shanghai.issues if i.code == "blank-read-as-zero" and i.target[0] == "table3"]
    assert {i.target for i in zeros} == {
        c.key for c in shanghai.cells if c.table == "table3" and c.source_text == "(空白)"
    }
    assert all(c.value == 0 for c in shanghai.cells if c.source_text == "(空白)")
    # 表四: 维持 5 + blanks + 尚未审结 2 = 总计 7, so 纠正 and 其他 are 0
    assert value(shanghai, "table4", "review", "corrected") == 0
    # every blank of 表三 is either published as a proven 0 or left out with a note
    assert len(zeros) + len([m for m in notes if m.startswith("表三")]) == 23 * 7 - 35
    assert not [i for i in shanghai.issues if i.code in {"cell-ambiguous", "missing-cell", "not-read"}]


def test_shanghai_tables_2_and_4(shanghai: Report) -> None:
    assert value(shanghai, "table2", "20-1", "regulation", "new-made") == 13
    assert value(shanghai, "table2", "20-1", "normative-document", "total-published") == 368
    assert value(shanghai, "table2", "20-5", "administrative-license", "decisions") == 0
    money = [c for c in shanghai.cells if c.key[-1] == "procurement-amount"]
    assert [(c.value, c.unit, c.column_label) for c in money] == [(251000, "yuan", "采购总金额")]
    assert value(shanghai, "table4", "review", "upheld") == 5
    assert value(shanghai, "table4", "review", "pending") == 2
    assert value(shanghai, "table4", "review", "total") == 7
    assert value(shanghai, "table4", "litigation-direct", "total") == 9
    assert value(shanghai, "table4", "litigation-after-review", "total") == 0  # printed all blank: its sum holds as 0


def test_shanghai_rows_are_full_grids() -> None:
    lines = extract(SHANGHAI).lines
    assert "信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量" in lines  # <br> joins, colspan once
    assert f"一、本年新收政府信息公开申请数量\t821\t35\t{B}\t{B}\t2\t1\t859" in lines
    assert "\t".join(["三、本年度办理结果", "（三）不予公开", "2.其他法律行政法规禁止公开", *[B] * 7]) in lines
    assert "\t".join(["5", B, B, "2", "7", "8", B, B, "1", "9", *[B] * 5]) in lines


def test_shanghai_golden(shanghai: Report) -> None:
    # Made by the BeautifulSoup walk that the lxml one replaced (issue 7): the same lines, cells, notes.
    compare("shanghai-2019-html.lines.txt", "".join(line + "\n" for line in shanghai.source.lines))
    compare("shanghai-2019-html.cells.tsv", cells_tsv(shanghai))
    compare("shanghai-2019-html.notes.tsv", notes_tsv(shanghai))


def write(tmp_path: Path, html: str | bytes, name: str = "report.html") -> Path:
    path = tmp_path / name
    path.write_bytes(html.encode("utf-8") if isinstance(html, str) else html)
    return path


def test_word_html_spans_breaks_and_blanks(tmp_path: Path) -> None:
    html = """<html><body><p class=MsoNormal><span lang=EN-US>一、</span><span>总体</span>
    <span>情况</span></p><table class=MsoTableGrid><tr>
    <td><p><span>申请人情</span><span>况</span></p></td><td><p>本年新<br/>制作数量</p></td>
    <td><p><o:p>&nbsp;</o:p></p></td><td>&nbsp;</td><td><p>12<o:p></o:p></p></td></tr></table></body></html>"""
    doc = extract(write(tmp_path, html))
    assert doc.lines == ("一、总体情况", f"申请人情况\t本年新制作数量\t{B}\t{B}\t12")


def test_rowspan_and_colspan(tmp_path: Path) -> None:
    html = """<table>
    <tr><td rowspan=3>三、本年度办理结果</td><td colspan=2>（一）予以公开</td><td>8</td><td>1</td></tr>
    <tr><td rowspan=2>（三）不予公开</td><td>1.属于国家秘密</td><td rowspan=2>0</td><td>2</td></tr>
    <tr><td>2.其他法律行政法规禁止公开</td><td>3</td></tr></table>"""
    assert extract(write(tmp_path, html)).lines == (
        "三、本年度办理结果\t（一）予以公开\t8\t1",
        "三、本年度办理结果\t（三）不予公开\t1.属于国家秘密\t0\t2",
        # a number spanning rows stands once; the row below keeps its position as a blank
        f"三、本年度办理结果\t（三）不予公开\t2.其他法律行政法规禁止公开\t{B}\t3",
    )


def test_charsets(tmp_path: Path) -> None:
    text = "<p>2019年上海市人民政府办公厅政府信息公开工作年度报告</p><table><tr><td>规章</td><td>13</td></tr></table>"
    meta = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
    declared = f"<html><head>{meta}</head><body>{text}</body></html>"
    western = declared.replace("gb2312", "iso-8859-1")  # a site template's wrong declaration
    for data in (*(page.encode("gb18030") for page in (declared, western, text)), text.encode("utf-8-sig")):
        lines = extract(write(tmp_path, data)).lines
        assert lines == ("2019年上海市人民政府办公厅政府信息公开工作年度报告", "规章\t13")
    # a declared codec that "decodes" to lone surrogates (UTF-7 "+2AA-"), which no parser takes: UTF-8 instead
    assert extract(write(tmp_path, b"<meta charset=utf-7><p>2019+2AA-</p>")).lines == ("2019+2AA-",)


def test_text_in_document_order_without_ruby_scripts_or_comments(tmp_path: Path) -> None:
    html = """<html><head><title>某区2020年政府信息公开工作年度报告</title><template><title>模板</title></template>
    </head><body><table><tr><td><p><b>本年<i>新</i></b>制作<!-- Word -->数量<script>var n = 1;</script></p></td>
    <td><ruby>规<rp>(</rp><rt>guī</rt><rp>)</rp>章</ruby></td><td><span>1</span><span>3</span></td></tr></table>
    <p>注<rt>zhù</rt>：<b>单位<i>万元</i></b></p></body></html>"""
    assert extract(write(tmp_path, html)).lines == (
        "某区2020年政府信息公开工作年度报告", "本年新制作数量\t规章\t13", "注：单位万元",
    )  # fmt: skip


def test_deeply_nested_pages(tmp_path: Path) -> None:
    # libxml2 stops its tree 256 levels deep and drops the rest: such a page is parsed again without
    # that limit; one nested past 2048 levels is refused rather than read in part.
    title = "<p>2019年某区政府信息公开工作年度报告</p>"
    table = "<table><tr><td>规章</td><td>13</td></tr></table>"
    for depth in (250, 300, 1500):
        page = title + "<span>" * depth + "<b>正文</b>" + table
        assert extract(write(tmp_path, page)).lines == ("2019年某区政府信息公开工作年度报告", "正文", "规章\t13")
    with pytest.raises(SourceUnreadable, match="too deep"):
        extract(write(tmp_path, title + "<span>" * 3000 + table))


def test_layout_tables_are_read_as_blocks_and_noise_dropped(tmp_path: Path) -> None:
    html = """<html><head><title>某区2020年政府信息公开工作年度报告</title><style>td{color:red}</style>
    <script>var x = "1|2";</script></head><body><table><tr><td><!-- nav --><p>首页</p>
    <table><tr><td>规章</td><td>1</td><td>2</td></tr></table><div>五、存在的主要问题</div></td></tr></table>
    </body></html>"""
    assert extract(write(tmp_path, html, "page.htm")).lines == (
        "某区2020年政府信息公开工作年度报告", "首页", "规章\t1\t2", "五、存在的主要问题",
    )  # fmt: skip


def test_pipes_and_tabs_in_cells_do_not_split_them(tmp_path: Path) -> None:
    html = "<table><tr><td>甲|乙\t丙</td><td>1</td></tr></table>"
    assert extract(write(tmp_path, html)).lines == ("甲｜乙丙\t1",)


def test_grid_blank_rules() -> None:
    def slots(rows: list[list[str]]) -> dict[tuple[int, int], tuple[object, str]]:
        return {(r, c): ((r, c), text) for r, row in enumerate(rows) for c, text in enumerate(row)}

    lines = grid_lines(
        slots([
            ["", "申请人情况", "", ""],  # empty header cells: not values
            ["一、本年新收", "1", "", "1"],  # a blank between numbers keeps its place
            ["第二十条第（一）项", "", ""],  # a header's empty tail (width 2 ≠ 3)
            ["2.其他法律行政法规禁止公开", "", "", ""],  # a data row printed all blank
        ])
    )  # fmt: skip
    assert lines == [
        "申请人情况", f"一、本年新收\t1\t{B}\t1", "第二十条第（一）项", f"2.其他法律行政法规禁止公开\t{B}\t{B}\t{B}",
    ]  # fmt: skip
    # 表四: a single data row printed all blank is kept as the table's last row
    assert grid_lines(slots([["行政复议", "行政诉讼"], ["", "", ""]])) == ["行政复议\t行政诉讼", f"{B}\t{B}\t{B}"]
    # the blank part of a row cut by a page break (a one-row table piece) is dropped
    assert grid_lines(slots([["", "", ""]])) == []


def test_grid_rows_of_printed_dashes_are_data_rows() -> None:
    """A report that prints every zero as "-" (or "/", "—", "无") has no digit in 表三 at all: its rows
    of dashes are printed values, and set the data-row width as rows with digits do."""

    def slots(rows: list[list[str]]) -> dict[tuple[int, int], tuple[object, str]]:
        return {(r, c): ((r, c), text) for r, row in enumerate(rows) for c, text in enumerate(row)}

    lines = grid_lines(
        slots([
            ["", "申请人情况", "", ""],  # empty header cells: still not values
            ["一、本年新收", "-", "/", "—"],  # printed markers, no digit
            ["第二十条第（一）项", "", ""],  # a header's empty tail (width 2 ≠ 3): still dropped
            ["2.其他法律行政法规禁止公开", "", "", ""],  # all empty, as wide as the row of dashes
            ["四、结转下年度继续办理", "无", "", ""],  # a marker and empty cells
        ])
    )  # fmt: skip
    assert lines == [
        "申请人情况", "一、本年新收\t-\t/\t—", "第二十条第（一）项", f"2.其他法律行政法规禁止公开\t{B}\t{B}\t{B}",
        f"四、结转下年度继续办理\t无\t{B}\t{B}",
    ]  # fmt: skip


def _zero_dash_html(text: str) -> str:
    """A tabbed report as a web page: runs of TAB lines become tables; 表三 and 表四 print "-" for
    every number (an agency with no requests and no appeals)."""
    parts, table, dashes = ["<html><body>"], [], False
    for line in text.splitlines():
        if line.startswith(("三、", "四、")):
            dashes = True
        elif line.startswith("五、"):
            dashes = False
        if "\t" not in line:
            if table:
                parts.append("<table>" + "".join(table) + "</table>")
                table = []
            parts.append(f"<p>{line}</p>")
            continue
        cells = [("-" if dashes and parse_number(c) is not None else c) for c in line.split("\t")]
        table.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return "".join(parts) + "</body></html>"


def test_all_zero_tables_printed_with_dashes_are_read(tmp_path: Path) -> None:
    source = (FIXTURES / "pingtan_2021_tabbed.txt").read_text(encoding="utf-8")
    report = convert_file(write(tmp_path, _zero_dash_html(source)))
    table3 = {c.key[1:]: c.value for c in report.cells if c.table == "table3"}
    table4 = {c.key[1:]: c.value for c in report.cells if c.table == "table4"}
    assert {k[0] for k in table3} == set(REQUEST_ROWS[Generation.GEN2021])
    assert len(table3) == len(REQUEST_ROWS[Generation.GEN2021]) * len(APPLICANT_COLUMNS)
    assert len(table4) == len(APPEAL_CELLS)
    assert set(table3.values()) == set(table4.values()) == {0}
    assert all(i.severity is not Severity.WARNING for i in report.issues if i.target and i.target[0] != "table2")
    # 表二 keeps its numbers
    assert value(report, "table2", "20-5", "administrative-license", "decisions-this-year") == 2293


def test_clean_cell() -> None:
    assert clean_cell("\n （一） 予以\u3000公开 ") == "（一）予以公开"
    assert clean_cell("增 6") == "增 6"
    assert clean_cell("28370\u00a0万元") == "28370 万元"


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"<html><body>  </body></html>", "no text"), (b"\x00\x01<p>x</p>", "cannot decode")],
)
def test_unreadable(tmp_path: Path, data: bytes, reason: str) -> None:
    with pytest.raises(SourceUnreadable, match=reason):
        extract(write(tmp_path, data))
