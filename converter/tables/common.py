"""Helpers shared by the table readers."""

from __future__ import annotations

import re
from decimal import Decimal

from converter.model import Token
from converter.numbers import normalize, parse_number

_SPACES = re.compile(r"\s+")


def squash(text: str) -> str:
    """Normalize a label for comparison: NFKC, no spaces, ASCII parentheses.

    >>> squash("（一） 予以公开")
    '(一)予以公开'
    """
    return _SPACES.sub("", normalize(text))


def cell_value(token: Token) -> Decimal | None:
    """The number a value cell states, ``None`` for a blank marker such as "-"."""
    number = parse_number(token.text)
    return None if number is None else number.value


def is_count(value: Decimal) -> bool:
    return value >= 0 and value == value.to_integral_value()
