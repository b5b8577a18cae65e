"""Errors and quality issues.

Issues are data (a reader returns values together with the issues it found); exceptions are kept
for files that cannot go on at all. Every issue code is registered in ``ISSUE_CODES`` with a
one-line description and documented in docs/issues.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class GongkaiError(Exception):
    """Base of every error Gongkai raises on purpose; its message is meant for the user."""


class FileError(GongkaiError):
    """Something about one input file; the message names the file first."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class SourceUnreadable(FileError):
    """The file cannot be read or decoded, or is empty."""


class NotAReport(FileError):
    """The file has text, but no statutory table or legacy figure could be found in it."""


class MetadataMissing(FileError):
    """The agency or the year of a report could not be found (and no manifest supplies it)."""


class OptionsError(GongkaiError):
    """Bad options or manifest (a usage error, exit status 2)."""


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


ISSUE_CODES: dict[str, str] = {
    "missing-cell": "a table row has fewer cells than the template; the missing cells were resolved by arithmetic or left out",
    "cell-inferred": "a value was placed by the table's own arithmetic because its cell was missing or shifted",
    "cell-ambiguous": "a cell could not be placed or split with certainty; it is left out",
    "blank-cell": "a cell is printed blank; no value is published for it",
    "truncated-header": "a column header is cut short in the source; the column was placed by its position",
    "unit-missing": "a money amount is stated without a unit; the number is published as printed, unscaled",
    "unit-from-header": "the unit of a value is stated in its column header, not in the cell",
    "sum-mismatch": "a total does not equal the sum of its parts, or the 勾稽关系 does not hold",
    "digits-lost": "digits appear to be lost in the extracted text (e.g. a date range without its digits)",
    "title-missing": "the report has no title; agency and year were read from the body",
    "agency-inferred": "the agency name was inferred from the body text, not read from a title",
    "year-inferred": "the report year was inferred from the body text, not read from a title",
    "table-missing": "a statutory table was not found in the report",
    "label-mismatch": "a row label does not match the template row at its position",
    "cells-run-together": "digits of several cells ran together; split using the column count and arithmetic",
    "legacy-from-prose": "a legacy figure was read from the report's prose, not from a table",
    "prose-table-mismatch": "the prose states a different number than the table for the same figure",
    "not-read": "part of the report was seen but not converted",
    "blank-read-as-zero": "a cell printed blank is published as 0 because the table's arithmetic proves it is 0",
    "row-placed-by-similarity": "a printed row was placed on the template row its label resembles most (typo, missing characters or a wrapped label), confirmed by order and arithmetic",
    "subrows-not-printed": "a row the template splits into sub-rows is printed as one row; it is published as the broader concept",
    "stated-in-prose": "a table is replaced by a sentence; the figures that sentence states are published as observations",
    "agency-from-body": "the agency was read from the report's opening sentence or its self-references, not from a printed title",
    "ocr": "the value was read by OCR from an image; the note gives the engine's confidence and whether the table's arithmetic confirms it",
    "ocr-unconfirmed": "an OCR'd cell could not be confirmed by the table's arithmetic; it is left out",
    "converted-by-libreoffice": "the file was converted to .docx by LibreOffice before it was read",
    "sources-disagree": "two files of the same report give different values for a cell; the value the table's arithmetic confirms is published, else the cell is left out",
    "source-incomplete": "one file of a report merged from several lacks a table the other has; that table is published from the file that has it, unchecked by a second source",
    "carry-over-mismatch": "表三 row 2 (上年结转) of a year differs from row 4 (结转下年度继续办理) of the same agency's year before, in one applicant column (a check across reports, made at load time)",
    "agency-possible-match": "two agencies whose names differ only in how their place is written (same gazetteer division, same organ, years that do not overlap) may be one agency; proposed, not merged (a check across reports, made at load time)",
}


@dataclass(frozen=True)
class Issue:
    """One problem found in a report.

    ``target`` names what it concerns: ``None`` for the report, else a tuple ``(table, code,
    code…)`` that identifies one observation (the same parts as its IRI).
    """

    code: str
    severity: Severity
    message: str
    target: tuple[str, ...] | None = None
    source_text: str | None = None

    def __post_init__(self) -> None:
        if self.code not in ISSUE_CODES:
            raise ValueError(f"unknown issue code {self.code!r}; register it in ISSUE_CODES")
