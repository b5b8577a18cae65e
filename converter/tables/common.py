"""Helpers shared by the table readers."""

from __future__ import annotations

import functools
import re
from decimal import Decimal

from converter.errors import Issue, Severity
from converter.model import Token
from converter.numbers import MEMO_LENGTH, MONEY_UNITS, Number, header_unit, normalize, parse_number
from converter.tables.layout import TEMPLATE_UNITS, concept

_SPACES = re.compile(r"\s+")


def squash(text: str) -> str:
    """Normalize a label for comparison: NFKC, no spaces, ASCII parentheses.

    >>> squash("（一） 予以公开")
    '(一)予以公开'
    """
    return _squash(text) if len(text) <= MEMO_LENGTH else _squashed(text)


def _squashed(text: str) -> str:
    return _SPACES.sub("", normalize(text))


_squash = functools.lru_cache(maxsize=1 << 12)(_squashed)  # labels recur thousands of times a report


def cell_value(token: Token) -> Decimal | None:
    """The number a value cell states, ``None`` for a blank marker such as "-"."""
    number = parse_number(token.text)
    return None if number is None else number.value


def is_count(value: Decimal) -> bool:
    return value >= 0 and value == value.to_integral_value()


def money_unit(
    number: Number, header: str, column: str, label: str, key: tuple[str, ...], source: str
) -> tuple[str | None, Issue | None]:
    """The unit of a money cell and the note it needs: the cell's own unit; else the one its
    column header (or the template) states, noted as ``unit-from-header``; else none, noted as
    ``unit-missing`` — the number is never rescaled.
    """
    if number.unit in MONEY_UNITS:
        return number.unit, None
    from_header = header_unit(header) or TEMPLATE_UNITS.get(column)
    if from_header is not None:
        shown = header or concept("column", column).zh
        message = f"{label}: unit {from_header} taken from the column header {shown!r}"
        return from_header, Issue("unit-from-header", Severity.INFO, message, target=key, source_text=source)
    message = f"{label}: {source!r} states no unit (元 or 万元?); published as printed, not rescaled"
    return None, Issue("unit-missing", Severity.WARNING, message, target=key, source_text=source)
