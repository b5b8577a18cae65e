"""Fuzz: random bytes, truncated and damaged real files, given to ``convert_file`` under every
supported suffix. The only exceptions allowed are ``GongkaiError``s (a clear message for the user,
never a traceback), and nothing hangs: inputs are small and every run is bounded."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from converter.errors import GongkaiError
from converter.extract import SUFFIXES, extract
from converter.extract.html import clean_cell, grid_lines
from converter.numbers import BLANK_CELL
from converter.pipeline import convert_file
from tests.converter.test_extract_pdf import _pdf

FIXTURES = Path(__file__).parents[1] / "fixtures"
SEED = Path(__file__).parents[2] / "data" / "seeds" / "000_c5b0e1e384a688a1.txt"
REAL = [
    FIXTURES / "shanghai_municipal_office_2019.html",
    FIXTURES / "shanghai_municipal_office_2019.docx",
    FIXTURES / "shanghai_municipal_office_2019.pdf",
    FIXTURES / "seed_000.docx",
    FIXTURES / "seed_000.pdf",
    SEED,
]
HEADERS = {".pdf": b"%PDF-1.4\n", ".docx": b"PK\x03\x04", ".html": b"<html><meta charset=gbk><table><tr><td>"}
FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def convert_bytes(data: bytes, suffix: str) -> None:
    """Convert ``data`` saved under ``suffix``; a GongkaiError is a fine outcome."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"report{suffix}"
        path.write_bytes(data)
        try:
            convert_file(path)
        except GongkaiError as exc:
            assert str(exc).startswith(str(path))


@pytest.mark.parametrize("suffix", sorted(SUFFIXES))
@FUZZ
@given(data=st.binary(max_size=2048))
def test_random_bytes(suffix: str, data: bytes) -> None:
    convert_bytes(data, suffix)


@pytest.mark.parametrize("suffix", sorted(HEADERS))
@FUZZ
@given(data=st.binary(max_size=2048))
def test_random_bytes_after_a_real_header(suffix: str, data: bytes) -> None:
    convert_bytes(HEADERS[suffix] + data, suffix)


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
@FUZZ
@given(cut=st.floats(min_value=0, max_value=1, exclude_max=True))
def test_truncated_real_files(path: Path, cut: float) -> None:
    data = path.read_bytes()
    convert_bytes(data[: int(len(data) * cut)], path.suffix)


DAMAGE = st.lists(st.tuples(st.floats(min_value=0, max_value=1, exclude_max=True), st.integers(0, 255)), max_size=8)


def damaged(path: Path, damage: list[tuple[float, int]]) -> bytes:
    data = bytearray(path.read_bytes())
    for where, byte in damage:
        data[int(len(data) * where)] = byte
    return bytes(data)


@pytest.mark.parametrize("path", [p for p in REAL if p.suffix != ".pdf"], ids=lambda p: p.name)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damage=DAMAGE)
def test_damaged_real_files(path: Path, damage: list[tuple[float, int]]) -> None:
    convert_bytes(damaged(path, damage), path.suffix)


# A damaged PDF is often still parsed in full (a second or two each), hence few examples.
@pytest.mark.parametrize("path", [p for p in REAL if p.suffix == ".pdf"], ids=lambda p: p.name)
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damage=DAMAGE)
def test_damaged_real_pdfs(path: Path, damage: list[tuple[float, int]]) -> None:
    convert_bytes(damaged(path, damage), path.suffix)


@FUZZ
@given(damage=DAMAGE)
def test_damaged_small_pdf(damage: list[tuple[float, int]]) -> None:
    data = bytearray(_pdf([[(72, 760, "Report 2019"), (72, 700, "Rules"), (300, 700, "13"), (280, 40, "- 1 -")]]))
    for where, byte in damage:
        data[int(len(data) * where)] = byte
    convert_bytes(bytes(data), ".pdf")  # small: every damaged byte matters


CELL = st.sampled_from(
    ["", " ", "&nbsp;", "<o:p> </o:p>", "0", "12", "-", "增 6", "规章", "本年新<br/>制作数量", "a|b"]
)
SPAN = st.sampled_from(["", ' rowspan="2"', ' colspan="3"', ' rowspan="0"', ' colspan="x"', ' rowspan="99999"'])


@FUZZ
@given(rows=st.lists(st.lists(st.tuples(CELL, SPAN), min_size=1, max_size=6), min_size=1, max_size=8))
def test_random_html_tables(rows: list[list[tuple[str, str]]]) -> None:
    body = "".join("<tr>" + "".join(f"<td{span}>{text}</td>" for text, span in row) + "</tr>" for row in rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.html"
        path.write_text(f"<p>标题</p><table>{body}</table>", encoding="utf-8")
        for line in extract(path).lines:
            cells = line.split("\t")
            assert all(cell.strip() for cell in cells), line  # no empty cell: blanks are markers
            assert "|" not in line


@FUZZ
@given(grid=st.dictionaries(st.tuples(st.integers(0, 6), st.integers(0, 6)), st.tuples(st.integers(0, 3), CELL)))
def test_grid_lines_never_writes_empty_cells(grid: dict[tuple[int, int], tuple[int, str]]) -> None:
    for line in grid_lines(grid):
        cells = line.split("\t")
        assert all(cell and cell == cell.strip() for cell in cells), line
        assert cells != [BLANK_CELL], "a lone blank is never a row"


@FUZZ
@given(text=st.text(alphabet=st.sampled_from(list("本年新 \t\n|\u3000\u00a0（）1增元a")), max_size=30))
def test_clean_cell_is_idempotent_and_one_cell(text: str) -> None:
    once = clean_cell(text)
    assert clean_cell(once) == once
    assert not any(ch in once for ch in "\t\n|")
