"""A report read from several files (a web page and its PDF attachment, converter/merge.py) names every
file on its page: the real Huai'an 2024 PDF and its twin page, through the real CLI (convert, load) and
the app over the store."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pytest
from fastapi.testclient import TestClient

from converter.iris import agency_key
from tests.conftest import gongkai
from tests.converter.test_two_sources import page, pdf


@pytest.fixture(scope="module")
def merged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, list[Path]]]:
    from endpoint.app import create_app
    from endpoint.settings import Settings

    work = tmp_path_factory.mktemp("sources")
    files = [pdf(work), page(work, "huaian_2024.html")]
    gongkai("convert", *files, "-o", work / "data.nq", "--quiet")
    gongkai("load", work / "data.nq", "--store", work / "store")
    with TestClient(create_app(Settings(store=work / "store", dumps_dir=work / "dumps"))) as client:
        yield client, files


def test_the_report_page_names_every_file_it_was_read_from(merged: tuple[TestClient, list[Path]]) -> None:
    client, files = merged
    response = client.get(f"/doc/report/{agency_key('淮安市人民政府')}/2024", headers={"Accept": "text/html"})
    assert response.status_code == 200
    doc = lxml.html.fromstring(response.content)
    (term,) = [dt for dt in doc.xpath("//dt") if "来源文件" in dt.text_content()]
    assert "多个文件" in term.text_content()  # several files
    shown = {a.text_content() for a in doc.xpath("//dd/a[@class='iri']") if len(a.text_content()) == 64}
    assert shown == {hashlib.sha256(f.read_bytes()).hexdigest() for f in files}
