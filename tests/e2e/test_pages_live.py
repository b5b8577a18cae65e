"""Dereferenceable URIs over real HTTP: uvicorn + the on-disk store (``live_server``)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import lxml.html
import pytest
from rdflib import Graph
from rdflib.namespace import RDF

from converter.iris import agency_key
from converter.vocab import GK, QB
from endpoint.conneg import FORMATS, Format

pytestmark = pytest.mark.slow

SEED_001_AGENCY = "偃师市人民政府办公室"
REPORT_001 = f"report/{agency_key(SEED_001_AGENCY)}/2020"
OBS_001 = f"{REPORT_001}/table3/3.4.1/natural-person"
RDFLIB_FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml", "nt": "nt"}


@pytest.fixture(scope="module")
def http(live_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, timeout=30, follow_redirects=False) as client:
        yield client


def test_id_redirects_to_doc(http: httpx.Client) -> None:
    r = http.get(f"/id/{REPORT_001}")
    assert r.status_code == 303
    assert r.headers["location"].endswith(f"/doc/{REPORT_001}")
    followed = http.get(f"/id/{REPORT_001}", headers={"Accept": "text/turtle"}, follow_redirects=True)
    assert followed.status_code == 200
    assert followed.headers["content-type"] == "text/turtle; charset=utf-8"


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f.rdf_format is not None], ids=lambda f: f.key)
def test_rdf_by_suffix_and_by_accept(http: httpx.Client, fmt: Format) -> None:
    for r in (
        http.get(f"/doc/{REPORT_001}{fmt.suffix}"),
        http.get(f"/doc/{REPORT_001}", headers={"Accept": fmt.media_type}),
    ):
        assert r.status_code == 200
        assert r.headers["content-type"] == fmt.content_type
        assert "accept" in r.headers["vary"].lower()
        assert 'rel="alternate"' in r.headers["link"]
        graph = Graph().parse(data=r.content, format=RDFLIB_FORMATS[fmt.key])
        assert any(graph.subjects(RDF.type, GK.AnnualReport))
        assert len(set(graph.subjects(RDF.type, QB.Observation))) > 100


def test_report_page(http: httpx.Client) -> None:
    r = http.get(f"/doc/{REPORT_001}", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    doc = lxml.html.fromstring(r.text)
    assert SEED_001_AGENCY in doc.findtext(".//h1")
    cell = doc.get_element_by_id("row-3.4.1").find("td")
    assert cell.find("a").text == "5"
    assert "flagged" in cell.get("class")
    assert cell.get("title")
    obs = http.get(cell.find("a").get("href"))
    assert obs.status_code == 200
    assert "本机关不掌握相关政府信息" in obs.text


def test_not_acceptable_and_not_found(http: httpx.Client) -> None:
    r = http.get(f"/doc/{REPORT_001}", headers={"Accept": "image/png"})
    assert r.status_code == 406
    for f in FORMATS:
        assert f.media_type in r.text
    assert http.get("/doc/report/no-such-agency-0000/2020").status_code == 404


def test_def_and_code(http: httpx.Client) -> None:
    r = http.get("/def", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/turtle; charset=utf-8"
    r = http.get("/code/request/3.4.1.html")
    assert r.status_code == 200
    assert "本机关不掌握相关政府信息" in r.text
