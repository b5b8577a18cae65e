"""What the converter saw and decided while reading one file: what ``gongkai inspect`` shows.

``convert_file`` fills a :class:`Trace` as it goes when one is given, so that a publisher can see
why a file failed or was flagged without reading code: the extracted lines (with their pages), the
metadata read, the template evidence, where each table was found, each printed row and the
template row it was placed on, the cells and the quality notes. A file that is refused keeps what
was seen up to the refusal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from converter.errors import Issue
from converter.model import Cell, SourceDoc


@dataclass(frozen=True)
class RowPlacement:
    """One printed row of a table and the template row it was placed on."""

    table: str
    label: str
    values: tuple[str, ...]
    line: int
    page: int | None
    notation: str | None  # the template row it was placed on; None: left out
    similarity: float
    decided_by: str


@dataclass(frozen=True)
class TableRegion:
    """Where a table was found: its first and last extracted line (1-based) and pages."""

    table: str
    first_line: int
    last_line: int
    pages: tuple[int, ...] = ()
    reader: str = ""


@dataclass
class Trace:
    doc: SourceDoc | None = None
    agency: str | None = None
    year: int | None = None
    title: str | None = None
    metadata_notes: list[Issue] = field(default_factory=list)
    generation: str | None = None
    evidence: str | None = None
    regions: list[TableRegion] = field(default_factory=list)
    placements: list[RowPlacement] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    error: str | None = None
