"""表三 收到和处理政府信息公开申请情况: 7 applicant columns × 23 (2019) or 25 (2021) rows."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from decimal import Decimal

from converter.checks import table3_problems
from converter.errors import Issue, Severity
from converter.model import Cell, Token
from converter.solve import Group, Vector, resolve
from converter.tables.common import cell_value, is_count, squash
from converter.tables.layout import (
    APPLICANT,
    APPLICANT_COLUMNS,
    REQUEST_ROWS,
    Generation,
    Measure,
    concept,
)
from converter.tokens import Row, group_rows

TABLE = "table3"
ZH = "表三"
N = len(APPLICANT_COLUMNS)
ROW_SUM: list[Group] = [(tuple(range(N - 1)), N - 1)]


def violations(rows: Mapping[str, Vector], generation: Generation) -> list[str]:
    """The table's equations that do not hold (only those whose cells are all known)."""
    return [message for _, message in table3_problems(rows, generation)]


def match_row(labels: Sequence[Token], generation: Generation) -> str | None:
    """The template row that the nearest label cells name, if any (the last cell first)."""
    for width in (1, 2, 3):
        text = squash("".join(t.text for t in labels[-width:]))
        found = [notation for notation, needles in _row_needles(generation) if any(n in text for n in needles)]
        if len(found) > 1 and "3.6" in found:
            found.remove("3.6")
        if found:
            return found[-1]
    return None


@functools.cache
def _row_needles(generation: Generation) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each template row of 表三 and the squashed names (label, aliases) that find it."""
    rows = []
    for notation in REQUEST_ROWS[generation]:
        c = concept("request", notation)
        needles = ("3.其他",) if notation == "3.6.3" else (squash(c.zh), *(squash(a) for a in c.aliases))
        rows.append((notation, needles))
    return tuple(rows)


def read_table3(tokens: Sequence[Token], generation: Generation) -> tuple[list[Cell], list[Issue]]:
    """Place every 表三 value by its row's position in the template."""
    issues: list[Issue] = []
    rows = [r for r in group_rows(tokens) if r.values]
    expected = REQUEST_ROWS[generation]
    placed = _place_rows(rows, expected, generation, issues)

    complete: dict[str, Vector] = {}
    short: dict[str, list[Decimal | None]] = {}
    row_of: dict[str, Row] = {}
    for notation, row in placed.items():
        row_of[notation] = row
        values = [cell_value(t) for t in row.values]
        if len(values) == N:
            complete[notation] = tuple(values)
        elif len(values) < N:
            short[notation] = values
        else:
            issues.append(
                Issue(
                    "cell-ambiguous",
                    Severity.WARNING,
                    f"{ZH} row {notation} has {len(values)} cells, expected {N}; the row is left out",
                    source_text=" ".join(t.text for t in row.values),
                )
            )

    resolved: dict[str, Vector] = dict(complete)
    inferred: dict[str, tuple[bool, ...]] = {}
    if short:
        result = resolve(complete, short, N, ROW_SUM, lambda t: len(violations(t, generation)))
        resolved.update(result.rows)
        inferred = result.inferred
        for notation, values in short.items():
            vector = result.rows[notation]
            shown = "/".join("?" if v is None else str(v) for v in vector)
            certainty = (
                "placed by the row total and the per-column sums"
                if result.violations == 0
                else "the table's arithmetic does not fully hold, so the placement is uncertain"
            )
            issues.append(
                Issue(
                    "missing-cell",
                    Severity.WARNING,
                    f"{ZH} row {notation} ({concept('request', notation).zh}) has {len(values)} cells, "
                    f"expected {N}; {certainty}: {shown}",
                    source_text=" ".join(t.text for t in row_of[notation].values),
                )
            )

    cells: list[Cell] = []
    for notation in expected:
        if notation not in resolved:
            continue
        row = row_of[notation]
        vector = resolved[notation]
        was_short = notation in short
        for i, column in enumerate(APPLICANT_COLUMNS):
            value = vector[i]
            key = (TABLE, notation, column)
            if value is None:
                code = "cell-ambiguous" if was_short else "blank-cell"
                what = "could not be placed by the table's arithmetic" if was_short else "is printed blank"
                issues.append(
                    Issue(
                        code,
                        Severity.WARNING,
                        f"{ZH} row {notation}, column {APPLICANT[i].zh}: {what}; no value published",
                    )
                )
                continue
            if not is_count(value):
                issues.append(
                    Issue(
                        "cell-ambiguous",
                        Severity.WARNING,
                        f"{ZH} row {notation}, column {APPLICANT[i].zh}: {value} is not a count; left out",
                    )
                )
                continue
            token = row.values[i] if not was_short else _token_for(row, vector, i)
            cells.append(
                Cell(
                    table=TABLE,
                    codes=(("request", notation), ("applicant", column)),
                    measure=Measure.COUNT,
                    value=value,
                    source_text=token.text if token else "",
                    row_label=row.label,
                    column_label=APPLICANT[i].zh,
                    line=(token or row.values[0]).line,
                    page=(token or row.values[0]).page,
                )
            )
            if was_short and inferred.get(notation, (False,) * N)[i]:
                issues.append(
                    Issue(
                        "cell-inferred",
                        Severity.WARNING,
                        f"{ZH} row {notation}, column {APPLICANT[i].zh}: the row lost a cell in the source; "
                        f"the value {value} was placed by the table's arithmetic",
                        target=key,
                        source_text=" ".join(t.text for t in row.values),
                    )
                )
    return cells, issues


def _token_for(row: Row, vector: Vector, i: int) -> Token | None:
    """For a short row, the source cell whose value landed at position ``i`` (if one did)."""
    value = vector[i]
    matches = [t for t in row.values if cell_value(t) == value]
    return matches[0] if matches else None


def _place_rows(rows: list[Row], expected: list[str], generation: Generation, issues: list[Issue]) -> dict[str, Row]:
    """Rows by template position; labels only cross-check, or align when the count is off."""
    placed: dict[str, Row] = {}
    if len(rows) == len(expected):
        for notation, row in zip(expected, rows, strict=True):
            placed[notation] = row
            named = match_row(row.labels, generation) if row.labels else None
            if named is not None and named != notation:
                issues.append(
                    Issue(
                        "label-mismatch",
                        Severity.WARNING,
                        f"{ZH} row {len(placed)} is labelled like row {named} but stands where row {notation} belongs; placed by position",
                        source_text=row.label,
                    )
                )
        return placed
    issues.append(
        Issue(
            "not-read" if rows else "table-missing",
            Severity.WARNING,
            f"{ZH} has {len(rows)} rows with numbers, expected {len(expected)}; rows were matched by their labels",
        )
    )
    position = 0
    for row in rows:
        named = match_row(row.labels, generation) if row.labels else None
        if named is None or named in placed or expected.index(named) < position:
            issues.append(
                Issue(
                    "not-read",
                    Severity.WARNING,
                    f"{ZH}: a row with label {row.label!r} could not be placed; left out",
                    source_text=" ".join(t.text for t in row.values),
                )
            )
            continue
        placed[named] = row
        position = expected.index(named) + 1
    return placed
