"""Pages for people over TestClient: the CSV and JSON twins parse, Link headers, paging, search
(the user's text reaches SPARQL only as a literal), language negotiation."""

from __future__ import annotations

import csv
import io
import json
import re

import lxml.html
from fastapi.testclient import TestClient

from converter.iris import agency_key

AGENCY_001 = agency_key("偃师市人民政府办公室")


def links(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    out: dict[str, list[str]] = {}
    for href, rel in re.findall(r'<([^>]*)>;\s*rel="([^"]+)"', response.headers.get("link", "")):
        out.setdefault(rel, []).append(href)
    return out


def read_csv(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def test_agencies_twins_and_keyset_paging(client: TestClient) -> None:
    page = client.get("/agencies", params={"limit": 2})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    rel = links(page)
    assert any(h.startswith("/agencies.csv") for h in rel["alternate"])
    assert any(h.startswith("/agencies.json") for h in rel["alternate"])
    assert "after=" in rel["next"][0]
    first = client.get("/agencies.json", params={"limit": 2}).json()
    assert len(first["items"]) == 2 and first["next"]
    second = client.get(first["next"]).json()
    keys = [a["key"] for a in first["items"] + second["items"]]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    every = read_csv(client.get("/agencies.csv", params={"limit": 500}))
    assert [r["key"] for r in every][: len(keys)] == keys
    assert "next" not in links(client.get("/agencies.csv", params={"limit": 500}))
    assert {"key", "name", "reports"} <= set(every[0])


def test_agency_search_is_a_literal(client: TestClient) -> None:
    found = client.get("/agencies.json", params={"q": "偃师"}).json()["items"]
    assert [a["key"] for a in found] == [AGENCY_001]
    for evil in ['") } SELECT * WHERE { ?s ?p ?o', "\\", "'", '"""']:
        r = client.get("/agencies.json", params={"q": evil})
        assert r.status_code == 200 and r.json()["items"] == []
    html = client.get("/agencies", params={"q": "<b>x</b>"}).text
    assert "<b>x</b>" not in html
    assert client.get("/agencies", params={"after": "NOT A KEY"}).status_code == 400
    assert client.get("/agencies", params={"limit": 0}).status_code == 400


def test_coverage_twins(client: TestClient) -> None:
    rows = read_csv(client.get("/coverage.csv"))
    assert {r["status"] for r in rows} <= {"converted", "warnings"}
    assert any(r["agency_key"] == AGENCY_001 and r["year"] == "2020" for r in rows)
    data = client.get("/coverage.json").json()
    assert len(data["items"]) == len(rows)


def test_home_page(client: TestClient) -> None:
    page = client.get("/", headers={"Accept": "text/html"})
    doc = lxml.html.fromstring(page.content)
    assert doc.get("lang") == "zh"
    assert doc.xpath("//form[@action='/agencies']//input[@name='q']")
    assert doc.xpath("//table[contains(@class,'coverage')]")
    hrefs = set(doc.xpath("//a/@href"))
    assert {"/sparql", "/dumps/", "/.well-known/void"} <= hrefs
    en = client.get("/", headers={"Accept": "text/html", "Accept-Language": "en-GB,en;q=0.9,zh;q=0.5"})
    assert lxml.html.fromstring(en.content).get("lang") == "en"
    assert (
        lxml.html.fromstring(
            client.get("/?lang=zh", headers={"Accept": "text/html", "Accept-Language": "en"}).content
        ).get("lang")
        == "zh"
    )
    assert "Accept-Language" in page.headers["vary"]


def test_agency_page_charts_and_series_twins(client: TestClient) -> None:
    page = client.get(f"/doc/agency/{AGENCY_001}", headers={"Accept": "text/html"})
    doc = lxml.html.fromstring(page.content)
    svgs = doc.xpath("//figure[contains(@class,'chart')]/*[local-name()='svg']")
    assert len(svgs) == 4
    for svg in svgs:
        assert svg.xpath("./*[local-name()='title']")[0].text.strip()
        assert svg.xpath("./*[local-name()='desc']")[0].text.strip()
    rel = links(page)
    assert f"/agencies/{AGENCY_001}/series.csv" in rel["alternate"]
    rows = read_csv(client.get(f"/agencies/{AGENCY_001}/series.csv"))
    assert [r["year"] for r in rows] == ["2020"]
    data = client.get(f"/agencies/{AGENCY_001}/series.json").json()
    assert data["items"][0]["year"] == "2020"
    assert int(rows[0]["received"]) == data["items"][0]["received"]
    # the numbers in the HTML table are the numbers of the twin
    cells = doc.xpath("//table[contains(@class,'figures')]//tbody/tr[1]/td[1]//text()")
    assert cells and cells[0].strip() == rows[0]["received"]


def test_report_cells_twins(client: TestClient) -> None:
    page = client.get(f"/doc/report/{AGENCY_001}/2020", headers={"Accept": "text/html"})
    assert f"/reports/{AGENCY_001}/2020/cells.json" in links(page)["alternate"]
    doc = lxml.html.fromstring(page.content)
    flagged = doc.xpath("//td[contains(@class,'flagged')]")
    assert flagged and all(td.get("tabindex") == "0" and td.xpath(".//*[@class='note-pop']") for td in flagged)
    rows = read_csv(client.get(f"/reports/{AGENCY_001}/2020/cells.csv"))
    data = client.get(f"/reports/{AGENCY_001}/2020/cells.json").json()
    assert len(rows) == len(data["items"]) > 100
    total = next(r for r in rows if r["table"] == "table3" and r["request"] == "1" and r["applicant"] == "total")
    assert total["measure"] == "count" and total["value"].isdigit()
    assert any(r["notes"] for r in rows)
    assert client.get(f"/reports/{AGENCY_001}/1999/cells.csv").status_code == 404


def test_observation_page_shows_its_query(client: TestClient) -> None:
    obs = f"/doc/report/{AGENCY_001}/2020/table3/1/total"
    doc = lxml.html.fromstring(client.get(obs, headers={"Accept": "text/html"}).content)
    query = doc.xpath("//pre[@class='sparql']")[0].text_content()
    href = doc.xpath("//section[@id='query']//a[starts-with(@href,'/sparql?')]/@href")[0]
    r = client.get(href)
    assert r.status_code == 200
    first = next(csv.DictReader(io.StringIO(r.text)))
    assert first["measure"].endswith("count") and first["value"].isdigit()
    assert "table3/1/total" in query


def test_query_page_has_no_inline_script(client: TestClient) -> None:
    page = client.get("/query")
    doc = lxml.html.fromstring(page.content)
    scripts = doc.xpath("//script")
    assert scripts and all(s.get("src", "").startswith("/static/") and not (s.text or "").strip() for s in scripts)
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert len(doc.xpath("//article[@class='example']/pre")) == 4
    for path in (
        "/static/yasgui/yasgui.min.js",
        "/static/yasgui/yasgui.min.css",
        "/static/query.js",
        "/static/pages.css",
    ):
        assert client.get(path).status_code == 200, path
    assert json.loads(client.get("/agencies.json").text)["items"]
