"""Documentation guards: every issue code, CLI command and setting is documented."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from converter.errors import ISSUE_CODES
from endpoint.cli import app
from endpoint.settings import Settings

ROOT = Path(__file__).parents[1]


def test_every_issue_code_is_documented() -> None:
    text = (ROOT / "docs" / "issues.md").read_text(encoding="utf-8")
    missing = [code for code in ISSUE_CODES if f"`{code}`" not in text]
    assert not missing, f"docs/issues.md does not document {missing}"


def test_every_cli_command_is_in_the_readme() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    names = [c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands]
    assert set(names) >= {"convert", "validate", "load", "serve", "dump"}
    missing = [n for n in names if f"gongkai {n}" not in text]
    assert not missing, f"README.md does not show {missing}"


def test_every_setting_is_documented() -> None:
    text = (ROOT / "docs" / "endpoint.md").read_text(encoding="utf-8")
    missing = [f.name for f in fields(Settings) if f"GONGKAI_{f.name.upper()}" not in text]
    assert not missing, f"docs/endpoint.md does not document {missing}"


def test_readme_gives_the_two_setup_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make serve" in text and "make test" in text


def test_converter_page_is_current() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_converter_doc", ROOT / "docs" / "build_converter_doc.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    current = (ROOT / "docs" / "converter.md").read_text(encoding="utf-8")
    assert current == module.render(), "docs/converter.md is stale: run .venv/bin/python docs/build_converter_doc.py"
