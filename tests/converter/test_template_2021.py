"""The 2021 template (国办公开办函〔2021〕30号): 表二's new columns and rows, 表三 （六） as rows
3.6.1–3.6.3, the generation detected from the tables themselves.

``pingtan_2021_tabbed.txt`` is the pingtan 2021 page's tables laid out as tab-separated rows, with
the values the run-together reader published from the crawl (and 69/3/665 for the one 表二 run,
"693665", that it rightly refuses to split); both readers must agree cell for cell.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from converter.pipeline import convert_file
from converter.tables.layout import APPLICANT_COLUMNS, REQUEST_ROWS, Generation

FIXTURES = Path(__file__).parents[1] / "fixtures"


def test_2021_layout_is_read() -> None:
    report = convert_file(FIXTURES / "pingtan_2021_tabbed.txt")
    assert report.generation is Generation.GEN2021
    assert "本年制发件数" in report.evidence
    values = {c.key: c.value for c in report.cells}
    rows = {k[1] for k in values if k[0] == "table3"}
    assert rows == set(REQUEST_ROWS[Generation.GEN2021])
    assert {"3.6.1", "3.6.2", "3.6.3"} <= rows and "3.6" not in rows
    assert values[("table2", "20-1", "administrative-normative-document", "in-force")] == 665
    assert values[("table2", "20-5", "administrative-license", "decisions-this-year")] == 2293
    fee = next(c for c in report.cells if c.key[2] == "administrative-fee")
    assert (fee.value, fee.unit) == (Decimal("24252.311082"), "wan-yuan")
    assert values[("table3", "1", "total")] == 70
    assert values[("table3", "3.7", "total")] == 69
    assert values[("table3", "4", "total")] == 1
    assert sum(values[("table3", "1", c)] for c in APPLICANT_COLUMNS[:-1]) == 70
    assert [i.code for i in report.issues] == ["unit-from-header"]


def test_tabbed_and_run_together_readers_agree() -> None:
    tabbed = {c.key: c.value for c in convert_file(FIXTURES / "pingtan_2021_tabbed.txt").cells}
    flat = {c.key: c.value for c in convert_file(FIXTURES / "pingtan" / "pingtan_2021_page.txt").cells}
    assert set(tabbed) - set(flat) == {
        ("table2", "20-1", "administrative-normative-document", c) for c in ("issued", "repealed", "in-force")
    }
    assert all(tabbed[k] == v for k, v in flat.items())
