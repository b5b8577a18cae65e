"""Plain data passed between the converter's stages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from converter.errors import Issue
from converter.tables.layout import Generation, Measure


@dataclass(frozen=True)
class Token:
    """One cell of extracted text: its text and where it stood."""

    text: str
    line: int  # 1-based line in the extracted text
    page: int | None = None
    part: int | None = None  # 0-based position among the TAB/| separated parts of its line


@dataclass(frozen=True)
class OcrReading:
    """How one numeric table cell of a scanned page was read by OCR."""

    text: str  # the reading written into ``SourceDoc.lines`` ("" when no reading was a number)
    confidence: float  # the engine's mean confidence for it, 0–100
    alternatives: tuple[tuple[str, float], ...] = ()  # the other readings tried: (text, confidence)


@dataclass(frozen=True)
class SourceDoc:
    """A source file reduced to lines of text, with its identity."""

    path: Path
    sha256: str
    media_type: str
    lines: tuple[str, ...]
    pages: tuple[int, ...] | None = None  # page of each line, for PDFs
    # Scanned pages only: every numeric table cell read by OCR, by (1-based line, 0-based index of
    # the cell among the line's TAB-separated parts); converter/ocr_check.py confirms them.
    ocr: Mapping[tuple[int, int], OcrReading] | None = field(default=None, compare=False)
    issues: tuple[Issue, ...] = ()  # notes about the file as a whole (e.g. converted-by-libreoffice)


@dataclass(frozen=True)
class Cell:
    """One observation-to-be: a table cell placed in the template."""

    table: str  # table2 | table3 | table4 | legacy
    codes: tuple[tuple[str, str], ...]  # ((scheme, notation), …) for each dimension, in IRI order
    measure: Measure
    value: Decimal
    source_text: str
    row_label: str
    column_label: str
    line: int | None = None
    page: int | None = None
    unit: str | None = None  # unit notation (yuan, wan-yuan, wan-tiao, item)
    part: int | None = None  # the source token's position in its line (Token.part): ties an OCR reading
    # In a report merged from several files (converter/merge.py): the sha256 of the file this cell
    # was read from when it is not the report's first source (its line and page are that file's).
    source: str | None = None

    @property
    def key(self) -> tuple[str, ...]:
        return (self.table, *(notation for _, notation in self.codes))


@dataclass
class ReportMeta:
    agency: str
    year: int
    title: str | None
    published: str | None = None  # ISO date
    url: str | None = None


@dataclass(frozen=True)
class OtherSource:
    """A further file of the same report (the web page and its attachment), and its source URL."""

    doc: SourceDoc
    url: str | None = None


@dataclass
class Report:
    """Everything read from one source file, or merged from several files of the same report
    (converter/merge.py): ``source`` is then the primary one, ``also`` the others."""

    source: SourceDoc
    meta: ReportMeta
    generation: Generation
    evidence: str
    cells: list[Cell] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    also: tuple[OtherSource, ...] = ()

    @property
    def sources(self) -> tuple[SourceDoc, ...]:
        """Every file the report was read from, the primary first."""
        return (self.source, *(other.doc for other in self.also))
