"""One report, two sources: the web page and its attachment for the same agency and year are
published as ONE report derived from both (converter/batch.py, converter/merge.py).

The files: 淮安市人民政府's 2024 report as published (tests/fixtures/huaian_municipal_2024.pdf) and its
twin as a web page, the same numbers (tests/golden/huaian-2024.cells.tsv) rendered as the HTML an
agency's site serves by the accuracy corpus maker (bench/accuracy_corpus.py); variants change one
digit of one cell, cut 表四, or put another report's numbers under the same agency and year.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import random
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Literal

from bench import accuracy_corpus as corpus
from converter.emit import emit_report
from converter.options import ConvertOptions
from converter.output import report_nquads
from converter.pipeline import Emitted, convert_file, convert_many, emit_many
from converter.validate import validate_graph
from converter.vocab import GK, PROV

ROOT = Path(__file__).parents[2]
PDF = ROOT / "tests" / "fixtures" / "huaian_municipal_2024.pdf"
SEED = ROOT / "data" / "seeds" / "000_c5b0e1e384a688a1.txt"
BASE = "http://localhost:8000"
CELL = ("table3", "3.1", "natural-person")  # 1288 in the report
CELL_IRI = "/3.1/natural-person"
OPTIONS = ConvertOptions(base_url=BASE)


@functools.cache
def _numbers(key: str) -> corpus.Numbers:
    return next(n for n in corpus.number_sets() if n.key == key)


def page(
    tmp: Path, name: str, changes: dict[tuple[str, str, str], Decimal] | None = None, numbers_of: str = "huaian"
) -> Path:
    """The Huai'an report as its web page (the same numbers unless ``changes``, or another report's
    numbers under Huai'an's name and year)."""
    huaian = _numbers("huaian")
    numbers = _numbers(numbers_of)
    numbers = dataclasses.replace(
        numbers, agency=huaian.agency, year=huaian.year, cells={**numbers.cells, **(changes or {})}
    )
    variant = corpus.Variant(name, "html", numbers, agency=huaian.agency)
    path = tmp / name
    path.write_text(corpus.render_html(variant, random.Random(1)), encoding="utf-8")
    return path


def text_twin(tmp: Path, name: str, changes: dict[tuple[str, str, str], Decimal]) -> Path:
    huaian = _numbers("huaian")
    numbers = dataclasses.replace(huaian, cells={**huaian.cells, **changes})
    variant = corpus.Variant(name, "tab", numbers, agency=huaian.agency)
    path = tmp / name
    path.write_text(corpus.render_text(variant, random.Random(1)), encoding="utf-8")
    return path


def pdf(tmp: Path) -> Path:
    path = tmp / "huaian_2024.pdf"
    shutil.copy(PDF, path)
    return path


@pytest.fixture(scope="module")
def alone() -> dict[tuple[str, ...], Decimal]:
    """What the PDF alone publishes."""
    return {c.key: c.value for c in convert_file(PDF).cells}


def _pairs(ds, predicate):  # (subject, object) in every graph of a Dataset
    return [(s, o) for s, _, o, _ in ds.quads((None, predicate, None, None))]


def _graph_sources(nquads: bytes) -> tuple[set[str], object]:
    import pyoxigraph as ox

    from converter.emit import add_quads, new_dataset

    ds = add_quads(new_dataset(), ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
    derived = {str(o) for s, o in _pairs(ds, PROV.wasDerivedFrom) if "/id/report/" in str(s)}
    return derived, ds


def test_the_page_and_its_pdf_are_one_report_derived_from_both(tmp_path: Path, alone: dict) -> None:
    files = [pdf(tmp_path), page(tmp_path, "huaian_2024.html")]
    first, second = convert_many(files, OPTIONS)

    assert first.ok and first.report is None and first.merged_into == files[1]
    report = second.report
    assert second.error is None and report is not None and second.sources == tuple(files)
    assert {c.key: c.value for c in report.cells} == alone  # every cell, the same values
    assert not [i for i in report.issues if i.code in ("sources-disagree", "source-incomplete", "sum-mismatch")]
    # the primary source is the HTML (text as published); its date is the report's
    assert report.source.path == files[1] and report.meta.published == "2025-01-25"

    ds = emit_report(report, BASE)
    derived = {o for s, o in _pairs(ds, PROV.wasDerivedFrom) if "/id/report/" in str(s)}
    shas = {d.sha256 for d in report.sources}
    assert len(derived) == 2 and {str(d).rsplit("/", 1)[1] for d in derived} == shas
    for source in derived:
        assert len([o for s, o in _pairs(ds, GK.sha256) if s == source]) == 1
    alone_iri = {str(s) for s, _ in _pairs(emit_report(convert_file(PDF), BASE), GK.year)}
    assert {str(s) for s, _ in _pairs(ds, GK.year)} == alone_iri  # the IRI either file alone has (agency, year)
    outcome = validate_graph(ds, engine="pyshacl")
    assert outcome.conforms, outcome.violations[:3]


def test_a_digit_changed_in_one_file_is_taken_from_the_file_the_arithmetic_confirms(
    tmp_path: Path, alone: dict
) -> None:
    files = [page(tmp_path, "huaian_2024.html", {CELL: Decimal(1283)}), pdf(tmp_path)]
    _, merged = convert_many(files, OPTIONS)
    report = merged.report
    assert report is not None and merged.sources == tuple(files)

    published = {c.key: c for c in report.cells}
    assert published[CELL].value == alone[CELL] == Decimal(1288)
    assert published[CELL].source == report.also[0].doc.sha256  # read from the PDF, not the primary
    (note,) = [i for i in report.issues if i.code == "sources-disagree"]
    assert note.target == CELL and note.severity.value == "warning"
    for said in ("1283", "1288", "huaian_2024.html", "huaian_2024.pdf"):
        assert said in note.message
    assert "published from huaian_2024.pdf" in note.message
    assert not [i for i in report.issues if i.code == "sum-mismatch"]  # the merged table adds up

    ds = emit_report(report, BASE)
    obs = next(s for s, _ in _pairs(ds, GK.sourceText) if str(s).endswith(CELL_IRI))
    assert [o for s, o in _pairs(ds, GK["count"]) if s == obs] == [Literal(1288)]
    assert len([o for s, o in _pairs(ds, PROV.wasDerivedFrom) if s == obs]) == 1  # its line and page are the PDF's
    outcome = validate_graph(ds, engine="pyshacl")
    assert outcome.conforms, outcome.violations[:3]


def test_when_neither_value_satisfies_the_arithmetic_the_cell_is_left_out(tmp_path: Path) -> None:
    files = [
        page(tmp_path, "huaian_2024.html", {CELL: Decimal(1283)}),
        text_twin(tmp_path, "huaian_2024.txt", {CELL: Decimal(1286)}),
    ]
    _, merged = convert_many(files, OPTIONS)
    report = merged.report
    assert report is not None and CELL not in {c.key for c in report.cells}
    (note,) = [i for i in report.issues if i.code == "sources-disagree"]
    assert "neither value satisfies" in note.message and "left out" in note.message
    assert "1283" in note.message and "1286" in note.message
    assert "huaian_2024.html" in note.message and "huaian_2024.txt" in note.message


def test_a_page_that_lost_its_table_4_is_completed_from_the_pdf_with_a_note(tmp_path: Path, alone: dict) -> None:
    full = page(tmp_path, "huaian_2024.html")
    text = full.read_text(encoding="utf-8")
    start = text.index("<p class=MsoNormal style='text-indent:32.0pt'><span>四、政府信息公开行政复议")
    end = text.index("</div></td></tr><tr><td class=footer>")
    full.write_text(text[:start] + text[end:], encoding="utf-8")  # the crawl kept the page up to 表三
    assert not any(c.table == "table4" for c in convert_file(full).cells)

    _, merged = convert_many([full, pdf(tmp_path)], OPTIONS)
    report = merged.report
    assert report is not None
    assert {c.key: c.value for c in report.cells} == alone  # 表四 from the PDF
    (note,) = [i for i in report.issues if i.code == "source-incomplete"]
    assert note.message.startswith("huaian_2024.html has no 表四") and "huaian_2024.pdf" in note.message
    assert not [i for i in report.issues if i.code == "table-missing"]


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="needs qpdf")
def test_a_pdf_that_lost_its_last_pages_is_completed_from_the_page(tmp_path: Path, alone: dict) -> None:
    cut = tmp_path / "huaian_2024_cut.pdf"
    subprocess.run(["qpdf", str(PDF), "--pages", ".", "1-4", "--", str(cut)], check=True)
    _, merged = convert_many([cut, page(tmp_path, "huaian_2024.html")], OPTIONS)
    report = merged.report
    assert report is not None and {c.key: c.value for c in report.cells} == alone
    notes = [i for i in report.issues if i.code == "source-incomplete"]
    assert notes and all(n.message.startswith("huaian_2024_cut.pdf has") for n in notes)


def test_the_same_file_twice_is_one_source_and_no_error(tmp_path: Path) -> None:
    html = page(tmp_path, "huaian_2024.html")
    copy = tmp_path / "again" / "huaian_2024.html"
    copy.parent.mkdir()
    shutil.copy(html, copy)
    first, second = convert_many([html, copy], OPTIONS)
    assert first.report is not None and first.sources == ()
    assert second.ok and second.report is None and second.same_file_as == html
    items = list(emit_many([html, copy], OPTIONS))
    assert [i.ok for i in items] == [True, True] and items[1].same_file_as == html and not items[1].nquads
    derived, _ = _graph_sources(items[0].nquads)
    assert len(derived) == 1


def test_two_different_reports_of_one_agency_and_year_stay_an_error_naming_both(tmp_path: Path) -> None:
    other = page(tmp_path, "huaian_2024_other.html", numbers_of="pingtan")  # Pingtan's numbers, Huai'an's name
    files = [pdf(tmp_path), SEED, other]
    outcomes = convert_many(files, OPTIONS)
    assert [o.ok for o in outcomes] == [True, True, False]
    error = outcomes[2].error or ""
    assert error.startswith(str(other)) and str(files[0]) in error and "not the same report" in error
    assert outcomes[0].report is not None and outcomes[0].report.also == ()  # published alone, untouched
    assert outcomes[1].report is not None  # the rest of the batch goes on


def test_gongkai_convert_publishes_the_merged_report_once_and_says_so(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from endpoint.cli import app

    folder = tmp_path / "in"
    folder.mkdir()
    # the HTML (wrong digit) comes first: its report is written, then replaced by the merged one
    html = page(folder, "a_huaian_2024.html", {CELL: Decimal(1283)})
    attachment = folder / "b_huaian_2024.pdf"
    shutil.copy(PDF, attachment)
    copy = folder / "c_huaian_2024_copy.pdf"
    shutil.copy(PDF, copy)
    other = page(folder, "d_huaian_2024_other.html", numbers_of="pingtan")
    out, record = tmp_path / "out.nq", tmp_path / "report.json"
    result = CliRunner().invoke(app, ["convert", str(folder), "-o", str(out), "--report", str(record), "--quiet"])

    assert result.exit_code == 1  # the different report is an error
    records = {Path(r["file"]).name: r for r in json.loads(record.read_text(encoding="utf-8"))}
    assert records["a_huaian_2024.html"] == {"file": str(html), "ok": True, "merged_into": str(attachment)}
    assert records["b_huaian_2024.pdf"]["merged"] == [str(html), str(attachment)]
    assert records["c_huaian_2024_copy.pdf"]["same_file_as"] == str(attachment)
    assert not records["d_huaian_2024_other.html"]["ok"] and str(other) in records["d_huaian_2024_other.html"]["error"]
    assert "sources-disagree" in {i["code"] for i in records["b_huaian_2024.pdf"]["issues"]}

    derived, ds = _graph_sources(out.read_bytes())
    assert len(derived) == 2
    counts = [o for s, o in _pairs(ds, GK["count"]) if str(s).endswith(CELL_IRI)]
    assert counts == [Literal(1288)]  # the merged report replaced the first: one value, the right one


def test_emit_many_yields_the_merged_report_where_the_group_completes(tmp_path: Path) -> None:
    files = [pdf(tmp_path), SEED, page(tmp_path, "huaian_2024.html")]
    items: list[Emitted] = list(emit_many(files, OPTIONS, jobs=1))
    outcomes = convert_many(files, OPTIONS)
    assert [i.ok for i in items] == [True, True, True]
    assert items[2].sources == tuple(files[::2]) and outcomes[2].report is not None
    assert items[2].nquads == report_nquads(outcomes[2].report, BASE)
    assert items[0].summary is not None and items[0].summary.report_iri == items[2].summary.report_iri  # replaced


def test_dask_merges_files_of_one_report_from_different_partitions(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    from converter.distributed import convert_distributed

    files = [pdf(tmp_path), SEED, page(tmp_path, "huaian_2024.html", {CELL: Decimal(1283)})]
    out = tmp_path / "shards"
    records = convert_distributed(files, out, OPTIONS, scheduler="local", partition_size=1, workers=2)

    assert [r.error for r in records] == [None, None, None]
    assert records[0].merged_into == str(files[2].resolve()) and records[0].report_iri is None
    assert records[2].sources == (str(files[0].resolve()), str(files[2].resolve()))
    shards = sorted(p.name for p in out.glob("part-*.nq"))
    assert shards == ["part-00001.nq", "part-00003.nq"]  # the seed's partition, and the merged reports'
    lines = {line for p in out.glob("part-*.nq") for line in p.read_bytes().splitlines() if line}
    local = convert_many([f.resolve() for f in files], OPTIONS)
    expected = set()
    for outcome in local:
        if outcome.report is not None:
            expected |= set(report_nquads(outcome.report, BASE).splitlines()) - {b""}
    assert lines == expected
    derived, ds = _graph_sources(b"\n".join(sorted(lines)) + b"\n")
    assert len(derived) == 3  # two for Huai'an, one for the seed
    assert [o for s, o in _pairs(ds, GK["count"]) if "2024" in str(s) and str(s).endswith(CELL_IRI)] == [Literal(1288)]
