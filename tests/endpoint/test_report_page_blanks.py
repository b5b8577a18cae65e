"""The report page says which blank cells were read as 0 and which were left out (issue 17), and shows a
2021-format report that printed （六）其他处理 as one row with that row. Real files through the real CLI
(convert, load) and the app over the store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pytest
from fastapi.testclient import TestClient

from converter.iris import agency_key
from tests.conftest import gongkai

FIXTURES = Path(__file__).parents[1] / "fixtures"
SHANGHAI = FIXTURES / "shanghai_municipal_office_2019.html"  # the 总计 column printed blank in most rows
ONE_ROW_OTHER = FIXTURES / "made" / "d_one_row_other_2024.pdf"  # a 2021 表三 with a one-row （六）


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    from endpoint.app import create_app
    from endpoint.settings import Settings

    work = tmp_path_factory.mktemp("blanks")
    data = work / "data.nq"
    gongkai("convert", SHANGHAI, ONE_ROW_OTHER, "-o", data, "--quiet")
    gongkai("load", data, "--store", work / "store")
    with TestClient(create_app(Settings(store=work / "store", dumps_dir=work / "dumps"))) as c:
        yield c


def page(client: TestClient, agency: str, year: int) -> lxml.html.HtmlElement:
    response = client.get(f"/doc/report/{agency_key(agency)}/{year}", headers={"Accept": "text/html"})
    assert response.status_code == 200
    return lxml.html.fromstring(response.content)


def test_blanks_read_as_zero_and_blanks_left_out_are_told_apart(client: TestClient) -> None:
    doc = page(client, "上海市人民政府办公厅", 2019)
    zeros = doc.xpath("//section[@id='table3']//td[contains(@class,'blank-zero')]")
    assert zeros, "cells printed blank and read as 0 are marked"
    assert all(td.text_content().strip().startswith("0") and "blank-read-as-zero" in td.text_content() for td in zeros)
    # 予以公开's 总计 is printed blank above 272 printed cells: not published, and the cell says why
    row = doc.xpath("//section[@id='table3']//tr[@id='row-3.1']")[0]
    total = row.xpath("./td")[-1]
    assert "missing" in total.get("class") and "数据质量说明" in (total.get("title") or "")  # see the quality notes
    assert doc.xpath("//section[@id='table3']//p[contains(@class,'legend')]")


def test_a_one_row_other_handling_is_shown_on_its_row(client: TestClient) -> None:
    doc = page(client, "淮安市人民政府", 2024)
    assert doc.xpath("//section[@id='table3']//tr[@id='row-3.6']/td[contains(@class,'num')]")
    assert not doc.xpath("//section[@id='table3']//tr[@id='row-3.6.1']")
