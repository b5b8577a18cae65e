"""The five seed reports: every table cell as the report states it, the right metadata, the
quality notes their defects call for, and RDF identical to the reviewed golden files."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from converter.emit import emit_report
from converter.model import Report
from converter.output import sorted_nquads
from converter.pipeline import convert_file
from converter.tables.layout import APPEAL_CELLS, APPLICANT_COLUMNS, DISCLOSURE_ROWS, REQUEST_ROWS, Generation
from tests.converter.golden import cells_tsv, compare, notes_tsv

SEEDS = Path(__file__).parents[2] / "data" / "seeds"
BASE = "http://localhost:8000"

EXPECTED = {
    "000_c5b0e1e384a688a1.txt": ("六安市裕安区人民政府", 2020, Generation.GEN2019),
    "001_bb4a37aecf3039ed.txt": ("偃师市人民政府办公室", 2020, Generation.GEN2019),
    "002_f1fd73b47f0d3510.txt": ("安庆市人民政府", 2017, Generation.LEGACY),
    "003_e68ad832c72094de.txt": ("相山经济开发区", 2020, Generation.GEN2019),
    "004_fcf6f2f4fa3c5b01.txt": ("三明市梅列区人民政府", 2020, Generation.GEN2019),
}


@pytest.fixture(scope="module")
def reports() -> dict[str, Report]:
    return {name: convert_file(SEEDS / name) for name in EXPECTED}


def value(report: Report, *key: str) -> Decimal:
    found = [c.value for c in report.cells if c.key == key]
    assert len(found) == 1, f"{key}: {len(found)} cells"
    return found[0]


def codes(report: Report) -> set[str]:
    return {i.code for i in report.issues}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_metadata(reports: dict[str, Report], name: str) -> None:
    agency, year, generation = EXPECTED[name]
    report = reports[name]
    assert (report.meta.agency, report.meta.year, report.generation) == (agency, year, generation)


@pytest.mark.parametrize("name", [n for n, e in EXPECTED.items() if e[2] is not Generation.LEGACY])
def test_every_template_cell_is_read(reports: dict[str, Report], name: str) -> None:
    report = reports[name]
    keys = {c.key for c in report.cells}
    table3 = {("table3", r, c) for r in REQUEST_ROWS[report.generation] for c in APPLICANT_COLUMNS}
    table4 = {("table4", p, r) for p, r in APPEAL_CELLS}
    table2 = {
        ("table2", row.provision, row.item, column)
        for row in DISCLOSURE_ROWS[report.generation]
        for column, _ in row.columns
    }
    assert keys == table2 | table3 | table4


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_golden_cells(reports: dict[str, Report], name: str) -> None:
    stem = "seed-" + name[:3]
    compare(f"{stem}.cells.tsv", cells_tsv(reports[name]))
    compare(f"{stem}.notes.tsv", notes_tsv(reports[name]))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_golden_rdf(reports: dict[str, Report], name: str) -> None:
    compare(f"seed-{name[:3]}.nq", sorted_nquads(emit_report(reports[name], BASE)))


def test_seed_000_signed_changes_and_money_unit(reports: dict[str, Report]) -> None:
    r = reports["000_c5b0e1e384a688a1.txt"]
    assert value(r, "table2", "20-5", "administrative-license", "change") == 6
    assert value(r, "table2", "20-5", "other-management-service", "change") == -540
    money = next(c for c in r.cells if c.key == ("table2", "20-9", "centralized-procurement", "procurement-amount"))
    assert (money.value, money.unit, money.source_text) == (28370, "wan-yuan", "28370 万元")
    assert value(r, "table3", "1", "total") == 15
    assert value(r, "table3", "3.3.8", "natural-person") == 1


def test_seed_001_short_rows_are_placed_by_arithmetic(reports: dict[str, Report]) -> None:
    r = reports["001_bb4a37aecf3039ed.txt"]
    assert value(r, "table3", "3.4.1", "natural-person") == 5
    assert value(r, "table3", "3.4.1", "commercial-enterprise") == 0
    assert value(r, "table3", "3.4.1", "total") == 5
    assert value(r, "table3", "3.6", "natural-person") == 13
    inferred = {i.target for i in r.issues if i.code == "cell-inferred"}
    assert ("table3", "3.4.1", "natural-person") in inferred
    missing = [i for i in r.issues if i.code == "missing-cell"]
    assert len(missing) == 18  # rows 3.1 … 3.5.5 each lost one cell
    money = next(c for c in r.cells if c.key == ("table2", "20-9", "centralized-procurement", "procurement-amount"))
    assert (money.value, money.unit) == (7, "wan-yuan")
    assert "unit-from-header" in codes(r)
    assert value(r, "table4", "review", "upheld") == 1


def test_seed_002_legacy_figures(reports: dict[str, Report]) -> None:
    r = reports["002_f1fd73b47f0d3510.txt"]
    expected = {
        "applications-received": 994,
        "already-public": 212,
        "granted": 472,
        "partially-granted": 89,
        "refused": 31,
        "not-this-agency": 72,
        "referred-elsewhere": 116,
        "review": 5,
        "not-exist": 1,
        "asked-to-amend": 1,
        "answered": 994,
    }
    for notation, number in expected.items():
        assert value(r, "legacy", notation) == number, notation
    proactive = next(c for c in r.cells if c.key == ("legacy", "proactive-disclosed"))
    assert (proactive.value, proactive.unit) == (Decimal("18.77"), "wan-tiao")
    assert {"digits-lost", "legacy-from-prose", "not-read"} <= codes(r)
    assert r.meta.published == "2018-03-26"


def test_seed_003_word_cells(reports: dict[str, Report]) -> None:
    r = reports["003_e68ad832c72094de.txt"]
    assert all(c.value == 0 for c in r.cells)
    assert "unit-missing" in codes(r)


def test_seed_004_no_title_and_truncated_header(reports: dict[str, Report]) -> None:
    r = reports["004_fcf6f2f4fa3c5b01.txt"]
    assert {"title-missing", "agency-inferred", "truncated-header", "unit-missing"} <= codes(r)
    assert value(r, "table2", "20-5", "administrative-license", "decisions") == 10231
    money = next(c for c in r.cells if c.key == ("table2", "20-9", "centralized-procurement", "procurement-amount"))
    assert (money.value, money.unit) == (21756705, None)
    flagged = {i.target for i in r.issues if i.code == "unit-missing"}
    assert ("table2", "20-9", "centralized-procurement", "procurement-amount") in flagged
