"""The tables' arithmetic (templates.md §4). Checks only report; they never change a value.

Each check returns ``(target, message)`` pairs: the observation key of the total that does not add
up, and a message naming the rows and columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from converter.errors import Issue, Severity
from converter.model import Cell
from converter.tables.layout import (
    APPEAL_CELLS,
    APPLICANT,
    APPLICANT_COLUMNS,
    REQUEST_ROWS,
    Generation,
    concept,
)

Vector = Sequence[Decimal | None]
Problem = tuple[tuple[str, ...], str]


def leaf_rows(generation: Generation) -> list[str]:
    """The 表三 outcome rows that add up to （七）总计."""
    return [r for r in REQUEST_ROWS[generation] if r.startswith("3.") and r != "3.7"]


def _known(values: Iterable[Decimal | None]) -> list[Decimal] | None:
    out = list(values)
    return None if any(v is None for v in out) else out  # type: ignore[return-value]


def table3_problems(rows: Mapping[str, Vector], generation: Generation) -> list[Problem]:
    problems: list[Problem] = []
    for notation, vector in rows.items():
        known = _known(vector)
        if known is not None and sum(known[:-1]) != known[-1]:
            problems.append(
                (
                    ("table3", notation, "total"),
                    f"表三 row {notation} ({concept('request', notation).zh}): 总计 {known[-1]} ≠ {sum(known[:-1])}, the sum of its six applicant columns",
                )
            )
    leaves = leaf_rows(generation)
    for i, column in enumerate(APPLICANT_COLUMNS):

        def at(notation: str, i: int = i) -> Decimal | None:
            vector = rows.get(notation)
            return None if vector is None else vector[i]

        head = _known([at("1"), at("2"), at("3.7"), at("4")])
        if head is not None and head[0] + head[1] != head[2] + head[3]:
            problems.append(
                (
                    ("table3", "3.7", column),
                    f"表三 column {APPLICANT[i].zh}: 一 {head[0]} + 二 {head[1]} ≠ 三（七）总计 {head[2]} + 四 {head[3]} (勾稽关系)",
                )
            )
        parts = _known(at(r) for r in leaves)
        total = at("3.7")
        if parts is not None and total is not None and sum(parts) != total:
            problems.append(
                (
                    ("table3", "3.7", column),
                    f"表三 column {APPLICANT[i].zh}: （七）总计 {total} ≠ {sum(parts)}, the sum of the outcome rows",
                )
            )
    return problems


def table4_problems(vector: Vector) -> list[Problem]:
    problems: list[Problem] = []
    for start in range(0, len(APPEAL_CELLS), 5):
        parts, total = vector[start : start + 4], vector[start + 4]
        known = _known(parts)
        if known is not None and total is not None and sum(known) != total:
            proceeding = APPEAL_CELLS[start][0]
            problems.append(
                (
                    ("table4", proceeding, "total"),
                    f"表四 {concept('proceeding', proceeding).zh}: 总计 {total} ≠ {sum(known)}, the sum of 维持/纠正/其他/尚未审结",
                )
            )
    return problems


def check_cells(cells: Sequence[Cell], generation: Generation) -> list[Issue]:
    """``sum-mismatch`` warnings for every equation the published cells break."""
    by_key = {c.key: c.value for c in cells}
    problems: list[Problem] = []
    if generation is not Generation.LEGACY:
        rows = {
            r: tuple(by_key.get(("table3", r, col)) for col in APPLICANT_COLUMNS)
            for r in REQUEST_ROWS[generation]
            if any(("table3", r, col) in by_key for col in APPLICANT_COLUMNS)
        }
        problems += table3_problems(rows, generation)
        if any(k[0] == "table4" for k in by_key):
            problems += table4_problems([by_key.get(("table4", p, r)) for p, r in APPEAL_CELLS])
    seen: set[str] = set()
    issues = []
    for target, message in problems:
        if message in seen:
            continue
        seen.add(message)
        issues.append(Issue("sum-mismatch", Severity.WARNING, message, target=target if target in by_key else None))
    return issues
