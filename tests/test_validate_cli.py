"""``gongkai validate``: exit 0 when conformant (warnings allowed), 1 on violations, 2 when a file
cannot be read; one line per finding, each naming the file."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from endpoint.cli import app

CASES = Path(__file__).resolve().parent / "shapes"
runner = CliRunner()


def run(*args: str | Path):
    return runner.invoke(app, ["validate", *map(str, args)])


def test_conforming_file_exits_0() -> None:
    result = run(CASES / "report-ok.trig")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines == ["validated 1 file (2 graphs): 0 violations, 0 warnings - conforms"]


def test_warnings_are_allowed_and_listed() -> None:
    case = CASES / "table3-row-sum.warning.trig"
    result = run(case)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{case}: <http://localhost:8000/id/report/test-agency-0000/2020>: warning: 表三 row 1:")
    assert f"{case}: 1 warning" in lines
    assert lines[-1].endswith("0 violations, 1 warning - conforms")


def test_quiet_hides_warning_lines_but_counts_them() -> None:
    case = CASES / "table3-row-sum.warning.trig"
    result = runner.invoke(app, ["validate", "--quiet", str(case)])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"{case}: 1 warning",
        "validated 1 file (1 graph): 0 violations, 1 warning - conforms",
    ]


def test_violations_exit_1_one_line_each() -> None:
    case = CASES / "report-no-year.violation.trig"
    result = run(CASES / "report-ok.trig", case)
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"{case}: <http://localhost:8000/id/report/test-agency-0000/2020> gk:year: "
        "a report needs exactly one gk:year, an xsd:gYear of four digits"
    )
    assert lines[-1] == "validated 2 files (3 graphs): 1 violation, 0 warnings - does not conform"


def test_violations_are_shown_even_when_quiet() -> None:
    case = CASES / "observation-negative-count.violation.trig"
    result = runner.invoke(app, ["validate", "-q", str(case)])
    assert result.exit_code == 1
    (line, summary) = result.stdout.splitlines()
    assert line.startswith(f"{case}: <http://localhost:8000/id/report/test-agency-0000/2020/t3-1-np> gk:count: ")
    assert line.endswith("(value: -1)")
    assert "1 violation" in summary


def test_unparsable_file_exits_2_and_names_it(tmp_path: Path) -> None:
    broken = tmp_path / "broken.nq"
    broken.write_text("<http://a> <http://b> <http://c> <http://g> <http://x> .\n", encoding="utf-8")
    result = run(broken, CASES / "report-ok.trig")
    assert result.exit_code == 2
    errors = result.stderr.splitlines()
    assert len(errors) == 1 and errors[0].startswith(f"error: {broken}: not valid N-Quads")
    assert "Traceback" not in result.output
    # the other file is still validated
    assert result.stdout.splitlines()[-1].startswith("validated 1 file (2 graphs)")
    assert "1 file could not be read" in result.stdout


def test_missing_file_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "nothing.trig"
    result = run(missing)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {missing}: no such file or folder"


def test_unknown_suffix_exits_2(tmp_path: Path) -> None:
    odd = tmp_path / "data.json"
    odd.write_text("{}", encoding="utf-8")
    result = run(odd)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {odd}: unknown RDF format '.json'")


def test_folder_is_expanded(tmp_path: Path) -> None:
    for name in ("report-ok.trig", "report-minimal.ttl"):
        (tmp_path / name).write_bytes((CASES / name).read_bytes())
    (tmp_path / "notes.txt").write_text("not RDF", encoding="utf-8")
    result = run(tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "validated 2 files (3 graphs): 0 violations, 0 warnings - conforms"


def test_on_a_dask_local_cluster_the_output_is_the_same(tmp_path: Path) -> None:
    """``--scheduler local``: each file is a task on a LocalCluster of 2 workers; the same lines,
    the same summary and exit status as the local run, an unparsable file included."""
    import pytest

    pytest.importorskip("distributed")
    bad = tmp_path / "bad.nq"
    bad.write_text("<urn:a> <urn:b> .\n", encoding="utf-8")
    files = [
        CASES / "report-ok.trig",
        CASES / "report-no-year.violation.trig",
        CASES / "table3-row-sum.warning.trig",
        bad,
    ]
    local = run(*files)
    remote = runner.invoke(app, ["validate", "--scheduler", "local", "-j", "2", *map(str, files)])
    assert local.exit_code == remote.exit_code == 2
    assert remote.stdout == local.stdout
    assert remote.stdout.splitlines()[-1].startswith("validated 3 files (")
    assert "1 violation, 1 warning" in remote.stdout.splitlines()[-1]
    assert f"error: {bad}: " in remote.stderr
