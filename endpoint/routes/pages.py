"""Pages for people, and their CSV and JSON twins (issue "People-facing pages").

- ``/`` (HTML only; the RDF description stays in ``routes/meta.py``): what the data set is, counts,
  the coverage grid, the agency search form, links.
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

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request, Response
from pyoxigraph import Literal, NamedNode, QuerySolutions, Store, Variable

from converter.tables.layout import CONCEPTS
from converter.vocab import CODE_BASE
from endpoint.conneg import preferred_language
from endpoint.deps import SettingsDep, StoreDep
from endpoint.errors import BadRequest, NotFound
from endpoint.render.charts import Chart, bar_chart
from endpoint.routes.resources import load_query
from endpoint.settings import Settings

router = APIRouter(tags=["pages"])

LANGS = ("zh", "en")
DEFAULT_LIMIT, MAX_LIMIT = 50, 500
_KEY = re.compile(r"[a-z0-9-]{1,200}")
REFUSAL_ROWS = [f"3.3.{i}" for i in range(1, 9)]
PROCEEDINGS = ["review", "litigation-direct", "litigation-after-review"]
TWINS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}

# Interface text: (Chinese, English). Data labels come from the code lists (layout / store).
TEXT: dict[str, tuple[str, str]] = {
    "site": ("公开 · 政府信息公开工作年度报告数据", "Gongkai · government information-disclosure annual reports"),
    "intro": (
        "各级政府机关每年发布的政府信息公开工作年度报告，转换为带有来源和数据质量说明的关联开放数据"
        "（RDF 数据立方体）：每份报告一个命名图。",
        "The annual reports on government information disclosure that Chinese government agencies publish, "
        "converted into Linked Open Data (RDF Data Cube observations) with provenance and data-quality notes: "
        "one named graph per report.",
    ),
    "licence": ("许可", "Licence"),
    "source": ("来源", "Source"),
    "source_text": (
        "各机关在其政府网站公开的年度报告原文；每份报告都链接到原文件及其 SHA-256 校验值。",
        "The reports as the agencies published them on their websites; every report links to its source "
        "file and that file's SHA-256.",
    ),
    "counts": ("数量", "Counts"),
    "reports": ("报告", "reports"),
    "agencies": ("机关", "Agencies"),
    "statements": ("条陈述", "statements"),
    "resources": ("个资源", "resources"),
    "search": ("按机关名称搜索", "Search agencies by name"),
    "search_button": ("搜索", "Search"),
    "coverage": ("覆盖情况", "Coverage"),
    "coverage_help": (
        "每个单元格为一份报告：✓ 已转换，⚠ 已转换但有警告（数字为警告数）。",
        "Each cell is one report: ✓ converted, ⚠ converted with warnings (the number of warnings).",
    ),
    "no_failed_info": (
        "没有转换记录（convert-report.json），因此只显示已转换的报告；转换失败的文件不在此列。",
        "No convert report (convert-report.json) is available, so only converted reports are shown; files "
        "that failed to convert are not listed.",
    ),
    "failed": ("转换失败的文件", "Files that failed to convert"),
    "failed_help": (
        "转换记录中未能转换的文件无法确定机关和年度，单独列出。",
        "A file that failed to convert has no agency or year we could read, so it is listed here, not in the grid.",
    ),
    "none_failed": ("转换记录中没有失败的文件。", "The convert report lists no failed files."),
    "agency": ("机关", "agency"),
    "year": ("年度", "year"),
    "years": ("年度", "years"),
    "file": ("文件", "file"),
    "error": ("错误", "error"),
    "more": ("下一页", "next page"),
    "links": ("更多", "More"),
    "sparql": ("SPARQL 查询端点", "SPARQL endpoint"),
    "query_ui": ("查询界面（YASGUI）", "Query editor (YASGUI)"),
    "dumps": ("批量下载", "Bulk downloads"),
    "void": ("数据集描述（VoID、DCAT）", "Data set description (VoID, DCAT)"),
    "ontology": ("本体和代码表", "Ontology and code lists"),
    "other_formats": ("其他格式", "Other formats"),
    "no_match": ("没有匹配的机关。", "No agency matches."),
    "matches_for": ("搜索结果：", "Matches for "),
    "all_agencies": ("全部机关", "All agencies"),
    "first_year": ("首个年度", "first year"),
    "last_year": ("最近年度", "last year"),
    "query_title": ("SPARQL 查询", "SPARQL query"),
    "examples": ("示例查询", "Example queries"),
    "load": ("载入编辑器", "Load into the editor"),
    "query_help": (
        "在编辑器中编写 SPARQL 查询并运行（Ctrl+Enter）；查询发送到本站的 /sparql。",
        "Write a SPARQL query in the editor and run it (Ctrl+Enter); it is sent to this site's /sparql.",
    ),
    "language": ("English", "中文"),
    "figures": ("全国和分省统计", "National and provincial figures"),
}


def choose_lang(request: Request) -> str:
    """``?lang=zh|en`` wins; then the first of zh/en in ``Accept-Language`` by q; default zh."""
    asked = request.query_params.get("lang", "").lower()
    if asked in LANGS:
        return asked
    return preferred_language(request.headers.get("accept-language"), LANGS, "zh")


def lang_switch(request: Request, lang: str) -> str:
    """The current URL with ``lang`` set to the other language."""
    other = "en" if lang == "zh" else "zh"
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] + [("lang", other)]
    return f"{quote(request.url.path)}?{urlencode(params)}"


def translator(lang: str) -> Any:
    i = LANGS.index(lang)

    def t(key: str) -> str:
        return TEXT[key][i]

    return t


def concept_label(scheme: str, notation: str, lang: str) -> str:
    c = CONCEPTS.get((scheme, notation))
    if c is None:
        return notation
    return c.zh if lang == "zh" else c.en


@cache
def _environment() -> Any:
    from endpoint.render.html import environment

    return environment()


def render_page(name: str, request: Request, lang: str, **context: Any) -> str:
    return (
        _environment()
        .get_template(name)
        .render(lang=lang, t=translator(lang), switch_href=lang_switch(request, lang), **context)
    )


# ---------------------------------------------------------------------------------------------
# Queries


def select(store: Store, query_name: str, bindings: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of a static SELECT as plain dicts: the pyoxigraph result object never leaves this
    function (it must not be dropped on another thread, see DESIGN.md)."""
    results = store.query(
        load_query(query_name),
        substitutions={Variable(k): v for k, v in bindings.items()},
        use_default_graph_as_union=True,
    )
    try:
        assert isinstance(results, QuerySolutions)
        names = [v.value for v in results.variables]
        return [{name: solution[name] for name in names} for solution in results]
    finally:
        # Also when this frame outlives the call (kept as f_back by a frame in a reference
        # cycle): tests/endpoint/test_result_objects.py.
        del results


def _v(term: Any) -> str | None:
    return None if term is None else term.value


def _int(term: Any) -> int | None:
    if term is None:
        return None
    try:
        return int(term.value)
    except ValueError:
        return None


def _key_of(agency_iri: str) -> str:
    return agency_iri.rstrip("/").rsplit("/", 1)[-1]


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
    after_iri = f"{settings.base_url}/id/agency/{after}" if after else ""
    rows: list[dict[str, Any]] = []
    more = None
    for sol in select(store, "page_agencies.rq", {"q": Literal(q), "after": Literal(after_iri)}):
        iri = sol["agency"].value
        if len(rows) == limit:
            more = rows[-1]["key"]
            break
        rows.append(
            {
                "key": _key_of(iri),
                "iri": iri,
                "href": f"/doc/agency/{_key_of(iri)}",
                "name": _v(sol["name"]),
                "reports": _int(sol["reports"]) or 0,
                "first_year": _v(sol["first"]),
                "last_year": _v(sol["last"]),
            }
        )
    return rows, more


@dataclass
class CoverageRow:
    key: str
    iri: str
    name: str
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)  # year -> report


def coverage_page(
    store: Store, settings: Settings, after: str, limit: int
) -> tuple[list[CoverageRow], list[str], str | None]:
    after_iri = f"{settings.base_url}/id/agency/{after}" if after else ""
    rows: list[CoverageRow] = []
    more = None
    for sol in select(store, "page_coverage.rq", {"after": Literal(after_iri)}):
        iri = sol["agency"].value
        if not rows or rows[-1].iri != iri:
            if len(rows) == limit:
                more = rows[-1].key
                break
            rows.append(CoverageRow(_key_of(iri), iri, _v(sol["name"]) or _key_of(iri)))
        year = _v(sol["year"]) or "?"
        warnings = _int(sol["warnings"]) or 0
        template = _v(sol["template"]) or ""
        rows[-1].reports[year] = {
            "href": f"/doc/report/{rows[-1].key}/{year}",
            "iri": sol["report"].value,
            "warnings": warnings,
            "status": "warnings" if warnings else "converted",
            "template": template.rsplit("/", 1)[-1],
        }
    years = sorted({y for r in rows for y in r.reports})
    return rows, years, more


def read_convert_report(settings: Settings) -> list[dict[str, Any]] | None:
    """The ``gongkai convert --report`` JSON, if the settings name one that exists."""
    path: Path | None = getattr(settings, "convert_report", None)
    if path is None or not Path(path).is_file():
        return None
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return [r for r in data if isinstance(r, dict)] if isinstance(data, list) else None


# ---------------------------------------------------------------------------------------------
# Agency series


@dataclass
class SeriesYear:
    year: str
    report_href: str
    values: dict[str, int | None]  # series notation -> value
    hrefs: dict[str, str]  # series notation -> observation page

    @property
    def granted_share(self) -> float | None:
        granted, handled = self.values.get("3.1"), self.values.get("3.7")
        if granted is None or not handled:
            return None
        return round(100.0 * granted / handled, 1)


def agency_series(store: Store, agency_iri: str) -> list[SeriesYear]:
    """The agency's main figures, year by year (from ``page_series.rq``)."""
    years: dict[str, SeriesYear] = {}
    for sol in select(store, "page_series.rq", {"agency": NamedNode(agency_iri)}):
        year = _v(sol["year"]) or "?"
        key = _key_of(agency_iri)
        entry = years.setdefault(year, SeriesYear(year, f"/doc/report/{key}/{year}", {}, {}))
        series = _v(sol["series"]) or ""
        entry.values[series] = _int(sol["count"])
        obs = sol["obs"].value
        entry.hrefs[series] = "/doc/" + obs.split("/id/", 1)[1] if "/id/" in obs else obs
    return [years[y] for y in sorted(years)]


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


def series_charts(rows: Sequence[SeriesYear], lang: str) -> list[Chart]:
    by_year = {r.year: r for r in rows}
    return figure_charts([r.year for r in rows], lambda series, year: by_year[year].values.get(series), lang)


def figure_charts(
    years: list[str], value: Callable[[str, str], float | None], lang: str, *, place: str = "", summed: bool = False
) -> list[Chart]:
    """The four charts of an agency's figures, or of a place's sums (``place``, ``summed``):
    applications received (row 1), the share granted in full (3.1 of 3.7), refusals by reason
    (3.3.x, stacked), reviews and lawsuits (表四 total per proceeding). ``value(series, year)`` is
    the number of a row or proceeding notation in a year, or None."""
    zh = lang == "zh"

    def title(zh_text: str, en_text: str) -> str:
        text = zh_text if zh else en_text
        return f"{place}{'：' if zh else ': '}{text[0].lower() + text[1:] if not zh else text}" if place else text

    shares = []
    for y in years:
        granted, handled = value("3.1", y), value("3.7", y)
        shares.append(None if granted is None or not handled else round(100.0 * granted / handled, 1))
    received = bar_chart(
        "chart-received",
        title("本年新收政府信息公开申请数量", "Applications received"),
        (
            ("表三第一行总计列之和，按年度：" if summed else "表三第一行“本年新收政府信息公开申请数量”总计列，按年度：")
            if zh
            else (
                "Sum of table 3, row 1, total column, by year: "
                if summed
                else "Table 3, row 1 (applications received), total column, by year: "
            )
        )
        + "; ".join(f"{y}: {_fmt(value('1', y))}" for y in years),
        years,
        [(concept_label("request", "1", lang), [value("1", y) for y in years])],
    )
    share = bar_chart(
        "chart-granted-share",
        title("予以公开占比", "Share granted in full"),
        (
            "予以公开（3.1）占办理结果总计（3.7）的百分比，按年度："
            if zh
            else "Granted in full (3.1) as a share of all outcomes (3.7), by year: "
        )
        + "; ".join(f"{y}: {_fmt(v, '%')}" for y, v in zip(years, shares, strict=True)),
        years,
        [(concept_label("request", "3.1", lang), shares)],
        unit="%",
    )
    refusals = bar_chart(
        "chart-refusals",
        title("不予公开，按理由", "Refusals by reason"),
        (
            "不予公开（3.3.1–3.3.8）总计列，按理由和年度（堆叠）："
            if zh
            else "Refusals (3.3.1–3.3.8), total column, by reason and year (stacked): "
        )
        + "; ".join(
            f"{y}: " + ", ".join(f"{concept_label('request', n, lang)} {_fmt(value(n, y))}" for n in REFUSAL_ROWS)
            for y in years
        ),
        years,
        [(concept_label("request", n, lang), [value(n, y) for y in years]) for n in REFUSAL_ROWS],
        stacked=True,
    )
    appeals = bar_chart(
        "chart-appeals",
        title("行政复议和行政诉讼", "Administrative reviews and lawsuits"),
        ("表四各程序的总计，按年度：" if zh else "Table 4 totals per proceeding, by year: ")
        + "; ".join(
            f"{y}: " + ", ".join(f"{concept_label('proceeding', p, lang)} {_fmt(value(p, y))}" for p in PROCEEDINGS)
            for y in years
        ),
        years,
        [(concept_label("proceeding", p, lang), [value(p, y) for y in years]) for p in PROCEEDINGS],
    )
    return [received, share, refusals, appeals]


def _fmt(value: float | None, unit: str = "") -> str:
    return "—" if value is None else f"{value:g}{unit}"


def _doc_href(iri: str) -> str:
    return "/doc/" + iri.split("/id/", 1)[1] if "/id/" in iri else iri


def carry_over_marks(store: Store, agency_iri: str, lang: str) -> dict[str, list[dict[str, Any]]]:
    """The years of the agency whose 表三 row 2 (上年结转) differs from row 4 of the year before
    (``carry-over-mismatch`` notes of ``gongkai load``, ``page_carry_over.rq``), year → one entry
    per applicant column: its label, both values and years, links to both cells and the note."""
    marks: dict[str, list[dict[str, Any]]] = {}
    seen: set[str] = set()
    for sol in select(store, "page_carry_over.rq", {"agency": NamedNode(agency_iri)}):
        note = _v(sol["note"]) or ""
        if note in seen:
            continue
        seen.add(note)
        column = _notation(_v(sol["applicant"])) or ""
        marks.setdefault(_v(sol["year"]) or "?", []).append(
            {
                "column": concept_label("applicant", column, lang),
                "value": _int(sol["count"]),
                "before_year": _v(sol["before"]),
                "before": _int(sol["previous"]),
                "href": _doc_href(sol["obs"].value),
                "before_href": _doc_href(sol["other"].value),
                "note_href": _doc_href(note),
            }
        )
    return marks


def possible_matches(store: Store, agency_iri: str) -> list[dict[str, Any]]:
    """The agencies ``gongkai load`` proposes as possibly the same as this one
    (``gk:possibleSameAgency``, ``page_possible_matches.rq``)."""
    out = []
    for sol in select(store, "page_possible_matches.rq", {"agency": NamedNode(agency_iri)}):
        other = sol["other"].value
        years = sorted(y.strip() for y in (_v(sol["years"]) or "").split(",") if y.strip())
        note = _v(sol["note"])
        out.append(
            {
                "href": _doc_href(other),
                "name": _v(sol["name"]) or _key_of(other),
                "years": ", ".join(years),
                "message": _v(sol["message"]) or "",
                "note_href": _doc_href(note) if note else None,
            }
        )
    return out


def series_context(store: Store, agency_iri: str, lang: str) -> dict[str, Any]:
    """What ``agency.html`` needs for its charts and figures table, the carry-over marks of its
    years and the agencies that may be the same (the checks across reports, issue 21)."""
    rows = agency_series(store, agency_iri)
    key = _key_of(agency_iri)
    columns = [
        ("1", concept_label("request", "1", lang)),
        ("3.1", concept_label("request", "3.1", lang)),
        ("3.7", concept_label("request", "3.7", lang)),
        *[(n, f"{n} {concept_label('request', n, lang)}") for n in REFUSAL_ROWS],
        *[(p, concept_label("proceeding", p, lang)) for p in PROCEEDINGS],
    ]
    return {
        "series": rows,
        "series_columns": columns,
        "charts": series_charts(rows, lang),
        "series_csv": f"/agencies/{key}/series.csv",
        "series_json": f"/agencies/{key}/series.json",
        "carry_over": carry_over_marks(store, agency_iri, lang),
        "possible_matches": possible_matches(store, agency_iri),
    }


# ---------------------------------------------------------------------------------------------
# Report cells


def _notation(iri: str | None) -> str | None:
    if iri is None:
        return None
    if iri.startswith(CODE_BASE):
        return iri[len(CODE_BASE) :].split("/", 1)[-1]
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


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
    for sol in select(store, "page_cells.rq", {"report": NamedNode(report_iri)}):
        rec: dict[str, Any] = {"observation": sol["obs"].value, "table": _notation(_v(sol["dataset"]))}
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
            rec[name] = _notation(_v(sol[name]))
        rec["value"] = _v(sol["value"])
        for name in ("sourceTable", "sourceRow", "sourceColumn", "sourceText"):
            rec[name] = _v(sol[name])
        rec["sourceLine"] = _int(sol["sourceLine"])
        rec["sourcePage"] = _int(sol["sourcePage"])
        rec["notes"] = _v(sol["notes"]) or ""
        out.append({c: rec.get(c) for c in CELL_COLUMNS})
    return out


# ---------------------------------------------------------------------------------------------
# Responses


def _url(path: str, params: Iterable[tuple[str, str]]) -> str:
    kept = [(k, v) for k, v in params if v != ""]
    return f"{path}?{urlencode(kept)}" if kept else path


def _link_header(stem: str, fmt: str, params: list[tuple[str, str]], next_params: list[tuple[str, str]] | None) -> str:
    links = []
    if fmt != "html":
        links.append(f'<{_url(stem, params)}>; rel="alternate"; type="text/html"')
    for key, media in TWINS.items():
        if key != fmt:
            links.append(f'<{_url(stem + "." + key, params)}>; rel="alternate"; type="{media.split(";")[0]}"')
    if next_params is not None:
        suffix = "" if fmt == "html" else "." + fmt
        links.append(f'<{_url(stem + suffix, next_params)}>; rel="next"')
    return ", ".join(links)


def twin_response(
    fmt: str,
    records: list[dict[str, Any]],
    columns: Sequence[str],
    *,
    link: str,
    next_href: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    headers = {"Link": link, "Vary": "Accept-Language"}
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(columns)
        for rec in records:
            writer.writerow(["" if rec.get(c) is None else rec.get(c) for c in columns])
        return Response(buf.getvalue().encode("utf-8"), 200, headers, media_type=TWINS["csv"])
    body = {**(extra or {}), "columns": list(columns), "items": records, "next": next_href}
    return Response(
        json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8"), 200, headers, media_type="application/json"
    )


def _split_format(name: str, stem: str) -> str:
    if name == stem:
        return "html"
    fmt = name[len(stem) + 1 :]
    if name.startswith(stem + ".") and fmt in TWINS:
        return fmt
    raise NotFound(f"no such page: /{name}; try /{stem}, /{stem}.csv or /{stem}.json")


AGENCY_COLUMNS = ["key", "name", "reports", "first_year", "last_year", "iri"]


@router.get("/agencies", response_model=None)
@router.get("/agencies.csv", response_model=None)
@router.get("/agencies.json", response_model=None)
def agencies(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    fmt = _split_format(request.url.path.lstrip("/"), "agencies")
    q = request.query_params.get("q", "").strip()[:200]
    after, limit = _paging(request)
    rows, more = agencies_page(store, settings, q, after, limit)
    params = [("q", q), ("limit", str(limit) if limit != DEFAULT_LIMIT else "")]
    next_params = [*params, ("after", more)] if more else None
    link = _link_header("/agencies", fmt, [*params, ("after", after)], next_params)
    if fmt != "html":
        next_href = _url(f"/agencies.{fmt}", next_params) if next_params else None
        return twin_response(fmt, rows, AGENCY_COLUMNS, link=link, next_href=next_href, extra={"q": q})
    lang = choose_lang(request)
    page = render_page(
        "agencies.html",
        request,
        lang,
        title=TEXT["agencies"][LANGS.index(lang)],
        q=q,
        rows=rows,
        next_href=_url("/agencies", [*next_params, ("lang", request.query_params.get("lang", ""))])
        if next_params
        else None,
        csv_href=_url("/agencies.csv", [*params, ("after", after)]),
        json_href=_url("/agencies.json", [*params, ("after", after)]),
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
    fmt = _split_format(request.url.path.lstrip("/"), "coverage")
    after, limit = _paging(request)
    rows, years, more = coverage_page(store, settings, after, limit)
    params = [("limit", str(limit) if limit != DEFAULT_LIMIT else "")]
    next_params = [*params, ("after", more)] if more else None
    link = _link_header("/coverage", fmt, [*params, ("after", after)], next_params)
    failed = [r for r in read_convert_report(settings) or [] if not r.get("ok")]
    if fmt != "html":
        next_href = _url(f"/coverage.{fmt}", next_params) if next_params else None
        extra = {"failed": [{"file": r.get("file"), "error": r.get("error")} for r in failed]}
        return twin_response(fmt, coverage_records(rows), COVERAGE_COLUMNS, link=link, next_href=next_href, extra=extra)
    lang = choose_lang(request)
    page = render_page(
        "coverage.html",
        request,
        lang,
        title=TEXT["coverage"][LANGS.index(lang)],
        rows=rows,
        years=years,
        convert_report=read_convert_report(settings) is not None,
        failed=failed,
        next_href=_url("/coverage", [*next_params, ("lang", request.query_params.get("lang", ""))])
        if next_params
        else None,
        csv_href=_url("/coverage.csv", [*params, ("after", after)]),
        json_href=_url("/coverage.json", [*params, ("after", after)]),
    )
    return Response(page, 200, {"Link": link, "Vary": "Accept-Language"}, media_type="text/html; charset=utf-8")


def home_page(
    request: Request, settings: Settings, store: Store, stats: Any, manifest: dict[str, Any] | None, license_url: str
) -> str:
    """The HTML home page (``routes/meta.py`` serves it to browsers at ``/``)."""
    lang = choose_lang(request)
    rows, years, more = coverage_page(store, settings, "", DEFAULT_LIMIT)
    n_agencies = sum(1 for _ in select(store, "page_agencies.rq", {"q": Literal(""), "after": Literal("")}))
    convert = read_convert_report(settings)
    return render_page(
        "home.html",
        request,
        lang,
        base=settings.base_url,
        title=TEXT["site"][LANGS.index(lang)],
        stats=stats,
        agencies=n_agencies,
        files=(manifest or {}).get("files", []),
        license=license_url,
        rows=rows,
        years=years,
        next_href=_url("/coverage", [("after", more)]) if more else None,
        convert_report=convert is not None,
        failed=[r for r in convert or [] if not r.get("ok")],
    )


@router.get("/agencies/{key}/{name}", response_model=None)
def series_twin(key: str, name: str, store: StoreDep, settings: SettingsDep) -> Response:
    fmt = _split_format(name, "series")
    if fmt == "html":
        raise NotFound(f"the figures are charted on /doc/agency/{key}; as data: series.csv, series.json")
    if not _KEY.fullmatch(key):
        raise NotFound(f"no such agency: {key}")
    iri = f"{settings.base_url}/id/agency/{key}"
    records = series_records(agency_series(store, iri))
    columns = list(records[0]) if records else ["year", "report", "received"]
    link = f'</doc/agency/{key}>; rel="alternate"; type="text/html", ' + ", ".join(
        f'</agencies/{key}/series.{k}>; rel="alternate"; type="{m.split(";")[0]}"' for k, m in TWINS.items() if k != fmt
    )
    return twin_response(fmt, records, columns, link=link, extra={"agency": iri})


@router.get("/reports/{key}/{year}/{name}", response_model=None)
def cells_twin(key: str, year: str, name: str, store: StoreDep, settings: SettingsDep) -> Response:
    fmt = _split_format(name, "cells")
    if fmt == "html" or not _KEY.fullmatch(key) or not year.isdigit():
        raise NotFound("the cells of a report are at /reports/{agency-key}/{year}/cells.csv or .json")
    iri = f"{settings.base_url}/id/report/{key}/{int(year)}"
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
    for sol in store.query(
        "SELECT ?r ?a WHERE { ?r a <https://w3id.org/gongkai/def#AnnualReport> ; "
        "<https://w3id.org/gongkai/def#agency> ?a ; <https://w3id.org/gongkai/def#template> ?t . "
        "FILTER(?t != <https://w3id.org/gongkai/code/template/legacy>) } ORDER BY ?r LIMIT 1",
        use_default_graph_as_union=True,
    ):
        report, agency = sol["r"].value, sol["a"].value
    report = report or "http://localhost:8000/id/report/example/2020"
    agency = agency or "http://localhost:8000/id/agency/example"
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
        title=TEXT["query_title"][LANGS.index(lang)],
        examples=example_queries(store, lang),
        initial=request.query_params.get("query", "")[:20_000],
    )
    headers = {"Vary": "Accept-Language", "Content-Security-Policy": QUERY_PAGE_CSP}  # YASGUI: own scripts, /sparql
    return Response(page, 200, headers, media_type="text/html; charset=utf-8")


QUERY_PAGE_CSP = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


# ---------------------------------------------------------------------------------------------
# Additions to the /doc pages (routes/resources.py renders them)


def observation_query(obs_iri: str) -> str:
    """The SPARQL query that fetches one observation's value, source and notes (shown as text)."""
    return (
        "PREFIX gk: <https://w3id.org/gongkai/def#>\n"
        "PREFIX oa: <http://www.w3.org/ns/oa#>\n"
        "SELECT ?measure ?value ?sourceText ?sourceTable ?sourceRow ?sourceColumn ?sourceLine ?note WHERE {\n"
        f"  VALUES ?obs {{ <{obs_iri}> }}\n"
        "  VALUES ?measure { gk:count gk:change gk:amount gk:quantity }\n"
        "  ?obs ?measure ?value .\n"
        "  OPTIONAL { ?obs gk:sourceText ?sourceText }\n"
        "  OPTIONAL { ?obs gk:sourceTable ?sourceTable }\n"
        "  OPTIONAL { ?obs gk:sourceRow ?sourceRow }\n"
        "  OPTIONAL { ?obs gk:sourceColumn ?sourceColumn }\n"
        "  OPTIONAL { ?obs gk:sourceLine ?sourceLine }\n"
        "  OPTIONAL { ?n oa:hasTarget ?obs ; oa:bodyValue ?note }\n"
        "}"
    )


def doc_page_extras(request: Request, subject_iri: str, doc_path: str) -> tuple[dict[str, Any], list[str]]:
    """Template context and ``Link`` header entries that the /doc HTML pages add: the language
    and its switch, an agency's charts and figures (with their twins), a report's cell twins, an
    observation's SPARQL query."""
    lang = choose_lang(request)
    extra: dict[str, Any] = {"lang": lang, "t": translator(lang), "switch_href": lang_switch(request, lang)}
    links: list[str] = []
    parts = doc_path.strip("/").split("/")  # doc, kind, ...
    kind = parts[1] if len(parts) > 1 else ""
    if kind == "agency" and len(parts) == 3:
        extra.update(series_context(request.app.state.store, subject_iri, lang))
        links += [
            f'<{extra["series_csv"]}>; rel="alternate"; type="text/csv"',
            f'<{extra["series_json"]}>; rel="alternate"; type="application/json"',
        ]
    elif kind == "report" and len(parts) == 4:
        stem = f"/reports/{parts[2]}/{parts[3]}/cells"
        extra.update(cells_csv=stem + ".csv", cells_json=stem + ".json")
        links += [
            f'<{stem}.csv>; rel="alternate"; type="text/csv"',
            f'<{stem}.json>; rel="alternate"; type="application/json"',
        ]
    if kind == "report" and len(parts) > 4:
        query = observation_query(subject_iri)
        extra.update(
            sparql_query=query,
            sparql_href="/sparql?" + urlencode({"query": query, "format": "csv"}),
            query_href="/query?" + urlencode({"query": query, "lang": lang}),
        )
    return extra, links
