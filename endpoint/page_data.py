"""What the pages show beyond a document's own triples, read from the store, for the routes that
serve them: the coverage grid and the home page (``/``, ``routes/meta.py``; ``/coverage``,
``routes/pages.py``), an agency's figures year by year with their charts, carry-over marks and
possible matches (its ``/doc`` page, ``routes/resources.py``; its series twin; the place charts of
``/figures``), and what the ``/doc`` HTML pages add (:func:`doc_page_extras`).

Route modules share these through this module, never by importing one another
(tests/test_layers.py). Queries are the static ``queries/page_*.rq``, run by
:mod:`endpoint.sparql.fixed` with values as substitutions.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from pyoxigraph import Literal, NamedNode, Store

from converter import iris
from endpoint.render.charts import Chart, bar_chart
from endpoint.render.html import in_language
from endpoint.render.site import (
    choose_lang,
    code_notation,
    concept_label,
    key_of,
    lang_switch,
    page_url,
    render_page,
    term_int,
    term_value,
)
from endpoint.settings import Settings
from endpoint.sparql import fixed

DEFAULT_LIMIT = 50  # rows of a listing page (the home page shows the first page of /coverage)
REFUSAL_ROWS = [f"3.3.{i}" for i in range(1, 9)]  # 表三 rows 3.3.1-3.3.8: refusals by reason
PROCEEDINGS = ["review", "litigation-direct", "litigation-after-review"]  # 表四's proceedings


# ---------------------------------------------------------------------------------------------
# The coverage grid and the home page (``/``, routes/meta.py)


@dataclass
class CoverageRow:
    key: str
    iri: str
    name: str
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)  # year -> report


def coverage_page(
    store: Store, settings: Settings, after: str, limit: int
) -> tuple[list[CoverageRow], list[str], str | None]:
    after_iri = str(iris.agency_iri(settings.base_url, after)) if after else ""
    rows: list[CoverageRow] = []
    more = None
    for sol in fixed.select(store, "page_coverage", union=True, bindings={"after": Literal(after_iri)}):
        iri = fixed.value(sol["agency"])
        if not rows or rows[-1].iri != iri:
            if len(rows) == limit:
                more = rows[-1].key
                break
            rows.append(CoverageRow(key_of(iri), iri, term_value(sol["name"]) or key_of(iri)))
        year = term_value(sol["year"]) or "?"
        warnings = term_int(sol["warnings"]) or 0
        template = term_value(sol["template"]) or ""
        rows[-1].reports[year] = {
            "href": f"/doc/report/{rows[-1].key}/{year}",
            "iri": fixed.value(sol["report"]),
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


def home_page(
    request: Request, settings: Settings, store: Store, stats: Any, manifest: dict[str, Any] | None, license_url: str
) -> str:
    """The HTML home page (``routes/meta.py`` serves it to browsers at ``/``)."""
    lang = choose_lang(request)
    rows, years, more = coverage_page(store, settings, "", DEFAULT_LIMIT)
    n_agencies = sum(
        1 for _ in fixed.select(store, "page_agencies", union=True, bindings={"q": Literal(""), "after": Literal("")})
    )
    convert = read_convert_report(settings)
    return render_page(
        "home.html",
        request,
        lang,
        base=settings.base_url,
        title=in_language(
            lang, "公开 · 政府信息公开工作年度报告数据", "Gongkai · government information-disclosure annual reports"
        ),
        stats=stats,
        agencies=n_agencies,
        files=(manifest or {}).get("files", []),
        license=license_url,
        rows=rows,
        years=years,
        next_href=page_url("/coverage", [("after", more)]) if more else None,
        convert_report=convert is not None,
        failed=[r for r in convert or [] if not r.get("ok")],
    )


# ---------------------------------------------------------------------------------------------
# An agency's figures, year by year (its /doc page, its series twin) and the charts of /figures


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
    for sol in fixed.select(store, "page_series", union=True, bindings={"agency": NamedNode(agency_iri)}):
        year = term_value(sol["year"]) or "?"
        key = key_of(agency_iri)
        entry = years.setdefault(year, SeriesYear(year, f"/doc/report/{key}/{year}", {}, {}))
        series = term_value(sol["series"]) or ""
        entry.values[series] = term_int(sol["count"])
        obs = fixed.value(sol["obs"])
        entry.hrefs[series] = iris.doc_path(obs) or obs
    return [years[y] for y in sorted(years)]


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
    return iris.doc_path(iri) or iri


def carry_over_marks(store: Store, agency_iri: str, lang: str) -> dict[str, list[dict[str, Any]]]:
    """The years of the agency whose 表三 row 2 (上年结转) differs from row 4 of the year before
    (``carry-over-mismatch`` notes of ``gongkai load``, ``page_carry_over.rq``), year → one entry
    per applicant column: its label, both values and years, links to both cells and the note."""
    marks: dict[str, list[dict[str, Any]]] = {}
    seen: set[str] = set()
    for sol in fixed.select(store, "page_carry_over", union=True, bindings={"agency": NamedNode(agency_iri)}):
        note = term_value(sol["note"]) or ""
        if note in seen:
            continue
        seen.add(note)
        column = code_notation(term_value(sol["applicant"])) or ""
        marks.setdefault(term_value(sol["year"]) or "?", []).append(
            {
                "column": concept_label("applicant", column, lang),
                "value": term_int(sol["count"]),
                "before_year": term_value(sol["before"]),
                "before": term_int(sol["previous"]),
                "href": _doc_href(fixed.value(sol["obs"])),
                "before_href": _doc_href(fixed.value(sol["other"])),
                "note_href": _doc_href(note),
            }
        )
    return marks


def possible_matches(store: Store, agency_iri: str) -> list[dict[str, Any]]:
    """The agencies ``gongkai load`` proposes as possibly the same as this one
    (``gk:possibleSameAgency``, ``page_possible_matches.rq``)."""
    out = []
    for sol in fixed.select(store, "page_possible_matches", union=True, bindings={"agency": NamedNode(agency_iri)}):
        other = fixed.value(sol["other"])
        years = sorted(y.strip() for y in (term_value(sol["years"]) or "").split(",") if y.strip())
        note = term_value(sol["note"])
        out.append(
            {
                "href": _doc_href(other),
                "name": term_value(sol["name"]) or key_of(other),
                "years": ", ".join(years),
                "message": term_value(sol["message"]) or "",
                "note_href": _doc_href(note) if note else None,
            }
        )
    return out


def series_context(store: Store, agency_iri: str, lang: str) -> dict[str, Any]:
    """What ``agency.html`` needs for its charts and figures table, the carry-over marks of its
    years and the agencies that may be the same (the checks across reports, issue 21)."""
    rows = agency_series(store, agency_iri)
    key = key_of(agency_iri)
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
    extra: dict[str, Any] = {"lang": lang, "switch_href": lang_switch(request, lang)}
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
