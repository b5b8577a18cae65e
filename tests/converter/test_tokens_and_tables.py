"""The three text shapes of the seeds read into the same rows; the arithmetic placement of short rows."""

from decimal import Decimal
from pathlib import Path

from converter.detect import detect_generation, locate_tables
from converter.model import SourceDoc
from converter.solve import row_candidates
from converter.tables.layout import Generation
from converter.tables.table3 import read_table3
from converter.tables.table4 import read_table4
from converter.tokens import group_rows, tokenize

D = Decimal


def doc(text: str) -> SourceDoc:
    return SourceDoc(path=Path("x.txt"), sha256="0" * 64, media_type="text/plain", lines=tuple(text.split("\n")))


def rows_of(text: str) -> list[tuple[str, list[str]]]:
    return [(r.label, [t.text for t in r.values]) for r in group_rows(tokenize(doc(text)))]


def test_tab_separated() -> None:
    assert rows_of("\t(一) 予以公开\t8\t1\t0\t0\t0\t0\t9\t") == [("(一) 予以公开", ["8", "1", "0", "0", "0", "0", "9"])]


def test_one_cell_per_line() -> None:
    assert rows_of("\t规章\n\t0\n\t 0\n\t0 \n") == [("规章", ["0", "0", "0"])]


def test_pipe_separated() -> None:
    assert rows_of("规章 |\n0 |\n0 |\n1 |\n|\n") == [("规章", ["0", "0", "1"])]


def test_markdown_rule_and_word_bookmark_are_dropped() -> None:
    assert rows_of("-------------\t---\n[bookmark: _GoBack]（五）不予处理\t0") == [("(五)不予处理", ["0"])]


def test_short_row_candidates_use_the_row_total() -> None:
    candidates = row_candidates([D(5), D(0), D(0), D(0), D(0), D(5)], 7, [((0, 1, 2, 3, 4, 5), 6)])
    assert (D(5), D(0), D(0), D(0), D(0), D(0), D(5)) in candidates
    assert (D(0), D(5), D(0), D(0), D(0), D(0), D(5)) in candidates
    assert all(sum(c[:6]) == c[6] for c in candidates)


TABLE3 = "\n".join(
    [
        "一、本年新收政府信息公开申请数量\t3\t0\t0\t0\t0\t0\t3",
        "二、上年结转政府信息公开申请数量\t0\t0\t0\t0\t0\t0\t0",
        *[f"row{i}\t0\t0\t0\t0\t0\t0\t0" for i in range(18)],
        "（六）其他处理\t3\t0\t0\t0\t0\t3",  # lost a cell: which one is decided by the arithmetic
        "（七）总计\t3\t0\t0\t0\t0\t0\t3",
        "四、结转下年度继续办理\t0\t0\t0\t0\t0\t0\t0",
    ]
)


def test_short_row_resolved_and_flagged() -> None:
    tokens = tokenize(doc(TABLE3))
    cells, issues = read_table3(tokens, Generation.GEN2019)
    values = {c.key: c.value for c in cells}
    assert values[("table3", "3.6", "natural-person")] == 3
    assert values[("table3", "3.6", "total")] == 3
    assert {i.code for i in issues} >= {"missing-cell", "cell-inferred"}


def test_short_row_never_publishes_a_wrong_number() -> None:
    truth = ["1", "1", "0", "0", "0", "0", "2"]
    text = (
        TABLE3.replace(
            "一、本年新收政府信息公开申请数量\t3\t0\t0\t0\t0\t0\t3",
            "一、本年新收政府信息公开申请数量\t" + "\t".join(truth),
        )
        .replace("（七）总计\t3\t0\t0\t0\t0\t0\t3", "（七）总计\t" + "\t".join(truth))
        .replace("（六）其他处理\t3\t0\t0\t0\t0\t3", "（六）其他处理\t1\t1\t0\t0\t2")  # two cells lost
    )
    cells, issues = read_table3(tokenize(doc(text)), Generation.GEN2019)
    from converter.tables.layout import APPLICANT_COLUMNS

    published = {c.key[2]: c.value for c in cells if c.key[1] == "3.6"}
    assert published, "the arithmetic decides some of the row"
    for column, value in published.items():
        assert value == Decimal(truth[APPLICANT_COLUMNS.index(column)]), column
    assert len(published) < 7
    assert any(i.code == "cell-ambiguous" for i in issues)


def test_table4_sums_are_checked() -> None:
    tokens = tokenize(doc("行政复议\n1\t0\t0\t0\t2\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0"))
    cells, _ = read_table4(tokens)
    assert len(cells) == 15
    from converter.checks import check_cells

    problems = check_cells(cells, Generation.GEN2019)
    assert problems[0].target == ("table4", "review", "total")
    # every other cell of the sum that does not hold is flagged too: any of them may be the misread one
    assert {p.target for p in problems[1:]} == {
        ("table4", "review", r) for r in ("upheld", "corrected", "other", "pending")
    }
    assert all(p.code == "sum-mismatch" for p in problems)


def test_generation_is_detected_from_the_tables() -> None:
    text = "第二十条第（一）项\n信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n规章\t0\t0\t0\n" + TABLE3
    tokens = tokenize(doc(text))
    generation, evidence = detect_generation(tokens, locate_tables(tokens), 2021)
    assert generation is Generation.GEN2021
    assert "本年制发件数" in evidence
