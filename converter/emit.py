"""Report → RDF: one named graph per report (docs/model.md), as pyoxigraph quads.

:func:`report_quads` is the one builder: every statement about a report, as ``pyoxigraph.Quad``s in
the report's named graph, built from terms (no RDF text is pasted together). Callers that need
rdflib (TriG and Turtle output, tests, SHACL with pySHACL) get the same statements as an rdflib
``Dataset`` from :func:`emit_report`; :func:`converter.output.sorted_nquads` writes either as sorted
N-Quads with the same bytes.

Lexical forms are those the rdflib builder of earlier versions wrote (tests/converter/
test_emit_fast.py compares the two on every input the tests convert): plain strings without a
datatype, ``xsd:integer`` as ``str(int)``, ``xsd:decimal`` as ``format(value, "f")`` (no exponent,
trailing zeros kept), ``xsd:gYear`` as the year's digits, ``xsd:date`` as rdflib normalises it.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache

import pyoxigraph as ox
from rdflib import Dataset, Literal, URIRef
from rdflib import Graph as RdfGraph

from converter import iris
from converter.errors import FileError, Issue
from converter.model import Cell, Report
from converter.tables.layout import Measure
from converter.vocab import DCTERMS, DQV, FOAF, GK, OA, PREFIXES, PROV, QB, RDF, RDFS, SDMX_ATTRIBUTE, SKOS, XSD


class InvalidSourceUrl(FileError):
    """The source URL of a report (read from it or given in the manifest) is not an IRI."""


def _node(iri: str) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


# Predicates and classes, as pyoxigraph terms (built once).
A = _node(RDF.type)
AGENCY, ANNUAL_REPORT = _node(GK.Agency), _node(GK.AnnualReport)
GK_AGENCY, GK_YEAR, GK_TEMPLATE = _node(GK.agency), _node(GK.year), _node(GK.template)
GK_EVIDENCE = _node(GK.templateEvidence)
GK_SHA256, GK_FILE_NAME, GK_REPORT = _node(GK.sha256), _node(GK.fileName), _node(GK.report)
GK_SOURCE_TABLE, GK_SOURCE_ROW, GK_SOURCE_COLUMN = _node(GK.sourceTable), _node(GK.sourceRow), _node(GK.sourceColumn)
GK_SOURCE_LINE, GK_SOURCE_PAGE, GK_SOURCE_TEXT = _node(GK.sourceLine), _node(GK.sourcePage), _node(GK.sourceText)
GK_ISSUE_CODE, GK_SEVERITY = _node(GK.issueCode), _node(GK.severity)
PREF_LABEL, LABEL = _node(SKOS.prefLabel), _node(RDFS.label)
ISSUED, FORMAT, SOURCE = _node(DCTERMS.issued), _node(DCTERMS.format), _node(DCTERMS.source)
DERIVED_FROM, ENTITY, DOCUMENT = _node(PROV.wasDerivedFrom), _node(PROV.Entity), _node(FOAF.Document)
DATA_SET, STRUCTURE, OBSERVATION = _node(QB.DataSet), _node(QB.structure), _node(QB.Observation)
QB_DATA_SET, MEASURE_TYPE = _node(QB.dataSet), _node(QB.measureType)
UNIT_MEASURE = _node(SDMX_ATTRIBUTE.unitMeasure)
QUALITY_ANNOTATION, QUALITY_ASSESSMENT = _node(DQV.QualityAnnotation), _node(DQV.qualityAssessment)
MOTIVATED_BY, HAS_TARGET, BODY_VALUE = _node(OA.motivatedBy), _node(OA.hasTarget), _node(OA.bodyValue)
XSD_INTEGER, XSD_DECIMAL, XSD_STRING = _node(XSD.integer), _node(XSD.decimal), _node(XSD.string)
XSD_GYEAR, XSD_DATE = _node(XSD.gYear), _node(XSD.date)

STRUCTURES = {
    "table2": _node(GK.table2Structure),
    "table3": _node(GK.table3Structure),
    "table4": _node(GK.table4Structure),
    "legacy": _node(GK.legacyStructure),
}
DATASET_LABELS = {
    "table2": ("表二 主动公开政府信息情况", "Table 2: proactive disclosure"),
    "table3": ("表三 收到和处理政府信息公开申请情况", "Table 3: applications received and handled"),
    "table4": ("表四 政府信息公开行政复议、行政诉讼情况", "Table 4: administrative reviews and lawsuits"),
    "legacy": ("2008年条例年度报告统计项", "Figures of legacy reports (2008 regulation)"),
}
SOURCE_TABLE = {"table2": "表二", "table3": "表三", "table4": "表四", "legacy": "附表/正文"}
MEASURES = {
    Measure.COUNT: _node(GK["count"]),
    Measure.CHANGE: _node(GK["change"]),
    Measure.AMOUNT: _node(GK["amount"]),
    Measure.QUANTITY: _node(GK["quantity"]),
}
SEVERITY = {"error": _node(GK.error), "warning": _node(GK.warning), "info": _node(GK.info)}
DIMENSIONS = {
    "request": _node(GK.request),
    "applicant": _node(GK.applicant),
    "proceeding": _node(GK.proceeding),
    "result": _node(GK.result),
    "provision": _node(GK.provision),
    "item": _node(GK.item),
    "column": _node(GK.column),
    "legacy": _node(GK.legacyItem),
}
_MEASURE_TYPED = {"table2", "legacy"}
_SOURCE_TABLE_LITERALS = {table: ox.Literal(text) for table, text in SOURCE_TABLE.items()}


@lru_cache(maxsize=4096)
def agency_key(name: str) -> str:
    """:func:`converter.iris.agency_key`, cached (pinyin costs ~0.1 ms a name; a run asks several times)."""
    return iris.agency_key(name)


@lru_cache(maxsize=4096)
def _code(scheme: str, notation: str) -> ox.NamedNode:
    return _node(iris.code_iri(scheme, notation))


@lru_cache(maxsize=64)
def _dataset(base: str, table: str) -> ox.NamedNode:
    return _node(iris.dataset_iri(base, table))


@lru_cache(maxsize=65536)
def _text(value: str) -> ox.Literal:
    """A plain literal; labels and cell texts repeat across cells and reports."""
    return ox.Literal(value)


@lru_cache(maxsize=8192)
def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=XSD_INTEGER)


def _number(value: Decimal, measure: Measure) -> ox.Literal:
    if measure is Measure.COUNT or measure is Measure.CHANGE:
        return _integer(int(value))
    return ox.Literal(format(value, "f"), datatype=XSD_DECIMAL)


def _date(value: str) -> ox.Literal:
    """``xsd:date`` with rdflib's normal form (valid dates rewritten by ``date.isoformat``, others kept)."""
    return ox.Literal(str(Literal(value, datatype=XSD.date)), datatype=XSD_DATE)


def _source_url(report: Report, url: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(url)
    except ValueError as exc:
        raise InvalidSourceUrl(
            report.source.path,
            f"the source URL {url!r} is not a valid IRI ({exc}); give the right one in a --manifest "
            "(its url column wins over the text)",
        ) from None


def report_quads(report: Report, base: str) -> list[ox.Quad]:
    """Every statement about one report, in its named graph (the report IRI).

    :raises InvalidSourceUrl: the report's source URL is not an IRI.
    """
    meta = report.meta
    key = agency_key(meta.agency)
    report_node = _node(iris.report_iri(base, key, meta.year))
    g = _node(iris.graph_iri(base, key, meta.year))
    quads: list[ox.Quad] = []
    add = quads.append
    quad = ox.Quad

    agency = _node(iris.agency_iri(base, key))
    add(quad(agency, A, AGENCY, g))
    add(quad(agency, PREF_LABEL, ox.Literal(meta.agency, language="zh"), g))

    add(quad(report_node, A, ANNUAL_REPORT, g))
    add(quad(report_node, GK_AGENCY, agency, g))
    add(quad(report_node, GK_YEAR, ox.Literal(str(meta.year), datatype=XSD_GYEAR), g))
    add(quad(report_node, GK_TEMPLATE, _code("template", report.generation.value), g))
    add(quad(report_node, GK_EVIDENCE, ox.Literal(report.evidence), g))
    title = meta.title or f"{meta.agency}{meta.year}年政府信息公开工作年度报告"
    add(quad(report_node, LABEL, ox.Literal(title, language="zh"), g))
    if meta.published:
        add(quad(report_node, ISSUED, _date(meta.published), g))

    source = _node(iris.source_iri(base, report.source.sha256))
    add(quad(report_node, DERIVED_FROM, source, g))
    add(quad(source, A, ENTITY, g))
    add(quad(source, A, DOCUMENT, g))
    add(quad(source, GK_SHA256, ox.Literal(report.source.sha256), g))
    add(quad(source, GK_FILE_NAME, ox.Literal(report.source.path.name), g))
    add(quad(source, FORMAT, ox.Literal(report.source.media_type), g))
    if meta.url:
        add(quad(source, SOURCE, _source_url(report, meta.url), g))

    for table in sorted({c.table for c in report.cells}):
        dataset = _dataset(base, table)
        add(quad(dataset, A, DATA_SET, g))
        add(quad(dataset, STRUCTURE, STRUCTURES[table], g))
        zh, en = DATASET_LABELS[table]
        add(quad(dataset, LABEL, ox.Literal(zh, language="zh"), g))
        add(quad(dataset, LABEL, ox.Literal(en, language="en"), g))

    observations: dict[tuple[str, ...], ox.NamedNode] = {}
    for cell in report.cells:
        observations[cell.key] = _cell_quads(quads, cell, base, key, meta.year, report_node, g)
    _issue_quads(quads, report.issues, base, key, meta.year, report_node, observations, g)
    return quads


def _cell_quads(
    quads: list[ox.Quad],
    cell: Cell,
    base: str,
    key: str,
    year: int,
    report_node: ox.NamedNode,
    g: ox.NamedNode,
) -> ox.NamedNode:
    add = quads.append
    quad = ox.Quad
    table = cell.table
    node = _node(iris.observation_iri(base, key, year, table, *(n for _, n in cell.codes)))
    add(quad(node, A, OBSERVATION, g))
    add(quad(node, QB_DATA_SET, _dataset(base, table), g))
    add(quad(node, GK_REPORT, report_node, g))
    for scheme, notation in cell.codes:
        add(quad(node, DIMENSIONS[scheme], _code(scheme, notation), g))
    measure = MEASURES[cell.measure]
    if table in _MEASURE_TYPED:
        add(quad(node, MEASURE_TYPE, measure, g))
    add(quad(node, measure, _number(cell.value, cell.measure), g))
    if cell.unit:
        add(quad(node, UNIT_MEASURE, _code("unit", cell.unit), g))
    add(quad(node, GK_SOURCE_TABLE, _SOURCE_TABLE_LITERALS[table], g))
    if cell.row_label:
        add(quad(node, GK_SOURCE_ROW, _text(cell.row_label), g))
    if cell.column_label:
        add(quad(node, GK_SOURCE_COLUMN, _text(cell.column_label), g))
    if cell.line is not None:
        add(quad(node, GK_SOURCE_LINE, _integer(cell.line), g))
    if cell.page is not None:
        add(quad(node, GK_SOURCE_PAGE, _integer(cell.page), g))
    add(quad(node, GK_SOURCE_TEXT, _text(cell.source_text), g))
    return node


def _issue_quads(
    quads: list[ox.Quad],
    issues: list[Issue],
    base: str,
    key: str,
    year: int,
    report_node: ox.NamedNode,
    observations: dict[tuple[str, ...], ox.NamedNode],
    g: ox.NamedNode,
) -> None:
    def order(issue: Issue) -> tuple[str, tuple[str, ...], str]:
        return (issue.code, issue.target or (), issue.message)

    add = quads.append
    quad = ox.Quad
    unique = list(dict.fromkeys(sorted(issues, key=order)))
    for number, issue in enumerate(unique, start=1):
        node = _node(iris.note_iri(base, key, year, number))
        target = observations.get(issue.target) if issue.target else None
        add(quad(node, A, QUALITY_ANNOTATION, g))
        add(quad(node, MOTIVATED_BY, QUALITY_ASSESSMENT, g))
        add(quad(node, HAS_TARGET, target if target is not None else report_node, g))
        add(quad(node, GK_ISSUE_CODE, _text(issue.code), g))
        add(quad(node, GK_SEVERITY, SEVERITY[issue.severity.value], g))
        add(quad(node, BODY_VALUE, ox.Literal(issue.message), g))
        if issue.source_text:
            add(quad(node, GK_SOURCE_TEXT, ox.Literal(issue.source_text), g))


# --------------------------------------------------------------------------------------------
# rdflib, for the callers that need it


def new_dataset() -> Dataset:
    ds = Dataset()
    for prefix, namespace in PREFIXES.items():
        ds.bind(prefix, namespace)
    return ds


def rdflib_term(term: ox.NamedNode | ox.Literal) -> URIRef | Literal:
    """The rdflib term of a pyoxigraph IRI or literal (``xsd:string`` literals stay plain)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype == XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def add_quads(ds: Dataset, quads: Iterable[ox.Quad]) -> Dataset:
    """Add pyoxigraph quads (IRIs and literals, in named graphs) to an rdflib ``Dataset``."""
    graphs: dict[ox.NamedNode, RdfGraph] = {}
    terms: dict[ox.NamedNode | ox.Literal, URIRef | Literal] = {}

    def term(t: ox.NamedNode | ox.Literal) -> URIRef | Literal:
        found = terms.get(t)
        if found is None:
            found = terms[t] = rdflib_term(t)
        return found

    for q in quads:
        g = graphs.get(q.graph_name)
        if g is None:
            g = graphs[q.graph_name] = ds.graph(URIRef(q.graph_name.value))
        g.add((term(q.subject), term(q.predicate), term(q.object)))
    return ds


def emit_report(report: Report, base: str, ds: Dataset | None = None) -> Dataset:
    """Add one report's named graph to ``ds`` (a new Dataset when ``None``): the statements of
    :func:`report_quads` as rdflib terms.

    :raises InvalidSourceUrl: the report's source URL is not an IRI.
    """
    return add_quads(ds if ds is not None else new_dataset(), report_quads(report, base))
