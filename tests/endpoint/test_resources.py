"""Dereferenceable URIs: /id → 303 → /doc, negotiation, headers, and the HTML pages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pytest
from fastapi.testclient import TestClient
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from converter.iris import (
    DEFAULT_BASE,
    agency_iri,
    agency_key,
    code_iri,
    dataset_iri,
    note_iri,
    observation_iri,
    report_iri,
)
from converter.vocab import DQV, GK, OA, QB
from endpoint.app import create_app
from endpoint.conneg import FORMATS
from endpoint.load import load
from endpoint.settings import Settings

# (rdflib's XSD namespace object warns when pytest inspects module globals)
_XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_GYEAR, XSD_INTEGER = URIRef(_XSD + "gYear"), URIRef(_XSD + "integer")
SEED_001_AGENCY = "偃师市人民政府办公室"
KEY_001 = agency_key(SEED_001_AGENCY)
REPORT_001 = f"report/{KEY_001}/2020"
OBS_001 = f"{REPORT_001}/table3/3.4.1/natural-person"
LEGACY_002 = f"report/{agency_key('安庆市人民政府')}/2017"

EVIL_NAME = '<script>alert("gk")</script>测试局'
LEFT_OUT_NAME = "留空测试局"  # a report whose 法人 cell was left out, with a note on it
EVIL_NOTE = "<img src=x onerror=alert(1)> total & more"
OWN_BASE = DEFAULT_BASE  # the seeds are converted with the default base

RDFLIB_FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml", "nt": "nt"}
RDF_KEYS = [f.key for f in FORMATS if f.rdf_format is not None]
SUFFIX = {f.key: f.suffix for f in FORMATS}
MEDIA_TYPE = {f.key: f.media_type for f in FORMATS}


# ---------------------------------------------------------------------------------------------
# fixtures


def small_report(name: str, year: int, template: str) -> Dataset:
    """A report with one 表三 cell (row 1, 自然人 = 3) and one quality note on it."""
    key = agency_key(name)
    report = report_iri(OWN_BASE, key, year)
    agency = agency_iri(OWN_BASE, key)
    ds = Dataset()
    g = ds.graph(report)
    g.add((agency, RDF.type, GK.Agency))
    g.add((agency, SKOS.prefLabel, Literal(name, lang="zh")))
    g.add((report, RDF.type, GK.AnnualReport))
    g.add((report, GK.agency, agency))
    g.add((report, GK.year, Literal(str(year), datatype=XSD_GYEAR)))
    g.add((report, GK.template, code_iri("template", template)))
    g.add((report, RDFS.label, Literal(f"{name}{year}年政府信息公开工作年度报告", lang="zh")))
    obs = observation_iri(OWN_BASE, key, year, "table3", "1", "natural-person")
    g.add((obs, RDF.type, QB.Observation))
    g.add((obs, QB.dataSet, dataset_iri(OWN_BASE, "table3")))
    g.add((obs, GK.report, report))
    g.add((obs, GK.request, code_iri("request", "1")))
    g.add((obs, GK.applicant, code_iri("applicant", "natural-person")))
    g.add((obs, GK["count"], Literal(3, datatype=XSD_INTEGER)))
    g.add((obs, GK.sourceText, Literal("<b>3</b>")))
    note = note_iri(OWN_BASE, key, year, 1)
    g.add((note, RDF.type, DQV.QualityAnnotation))
    g.add((note, OA.hasTarget, obs))
    g.add((note, GK.issueCode, Literal("sum-mismatch")))
    g.add((note, GK.severity, GK.warning))
    g.add((note, OA.bodyValue, Literal(EVIL_NOTE)))
    return ds


def left_out_cell() -> tuple[URIRef, URIRef]:
    """The observation left out of :func:`report_with_a_left_out_cell` and the note about it."""
    key = agency_key(LEFT_OUT_NAME)
    return (
        observation_iri(OWN_BASE, key, 2020, "table3", "1", "legal-person"),
        note_iri(OWN_BASE, key, 2020, 2),
    )


def report_with_a_left_out_cell() -> Dataset:
    """A report whose 表三 row 1 法人 cell is not published (it may be wrong): no triple has the
    observation as subject, only a quality note names it as its target."""
    ds = small_report(LEFT_OUT_NAME, 2020, "2019")
    report = report_iri(OWN_BASE, agency_key(LEFT_OUT_NAME), 2020)
    obs, note = left_out_cell()
    g = ds.graph(report)
    g.add((note, RDF.type, DQV.QualityAnnotation))
    g.add((note, OA.hasTarget, obs))
    g.add((note, GK.issueCode, Literal("sum-mismatch")))
    g.add((note, GK.severity, GK.error))
    g.add((note, OA.bodyValue, Literal("left out: the row does not add up")))
    return ds


@pytest.fixture(scope="module")
def own_client(tmp_path_factory: pytest.TempPathFactory, seeds_nq: Path) -> Iterator[TestClient]:
    """An app over a store we load ourselves: the converted seeds, a report full of markup and a
    2021-template report of seed 001's agency (``client`` of tests/conftest.py serves the seeds)."""
    folder = tmp_path_factory.mktemp("resources")
    evil = folder / "evil.nq"
    small_report(EVIL_NAME, 2020, "2019").serialize(evil, format="nquads")
    gen2021 = folder / "gen2021.nq"
    small_report(SEED_001_AGENCY, 2021, "2021").serialize(gen2021, format="nquads")
    left_out = folder / "left-out.nq"
    report_with_a_left_out_cell().serialize(left_out, format="nquads")
    result = load([seeds_nq, evil, gen2021, left_out], folder / "store", base_url=OWN_BASE)
    assert not result.failures
    settings = Settings(base_url=OWN_BASE, store=folder / "store", dumps_dir=folder / "dumps")
    with TestClient(create_app(settings)) as client:
        yield client


def parse_rdf(body: bytes, key: str) -> Graph:
    return Graph().parse(data=body, format=RDFLIB_FORMATS[key])


def page(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(html)


def subject_iri(client: TestClient, path: str) -> URIRef:
    """The IRI of ``/doc/{path}`` as the served data states it (base URLs differ per fixture)."""
    graph = parse_rdf(client.get(f"/doc/{path}.nt").content, "nt")
    suffix = f"/id/{path}"
    found = {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).endswith(suffix)}
    assert len(found) == 1, found
    return found.pop()


# ---------------------------------------------------------------------------------------------
# /id → 303


@pytest.mark.parametrize("path", [REPORT_001, f"agency/{KEY_001}", OBS_001])
def test_id_is_303_to_doc(client: TestClient, path: str) -> None:
    r = client.get(f"/id/{path}", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/doc/{path}"


@pytest.mark.parametrize(
    "path",
    [
        "no/such/thing",
        f"report/{KEY_001}/1999",
        "report/no-such-agency-0000/2020",
        f"{REPORT_001}/table3/9.9/natural-person",
        f"report/{KEY_001}/1999.ttl",
        "report/%3Cscript%3E/2020",
        "",
    ],
)
def test_id_of_nothing_is_404_at_once(client: TestClient, path: str) -> None:
    for method in ("GET", "HEAD"):
        r = client.request(method, f"/id/{path}", headers={"Accept": "text/html"}, follow_redirects=False)
        assert r.status_code == 404, (method, path)
        assert "location" not in r.headers
        assert "<script>" not in r.text


def test_id_with_a_suffix_is_303_to_that_document(client: TestClient) -> None:
    r = client.get(f"/id/{REPORT_001}.ttl", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, f"/doc/{REPORT_001}.ttl")


def test_head_on_id(client: TestClient) -> None:
    r = client.head(f"/id/{REPORT_001}", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, f"/doc/{REPORT_001}")


def test_id_redirects_exactly_when_doc_has_a_document(own_client: TestClient) -> None:
    """/id answers 303 for every IRI /doc describes, and 404 for the others - including a cell
    left out of the data that only a quality note names."""
    left_out, note = left_out_cell()
    key = agency_key(LEFT_OUT_NAME)
    things = [
        report_iri(OWN_BASE, key, 2020),
        agency_iri(OWN_BASE, key),
        observation_iri(OWN_BASE, key, 2020, "table3", "1", "natural-person"),
        left_out,
        note,
    ]
    nothing = [
        report_iri(OWN_BASE, key, 2019),
        observation_iri(OWN_BASE, key, 2020, "table3", "2", "legal-person"),
        note_iri(OWN_BASE, key, 2020, 3),
    ]
    for iri in [*things, *nothing]:
        path = str(iri).removeprefix(f"{OWN_BASE}/id/")
        redirect = own_client.get(f"/id/{path}", follow_redirects=False)
        document = own_client.get(f"/doc/{path}.nt")
        assert (redirect.status_code, document.status_code) == ((303, 200) if iri in things else (404, 404)), iri
    left_out_doc = parse_rdf(own_client.get(f"/doc/{str(left_out).removeprefix(OWN_BASE + '/id/')}.nt").content, "nt")
    assert (note, OA.hasTarget, left_out) in left_out_doc


def test_id_redirect_drops_query_and_keeps_suffixless(client: TestClient) -> None:
    r = client.get(f"/id/{REPORT_001}?format=ttl", headers={"Accept": "text/turtle"}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/doc/{REPORT_001}"


def test_id_followed_gives_document(client: TestClient) -> None:
    r = client.get(f"/id/{REPORT_001}", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/turtle; charset=utf-8"


# ---------------------------------------------------------------------------------------------
# /doc: every format, by suffix and by Accept


@pytest.mark.parametrize("key", RDF_KEYS)
def test_suffix_selects_rdf_format(client: TestClient, key: str) -> None:
    r = client.get(f"/doc/{REPORT_001}{SUFFIX[key]}", headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == MEDIA_TYPE[key]
    graph = parse_rdf(r.content, key)
    report = next(graph.subjects(RDF.type, GK.AnnualReport))
    assert str(report).endswith(f"/id/{REPORT_001}")
    assert (report, GK.year, Literal("2020", datatype=XSD_GYEAR)) in graph
    # the report's page needs all its cells: the whole named graph comes along
    assert len(set(graph.subjects(RDF.type, QB.Observation))) > 100
    assert Literal(SEED_001_AGENCY, lang="zh") in set(graph.objects(None, SKOS.prefLabel))


@pytest.mark.parametrize("key", RDF_KEYS)
def test_accept_selects_rdf_format(client: TestClient, key: str) -> None:
    r = client.get(f"/doc/{OBS_001}", headers={"Accept": MEDIA_TYPE[key]})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == MEDIA_TYPE[key]
    assert r.headers["content-location"] == f"/doc/{OBS_001}{SUFFIX[key]}"
    graph = parse_rdf(r.content, key)
    obs = subject_iri(client, OBS_001)
    assert (obs, RDF.type, QB.Observation) in graph
    assert (obs, GK["count"], Literal(5)) in graph
    assert (obs, GK.applicant, code_iri("applicant", "natural-person")) in graph
    # the labels of what it links to, and the quality notes about it
    assert (code_iri("request", "3.4.1"), SKOS.prefLabel, Literal("本机关不掌握相关政府信息", lang="zh")) in graph
    assert any(graph.subjects(OA.hasTarget, obs))


def test_text_types_carry_charset(client: TestClient) -> None:
    for key in ("html", "ttl"):
        r = client.get(f"/doc/{REPORT_001}{SUFFIX[key]}")
        assert r.headers["content-type"] == f"{MEDIA_TYPE[key]}; charset=utf-8"


@pytest.mark.parametrize(
    "accept", [None, "*/*", "text/html", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"]
)
def test_html_by_accept(client: TestClient, accept: str | None) -> None:
    headers = {} if accept is None else {"Accept": accept}
    r = client.get(f"/doc/{REPORT_001}", headers=headers)
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert SEED_001_AGENCY in r.text


def test_html_by_suffix(client: TestClient) -> None:
    r = client.get(f"/doc/{REPORT_001}.html", headers={"Accept": "text/turtle"})
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert SEED_001_AGENCY in r.text
    assert "content-location" not in r.headers


def test_q_values_are_honoured(client: TestClient) -> None:
    r = client.get(f"/doc/{REPORT_001}", headers={"Accept": "text/html;q=0.2, application/n-triples;q=0.9"})
    assert r.headers["content-type"] == "application/n-triples"


def test_406_lists_the_alternatives(client: TestClient) -> None:
    r = client.get(f"/doc/{REPORT_001}", headers={"Accept": "image/png, application/pdf;q=0.5"})
    assert r.status_code == 406
    for f in FORMATS:
        assert f.media_type in r.text
        assert f.suffix in r.text


def test_vary_and_link_headers(client: TestClient) -> None:
    r = client.get(f"/doc/{REPORT_001}", headers={"Accept": "text/turtle"})
    assert "accept" in r.headers["vary"].lower()
    links = r.headers["link"]
    for f in FORMATS:
        entry = f'</doc/{REPORT_001}{f.suffix}>; rel="alternate"; type="{f.media_type}"'
        assert (entry in links) is (f.key != "ttl")
    r = client.get(f"/doc/{REPORT_001}.jsonld")
    assert "accept" in r.headers["vary"].lower()
    assert f'</doc/{REPORT_001}.ttl>; rel="alternate"; type="text/turtle"' in r.headers["link"]
    json.loads(r.content)


def test_head(client: TestClient) -> None:
    r = client.head(f"/doc/{REPORT_001}", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/turtle; charset=utf-8"
    assert int(r.headers["content-length"]) > 0
    assert r.content == b""


@pytest.mark.parametrize(
    "path",
    [
        f"/doc/report/{KEY_001}/1999",
        "/doc/report/no-such-agency-0000/2020",
        f"/doc/report/{KEY_001}/1999.ttl",
        "/doc/report/%3Cscript%3E/2020",
        "/doc/",
        "/code/request/9.9.9",
        "/code/no-such-scheme",
        "/def.xml",
    ],
)
def test_unknown_is_404(client: TestClient, path: str) -> None:
    r = client.get(path, headers={"Accept": "text/html"})
    assert r.status_code == 404
    assert "<script>" not in r.text


# ---------------------------------------------------------------------------------------------
# HTML pages


def test_report_page_rebuilds_table3_with_the_flagged_cell(client: TestClient) -> None:
    r = client.get(f"/doc/{REPORT_001}")
    doc = page(r.text)
    assert SEED_001_AGENCY in doc.findtext(".//h1")
    row = doc.get_element_by_id("row-3.4.1")
    label = row.find("th").text_content()
    assert "本机关不掌握相关政府信息" in label
    assert "the agency does not hold the information" in label
    cells = row.findall("td")
    assert len(cells) == 7  # 自然人 … 总计
    natural_person = cells[0]
    assert natural_person.find("a").text == "5"
    assert natural_person.find("a").get("href") == f"/doc/{OBS_001}"
    # highlighted, with the note's text in the title and a footnote reference
    assert "flagged" in natural_person.get("class")
    title = natural_person.get("title")
    assert "cell-inferred" in title and "自然人" in title
    ref = natural_person.find(".//sup/a").get("href")
    footnote = doc.get_element_by_id(ref.lstrip("#"))
    assert "cell-inferred" in footnote.text_content()
    assert "表三 row 3.4.1, column 自然人" in footnote.text_content()
    # every stated cell links to its observation page
    table3 = doc.get_element_by_id("table3")
    links = [a.get("href") for a in table3.iterfind(".//td/a")]
    assert len(links) == 23 * 7
    assert all(link.startswith(f"/doc/{REPORT_001}/table3/") for link in links)


def test_report_page_tables_2_and_4(client: TestClient) -> None:
    doc = page(client.get(f"/doc/{REPORT_001}").text)
    table2 = doc.get_element_by_id("table2")
    headers = table2.text_content()
    for text in ("第二十条第（一）项", "第二十条第（九）项", "政府集中采购", "采购总金额"):
        assert text in headers
    amount = table2.xpath(".//td/a[contains(@href, '/procurement-amount')]")[0]
    assert amount.text == "7"
    table4 = doc.get_element_by_id("table4")
    rows = table4.findall(".//tr")
    assert "行政复议" in rows[0].text_content() and "行政诉讼" in rows[0].text_content()
    assert "未经复议直接起诉" in rows[1].text_content() and "复议后起诉" in rows[1].text_content()
    assert len(rows[2].findall("th")) == 15
    values = [td.text_content().strip() for td in rows[3].findall("td")]
    assert values == ["1", "0", "0", "0", "1"] + ["0"] * 10


def test_report_page_lists_notes_and_source(client: TestClient) -> None:
    doc = page(client.get(f"/doc/{REPORT_001}").text)
    notes = doc.get_element_by_id("notes").findall(".//li")
    assert len(notes) == 23
    assert any("missing-cell" in li.text_content() for li in notes)
    source = doc.xpath("//a[starts-with(@href, '/doc/source/')]")[0]
    assert len(source.text.strip()) == 64
    # links to every other format
    for f in FORMATS[1:]:
        assert doc.xpath(f"//a[@href='/doc/{REPORT_001}{f.suffix}']")


def test_legacy_report_lists_its_figures(client: TestClient) -> None:
    r = client.get(f"/doc/{LEGACY_002}")
    assert r.status_code == 200
    doc = page(r.text)
    legacy = doc.get_element_by_id("legacy")
    text = legacy.text_content()
    assert "受理政府信息公开申请数" in text and "994" in text
    assert doc.xpath("//section[@id='table3']") == []
    assert legacy.xpath(".//td[contains(@class, 'flagged')]")


def test_agency_page_lists_reports_by_year(client: TestClient) -> None:
    r = client.get(f"/doc/agency/{KEY_001}")
    doc = page(r.text)
    assert doc.findtext(".//h1") == SEED_001_AGENCY
    reports = doc.get_element_by_id("reports")
    link = reports.xpath(f".//a[@href='/doc/{REPORT_001}']")[0]
    assert "2020" in link.getparent().getparent().text_content()


def test_observation_page(client: TestClient) -> None:
    doc = page(client.get(f"/doc/{OBS_001}").text)
    text = doc.text_content()
    for expected in (
        "5",
        "本机关不掌握相关政府信息",
        "the agency does not hold the information",
        "自然人",
        "natural person",
    ):
        assert expected in text
    where = doc.get_element_by_id("source").text_content()
    assert "表三" in where and "本机关不掌握相关政府信息" in where and "自然人" in where
    assert "5 0 0 0 0 5" in doc.get_element_by_id("notes").text_content()  # the row, as the note quotes it
    assert "cell-inferred" in doc.get_element_by_id("notes").text_content()
    assert doc.xpath(f"//a[@href='/doc/{REPORT_001}']")


# ---------------------------------------------------------------------------------------------
# /def and /code


@pytest.mark.parametrize("key", RDF_KEYS)
def test_def_by_suffix(client: TestClient, key: str) -> None:
    r = client.get(f"/def{SUFFIX[key]}")
    assert r.status_code == 200
    graph = parse_rdf(r.content, key)
    assert (GK.Agency, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")) in graph
    assert all(str(s).startswith("https://w3id.org/gongkai/def") for s in graph.subjects() if isinstance(s, URIRef))


def test_def_negotiated(client: TestClient) -> None:
    r = client.get("/def", headers={"Accept": "text/turtle"})
    assert r.headers["content-type"] == "text/turtle; charset=utf-8"
    assert r.headers["vary"] == "Accept"
    r = client.get("/def")
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert page(r.text).get_element_by_id("Agency") is not None


def test_code_concept(client: TestClient) -> None:
    r = client.get("/code/request/3.4.1", headers={"Accept": "application/n-triples"})
    graph = parse_rdf(r.content, "nt")
    concept = code_iri("request", "3.4.1")
    assert (concept, SKOS.notation, Literal("3.4.1")) in graph
    assert (concept, SKOS.broader, code_iri("request", "3.4")) in graph
    html = client.get("/code/request/3.4.1.html").text
    assert "本机关不掌握相关政府信息" in html and "the agency does not hold the information" in html


def test_code_scheme_lists_its_concepts(client: TestClient) -> None:
    graph = parse_rdf(client.get("/code/applicant.ttl").content, "ttl")
    concepts = set(graph.subjects(SKOS.inScheme, URIRef("https://w3id.org/gongkai/code/applicant")))
    assert len(concepts) == 7


# ---------------------------------------------------------------------------------------------
# report text is data: escaped everywhere


@pytest.mark.parametrize(
    "path",
    [
        f"report/{agency_key(EVIL_NAME)}/2020",
        f"agency/{agency_key(EVIL_NAME)}",
        f"report/{agency_key(EVIL_NAME)}/2020/table3/1/natural-person",
        f"report/{agency_key(EVIL_NAME)}/2020/note/1",
    ],
)
def test_markup_in_data_is_escaped(own_client: TestClient, path: str) -> None:
    r = own_client.get(f"/doc/{path}")
    assert r.status_code == 200
    assert "<script>" not in r.text
    assert "<img" not in r.text
    assert "<b>" not in r.text
    doc = page(r.text)
    assert not doc.xpath("//script | //img | //b")
    text = doc.text_content()
    assert EVIL_NAME in text or EVIL_NOTE in text


def test_escaped_report_page_keeps_the_text(own_client: TestClient) -> None:
    r = own_client.get(f"/doc/report/{agency_key(EVIL_NAME)}/2020")
    assert "&lt;script&gt;alert(" in r.text
    doc = page(r.text)
    assert EVIL_NAME in doc.findtext(".//h1")
    cell = doc.get_element_by_id("row-1").find("td")
    assert EVIL_NOTE in cell.get("title")
    assert EVIL_NOTE in doc.get_element_by_id("notes").text_content()


# ---------------------------------------------------------------------------------------------
# the 2021 template's layout


def test_2021_report_uses_its_layout(own_client: TestClient) -> None:
    doc = page(own_client.get(f"/doc/report/{KEY_001}/2021").text)
    table2 = doc.get_element_by_id("table2").text_content()
    assert "本年制发件数" in table2 and "行政规范性文件" in table2
    assert "第二十条第（九）项" not in table2
    table3 = doc.get_element_by_id("table3")
    for row in ("3.6.1", "3.6.2", "3.6.3"):
        assert len(doc.get_element_by_id(f"row-{row}").findall("td")) == 7
    assert table3.xpath(".//tr[@id='row-3.6']") == []  # a heading in 2021, not a row of numbers
    assert "其他处理" in table3.text_content()
    assert doc.get_element_by_id("row-1").find("td/a").text == "3"


def test_agency_lists_both_years(own_client: TestClient) -> None:
    doc = page(own_client.get(f"/doc/agency/{KEY_001}").text)
    years = [
        tr.findtext("td") for tr in doc.get_element_by_id("reports").iterfind(".//tr") if tr.find("td") is not None
    ]
    assert years == ["2020", "2021"]
