"""Emission with pyoxigraph quads gives the bytes the rdflib builder gave (tests/converter/
reference_emit.py), on every input the tests convert, on the goldens, on synthetic reports and on
hand-made reports with awkward literals."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from bench.generate import reports as synthetic_reports
from converter.emit import InvalidSourceUrl, emit_report, report_quads
from converter.errors import Issue, Severity
from converter.extract import SUFFIXES
from converter.model import Report
from converter.options import ConvertOptions, read_manifest
from converter.output import report_nquads, sorted_nquads
from converter.pipeline import convert_file
from converter.tables.layout import Measure
from tests.converter import reference_emit as reference
from tests.converter.golden import GOLDEN

ROOT = Path(__file__).parents[2]
BASE = "http://localhost:8000"
SHARED = ROOT.parent / "shared" / "reports"
# the fixtures that are no report (READMEs) or unreadable on purpose (test_bad_input.py) are left out
NOT_REPORTS = {"README.md", "REVIEW.md", "encrypted.pdf", "scanned.pdf"}
# page scans (tests/converter/test_ocr.py) and Word files read through LibreOffice
# (tests/converter/test_extract_office.py, the same cells as their .docx) have tests of their own
OWN_TESTS = {"scans", "office"}
INPUTS = sorted((ROOT / "data" / "seeds").glob("*.txt")) + sorted(
    p
    for folder in (ROOT / "tests" / "fixtures", SHARED)
    if folder.is_dir()
    for p in folder.rglob("*")
    if p.is_file()
    and p.name not in NOT_REPORTS
    and p.suffix.lower() in SUFFIXES
    and not OWN_TESTS & set(p.relative_to(folder).parts)
)
# the crawl's own record of the Hebei pages (a copy of shared/reports/hebei_manifest.csv): their body text has no title
OPTIONS = ConvertOptions(manifest=read_manifest(ROOT / "tests" / "fixtures" / "real" / "hebei_manifest.csv"))


def _reference(report: Report) -> bytes:
    return reference.sorted_nquads(reference.emit_report(report, BASE))


def _same(report: Report) -> None:
    expected = _reference(report)
    assert report_nquads(report, BASE) == expected
    assert sorted_nquads(emit_report(report, BASE)) == expected  # the rdflib Dataset built from the quads


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: str(p.relative_to(p.parents[1])))
def test_fast_path_matches_rdflib_on_every_input(path: Path) -> None:
    _same(convert_file(path, OPTIONS))


@pytest.mark.parametrize("seed", sorted((ROOT / "data" / "seeds").glob("*.txt")), ids=lambda p: p.name[:3])
def test_fast_path_matches_golden(seed: Path) -> None:
    assert report_nquads(convert_file(seed), BASE) == (GOLDEN / f"seed-{seed.name[:3]}.nq").read_bytes()


def test_synthetic_reports_match() -> None:
    for report in synthetic_reports(12, 7):
        _same(report)


def _awkward(report: Report) -> Report:
    """A report whose literals need escaping and whose numbers have unusual lexical forms."""
    cells = list(report.cells)
    amount = next(i for i, c in enumerate(cells) if c.measure is Measure.AMOUNT)
    for i, value in zip(range(amount, amount + 4), ("1E+2", "0.50", "-0", "123456789.000"), strict=True):
        if cells[i].measure is Measure.AMOUNT:
            cells[i] = dataclasses.replace(cells[i], value=Decimal(value))
    cells[0] = dataclasses.replace(
        cells[0], source_text='a "quoted" \\ back\nslash\r 𠀀 😀', row_label="（一）\u3000全角", page=3
    )
    issues = [
        Issue("sum-mismatch", Severity.WARNING, 'says "12"\nbut sums to 13', cells[0].key, 'x\\y "z"'),
        Issue("title-missing", Severity.INFO, "no title"),
        Issue("title-missing", Severity.INFO, "no title"),  # a duplicate: one note
    ]
    meta = dataclasses.replace(report.meta, url="https://www.gov.cn/a/b?c=d&e=中文#f", published="2021-02-19Z")
    return dataclasses.replace(report, cells=cells, issues=issues, meta=meta, evidence='表三 "2019" \\ 模板')


@pytest.mark.parametrize("published", ["2021-02-19", "2021-02-19Z", "2021/02/19", "2021-02-30", None])
def test_awkward_literals_match(published: str | None) -> None:
    report = _awkward(next(synthetic_reports(1, 3)))
    _same(dataclasses.replace(report, meta=dataclasses.replace(report.meta, published=published)))


def test_control_characters_are_escaped_as_canonical_n_quads() -> None:
    """The one place the bytes differ from the rdflib writer: C0 controls other than LF and CR
    (which no input of the tests contains) are escaped (``\\t``, ``\\u000B``) as canonical N-Quads
    asks; rdflib wrote them raw, and its line splitting cut statements at U+000B/U+000C/U+001C-1E."""
    report = next(synthetic_reports(1, 3))
    text = "a\tb\x0bc\x1fd\u2028e"
    report = dataclasses.replace(report, cells=[dataclasses.replace(report.cells[0], source_text=text)])
    data = report_nquads(report, BASE)
    assert b"a\\tb\\u000Bc\\u001Fd" in data
    values = {q.object.value for q in ox.parse(data, format=ox.RdfFormat.N_QUADS) if isinstance(q.object, ox.Literal)}
    assert text in values


def test_quads_are_in_the_report_graph() -> None:
    report = convert_file(ROOT / "data" / "seeds" / "000_c5b0e1e384a688a1.txt")
    quads = report_quads(report, BASE)
    assert {q.graph_name.value for q in quads} == {f"{BASE}/id/report/luanshi-yuanqu-renminzhengfu-ec15/2020"}
    assert not any(isinstance(t, ox.BlankNode) for q in quads for t in (q.subject, q.object))


def test_a_source_url_that_is_not_an_iri_is_a_file_error() -> None:
    report = next(synthetic_reports(1, 3))
    bad = dataclasses.replace(report, meta=dataclasses.replace(report.meta, url="http://x.gov.cn/a b"))
    with pytest.raises(InvalidSourceUrl, match=r"not a valid IRI.*--manifest"):
        report_quads(bad, BASE)


def test_rdflib_dataset_has_every_statement() -> None:
    report = next(synthetic_reports(1, 5))
    ds = emit_report(report, BASE)
    assert len(list(ds.graphs())) == 2  # the default graph and the report's
    assert len(list(ds.quads((None, None, None, None)))) == len(set(report_quads(report, BASE)))
