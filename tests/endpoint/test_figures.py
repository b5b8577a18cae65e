"""``/figures``: national and provincial figures from the aggregate cubes, as charts, tables and
CSV/JSON twins - numbers checked against the seed reports' own cells."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

import lxml.html
import pytest
from fastapi.testclient import TestClient

from converter.output import report_nquads
from converter.pipeline import convert_file
from endpoint.app import create_app, reload_release
from endpoint.settings import Settings
from tests.conftest import gongkai

SEEDS = sorted((Path(__file__).resolve().parents[2] / "data" / "seeds").glob("*.txt"))
PROVINCE_OF = {
    "六安市裕安区人民政府": "34",
    "偃师市人民政府办公室": "41",
    "安庆市人民政府": "34",
    "相山经济开发区": None,
    "三明市梅列区人民政府": "35",
}


@pytest.fixture(scope="module")
def row_totals() -> dict[tuple[str | None, str, str], int]:
    """Sum of the 总计 column of each 表三 row, per (province or None, year, row), from the seeds."""
    sums: Counter[tuple[str | None, str, str]] = Counter()
    for path in SEEDS:
        report = convert_file(path)
        for cell in report.cells:
            codes = dict(cell.codes)
            if cell.table == "table3" and codes.get("applicant") == "total":
                sums[(PROVINCE_OF[report.meta.agency], str(report.meta.year), codes["request"])] += int(cell.value)
    return dict(sums)


def _table(html: str, table_id: str) -> dict[tuple[str, str], str]:
    """(row label's notation, year) -> cell text of a figures table."""
    doc = lxml.html.fromstring(html)
    table = doc.get_element_by_id(table_id)
    years = [th.text_content().strip() for th in table.xpath("./thead/tr/th")][1:]
    out = {}
    for tr in table.xpath("./tbody/tr"):
        notation = tr.xpath("./th")[0].text_content().split()[0]
        for year, td in zip(years, tr.xpath("./td"), strict=True):
            out[(notation, year)] = td.text_content().strip()
    return out


def test_national_figures_are_the_sums_of_all_reports(client: TestClient, row_totals: dict) -> None:
    page = client.get("/figures", headers={"Accept-Language": "zh"})
    assert page.status_code == 200
    cells = _table(page.text, "table-applications")
    national: Counter[tuple[str, str]] = Counter()
    for (_, year, row), value in row_totals.items():
        national[(year, row)] += value
    assert national[("2020", "1")] > 0
    for (year, row), value in national.items():
        assert cells[(row, year)] == str(value), (row, year)
    doc = lxml.html.fromstring(page.text)
    assert len(doc.xpath("//figure[@class='chart']/*[local-name()='svg']/*[local-name()='desc']")) == 4
    # the provinces that have agencies, and no others
    links = {a.get("href") for a in doc.xpath("//nav[@class='places']//a")}
    assert links == {f"/figures?province={p}&lang=zh" for p in ("34", "35", "41")}


def test_a_province_shows_only_its_agencies_reports(client: TestClient, row_totals: dict) -> None:
    page = client.get("/figures", params={"province": "34", "lang": "en"})
    assert page.status_code == 200 and "Anhui" in page.text
    cells = _table(page.text, "table-applications")
    anhui = {(year, row): v for (p, year, row), v in row_totals.items() if p == "34"}
    assert anhui  # 六安市裕安区 2020 (安庆市 2017 is a legacy report: no 表三)
    for (year, row), value in anhui.items():
        assert cells[(row, year)] == str(value)
    assert {year for _, year in cells} == {"2020"}


def test_figures_twins_hold_the_same_numbers(client: TestClient, row_totals: dict) -> None:
    text = client.get("/figures.csv", params={"province": "41"}).text
    rows = list(csv.DictReader(io.StringIO(text)))
    henan = {(year, row): v for (p, year, row), v in row_totals.items() if p == "41"}
    got = {(r["year"], r["request"]): int(r["count"]) for r in rows if r["request"]}
    assert got == henan
    assert {r["province"] for r in rows} == {"41"}
    assert any(r["proceeding"] and r["result"] for r in rows)  # 表四 too
    body = json.loads(client.get("/figures.json").content)
    assert body["scope"] == "national" and body["province"] is None
    assert body["columns"][:3] == ["dataset", "province", "year"] and body["items"]
    link = client.get("/figures").headers["link"]
    assert "/figures.csv" in link and "/figures.json" in link


def test_unknown_province_is_404_with_a_hint(client: TestClient) -> None:
    r = client.get("/figures", params={"province": "99"})
    assert r.status_code == 404 and "GB/T 2260" in r.text


def test_home_and_every_page_link_to_the_figures(client: TestClient) -> None:
    for path in ("/", "/agencies"):
        doc = lxml.html.fromstring(client.get(path, headers={"Accept": "text/html"}).text)
        assert doc.xpath("//a[starts-with(@href, '/figures')]"), path


def _province_links(html: str) -> dict[str, str]:
    """The provinces the page offers: code → title (their number of agencies)."""
    doc = lxml.html.fromstring(html)
    return {
        a.get("href").split("province=")[1].split("&")[0]: a.get("title")
        for a in doc.xpath("//a[contains(@href, '/figures?province=') and @title]")
    }


def test_the_provinces_listed_follow_a_reload(tmp_path: Path, seeds_nq: Path, settings: Settings) -> None:
    """The provinces are counted when a release is served (endpoint.app.serve_release): a report
    of an agency in a new province shows after the reload, not before."""
    from bench.generate import Spec, build_report

    store = tmp_path / "store"
    gongkai("load", seeds_nq, "--store", store)
    guangzhou = tmp_path / "guangzhou.nq"
    guangzhou.write_bytes(report_nquads(build_report(Spec(0, "广州市天河区人民政府", 2021, 5.0), 1), settings.base_url))
    with TestClient(create_app(replace(settings, store=store))) as c:
        before = _province_links(c.get("/figures").text)
        assert set(before) == {"34", "35", "41"} and "44" not in before
        gongkai("load", guangzhou, "--store", store)
        assert _province_links(c.get("/figures?province=34").text).keys() == before.keys() - {"34"}  # old release
        assert reload_release(c.app)  # type: ignore[arg-type]
        after = _province_links(c.get("/figures").text)
        assert set(after) == {"34", "35", "41", "44"}
        assert after["44"].startswith("1 ")  # one agency
        assert c.get("/figures", params={"province": "44"}).status_code == 200
