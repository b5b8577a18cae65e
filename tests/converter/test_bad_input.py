"""Bad input gets one clear line naming the file, a non-zero exit, and the other files still convert."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from converter.errors import MetadataMissing, NotAReport, SourceUnreadable
from converter.extract.text import decode
from converter.pipeline import convert_file
from endpoint.cli import app

SEEDS = Path(__file__).parents[2] / "data" / "seeds"
runner = CliRunner()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(SourceUnreadable, match="empty"):
        convert_file(write(tmp_path, "empty.txt", b"  \n"))


def test_binary_file(tmp_path: Path) -> None:
    with pytest.raises(SourceUnreadable, match="cannot decode"):
        convert_file(write(tmp_path, "binary.txt", b"\x00\x01\x02\xff" * 100))


def test_gb18030_report_converts(tmp_path: Path) -> None:
    text = (SEEDS / "000_c5b0e1e384a688a1.txt").read_text(encoding="utf-8")
    report = convert_file(write(tmp_path, "gbk.txt", text.encode("gb18030")))
    assert report.meta.agency == "六安市裕安区人民政府"
    assert len(report.cells) == 198


def test_gb18030_decodes() -> None:
    assert decode("行政复议".encode("gb18030")) == "行政复议"


def test_text_that_is_not_a_report(tmp_path: Path) -> None:
    with pytest.raises(NotAReport, match="no recognisable table"):
        convert_file(
            write(
                tmp_path, "menu.txt", "六安市人民政府2020年政府信息公开工作年度报告\n今日菜单：米饭，青菜。\n".encode()
            )
        )


def test_report_without_agency(tmp_path: Path) -> None:
    # without its title and its opening sentence ("…由相山经济开发区编制", which names the agency)
    text = (SEEDS / "003_e68ad832c72094de.txt").read_text(encoding="utf-8").splitlines()[2:]
    with pytest.raises(MetadataMissing, match="manifest"):
        convert_file(write(tmp_path, "untitled.txt", "\n".join(text).encode()))


def test_unsupported_suffix(tmp_path: Path) -> None:
    with pytest.raises(SourceUnreadable, match="unsupported file type"):
        convert_file(write(tmp_path, "report.xls", b"abc"))


def test_batch_with_broken_files_converts_the_good_ones(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEEDS / "000_c5b0e1e384a688a1.txt", folder)
    shutil.copy(SEEDS / "004_fcf6f2f4fa3c5b01.txt", folder)
    write(folder, "a-empty.txt", b"")
    write(folder, "b-binary.txt", b"\x00\xff" * 50)
    write(folder, "c-notes.txt", "会议纪要：无表格。".encode())
    out = tmp_path / "out.nq"
    result = runner.invoke(app, ["convert", str(folder), "-o", str(out), "--report", str(tmp_path / "r.json")])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert any("a-empty.txt: file is empty" in line for line in lines)
    assert any("b-binary.txt: cannot decode" in line for line in lines)
    assert any("c-notes.txt" in line for line in lines)
    assert "Traceback" not in result.output
    assert lines[-1].startswith("converted 2/5 files; 3 failed")
    text = out.read_text(encoding="utf-8")
    assert "luanshi-yuanqu-renminzhengfu-ec15/2020" in text
    assert "sanmingshi-meiliequ-renminzhengfu-e81f/2020" in text


def test_missing_input_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["convert", str(tmp_path / "nope"), "-o", str(tmp_path / "o.nq")])
    assert result.exit_code == 2
    assert "no such file or folder" in result.stderr


def test_unknown_output_suffix(tmp_path: Path) -> None:
    result = runner.invoke(app, ["convert", str(SEEDS / "000_c5b0e1e384a688a1.txt"), "-o", str(tmp_path / "o.xml")])
    assert result.exit_code == 2
    assert "unknown output format" in result.stderr


def test_manifest_wins(tmp_path: Path) -> None:
    manifest = tmp_path / "m.csv"
    manifest.write_text(
        "file,url,agency,year,published\n004_fcf6f2f4fa3c5b01.txt,https://www.sm.gov.cn/r.htm,三明市梅列区人民政府,2020,2021-01-29\n",
        encoding="utf-8",
    )
    out = tmp_path / "o.nq"
    result = runner.invoke(
        app, ["convert", str(SEEDS / "004_fcf6f2f4fa3c5b01.txt"), "-o", str(out), "--manifest", str(manifest)]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "<https://www.sm.gov.cn/r.htm>" in text
    assert '"2021-01-29"^^<http://www.w3.org/2001/XMLSchema#date>' in text
    assert '"title-missing"' not in text
