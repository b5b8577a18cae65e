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

Rows are made from the N-Triples of each report graph that ``gongkai dump`` writes for the
year's N-Quads anyway (:class:`ReportGraph`, fed by ``endpoint/dump.py``): reading the store
again would decode every term a second time, which is most of what a dump costs. The codes'
labels and the agencies' provinces are read once (:class:`Lookups`). A report's rows are sorted by
table, row, column and observation; the reports come in the order of their IRIs
(``{BASE}/id/report/{agency-key}/{year}``: by agency, then year). Memory holds one report's
rows per dump thread, whatever the number of reports. The same store gives the same bytes.
"""

from __future__ import annotations

import csv
import functools
import io
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from pyoxigraph import DefaultGraph, Literal, NamedNode, Store

from converter import iris
from converter.defaults import DEFAULT_BASE, GK_ONTOLOGY

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
            entry["valueUrl"] = iris.dataset_prefix(base) + "{table}"
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


@functools.lru_cache(maxsize=1 << 12)  # codes, properties, data sets: a few hundred
def notation(iri: str | None) -> str:
    """The notation of a code IRI (``…/code/request/3.3.1`` → ``3.3.1``), the local name of a
    property (``…def#count`` → ``count``), the last segment of a data set IRI; "" for None."""
    if not iri:
        return ""
    return iri.rsplit("#", 1)[-1] if "#" in iri else iri.rsplit("/", 1)[-1]


@functools.lru_cache(maxsize=1 << 12)
def scheme(iri: str | None) -> str:
    """The code list of a code IRI (``…/code/request/3.3.1`` → ``request``); "" for None."""
    if not iri or not iri.startswith(CODE):
        return ""
    return iri[len(CODE) :].split("/", 1)[0]


def _text(term: str | None) -> str:
    return term or ""


def _notes(codes: str | None) -> str:
    return NOTE_SEPARATOR.join(sorted(set((codes or "").split())))


# each column's cell, a function of one variable of a solution (see :meth:`ReportGraph.solutions`)
_CELL: dict[str, tuple[str, Callable[[str | None], str]]] = {
    "agency": ("agencyLabel", _text),
    "province": ("provinceLabel", _text),
    "year": ("year", _text),
    "template": ("template", notation),
    "table": ("dataset", notation),
    "provision": ("provision", notation),
    "row_code": ("row", notation),
    "row_label": ("rowLabel", _text),
    "column_code": ("column", notation),
    "column_label": ("columnLabel", _text),
    "value": ("value", _text),
    "unit": ("unit", notation),
    "measure": ("measure", notation),
    "notes": ("notes", _notes),
    "observation": ("observation", _text),
    "report": ("report", _text),
    "agency_iri": ("agency", _text),
    "province_code": ("province", notation),
    "row_dimension": ("rowDimension", notation),
    "row_scheme": ("row", scheme),
    "column_dimension": ("columnDimension", notation),
    "column_scheme": ("column", scheme),
}
CELLS = tuple(_CELL[name] for name in NAMES)  # in the order of the columns


def row_cells(solution: Mapping[str, str | None]) -> list[str]:
    """The cells of one row, in :data:`NAMES` order, from one solution (:meth:`ReportGraph.solutions`)
    as plain strings (IRIs, lexical forms; None for unbound)."""
    get = solution.get
    return [cell(get(variable)) for variable, cell in CELLS]


_SORTED_BY = tuple(NAMES.index(name) for name in ("table", "row_scheme", "row_code", "column_code", "observation"))


def sort_key(cells: Sequence[str]) -> tuple[str, ...]:
    """A report's rows in the order table, row, column, observation (the report's own rows: the
    agency and year are the same), then the cells in order: an observation has several rows only
    if the store has several values where one is expected (two Chinese labels for a code, …)."""
    return (*[cells[i] for i in _SORTED_BY], *cells)


HEADER = ",".join(NAMES).encode("utf-8") + b"\r\n"  # no name needs quoting


def csv_lines(rows: Sequence[Sequence[str]]) -> bytes:
    """Rows as UTF-8 CSV (RFC 4180: ``,``, ``"``-quoting, CRLF), as :mod:`csv` writes them. When no
    cell holds a ``,``, ``"`` or line break (which the counts of the joined text show), no cell is
    quoted and the rows are joined directly (much faster)."""
    text = "".join([",".join(row) + "\r\n" for row in rows])
    n = len(rows)
    if '"' in text or text.count(",") != n * (len(NAMES) - 1) or text.count("\n") != n or text.count("\r") != n:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows(rows)
        text = buffer.getvalue()
    return text.encode("utf-8")


class Sink(Protocol):
    def write(self, data: bytes) -> object: ...


def write_rows(reports: Iterable[Iterable[Mapping[str, str | None]]], sink: Sink) -> int:
    """Write the header and the rows of ``reports`` (each the solutions of one report, sorted
    by :func:`sort_key`) to ``sink``, a report at a time; return the number of rows."""
    sink.write(HEADER)
    count = 0
    for solutions in reports:
        rows = sorted((row_cells(s) for s in solutions), key=sort_key)
        sink.write(csv_lines(rows))
        count += len(rows)
    return count


# --------------------------------------------------------------------------------------------
# Reading a report graph from its N-Triples

_P_REPORT, _P_AGENCY, _P_YEAR, _P_TEMPLATE, _P_LABEL = "report", "agency", "year", "template", "label"
_P_DATASET, _P_PROVISION, _P_UNIT, _P_TARGET, _P_CODE = "dataset", "provision", "unit", "target", "code"
_MEASURES = tuple(f"<{GK}{m}>" for m in ("count", "change", "amount", "quantity"))
_ROW_DIMENSIONS = tuple(f"<{GK}{d}>" for d in ("request", "item", "proceeding", "legacyItem"))
_COLUMN_DIMENSIONS = tuple(f"<{GK}{d}>" for d in ("applicant", "column", "result"))
# the predicates a row is made of, in N-Triples form, and the key :class:`ReportGraph` files them under
_READ = {
    f"<{GK}report>": _P_REPORT,
    f"<{GK}agency>": _P_AGENCY,
    f"<{GK}year>": _P_YEAR,
    f"<{GK}template>": _P_TEMPLATE,
    f"<{SKOS_PREF_LABEL}>": _P_LABEL,
    f"<{QB}dataSet>": _P_DATASET,
    f"<{GK}provision>": _P_PROVISION,
    f"<{UNIT_MEASURE}>": _P_UNIT,
    "<http://www.w3.org/ns/oa#hasTarget>": _P_TARGET,
    f"<{GK}issueCode>": _P_CODE,
    **{p: p for p in _MEASURES + _ROW_DIMENSIONS + _COLUMN_DIMENSIONS},
}
# the variables of the four parts of a solution (:meth:`ReportGraph.rows`); the cells each part
# makes; how the cells of the four, one after the other, are put in the order of NAMES
_HEAD = ("report", "agency", "agencyLabel", "year", "template", "province", "provinceLabel")
_OBSERVATION = ("observation", "provision", "unit", "notes", "dataset", "measure", "value")  # the order of _parts
_ROW = ("rowDimension", "row", "rowLabel")
_COLUMN = ("columnDimension", "column", "columnLabel")
_PARTS: tuple[tuple[str, ...], ...] = (_HEAD, _OBSERVATION, _ROW, _COLUMN)
_VARIABLES = _HEAD + _OBSERVATION + _ROW + _COLUMN
# for each part: each of its cells, from which of its values
_AT: dict[tuple[str, ...], list[tuple[int, Callable[[str | None], str]]]] = {
    part: [(part.index(variable), cell) for variable, cell in CELLS if variable in part] for part in _PARTS
}
_ORDER = [i for part in _PARTS for i, (variable, _cell) in enumerate(CELLS) if variable in part]
assert sorted(_ORDER) == list(range(len(NAMES)))  # each cell of one part
_GATHER = operator.itemgetter(*(_ORDER.index(i) for i in range(len(NAMES))))


def _own_cells(values: tuple[str | None, ...], part: tuple[str, ...]) -> tuple[str, ...]:
    return tuple([cell(values[i]) for i, cell in _AT[part]])


_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_ESCAPED = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1) or match.group(2)
    return chr(int(code, 16)) if code else _ESCAPED[match.group(3)]


def value(term: str | None) -> str | None:
    """The value of a term written in N-Triples (``<iri>`` → the IRI, ``_:id`` → the id, a
    literal → its lexical form): what pyoxigraph's ``term.value`` gives."""
    if term is None:
        return None
    if term[0] == "<":
        return term[1:-1]
    if term[0] == "_":
        return term[2:]
    lexical = term[1 : term.rindex('"')]  # after it: nothing, @lang or ^^<datatype>
    return _ESCAPE.sub(_unescape, lexical) if "\\" in lexical else lexical


_term = functools.lru_cache(maxsize=1 << 12)(value)  # for the terms many triples share: codes, numbers


def _is_string(term: str) -> bool:
    """A simple or language-tagged literal (what GROUP_CONCAT concatenates)."""
    if term[0] != '"':
        return False
    after = term[term.rindex('"') + 1 :]
    return not after or after[0] == "@"


@dataclass(frozen=True)
class Lookups:
    """What every report's rows take from outside the report's graph, read once: the Chinese
    labels (``skos:prefLabel``, language ``zh`` or ``zh-…``) of the vocabulary graph's resources
    (the codes, the provinces) and each agency's provinces (``gk:province``, in the aggregates
    graph), all keyed by terms in N-Triples form. Its size is that of the vocabulary and of the
    number of agencies, not of the observations."""

    labels: Mapping[str, Sequence[str]]
    provinces: Mapping[str, Sequence[str]]
    # the cells of a row's and a column's part (:meth:`ReportGraph.rows`), made once per dump
    row_cells: dict[tuple[str | None, ...], tuple[str, ...]] = field(default_factory=dict, compare=False)
    column_cells: dict[tuple[str | None, ...], tuple[str, ...]] = field(default_factory=dict, compare=False)

    @classmethod
    def read(cls, store: Store) -> Lookups:
        labels: dict[str, list[str]] = {}
        vocabulary = NamedNode(GK_ONTOLOGY)
        for quad in store.quads_for_pattern(None, NamedNode(SKOS_PREF_LABEL), None, vocabulary):
            label = quad.object
            if isinstance(label, Literal) and label.language and (label.language + "-").startswith("zh-"):
                labels.setdefault(str(quad.subject), []).append(label.value)
        provinces: dict[str, list[str]] = {}
        for quad in store.quads_for_pattern(None, NamedNode(GK + "province"), None):
            if not isinstance(quad.graph_name, DefaultGraph):  # any named graph, as GRAPH ?g
                provinces.setdefault(str(quad.subject), []).append(str(quad.object))
        return cls(labels, provinces)


class ReportGraph:
    """The rows of one report graph, read from its N-Triples as ``Store.dump`` writes them (one
    triple a line, single spaces between the terms), fed in blocks of whole lines: the N-Quads
    dump already decodes every quad of the graph, and Oxigraph's decoding of terms (a RocksDB
    look-up per IRI) is what reading the store costs: a SPARQL query per report, or
    ``quads_for_pattern`` on the ~20 predicates a row needs, took several times the CPU of this
    Python (bench/RESULTS.md).

    :meth:`solutions` gives what a SPARQL query of the report would (one solution per
    combination of the observation's values, as a join does), with these names: ``report``,
    ``agency``, ``agencyLabel`` (any language, from the report graph), ``year``, ``template``,
    ``province``, ``provinceLabel``, ``observation`` (the subjects with ``gk:report`` the
    report), ``dataset``, ``measure`` and ``value``, ``rowDimension`` and ``row``, ``rowLabel``,
    ``columnDimension`` and ``column`` (unbound for none), ``columnLabel``, ``provision`` and
    ``unit`` (one of them if there are several), ``notes`` (the issue codes of the notes that
    target the observation, separated by a space). No ``gk:agency`` or no ``gk:year``: no rows.
    """

    def __init__(self, report: str, lookups: Lookups) -> None:
        self.node, self.lookups = f"<{report}>", lookups
        self.facts: dict[str, dict[str, list[str]]] = {}

    def feed(self, block: bytes) -> None:
        read, facts = _READ, self.facts
        for line in block.decode("utf-8").split("\n"):
            parts = line.split(" ", 2)
            if len(parts) == 3 and (key := read.get(parts[1])) is not None:
                facts.setdefault(parts[0], {}).setdefault(key, []).append(parts[2][:-2])  # less " ."

    def solutions(self) -> Iterator[dict[str, str | None]]:
        for head, observation, row, column in self._parts():
            yield dict(zip(_VARIABLES, head + observation + row + column, strict=True))

    def rows(self) -> list[tuple[str, ...]]:
        """The cells of the report's rows, sorted: :func:`row_cells` of each of :meth:`solutions`,
        put together from the cells of its four parts (each cell is a function of one variable,
        and each variable is of one part), those of a row's or a column's code computed once."""
        heads: dict[tuple[str | None, ...], tuple[str, ...]] = {}
        row_cache, column_cache = self.lookups.row_cells, self.lookups.column_cells
        at = _AT[_OBSERVATION]
        rows = []
        for head, observation, row, column in self._parts():
            if (head_cells := heads.get(head)) is None:
                head_cells = heads[head] = _own_cells(head, _HEAD)
            if (row_own := row_cache.get(row)) is None:
                row_own = row_cache[row] = _own_cells(row, _ROW)
            if (column_own := column_cache.get(column)) is None:
                column_own = column_cache[column] = _own_cells(column, _COLUMN)
            own = head_cells + tuple([cell(observation[i]) for i, cell in at]) + row_own + column_own
            rows.append(_GATHER(own))
        rows.sort(key=sort_key)
        return rows

    def _parts(self) -> Iterator[tuple[tuple[str | None, ...], ...]]:
        """Each solution as its four parts, the values of the variables :data:`_HEAD` (the
        report's facts), :data:`_OBSERVATION`, :data:`_ROW`, :data:`_COLUMN`."""
        facts, labels = self.facts, self.lookups.labels
        notes: dict[str, set[str]] = {}
        for about in facts.values():
            codes = [value(c) or "" for c in about.get(_P_CODE, ()) if _is_string(c)]
            for target in about.get(_P_TARGET, ()):
                notes.setdefault(target, set()).update(codes)
        heads = list(self._heads())
        for subject, about in facts.items():
            if self.node not in about.get(_P_REPORT, ()):
                continue
            found = notes.get(subject)
            observation = (
                value(subject),
                _term(about.get(_P_PROVISION, [None])[0]),  # as SAMPLE: one of them
                _term(about.get(_P_UNIT, [None])[0]),
                " ".join(sorted(found)) if found else None,
            )
            rows = [
                (_term(dimension), _term(code), label)
                for dimension in _ROW_DIMENSIONS
                for code in about.get(dimension, ())
                for label in labels.get(code) or (None,)
            ]
            columns = [
                (_term(dimension), _term(code), label)
                for dimension in _COLUMN_DIMENSIONS
                for code in about.get(dimension, ())
                for label in labels.get(code) or (None,)
            ] or [(None, None, None)]
            for dataset in about.get(_P_DATASET, ()):
                for measure in _MEASURES:
                    for number in about.get(measure, ()):
                        cells = (*observation, _term(dataset), _term(measure), _term(number))
                        for head in heads:
                            for row in rows:
                                for column in columns:
                                    yield head, cells, row, column

    def _heads(self) -> Iterator[tuple[str | None, ...]]:
        """The report's facts (the variables :data:`_HEAD`), one combination each (normally one)."""
        report = self.facts.get(self.node, {})
        for agency in report.get(_P_AGENCY, ()):
            names: Sequence[str | None] = self.facts.get(agency, {}).get(_P_LABEL) or [None]
            places: list[tuple[str | None, str | None]] = [
                (province, label)
                for province in self.lookups.provinces.get(agency, ())
                for label in self.lookups.labels.get(province) or (None,)
            ] or [(None, None)]
            for year in report.get(_P_YEAR, ()):
                templates: Sequence[str | None] = report.get(_P_TEMPLATE) or [None]
                for template in templates:
                    for name in names:
                        for province, province_label in places:
                            yield (
                                value(self.node),
                                value(agency),
                                value(name),
                                value(year),
                                value(template),
                                value(province),
                                province_label,
                            )


def data_base(first_report: NamedNode | None) -> str:
    """The base of the data IRIs, from a report IRI (``{BASE}/id/report/…``)."""
    base = iris.base_of(first_report.value) if first_report is not None else None
    return DEFAULT_BASE if base is None else base
