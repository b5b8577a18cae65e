"""Scanned reports read by OCR: the same 表三/表四 cells as the text-layer original, or a cell left
out with a note — never a different number (tests/fixtures/scans/README.md says how the scans
were made from huaian_municipal_2024.pdf).

The tests that run Tesseract SKIP only when it cannot run here (tesserocr not installed, or
Debian's tesseract-ocr / tesseract-ocr-chi-sim data missing): OCR is an optional input path, and
the message says what to install. The property "no wrong number published silently" is also
tested without Tesseract, on OCR readings made from a text-layer PDF with digits injected wrong.
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from converter.checks import check_cells
from converter.detect import detect_generation, locate_tables
from converter.errors import Issue, SourceUnreadable
from converter.extract import ocr
from converter.extract.pdf import extract_pdf
from converter.model import Cell, OcrReading, SourceDoc
from converter.numbers import parse_number
from converter.ocr_check import confirm
from converter.tables.layout import Generation, Measure, concept
from converter.tables.table3 import read_table3
from converter.tables.table4 import read_table4
from converter.tokens import tokenize

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SCANS = FIXTURES / "scans"
EXPECTED = {k: Decimal(v) for k, v in json.loads((SCANS / "huaian_2024_expected.json").read_text()).items()}


def _ocr_available() -> bool:
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        return False
    return ocr._tessdata() is not None


needs_tesseract = pytest.mark.skipif(
    not _ocr_available(),
    reason="Tesseract cannot run here: pip install tesserocr; apt-get install tesseract-ocr tesseract-ocr-chi-sim",
)


def read_scanned_tables(doc: SourceDoc, year: int) -> tuple[Generation, list[Cell], list[Issue]]:
    """extract → read 表三/表四 → confirm: what the pipeline does with an OCR'd document."""
    tokens = tokenize(doc)
    regions = locate_tables(tokens)
    generation, evidence = detect_generation(tokens, regions, year)
    assert generation is not None, evidence
    cells: list[Cell] = []
    issues: list[Issue] = []
    for region, reader in ((regions.table3, lambda t: read_table3(t, generation)), (regions.table4, read_table4)):
        assert region is not None
        found, notes = reader(tokens[region[0] : region[1]])
        cells += found
        issues += notes
    issues += check_cells(cells, generation)
    kept, notes = confirm(cells, issues, generation, doc)
    return generation, kept, notes


def _key(cell: Cell) -> str:
    return "/".join(cell.key)


def assert_same_or_left_out(cells: list[Cell], issues: list[Issue], least: int) -> None:
    wrong = [(_key(c), c.value, EXPECTED.get(_key(c))) for c in cells if EXPECTED.get(_key(c)) != c.value]
    assert not wrong, f"OCR published numbers that differ from the original: {wrong}"
    published = {_key(c) for c in cells}
    for key in set(EXPECTED) - published:
        table, *codes = key.split("/")
        # a note names it: ocr-unconfirmed by its key, or the reader's note by its row (表三) or proceeding (表四)
        named = [key] + ([f"row {codes[0]}"] if table == "table3" else [concept("proceeding", codes[0]).zh])
        assert any(i.severity != "info" and any(n in i.message for n in named) for i in issues), (
            f"{key} left out without a note"
        )
    notes = {tuple(i.target) for i in issues if i.code == "ocr" and i.target}
    assert all(c.key in notes for c in cells), "an OCR'd observation without its ocr note"
    assert len(published) >= least, f"only {len(published)} of {len(EXPECTED)} cells confirmed"


@pytest.fixture(scope="module")
def clean_doc() -> SourceDoc:
    if not _ocr_available():
        pytest.skip("Tesseract cannot run here")
    return ocr.extract_scanned_pdf(SCANS / "huaian_2024_p1_4_5_200dpi.pdf")


@needs_tesseract
def test_image_only_pdf_gives_the_originals_cells_or_leaves_them_out(clean_doc: SourceDoc) -> None:
    assert clean_doc.lines[0] == "淮安市人民政府"  # the title page, read as text
    generation, cells, issues = read_scanned_tables(clean_doc, 2024)
    assert generation is Generation.GEN2021
    assert_same_or_left_out(cells, issues, least=len(EXPECTED) // 2)


@needs_tesseract
def test_worn_scan_skewed_noisy_and_stamped_gives_no_different_number() -> None:
    doc = ocr.extract_scanned_pdf(SCANS / "huaian_2024_p4_5_worn.pdf")
    _, cells, issues = read_scanned_tables(doc, 2024)
    # a worn scan: most cells are left out, never one published wrong (45 of 190 confirmed when this was
    # written; an OCR reading vouches only for the very cell it was read from)
    assert_same_or_left_out(cells, issues, least=len(EXPECTED) // 5)


@needs_tesseract
@pytest.mark.parametrize("name", ["huaian_2024_p5_upside_down.png", "huaian_2024_p5_turned90.jpg"])
def test_a_page_turned_round_is_read_upright(name: str) -> None:
    doc = ocr.extract_image(SCANS / name)
    table4 = [
        EXPECTED[f"table4/{p}/{r}"]
        for p in ("review", "litigation-direct", "litigation-after-review")
        for r in ("upheld", "corrected", "other", "pending", "total")
    ]
    rows = [line.split("\t") for line in doc.lines if len(line.split("\t")) == 15]
    assert rows, "表四's data row was not read"
    read = [parse_number(p) for p in rows[-1]]
    # each cell is the original's number or unreadable; never another number
    assert all(r is None or r.value == v for r, v in zip(read, table4, strict=True))
    assert sum(r is not None for r in read) >= 10
    assert any("政府信息公开行政复议" in line for line in doc.lines)


# --------------------------------------------------------------------------------------------
# No wrong number published silently: readings with wrong digits injected (no Tesseract needed)


def _as_ocr(doc: SourceDoc, confidence: float = 90.0) -> SourceDoc:
    """A text-layer document dressed as an OCR'd one: every number of a table row is an OCR reading."""
    readings = {}
    for number, line in enumerate(doc.lines, start=1):
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        for index, part in enumerate(parts):
            if ocr._NUMERIC.match(part):
                readings[(number, index)] = OcrReading(part, confidence, ((part, confidence),))
    return replace(doc, ocr=readings)


def _misread(doc: SourceDoc, at: tuple[int, int], text: str, alternatives: tuple[str, ...] = ()) -> SourceDoc:
    """A fake reader that reads the cell at ``at`` as ``text`` (e.g. "26" as "20")."""
    lines = list(doc.lines)
    parts = lines[at[0] - 1].split("\t")
    parts[at[1]] = text
    lines[at[0] - 1] = "\t".join(parts)
    readings = dict(doc.ocr or {})
    readings[at] = OcrReading(text, 93.0, tuple((a, 80.0) for a in alternatives))
    return replace(doc, lines=tuple(lines), ocr=readings)


@pytest.fixture(scope="module")
def seed_doc() -> SourceDoc:
    return _as_ocr(extract_pdf(FIXTURES / "seed_000.pdf"))


def _seed_cells(doc: SourceDoc) -> tuple[list[Cell], list[Issue]]:
    _, cells, issues = read_scanned_tables(doc, 2020)
    return cells, issues


def test_confirmed_readings_are_published_with_their_confidence(seed_doc: SourceDoc) -> None:
    cells, issues = _seed_cells(seed_doc)
    original = {c.key: c.value for c in _seed_original()}
    assert {c.key: c.value for c in cells} == original  # every cell confirmed, none changed
    assert all(
        any(i.code == "ocr" and i.target == c.key and "confidence 90" in i.message for i in issues) for c in cells
    )


def _seed_original() -> list[Cell]:
    doc = extract_pdf(FIXTURES / "seed_000.pdf")
    _, cells, _ = read_scanned_tables(replace(doc, ocr=None), 2020)
    return [c for c in cells if c.table in ("table3", "table4")]


def test_an_injected_wrong_digit_is_left_out_with_ocr_unconfirmed(seed_doc: SourceDoc) -> None:
    original = {c.key: c.value for c in _seed_original()}
    rng = random.Random(7)
    table_lines = {c.line for c in _seed_original()}
    numbers = [k for k, r in sorted(seed_doc.ocr.items()) if k[0] in table_lines]
    nonzero = [k for k in numbers if seed_doc.ocr[k].text != "0"]
    zeros = [k for k in numbers if seed_doc.ocr[k].text == "0"]
    for at in [*nonzero, *rng.sample(zeros, 10)]:
        true = seed_doc.ocr[at].text
        # "26" read as "20", "6" as "8", "0" as "8", "12" as "18"
        wrong = {"0": "8", "6": "8"}.get(true, true[:-1] + str((int(true[-1]) + 6) % 10))
        cells, issues = _seed_cells(_misread(seed_doc, at, wrong))
        differs = [(c.key, c.value) for c in cells if original.get(c.key) != c.value]
        assert not differs, f"{true} misread as {wrong} at {at} was published: {differs}"
        assert any(i.code == "ocr-unconfirmed" for i in issues)


def test_the_only_alternative_reading_that_makes_the_sums_hold_is_taken(seed_doc: SourceDoc) -> None:
    original = {c.key: c.value for c in _seed_original()}
    table_lines = {c.line for c in _seed_original()}
    at = next(k for k, r in sorted(seed_doc.ocr.items()) if k[0] in table_lines and int(r.text) >= 10)
    true = seed_doc.ocr[at].text
    wrong = true[:-1] + str((int(true[-1]) + 3) % 10)
    cells, issues = _seed_cells(_misread(seed_doc, at, wrong, alternatives=(true, "7")))
    assert {c.key: c.value for c in cells} == original
    assert any(i.code == "ocr" and "re-read as" in i.message for i in issues)


def test_table2_cells_need_high_confidence_and_agreeing_readings() -> None:
    from converter.ocr_check import UNCHECKED_CONFIDENCE

    cell = Cell(
        "table2",
        (("provision", "20-6"), ("item", "administrative-penalty"), ("column", "decisions-this-year")),
        measure=Measure.COUNT,
        value=Decimal(88283),
        source_text="88283",
        row_label="行政强制",
        column_label="本年处理决定数量",
        line=1,
    )
    doc = SourceDoc(Path("x.png"), "0", "image/png", ("行政强制\t88283",), (1,))
    for reading, published in (
        (OcrReading("88283", UNCHECKED_CONFIDENCE + 1, (("88283", 90.0), ("88283", 80.0))), True),
        (OcrReading("88283", UNCHECKED_CONFIDENCE - 20, ()), False),
        (OcrReading("88283", 96.0, (("88233", 90.0),)), False),
    ):
        kept, issues = confirm([cell], [], Generation.GEN2021, replace(doc, ocr={(1, 1): reading}))
        assert bool(kept) is published
        code = "ocr" if published else "ocr-unconfirmed"
        assert [i.code for i in issues] == [code]
        if published:
            assert "no arithmetic" in issues[0].message and issues[0].target == cell.key


# --------------------------------------------------------------------------------------------
# Bad inputs: one line each


def _one_line(exc: pytest.ExceptionInfo[SourceUnreadable]) -> str:
    message = str(exc.value)
    assert "\n" not in message
    return message


@needs_tesseract
def test_blank_page(tmp_path: Path) -> None:
    path = tmp_path / "blank.png"
    Image.new("L", (1654, 2339), 255).save(path)
    with pytest.raises(SourceUnreadable) as exc:
        ocr.extract_image(path)
    assert "blank" in _one_line(exc)


@needs_tesseract
def test_photo_of_something_else(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    small = rng.integers(0, 255, (40, 30, 3), dtype=np.uint8)
    path = tmp_path / "photo.jpg"
    Image.fromarray(small).resize((1200, 1600), Image.Resampling.BICUBIC).save(path, quality=80)
    with pytest.raises(SourceUnreadable) as exc:
        ocr.extract_image(path)
    assert "no ruled table and no legible text" in _one_line(exc)


def test_corrupt_image(tmp_path: Path) -> None:
    path = tmp_path / "broken.png"
    path.write_bytes((SCANS / "huaian_2024_p5_upside_down.png").read_bytes()[:2000])
    with pytest.raises(SourceUnreadable) as exc:
        ocr.extract_image(path)
    assert "not a readable image" in _one_line(exc)


def test_too_many_pages_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGKAI_OCR_MAX_PAGES", "2")
    with pytest.raises(SourceUnreadable) as exc:
        ocr.extract_scanned_pdf(SCANS / "huaian_2024_p1_4_5_200dpi.pdf")
    assert "more than 2 pages" in _one_line(exc)


@needs_tesseract
def test_page_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGKAI_OCR_PAGE_TIMEOUT", "0.01")
    with pytest.raises(SourceUnreadable) as exc:
        ocr.extract_image(SCANS / "huaian_2024_p5_upside_down.png")
    assert "GONGKAI_OCR_PAGE_TIMEOUT" in _one_line(exc)


def test_tesseract_missing_names_the_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "_ENGINE", None)
    monkeypatch.setattr(ocr, "_tessdata", lambda: None)
    with pytest.raises(SourceUnreadable) as exc:
        ocr.extract_image(SCANS / "huaian_2024_p5_upside_down.png")
    assert "tesseract-ocr tesseract-ocr-chi-sim" in _one_line(exc)


def test_a_document_not_read_by_ocr_passes_unchanged(seed_doc: SourceDoc) -> None:
    cells = _seed_original()
    kept, issues = confirm(cells, [], Generation.GEN2019, replace(seed_doc, ocr=None))
    assert kept == cells and issues == []


def test_one_reading_vouches_for_one_cell_and_two_guesses_in_a_sum_confirm_nothing() -> None:
    """Found by bench/ocr.py on a 150 dpi worn scan: OCR missed the "1" of 商业企业 (read blank, so
    0) and took a speck in 社会公益组织 for a "1" (guessed from its column, confidence 0); the row
    total still held (30 + 0 + 0 + 1 + 0 + 0 = 31) and a "0" reading of another cell vouched for the
    blank. Neither may be published."""
    from converter.model import Cell, OcrReading
    from converter.ocr_check import _confirmed, tie_readings
    from converter.tables.layout import APPLICANT_COLUMNS, Measure

    printed = ["30", "(空白)", "(空白)", "1", "0", "0", "31"]  # as OCR saw the row 30 1 0 0 0 0 31
    readings = {(5, 2): OcrReading("30", 95.0), (5, 5): OcrReading("1", 0.0), (5, 6): OcrReading("0", 93.0)}
    readings |= {(5, 7): OcrReading("0", 90.0), (5, 8): OcrReading("31", 96.0)}
    cells = [
        Cell(
            "table3",
            (("request", "3.3.2"), ("applicant", column)),
            Measure.COUNT,
            Decimal(0) if text == "(空白)" else Decimal(text),
            text,
            "2.其他法律行政法规禁止公开",
            column,
            line=5,
            part=2 + i,
        )
        for i, (column, text) in enumerate(zip(APPLICANT_COLUMNS, printed, strict=True))
    ]
    tied = tie_readings(cells, readings)
    assert ("table3", "3.3.2", "commercial-enterprise") not in tied  # blank: no reading of its own
    values = {c.key: c.value for c in cells}
    blanks = {c.key for c in cells if c.source_text == "(空白)"}
    guessed = {k for k, r in tied.items() if r.confidence <= 0}
    equations = [(tuple(c.key for c in cells[:6]), (cells[6].key,))]
    assert _confirmed(values, equations, blanks, guessed) == set()
    assert _confirmed(values, equations) == set(values)  # without telling guesses apart it would pass


@needs_tesseract
def test_a_scan_ocrd_before_it_was_published_is_read_again() -> None:
    """Pages 4-5 of the 200 dpi scan run through OCRmyPDF, as publishers do before they upload a scan:
    its text layer lies over the page images, and its digits are that OCR's, unchecked. They are not
    trusted: the pages are read again cell by cell, and only confirmed digits are published."""
    from converter.extract import extract

    doc = extract(SCANS / "huaian_2024_p4_5_ocrd_by_publisher.pdf")
    assert doc.ocr is not None
    assert any(i.code == "not-read" and "text layer lies over page images" in i.message for i in doc.issues)
    _, cells, issues = read_scanned_tables(doc, 2024)
    assert_same_or_left_out(cells, issues, least=len(EXPECTED) // 2)


def test_a_pdf_with_a_text_layer_of_its_own_is_not_taken_for_a_scan() -> None:
    import pdfplumber

    from converter.extract.pdf import is_scanned_page

    with pdfplumber.open(Path(__file__).parents[1] / "fixtures" / "huaian_municipal_2024.pdf") as pdf:
        assert not any(is_scanned_page(page) for page in pdf.pages)
    with pdfplumber.open(SCANS / "huaian_2024_p4_5_ocrd_by_publisher.pdf") as pdf:
        assert all(is_scanned_page(page) for page in pdf.pages)
