"""``/figures``: national and provincial figures from the aggregate cubes (issue 7).

``/figures`` shows the national sums, ``/figures?province=34`` one province's (GB/T 2260 code):
applications by outcome and year (表三 总计 column), refusals by reason and year (rows 3.3.x),
administrative reviews and lawsuits by result and year (表四), each as an SVG chart with its text
alternative and as a table, with ``.csv`` / ``.json`` twins. Everything is read from the aggregate
graph ``endpoint/aggregates.py`` builds at load time (a few thousand observations whatever the
number of reports), never from the report observations, and the page is kept by the response
cache for the rest of the release.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request, Response
from pyoxigraph import Literal, NamedNode, Store

from converter.iris import code_iri, dataset_iri, dataset_prefix
from converter.regions import PROVINCE_BY_CODE, Province
from converter.tables.layout import PROCEEDING, REQUEST, RESULT
from endpoint.aggregates import aggregates_graph
from endpoint.deps import SettingsDep, StoreDep
from endpoint.errors import NotFound
from endpoint.page_data import REFUSAL_ROWS, figure_charts
from endpoint.render.charts import Chart
from endpoint.render.html import in_language
from endpoint.render.site import (
    choose_lang,
    code_notation,
    concept_label,
    page_url,
    render_page,
    split_format,
    term_int,
    twin_response,
)
from endpoint.response_cache import mark_cacheable
from endpoint.sparql import fixed

router = APIRouter(tags=["pages"])

REQUEST_ORDER = {c.notation: i for i, c in enumerate(REQUEST)}
PROCEEDING_ORDER = [c.notation for c in PROCEEDING]
RESULT_ORDER = [c.notation for c in RESULT]
FIGURE_COLUMNS = ["dataset", "province", "year", "request", "proceeding", "result", "count", "reports"]


@dataclass
class Figures:
    """One cube for one place: value and number of reports per (row key, year)."""

    years: list[str] = field(default_factory=list)
    values: dict[tuple[str, str], int | None] = field(default_factory=dict)  # (row, year) -> count
    reports: dict[tuple[str, str], int | None] = field(default_factory=dict)
    records: list[dict[str, Any]] = field(default_factory=list)

    def rows(self, order: list[str]) -> list[str]:
        present = {row for row, _ in self.values}
        return [r for r in order if r in present]

    def value(self, row: str, year: str) -> int | None:
        return self.values.get((row, year))


def read_cube(store: Store, base: str, name: str, province: Province | None) -> Figures:
    """The observations of data set ``name`` (national, or ``province``'s rows of the provincial one)."""
    graph = aggregates_graph(base)
    dataset = str(dataset_iri(base, name))
    bindings: dict[str, Any] = {"agg": graph, "ds": NamedNode(dataset)}
    kind = "appeals" if name.endswith("-appeals") else "requests"
    query = f"figures_national_{kind}"
    if province is not None:
        query = f"figures_provincial_{kind}"
        bindings["province"] = NamedNode(str(code_iri("province", province.code)))
    out = Figures()
    years: set[str] = set()
    for sol in fixed.select(store, query, bindings, union=True):
        year = fixed.value(sol["year"])
        request = code_notation(fixed.value(sol["request"])) if "request" in sol else None
        proceeding = code_notation(fixed.value(sol["proceeding"])) if "proceeding" in sol else None
        result = code_notation(fixed.value(sol["result"])) if "result" in sol else None
        row = request if request is not None else f"{proceeding}/{result}"
        if row is None:
            continue
        years.add(year)
        out.values[(row, year)] = term_int(sol["count"])
        out.reports[(row, year)] = term_int(sol["reports"])
        out.records.append(
            {
                "dataset": dataset,
                "province": province.code if province is not None else None,
                "year": year,
                "request": request,
                "proceeding": proceeding,
                "result": result,
                "count": out.values[(row, year)],
                "reports": out.reports[(row, year)],
            }
        )
    out.years = sorted(years)
    out.records.sort(
        key=lambda r: (r["year"], REQUEST_ORDER.get(r["request"] or "", 0), r["proceeding"] or "", r["result"] or "")
    )
    return out


def provinces_with_figures(store: Store, base: str) -> list[tuple[Province, int]]:
    """Provinces that have at least one agency, with their number of agencies, by code."""
    found = []
    bindings: fixed.Bindings = {"agg": aggregates_graph(base), "observations": Literal(dataset_prefix(base))}
    for sol in fixed.select(store, "figures_provinces", bindings, union=True):
        code = code_notation(fixed.value(sol["province"]))
        if code in PROVINCE_BY_CODE:
            found.append((PROVINCE_BY_CODE[code], term_int(sol["agencies"]) or 0))
    return sorted(found, key=lambda p: p[0].code)


def charts(applications: Figures, appeals: Figures, place: str, lang: str) -> list[Chart]:
    """The charts of the agency pages, on the sums (表四: each proceeding's total)."""
    years = sorted(set(applications.years) | set(appeals.years))

    def value(series: str, year: str) -> int | None:
        if series in PROCEEDING_ORDER:
            return appeals.value(f"{series}/total", year)
        return applications.value(series, year)

    return figure_charts(years, value, lang, place=place, summed=True)


@router.get("/figures", response_model=None)
@router.get("/figures.csv", response_model=None)
@router.get("/figures.json", response_model=None)
def figures(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    fmt = split_format(request.url.path.lstrip("/"), "figures")
    code = request.query_params.get("province", "")
    province = None
    if code:
        province = PROVINCE_BY_CODE.get(code)
        if province is None:
            raise NotFound(f"no province with code {code!r}; use a GB/T 2260 two-digit code such as 34 (安徽省)")
    base = settings.base_url.rstrip("/")
    kind = "provincial" if province is not None else "national"
    applications = read_cube(store, base, f"{kind}-applications", province)
    refusals = read_cube(store, base, f"{kind}-refusals", province)
    appeals = read_cube(store, base, f"{kind}-appeals", province)
    params = [("province", code)]
    link = ", ".join(
        [f'<{page_url("/figures", params)}>; rel="alternate"; type="text/html"'] * (fmt != "html")
        + [
            f'<{page_url("/figures." + k, params)}>; rel="alternate"; type="{m}"'
            for k, m in (("csv", "text/csv"), ("json", "application/json"))
            if k != fmt
        ]
    )
    mark_cacheable(request)  # aggregates change only with the release
    if fmt != "html":
        records = applications.records + appeals.records
        extra = {"province": province.code if province else None, "scope": kind}
        return twin_response(fmt, records, FIGURE_COLUMNS, link=link, extra=extra)
    lang = choose_lang(request)
    place = (province.zh if lang == "zh" else province.en) if province else ("全国" if lang == "zh" else "National")
    request_rows = sorted(applications.rows(list(REQUEST_ORDER)), key=REQUEST_ORDER.__getitem__)
    appeal_rows = [f"{p}/{r}" for p in PROCEEDING_ORDER for r in RESULT_ORDER]
    page = render_page(
        "figures.html",
        request,
        lang,
        title=f"{place} · {in_language(lang, '政府信息公开统计', 'disclosure figures')}",
        place=place,
        province=province,
        provinces=request.app.state.provinces,  # counted once per release (endpoint.app.serve_release)
        applications=applications,
        request_rows=[(n, f"{n} {concept_label('request', n, lang)}") for n in request_rows],
        refusals=refusals,
        refusal_rows=[(n, f"{n} {concept_label('request', n, lang)}") for n in refusals.rows(REFUSAL_ROWS)],
        appeals=appeals,
        appeal_rows=[
            (
                row,
                f"{concept_label('proceeding', row.split('/')[0], lang)} · {concept_label('result', row.split('/')[1], lang)}",
            )
            for row in appeals.rows(appeal_rows)
        ],
        charts=charts(applications, appeals, place, lang),
        csv_href=page_url("/figures.csv", params),
        json_href=page_url("/figures.json", params),
        datasets=[str(dataset_iri(base, f"{kind}-{n}")) for n in ("applications", "refusals", "appeals")],
    )
    return Response(page, 200, {"Link": link, "Vary": "Accept-Language"}, media_type="text/html; charset=utf-8")
