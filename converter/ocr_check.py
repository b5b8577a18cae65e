"""OCR'd table cells are published only where the table's own arithmetic confirms them.

OCR gets digits wrong ("26" read as "20"), and a wrong number published as fact is the worst outcome
this project has. So every cell read from a scanned page (``SourceDoc.ocr``) goes through
:func:`confirm` before it is published:

* 表三 and 表四: a cell is **confirmed** when at least one equation that contains it holds with all
  its cells read (表三: each row's 总计 = the six applicant columns; per column 一 + 二 = （七）总计 + 四
  and （七）总计 = the sum of the outcome rows; 表四: each 总计 = 维持 + 纠正 + 其他 + 尚未审结), and no
  equation containing it fails. Where equations fail, the other readings the OCR tried for the
  cells involved (another scale, a hard threshold, chi_sim) are tried one cell at a time; a change
  that makes every equation hold is taken only when it is the only such change. Then a cell that
  is the only one in two or more failing equations (its row total and its column sum) is taken
  out, and the other cells of those equations must be confirmed by another equation. Cells that stay
  unconfirmed are left out with an ``ocr-unconfirmed`` note; a cell the reader placed without an
  OCR reading of its own (inferred) is left out too. A sum that holds a reading guessed from its
  column (a mark taken for a "1") together with another guessed reading or a cell OCR saw blank
  confirms none of its cells: those two can make up for each other's error (see ``_confirmed``).
* 表二 and legacy figures have no arithmetic: a cell is published, with an ``ocr`` *warning* that no
  arithmetic confirms it, only when the engine's confidence is at least ``UNCHECKED_CONFIDENCE``
  and every other reading tried that is a number agrees; otherwise it is left out.

Every published OCR'd observation carries an ``ocr`` note (targeting it) with its confidence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from converter.checks import check_cells
from converter.checks import equations as table_equations
from converter.errors import Issue, Severity
from converter.model import Cell, OcrReading, SourceDoc
from converter.numbers import BLANK_CELL, parse_number
from converter.tables.layout import Generation

UNCHECKED_CONFIDENCE = 90.0  # 表二/legacy: the least engine confidence to publish a cell no equation checks
Key = tuple[str, ...]
# sum(left) == sum(right)
Equation = tuple[tuple[Key, ...], tuple[Key, ...]]


def confirm(
    cells: Sequence[Cell], issues: Sequence[Issue], generation: Generation, doc: SourceDoc
) -> tuple[list[Cell], list[Issue]]:
    """Keep the OCR'd cells the arithmetic confirms, each with an ``ocr`` note; leave the others out.

    A document that was not read by OCR (``doc.ocr is None``) passes through unchanged.
    """
    if doc.ocr is None:
        return list(cells), list(issues)
    tied = tie_readings(cells, doc.ocr)
    # a blank read as 0 (OCR saw no ink there: can only be too low), a reading guessed from its
    # column (confidence 0: too low or too high); see _confirmed
    blanks = {c.key for c in cells if c.source_text == BLANK_CELL and c.table in ("table3", "table4")}
    guessed = {key for key, reading in tied.items() if reading.confidence <= 0}
    values = {c.key: c.value for c in cells if c.key in tied or c.key in blanks}
    equations = _equations(generation, {c.key for c in cells})
    notes: dict[Key, str] = {}
    values, repaired = _repair(values, tied, equations)
    for key, (old, new) in repaired.items():
        notes[key] = f"read {old} first; re-read as {new}, the only reading that makes the table's sums hold"
    values, _ = _localize(values, equations)
    confirmed = _confirmed(values, equations, blanks, guessed)
    kept: list[Cell] = []
    out_issues: list[Issue] = []
    dropped: set[Key] = set()
    for cell in cells:
        key = cell.key
        reading = tied.get(key)
        if cell.table in ("table3", "table4"):
            if key in confirmed and (reading is not None or key in blanks):
                value = values[key]
                if value != cell.value:
                    cell = _with_value(cell, value)
                kept.append(cell)
                how = notes.get(key, "confirmed by the table's sums")
                seen = (
                    f"read by OCR (confidence {reading.confidence:.0f})"
                    if reading is not None
                    else "OCR saw no digit in this cell; read as 0"
                )
                out_issues.append(
                    Issue(
                        "ocr",
                        Severity.INFO,
                        f"{seen}; {how}",
                        target=key,
                        source_text=cell.source_text,
                    )
                )
            else:
                dropped.add(key)
                out_issues.append(_unconfirmed(cell, reading, values, equations))
        elif reading is not None and _agreed(reading, cell.value):
            kept.append(cell)
            out_issues.append(
                Issue(
                    "ocr",
                    Severity.WARNING,
                    f"read by OCR (confidence {reading.confidence:.0f}); no arithmetic of the table can confirm it",
                    target=key,
                    source_text=cell.source_text,
                )
            )
        else:
            dropped.add(key)
            why = (
                "no OCR reading of its own"
                if reading is None
                else f"confidence {reading.confidence:.0f}, or the readings tried disagree"
            )
            out_issues.append(
                Issue(
                    "ocr-unconfirmed",
                    Severity.WARNING,
                    f"{_where(cell)}: read by OCR as {cell.value} ({why}); no arithmetic can confirm it, left out",
                    source_text=cell.source_text,
                )
            )
    # Sums over misread digits say nothing about the report: they are checked again on what is kept.
    for issue in issues:
        if issue.code == "sum-mismatch" or (issue.target is not None and tuple(issue.target) in dropped):
            continue
        if issue.code == "blank-cell":  # on a scan, "blank" is what OCR saw: printed blank, or unread
            issue = Issue(
                "ocr-unconfirmed",
                Severity.WARNING,
                issue.message.split(": ", 1)[0] + ": OCR read no number here (printed blank, or unreadable); left out",
                source_text=issue.source_text,
            )
        out_issues.append(issue)
    out_issues += check_cells(kept, generation)
    return kept, out_issues


def tie_readings(cells: Sequence[Cell], ocr: Mapping[tuple[int, int], OcrReading]) -> dict[Key, OcrReading]:
    """The OCR reading each cell was read from: the reading of the very cell of the page its token
    stood in (``Cell.line``, ``Cell.part``), when it says the cell's value.

    A cell whose text is blank (a blank read as 0; on a scan OCR may have missed a thin "1") or that
    was placed by arithmetic (no token of its own) has none. Cells that do not record their token's
    position (legacy readers) are paired with the readings of their line in order, one to one,
    where the values agree (the longest common subsequence), so one reading never vouches for two
    cells.
    """
    tied: dict[Key, OcrReading] = {}
    loose: dict[int, list[Cell]] = {}
    for cell in cells:
        if cell.line is None or cell.source_text in ("", BLANK_CELL):
            continue
        if cell.part is None:
            loose.setdefault(cell.line, []).append(cell)
            continue
        reading = ocr.get((cell.line, cell.part))
        if reading is not None and reading.text and _number(reading.text) == cell.value:
            tied[cell.key] = reading
    for line, line_cells in loose.items():
        readings = [r for (n, _), r in sorted(ocr.items()) if n == line and r.text]
        for cell, reading in _in_order(line_cells, readings):
            tied[cell.key] = reading
    return tied


def _in_order(cells: Sequence[Cell], readings: Sequence[OcrReading]) -> list[tuple[Cell, OcrReading]]:
    """Cells and readings paired in order where their values agree, as many as possible."""
    values = [_number(r.text) for r in readings]
    n, m = len(cells), len(readings)
    best = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            if cells[i].value == values[j]:
                best[i][j] = best[i + 1][j + 1] + 1
            else:
                best[i][j] = max(best[i + 1][j], best[i][j + 1])
    pairs = []
    i = j = 0
    while i < n and j < m:
        if cells[i].value == values[j] and best[i][j] == best[i + 1][j + 1] + 1:
            pairs.append((cells[i], readings[j]))
            i, j = i + 1, j + 1
        elif best[i + 1][j] >= best[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs


def _number(text: str) -> Decimal | None:
    found = parse_number(text) if text else None
    return None if found is None else found.value


def _equations(generation: Generation, keys: Iterable[Key]) -> list[Equation]:
    """The tables' equations (``checks.equations``), with a one-row （六） where the cells have one."""
    single_other = generation is Generation.GEN2021 and any(k[:2] == ("table3", "3.6") for k in keys)
    return [(left, right) for _, left, right in table_equations(generation, single_other=single_other)]


def _holds(values: Mapping[Key, Decimal], eq: Equation) -> bool | None:
    """True/False when every cell of the equation is read, else None."""
    left, right = eq
    if any(k not in values for k in (*left, *right)):
        return None
    return sum(values[k] for k in left) == sum(values[k] for k in right)


def _confirmed(
    values: Mapping[Key, Decimal],
    equations: Sequence[Equation],
    blanks: Iterable[Key] = (),
    guessed: Iterable[Key] = (),
) -> set[Key]:
    """The cells in at least one fully read equation that holds and vouches for them, and in none
    that fails (a cell with no reading of its own is not in ``values``, so no equation with it
    counts).

    Two readings of one sum can make up for each other's error only if one may be too high and the
    other too low. A cell OCR saw blank (read as 0) can only be too low; a reading ``guessed`` from
    its column (a mark taken for a "1") either way. So a sum vouches unless it holds a guessed
    reading together with another guessed reading or with a blank: a missed "1" and a guessed "1"
    in one row keep its total.
    """
    blanks, guessed = set(blanks), set(guessed)
    holding: set[Key] = set()
    failing: set[Key] = set()
    for eq in equations:
        result = _holds(values, eq)
        if result is None:
            continue
        cells = (*eq[0], *eq[1])
        if not result:
            failing.update(cells)
            continue
        n_guessed = sum(k in guessed for k in cells)
        if n_guessed == 0 or (n_guessed == 1 and not any(k in blanks for k in cells)):
            holding.update(cells)
    return holding - failing


def _repair(
    values: dict[Key, Decimal], tied: Mapping[Key, OcrReading], equations: Sequence[Equation]
) -> tuple[dict[Key, Decimal], dict[Key, tuple[Decimal, Decimal]]]:
    """Try the other readings of the cells in failing equations, one cell at a time; take a change
    only when it is the only one that makes every equation hold."""
    failing = [eq for eq in equations if _holds(values, eq) is False]
    if not failing:
        return values, {}
    involved = sorted({k for eq in failing for k in (*eq[0], *eq[1])})
    fixes: list[tuple[Key, Decimal]] = []
    for key in involved:
        reading = tied.get(key)
        if reading is None:
            continue
        for text, _ in reading.alternatives:
            value = _number(text)
            if value is None or value == values[key] or (key, value) in fixes:
                continue
            trial = {**values, key: value}
            if all(_holds(trial, eq) is not False for eq in equations):
                fixes.append((key, value))
    if len(fixes) != 1:
        return values, {}
    key, value = fixes[0]
    return {**values, key: value}, {key: (values[key], value)}


def _localize(values: dict[Key, Decimal], equations: Sequence[Equation]) -> tuple[dict[Key, Decimal], set[Key]]:
    """Take out the cells that failing sums point at: a cell in two or more failing equations (its
    row total and its column sum) when it is the only cell in that many. Each one taken out is left
    out (unconfirmed); the equations it was in no longer count for the other cells, which must
    then be confirmed by another equation of their own."""
    values = dict(values)
    suspects: set[Key] = set()
    while True:
        counts: dict[Key, int] = {}
        for eq in equations:
            if _holds(values, eq) is False:
                for k in {*eq[0], *eq[1]}:
                    counts[k] = counts.get(k, 0) + 1
        if not counts:
            break
        top = max(counts.values())
        worst = [k for k, n in counts.items() if n == top]
        if top < 2 or len(worst) != 1:
            break
        suspects.add(worst[0])
        del values[worst[0]]
    return values, suspects


def _agreed(reading: OcrReading, value: Decimal) -> bool:
    """表二/legacy: confident, and every other reading tried that is a number says the same."""
    if reading.confidence < UNCHECKED_CONFIDENCE:
        return False
    others = [_number(text) for text, _ in reading.alternatives]
    return all(v is None or v == value for v in others)


def _where(cell: Cell) -> str:
    return f"{'/'.join(cell.key)} ({cell.row_label} / {cell.column_label})"


def _unconfirmed(
    cell: Cell, reading: OcrReading | None, values: Mapping[Key, Decimal], equations: Sequence[Equation]
) -> Issue:
    if reading is None:
        why = "it has no OCR reading of its own (placed by the reader, or read as blank)"
    elif cell.key not in values:
        why = f"confidence {reading.confidence:.0f}; the sums it is part of fail, and point at it"
    else:
        mine = [eq for eq in equations if cell.key in (*eq[0], *eq[1])]
        states = [_holds(values, eq) for eq in mine]
        if any(s is False for s in states):
            why = "a sum it is part of does not hold, and no single other reading makes it hold"
        else:
            why = "no sum it is part of has all its cells read"
        why = f"confidence {reading.confidence:.0f}; {why}"
    return Issue(
        "ocr-unconfirmed",
        Severity.WARNING,
        f"{_where(cell)}: read by OCR as {cell.value}, not confirmed ({why}); left out",
        source_text=cell.source_text,
    )


def _with_value(cell: Cell, value: Decimal) -> Cell:
    from dataclasses import replace

    return replace(cell, value=value, source_text=str(value))
