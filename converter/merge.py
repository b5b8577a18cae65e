"""Several files of one report (the web page and its PDF or Word attachment), cell by cell: are they
the same report, and which value is published. Pure functions over ``Report``s; the batch core
(converter/batch.py) calls them when two files yield the same agency and year.

**Same report.** The *comparable* cells are those (table, row, column) both files publish. The
files are the same report when at least ``SAME_SHARE`` (80 %) of the comparable cells are equal, or
when 表三's key totals (row 一 本年新收, row 三（七）总计 and row 四 结转下年度, each in its 总计 column),
published by both, are all equal and at least half of the comparable cells are. Files read as
different templates (2019 and 2021), or without a single comparable cell, are not shown to be the
same report: they stay an error naming both files (nothing is merged without evidence).

**Primary source.** The file whose metadata (title, dates, URL), template evidence and cell texts
the report carries, by these rules in turn: a text source over a scan read by OCR; then by format,
HTML (the text as published) over Word and other office files over plain text over PDF (text placed
by geometry); then the file with more cells; then input order. A title or date the primary lacks
is taken from the next file that has one.

**Cells.** A cell all files that have it agree on is published from the primary source (or, if the
primary lacks it, the first file by the rules above that has it: a cell only one file has is no
disagreement). Where the files disagree, each value is tried in every equation of the tables
(:func:`converter.checks.equations`) whose other cells the files agree on: the one value that makes
them all hold, where the other values break one, is published with a ``sources-disagree`` warning
naming both values and both files; if no value does, or no equation decides, the cell is left out
with that note. A table one file lacks entirely, or of which it has less than half the cells (a
truncated PDF, a page that printed only 表三), is published from the file that has it, with a
``source-incomplete`` note naming the file that lacks it.

**Notes.** A cell keeps the notes of the file it was taken from; the report keeps the report-level
notes of the primary source and every file's extractor notes; ``sum-mismatch`` notes are computed
again over the merged cells (:func:`converter.checks.check_cells`), ``table-missing`` kept only for
a table the merged report still lacks.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from converter.checks import check_cells, equations
from converter.errors import Issue, Severity
from converter.model import Cell, OtherSource, Report, ReportMeta

Key = tuple[str, ...]

SAME_SHARE = 0.8  # share of the comparable cells that must be equal (without the key totals)
KEY_TOTALS_SHARE = 0.5  # the same, when 表三's key totals agree
KEY_TOTALS: tuple[Key, ...] = (("table3", "1", "total"), ("table3", "3.7", "total"), ("table3", "4", "total"))
TABLE_NAMES = {"table2": "表二", "table3": "表三", "table4": "表四", "legacy": "附表/正文"}
_FORMAT_RANK = {"text/html": 0, "text/plain": 2, "application/pdf": 3}  # office formats: 1


@dataclass(frozen=True)
class Comparison:
    """Two files' cells side by side."""

    comparable: int  # cells both publish
    equal: int  # of those, the ones with the same value
    differing: tuple[Key, ...]
    key_totals_agree: bool  # 表三's key totals all published by both and all equal

    def same_report(self) -> bool:
        """The rule of the module docstring.

        >>> Comparison(10, 8, (), False).same_report(), Comparison(10, 5, (), True).same_report()
        (True, True)
        >>> Comparison(10, 5, (), False).same_report(), Comparison(0, 0, (), False).same_report()
        (False, False)
        """
        if not self.comparable:
            return False
        share = self.equal / self.comparable
        return share >= SAME_SHARE or (self.key_totals_agree and share >= KEY_TOTALS_SHARE)

    def describe(self) -> str:
        return f"{self.equal} of {self.comparable} cells both publish are equal"


def compare(a: Mapping[Key, Decimal], b: Mapping[Key, Decimal]) -> Comparison:
    """Compare two files' values, keyed by (table, row, column).

    >>> k = ("table3", "1", "total")
    >>> compare({k: Decimal(5)}, {k: Decimal(5), ("table4", "review", "total"): Decimal(1)}).comparable
    1
    """
    common = [k for k in a if k in b]
    differing = tuple(k for k in common if a[k] != b[k])
    totals = all(k in a and k in b for k in KEY_TOTALS) and all(a[k] == b[k] for k in KEY_TOTALS)
    return Comparison(len(common), len(common) - len(differing), differing, totals)


def values(report: Report) -> dict[Key, Decimal]:
    return {c.key: c.value for c in report.cells}


def not_same(first: Report, other: Report) -> str | None:
    """Why ``other`` is not shown to be the same report as ``first`` (``None``: it is)."""
    if first.generation is not other.generation:
        return f"read as the {first.generation.value} and the {other.generation.value} template"
    comparison = compare(values(first), values(other))
    if comparison.same_report():
        return None
    if not comparison.comparable:
        return "no table cell in common to compare"
    example = comparison.differing[0] if comparison.differing else None
    shown = ""
    if example is not None:
        shown = f", e.g. {_where(example)} {values(first)[example]} vs {values(other)[example]}"
    return f"only {comparison.describe()}{shown}"


def primary_order(reports: Sequence[Report]) -> list[int]:
    """Indexes of ``reports`` (input order) by the primary-source rules of the module docstring.

    >>> from pathlib import Path
    >>> from converter.model import SourceDoc
    >>> from converter.tables.layout import Generation
    >>> def made(media: str) -> Report:
    ...     doc = SourceDoc(Path("r"), "0" * 64, media, ())
    ...     return Report(doc, ReportMeta("A", 2020, None), Generation.GEN2019, "")
    >>> primary_order([made("application/pdf"), made("text/html")])
    [1, 0]
    """

    def rank(i: int) -> tuple[int, int, int, int]:
        report = reports[i]
        scanned = 1 if report.source.ocr is not None else 0
        return (scanned, _FORMAT_RANK.get(report.source.media_type, 1), -len(report.cells), i)

    return sorted(range(len(reports)), key=rank)


def merge_reports(reports: Sequence[Report]) -> Report:
    """One report from several files of it (input order), which :func:`not_same` found to be the
    same report; see the module docstring for the rules."""
    if len(reports) == 1:
        return reports[0]
    order = primary_order(reports)
    primary = reports[order[0]]
    names = [r.source.path.name for r in reports]
    cells_of = [{c.key: c for c in r.cells} for r in reports]
    keys = list(dict.fromkeys(k for i in order for k in cells_of[i]))
    agreed: dict[Key, Decimal] = {}
    disputed: list[Key] = []
    for key in keys:
        found = {cells_of[i][key].value for i in order if key in cells_of[i]}
        if len(found) == 1:
            agreed[key] = found.pop()
        else:
            disputed.append(key)
    single_other = any(k[:2] == ("table3", "3.6") for k in keys)
    eqs = equations(primary.generation, single_other=single_other)
    chosen: dict[Key, int] = {k: next(i for i in order if k in cells_of[i]) for k in agreed}
    notes: list[Issue] = []
    for key in disputed:
        holders = [i for i in order if key in cells_of[i]]
        winner, message = _decide(key, holders, cells_of, names, agreed, eqs)
        if winner is not None:
            chosen[key] = winner
        notes.append(Issue("sources-disagree", Severity.WARNING, message, target=key))
    cells: list[Cell] = []
    for key in keys:
        if key in chosen:
            i = chosen[key]
            cell = cells_of[i][key]
            cells.append(cell if reports[i] is primary else dataclasses.replace(cell, source=reports[i].source.sha256))
    tables = {c.table for c in cells}
    notes += _incomplete(names, order, cells_of, cells)
    issues = _carried_notes(reports, order, chosen, tables)
    issues += check_cells(cells, primary.generation)
    issues += notes
    return Report(
        source=primary.source,
        meta=_meta(reports, order),
        generation=primary.generation,
        evidence=primary.evidence,
        cells=cells,
        issues=list(dict.fromkeys(issues)),
        also=tuple(OtherSource(reports[i].source, reports[i].meta.url) for i in sorted(order[1:])),
    )


def _incomplete(names: list[str], order: list[int], cells_of: list[dict[Key, Cell]], cells: list[Cell]) -> list[Issue]:
    """``source-incomplete`` for each file that lacks a table the merged report has, or has less
    than half of its cells (a truncated file: those cells are checked by no second file)."""
    notes = []
    for table in sorted({c.table for c in cells}):
        published = {c.key for c in cells if c.table == table}
        for i in order:
            have = published & set(cells_of[i])
            if len(have) * 2 >= len(published):
                continue
            origin = ", ".join(names[j] for j in order if j != i and any(k[0] == table for k in cells_of[j]))
            name = TABLE_NAMES[table]
            lacks = f"has no {name}" if not have else f"has {len(have)} of the {len(published)} cells of {name}"
            notes.append(
                Issue(
                    "source-incomplete",
                    Severity.INFO,
                    f"{names[i]} {lacks} (truncated, or not printed in it); the rest of {name} is published "
                    f"from {origin} alone, unchecked by a second file",
                )
            )
    return notes


def _where(key: Key) -> str:
    return f"{TABLE_NAMES.get(key[0], key[0])} {'/'.join(key[1:])}"


def _decide(
    key: Key,
    holders: list[int],
    cells_of: list[dict[Key, Cell]],
    names: list[str],
    agreed: Mapping[Key, Decimal],
    eqs: list[tuple[str, tuple[Key, ...], tuple[Key, ...]]],
) -> tuple[int | None, str]:
    """The file whose value for a disputed cell the arithmetic confirms (``None``: none), and the note."""
    by_value: dict[Decimal, list[int]] = {}
    for i in holders:
        by_value.setdefault(cells_of[i][key].value, []).append(i)
    given = "; ".join(f"{', '.join(names[i] for i in files)} gives {value}" for value, files in by_value.items())
    decisive = [
        (name, left, right)
        for name, left, right in eqs
        if key in (*left, *right) and all(k == key or k in agreed for k in (*left, *right))
    ]
    if not decisive:
        return None, f"{_where(key)}: {given}; no equation of the table decides between them; left out"
    holds = [value for value in by_value if all(_holds(key, value, agreed, left, right) for _, left, right in decisive)]
    if len(holds) != 1:
        why = "neither value satisfies" if not holds else "every value satisfies"
        return None, f"{_where(key)}: {given}; {why} the table's arithmetic ({decisive[0][0]}); left out"
    value = holds[0]
    winner = by_value[value][0]
    broken = next(
        name
        for name, left, right in decisive
        if any(not _holds(key, v, agreed, left, right) for v in by_value if v != value)
    )
    return winner, (
        f"{_where(key)}: {given}; {value} satisfies the table's arithmetic ({broken}), published from {names[winner]}"
    )


def _holds(
    key: Key, value: Decimal, agreed: Mapping[Key, Decimal], left: tuple[Key, ...], right: tuple[Key, ...]
) -> bool:
    def at(k: Key) -> Decimal:
        return value if k == key else agreed[k]

    return sum((at(k) for k in left), Decimal(0)) == sum((at(k) for k in right), Decimal(0))


def _carried_notes(
    reports: Sequence[Report], order: list[int], chosen: Mapping[Key, int], tables: set[str]
) -> list[Issue]:
    """The files' own notes the merged report keeps (see the module docstring)."""
    primary = order[0]
    kept: list[Issue] = []
    for i, report in enumerate(reports):
        extractor = set(report.source.issues)
        for issue in report.issues:
            if issue.code == "sum-mismatch":
                continue
            if issue.code == "table-missing":
                name = issue.message.split(" ")[0]
                if i == primary and not any(TABLE_NAMES[t] == name for t in tables):
                    kept.append(issue)
                continue
            if issue.target is not None:  # the file the cell is published from; for a cell left out, the primary
                if chosen.get(issue.target, primary) == i:
                    kept.append(issue)
            elif i == primary or issue in extractor:
                kept.append(issue)
    return kept


def _meta(reports: Sequence[Report], order: list[int]) -> ReportMeta:
    first = reports[order[0]].meta

    def pick(field: str) -> str | None:
        return next((getattr(reports[i].meta, field) for i in order if getattr(reports[i].meta, field)), None)

    return ReportMeta(
        agency=first.agency,
        year=first.year,
        title=first.title or pick("title"),
        published=first.published or pick("published"),
        url=first.url,
    )
