"""Text to cells: every extracted line is cut into cells (by tab or ``|``), and runs of numeric
cells are grouped into rows under the label cells that precede them.

This one reading serves the three text shapes real reports arrive in: tab-separated rows, one cell
per line (Word), and ``|``-separated cells (web pages). Position, not header text, places values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from converter.model import SourceDoc, Token
from converter.numbers import is_value, normalize

_SPLIT = re.compile(r"[\t|]")
_ARTEFACTS = re.compile(r"\[bookmark: [^\]]*\]")
_RULE = re.compile(r"^[-=:\s|]+$")  # markdown rules like "-------------" or "|---|---|"


def tokenize(doc: SourceDoc) -> list[Token]:
    """Cut every line into cells; empty cells and markdown rules are dropped."""
    tokens: list[Token] = []
    for index, line in enumerate(doc.lines):
        page = doc.pages[index] if doc.pages else None
        if _is_rule(line):
            continue
        if "[bookmark: " in line:
            line = _ARTEFACTS.sub("", line)
        for position, part in enumerate(_SPLIT.split(line)):
            text = normalize(part)
            if text:
                tokens.append(Token(text=text, line=index + 1, page=page, part=position))
    return tokens


def _is_rule(line: str) -> bool:
    """A markdown rule ("-------------", "|---|:--:|"), not a row of cells printed "-" for 0
    ("-\t-\t-", "- | - | -"): every cell of a rule is three characters or more."""
    if not (_RULE.match(line) and "-" in line and len(line.strip()) > 2):
        return False
    return all(len(part.strip()) > 2 for part in _SPLIT.split(line) if part.strip())


@dataclass(frozen=True)
class Row:
    """Label cells followed by the run of value cells they head."""

    labels: tuple[Token, ...]
    values: tuple[Token, ...]

    @property
    def label(self) -> str:
        return " ".join(t.text for t in self.labels)

    @property
    def line(self) -> int:
        return (self.values or self.labels)[0].line


def group_rows(tokens: Sequence[Token]) -> list[Row]:
    """Group cells into rows: a row is a run of values and the labels right before it.

    Labels with no values after them (headers) become rows with no values.
    """
    rows: list[Row] = []
    labels: list[Token] = []
    values: list[Token] = []
    for token in tokens:
        if is_value(token.text):
            values.append(token)
            continue
        if values:
            rows.append(Row(tuple(labels), tuple(values)))
            labels, values = [], []
        labels.append(token)
    if labels or values:
        rows.append(Row(tuple(labels), tuple(values)))
    return rows


def find(tokens: Sequence[Token], needles: Iterable[str], start: int = 0) -> int | None:
    """Index of the first token at or after ``start`` containing any needle."""
    needles = tuple(needles)
    for index in range(start, len(tokens)):
        if any(n in tokens[index].text for n in needles):
            return index
    return None


def find_match(tokens: Sequence[Token], pattern: re.Pattern[str], start: int = 0) -> int | None:
    for index in range(start, len(tokens)):
        if pattern.search(tokens[index].text):
            return index
    return None
