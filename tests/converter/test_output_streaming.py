"""One big output file in bounded memory: reports written as they come, sorted runs spilled next
to the output and merged; the bytes are those of the in-memory path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from converter import output
from converter.errors import OptionsError
from converter.model import Report
from converter.options import ConvertOptions
from converter.output import (
    merge_nquads,
    report_file_name,
    report_graph,
    report_nquads,
    sorted_nquads,
    write_reports,
    write_stream,
)
from converter.pipeline import convert_file, convert_many, emit_many
from tests.converter import reference_emit as reference

ROOT = Path(__file__).parents[2]
BASE = "http://localhost:8000"
SEEDS = sorted((ROOT / "data" / "seeds").glob("*.txt"))
HTML = ROOT / "tests" / "fixtures" / "shanghai_municipal_office_2019.html"


@pytest.fixture(scope="module")
def reports() -> list[Report]:
    return [convert_file(p) for p in [*SEEDS, HTML]]


@pytest.fixture(scope="module")
def in_memory(reports: list[Report]) -> bytes:
    """The reference: each report's graph as the old rdflib path wrote it, in report-IRI order."""
    blocks = {report_graph(r, BASE): reference.sorted_nquads(reference.emit_report(r, BASE)) for r in reports}
    return b"".join(blocks[name] for name in sorted(blocks))


def test_one_file_holds_the_statements_of_all_reports_graph_by_graph(reports: list[Report], in_memory: bytes) -> None:
    ds = reference.new_dataset()
    for report in reports:
        reference.emit_report(report, BASE, ds)
    assert sorted(in_memory.splitlines()) == reference.sorted_nquads(ds).splitlines()  # the same statements
    assert sorted_nquads(ds) == in_memory  # the in-memory writer orders them graph by graph too
    graphs = [line.rsplit(b" ", 2)[-2] for line in in_memory.splitlines()]
    assert graphs == sorted(graphs)  # one block per graph, in name order


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize("run_bytes", [1, 50_000, 10**9])
def test_spilled_runs_merge_to_the_in_memory_bytes(
    tmp_path: Path, reports: list[Report], in_memory: bytes, run_bytes: int
) -> None:
    out = tmp_path / "all.nq"
    assert write_reports(reports, out, BASE, run_bytes=run_bytes) == [out]
    assert out.read_bytes() == in_memory
    assert _leftovers(tmp_path) == []


def test_many_runs_merge_in_several_passes(
    tmp_path: Path, reports: list[Report], in_memory: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(output, "MERGE_FAN_IN", 2)
    out = tmp_path / "all.nq"
    write_reports(reports * 2, out, BASE, run_bytes=1)  # every report twice: duplicates dropped
    assert out.read_bytes() == in_memory
    assert _leftovers(tmp_path) == []


def test_a_failure_midway_leaves_no_file(tmp_path: Path, reports: list[Report]) -> None:
    out = tmp_path / "all.nq"

    def items() -> Iterator[tuple[str, bytes]]:
        for report in reports[:3]:
            yield "x.nq", report_graph(report, BASE), report_nquads(report, BASE)
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        write_stream(items(), out, run_bytes=1)
    assert list(tmp_path.iterdir()) == []


def test_nothing_to_write_writes_nothing(tmp_path: Path) -> None:
    assert write_stream(iter([]), tmp_path / "none.nq") == []
    assert list(tmp_path.iterdir()) == []


def test_unknown_suffix_is_refused_before_reading(tmp_path: Path) -> None:
    def items() -> Iterator[tuple[str, bytes]]:
        raise AssertionError("read")
        yield  # pragma: no cover

    with pytest.raises(OptionsError, match="unknown output format"):
        write_stream(items(), tmp_path / "out.xml")


def test_stdout_is_merged_the_same(
    reports: list[Report], in_memory: bytes, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    write_reports(reports, "-", BASE, run_bytes=1)
    assert capfdbinary.readouterr().out == in_memory


@pytest.mark.parametrize("suffix,fmt", [(".trig", "trig"), (".ttl", "turtle")])
def test_trig_and_turtle_as_before(tmp_path: Path, reports: list[Report], suffix: str, fmt: str) -> None:
    ds = reference.new_dataset()
    for report in reports:
        reference.emit_report(report, BASE, ds)
    out = tmp_path / f"all{suffix}"
    write_reports(reports, out, BASE)
    assert out.read_bytes() == output.serialize(ds, fmt)


def test_folder_gets_one_file_per_report(tmp_path: Path, reports: list[Report]) -> None:
    written = write_reports(reports, tmp_path / "folder", BASE)
    assert [p.name for p in written] == [report_file_name(r.meta.agency, r.meta.year) for r in reports]
    for path, report in zip(written, reports, strict=True):
        assert path.read_bytes() == reference.sorted_nquads(reference.emit_report(report, BASE))
    assert merge_nquads((report_graph(r, BASE), p.read_bytes()) for p, r in zip(written, reports, strict=True)) == (
        merge_nquads((report_graph(r, BASE), reference.sorted_nquads(reference.emit_report(r, BASE))) for r in reports)
    )


@pytest.mark.parametrize("jobs", [1, 2])
def test_emit_many_keeps_input_order_and_publishes_a_file_given_twice_once(jobs: int) -> None:
    files = [*SEEDS, SEEDS[0], HTML]
    options = ConvertOptions(base_url=BASE)
    items = list(emit_many(files, options, jobs=jobs))
    outcomes = convert_many(files, options)
    assert [i.path for i in items] == files
    assert [i.error for i in items] == [o.error for o in outcomes]
    assert items[len(SEEDS)].same_file_as == SEEDS[0] and items[len(SEEDS)].summary is None
    for item, outcome in zip(items, outcomes, strict=True):
        if outcome.report is not None:
            assert item.summary is not None
            assert item.nquads == report_nquads(outcome.report, BASE)
            assert (item.summary.agency, item.summary.year) == (outcome.report.meta.agency, outcome.report.meta.year)
            assert item.summary.issues == tuple(outcome.report.issues)
