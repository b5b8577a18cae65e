"""The gates of issue 20 are wired into `make test` (so into CI, .ci/run): ruff's lint rules and
formatting, mypy --strict, and the `>>>` examples of the docstrings. These tests read what `make -n`
would run and pyproject.toml; they do not run the gates again (`make lint` does)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _dry_run(target: str) -> list[str]:
    """The commands `make <target>` would run, one a line (prerequisites first)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed; CI runs `make test`, so it has make")
    proc = subprocess.run(["make", "-n", target], cwd=REPO, capture_output=True, text=True, check=True, timeout=60)
    return proc.stdout.splitlines()


def _first(lines: list[str], command: str) -> int:
    found = [i for i, line in enumerate(lines) if command in line.split("#")[0]]
    assert found, f"`make -n test` does not run {command!r}:\n" + "\n".join(lines)
    return found[0]


def test_make_test_runs_ruff_and_mypy_before_the_tests() -> None:
    lines = _dry_run("test")
    tests = _first(lines, "-m pytest")
    for gate in ("ruff check .", "ruff format --check .", "bin/mypy"):
        assert _first(lines, gate) < tests, f"{gate!r} runs after the tests, or not as a gate"


def test_mypy_is_strict_on_the_converter_and_the_endpoint() -> None:
    mypy = PYPROJECT["tool"]["mypy"]
    assert mypy["strict"] is True
    assert {"converter", "endpoint"} <= set(mypy["files"])
    # a module may be let off only for libraries without types, never by silencing its own errors
    silenced = [o["module"] for o in mypy.get("overrides", []) if o.get("ignore_errors")]
    assert not silenced, f"pyproject.toml silences mypy on {silenced}"


def test_every_type_ignore_names_its_error_and_says_why() -> None:
    """``# type: ignore[code]  # why``: a bare ignore would hide any later error on its line, and
    one without a reason cannot be judged (strict's warn_unused_ignores flags the stale ones)."""
    justified = re.compile(r"# type: ignore\[[a-z-]+(, ?[a-z-]+)*\]  # \S")
    unjustified = [
        f"{path.relative_to(REPO)}:{n}: {line.strip()}"
        for package in ("converter", "endpoint")
        for path in sorted((REPO / package).rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "# type: ignore" in line and not justified.search(line)
    ]
    assert not unjustified, "a `# type: ignore` without its error code or its reason:\n" + "\n".join(unjustified)


def test_docstring_examples_run_with_the_tests() -> None:
    pytest_options = PYPROJECT["tool"]["pytest"]["ini_options"]
    assert "--doctest-modules" in pytest_options["addopts"]
    assert {"converter", "endpoint"} <= set(pytest_options["testpaths"])


def test_the_gates_tools_are_installed_by_the_test_extra() -> None:
    extra = " ".join(PYPROJECT["project"]["optional-dependencies"]["test"])
    for tool in ("ruff", "mypy"):
        assert tool in extra, f"{tool} is not in the test extra that `make install` installs"
