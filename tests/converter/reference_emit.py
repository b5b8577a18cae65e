"""The rdflib builder and serializer of converter/emit.py and converter/output.py as they were
before emission moved to pyoxigraph quads: the reference that the fast path must match byte for
byte (tests/converter/test_emit_fast.py). Frozen on purpose; do not "fix" it."""

from __future__ import annotations

from decimal import Decimal

from rdflib import Dataset, Literal, URIRef
from rdflib.graph import Graph

from converter import iris
from converter.errors import Issue
from converter.model import Cell, Report
from converter.tables.layout import Measure
from converter.vocab import DCTERMS, DQV, FOAF, GK, OA, PREFIXES, PROV, QB, RDF, RDFS, SDMX_ATTRIBUTE, SKOS, XSD

STRUCTURES = {
    "table2": GK.table2Structure,
    "table3": GK.table3Structure,
    "table4": GK.table4Structure,
    "legacy": GK.legacyStructure,
}
DATASET_LABELS = {
    "table2": ("表二 主动公开政府信息情况", "Table 2: proactive disclosure"),
    "table3": ("表三 收到和处理政府信息公开申请情况", "Table 3: applications received and handled"),
    "table4": ("表四 政府信息公开行政复议、行政诉讼情况", "Table 4: administrative reviews and lawsuits"),
    "legacy": ("2008年条例年度报告统计项", "Figures of legacy reports (2008 regulation)"),
}
SOURCE_TABLE = {"table2": "表二", "table3": "表三", "table4": "表四", "legacy": "附表/正文"}
MEASURES = {
    Measure.COUNT: GK["count"],
    Measure.CHANGE: GK["change"],
    Measure.AMOUNT: GK["amount"],
    Measure.QUANTITY: GK["quantity"],
}
SEVERITY = {"error": GK.error, "warning": GK.warning, "info": GK.info}
DIMENSIONS = {
    "request": GK.request,
    "applicant": GK.applicant,
    "proceeding": GK.proceeding,
    "result": GK.result,
    "provision": GK.provision,
    "item": GK.item,
    "column": GK.column,
    "legacy": GK.legacyItem,
}
_MEASURE_TYPED = {"table2", "legacy"}


def new_dataset() -> Dataset:
    ds = Dataset()
    for prefix, namespace in PREFIXES.items():
        ds.bind(prefix, namespace)
    return ds


def emit_report(report: Report, base: str, ds: Dataset | None = None) -> Dataset:
    """Add one report's named graph to ``ds`` (a new Dataset when ``None``)."""
    ds = ds if ds is not None else new_dataset()
    meta = report.meta
    key = iris.agency_key(meta.agency)
    report_node = iris.report_iri(base, key, meta.year)
    g = ds.graph(iris.graph_iri(base, key, meta.year))
    agency = iris.agency_iri(base, key)
    g.add((agency, RDF.type, GK.Agency))
    g.add((agency, SKOS.prefLabel, Literal(meta.agency, lang="zh")))

    g.add((report_node, RDF.type, GK.AnnualReport))
    g.add((report_node, GK.agency, agency))
    g.add((report_node, GK.year, Literal(str(meta.year), datatype=XSD.gYear)))
    g.add((report_node, GK.template, iris.code_iri("template", report.generation.value)))
    g.add((report_node, GK.templateEvidence, Literal(report.evidence)))
    title = meta.title or f"{meta.agency}{meta.year}年政府信息公开工作年度报告"
    g.add((report_node, RDFS.label, Literal(title, lang="zh")))
    if meta.published:
        g.add((report_node, DCTERMS.issued, Literal(meta.published, datatype=XSD.date)))

    source = iris.source_iri(base, report.source.sha256)
    g.add((report_node, PROV.wasDerivedFrom, source))
    g.add((source, RDF.type, PROV.Entity))
    g.add((source, RDF.type, FOAF.Document))
    g.add((source, GK.sha256, Literal(report.source.sha256)))
    g.add((source, GK.fileName, Literal(report.source.path.name)))
    g.add((source, DCTERMS.format, Literal(report.source.media_type)))
    if meta.url:
        g.add((source, DCTERMS.source, URIRef(meta.url)))

    for table in sorted({c.table for c in report.cells}):
        dataset = iris.dataset_iri(base, table)
        g.add((dataset, RDF.type, QB.DataSet))
        g.add((dataset, QB.structure, STRUCTURES[table]))
        zh, en = DATASET_LABELS[table]
        g.add((dataset, RDFS.label, Literal(zh, lang="zh")))
        g.add((dataset, RDFS.label, Literal(en, lang="en")))

    observations: dict[tuple[str, ...], URIRef] = {}
    for cell in report.cells:
        observations[cell.key] = _emit_cell(g, cell, base, key, meta.year, report_node)
    _emit_issues(g, report.issues, base, key, meta.year, report_node, observations)
    return ds


def _emit_cell(g: Graph, cell: Cell, base: str, key: str, year: int, report_node: URIRef) -> URIRef:
    node = iris.observation_iri(base, key, year, cell.table, *(n for _, n in cell.codes))
    g.add((node, RDF.type, QB.Observation))
    g.add((node, QB.dataSet, iris.dataset_iri(base, cell.table)))
    g.add((node, GK.report, report_node))
    for scheme, notation in cell.codes:
        g.add((node, DIMENSIONS[scheme], iris.code_iri(scheme, notation)))
    measure = MEASURES[cell.measure]
    if cell.table in _MEASURE_TYPED:
        g.add((node, QB.measureType, measure))
    g.add((node, measure, _number(cell.value, cell.measure)))
    if cell.unit:
        g.add((node, SDMX_ATTRIBUTE.unitMeasure, iris.code_iri("unit", cell.unit)))
    g.add((node, GK.sourceTable, Literal(SOURCE_TABLE[cell.table])))
    if cell.row_label:
        g.add((node, GK.sourceRow, Literal(cell.row_label)))
    if cell.column_label:
        g.add((node, GK.sourceColumn, Literal(cell.column_label)))
    if cell.line is not None:
        g.add((node, GK.sourceLine, Literal(cell.line, datatype=XSD.integer)))
    if cell.page is not None:
        g.add((node, GK.sourcePage, Literal(cell.page, datatype=XSD.integer)))
    g.add((node, GK.sourceText, Literal(cell.source_text)))
    return node


def _number(value: Decimal, measure: Measure) -> Literal:
    if measure in (Measure.COUNT, Measure.CHANGE):
        return Literal(int(value), datatype=XSD.integer)
    return Literal(value, datatype=XSD.decimal)


def _emit_issues(
    g: Graph,
    issues: list[Issue],
    base: str,
    key: str,
    year: int,
    report_node: URIRef,
    observations: dict[tuple[str, ...], URIRef],
) -> None:
    def order(issue: Issue) -> tuple[str, tuple[str, ...], str]:
        return (issue.code, issue.target or (), issue.message)

    unique = list(dict.fromkeys(sorted(issues, key=order)))
    for number, issue in enumerate(unique, start=1):
        node = iris.note_iri(base, key, year, number)
        target = observations.get(issue.target) if issue.target else None
        g.add((node, RDF.type, DQV.QualityAnnotation))
        g.add((node, OA.motivatedBy, DQV.qualityAssessment))
        g.add((node, OA.hasTarget, target if target is not None else report_node))
        g.add((node, GK.issueCode, Literal(issue.code)))
        g.add((node, GK.severity, SEVERITY[issue.severity.value]))
        g.add((node, OA.bodyValue, Literal(issue.message)))
        if issue.source_text:
            g.add((node, GK.sourceText, Literal(issue.source_text)))


def sorted_nquads(ds: Dataset) -> bytes:
    """N-Quads, one statement a line, sorted (rdflib's serializer)."""
    text = ds.serialize(format="nquads", encoding="utf-8").decode("utf-8")
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8")
