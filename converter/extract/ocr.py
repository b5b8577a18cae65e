"""Scanned reports: page images (.png .jpg .jpeg .tif .tiff, or a PDF without a text layer) read by OCR.

Per page: the page is turned upright (Tesseract's orientation detection, OSD: 90/180/270
degrees) and levelled (a skew of up to 3 degrees, found from the horizontal projection); the
ruled tables' cell grid is found in the image itself (``converter.extract.ocr_grid``); each cell
is cropped inside its ruling lines and read on its own:

* every cell by ``chi_sim`` (one line, or a block when it holds several lines);
* a cell whose ink reads as a number to the digit reader (``eng``, ``--psm 7``, whitelist
  ``0123456789.-``) is a numeric cell: its text is that reading at 2× scale, and the other
  readings tried (3× scale; a hard threshold; ``chi_sim``'s own reading) are kept as
  alternatives, with the engine's confidence for each, in ``SourceDoc.ocr``.

Page-level OCR misreads table digits ("26" as "20", "66" as "00"); per-cell reading with a digit
whitelist does not, or leaves the cell empty. Nothing read here is trusted as such: the table
cells are confirmed by the tables' arithmetic in ``converter.ocr_check`` before they are published.

Table rows become lines exactly as the PDF extractor writes them (``grid_lines``: one line per row,
cells joined by TAB, an empty cell as ``BLANK_CELL``); the text outside the tables becomes one line
per printed line (``chi_sim``, page layout analysis), tables and text interleaved top to bottom.

Tesseract runs in-process through ``tesserocr`` (its wheel ships libtesseract; the language data,
``chi_sim``, ``eng`` and ``osd``, is Debian's ``tesseract-ocr`` and ``tesseract-ocr-chi-sim``).

Limits: ``GONGKAI_OCR_MAX_PAGES`` (default 60; a longer file is refused whole, in one line: an
annual report is 5–20 pages, and reading only the first pages would silently drop tables) and
``GONGKAI_OCR_PAGE_TIMEOUT`` (seconds per page, default 60).
"""

from __future__ import annotations

import functools
import os
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageFilter, ImageOps, ImageSequence, UnidentifiedImageError

from converter.errors import SourceUnreadable
from converter.extract import read_bytes
from converter.extract.html import clean_cell, clean_line, grid_lines
from converter.extract.ocr_grid import Table, binarize, find_tables, skew_angle
from converter.model import OcrReading, SourceDoc
from converter.numbers import BLANK_CELL, normalize, parse_number

IMAGE_SUFFIXES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
}
INSTALL = "install Tesseract and its Chinese data: apt-get install tesseract-ocr tesseract-ocr-chi-sim"
_TESSDATA = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/opt/homebrew/share/tessdata",
)
_DIGITS = "0123456789.-"
_NUMERIC = re.compile(r"^-?\d[\d,]*(?:\.\d+)?$")
_CJK = re.compile(r"[\u3400-\u9fff]")
_MIN_DPI = 150  # scans coarser than this are scaled up before reading
_NUMERIC_CONFIDENCE = 50  # a digit reading below this is not taken as a sign that the cell is a number


def max_pages() -> int:
    return int(os.environ.get("GONGKAI_OCR_MAX_PAGES", "60"))


def page_timeout() -> float:
    return float(os.environ.get("GONGKAI_OCR_PAGE_TIMEOUT", "60"))


# --------------------------------------------------------------------------------------------
# Entry points


def extract_image(path: Path) -> SourceDoc:
    """Read a scanned page image (PNG, JPEG, TIFF; a multi-page TIFF page by page).

    :raises SourceUnreadable: not a readable image, too many pages, no text, or Tesseract missing.
    """
    data, digest = read_bytes(path)
    media_type = IMAGE_SUFFIXES.get(path.suffix.lower(), "image/png")
    try:
        image = Image.open(path)
        image.load()
        count = getattr(image, "n_frames", 1)
        _check_pages(path, count)
        frames = [frame.copy() for frame in ImageSequence.Iterator(image)]
        for frame in frames:
            frame.load()
    except SourceUnreadable:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        raise SourceUnreadable(path, f"not a readable image ({type(exc).__name__}: {exc})") from None
    del data
    return extract_scanned(path, frames, sha256=digest, media_type=media_type)


def extract_scanned_pdf(path: Path, dpi: int | None = None) -> SourceDoc:
    """Read a PDF without a text layer: each page rendered (pypdfium2) and read by OCR.

    The pages are rendered at the resolution of the scan they hold (200–300 dpi).

    :raises SourceUnreadable: corrupt PDF, too many pages, no text, or Tesseract missing.
    """
    import pypdfium2 as pdfium

    _, digest = read_bytes(path)
    try:
        pdf = pdfium.PdfDocument(str(path))
    except Exception as exc:  # noqa: BLE001 - pdfium raises PdfiumError and OSError variants
        raise SourceUnreadable(path, f"not a readable PDF ({type(exc).__name__}: {exc})") from None
    try:
        _check_pages(path, len(pdf))
        scale_dpi = dpi or _pdf_scan_dpi(path)

        def pages() -> Iterator[Image.Image]:
            for index in range(len(pdf)):
                try:
                    page = pdf[index]
                    image = page.render(scale=scale_dpi / 72, grayscale=False).to_pil()
                except Exception as exc:  # noqa: BLE001 - pdfium's PdfiumError on a damaged page
                    raise SourceUnreadable(
                        path, f"page {index + 1} cannot be rendered for OCR ({type(exc).__name__}: {exc})"
                    ) from None
                yield image
                page.close()

        return extract_scanned(path, pages(), sha256=digest, media_type="application/pdf", dpi=scale_dpi)
    finally:
        pdf.close()


def extract_scanned(
    path: Path,
    images: Iterable[Image.Image],
    *,
    sha256: str | None = None,
    media_type: str | None = None,
    dpi: int | None = None,
) -> SourceDoc:
    """Read page images into lines (tables as TAB-joined rows) and the OCR readings of their numbers.

    :raises SourceUnreadable: every page blank, no table and no legible text, a page over the
        time limit, more pages than the limit, or Tesseract missing.
    """
    if sha256 is None or media_type is None:
        _, digest = read_bytes(path)
        sha256 = sha256 or digest
        media_type = media_type or IMAGE_SUFFIXES.get(path.suffix.lower(), "application/octet-stream")
    engine = _engine(path)
    lines: list[str] = []
    pages: list[int] = []
    readings: dict[tuple[int, int], OcrReading] = {}
    blank = 0
    count = 0
    for number, image in enumerate(images, start=1):
        count = number
        _check_pages(path, number)
        read = _read_page(path, engine, image, number, dpi)
        if read is None:
            blank += 1
            continue
        for page_line, page_readings in read:
            for index, reading in page_readings.items():
                readings[(len(lines) + 1, index)] = reading
            lines.append(page_line)
            pages.append(number)
    if count == 0:
        raise SourceUnreadable(path, "the file holds no page image")
    if blank == count:
        raise SourceUnreadable(path, "every page is blank (nothing printed was found)")
    if not lines:
        raise SourceUnreadable(path, "no ruled table and no legible text on any page (not a scanned report?)")
    return SourceDoc(
        path=path,
        sha256=sha256,
        media_type=media_type,
        lines=tuple(lines),
        pages=tuple(pages),
        ocr=readings,
    )


def _check_pages(path: Path, count: int) -> None:
    limit = max_pages()
    if count > limit:
        raise SourceUnreadable(
            path,
            f"more than {limit} pages to read by OCR; an annual report is far shorter — split the file, or raise GONGKAI_OCR_MAX_PAGES",
        )


def _pdf_scan_dpi(path: Path) -> int:
    """The resolution of the page images a scanned PDF holds, within 200–300 dpi (200 if unknown)."""
    try:
        import pdfplumber

        with pdfplumber.open(path) as pdf:
            page = pdf.pages[0]
            found = [
                img["srcsize"][0] / max(img["x1"] - img["x0"], 1) * 72
                for img in page.images
                if img.get("srcsize") and img["x1"] - img["x0"] > page.width / 2
            ]
    except Exception:  # noqa: BLE001 - a guess only: any failure means "unknown"
        return 200
    return int(min(300, max(200, round(max(found))))) if found else 200


# --------------------------------------------------------------------------------------------
# Tesseract


@dataclass
class _Engine:
    digits: Any
    label_line: Any
    label_block: Any
    text: Any
    osd: Any


@functools.cache
def _tessdata() -> str | None:
    candidates = [os.environ.get("TESSDATA_PREFIX", ""), *_TESSDATA]
    for folder in candidates:
        if folder and Path(folder, "chi_sim.traineddata").is_file() and Path(folder, "eng.traineddata").is_file():
            return folder
    return None


_ENGINE: _Engine | None = None


def _engine(path: Path) -> _Engine:
    """Tesseract's APIs for this process (made once: loading chi_sim is slow).

    :raises SourceUnreadable: tesserocr or the language data is missing.
    """
    global _ENGINE
    if _ENGINE is not None:
        return _ENGINE
    try:
        from tesserocr import PSM, PyTessBaseAPI
    except ImportError:
        raise SourceUnreadable(
            path,
            f"a scanned file needs OCR, and the Python package tesserocr is missing (pip install tesserocr); {INSTALL}",
        ) from None
    folder = _tessdata()
    if folder is None:
        raise SourceUnreadable(path, f"a scanned file needs OCR, and Tesseract's language data is missing: {INSTALL}")
    try:
        digits = PyTessBaseAPI(path=folder, lang="eng", psm=PSM.SINGLE_LINE)
        digits.SetVariable("tessedit_char_whitelist", _DIGITS)
        label_line = PyTessBaseAPI(path=folder, lang="chi_sim", psm=PSM.SINGLE_LINE)
        label_block = PyTessBaseAPI(path=folder, lang="chi_sim", psm=PSM.SINGLE_BLOCK)
        text = PyTessBaseAPI(path=folder, lang="chi_sim", psm=PSM.AUTO)
        osd = (
            PyTessBaseAPI(path=folder, lang="osd", psm=PSM.OSD_ONLY)
            if Path(folder, "osd.traineddata").is_file()
            else None
        )
    except RuntimeError as exc:
        raise SourceUnreadable(path, f"Tesseract could not start ({exc}): {INSTALL}") from None
    for api in (label_line, label_block, text):
        api.SetVariable("preserve_interword_spaces", "1")
    _ENGINE = _Engine(digits, label_line, label_block, text, osd)
    return _ENGINE


def _read(api: Any, image: Image.Image) -> tuple[str, float]:
    api.SetImage(image)
    text = re.sub(r"(?<=\d)[-.]+$", "", api.GetUTF8Text().strip())  # "0-", "12." : a speck or a rule's end
    return text, float(api.MeanTextConf()) if text else 0.0


# --------------------------------------------------------------------------------------------
# One page

PageLines = list[tuple[str, dict[int, OcrReading]]]


def _read_page(path: Path, engine: _Engine, image: Image.Image, number: int, dpi: int | None) -> PageLines | None:
    """The lines of one page, or None for a blank page."""
    deadline = time.monotonic() + page_timeout()
    grey, cell_grey = _greys(path, image, number)
    page_dpi = dpi or _estimate_dpi(grey)
    if page_dpi < _MIN_DPI:
        factor = 200 / page_dpi
        grey, cell_grey = (_scale(g, factor) for g in (grey, cell_grey))
        page_dpi = 200
    ink = binarize(cell_grey)
    if ink.mean() < 0.0005:
        return None
    turn = _orientation(engine, grey)
    if turn:
        grey, cell_grey = (np.asarray(Image.fromarray(g).rotate(turn, expand=True)) for g in (grey, cell_grey))
        ink = binarize(cell_grey)
    angle = skew_angle(ink)
    if abs(angle) >= 0.3:
        grey, cell_grey = (_rotate(g, angle) for g in (grey, cell_grey))
        ink = binarize(cell_grey)
    tables, ruling = find_tables(ink, page_dpi)
    items: list[tuple[int, int, PageLines]] = []
    clean = cell_grey.copy()
    clean[ruling] = 255  # the ruling lines are not part of any cell's text
    for table in tables:
        items.append((table.box[1], 1, _table_lines(engine, clean, table, page_dpi, deadline, path, number)))
    text_grey = grey.copy()
    for table in tables:
        x0, y0, x1, y1 = table.box
        text_grey[max(y0 - 4, 0) : y1 + 5, max(x0 - 4, 0) : x1 + 5] = 255
    items += _text_lines(engine, text_grey, deadline, path, number)
    items.sort(key=lambda item: (item[0], item[1]))
    return [line for _, _, group in items for line in group]


def _greys(path: Path, image: Image.Image, number: int) -> tuple[np.ndarray, np.ndarray]:
    """The page in grey, and the page in grey with red ink (seals, stamps) taken out, for the tables."""
    try:
        image = ImageOps.exif_transpose(image)
        if image.mode in ("1", "L", "I;16", "I", "F", "LA"):
            grey = np.asarray(image.convert("L"))
            return grey, grey
        rgb = np.asarray(image.convert("RGB")).astype(np.int32)
    except (OSError, ValueError) as exc:
        raise SourceUnreadable(path, f"page {number}: not a readable image ({type(exc).__name__}: {exc})") from None
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    grey = ((r * 299 + g * 587 + b * 114) // 1000).astype(np.uint8)
    red = (r > 120) & (r - np.maximum(g, b) > 50)
    cell_grey = grey.copy()
    cell_grey[red] = 255
    return grey, cell_grey


def _estimate_dpi(grey: np.ndarray) -> int:
    """A page scan's resolution from its size, taking the page for A4 (297 mm on its long side)."""
    long_side: int = max(grey.shape)
    return max(50, round(long_side / 11.69))


def _scale(grey: np.ndarray, factor: float) -> np.ndarray:
    image = Image.fromarray(grey)
    size = (round(image.width * factor), round(image.height * factor))
    return np.asarray(image.resize(size, Image.Resampling.BICUBIC))


def _rotate(grey: np.ndarray, angle: float) -> np.ndarray:
    return np.asarray(Image.fromarray(grey).rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255))


def _orientation(engine: _Engine, grey: np.ndarray) -> int:
    """The counter-clockwise turn (0, 90, 180, 270) that puts the page upright, by Tesseract's OSD."""
    if engine.osd is None:
        return 0
    image = Image.fromarray(grey)
    if max(image.size) > 2400:
        factor = 2400 / max(image.size)
        image = image.resize((round(image.width * factor), round(image.height * factor)))
    try:
        engine.osd.SetImage(image)
        found = engine.osd.DetectOrientationScript()
    except RuntimeError:
        return 0
    if not found or found.get("orient_conf", 0) < 2.0:
        return 0  # too little text to tell: read as it is
    return int(found["orient_deg"]) % 360


# --------------------------------------------------------------------------------------------
# Tables


def _table_lines(
    engine: _Engine, clean: np.ndarray, table: Table, dpi: int, deadline: float, path: Path, number: int
) -> PageLines:
    slots: dict[tuple[int, int], tuple[int, str]] = {}
    numeric: dict[int, OcrReading] = {}
    texts: list[str] = []
    for cell in table.cells:
        if time.monotonic() > deadline:
            raise SourceUnreadable(
                path, f"page {number}: OCR took longer than {page_timeout():g} s (GONGKAI_OCR_PAGE_TIMEOUT)"
            )
        text, reading = read_cell(engine, _crop(clean, cell.box, dpi))
        if reading is not None:
            numeric[len(texts)] = reading
        texts.append(text)
    _numeric_columns(table, texts, numeric)
    for key, cell in enumerate(table.cells):
        text = texts[key]
        for r in range(cell.row, cell.row_end):
            for c in range(cell.col, cell.col_end):
                slots[(r, c)] = (key, text)
    lines = grid_lines(slots)
    # The numbers of each grid row, in order: tie every numeric part of a line to its cell
    rows: list[list[tuple[str, OcrReading | None]]] = []
    for r in sorted({r for r, _ in slots}):
        keys = sorted({slots[(r, c)][0] for (rr, c) in slots if rr == r}, key=lambda k: table.cells[k].col)
        rows.append(
            [
                (texts[k], numeric.get(k))
                for k in keys
                if table.cells[k].row == r and _NUMERIC.match(clean_cell(texts[k]))
            ]
        )
    out: PageLines = []
    row_index = 0
    for line in lines:
        parts = line.split("\t")
        numbers = [(i, p) for i, p in enumerate(parts) if _NUMERIC.match(p)]
        found: dict[int, OcrReading] = {}
        if numbers:
            while row_index < len(rows) and [t for t, _ in rows[row_index]] != [p for _, p in numbers]:
                row_index += 1
            if row_index < len(rows):
                found = {i: r for (i, _), (_, r) in zip(numbers, rows[row_index], strict=True) if r is not None}
                row_index += 1
            else:
                row_index = 0  # not found in order (cannot happen with grid_lines): leave the line untied
        out.append((line, found))
    return out


_ONE = {"|", "｜", "I", "l", "]", "[", "丨", "】", "【", "1", "于", "!"}


def _numeric_columns(table: Table, texts: list[str], numeric: dict[int, OcrReading]) -> None:
    """Cells that stand in a column of numbers and read as a short non-number are numbers misread.

    The digit "1" is the one OCR loses most ("|", "]", "于"): such a cell is written "1" with
    confidence 0 (nothing is published from it unless the table's sums confirm it); any other
    short misreading becomes ``BLANK_CELL``, keeping its position and giving no value.
    """
    single = [k for k, cell in enumerate(table.cells) if cell.col_end - cell.col == 1 and texts[k]]

    def numeric_context(groups: dict[int, list[int]]) -> set[int]:
        found: set[int] = set()
        for keys in groups.values():
            numbers = sum(1 for k in keys if k in numeric)
            if numbers >= 3 and numbers >= 0.6 * len(keys):
                found.update(keys)
        return found

    columns: dict[int, list[int]] = {}
    rows: dict[int, list[int]] = {}
    for k in single:
        columns.setdefault(table.cells[k].col, []).append(k)
        rows.setdefault(table.cells[k].row, []).append(k)
    in_column, in_row = numeric_context(columns), numeric_context(rows)
    for k in single:
        text = texts[k].replace(" ", "")
        if k in numeric or len(text) > 3 or parse_number(text) is not None or not (k in in_column or k in in_row):
            continue
        cjk = len(_CJK.findall(text))
        if cjk and text not in _ONE and not (k in in_column and k in in_row and len(text) <= 2):
            continue  # Chinese text in a number's place only where both its row and column are numbers
        if text in _ONE:
            numeric[k] = OcrReading("1", 0.0, ((texts[k], 0.0),))
            texts[k] = "1"
        else:
            numeric[k] = OcrReading("", 0.0, ((texts[k], 0.0),))
            texts[k] = BLANK_CELL


def _crop(clean: np.ndarray, box: tuple[int, int, int, int], dpi: int) -> np.ndarray:
    x0, y0, x1, y1 = box
    inset = max(3, dpi // 40)  # clear of the ruling line and what skew leaves of it
    return clean[y0 + inset : max(y1 - inset, y0 + inset), x0 + inset : max(x1 - inset, x0 + inset)]


def _tight(crop: np.ndarray, margin: int = 3) -> np.ndarray | None:
    """The crop cut to its ink with a margin, or None when the cell is empty."""
    if crop.size == 0:
        return None
    ink = binarize(crop, 160)
    # specks of scanner noise are not text: a 3×3 median keeps strokes and drops specks; the ink
    # near what it keeps is the cell's text, the rest is wiped
    mask = Image.fromarray((ink * 255).astype(np.uint8))
    kept = np.asarray(mask.filter(ImageFilter.MedianFilter(3)).filter(ImageFilter.MaxFilter(7))) > 0
    specks = ink & ~kept
    if specks.any():
        crop = crop.copy()
        crop[specks] = 255
        ink &= kept
    if ink.sum() < max(12, crop.size // 4000):
        return None
    rows = np.flatnonzero(ink.sum(axis=1) > 0)
    cols = np.flatnonzero(ink.sum(axis=0) > 0)
    return crop[max(rows[0] - margin, 0) : rows[-1] + margin + 1, max(cols[0] - margin, 0) : cols[-1] + margin + 1]


def _prepared(crop: np.ndarray, scale: float, threshold: int | None = None) -> Image.Image:
    image = Image.fromarray(crop)
    if threshold is not None:
        image = Image.fromarray(np.where(crop < threshold, 0, 255).astype(np.uint8))
    image = image.resize(
        (max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.Resampling.LANCZOS
    )
    return ImageOps.expand(image, border=10, fill=255)


def _text_line_count(crop: np.ndarray) -> int:
    ink = binarize(crop, 160).any(axis=1)
    padded = np.concatenate(([False], ink, [False]))
    starts = np.flatnonzero(padded[1:] & ~padded[:-1])
    return len(starts)


def read_cell(engine: _Engine, crop: np.ndarray) -> tuple[str, OcrReading | None]:
    """One cell's text, and its OCR reading when it is a numeric cell.

    A cell is numeric when the digit reader or ``chi_sim`` reads a number from it and ``chi_sim``
    reads no Chinese character there (or the digit reader is confident and ``chi_sim`` reads at most one,
    or is less confident: a lone "2" read as "光"). Its text is then the digit
    reader's reading at 2× scale (the first reading that is a number if that one is not); when
    no reading is a number, the cell is written as ``BLANK_CELL`` (its position kept, no value)
    and its reading is recorded with an empty text.
    """
    tight = _tight(crop)
    if tight is None:
        return "", None
    lines = _text_line_count(tight)
    height = tight.shape[0] / max(lines, 1)
    base = min(4.0, max(1.0, 48 / max(height, 1)))  # text ~40 px high: 2× at 200 dpi
    label_api = engine.label_line if lines <= 1 else engine.label_block
    # chi_sim reads best with characters ~30 px high (at 45 px and more it can read nothing at all)
    label_scale = min(3.0, max(1.0, 30 / max(height, 1)))
    label, label_conf = _read(label_api, _prepared(tight, label_scale))
    if not label and label_scale > 1:
        label, label_conf = _read(label_api, _prepared(tight, 1.0))
    label = clean_cell(label)
    if lines > 1:
        return label, None
    primary = _read(engine.digits, _prepared(tight, base))
    cjk = len(_CJK.findall(label))
    confident = primary[1] >= _NUMERIC_CONFIDENCE and (cjk < 2 or label_conf < primary[1])
    digits_number = bool(_NUMERIC.match(primary[0]))
    if not ((cjk == 0 and (digits_number or _NUMERIC.match(normalize(label)))) or (digits_number and confident)):
        return label, None
    alternatives = [
        _read(engine.digits, _prepared(tight, base * 1.5)),
        _read(engine.digits, _prepared(tight, base, threshold=128)),
        (normalize(label), label_conf),
    ]
    readings = [primary, *alternatives]
    chosen = next((r for r in readings if _NUMERIC.match(r[0]) and parse_number(r[0]) is not None), None)
    if chosen is None:
        return BLANK_CELL, OcrReading("", 0.0, tuple(readings))
    rest = list(readings)
    rest.remove(chosen)
    return chosen[0], OcrReading(chosen[0], chosen[1], tuple(rest))


# --------------------------------------------------------------------------------------------
# Text outside the tables


def _text_lines(
    engine: _Engine, grey: np.ndarray, deadline: float, path: Path, number: int
) -> list[tuple[int, int, PageLines]]:
    from tesserocr import RIL

    from converter.extract.pdf import is_page_number

    api = engine.text
    api.SetImage(Image.fromarray(grey))
    remaining = deadline - time.monotonic()
    if remaining <= 0 or not api.Recognize(timeout=int(remaining * 1000)):
        raise SourceUnreadable(
            path, f"page {number}: OCR took longer than {page_timeout():g} s (GONGKAI_OCR_PAGE_TIMEOUT)"
        )
    items: list[tuple[int, int, PageLines]] = []
    iterator = api.GetIterator()
    if iterator is None:
        return items
    level = RIL.TEXTLINE
    while True:
        text = iterator.GetUTF8Text(level) or ""
        confidence = iterator.Confidence(level)
        box = iterator.BoundingBox(level)
        line = clean_line(re.sub(r"\s{3,}", "\t", text.strip()))
        if line and confidence >= 40 and not is_page_number(line) and _legible(line) and box:
            items.append((box[1], 0, [(line, {})]))
        if not iterator.Next(level):
            break
    return items


def _legible(line: str) -> bool:
    """A line with some words in it, not specks read as punctuation."""
    return len(re.findall(r"[\u3400-\u9fff0-9A-Za-z]", line)) >= 2
