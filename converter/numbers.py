"""Numbers as reports print them: "增 6", "减 540", "28370 万元", "73802895.90元", " 0", "-".

Pure functions on strings. Those on a cell's text are memoized for short strings: a report asks
about the same few hundred cells and labels thousands of times (issue 7).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# Unit words a cell may carry, mapped to the notation of the ``unit`` code list.
UNITS: dict[str, str] = {
    "万元": "wan-yuan",
    "元": "yuan",
    "万条": "wan-tiao",
    "件": "item",
    "条": "item",
    "项": "item",
    "个": "item",
}
MONEY_UNITS = {"wan-yuan", "yuan"}
# Written by the HTML/DOCX/PDF extractors for a table cell printed empty, so that it keeps its position.
BLANK_CELL = "(空白)"
BLANKS = {"-", "—", "–", "－", "/", "／", "无", "——", "--", BLANK_CELL}

_NUMBER = re.compile(
    r"^(?P<sign>[增减+\-−])?\s*(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)\s*(?P<unit>万元|元|万条|件|条|项|个)?$"
)
_HEADER_UNIT = re.compile(r"单位\s*[:：]?\s*(万元|元|万条)|[（(]\s*(万元|元|万条)\s*[)）]")


# Texts up to this length (cells, labels) are memoized, the most recently asked about; longer ones
# (paragraphs) only the last few hundred, which the current report asks about again (metadata,
# tokens and the flat-text check each normalize every line); whole documents never. Each memo
# holds a few MB at most.
MEMO_LENGTH = 100
LINE_MEMO_LENGTH = 4096
_memo = functools.lru_cache(maxsize=1 << 12)
_line_memo = functools.lru_cache(maxsize=1 << 8)


@dataclass(frozen=True)
class Number:
    value: Decimal
    unit: str | None  # unit notation, or None when the cell states none
    signed: bool  # the cell carried a sign word or character


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, line by line: a line break composes with nothing,
    so each line normalizes on its own, and a line already seen is not normalized again.

    >>> nfkc("（一）\\n２０１９")
    '(一)\\n2019'
    """
    if "\n" in text:
        return "\n".join(map(_nfkc_line, text.split("\n")))
    return _nfkc_line(text)


def _nfkc_line(text: str) -> str:
    if text.isascii():  # ASCII is NFKC already
        return text
    if len(text) <= MEMO_LENGTH:
        return _nfkc_short(text)
    if len(text) <= LINE_MEMO_LENGTH:
        return _nfkc_long(text)
    return unicodedata.normalize("NFKC", text)


_nfkc_short = _memo(functools.partial(unicodedata.normalize, "NFKC"))
_nfkc_long = _line_memo(functools.partial(unicodedata.normalize, "NFKC"))


def normalize(text: str) -> str:
    """NFKC (full-width digits and punctuation to ASCII) and strip.

    >>> normalize(" ０ ")
    '0'
    """
    return _normalize(text) if len(text) <= MEMO_LENGTH else _normalized(text)


def _normalized(text: str) -> str:
    return nfkc(text).replace("\u00a0", " ").strip()


_normalize = _memo(_normalized)


def is_blank(text: str) -> bool:
    """A cell printed as a dash or slash: present, but with no number.

    >>> is_blank("-"), is_blank("0")
    (True, False)
    """
    return normalize(text) in BLANKS


def parse_number(text: str) -> Number | None:
    """Read one numeric cell; ``None`` when the text is not a number.

    >>> parse_number("增 6")
    Number(value=Decimal('6'), unit=None, signed=True)
    >>> parse_number("减 540").value
    Decimal('-540')
    >>> parse_number("28370 万元")
    Number(value=Decimal('28370'), unit='wan-yuan', signed=False)
    >>> parse_number("1. 属于国家秘密") is None
    True
    """
    return _parse_number(text) if len(text) <= MEMO_LENGTH else _read_number(text)


def _read_number(text: str) -> Number | None:
    match = _NUMBER.match(normalize(text))
    if match is None:
        return None
    try:
        value = Decimal(match["num"].replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the regex admits only digits
        return None
    sign = match["sign"]
    if sign in {"减", "-", "−"}:
        value = -value
    unit = UNITS.get(match["unit"]) if match["unit"] else None
    return Number(value=value, unit=unit, signed=sign is not None)


_parse_number = _memo(_read_number)  # a Number is immutable: one can be shared


def is_value(text: str) -> bool:
    """A numeric or blank-marker cell (as opposed to a label)."""
    return _is_value(text) if len(text) <= MEMO_LENGTH else _value(text)


def _value(text: str) -> bool:
    return parse_number(text) is not None or is_blank(text)


_is_value = _memo(_value)


def header_unit(text: str) -> str | None:
    """The unit a column header states, e.g. "采购总金额（单位：万元，保留4位小数）" → "wan-yuan".

    >>> header_unit("采购总金额（单位：万元，保留4位小数）")
    'wan-yuan'
    >>> header_unit("采购总金额") is None
    True
    """
    match = _HEADER_UNIT.search(normalize(text))
    if match is None:
        return None
    return UNITS[match[1] or match[2]]
