"""Placing the cells of a row that came out short, by the table's own arithmetic.

A row that should have ``n`` cells but shows ``k < n`` values lost some cells in extraction, and we
do not know which. Every placement of the ``k`` values (in order) among the ``n`` positions is a
candidate; a missing cell that a row equation (parts + total) determines is filled in. Candidates
are then scored against the rest of the table's equations; only values that every best-scoring
candidate agrees on are kept. Nothing is guessed: a position the arithmetic cannot decide stays
``None``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

Vector = tuple[Decimal | None, ...]
# A row equation: the indices of the parts and the index of their total.
Group = tuple[tuple[int, ...], int]

MAX_COMBINATIONS = 50_000


def fill_groups(vector: list[Decimal | None], groups: Sequence[Group]) -> bool:
    """Fill the one unknown of each equation; ``False`` when that would make a count negative."""
    for parts, total in groups:
        unknown = [i for i in (*parts, total) if vector[i] is None]
        if len(unknown) != 1:
            continue
        (missing,) = unknown
        known_parts = sum((vector[i] or Decimal(0) for i in parts if i != missing), Decimal(0))
        if missing == total:
            vector[missing] = known_parts
        else:
            value = (vector[total] or Decimal(0)) - known_parts
            if value < 0:
                return False
            vector[missing] = value
    return True


def row_candidates(values: Sequence[Decimal | None], n: int, groups: Sequence[Group]) -> list[Vector]:
    """Every distinct full row the ``values`` could come from.

    >>> row_candidates([Decimal(5), Decimal(0), Decimal(5)], 4, [((0, 1, 2), 3)])[:2]
    [(Decimal('5'), Decimal('0'), Decimal('5'), Decimal('10')), (Decimal('5'), Decimal('0'), Decimal('0'), Decimal('5'))]
    """
    seen: dict[Vector, None] = {}
    for positions in itertools.combinations(range(n), len(values)):
        vector: list[Decimal | None] = [None] * n
        for position, value in zip(positions, values, strict=True):
            vector[position] = value
        if fill_groups(vector, groups):
            seen.setdefault(tuple(vector), None)
    return list(seen)


@dataclass(frozen=True)
class Resolution:
    """Per short row: the resolved vector (``None`` where undecided), whether a cell needed the
    arithmetic, and how many equations the best placement still breaks."""

    rows: dict[str, Vector]
    inferred: dict[str, tuple[bool, ...]]
    violations: int
    candidates: int


def resolve(
    complete: Mapping[str, Vector],
    short: Mapping[str, Sequence[Decimal | None]],
    n: int,
    groups: Sequence[Group],
    score: Callable[[Mapping[str, Vector]], int],
) -> Resolution:
    """Choose placements for the ``short`` rows that break the fewest of the table's equations."""
    options = {key: row_candidates(values, n, groups) for key, values in short.items()}
    inferred = {key: tuple(len({c[i] for c in cands}) > 1 for i in range(n)) for key, cands in options.items()}
    keys = [k for k, cands in options.items() if cands]
    total = 1
    for key in keys:
        total *= len(options[key])
    if total > MAX_COMBINATIONS:  # too many to try jointly: keep only what every candidate agrees on
        rows = {key: _agreement(options[key], n) for key in keys}
        return Resolution(rows, inferred, violations=-1, candidates=total)
    best: list[tuple[Vector, ...]] = []
    best_score: int | None = None
    for combo in itertools.product(*(options[k] for k in keys)):
        table = dict(complete)
        table.update(zip(keys, combo, strict=True))
        value = score(table)
        if best_score is None or value < best_score:
            best, best_score = [combo], value
        elif value == best_score:
            best.append(combo)
    rows = {key: _agreement([combo[i] for combo in best], n) for i, key in enumerate(keys)}
    for key in short:
        rows.setdefault(key, (None,) * n)
    return Resolution(rows, inferred, violations=best_score or 0, candidates=total)


def _agreement(candidates: Sequence[Vector], n: int) -> Vector:
    if not candidates:
        return (None,) * n
    return tuple(candidates[0][i] if len({c[i] for c in candidates}) == 1 else None for i in range(n))


# A balance between two sides of cells: sum(left) = sum(right), e.g. six applicant cells = 总计, or
# 一 + 二 = 三（七）+ 四. ``K`` is the cell key: ``(row, column index)``, a column index, a notation.
K = TypeVar("K", bound=Hashable)
Equation = tuple[tuple[K, ...], tuple[K, ...]]


def prove_zeros(values: Mapping[K, Decimal | None], equations: Sequence[Equation[K]]) -> dict[K, Equation[K]]:
    """The blank cells (``None``) that the equations prove to be 0, each with the equation that
    proves it.

    Counts are never negative, so where every blank of an equation stands on one side and the
    cells printed on that side already balance the other side, each of those blanks is 0. Proven
    zeros count as printed for the next equations, until nothing more follows. A zero that would
    break another equation whose cells are all known is not proven (the table contradicts itself
    there). Equations naming a cell not in ``values`` (a row not printed) are ignored.

    >>> values = {"a": Decimal(3), "b": None, "total": Decimal(3), "c": None}
    >>> sorted(prove_zeros(values, [(("a", "b"), ("total",)), (("c",), ("b",))]))
    ['b', 'c']
    >>> prove_zeros({"a": Decimal(3), "b": None, "total": None}, [(("a", "b"), ("total",))])
    {}
    """
    known: dict[K, Decimal | None] = dict(values)
    usable = [eq for eq in equations if all(k in known for side in eq for k in side)]
    proof: dict[K, Equation[K]] = {}
    changed = True
    while changed:
        changed = False
        for left, right in usable:
            for side, other in ((left, right), (right, left)):
                blanks = [k for k in side if known[k] is None]
                if not blanks or any(known[k] is None for k in other):
                    continue
                if sum((known[k] or Decimal(0)) for k in side) == sum((known[k] or Decimal(0)) for k in other):
                    for k in blanks:
                        known[k] = Decimal(0)
                        proof[k] = (left, right)
                    changed = True
    broken = {
        k
        for left, right in usable
        if all(known[c] is not None for c in (*left, *right))
        and sum(known[c] or Decimal(0) for c in left) != sum(known[c] or Decimal(0) for c in right)
        for k in (*left, *right)
    }
    return {k: eq for k, eq in proof.items() if k not in broken}


def consistent_zeros(values: Mapping[K, Decimal | None], equations: Sequence[Equation[K]]) -> set[K]:
    """The blank cells (``None``) that may be read as 0: with every such blank read as 0, no equation
    is broken that a larger value of one of them would mend. A blank on the smaller side of an
    equation that breaks stays blank (its sum says it is not 0: a 总计 left blank above printed
    parts); the others are checked again without it, until nothing changes. Equations naming a cell
    not in ``values`` are ignored.

    >>> sorted(consistent_zeros({"a": None, "b": None, "t": None}, [(("a", "b"), ("t",))]))
    ['a', 'b', 't']
    >>> sorted(consistent_zeros({"a": Decimal(3), "b": None, "t": None}, [(("a", "b"), ("t",))]))
    ['b']
    """
    usable = [eq for eq in equations if all(k in values for side in eq for k in side)]
    zero = {k for k, v in values.items() if v is None}
    while True:
        broken: set[K] = set()
        for left, right in usable:
            cells = (*left, *right)
            if any(values[k] is None and k not in zero for k in cells):
                continue  # holds a blank that is not read as 0: not checked
            total = [sum((values[k] or Decimal(0)) for k in side) for side in (left, right)]
            if total[0] != total[1]:  # only a blank on the smaller side could make up the difference
                short = left if total[0] < total[1] else right
                broken |= {k for k in short if k in zero}
        if not broken:
            return zero
        zero -= broken
