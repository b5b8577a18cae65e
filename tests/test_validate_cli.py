"""``gongkai validate``: exit 0 when conformant (warnings allowed), 1 on violations, 2 when a file
cannot be read; one line per finding, each naming the file."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest
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


def test_the_removed_bulk_engine_is_one_line_and_exit_2() -> None:
    result = runner.invoke(app, ["validate", "--engine", "bulk", str(CASES / "report-ok.trig")])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: the SHACL engine 'bulk' was removed") and "--engine turbo" in line
    assert result.stdout == ""


def test_unknown_format_exits_2() -> None:
    result = runner.invoke(app, ["validate", "--format", "xml", str(CASES / "report-ok.trig")])
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: unknown format 'xml'; use one of text, github, junit"


# --- --format github: GitHub Actions workflow commands ----------------------------------------

# ::error file={name},title={title}::{message} (docs/validate.md): no raw newline anywhere, and
# no raw ':' or ',' inside a property value.
GITHUB_LINE = re.compile(r"^::(error|warning|notice) file=([^,:\r\n]+),title=([^,:\r\n]+)::([^\r\n]*)$")
VIOLATIONS = sorted(CASES.glob("*.violation.trig"))


def _unescape(value: str) -> str:
    return value.replace("%2C", ",").replace("%3A", ":").replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")


def test_github_format_annotates_each_finding() -> None:
    warning = CASES / "table3-row-sum.warning.trig"
    violation = CASES / "observation-negative-count.violation.trig"
    result = runner.invoke(
        app, ["validate", "--format", "github", str(CASES / "report-ok.trig"), str(warning), str(violation)]
    )
    assert result.exit_code == 1, result.output
    *commands, summary = result.stdout.splitlines()
    assert summary == "validated 3 files (4 graphs): 1 violation, 1 warning - does not conform"
    parsed = [GITHUB_LINE.match(line) for line in commands]
    assert all(parsed), commands
    found = [(m[1], _unescape(m[2]), _unescape(m[3])) for m in parsed if m]
    assert found == [
        ("warning", str(warning), "SHACL warning: gks:ArithmeticShape"),
        ("error", str(violation), "SHACL violation: gks:Observation-count"),
    ]
    message = _unescape(parsed[1][4])  # type: ignore[index]
    assert message.startswith("<http://localhost:8000/id/report/test-agency-0000/2020/t3-1-np> gk:count: ")
    assert "(value: -1)" in message


def test_github_format_counts_match_the_text_format() -> None:
    text = runner.invoke(app, ["validate", *map(str, VIOLATIONS)])
    github = runner.invoke(app, ["validate", "--format", "github", *map(str, VIOLATIONS)])
    assert text.exit_code == github.exit_code == 1
    errors = [line for line in github.stdout.splitlines() if line.startswith("::error ")]
    assert len(errors) == len(text.stdout.splitlines()) - 1  # a line per violation, then the summary
    assert all(GITHUB_LINE.match(line) for line in errors)
    assert github.stdout.splitlines()[-1] == text.stdout.splitlines()[-1]


def test_github_escaping_follows_the_documented_syntax() -> None:
    from endpoint.commands.validate_formats import github_command

    line = github_command("error", Path("out/a,b:c.nq"), "x: 100%, y", "50% done\r\nnext: a, b")
    assert line == "::error file=out/a%2Cb%3Ac.nq,title=x%3A 100%25%2C y::50%25 done%0D%0Anext: a, b"
    assert GITHUB_LINE.match(line)


def test_github_format_annotates_an_unreadable_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.nq"
    bad.write_text("<urn:a> <urn:b> .\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", "--format", "github", str(bad)])
    assert result.exit_code == 2
    (command, _summary) = result.stdout.splitlines()
    match = GITHUB_LINE.match(command)
    assert match and match[1] == "error" and _unescape(match[2]) == str(bad)
    assert result.stderr.startswith(f"error: {bad}: not valid N-Quads")


# --- --format junit: JUnit XML ------------------------------------------------------------------


def _junit(result_xml: str) -> ET.Element:
    root = ET.fromstring(result_xml)
    assert root.tag == "testsuites"
    return root


def test_junit_has_a_failure_per_violation_and_a_case_per_report_graph(tmp_path: Path) -> None:
    files = [CASES / "report-ok.trig", CASES / "table3-row-sum.warning.trig", *VIOLATIONS]
    text = runner.invoke(app, ["validate", *map(str, files)])
    violations = int(re.search(r"(\d+) violations?", text.stdout.splitlines()[-1])[1])  # type: ignore[index]
    report = tmp_path / "shacl.xml"
    result = runner.invoke(app, ["validate", "--format", "junit", "--output", str(report), *map(str, files)])
    assert result.exit_code == 1
    assert result.stdout == text.stdout.splitlines()[-1] + "\n"  # the summary only: the XML is in the file
    root = _junit(report.read_text(encoding="utf-8"))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == list(map(str, files))
    assert len(list(root.iter("failure"))) == violations > 50
    assert int(root.get("failures", "")) == violations == sum(int(s.get("failures", "")) for s in suites)
    ok = suites[0]
    graphs = {q.graph_name for q in ox.parse(path=str(CASES / "report-ok.trig"), format=ox.RdfFormat.TRIG)}
    assert sorted(c.get("name") or "" for c in ok.findall("testcase")) == sorted(g.value for g in graphs)
    assert ok.get("tests") == "2" and not list(ok.iter("failure"))
    warned = suites[1].find("testcase")
    assert warned is not None and not list(warned.iter("failure"))
    assert "warning: " in (warned.findtext("system-out") or "")
    no_year = suites[files.index(CASES / "report-no-year.violation.trig")]
    (failure,) = no_year.iter("failure")
    assert failure.get("type") == "gks:Report-year"
    assert failure.get("message") == "a report needs exactly one gk:year, an xsd:gYear of four digits"
    assert "constraint: sh:MinCountConstraintComponent" in (failure.text or "")


def test_junit_to_stdout_keeps_the_summary_on_stderr(tmp_path: Path) -> None:
    bad = tmp_path / "bad.nq"
    bad.write_text("<urn:a> <urn:b> .\n", encoding="utf-8")
    result = runner.invoke(
        app, ["validate", "--format", "junit", str(CASES / "report-no-year.violation.trig"), str(bad)]
    )
    assert result.exit_code == 2
    root = _junit(result.stdout)
    assert root.get("errors") == "1" and root.get("failures") == "1"
    (error,) = root.iter("error")
    assert error.get("message", "").startswith("not valid N-Quads")
    assert result.stderr.splitlines()[-1].endswith("1 file could not be read - does not conform")


def test_junit_survives_control_characters_in_the_data(tmp_path: Path) -> None:
    """A literal with a control character (legal in RDF, not in XML 1.0) in a finding's value."""
    case = tmp_path / "year-control.trig"
    text = (CASES / "report-year-string.violation.trig").read_text(encoding="utf-8")
    case.write_text(text.replace('gk:year "2020"', 'gk:year "20\\u000120"'), encoding="utf-8")
    result = runner.invoke(app, ["validate", "--format", "junit", str(case)])
    assert result.exit_code == 1, result.output
    failures = list(_junit(result.stdout).iter("failure"))  # it parses: the character was replaced
    assert failures and all("value: 20\ufffd20" in (f.text or "") for f in failures)


def test_the_ci_job_files_run_the_documented_commands() -> None:
    """docs/ci/: valid YAML; the GitHub job annotates (--format github), the GitLab job's JUnit file
    is the one it reports; docs/validate.md shows both."""
    yaml = pytest.importorskip("yaml")
    docs = Path(__file__).resolve().parent.parent / "docs"
    github = yaml.safe_load((docs / "ci" / "gongkai-validate.yml").read_text(encoding="utf-8"))
    steps = [step.get("run", "") for step in github["jobs"]["validate"]["steps"]]
    assert any(run.startswith('pip install "gongkai @ ') for run in steps)
    assert any(run.startswith("gongkai validate --format github") for run in steps)
    gitlab = yaml.safe_load((docs / "ci" / "gitlab-ci.yml").read_text(encoding="utf-8"))["gongkai-validate"]
    (command,) = [line for line in gitlab["script"] if line.startswith("gongkai validate")]
    assert f"--output {gitlab['artifacts']['reports']['junit']}" in command and "--format junit" in command
    guide = (docs / "validate.md").read_text(encoding="utf-8")
    assert "gongkai validate --format github --jobs 0 converted/" in guide and command in guide
