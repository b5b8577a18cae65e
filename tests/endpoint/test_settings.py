"""Settings of ``gongkai serve``: one precedence rule, flag > ``GONGKAI_*`` variable > default, for
every setting documented in docs/endpoint.md; a bad value stops the command with one line naming
the variable; and the base URL the store was loaded for is the one it is served under."""

from __future__ import annotations

import logging
import os
import re
import subprocess
from dataclasses import fields
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import endpoint.commands.publish as publish
from endpoint.app import BaseUrlMismatch, create_app, reload_release
from endpoint.cli import app as cli
from endpoint.load import load
from endpoint.release import current_release, recorded_base_url
from endpoint.settings import Settings, SettingsError, env_variable
from tests.conftest import GONGKAI, REPO

DOCS = REPO / "docs" / "endpoint.md"
SAMPLE = REPO / "tests" / "e2e" / "data" / "sample-reports.nq"  # converted for http://localhost:8000
SAMPLE_BASE = "http://localhost:8000"
OTHER_BASE = "http://127.0.0.1:9000"
REPORT_PATH = "report/shilishi-yangbenqu-renminzhengfu-9203/2020"


def documented_settings() -> list[tuple[str, str | None, str, str]]:
    """The rows of the table under "## Settings" in docs/endpoint.md: (setting, flag or None,
    variable, default as written)."""
    section = DOCS.read_text(encoding="utf-8").split("## Settings", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 4 or not cells[2].startswith("`GONGKAI_"):
            continue
        flag = cells[1].strip("`") if cells[1].startswith("`--") else None
        default = re.match(r"`([^`]*)`", cells[3])
        assert default, line
        rows.append((cells[0], flag, cells[2].strip("`"), default.group(1)))
    return rows


SETTINGS = documented_settings()
NUMERIC = [name for name, _, _, _ in SETTINGS if isinstance(getattr(Settings(), name), int | float)]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("GONGKAI_"):
            monkeypatch.delenv(name)


@pytest.fixture
def serve_settings(monkeypatch: pytest.MonkeyPatch, clean_env: None) -> list[Settings]:
    """What ``gongkai serve`` would serve with: the server is not started, its settings are kept."""
    seen: list[Settings] = []

    def run_serve(settings: Settings, workers: int) -> int:
        seen.append(settings)
        return 0

    monkeypatch.setattr(publish, "run_serve", run_serve)
    return seen


def a_value(name: str, source: str) -> str:
    """A value for the setting ``name``, of its kind, different for each source and from its default."""
    default = getattr(Settings(), name)
    if isinstance(default, Path):
        return f"/nonexistent/{source}/{name}"
    if isinstance(default, str):
        return f"http://{source}.example"
    step = {"env": 3, "flag": 5}[source]
    return str(default + step) if isinstance(default, int) else str(default + step + 0.5)


def test_the_documented_settings_are_the_settings() -> None:
    assert {name for name, _, _, _ in SETTINGS} == {f.name for f in fields(Settings)}
    for name, _, variable, default in SETTINGS:
        assert variable == env_variable(name)
        assert Settings.from_env({variable: default}) == Settings(), f"{name}: docs say {default}"


@pytest.mark.parametrize(("name", "flag", "variable"), [(n, f, v) for n, f, v, _ in SETTINGS])
def test_flag_beats_environment_beats_default(
    serve_settings: list[Settings], name: str, flag: str | None, variable: str
) -> None:
    runner = CliRunner()
    default = getattr(Settings(), name)
    env_value = a_value(name, "env")
    assert runner.invoke(cli, ["serve"]).exit_code == 0
    assert getattr(serve_settings[-1], name) == default
    assert runner.invoke(cli, ["serve"], env={variable: env_value}).exit_code == 0
    assert getattr(serve_settings[-1], name) == getattr(Settings.from_env({variable: env_value}), name)
    assert getattr(serve_settings[-1], name) != default
    if flag is not None:
        flag_value = a_value(name, "flag")
        result = runner.invoke(cli, ["serve", flag, flag_value], env={variable: env_value})
        assert result.exit_code == 0, result.output
        assert getattr(serve_settings[-1], name) == getattr(Settings.from_env({variable: flag_value}), name)
        assert getattr(serve_settings[-1], name) != getattr(Settings.from_env({variable: env_value}), name)
    assert len(serve_settings) == (3 if flag else 2)


@pytest.mark.parametrize("name", NUMERIC)
@pytest.mark.parametrize("bad", ["ten", "", "-1", "nan"])
def test_a_bad_value_names_the_variable(name: str, bad: str) -> None:
    variable = env_variable(name)
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({variable: bad})
    message = str(caught.value)
    assert variable in message and repr(bad) in message
    assert "\n" not in message


def test_serve_with_a_bad_port_exits_with_one_line_naming_it(store_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGKAI_")} | {"GONGKAI_PORT": "ten"}
    proc = subprocess.run(
        [str(GONGKAI), "serve", "--store", str(store_dir)], env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "GONGKAI_PORT" in lines[0] and "'ten'" in lines[0]
    assert "Traceback" not in proc.stderr and "Uvicorn running" not in proc.stderr + proc.stdout


def test_a_bad_flag_is_refused_by_the_command_line(serve_settings: list[Settings]) -> None:
    result = CliRunner().invoke(cli, ["serve", "--port", "ten"])
    assert result.exit_code == 2
    assert "--port" in result.output
    assert serve_settings == []


# ---------------------------------------------------------------------------------------------
# The base URL: recorded when the store is loaded, checked when it is served


def rebased_sample(tmp_path: Path, base: str) -> Path:
    """The sample reports as converted with ``--base-url base``."""
    out = tmp_path / "rebased.nq"
    out.write_text(SAMPLE.read_text(encoding="utf-8").replace(f"<{SAMPLE_BASE}/", f"<{base}/"), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample loaded for its own base, http://localhost:8000."""
    store = tmp_path_factory.mktemp("base") / "store"
    assert not load([SAMPLE], store, base_url=SAMPLE_BASE).failures
    return store


def test_serve_with_another_base_url_refuses_with_one_line_naming_both(
    serve_settings: list[Settings], sample_store: Path
) -> None:
    result = CliRunner().invoke(cli, ["serve", "--store", str(sample_store), "--base-url", OTHER_BASE])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert SAMPLE_BASE in lines[0] and OTHER_BASE in lines[0]
    assert serve_settings == []  # no server
    env = CliRunner().invoke(cli, ["serve", "--store", str(sample_store)], env={"GONGKAI_BASE_URL": OTHER_BASE})
    assert env.exit_code == 2 and OTHER_BASE in env.output


def test_an_app_for_another_base_url_does_not_start(sample_store: Path) -> None:
    settings = Settings(store=sample_store, base_url=OTHER_BASE)
    with pytest.raises(BaseUrlMismatch, match=re.escape(SAMPLE_BASE)), TestClient(create_app(settings)):
        pass


def test_serve_with_the_store_base_url_serves(serve_settings: list[Settings], sample_store: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--store", str(sample_store), "--base-url", SAMPLE_BASE + "/"])
    assert result.exit_code == 0, result.output
    with TestClient(create_app(serve_settings[-1])) as client:
        assert client.get(f"/id/{REPORT_PATH}", follow_redirects=False).status_code == 303
        assert client.get(f"/doc/{REPORT_PATH}.ttl").status_code == 200


def test_serve_without_a_base_url_takes_the_store_one(serve_settings: list[Settings], tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert not load([rebased_sample(tmp_path, OTHER_BASE)], store, base_url=OTHER_BASE).failures
    result = CliRunner().invoke(cli, ["serve", "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert OTHER_BASE in result.output  # said at start
    assert serve_settings[-1].base_url == OTHER_BASE
    with TestClient(create_app(serve_settings[-1])) as client:
        r = client.get(f"/id/{REPORT_PATH}", follow_redirects=False)
        assert r.status_code == 303
        assert f"<{OTHER_BASE}/id/{REPORT_PATH}>" in client.get(r.headers["location"] + ".ttl").text


def test_a_release_without_a_recorded_base_url_is_served_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, serve_settings: list[Settings]
) -> None:
    store = tmp_path / "store"
    release = load([SAMPLE], store, base_url=SAMPLE_BASE).release
    marker = release.with_name(release.name + ".json")
    marker.write_text(re.sub(r'\n  "base_url": "[^"]*",', "", marker.read_text(encoding="utf-8")), encoding="utf-8")
    assert recorded_base_url(release) is None  # as loaded by an older version
    assert CliRunner().invoke(cli, ["serve", "--store", str(store)]).exit_code == 0
    assert serve_settings[-1].base_url == SAMPLE_BASE  # the default, as before
    with caplog.at_level(logging.WARNING, logger="endpoint.app"), TestClient(create_app(serve_settings[-1])) as c:
        assert c.get(f"/id/{REPORT_PATH}", follow_redirects=False).status_code == 303
    assert any("does not record the base URL" in r.getMessage() for r in caplog.records)


def test_a_reload_to_a_release_for_another_base_url_keeps_the_served_one(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = load([SAMPLE], store, base_url=SAMPLE_BASE).release
    with TestClient(create_app(Settings(store=store, base_url=SAMPLE_BASE))) as client:
        load([rebased_sample(tmp_path, OTHER_BASE)], store, base_url=OTHER_BASE, replace=True)
        assert current_release(store) != first
        assert reload_release(client.app) is False  # type: ignore[arg-type]
        assert client.app.state.release == first  # type: ignore[attr-defined]
        assert client.get(f"/id/{REPORT_PATH}", follow_redirects=False).status_code == 303
