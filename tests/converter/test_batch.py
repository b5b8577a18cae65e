"""The batch core (converter/batch.py) and its rules (converter/merge.py), on a real report made into
several files of itself: seed 000 (六安市裕安区人民政府 2020) with its source or cells changed."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from converter.batch import Batch, Group, resolve_group
from converter.emit import add_quads, new_dataset
from converter.merge import Comparison, compare, merge_reports, not_same, primary_order, values
from converter.model import Report
from converter.output import report_graph, report_nquads, serialize, write_stream
from converter.pipeline import convert_file
from converter.tables.layout import Generation

ROOT = Path(__file__).parents[2]
SEED = ROOT / "data" / "seeds" / "000_c5b0e1e384a688a1.txt"
BASE = "http://localhost:8000"


@pytest.fixture(scope="module")
def seed() -> Report:
    return convert_file(SEED)


def twin(report: Report, name: str, media_type: str, *, ocr: bool = False, keep=lambda c: True, change=None) -> Report:
    """The report as read from another file: another name, format and sha256, some cells dropped or changed."""
    doc = dataclasses.replace(
        report.source,
        path=Path(name),
        media_type=media_type,
        sha256=f"{abs(hash(name)):064x}"[-64:],
        ocr={} if ocr else None,
    )
    cells = [
        dataclasses.replace(c, value=change[c.key]) if change and c.key in change else c
        for c in report.cells
        if keep(c)
    ]
    return dataclasses.replace(report, source=doc, cells=cells, issues=list(report.issues))


def test_batch_publishes_the_first_file_groups_the_others_and_knows_a_copy() -> None:
    asked: list[list[Path | str]] = []

    def resolve(paths: list[Path | str]) -> Group:
        asked.append(paths)
        return Group(None, tuple(Path(p) for p in paths[:2]), (None, None, "c.doc: not the same report")[: len(paths)])  # type: ignore[arg-type]

    batch = Batch(resolve)
    iri = "http://x/id/report/a/2020"
    assert batch.see(0, "a.html", iri, "1" * 64).group is None  # the first: published as it is
    assert batch.see(1, "failed.pdf", None, "").group is None  # failed: nothing to decide
    assert batch.see(2, "copy.html", iri, "1" * 64).same_file_as == "a.html"
    step = batch.see(3, "a.pdf", iri, "2" * 64)
    assert step.group is not None and step.members == (0,)
    assert batch.see(4, "c.doc", iri, "3" * 64).error == "c.doc: not the same report"
    assert asked == [["a.html", "a.pdf"], ["a.html", "a.pdf", "c.doc"]]
    assert batch.see(5, "b.html", "http://x/id/report/b/2020", "1" * 64).same_file_as is None  # another report


def test_the_same_report_rule() -> None:
    k = ("table3", "1", "total")
    assert compare({k: Decimal(1)}, {k: Decimal(1)}) == Comparison(1, 1, (), False)
    assert Comparison(100, 80, (), False).same_report() and not Comparison(100, 79, (), False).same_report()
    assert Comparison(100, 50, (), True).same_report() and not Comparison(100, 49, (), True).same_report()
    assert not Comparison(0, 0, (), False).same_report()  # nothing in common: no evidence


def test_primary_source_text_over_scan_then_html_over_pdf_then_more_cells(seed: Report) -> None:
    html = twin(seed, "r.html", "text/html", keep=lambda c: c.table != "table4")
    pdf = twin(seed, "r.pdf", "application/pdf")
    scan = twin(seed, "scan.pdf", "application/pdf", ocr=True)
    assert primary_order([scan, pdf, html]) == [2, 1, 0]  # the scan last, though it has more cells than the HTML
    assert primary_order([pdf, twin(seed, "r2.pdf", "application/pdf", keep=lambda c: c.table != "table2")]) == [0, 1]


def test_a_cell_only_one_file_has_is_published_without_a_disagreement(seed: Report) -> None:
    html = twin(seed, "r.html", "text/html", keep=lambda c: c.table != "table2")
    pdf = twin(seed, "r.pdf", "application/pdf")
    merged = merge_reports([pdf, html])
    assert values(merged) == values(seed)
    assert merged.source.path == Path("r.html") and [o.doc.path for o in merged.also] == [Path("r.pdf")]
    assert not [i for i in merged.issues if i.code == "sources-disagree"]
    (note,) = [i for i in merged.issues if i.code == "source-incomplete"]
    assert note.message.startswith("r.html has no 表二")
    assert all(c.source == pdf.source.sha256 for c in merged.cells if c.table == "table2")
    assert all(c.source is None for c in merged.cells if c.table != "table2")


def test_the_value_the_arithmetic_confirms_wins_even_against_the_primary(seed: Report) -> None:
    key = ("table3", "1", "total")
    true = values(seed)[key]
    html = twin(seed, "r.html", "text/html", change={key: true + 3})
    pdf = twin(seed, "r.pdf", "application/pdf")
    merged = merge_reports([html, pdf])
    assert values(merged)[key] == true
    (note,) = [i for i in merged.issues if i.code == "sources-disagree"]
    assert note.target == key and f"r.html gives {true + 3}" in note.message and f"r.pdf gives {true}" in note.message


def test_different_templates_or_totals_are_not_the_same_report(seed: Report) -> None:
    other = dataclasses.replace(twin(seed, "r.html", "text/html"), generation=Generation.GEN2021)
    assert not_same(seed, other) == "read as the 2019 and the 2021 template"
    changed = {c.key: c.value + 7 for c in seed.cells}
    why = not_same(seed, twin(seed, "other.html", "text/html", change=changed))
    assert why is not None and why.startswith("only 0 of")
    group = resolve_group([seed, twin(seed, "other.html", "text/html", change=changed)])
    assert group.report is seed and group.sources == (seed.source.path,)
    assert group.errors[0] is None and "not the same report" in (group.errors[1] or "")


@pytest.mark.parametrize("where", ["one.nq", "spilled.nq", "folder", "one.trig"])
def test_a_report_written_again_replaces_the_earlier_one(tmp_path: Path, seed: Report, where: str) -> None:
    """The writer keeps the last block of a graph: the merged report replaces the one written before."""
    key = ("table3", "1", "total")
    wrong = twin(seed, "r.html", "text/html", change={key: values(seed)[key] + 3})
    merged = merge_reports([wrong, twin(seed, "r.pdf", "application/pdf")])
    graph = report_graph(seed, BASE)
    items = [("a.nq", graph, report_nquads(wrong, BASE)), ("a.nq", graph, report_nquads(merged, BASE))]
    out = tmp_path / where
    write_stream(iter(items), out, run_bytes=1 if where == "spilled.nq" else 2**20)
    written = (out / "a.nq") if where == "folder" else out
    expected = report_nquads(merged, BASE)
    if where == "one.trig":
        expected = serialize(add_quads(new_dataset(), ox.parse(expected, format=ox.RdfFormat.N_QUADS)), "trig")
    assert written.read_bytes() == expected
    assert not list(tmp_path.rglob(".*"))  # no run files left
