"""表二 主动公开政府信息情况: item rows under 第二十条 provision blocks, placed by position."""

from __future__ import annotations

from collections.abc import Sequence

from converter.errors import Issue, Severity
from converter.model import Cell, Token
from converter.numbers import BLANK_CELL, parse_number
from converter.tables.common import is_count, money_unit, squash
from converter.tables.layout import (
    DISCLOSURE_ROWS,
    DisclosureRow,
    Generation,
    Measure,
    concept,
)
from converter.tokens import Row, group_rows

TABLE = "table2"
ZH = "表二"


def _headers(row: Row) -> list[str]:
    """The column headers printed before a row's item label (after "信息内容")."""
    texts = [t.text for t in row.labels[:-1]]
    if "信息内容" in texts:
        texts = texts[texts.index("信息内容") + 1 :]
    return texts


def _match_item(row: Row, layout: list[DisclosureRow]) -> int | None:
    if not row.labels:
        return None
    last = squash(row.labels[-1].text)
    for i, entry in enumerate(layout):
        if squash(concept("item", entry.item).zh) == last:
            return i
    return None


def _is_heading(row: Row, layout: list[DisclosureRow]) -> bool:
    """A row of empty cells under a label that is no item ("第二十条第（五）项" with the grid's blanks,
    or the stray empty cell before "信息内容"): a heading, not a data row."""
    return all(t.text == BLANK_CELL for t in row.values) and _match_item(row, layout) is None


def fit_cells(values: Sequence[Token], expected: int) -> tuple[Token, ...]:
    """The row's value cells cut to the template's ``expected`` count where that is unambiguous.

    Only cells printed EMPTY (``BLANK_CELL``, which the extractors write for an empty table cell) are
    dropped, never a printed "-" or "0": first the trailing ones (the 2019 template's empty third cell
    of 20-8/20-9); then, if exactly ``expected`` printed cells remain, the empty ones around them (a
    value in a cell merged across three columns, which a PDF grid cuts along the other rows' rules:
    "(空白) | 447228 | (空白)"). Otherwise the cells come back as they are, and the row is left out.

    >>> row = lambda *texts: [Token(text, line=1) for text in texts]
    >>> [t.text for t in fit_cells(row("12", "3", BLANK_CELL), 2)]
    ['12', '3']
    >>> [t.text for t in fit_cells(row(BLANK_CELL, "447228", BLANK_CELL), 1)]
    ['447228']
    >>> len(fit_cells(row("1", BLANK_CELL, "2", "3"), 2))  # which column "1" belongs to is not known
    4
    """
    cells = tuple(values)
    if len(cells) <= expected:
        return cells
    end = len(cells)
    while end > expected and cells[end - 1].text == BLANK_CELL:
        end -= 1
    if end == expected:
        return cells[:end]
    printed = tuple(t for t in cells if t.text != BLANK_CELL)
    if len(printed) == expected:
        return printed
    return cells


def read_table2(tokens: Sequence[Token], generation: Generation) -> tuple[list[Cell], list[Issue]]:
    issues: list[Issue] = []
    layout = DISCLOSURE_ROWS[generation]
    rows = [r for r in group_rows(tokens) if r.values and not _is_heading(r, layout)]
    if len(rows) == len(layout):
        pairs = list(zip(layout, rows, strict=True))
        for entry, row in pairs:
            index = _match_item(row, layout)
            if index is not None and layout[index] is not entry:
                issues.append(
                    Issue(
                        "label-mismatch",
                        Severity.WARNING,
                        f"{ZH}: row labelled {row.labels[-1].text!r} stands where {concept('item', entry.item).zh} belongs; placed by position",
                        source_text=row.label,
                    )
                )
    else:
        issues.append(
            Issue(
                "not-read",
                Severity.WARNING,
                f"{ZH} has {len(rows)} rows with numbers, expected {len(layout)}; rows were matched by their item labels",
            )
        )
        pairs = []
        for row in rows:
            index = _match_item(row, layout)
            if index is None:
                issues.append(
                    Issue(
                        "not-read",
                        Severity.WARNING,
                        f"{ZH}: row {row.label!r} matches no item of the {generation.value} template; left out",
                    )
                )
            else:
                pairs.append((layout[index], row))

    cells: list[Cell] = []
    block_headers: list[str] = []
    for entry, row in pairs:
        headers = _headers(row)
        if headers:
            block_headers = headers
            _check_headers(entry, headers, issues)
        values = fit_cells(row.values, len(entry.columns))
        if len(values) != len(entry.columns):
            issues.append(
                Issue(
                    "cell-ambiguous",
                    Severity.WARNING,
                    f"{ZH} row {concept('item', entry.item).zh} has {len(row.values)} cells, expected {len(entry.columns)}; the row is left out",
                    source_text=" ".join(t.text for t in row.values),
                )
            )
            continue
        for j, ((column, measure), token) in enumerate(zip(entry.columns, values, strict=True)):
            cell = _read_cell(entry, column, measure, token, row, block_headers, j, issues)
            if cell is not None:
                cells.append(cell)
    return cells, issues


def _check_headers(entry: DisclosureRow, headers: list[str], issues: list[Issue]) -> None:
    expected = [concept("column", c).zh for c, _ in entry.columns]
    if len(headers) != len(expected):
        return
    for seen, wanted in zip(headers, expected, strict=True):
        s, w = squash(seen), squash(wanted)
        if s != w and w.startswith(s):
            issues.append(
                Issue(
                    "truncated-header",
                    Severity.INFO,
                    f"{ZH} {concept('provision', entry.provision).zh}: column header {seen!r} is cut short (template: {wanted}); the column was placed by its position",
                    source_text=seen,
                )
            )


def _read_cell(
    entry: DisclosureRow,
    column: str,
    measure: Measure,
    token: Token,
    row: Row,
    headers: list[str],
    j: int,
    issues: list[Issue],
) -> Cell | None:
    key = (TABLE, entry.provision, entry.item, column)
    label = f"{concept('item', entry.item).zh} / {concept('column', column).zh}"
    number = parse_number(token.text)
    if number is None:
        issues.append(
            Issue(
                "blank-cell",
                Severity.WARNING,
                f"{ZH} {label}: printed {token.text!r}; no value published",
                source_text=token.text,
            )
        )
        return None
    value, unit = number.value, None
    if measure is Measure.COUNT and not is_count(value):
        issues.append(
            Issue(
                "cell-ambiguous",
                Severity.WARNING,
                f"{ZH} {label}: {token.text!r} is not a count; left out",
                source_text=token.text,
            )
        )
        return None
    if measure is Measure.CHANGE and value != value.to_integral_value():
        issues.append(
            Issue(
                "cell-ambiguous",
                Severity.WARNING,
                f"{ZH} {label}: {token.text!r} is not a whole number; left out",
                source_text=token.text,
            )
        )
        return None
    if measure is Measure.AMOUNT:
        header = headers[j] if j < len(headers) else ""
        unit, note = money_unit(number, header, column, f"{ZH} {label}", key, token.text)
        if note is not None:
            issues.append(note)
    return Cell(
        table=TABLE,
        codes=(("provision", entry.provision), ("item", entry.item), ("column", column)),
        measure=measure,
        value=value,
        source_text=token.text,
        row_label=row.labels[-1].text if row.labels else "",
        column_label=headers[j] if j < len(headers) else concept("column", column).zh,
        line=token.line,
        page=token.page,
        unit=unit,
        part=token.part,
    )
