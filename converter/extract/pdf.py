"""PDF files with a text layer: ruled tables (one line per row) and text lines, top to bottom.

Per page, ``pdfplumber`` finds the ruled tables; every table row becomes one line of TAB-joined
cells laid out on the shared grid (see ``converter.extract.html.grid_lines``), and the text
outside the tables becomes one line per printed line, with a TAB where a wide gap separates
words (an unruled table). Page numbers ("- 4 -", "第 4 页") are dropped; a table continuing on
the next page simply continues. ``SourceDoc.pages`` holds the page number of each line.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import logging
import re
from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Any

import pdfplumber
from pdfplumber.page import Page
from pdfplumber.utils.text import extract_text

from converter.errors import Issue, Severity, SourceUnreadable
from converter.extract import SUFFIXES, read_bytes
from converter.extract.html import clean_cell, clean_line, grid_lines
from converter.extract.pdf_grid import Grid, frame_lines, rule_grids, stitch
from converter.model import SourceDoc

MEDIA_TYPE = SUFFIXES[".pdf"]
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－~～]\s*\d{1,4}\s*[-—–－~～]|第\s*\d{1,4}\s*页(?:\s*[,，/／]?\s*共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*[,，/／]?\s*第\s*\d{1,4}\s*页|\d{1,4}\s*/\s*\d{1,4}|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$",
    re.IGNORECASE,
)
_TOLERANCE = 1.0  # points: cell edges this close are the same grid line
_WIDE_GAP = 2.0  # in font sizes: a gap this wide between words on a line separates two cells


def is_page_number(line: str) -> bool:
    """A line that only numbers the page.

    >>> is_page_number("- 4 -"), is_page_number("第 4 页 共 12 页"), is_page_number("4")
    (True, True, False)
    """
    return bool(_PAGE_NUMBER.match(line.strip()))


SCAN_COVER = 0.8  # a page image covering this share of the page makes the page a scan


def is_scanned_page(page: Page) -> bool:
    """One image covers most of the page: a scan, whatever text lies over it."""
    area = float(page.width * page.height) or 1.0
    for image in page.images:
        width = max(0.0, min(float(image["x1"]), float(page.width)) - max(float(image["x0"]), 0.0))
        height = max(0.0, min(float(image["bottom"]), float(page.height)) - max(float(image["top"]), 0.0))
        if width * height >= SCAN_COVER * area:
            return True
    return False


def extract_pdf(path: Path) -> SourceDoc:
    """Read a PDF's text layer into lines with their page numbers.

    :raises SourceUnreadable: not a PDF, encrypted, corrupt, or without a text layer (scanned).
    """
    data, digest = read_bytes(path)
    if b"%PDF" not in data[:1024]:
        raise SourceUnreadable(path, "not a PDF file (no %PDF header)")
    quiet_pdfminer()
    items: list[tuple[int, str | Grid]] = []  # (page, text line or table), in reading order
    any_chars = False
    text_pages = scanned_pages = 0
    try:
        with pdfplumber.open(path) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                if page.chars:
                    any_chars = True
                    text_pages += 1
                    scanned_pages += is_scanned_page(page)
                    hint = items[-1][1].xs if items and isinstance(items[-1][1], Grid) else None
                    items += [(number, item) for item in _page_items(page, hint)]
                page.close()  # frees the page's parsed objects: long reports stay small in memory
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many types (PSEOF, KeyError, …) on broken files
        raise SourceUnreadable(path, _reason(exc)) from None
    if not any_chars:  # a scan: its pages are read by OCR, cell by cell
        from converter.extract.ocr import extract_scanned_pdf

        return extract_scanned_pdf(path)
    if scanned_pages == text_pages:
        # every page with text is a page image with text laid over it: a scan that was OCR'd before it was
        # published. Its digits are that OCR's, unchecked: the pages are read again by OCR, cell by cell.
        from converter.extract.ocr import extract_scanned_pdf

        doc = extract_scanned_pdf(path)
        note = Issue(
            "not-read",
            Severity.INFO,
            "the PDF's text layer lies over page images (a scan OCR'd before it was published); its digits are not "
            "trusted: the pages were read again by OCR, each number confirmed by the tables' arithmetic",
        )
        return dataclasses.replace(doc, issues=(*doc.issues, note))
    for (before_page, before), (number, item) in itertools.pairwise(items):
        if isinstance(before, Grid) and isinstance(item, Grid) and before_page == number - 1:
            stitch(before, item)  # the table goes on from the page before
    lines: list[str] = []
    pages: list[int] = []
    for number, item in items:
        found = [item] if isinstance(item, str) else grid_lines(item.slots)
        lines += found
        pages += [number] * len(found)
    if not lines:
        raise SourceUnreadable(path, "the PDF has no text outside page numbers")
    return SourceDoc(path=path, sha256=digest, media_type=MEDIA_TYPE, lines=tuple(lines), pages=tuple(pages))


def quiet_pdfminer() -> None:
    """Keep pdfminer's chatter about malformed fonts ("Could not get FontBBox from font descriptor …")
    out of the user's terminal: its loggers show errors only, unless the level was set already
    (``gongkai --verbose`` sets it to WARNING, so the warnings show there)."""
    logger = logging.getLogger("pdfminer")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.ERROR)


def _reason(exc: Exception) -> str:
    names = {type(e).__name__ for e in (exc, exc.__cause__, exc.__context__) if e is not None}
    text = " ".join(str(e) for e in (exc, exc.__cause__) if e is not None)
    if names & {"PDFPasswordIncorrect", "PDFEncryptionError", "PDFEncryptionWarning"} or "password" in text.lower():
        return "the PDF is encrypted (password protected); save an unprotected copy first"
    if names & {"PDFSyntaxError", "PSEOF", "PSSyntaxError", "PSTypeError"} or "No /Root object" in text:
        return f"not a readable PDF (corrupt or truncated: {type(exc).__name__}: {exc})"
    return f"not a readable PDF ({type(exc).__name__}: {exc})"


def _page_items(page: Page, hint: list[float] | None = None) -> list[str | Grid]:
    """The lines and tables of one page, interleaved by their position (top to bottom). ``hint``:
    the column edges of the table the page before ended with, if it did."""
    items: list[tuple[float, int, str | Grid]] = []
    edges = page.edges
    v_lines, h_lines = frame_lines(edges)
    settings = {"explicit_vertical_lines": v_lines, "explicit_horizontal_lines": h_lines} if v_lines else {}
    tables = [t for t in page.find_tables(settings) if len(t.cells) > 1]
    grids = [_grid(page, table.cells) for table in tables]
    if any(e["orientation"] == "h" for e in edges):
        taken = [g.bbox for g in grids]
        grids += rule_grids(edges, page.extract_words, page.chars, taken, hint)
    boxes = [g.bbox for g in grids]
    for grid in grids:
        items.append((grid.bbox[1], 1, grid))

    def outside(obj: dict[str, Any]) -> bool:
        if obj.get("object_type") != "char":
            return True
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    text_page = page.filter(outside) if boxes else page
    for found in text_page.extract_text_lines(return_chars=True, strip=True):
        line = clean_line(_join_chars(found["chars"]))
        if line and not is_page_number(line):
            items.append((found["top"], 0, line))
    items.sort(key=lambda item: (item[0], item[1]))
    return [item for _, _, item in items]


def _join_chars(chars: Sequence[dict[str, Any]]) -> str:
    """One printed line: a space for a word gap, a TAB for a gap wider than two characters."""
    parts: list[str] = []
    previous: dict[str, Any] | None = None
    for char in sorted(chars, key=lambda c: c["x0"]):
        if previous is not None:
            gap = char["x0"] - previous["x1"]
            size = max(previous.get("size") or 0, char.get("size") or 0, 1.0)
            if gap > _WIDE_GAP * size:
                parts.append("\t")
            elif gap > 0.25 * size:
                parts.append(" ")
        parts.append(char["text"])
        previous = char
    return "".join(parts)


def _positions(values: list[float]) -> list[float]:
    """Distinct grid lines, edges closer than the tolerance merged."""
    merged: list[float] = []
    for value in sorted(values):
        if not merged or value - merged[-1] > _TOLERANCE:
            merged.append(value)
    return merged


def _grid(page: Page, cells: list[tuple[float, float, float, float]]) -> Grid:
    """The grid of a ruled table: each cell rectangle covers the grid rows/columns it spans."""
    xs = _positions([c[0] for c in cells])
    tops = _positions([c[1] for c in cells])
    left, top_edge, right, bottom_edge = (
        min(c[0] for c in cells),
        min(c[1] for c in cells),
        max(c[2] for c in cells),
        max(c[3] for c in cells),
    )
    chars = [
        ch
        for ch in page.chars
        if left <= (ch["x0"] + ch["x1"]) / 2 < right and top_edge <= (ch["top"] + ch["bottom"]) / 2 < bottom_edge
    ]
    slots: dict[tuple[int, int], tuple[Hashable, str]] = {}
    for x0, top, x1, bottom in sorted(cells, key=lambda c: (c[1], c[0])):
        c0 = bisect.bisect_left(xs, x0 - _TOLERANCE)
        c1 = max(c0 + 1, bisect.bisect_left(xs, x1 - _TOLERANCE))
        r0 = bisect.bisect_left(tops, top - _TOLERANCE)
        r1 = max(r0 + 1, bisect.bisect_left(tops, bottom - _TOLERANCE))
        inside = [
            ch
            for ch in chars
            if x0 <= (ch["x0"] + ch["x1"]) / 2 < x1 and top <= (ch["top"] + ch["bottom"]) / 2 < bottom
        ]
        text = clean_cell(extract_text(inside).replace("\n", "")) if inside else ""
        for r in range(r0, r1):
            for c in range(c0, c1):
                slots.setdefault((r, c), ((r0, c0), text))
    return Grid(slots=slots, xs=xs, bbox=(left, top_edge, right, bottom_edge))
