"""表三 收到和处理政府信息公开申请情况: 7 applicant columns × 23 (2019) or 25 (2021) rows.

The printed rows (a run of value cells under the label cells before it) are placed on the
template's rows by two readings, and the table's arithmetic chooses between them:

* by position, when as many rows are printed as the template has;
* by an alignment that weighs label similarity and order (``tables.align``): it copes with labels
  that have typos or lost characters, labels wrapped around their numbers, page numbers and
  footers inside the table, and a 2021-format table that prints （六）其他处理 as one row (published
  as row 3.6 with a ``subrows-not-printed`` note).

A row with more cells than the template (a page number caught in it) keeps the cells whose row
total holds, if only one choice does. A row with fewer cells is placed by the arithmetic
(``solve.resolve``). A cell printed blank is published as 0 only where the arithmetic proves it
(``solve.prove_zeros``) or where every sum it is part of holds with it as 0 (a row printed all
blank; ``solve.consistent_zeros``), with a ``blank-read-as-zero`` note; a blank that a sum says is
not 0 (a 总计 left blank above printed parts) is left out with a note.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from converter.checks import equations as table_equations
from converter.checks import table3_problems, table3_rows
from converter.errors import Issue, Severity
from converter.model import Cell, Token
from converter.numbers import BLANK_CELL
from converter.solve import Equation, Group, Vector, consistent_zeros, prove_zeros, resolve
from converter.tables.align import MIN_SIMILARITY, align, fit, similarity
from converter.tables.common import cell_value, is_count, squash
from converter.tables.layout import APPLICANT, APPLICANT_COLUMNS, Generation, Measure, concept
from converter.tokens import Row, group_rows
from converter.trace import RowPlacement

TABLE = "table3"
ZH = "表三"
N = len(APPLICANT_COLUMNS)
ROW_SUM: list[Group] = [(tuple(range(N - 1)), N - 1)]
MAX_EXTRA = 2  # cells beyond the template's seven that a row may shed (page numbers, footnote marks)


def violations(rows: Mapping[str, Vector], generation: Generation) -> list[str]:
    """The table's equations that do not hold (only those whose cells are all known)."""
    return [message for _, message in table3_problems(rows, generation)]


def match_row(labels: Sequence[Token], generation: Generation) -> str | None:
    """The template row the label cells name best, if any resembles one well enough."""
    label = squash("".join(t.text for t in labels))
    scored = [(similarity(label, n), n) for n in table3_rows(generation)]
    best, notation = max(scored)
    return notation if best >= MIN_SIMILARITY else None


@dataclass
class Reading:
    """Rows placed on the template, and how."""

    layout: list[str]  # the template rows in play (2021 with a one-row （六）: 3.6 for 3.6.1–3.6.3)
    rows: dict[str, Row]
    decided_by: str
    similarity: dict[str, float] = field(default_factory=dict)


def read_table3(
    tokens: Sequence[Token], generation: Generation, trace: list[RowPlacement] | None = None
) -> tuple[list[Cell], list[Issue]]:
    """Place every 表三 value on its template row and column; blanks proven 0 are published as 0."""
    issues: list[Issue] = []
    printed = _printed_rows(tokens, issues)
    reading = _place(printed, generation, issues)
    if trace is not None:
        placed = {id(row): n for n, row in reading.rows.items()}
        for row in printed:
            notation = placed.get(id(row))
            trace.append(
                RowPlacement(
                    TABLE,
                    row.label,
                    tuple(t.text for t in row.values),
                    row.line,
                    row.values[0].page if row.values else None,
                    notation,
                    reading.similarity.get(notation, 0.0) if notation else 0.0,
                    reading.decided_by if notation else "left out: no template row fits it in order",
                )
            )
    return _cells(reading, generation, issues), issues


# ---------------------------------------------------------------------------------------------
# Printed rows


def _printed_rows(tokens: Sequence[Token], issues: list[Issue]) -> list[Row]:
    """The rows with values, each on its own line where the table prints a row per line."""
    rows: list[Row] = []
    for whole in group_rows(tokens):
        if not whole.values:
            continue
        for row in _by_line(whole):
            rows += _sized(row, issues)
    return rows


def _by_line(row: Row) -> list[Row]:
    """A row whose values stand on one printed line, and cells on the lines after it (a page
    number, a footnote mark) as rows of their own: values on a later line belong to this row only
    where the table prints one cell per line."""
    first = row.values[0].line
    head = [t for t in row.values if t.line == first]
    if len(head) < 3 or len(head) == len(row.values):
        return [row]
    rest = row.values[len(head) :]
    return [Row(row.labels, tuple(head)), Row((), tuple(rest))]


def _sized(row: Row, issues: list[Issue]) -> list[Row]:
    """The row, cut into rows of seven when it holds whole rows' worth of cells, or without its
    stray cells when its own total decides which."""
    count = len(row.values)
    if count > N and count % N == 0:
        chunks = [row.values[i : i + N] for i in range(0, count, N)]
        return [Row(row.labels, chunks[0]), *(Row((), chunk) for chunk in chunks[1:])]
    if N < count <= N + MAX_EXTRA:
        return [_shed(row, issues)]
    return [row]


def _holds(values: Sequence[Token]) -> bool:
    """The six applicant cells add up to the 总计 (blank applicant cells taken as 0)."""
    numbers = [cell_value(t) for t in values]
    total = numbers[-1]
    return total is not None and sum((v for v in numbers[:-1] if v is not None), Decimal(0)) == total


def _shed(row: Row, issues: list[Issue]) -> Row:
    """The row without its stray cells, when exactly one choice of them leaves a row whose six
    applicant cells add up to its 总计 (preferring cells on a line of their own)."""
    extra = len(row.values) - N
    fits: dict[tuple[str, ...], tuple[int, ...]] = {}
    numbers = [i for i, t in enumerate(row.values) if cell_value(t) is not None]  # a blank is a cell, never stray
    for dropped in itertools.combinations(numbers, extra):
        kept = tuple(t for i, t in enumerate(row.values) if i not in dropped)
        if _holds(kept):
            fits.setdefault(tuple(t.text for t in kept), dropped)
    if len(fits) != 1:
        return row
    ((_, drop),) = fits.items()
    kept = tuple(t for i, t in enumerate(row.values) if i not in drop)
    stray = tuple(row.values[i] for i in drop)
    issues.append(
        Issue(
            "not-read",
            Severity.INFO,
            f"{ZH} row {row.label!r}: {len(row.values)} cells for 7 columns; "
            f"{' '.join(t.text for t in stray)!r} (a page number or mark caught in the table) was left out, "
            "the only choice whose six applicant cells add up to the 总计",
            source_text=" ".join(t.text for t in row.values),
        )
    )
    return Row(row.labels, kept)


# ---------------------------------------------------------------------------------------------
# Placement


def _layouts(generation: Generation) -> list[tuple[list[str], bool]]:
    """The template row sequences a printed table may follow: (rows, one-row （六）)."""
    layouts = [(table3_rows(generation), False)]
    if generation is Generation.GEN2021:
        layouts.append((table3_rows(generation, single_other=True), True))
    return layouts


def _score(reading: Reading, generation: Generation) -> int:
    """Equations broken by the rows as placed (complete rows only)."""
    complete: dict[str, Vector] = {}
    for notation, row in reading.rows.items():
        if len(row.values) == N:
            complete[notation] = tuple(cell_value(t) for t in row.values)
    return len(table3_problems(complete, generation))


def _place(rows: list[Row], generation: Generation, issues: list[Issue]) -> Reading:
    labels = [squash(r.label) for r in rows]
    counts = [len(r.values) for r in rows]
    names_other = any(similarity(label, "3.6") >= 0.8 for label in labels)
    candidates: list[tuple[float, int, int, Reading]] = []  # (label score, broken equations, position?, reading)
    for layout, single in _layouts(generation):
        if single and not names_other:
            continue  # a one-row （六） only where a printed row names it
        total, matches = align(labels, counts, layout, N)
        reading = Reading(
            layout,
            {m.notation: rows[m.index] for m in matches},
            "label similarity and order",
            {m.notation: m.similarity for m in matches},
        )
        candidates.append((total, _score(reading, generation), 0, reading))
        if len(rows) == len(layout):
            by_position = Reading(
                layout,
                dict(zip(layout, rows, strict=True)),
                "position (as many rows as the template)",
                {n: similarity(label, n) for n, label in zip(layout, labels, strict=True)},
            )
            score = sum(
                fit(len(row.values), N) * (0.5 + (s if s >= MIN_SIMILARITY else 0.0))
                for row, s in zip(rows, by_position.similarity.values(), strict=True)
            )
            candidates.append((score, _score(by_position, generation), 1, by_position))
    # the labels choose first: only placements they support about as well as the best (within
    # half a row) are in play; among those the table's arithmetic decides, then the labels, then
    # position (a table without labels is read by position)
    best = max(c[0] for c in candidates)
    in_play = sorted((c for c in candidates if c[0] >= best - 0.5), key=lambda c: (c[1], -c[0], -c[2]))
    _, broken, _, reading = in_play[0]
    if broken:
        reading.decided_by += f"; the table's arithmetic still breaks {broken} equation(s)"
    elif any(c[1] > 0 for c in in_play[1:]):
        reading.decided_by += "; the other placements break the table's arithmetic"
    _notes(rows, reading, generation, issues)
    return reading


def _notes(rows: list[Row], reading: Reading, generation: Generation, issues: list[Issue]) -> None:
    placed = {id(row) for row in reading.rows.values()}
    expected = len(table3_rows(generation))
    if len(rows) != expected:
        complete = all(n in reading.rows for n in reading.layout)
        issues.append(
            Issue(
                "not-read" if rows else "table-missing",
                Severity.INFO if rows and complete else Severity.WARNING,
                f"{ZH} has {len(rows)} rows with numbers, expected {expected}; rows were placed by "
                f"{reading.decided_by}",
            )
        )
    for row in rows:
        if id(row) not in placed:
            issues.append(
                Issue(
                    "not-read",
                    Severity.WARNING,
                    f"{ZH}: a row with label {row.label!r} and cells {' '.join(t.text for t in row.values)!r} "
                    "could not be placed on the template (a page number, a footer or a row not in the template?); left out",
                    source_text=" ".join(t.text for t in row.values),
                )
            )
    if "3.6" in reading.rows and generation is Generation.GEN2021:
        issues.append(
            Issue(
                "subrows-not-printed",
                Severity.INFO,
                f"{ZH} prints （六）其他处理 as one row in a 2021-format table; it is published as row 3.6, "
                "its sub-rows 3.6.1–3.6.3 were not printed",
                target=(TABLE, "3.6", "total"),
                source_text=reading.rows["3.6"].label,
            )
        )
    for notation, row in reading.rows.items():
        sim = reading.similarity.get(notation, 0.0)
        named = match_row(row.labels, generation) if row.labels else None
        if named == notation or not row.labels:
            continue
        wording = concept("request", notation).zh
        if sim >= MIN_SIMILARITY:
            issues.append(
                Issue(
                    "row-placed-by-similarity",
                    Severity.INFO,
                    f"{ZH} row {row.label!r} placed on row {notation} ({wording}), label similarity {sim:.2f}, "
                    f"by {reading.decided_by}",
                    target=(TABLE, notation, "total"),
                    source_text=row.label,
                )
            )
        else:
            shown = f", which its label resembles more ({named})" if named else ""
            issues.append(
                Issue(
                    "label-mismatch",
                    Severity.WARNING,
                    f"{ZH} row {row.label!r} placed on row {notation} ({wording}){shown}, by {reading.decided_by}",
                    target=(TABLE, notation, "total"),
                    source_text=row.label,
                )
            )


# ---------------------------------------------------------------------------------------------
# Cells


def _equations(rows: Sequence[str], generation: Generation) -> list[Equation[tuple[str, int]]]:
    """The equations of 表三 (``checks.equations``) over cells keyed (row, column index)."""
    single = generation is Generation.GEN2021 and "3.6" in rows
    column = {c: i for i, c in enumerate(APPLICANT_COLUMNS)}

    def keyed(side: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, int], ...]:
        return tuple((k[1], column[k[2]]) for k in side)

    return [
        (keyed(left), keyed(right))
        for _, left, right in table_equations(generation, single_other=single)
        if left[0][0] == TABLE
    ]


def _cells(reading: Reading, generation: Generation, issues: list[Issue]) -> list[Cell]:
    complete: dict[str, Vector] = {}
    short: dict[str, list[Decimal | None]] = {}
    for notation, row in list(reading.rows.items()):
        if len(row.values) < N and all(cell_value(t) is None for t in row.values):
            # a row printed all blank ("- - - - - -") whose last blank vanished: blank wherever it stands
            pad = Token(BLANK_CELL, row.values[-1].line, row.values[-1].page)
            row = reading.rows[notation] = Row(row.labels, (*row.values, *([pad] * (N - len(row.values)))))
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

    def score(table: Mapping[str, Vector]) -> int:
        return len(table3_problems(table, generation))

    resolved: dict[str, Vector] = dict(complete)
    inferred: dict[str, tuple[bool, ...]] = {}
    if short:
        result = resolve(complete, short, N, ROW_SUM, score)
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
                    source_text=" ".join(t.text for t in reading.rows[notation].values),
                )
            )

    # blanks printed in complete rows: 0 where the arithmetic proves it
    by_cell = {(r, i): v for r, vector in resolved.items() for i, v in enumerate(vector)}
    blanks = {(r, i) for r, vector in complete.items() for i, v in enumerate(vector) if v is None}
    equations = _equations(list(resolved), generation)
    printed = {k: v for k, v in by_cell.items() if v is not None or k in blanks}
    zeros = prove_zeros(printed, equations)
    printed.update(dict.fromkeys(zeros, Decimal(0)))
    read_as_zero = consistent_zeros(printed, equations)  # the other blanks no sum contradicts as 0

    cells: list[Cell] = []
    for notation in reading.layout:
        if notation not in resolved:
            continue
        row = reading.rows[notation]
        vector = resolved[notation]
        was_short = notation in short
        for i, column in enumerate(APPLICANT_COLUMNS):
            value = vector[i]
            key = (TABLE, notation, column)
            where = f"{ZH} row {notation}, column {APPLICANT[i].zh}"
            if value is None and ((notation, i) in zeros or (notation, i) in read_as_zero):
                value = Decimal(0)
                why = (
                    f"which {_describe(zeros[(notation, i)])} proves"
                    if (notation, i) in zeros
                    else "every sum of the table it is part of holds with it as 0"
                )
                issues.append(
                    Issue(
                        "blank-read-as-zero",
                        Severity.INFO,
                        f"{where}: printed blank; published as 0, {why}",
                        target=key,
                        source_text=row.values[i].text,
                    )
                )
            if value is None:
                code = "cell-ambiguous" if was_short else "blank-cell"
                what = (
                    "could not be placed by the table's arithmetic"
                    if was_short
                    else "is printed blank and the arithmetic does not prove it 0"
                )
                issues.append(Issue(code, Severity.WARNING, f"{where}: {what}; no value published"))
                continue
            if not is_count(value):
                issues.append(Issue("cell-ambiguous", Severity.WARNING, f"{where}: {value} is not a count; left out"))
                continue
            token = row.values[i] if not was_short else None  # a short row: no printed cell is known to be this one
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
                    part=token.part if token else None,
                )
            )
            if was_short and inferred.get(notation, (False,) * N)[i]:
                issues.append(
                    Issue(
                        "cell-inferred",
                        Severity.WARNING,
                        f"{where}: the row printed {len(row.values)} of {N} cells; several placements fit and the "
                        f"value {value} is the one the table's arithmetic allows",
                        target=key,
                        source_text=" ".join(t.text for t in row.values),
                    )
                )
    return cells


def _describe(equation: Equation[tuple[str, int]]) -> str:
    """An equation of ``_equations`` in words."""
    left, right = equation
    rows = {r for r, _ in (*left, *right)}
    if len(rows) == 1:
        return "the row total (six applicant cells = 总计)"
    if len(left) == 2 and len(right) == 2:
        return "the 勾稽关系 (一 + 二 = 三（七）+ 四)"
    return "the column sum （七）总计 = the outcome rows"
