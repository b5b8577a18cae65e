"""Report → RDF: one named graph per report (docs/model.md), as N-Quads lines.

:func:`report_lines` is the one builder: every statement about a report, in the report's named
graph, each term made by pyoxigraph (``NamedNode``, ``Literal``: IRIs checked, literals escaped)
and written in the N-Triples form pyoxigraph gives it (``str(term)``, what its N-Quads
serializer writes), the four joined by spaces. No RDF text is pasted together from raw values.
:func:`report_quads` reads those lines back as ``pyoxigraph.Quad``s, and :func:`emit_report` as an
rdflib ``Dataset`` (TriG and Turtle output, tests, SHACL with pySHACL);
:func:`converter.output.report_nquads` sorts them into a report's N-Quads block.

Why lines and not quads: a ``pyoxigraph.Quad`` whose object is a literal costs several times one
whose object is an IRI to make (the binding tries the other term types first), and a report has
~1,200 such statements: half of a text report's conversion time went there (bench/RESULTS.md).

Lexical forms are those the rdflib builder of earlier versions wrote (tests/converter/
test_emit_fast.py compares the two on every input the tests convert): plain strings without a
datatype, ``xsd:integer`` as ``str(int)``, ``xsd:decimal`` as ``format(value, "f")`` (no exponent,
trailing zeros kept), ``xsd:gYear`` as the year's digits, ``xsd:date`` as rdflib normalises it.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Literal

from converter import iris
from converter.errors import FileError, Issue
from converter.model import Cell, Report
from converter.tables.layout import Measure
from converter.terms import add_to_rdflib
from converter.vocab import DCTERMS, DQV, FOAF, GK, OA, PREFIXES, PROV, QB, RDF, RDFS, SDMX_ATTRIBUTE, SKOS, XSD


class InvalidSourceUrl(FileError):
    """The source URL of a report (read from it or given in the manifest) is not an IRI."""


Term = str  # a term in its N-Triples form, as pyoxigraph writes it: <iri>, "text"@zh, "5"^^<…#integer>


def _iri(iri: str) -> Term:
    """An IRI in N-Triples form (pyoxigraph checks it: ``ValueError`` if it is not an IRI)."""
    return str(ox.NamedNode(str(iri)))


# Predicates and classes (made once).
A = _iri(RDF.type)
AGENCY, ANNUAL_REPORT = _iri(GK.Agency), _iri(GK.AnnualReport)
GK_AGENCY, GK_YEAR, GK_TEMPLATE = _iri(GK.agency), _iri(GK.year), _iri(GK.template)
GK_EVIDENCE = _iri(GK.templateEvidence)
GK_SHA256, GK_FILE_NAME, GK_REPORT = _iri(GK.sha256), _iri(GK.fileName), _iri(GK.report)
GK_SOURCE_TABLE, GK_SOURCE_ROW, GK_SOURCE_COLUMN = _iri(GK.sourceTable), _iri(GK.sourceRow), _iri(GK.sourceColumn)
GK_SOURCE_LINE, GK_SOURCE_PAGE, GK_SOURCE_TEXT = _iri(GK.sourceLine), _iri(GK.sourcePage), _iri(GK.sourceText)
GK_ISSUE_CODE, GK_SEVERITY = _iri(GK.issueCode), _iri(GK.severity)
PREF_LABEL, LABEL = _iri(SKOS.prefLabel), _iri(RDFS.label)
ISSUED, FORMAT, SOURCE = _iri(DCTERMS.issued), _iri(DCTERMS.format), _iri(DCTERMS.source)
DERIVED_FROM, ENTITY, DOCUMENT = _iri(PROV.wasDerivedFrom), _iri(PROV.Entity), _iri(FOAF.Document)
DATA_SET, STRUCTURE, OBSERVATION = _iri(QB.DataSet), _iri(QB.structure), _iri(QB.Observation)
QB_DATA_SET, MEASURE_TYPE = _iri(QB.dataSet), _iri(QB.measureType)
UNIT_MEASURE = _iri(SDMX_ATTRIBUTE.unitMeasure)
QUALITY_ANNOTATION, QUALITY_ASSESSMENT = _iri(DQV.QualityAnnotation), _iri(DQV.qualityAssessment)
MOTIVATED_BY, HAS_TARGET, BODY_VALUE = _iri(OA.motivatedBy), _iri(OA.hasTarget), _iri(OA.bodyValue)
XSD_INTEGER, XSD_DECIMAL = ox.NamedNode(str(XSD.integer)), ox.NamedNode(str(XSD.decimal))
XSD_GYEAR, XSD_DATE = ox.NamedNode(str(XSD.gYear)), ox.NamedNode(str(XSD.date))

STRUCTURES = {
    "table2": _iri(GK.table2Structure),
    "table3": _iri(GK.table3Structure),
    "table4": _iri(GK.table4Structure),
    "legacy": _iri(GK.legacyStructure),
}
DATASET_LABELS = {
    "table2": ("表二 主动公开政府信息情况", "Table 2: proactive disclosure"),
    "table3": ("表三 收到和处理政府信息公开申请情况", "Table 3: applications received and handled"),
    "table4": ("表四 政府信息公开行政复议、行政诉讼情况", "Table 4: administrative reviews and lawsuits"),
    "legacy": ("2008年条例年度报告统计项", "Figures of legacy reports (2008 regulation)"),
}
SOURCE_TABLE = {"table2": "表二", "table3": "表三", "table4": "表四", "legacy": "附表/正文"}
MEASURES = {
    Measure.COUNT: _iri(GK["count"]),
    Measure.CHANGE: _iri(GK["change"]),
    Measure.AMOUNT: _iri(GK["amount"]),
    Measure.QUANTITY: _iri(GK["quantity"]),
}
SEVERITY = {"error": _iri(GK.error), "warning": _iri(GK.warning), "info": _iri(GK.info)}
DIMENSIONS = {
    "request": _iri(GK.request),
    "applicant": _iri(GK.applicant),
    "proceeding": _iri(GK.proceeding),
    "result": _iri(GK.result),
    "provision": _iri(GK.provision),
    "item": _iri(GK.item),
    "column": _iri(GK.column),
    "legacy": _iri(GK.legacyItem),
}
_MEASURE_TYPED = {"table2", "legacy"}


@lru_cache(maxsize=4096)
def agency_key(name: str) -> str:
    """:func:`converter.iris.agency_key`, cached (pinyin is slow; a run asks several times)."""
    return iris.agency_key(name)


@lru_cache(maxsize=4096)
def _code(scheme: str, notation: str) -> Term:
    return _iri(iris.code_iri(scheme, notation))


@lru_cache(maxsize=64)
def _dataset(base: str, table: str) -> Term:
    return _iri(iris.dataset_iri(base, table))


@lru_cache(maxsize=65536)
def _text(value: str) -> Term:
    """A plain literal; labels and cell texts repeat across cells and reports."""
    return str(ox.Literal(value))


def _lang(value: str, language: str) -> Term:
    return str(ox.Literal(value, language=language))


@lru_cache(maxsize=8192)
def _integer(value: int) -> Term:
    return str(ox.Literal(str(value), datatype=XSD_INTEGER))


def _number(value: Decimal, measure: Measure) -> Term:
    if measure is Measure.COUNT or measure is Measure.CHANGE:
        return _integer(int(value))
    return str(ox.Literal(format(value, "f"), datatype=XSD_DECIMAL))


def _date(value: str) -> Term:
    """``xsd:date`` with rdflib's normal form (valid dates rewritten by ``date.isoformat``, others kept)."""
    return str(ox.Literal(str(Literal(value, datatype=XSD.date)), datatype=XSD_DATE))


_SOURCE_TABLE_LITERALS = {table: _text(text) for table, text in SOURCE_TABLE.items()}


def _source_url(path: Path, url: str) -> Term:
    try:
        return str(ox.NamedNode(url))
    except ValueError as exc:
        raise InvalidSourceUrl(
            path,
            f"the source URL {url!r} is not a valid IRI ({exc}); give the right one in a --manifest "
            "(its url column wins over the text)",
        ) from None


def report_lines(report: Report, base: str) -> list[str]:
    """Every statement about one report, in its named graph (the report IRI), as N-Quads lines
    (without their line ends, unsorted, maybe repeated).

    :raises InvalidSourceUrl: the report's source URL is not an IRI.
    """
    meta = report.meta
    key = agency_key(meta.agency)
    report_node = _iri(iris.report_iri(base, key, meta.year))
    g = " ".join((_iri(iris.graph_iri(base, key, meta.year)), "."))
    lines: list[str] = []
    add = lines.append
    join = " ".join

    agency = _iri(iris.agency_iri(base, key))
    add(join((agency, A, AGENCY, g)))
    add(join((agency, PREF_LABEL, _lang(meta.agency, "zh"), g)))

    add(join((report_node, A, ANNUAL_REPORT, g)))
    add(join((report_node, GK_AGENCY, agency, g)))
    add(join((report_node, GK_YEAR, str(ox.Literal(str(meta.year), datatype=XSD_GYEAR)), g)))
    add(join((report_node, GK_TEMPLATE, _code("template", report.generation.value), g)))
    add(join((report_node, GK_EVIDENCE, _text(report.evidence), g)))
    title = meta.title or f"{meta.agency}{meta.year}年政府信息公开工作年度报告"
    add(join((report_node, LABEL, _lang(title, "zh"), g)))
    if meta.published:
        add(join((report_node, ISSUED, _date(meta.published), g)))

    # one source document per file the report was read from (several: converter/merge.py)
    for doc, url in ((report.source, meta.url), *((other.doc, other.url) for other in report.also)):
        source = _iri(iris.source_iri(base, doc.sha256))
        add(join((report_node, DERIVED_FROM, source, g)))
        add(join((source, A, ENTITY, g)))
        add(join((source, A, DOCUMENT, g)))
        add(join((source, GK_SHA256, _text(doc.sha256), g)))
        add(join((source, GK_FILE_NAME, _text(doc.path.name), g)))
        add(join((source, FORMAT, _text(doc.media_type), g)))
        if url:
            add(join((source, SOURCE, _source_url(doc.path, url), g)))

    for table in sorted({c.table for c in report.cells}):
        dataset = _dataset(base, table)
        add(join((dataset, A, DATA_SET, g)))
        add(join((dataset, STRUCTURE, STRUCTURES[table], g)))
        zh, en = DATASET_LABELS[table]
        add(join((dataset, LABEL, _lang(zh, "zh"), g)))
        add(join((dataset, LABEL, _lang(en, "en"), g)))

    observations: dict[tuple[str, ...], Term] = {}
    for cell in report.cells:
        observations[cell.key] = _cell_lines(lines, cell, base, key, meta.year, report_node, g)
    _issue_lines(lines, report.issues, base, key, meta.year, report_node, observations, g)
    return lines


def _cell_lines(lines: list[str], cell: Cell, base: str, key: str, year: int, report_node: Term, g: str) -> Term:
    add = lines.append
    join = " ".join
    table = cell.table
    node = _iri(iris.observation_iri(base, key, year, table, *(n for _, n in cell.codes)))
    add(join((node, A, OBSERVATION, g)))
    add(join((node, QB_DATA_SET, _dataset(base, table), g)))
    add(join((node, GK_REPORT, report_node, g)))
    for scheme, notation in cell.codes:
        add(join((node, DIMENSIONS[scheme], _code(scheme, notation), g)))
    measure = MEASURES[cell.measure]
    if table in _MEASURE_TYPED:
        add(join((node, MEASURE_TYPE, measure, g)))
    add(join((node, measure, _number(cell.value, cell.measure), g)))
    if cell.unit:
        add(join((node, UNIT_MEASURE, _code("unit", cell.unit), g)))
    add(join((node, GK_SOURCE_TABLE, _SOURCE_TABLE_LITERALS[table], g)))
    if cell.row_label:
        add(join((node, GK_SOURCE_ROW, _text(cell.row_label), g)))
    if cell.column_label:
        add(join((node, GK_SOURCE_COLUMN, _text(cell.column_label), g)))
    if cell.line is not None:
        add(join((node, GK_SOURCE_LINE, _integer(cell.line), g)))
    if cell.page is not None:
        add(join((node, GK_SOURCE_PAGE, _integer(cell.page), g)))
    add(join((node, GK_SOURCE_TEXT, _text(cell.source_text), g)))
    if cell.source is not None:  # read from another file than the primary source: its line and page are that file's
        add(join((node, DERIVED_FROM, _iri(iris.source_iri(base, cell.source)), g)))
    return node


def _issue_lines(
    lines: list[str],
    issues: list[Issue],
    base: str,
    key: str,
    year: int,
    report_node: Term,
    observations: dict[tuple[str, ...], Term],
    g: str,
) -> None:
    def order(issue: Issue) -> tuple[str, tuple[str, ...], str]:
        return (issue.code, issue.target or (), issue.message)

    add = lines.append
    join = " ".join
    unique = list(dict.fromkeys(sorted(issues, key=order)))
    for number, issue in enumerate(unique, start=1):
        node = _iri(iris.note_iri(base, key, year, number))
        target = observations.get(issue.target) if issue.target else None
        add(join((node, A, QUALITY_ANNOTATION, g)))
        add(join((node, MOTIVATED_BY, QUALITY_ASSESSMENT, g)))
        add(join((node, HAS_TARGET, target if target is not None else report_node, g)))
        add(join((node, GK_ISSUE_CODE, _text(issue.code), g)))
        add(join((node, GK_SEVERITY, SEVERITY[issue.severity.value], g)))
        add(join((node, BODY_VALUE, str(ox.Literal(issue.message)), g)))
        if issue.source_text:
            add(join((node, GK_SOURCE_TEXT, str(ox.Literal(issue.source_text)), g)))


def report_quads(report: Report, base: str) -> list[ox.Quad]:
    """The statements of :func:`report_lines` as pyoxigraph quads (read back by its parser).

    :raises InvalidSourceUrl: the report's source URL is not an IRI.
    """
    text = "\n".join(report_lines(report, base))
    return list(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_QUADS))


# --------------------------------------------------------------------------------------------
# rdflib, for the callers that need it


def new_dataset() -> Dataset:
    ds = Dataset()
    for prefix, namespace in PREFIXES.items():
        ds.bind(prefix, namespace)
    return ds


# What callers and tests know this by: converter.terms is the one rdflib <-> pyoxigraph conversion.
add_quads = add_to_rdflib


def emit_report(report: Report, base: str, ds: Dataset | None = None) -> Dataset:
    """Add one report's named graph to ``ds`` (a new Dataset when ``None``): the statements of
    :func:`report_quads` as rdflib terms (``converter.terms``).

    :raises InvalidSourceUrl: the report's source URL is not an IRI.
    """
    return add_to_rdflib(ds if ds is not None else new_dataset(), report_quads(report, base))
