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
Keys = tuple[tuple[str, ...], ...]
Problem = tuple[tuple[str, ...], str]


def leaf_rows(generation: Generation, single_other: bool = False) -> list[str]:
    """The 表三 outcome rows that add up to （七）总计; ``single_other``: a 2021-format table that prints
    （六）其他处理 as one row (3.6) instead of its three sub-rows.

    >>> leaf_rows(Generation.GEN2021, single_other=True)[-2:]
    ['3.5.5', '3.6']
    """
    rows = REQUEST_ROWS[Generation.GEN2019 if single_other else generation]
    return [r for r in rows if r.startswith("3.") and r != "3.7"]


def table3_rows(generation: Generation, single_other: bool = False) -> list[str]:
    """The numeric rows of 表三 in template order (see ``leaf_rows`` for ``single_other``)."""
    return REQUEST_ROWS[Generation.GEN2019 if single_other else generation]


def _known(values: Iterable[Decimal | None]) -> list[Decimal] | None:
    out = list(values)
    known = [v for v in out if v is not None]
    return known if len(known) == len(out) else None


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
    leaves = leaf_rows(generation, single_other=generation is Generation.GEN2021 and "3.6" in rows)
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


def equations(generation: Generation, single_other: bool = False) -> list[tuple[str, Keys, Keys]]:
    """Every equation of 表三 and 表四 over observation keys: (name, left side, right side)."""
    found: list[tuple[str, Keys, Keys]] = []
    if generation is Generation.LEGACY:
        return found
    rows = table3_rows(generation, single_other=single_other)
    leaves = leaf_rows(generation, single_other=single_other)
    for r in rows:
        parts = tuple(("table3", r, c) for c in APPLICANT_COLUMNS[:-1])
        found.append((f"表三 row {r}: six applicant columns = 总计", parts, (("table3", r, "total"),)))
    for i, c in enumerate(APPLICANT_COLUMNS):
        zh = APPLICANT[i].zh
        found.append(
            (
                f"表三 column {zh}: 一 + 二 = 三（七）+ 四",
                (("table3", "1", c), ("table3", "2", c)),
                (("table3", "3.7", c), ("table3", "4", c)),
            )
        )
        found.append(
            (
                f"表三 column {zh}: （七）总计 = the outcome rows",
                tuple(("table3", r, c) for r in leaves),
                (("table3", "3.7", c),),
            )
        )
    for start in range(0, len(APPEAL_CELLS), 5):
        proceeding = APPEAL_CELLS[start][0]
        parts = tuple(("table4", *APPEAL_CELLS[k]) for k in range(start, start + 4))
        found.append(
            (
                f"表四 {concept('proceeding', proceeding).zh}: 维持 + 纠正 + 其他 + 尚未审结 = 总计",
                parts,
                (("table4", proceeding, "total"),),
            )
        )
    return found


def _contradicted(values: Mapping[tuple[str, ...], Decimal], left: Keys, right: Keys) -> bool:
    """The equation cannot hold: broken with every cell known, or, with the cells not published
    taken as unknown counts (never negative), the side missing cells already exceeds the other."""
    if not any(k in values for k in (*left, *right)):
        return False
    sums = [sum((values[k] for k in side if k in values), Decimal(0)) for side in (left, right)]
    missing = [any(k not in values for k in side) for side in (left, right)]
    if not any(missing):
        return sums[0] != sums[1]
    if missing[0] and missing[1]:
        return False
    side = 0 if missing[0] else 1
    return sums[side] > sums[1 - side]


def check_cells(cells: Sequence[Cell], generation: Generation) -> list[Issue]:
    """``sum-mismatch`` warnings for every equation the published cells break: one on the total
    (as ``table3_problems``/``table4_problems`` state it), and one on every other published cell of
    that equation, since any of them may be the cell that was misread or misprinted."""
    by_key = {c.key: c.value for c in cells}
    problems: list[Problem] = []
    if generation is not Generation.LEGACY:
        single = any(k[:2] == ("table3", "3.6") for k in by_key)
        rows = {
            r: tuple(by_key.get(("table3", r, col)) for col in APPLICANT_COLUMNS)
            for r in table3_rows(generation, single_other=single)
            if any(("table3", r, col) in by_key for col in APPLICANT_COLUMNS)
        }
        problems += table3_problems(rows, generation)
        if any(k[0] == "table4" for k in by_key):
            problems += table4_problems([by_key.get(("table4", p, r)) for p, r in APPEAL_CELLS])
    seen: set[str] = set()
    issues = []
    targeted: set[tuple[str, ...]] = set()
    for target, message in problems:
        if message in seen:
            continue
        seen.add(message)
        issues.append(Issue("sum-mismatch", Severity.WARNING, message, target=target if target in by_key else None))
        targeted.add(target)
    if generation is Generation.LEGACY:
        return issues
    single = any(k[:2] == ("table3", "3.6") for k in by_key)
    for name, left, right in equations(generation, single_other=single):
        if not _contradicted(by_key, left, right):
            continue
        for key in (*left, *right):
            if key in by_key and key not in targeted:
                issues.append(
                    Issue(
                        "sum-mismatch",
                        Severity.WARNING,
                        f"{'/'.join(key[1:])} is part of a sum that does not hold ({name}); it may be misread or misprinted",
                        target=key,
                    )
                )
                targeted.add(key)
    return issues
