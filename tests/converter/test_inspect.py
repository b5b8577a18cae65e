"""``gongkai inspect FILE`` explains how a file was read: a good file, a flagged file and a refused
file, as text and as JSON (issue 17)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from endpoint.cli import app

FIXTURES = Path(__file__).parents[1] / "fixtures"
SEEDS = Path(__file__).parents[2] / "data" / "seeds"
runner = CliRunner()


def test_a_good_file_shows_its_tables_and_every_row_placed() -> None:
    result = runner.invoke(app, ["inspect", str(FIXTURES / "huaian_municipal_2024.pdf")])
    assert result.exit_code == 0, result.output
    text = result.output
    assert "agency    淮安市人民政府" in text and "year      2024" in text
    assert "template  2021" in text and "本年制发件数" in text  # the evidence
    assert "表三  lines" in text and "pages 4/5" in text  # 表三 crosses a page break
    assert "→ 3.6.3" in text and "LEFT OUT" not in text
    assert "p.5" in text  # the extracted lines carry their page numbers
    assert "cells     table2 10, table3 175, table4 15" in text


def test_a_flagged_file_shows_its_notes_and_how_blanks_were_decided() -> None:
    result = runner.invoke(app, ["inspect", "--json", str(FIXTURES / "shanghai_municipal_office_2019.html")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    codes = {n["code"] for n in data["notes"]}
    assert {"blank-read-as-zero", "blank-cell"} <= codes
    rows = {r["notation"]: r for r in data["rows"]}
    assert set(rows) >= {"1", "2", "3.1", "3.6", "3.7", "4"}
    assert rows["3.6"]["values"] == ["(空白)"] * 7
    assert data["lines"][0]["line"] == 1 and data["template"] == "2019"


def test_a_row_placed_by_similarity_says_so(tmp_path: Path) -> None:
    text = (SEEDS / "000_c5b0e1e384a688a1.txt").read_text(encoding="utf-8")
    typo = text.replace("4.无正当理由大量反复申请", "4.无正当理由大量反复申").replace("（四）无法提供", "（四）无法提")
    path = tmp_path / "typo.txt"
    path.write_text(typo.replace("三、本年度办理结果", "三、本年度办理结果\n- 5 -", 1), encoding="utf-8")
    data = json.loads(runner.invoke(app, ["inspect", "--json", str(path)]).output)
    placed = [r for r in data["rows"] if r["notation"] == "3.5.4"]
    assert placed and placed[0]["similarity"] >= 0.9


def test_a_refused_file_shows_what_was_seen_and_why(tmp_path: Path) -> None:
    path = tmp_path / "no-agency.txt"
    path.write_text("2023年政府信息公开工作年度报告\n一、总体情况\n本机关认真贯彻落实。\n", encoding="utf-8")
    result = runner.invoke(app, ["inspect", str(path)])
    assert result.exit_code == 1
    assert "refused: " in result.output and "--manifest" in result.output
    assert "2023年政府信息公开工作年度报告" in result.output  # the extracted lines are still shown
    data = json.loads(runner.invoke(app, ["inspect", "--json", str(path)]).output)
    assert data["ok"] is False and "--manifest" in data["error"] and data["year"] == 2023


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["inspect", str(tmp_path / "nothing.pdf")])
    assert result.exit_code == 2
    assert "no such file" in result.output
