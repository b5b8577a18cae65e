"""Pages for people, and their CSV and JSON twins (issue "People-facing pages").

- ``/`` (HTML only, built by ``endpoint/page_data.py``; ``routes/meta.py`` serves it and the RDF
  description): what the data set is, counts, the coverage grid, the agency search form, links.
- ``/agencies`` (+ ``.csv``, ``.json``): agencies, searched by name (``?q=``), keyset-paged
  (``?after=<agency-key>&limit=50``, ``Link: rel=next``).
- ``/coverage`` (+ twins): agencies × years, converted / converted with warnings (and failed
  files from the convert report JSON, when there is one), keyset-paged like ``/agencies``.
- ``/agencies/{key}/series.csv|.json``: the figures the agency page charts, year by year.
- ``/reports/{key}/{year}/cells.csv|.json``: every cell of a report.
- ``/query``: YASGUI (bundled under ``/static/yasgui``) with example queries.

Every HTML page and twin names the others in ``Link: rel=alternate``. Pages are in Chinese or
English by ``?lang=`` or ``Accept-Language``. Values from users (the search text, the paging key)
reach SPARQL only through pyoxigraph ``substitutions`` of the static ``queries/page_*.rq``.
Results are consumed inside the function that ran the query (they must not cross threads).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request, Response
from pyoxigraph import Literal, NamedNode, Store

from converter import iris
from endpoint.deps import SettingsDep, StoreDep
from endpoint.errors import BadRequest, NotFound
from endpoint.page_data import (
    DEFAULT_LIMIT,
    PROCEEDINGS,
    REFUSAL_ROWS,
    CoverageRow,
    SeriesYear,
    agency_series,
    coverage_page,
    read_convert_report,
)
from endpoint.render.html import in_language
from endpoint.render.site import (
    TWINS,
    choose_lang,
    code_notation,
    key_of,
    page_url,
    render_page,
    split_format,
    term_int,
    term_value,
    twin_response,
)
from endpoint.settings import Settings
from endpoint.sparql import fixed

router = APIRouter(tags=["pages"])

MAX_LIMIT = 500
_KEY = re.compile(r"[a-z0-9-]{1,200}")


# ---------------------------------------------------------------------------------------------
# Queries


def _paging(request: Request) -> tuple[str, int]:
    after = request.query_params.get("after", "")
    if after and not _KEY.fullmatch(after):
        raise BadRequest("after= must be an agency key ([a-z0-9-]+), as given in the previous page's next link")
    raw = request.query_params.get("limit", str(DEFAULT_LIMIT))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise BadRequest(f"limit= must be a whole number from 1 to {MAX_LIMIT}")
    return after, int(raw)


def agencies_page(
    store: Store, settings: Settings, q: str, after: str, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    after_iri = str(iris.agency_iri(settings.base_url, after)) if after else ""
    rows: list[dict[str, Any]] = []
    more = None
    for sol in fixed.select(
        store, "page_agencies", union=True, bindings={"q": Literal(q), "after": Literal(after_iri)}
    ):
        iri = fixed.value(sol["agency"])
        if len(rows) == limit:
            more = rows[-1]["key"]
            break
        rows.append(
            {
                "key": key_of(iri),
                "iri": iri,
                "href": f"/doc/agency/{key_of(iri)}",
                "name": term_value(sol["name"]),
                "reports": term_int(sol["reports"]) or 0,
                "first_year": term_value(sol["first"]),
                "last_year": term_value(sol["last"]),
            }
        )
    return rows, more


# ---------------------------------------------------------------------------------------------
# Agency series


SERIES_COLUMNS = ["1", "3.1", "3.7", *REFUSAL_ROWS, *PROCEEDINGS]


def series_records(rows: Sequence[SeriesYear]) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        rec: dict[str, Any] = {"year": r.year, "report": r.report_href}
        rec["received"] = r.values.get("1")
        rec["granted"] = r.values.get("3.1")
        rec["handled"] = r.values.get("3.7")
        rec["granted_share_percent"] = r.granted_share
        for n in REFUSAL_ROWS:
            rec[f"refused_{n}"] = r.values.get(n)
        for p in PROCEEDINGS:
            rec[p] = r.values.get(p)
        out.append(rec)
    return out


# ---------------------------------------------------------------------------------------------
# Report cells


CELL_COLUMNS = [
    "observation",
    "table",
    "provision",
    "item",
    "column",
    "request",
    "applicant",
    "proceeding",
    "result",
    "legacyItem",
    "measure",
    "value",
    "unit",
    "sourceTable",
    "sourceRow",
    "sourceColumn",
    "sourceLine",
    "sourcePage",
    "sourceText",
    "notes",
]


def report_cells(store: Store, report_iri: str) -> list[dict[str, Any]]:
    out = []
    for sol in fixed.select(store, "page_cells", union=True, bindings={"report": NamedNode(report_iri)}):
        rec: dict[str, Any] = {
            "observation": fixed.value(sol["obs"]),
            "table": code_notation(term_value(sol["dataset"])),
        }
        for name in (
            "provision",
            "item",
            "column",
            "request",
            "applicant",
            "proceeding",
            "result",
            "legacyItem",
            "measure",
            "unit",
        ):
            rec[name] = code_notation(term_value(sol[name]))
        rec["value"] = term_value(sol["value"])
        for name in ("sourceTable", "sourceRow", "sourceColumn", "sourceText"):
            rec[name] = term_value(sol[name])
        rec["sourceLine"] = term_int(sol["sourceLine"])
        rec["sourcePage"] = term_int(sol["sourcePage"])
        rec["notes"] = term_value(sol["notes"]) or ""
        out.append({c: rec.get(c) for c in CELL_COLUMNS})
    return out


# ---------------------------------------------------------------------------------------------
# Responses


def _link_header(stem: str, fmt: str, params: list[tuple[str, str]], next_params: list[tuple[str, str]] | None) -> str:
    links = []
    if fmt != "html":
        links.append(f'<{page_url(stem, params)}>; rel="alternate"; type="text/html"')
    for key, media in TWINS.items():
        if key != fmt:
            links.append(f'<{page_url(stem + "." + key, params)}>; rel="alternate"; type="{media.split(";")[0]}"')
    if next_params is not None:
        suffix = "" if fmt == "html" else "." + fmt
        links.append(f'<{page_url(stem + suffix, next_params)}>; rel="next"')
    return ", ".join(links)


AGENCY_COLUMNS = ["key", "name", "reports", "first_year", "last_year", "iri"]


@router.get("/agencies", response_model=None)
@router.get("/agencies.csv", response_model=None)
@router.get("/agencies.json", response_model=None)
def agencies(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    fmt = split_format(request.url.path.lstrip("/"), "agencies")
    q = request.query_params.get("q", "").strip()[:200]
    after, limit = _paging(request)
    rows, more = agencies_page(store, settings, q, after, limit)
    params = [("q", q), ("limit", str(limit) if limit != DEFAULT_LIMIT else "")]
    next_params = [*params, ("after", more)] if more else None
    link = _link_header("/agencies", fmt, [*params, ("after", after)], next_params)
    if fmt != "html":
        next_href = page_url(f"/agencies.{fmt}", next_params) if next_params else None
        return twin_response(fmt, rows, AGENCY_COLUMNS, link=link, next_href=next_href, extra={"q": q})
    lang = choose_lang(request)
    page = render_page(
        "agencies.html",
        request,
        lang,
        title=in_language(lang, "机关", "Agencies"),
        q=q,
        rows=rows,
        next_href=page_url("/agencies", [*next_params, ("lang", request.query_params.get("lang", ""))])
        if next_params
        else None,
        csv_href=page_url("/agencies.csv", [*params, ("after", after)]),
        json_href=page_url("/agencies.json", [*params, ("after", after)]),
    )
    return Response(page, 200, {"Link": link, "Vary": "Accept-Language"}, media_type="text/html; charset=utf-8")


COVERAGE_COLUMNS = ["agency_key", "agency", "year", "status", "warnings", "template", "report"]


def coverage_records(rows: Sequence[CoverageRow]) -> list[dict[str, Any]]:
    return [
        {
            "agency_key": r.key,
            "agency": r.name,
            "year": y,
            "status": rep["status"],
            "warnings": rep["warnings"],
            "template": rep["template"],
            "report": rep["iri"],
        }
        for r in rows
        for y, rep in sorted(r.reports.items())
    ]


@router.get("/coverage", response_model=None)
@router.get("/coverage.csv", response_model=None)
@router.get("/coverage.json", response_model=None)
def coverage(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    fmt = split_format(request.url.path.lstrip("/"), "coverage")
    after, limit = _paging(request)
    rows, years, more = coverage_page(store, settings, after, limit)
    params = [("limit", str(limit) if limit != DEFAULT_LIMIT else "")]
    next_params = [*params, ("after", more)] if more else None
    link = _link_header("/coverage", fmt, [*params, ("after", after)], next_params)
    failed = [r for r in read_convert_report(settings) or [] if not r.get("ok")]
    if fmt != "html":
        next_href = page_url(f"/coverage.{fmt}", next_params) if next_params else None
        extra = {"failed": [{"file": r.get("file"), "error": r.get("error")} for r in failed]}
        return twin_response(fmt, coverage_records(rows), COVERAGE_COLUMNS, link=link, next_href=next_href, extra=extra)
    lang = choose_lang(request)
    page = render_page(
        "coverage.html",
        request,
        lang,
        title=in_language(lang, "覆盖情况", "Coverage"),
        rows=rows,
        years=years,
        convert_report=read_convert_report(settings) is not None,
        failed=failed,
        next_href=page_url("/coverage", [*next_params, ("lang", request.query_params.get("lang", ""))])
        if next_params
        else None,
        csv_href=page_url("/coverage.csv", [*params, ("after", after)]),
        json_href=page_url("/coverage.json", [*params, ("after", after)]),
    )
    return Response(page, 200, {"Link": link, "Vary": "Accept-Language"}, media_type="text/html; charset=utf-8")


@router.get("/agencies/{key}/{name}", response_model=None)
def series_twin(key: str, name: str, store: StoreDep, settings: SettingsDep) -> Response:
    fmt = split_format(name, "series")
    if fmt == "html":
        raise NotFound(f"the figures are charted on /doc/agency/{key}; as data: series.csv, series.json")
    if not _KEY.fullmatch(key):
        raise NotFound(f"no such agency: {key}")
    iri = str(iris.agency_iri(settings.base_url, key))
    records = series_records(agency_series(store, iri))
    columns = list(records[0]) if records else ["year", "report", "received"]
    link = f'</doc/agency/{key}>; rel="alternate"; type="text/html", ' + ", ".join(
        f'</agencies/{key}/series.{k}>; rel="alternate"; type="{m.split(";")[0]}"' for k, m in TWINS.items() if k != fmt
    )
    return twin_response(fmt, records, columns, link=link, extra={"agency": iri})


@router.get("/reports/{key}/{year}/{name}", response_model=None)
def cells_twin(key: str, year: str, name: str, store: StoreDep, settings: SettingsDep) -> Response:
    fmt = split_format(name, "cells")
    if fmt == "html" or not _KEY.fullmatch(key) or not year.isdigit():
        raise NotFound("the cells of a report are at /reports/{agency-key}/{year}/cells.csv or .json")
    iri = str(iris.report_iri(settings.base_url, key, int(year)))
    records = report_cells(store, iri)
    if not records:
        raise NotFound(f"no cells are known for {iri}")
    link = f'</doc/report/{key}/{int(year)}>; rel="alternate"; type="text/html", ' + ", ".join(
        f'</reports/{key}/{int(year)}/cells.{k}>; rel="alternate"; type="{m.split(";")[0]}"'
        for k, m in TWINS.items()
        if k != fmt
    )
    return twin_response(fmt, records, CELL_COLUMNS, link=link, extra={"report": iri})


# ---------------------------------------------------------------------------------------------
# The query page


def example_queries(store: Store, lang: str) -> list[dict[str, str]]:
    """Example queries, with a real report and agency of this store filled in as text."""
    report = agency = None
    for sol in fixed.select(store, "page_example_report", union=True):
        report, agency = term_value(sol["r"]), term_value(sol["a"])
    report = report or str(iris.report_iri(iris.DEFAULT_BASE, "example", 2020))
    agency = agency or str(iris.agency_iri(iris.DEFAULT_BASE, "example"))
    prefixes = (
        "PREFIX gk: <https://w3id.org/gongkai/def#>\n"
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "PREFIX qb: <http://purl.org/linked-data/cube#>\n"
    )
    zh = lang == "zh"
    return [
        {
            "id": "report-table",
            "title": "一份报告的表三" if zh else "Table 3 of one report",
            "query": prefixes + "SELECT ?row ?rowLabel ?applicant ?count WHERE {\n"
            f"  ?obs gk:report <{report}> ;\n"
            "       gk:request ?r ; gk:applicant ?a ; gk:count ?count .\n"
            '  ?r skos:notation ?row ; skos:prefLabel ?rowLabel . FILTER(LANG(?rowLabel) = "zh")\n'
            "  ?a skos:notation ?applicant .\n"
            "}\nORDER BY ?row ?applicant",
        },
        {
            "id": "agency-series",
            "title": "一个机关历年收到的申请" if zh else "One agency's applications, year by year",
            "query": prefixes + "SELECT ?year ?received WHERE {\n"
            f"  ?report gk:agency <{agency}> ; gk:year ?year .\n"
            "  ?obs gk:report ?report ; gk:count ?received ;\n"
            "       gk:request <https://w3id.org/gongkai/code/request/1> ;\n"
            "       gk:applicant <https://w3id.org/gongkai/code/applicant/total> .\n"
            "}\nORDER BY ?year",
        },
        {
            "id": "totals-by-region",
            "title": (
                "按地区和年度汇总收到的申请（地区 = 机关名称中第一个“省/自治区/市”之前的部分）"
                if zh
                else "Applications received by region and year (region = the agency name up to its first 省/自治区/市)"
            ),
            "query": prefixes + "SELECT ?region ?year (SUM(?n) AS ?received) (COUNT(?report) AS ?reports) WHERE {\n"
            "  ?report gk:agency ?agency ; gk:year ?year .\n"
            "  ?agency skos:prefLabel ?name .\n"
            '  BIND(IF(REGEX(?name, "^.+?(省|自治区|市)"),\n'
            '          REPLACE(?name, "^(.+?(省|自治区|市)).*$", "$1"), ?name) AS ?region)\n'
            "  ?obs gk:report ?report ; gk:count ?n ;\n"
            "       gk:request <https://w3id.org/gongkai/code/request/1> ;\n"
            "       gk:applicant <https://w3id.org/gongkai/code/applicant/total> .\n"
            "}\nGROUP BY ?region ?year\nORDER BY ?region ?year",
        },
        {
            "id": "sum-mismatch",
            "title": "勾稽关系不符的报告（sum-mismatch 质量说明）"
            if zh
            else "Reports whose totals do not add up (sum-mismatch notes)",
            "query": prefixes + "PREFIX oa: <http://www.w3.org/ns/oa#>\n"
            "SELECT ?report (COUNT(DISTINCT ?note) AS ?mismatches) (SAMPLE(?message) AS ?example) WHERE {\n"
            "  GRAPH ?report {\n"
            '    ?note gk:issueCode "sum-mismatch" ; oa:bodyValue ?message .\n'
            "  }\n"
            "}\nGROUP BY ?report\nORDER BY DESC(?mismatches)",
        },
    ]


@router.api_route("/query", methods=["GET", "HEAD"], response_model=None)  # /sparql sends browsers here
def query_page(request: Request, store: StoreDep) -> Response:
    lang = choose_lang(request)
    page = render_page(
        "query.html",
        request,
        lang,
        title=in_language(lang, "SPARQL 查询", "SPARQL query"),
        examples=example_queries(store, lang),
        initial=request.query_params.get("query", "")[:20_000],
    )
    headers = {"Vary": "Accept-Language", "Content-Security-Policy": QUERY_PAGE_CSP}  # YASGUI: own scripts, /sparql
    return Response(page, 200, headers, media_type="text/html; charset=utf-8")


QUERY_PAGE_CSP = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
