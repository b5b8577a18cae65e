"""The tidy table of every observation, for people who don't speak RDF (``gongkai dump``).

``observations.csv.gz``: one row per observation of every report (the aggregate cubes are derived
from them and are not in it), UTF-8, a header row, RFC 4180 (``,``, ``"`` quoting, CRLF), gzip.
``observations.csv-metadata.json`` describes it in W3C CSV on the Web (CSVW): every column's
name, titles (English and Chinese), datatype and, through ``aboutUrl`` / ``propertyUrl`` /
``valueUrl``, the RDF that a CSVW processor's csv2rdf makes of a row: the observation as the
store has it (type, data set, report, dimensions as code IRIs, the one measure and its value,
unit), its report's agency, year and template, and the Chinese labels of the codes. The
metadata's ``url`` is ``observations.csv``, the table decompressed: what ``gunzip`` makes next to
it (and CSVW's default ``{table}-metadata.json`` finds the metadata from it), and what
``/dumps/observations.csv`` serves (the gzip file with ``Content-Encoding: gzip``).

What CSVW cannot say, and the table therefore does not map: a column has one datatype, so every
value comes out ``xsd:decimal`` (the store has ``xsd:integer`` for counts and changes, the same
numbers); ``qb:measureType`` is stated by the store for 表二 and legacy observations only and a
column cannot be mapped for some rows and not others; the quality notes are resources of their
own in the store (``dqv:QualityAnnotation`` targeting the observation): the table gives their
issue codes, separated by a space (the ``separator`` of the ``notes`` column), and maps nothing.

Rows are read with ``queries/dump_observations.rq``, run for one report at a time in the order
of the report IRIs (``{BASE}/id/report/{agency-key}/{year}``: by agency, then year), so that
memory holds one report's rows, whatever the number of reports; a report's rows are sorted by
table, row, column and observation in Python (an ``ORDER BY`` on IRIs made the query ~1.5x
slower). The same store gives the same bytes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, Protocol

from pyoxigraph import NamedNode, QuerySolutions, Store, Variable

from converter.defaults import DEFAULT_BASE

CSV_NAME = "observations.csv.gz"
TABLE_URL = "observations.csv"  # the table decompressed: what `gunzip` makes and /dumps/ also serves
METADATA_NAME = "observations.csv-metadata.json"
CSV_MEDIA_TYPE = "text/csv"
METADATA_MEDIA_TYPE = "application/csvm+json"
NOTE_SEPARATOR = " "

GK = "https://w3id.org/gongkai/def#"
CODE = "https://w3id.org/gongkai/code/"
QB = "http://purl.org/linked-data/cube#"
SKOS_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
UNIT_MEASURE = "http://purl.org/linked-data/sdmx/2009/attribute#unitMeasure"
# IRI columns are strings: the csvw library (PyPI) expands an anyURI cell into a URI template as
# its parts joined by commas, not as the IRI (CSVW says the cell's string value)
IRI = "string"
OBSERVATION = "{+observation}"
REPORT = "{+report}"
AGENCY = "{+agency_iri}"


@dataclass(frozen=True)
class Column:
    """A column of the table and how a row's cell maps to RDF (``property`` None: it maps to
    nothing, ``suppressOutput``). ``about`` None: the cell says something of the observation."""

    name: str
    zh: str
    description: str
    datatype: str = "string"
    property: str | None = None
    value: str | None = None
    about: str | None = None
    lang: str | None = None
    separator: str | None = None


def _code(scheme: str, notation: str) -> str:
    return CODE + scheme + "/{" + notation + "}"


COLUMNS: tuple[Column, ...] = (
    Column("agency", "机关", "the agency's name (skos:prefLabel)", about=AGENCY, property=SKOS_PREF_LABEL, lang="zh"),
    Column(
        "province",
        "省份",
        "the agency's province (GB/T 2260), found from its name at load time; empty if its name names none",
        about=_code("province", "province_code"),
        property=SKOS_PREF_LABEL,
        lang="zh",
    ),
    Column("year", "年度", "the report's year", "gYear", about=REPORT, property=GK + "year"),
    Column(
        "template",
        "模板",
        "the template generation the report follows: 2019, 2021 or legacy",
        about=REPORT,
        property=GK + "template",
        value=_code("template", "template"),
    ),
    Column("table", "表", "the table: table2 (表二), table3 (表三), table4 (表四) or legacy", property=QB + "dataSet"),
    Column(
        "provision",
        "条款",
        "表二 only: the Article 20 provision (code list provision)",
        property=GK + "provision",
        value=_code("provision", "provision"),
    ),
    Column(
        "row_code",
        "行代码",
        "the row: its notation in the code list row_scheme",
        property=GK + "{row_dimension}",
        value=CODE + "{row_scheme}/{row_code}",
    ),
    Column(
        "row_label",
        "行",
        "the row's Chinese label (the template's wording)",
        about=CODE + "{row_scheme}/{row_code}",
        property=SKOS_PREF_LABEL,
        lang="zh",
    ),
    Column(
        "column_code",
        "列代码",
        "the column: its notation in the code list column_scheme; empty for legacy reports",
        property=GK + "{column_dimension}",
        value=CODE + "{column_scheme}/{column_code}",
    ),
    Column(
        "column_label",
        "列",
        "the column's Chinese label (the template's wording)",
        about=CODE + "{column_scheme}/{column_code}",
        property=SKOS_PREF_LABEL,
        lang="zh",
    ),
    Column("value", "数值", "the number the report states, never rescaled", "decimal", property=GK + "{measure}"),
    Column(
        "unit",
        "单位",
        "the unit the report states (yuan, wan-yuan, wan-tiao, item), for amounts and legacy quantities; "
        "empty when none applies or the report does not state it (then the notes say unit-missing)",
        property=UNIT_MEASURE,
        value=_code("unit", "unit"),
    ),
    Column("measure", "度量", "what the value is: count, change (signed), amount (money) or quantity"),
    Column(
        "notes",
        "质量说明",
        "the issue codes of the quality notes about this number (docs/issues.md), separated by a space",
        separator=NOTE_SEPARATOR,
    ),
    Column("observation", "观测", "the observation's IRI (its page: /doc/… of the same path)", IRI),
    Column("report", "报告", "the report's IRI", IRI, property=GK + "report", value=REPORT),
    Column("agency_iri", "机关IRI", "the agency's IRI", IRI, about=REPORT, property=GK + "agency", value=AGENCY),
    Column(
        "province_code",
        "省份代码",
        "the province's GB/T 2260 code",
        about=AGENCY,
        property=GK + "province",
        value=_code("province", "province_code"),
    ),
    Column("row_dimension", "行维度", "the dimension property of the row (gk:request, gk:item, …), local name"),
    Column("row_scheme", "行代码表", "the code list of row_code (request, item, proceeding, legacy)"),
    Column("column_dimension", "列维度", "the dimension property of the column (gk:applicant, …), local name"),
    Column("column_scheme", "列代码表", "the code list of column_code (applicant, column, result)"),
)
NAMES = tuple(column.name for column in COLUMNS)


def metadata(columns: Sequence[Column] = COLUMNS, *, url: str = TABLE_URL, base: str = DEFAULT_BASE) -> dict[str, Any]:
    """The CSVW metadata of the table (a JSON object). ``base``: the data IRIs' base, for the
    data sets' IRIs ``{base}/id/dataset/{table}`` (the one IRI the rows do not hold)."""
    described = []
    for column in columns:
        entry: dict[str, Any] = {
            "name": column.name,
            "titles": {"en": column.name, "zh": column.zh},
            "dc:description": column.description,
            "datatype": column.datatype,
        }
        if column.lang:
            entry["lang"] = column.lang
        if column.separator:
            entry["separator"] = column.separator
        if column.about:
            entry["aboutUrl"] = column.about
        if column.property is None:
            entry["suppressOutput"] = True
        else:
            entry["propertyUrl"] = column.property
        if column.value:
            entry["valueUrl"] = column.value
        elif column.name == "table":
            entry["valueUrl"] = base.rstrip("/") + "/id/dataset/{table}"
        described.append(entry)
    described += [
        _virtual("observation_type", OBSERVATION, QB + "Observation"),
        _virtual("report_type", REPORT, GK + "AnnualReport"),
        _virtual("agency_type", AGENCY, GK + "Agency"),
    ]
    return {
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "en"}],
        "url": url,
        "dc:title": "Gongkai: every observation of every report, one row each",
        "dc:description": (
            "The numbers of the Chinese government information-disclosure annual reports "
            "(政府信息公开工作年度报告) as a tidy table: one row per table cell a report states. "
            "The dump holds it gzip-compressed as observations.csv.gz: `gunzip` gives observations.csv, "
            "which this file describes (and /dumps/observations.csv serves it with Content-Encoding: gzip)."
        ),
        "dc:license": {"@id": "https://creativecommons.org/licenses/by/4.0/"},
        "dialect": {
            "encoding": "utf-8",
            "header": True,
            "delimiter": ",",
            "quoteChar": '"',
            "doubleQuote": True,
            "lineTerminators": ["\r\n"],
        },
        "tableSchema": {"columns": described, "primaryKey": "observation", "aboutUrl": OBSERVATION},
    }


def _virtual(name: str, about: str, rdf_type: str) -> dict[str, Any]:
    return {"name": name, "virtual": True, "aboutUrl": about, "propertyUrl": "rdf:type", "valueUrl": rdf_type}


# --------------------------------------------------------------------------------------------
# Rows


def notation(iri: str | None) -> str:
    """The notation of a code IRI (``…/code/request/3.3.1`` → ``3.3.1``), the local name of a
    property (``…def#count`` → ``count``), the last segment of a data set IRI; "" for None."""
    if not iri:
        return ""
    return iri.rsplit("#", 1)[-1] if "#" in iri else iri.rsplit("/", 1)[-1]


def scheme(iri: str | None) -> str:
    """The code list of a code IRI (``…/code/request/3.3.1`` → ``request``); "" for None."""
    if not iri or not iri.startswith(CODE):
        return ""
    return iri[len(CODE) :].split("/", 1)[0]


def row_cells(solution: Mapping[str, str | None]) -> list[str]:
    """The cells of one row, in :data:`NAMES` order, from one solution of
    ``dump_observations.rq`` as plain strings (IRIs, lexical forms; None for unbound)."""
    get = solution.get
    notes = sorted(set((get("notes") or "").split()))
    cells = {
        "agency": get("agencyLabel") or "",
        "province": get("provinceLabel") or "",
        "year": get("year") or "",
        "template": notation(get("template")),
        "table": notation(get("dataset")),
        "provision": notation(get("provision")),
        "row_code": notation(get("row")),
        "row_label": get("rowLabel") or "",
        "column_code": notation(get("column")),
        "column_label": get("columnLabel") or "",
        "value": get("value") or "",
        "unit": notation(get("unit")),
        "measure": notation(get("measure")),
        "notes": NOTE_SEPARATOR.join(notes),
        "observation": get("observation") or "",
        "report": get("report") or "",
        "agency_iri": get("agency") or "",
        "province_code": notation(get("province")),
        "row_dimension": notation(get("rowDimension")),
        "row_scheme": scheme(get("row")),
        "column_dimension": notation(get("columnDimension")),
        "column_scheme": scheme(get("column")),
    }
    return [cells[name] for name in NAMES]


def sort_key(cells: Sequence[str]) -> tuple[str, ...]:
    """A report's rows in the order table, row, column, observation (the report's own rows: the
    agency and year are the same)."""
    at = {name: i for i, name in enumerate(NAMES)}
    return tuple(cells[at[name]] for name in ("table", "row_scheme", "row_code", "column_code", "observation"))


class Sink(Protocol):
    def write(self, data: bytes) -> object: ...


def write_rows(reports: Iterable[Iterable[Mapping[str, str | None]]], sink: Sink) -> int:
    """Write the header and the rows of ``reports`` (each the solutions of one report) to ``sink``
    as UTF-8 CSV (RFC 4180), a report at a time; return the number of rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(NAMES)
    count = 0
    for solutions in reports:
        rows = sorted((row_cells(s) for s in solutions), key=sort_key)
        writer.writerows(rows)
        count += len(rows)
        if buffer.tell() >= 1 << 20:
            sink.write(buffer.getvalue().encode("utf-8"))
            buffer.seek(0)
            buffer.truncate()
    sink.write(buffer.getvalue().encode("utf-8"))
    return count


def report_solutions(store: Store, reports: Iterable[NamedNode]) -> Iterator[list[dict[str, str | None]]]:
    """The solutions of ``dump_observations.rq`` for each report, as plain strings (the result
    object never leaves this generator's thread)."""
    query = resources.files("endpoint").joinpath("queries", "dump_observations.rq").read_text(encoding="utf-8")
    report = Variable("report")
    for graph in reports:
        results = store.query(query, substitutions={report: graph})
        try:
            assert isinstance(results, QuerySolutions)
            names = [v.value for v in results.variables]
            rows = [{name: (None if (term := s[name]) is None else term.value) for name in names} for s in results]
        finally:
            del results
        yield rows


def data_base(first_report: NamedNode | None) -> str:
    """The base of the data IRIs, from a report IRI (``{BASE}/id/report/…``)."""
    if first_report is not None and "/id/report/" in first_report.value:
        return first_report.value.split("/id/report/", 1)[0]
    return DEFAULT_BASE
