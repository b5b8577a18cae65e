"""The /doc, /def and /code HTML pages in Chinese or English: ``?lang=`` or ``Accept-Language``
(the same choice as the pages of routes/pages.py), a switch link, ``Vary: Accept-Language``."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
from fastapi.testclient import TestClient

from converter.iris import agency_key

AGENCY = agency_key("偃师市人民政府办公室")
REPORT = f"/doc/report/{AGENCY}/2020"
OBS = f"{REPORT}/table3/3.4.1/natural-person"
HTML = {"Accept": "text/html"}


def get(client: TestClient, path: str, **headers: str) -> lxml.html.HtmlElement:
    r = client.get(path, headers={**HTML, **headers})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    vary = {v.strip() for v in r.headers["vary"].split(",")}
    assert {"Accept", "Accept-Language"} <= vary
    return lxml.html.fromstring(r.content)


def switch(doc: lxml.html.HtmlElement) -> str:
    (href,) = doc.xpath("//a[contains(@class,'lang-switch')]/@href")
    return href


def test_report_in_english(client: TestClient) -> None:
    doc = get(client, REPORT, **{"Accept-Language": "en-GB,en;q=0.9,zh;q=0.5"})
    assert doc.get("lang") == "en"
    headings = [h.text_content() for h in doc.xpath("//h2")]
    assert "Table 3: applications received and handled" in headings
    assert "Quality notes" in headings
    assert not any("表三" in h for h in headings)
    assert "Quality notes" in doc.xpath("//dl[@class='props']/dt/text()")
    # a row label: English first, the template's Chinese wording after it, marked as Chinese
    th = doc.get_element_by_id("row-3.4.1").find("th")
    assert th.find("a").text == "the agency does not hold the information"
    (zh,) = th.xpath(".//span[@lang='zh']")
    assert zh.text == "本机关不掌握相关政府信息"
    href = switch(doc)
    assert urlsplit(href).path == REPORT and parse_qs(urlsplit(href).query)["lang"] == ["zh"]


def test_report_in_chinese_by_query(client: TestClient) -> None:
    doc = get(client, f"{REPORT}?lang=zh", **{"Accept-Language": "en"})
    assert doc.get("lang") == "zh"
    headings = [h.text_content() for h in doc.xpath("//h2")]
    assert "表三 收到和处理政府信息公开申请情况" in headings
    assert "数据质量说明" in headings
    assert "Quality notes" not in doc.text_content()
    th = doc.get_element_by_id("row-3.4.1").find("th")
    assert th.find("a").text == "本机关不掌握相关政府信息"
    assert parse_qs(urlsplit(switch(doc)).query)["lang"] == ["en"]


def test_default_is_chinese(client: TestClient) -> None:
    doc = get(client, REPORT)
    assert doc.get("lang") == "zh"
    assert parse_qs(urlsplit(switch(doc)).query)["lang"] == ["en"]


def test_switch_keeps_the_format_suffix_path(client: TestClient) -> None:
    doc = get(client, f"{REPORT}.html?lang=en")
    assert doc.get("lang") == "en"
    assert urlsplit(switch(doc)).path == f"{REPORT}.html"


def test_observation_in_english(client: TestClient) -> None:
    doc = get(client, f"{OBS}?lang=en")
    assert doc.get("lang") == "en"
    assert {"Value", "Report", "Cell text"} <= set(doc.xpath("//dl[@class='props']/dt/text()"))
    assert "natural person" in doc.findtext(".//h1")
    assert doc.xpath("//section[@id='source']/h2")[0].text_content() == "Where it stood in the source"


@pytest.mark.parametrize("path", [f"/doc/agency/{AGENCY}", "/def", "/code/request/3.4.1", "/code/applicant"])
def test_other_pages_follow_the_language(client: TestClient, path: str) -> None:
    en = get(client, path, **{"Accept-Language": "en"})
    zh = get(client, path, **{"Accept-Language": "zh-CN,zh;q=0.9"})
    assert en.get("lang") == "en" and zh.get("lang") == "zh"
    assert switch(en) and switch(zh)
    assert "This page in other formats" in en.xpath("//footer")[0].text_content()
    assert "本页的其他格式" in zh.xpath("//footer")[0].text_content()


def test_english_concept_page_names_it_in_english(client: TestClient) -> None:
    doc = get(client, "/code/request/3.4.1?lang=en")
    assert doc.findtext(".//h1") == "the agency does not hold the information"
    assert doc.xpath("//p[@lang='zh']")[0].text == "本机关不掌握相关政府信息"


def test_rdf_variants_do_not_vary_by_language(client: TestClient) -> None:
    en = client.get(f"{REPORT}.ttl", headers={"Accept-Language": "en"})
    zh = client.get(f"{REPORT}.ttl?lang=zh")
    assert en.content == zh.content and en.headers["etag"] == zh.headers["etag"]
    assert en.headers["vary"] == "Accept"
    # HTML is rendered per language (kept per Accept-Language by the response cache): two ETags
    html_en = client.get(REPORT, headers={**HTML, "Accept-Language": "en"})
    html_zh = client.get(REPORT, headers={**HTML, "Accept-Language": "zh"})
    assert html_en.text != html_zh.text and html_en.headers["etag"] != html_zh.headers["etag"]
