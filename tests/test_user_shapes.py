"""A publisher's own SHACL shapes run by the default ``gongkai validate``, with no code (issue 19).

The shape is the documented example, docs/ci/shapes/filled-in-tables.ttl: a new SHACL-SPARQL
constraint (a report whose 表三 and 表四 counts are all zero was probably published with its
tables left blank). Among the converted seeds, 相山经济开发区's 2020 report is such a report; the
project's shapes accept it. Run through the real console script, as a publisher's CI runs it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import GONGKAI, REPO

USER_SHAPES = REPO / "docs" / "ci" / "shapes" / "filled-in-tables.ttl"
BLANK_REPORT = "http://localhost:8000/id/report/xiangshanjingjikaifaqu-3f12/2020"
MESSAGE = "表三和表四的192个数值全部为0：表格是否未填写？(every count is 0: were the tables filled in?)"


def validate(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GONGKAI), "validate", *map(str, args)], capture_output=True, text=True, check=False, timeout=600
    )


def test_the_seeds_conform_to_the_project_shapes(seeds_nq: Path) -> None:
    result = validate(seeds_nq)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["validated 1 file (5 graphs): 0 violations, 0 warnings - conforms"]


@pytest.mark.parametrize("option", ["--shapes", "--extra-shapes"])
def test_a_users_sparql_constraint_reports_its_finding(seeds_nq: Path, option: str) -> None:
    """Instead of shapes/ (``--shapes``) or beside them (``--extra-shapes``): one violation, the
    user's message, exit 1."""
    result = validate(option, USER_SHAPES, seeds_nq)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        f"{seeds_nq}: <{BLANK_REPORT}>: {MESSAGE}",
        "validated 1 file (5 graphs): 1 violation, 0 warnings - does not conform",
    ]


def test_worker_processes_and_the_pyshacl_engine_use_the_same_user_shapes(seeds_nq: Path, tmp_path: Path) -> None:
    """``-j 2`` (the shapes travel to each worker) and ``--engine pyshacl`` (the reference): the
    same output; the folder form of --extra-shapes reads its .ttl files."""
    serial = validate("--extra-shapes", USER_SHAPES.parent, seeds_nq)
    for extra in (["-j", "2"], ["--engine", "pyshacl"]):
        other = validate("--extra-shapes", USER_SHAPES.parent, *extra, seeds_nq)
        assert (other.returncode, other.stdout) == (serial.returncode, serial.stdout), extra
    assert MESSAGE in serial.stdout


def test_on_dask_the_workers_get_the_user_shapes(seeds_nq: Path, tmp_path: Path) -> None:
    """``--scheduler local``: the shapes are sent to the Dask workers as text (they need not see the file)."""
    pytest.importorskip("distributed")
    result = validate("--shapes", USER_SHAPES, "--scheduler", "local", "-j", "2", seeds_nq)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[0] == f"{seeds_nq}: <{BLANK_REPORT}>: {MESSAGE}"


def test_a_warning_of_the_user_does_not_fail_the_run(seeds_nq: Path, tmp_path: Path) -> None:
    warning = tmp_path / "warning.ttl"
    warning.write_text(
        USER_SHAPES.read_text(encoding="utf-8").replace("sh:severity sh:Violation", "sh:severity sh:Warning"),
        encoding="utf-8",
    )
    result = validate("--extra-shapes", warning, seeds_nq)
    assert result.returncode == 0, result.stderr
    assert f"{seeds_nq}: <{BLANK_REPORT}>: warning: {MESSAGE}" in result.stdout.splitlines()


# --- shapes that cannot be used: one line naming the file, exit 2 ----------------------------


def _broken(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "make", "says"),
    [
        (
            "not-turtle.ttl",
            lambda text: text.replace("our:FilledInTables a", "our:FilledInTables a a"),
            "not valid Turtle",
        ),
        ("bad-sparql.ttl", lambda text: text.replace("GROUP BY $this", "GROUP BY $this }"), "do not compile"),
        ("no-shapes.ttl", lambda text: "<http://a> <http://b> <http://c> .\n", "no SHACL in this file"),
    ],
)
def test_a_broken_shapes_file_is_named_in_one_line(
    seeds_nq: Path, tmp_path: Path, name: str, make: object, says: str
) -> None:
    path = _broken(tmp_path, name, make(USER_SHAPES.read_text(encoding="utf-8")))  # type: ignore[operator]
    result = validate("--extra-shapes", path, seeds_nq)
    assert result.returncode == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: {path}: ") and says in line, line
    assert "Traceback" not in result.stderr


def test_missing_shapes_are_named(seeds_nq: Path, tmp_path: Path) -> None:
    result = validate("--shapes", tmp_path / "ours.ttl", seeds_nq)
    assert (result.returncode, result.stderr.strip()) == (
        2,
        f"error: {tmp_path / 'ours.ttl'}: no such shapes file or folder",
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    result = validate("--shapes", empty, seeds_nq)
    assert result.returncode == 2 and result.stderr.strip() == f"error: {empty}: no SHACL shapes (*.ttl) in this folder"
