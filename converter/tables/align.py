"""Printed rows placed on the template's rows by an alignment that weighs label similarity and order.

The statutory rows come in a fixed order, but real tables print them with typos or characters
missing ("4.无正当理由大量反复申"), labels wrapped over two lines with the numbers printed between the
halves, a page number or a footer inside the table, a repeated header after a page break, or a
2021-format 表三 that prints （六）其他处理 as one row instead of three. Exact label lookups drop such
rows (and with them the rows after them); placing by position alone shifts every row after an extra
or a missing one.

:func:`align` places the printed rows on a template sequence like a sequence alignment (dynamic
programming): rows keep their order, a printed row may be left out (junk: a page number, a
footer), a template row may stay empty (not printed), and each placement scores the similarity of
the printed label to the template's label (fuzzy: RapidFuzz's Indel ratio, on the label from its
last enumeration marker "1." / "（一）" / "一、" on) and how well the row's cell count fits. The
table reader then lets the arithmetic choose between this placement and the plain positional one.

Pure functions on labels: text in, placements out.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from converter.tables.common import squash
from converter.tables.layout import concept

# Enumeration markers as they stand after ``squash`` (NFKC, no spaces): "一、", "(一)", "1." / "1、"
_MARKER = re.compile(r"[一二三四五六七八九十]{1,2}、|\([一二三四五六七八九十]{1,2}\)|(?<![\d.])\d{1,2}[.、](?!\d)")
_CHINESE_NUMBERS = "一二三四五六七"

# The enumeration each template row prints before its label.
MARKERS: dict[str, str] = {
    "1": "一、",
    "2": "二、",
    "3.7": "(七)",
    "4": "四、",
    "3.1": "(一)",
    "3.2": "(二)",
    "3.3": "(三)",
    "3.4": "(四)",
    "3.5": "(五)",
    "3.6": "(六)",
}
_ENUMERATION_COMMA = re.compile(r"(?<![\d.])(\d{1,2})、")
MIN_SIMILARITY = 0.6  # below this a label does not vouch for a row: only its cell count does


def marker(notation: str) -> str:
    """The enumeration a row prints: "(一)" for 3.1, "4." for 3.5.4.

    >>> marker("3.5.4"), marker("3.2"), marker("4")
    ('4.', '(二)', '四、')
    """
    if notation in MARKERS:
        return MARKERS[notation]
    return f"{notation.rsplit('.', 1)[1]}."


def strip_marker(text: str) -> str:
    """A squashed label without its leading enumeration marker.

    >>> strip_marker("(一)予以公开"), strip_marker("4.无正当理由大量反复申请")
    ('予以公开', '无正当理由大量反复申请')
    """
    match = _MARKER.match(text)
    return text[match.end() :] if match else text


def tail(label: str) -> str:
    """The part of a row's label that names the row: from its last enumeration marker on.

    A row's label cells often carry the group above it ("（三）不予公开 1.属于国家秘密") or the second
    half of the row before it, wrapped ("反复申请 5.要求行政机关确认…").

    >>> tail("(三)不予公开1.属于国家秘密")
    '1.属于国家秘密'
    >>> tail("反复申请5.要求行政机关确认或重新出具已获取信息")
    '5.要求行政机关确认或重新出具已获取信息'
    """
    starts = [m.start() for m in _MARKER.finditer(label)]
    return label[starts[-1] :] if starts else label


@functools.cache
def _names(notation: str) -> tuple[tuple[str, str], ...]:
    """(label with its marker, label without) for the template wording and each alias."""
    c = concept("request", notation)
    names = [c.zh, *c.aliases]
    if notation == "3.6.3":
        names = ["其他"]
    return tuple((marker(notation) + squash(n), squash(n)) for n in names)


@functools.lru_cache(maxsize=1 << 12)
def similarity(label: str, notation: str) -> float:
    """How well a printed row label (squashed) names the template row, from 0 to 1.

    >>> similarity(squash("4.无正当理由大量反复申"), "3.5.4") > 0.9
    True
    >>> similarity(squash("（三）不于公开 1.属于国家秘密"), "3.3.1")
    1.0
    >>> similarity(squash("（六）其他处理"), "3.6.3") < MIN_SIMILARITY
    True
    """
    if not label:
        return 0.0
    label = _ENUMERATION_COMMA.sub(r"\1.", label)  # "3、其他" is "3.其他"
    end = tail(label)
    bare = strip_marker(end)
    best = 0.0
    for marked, plain in _names(notation):
        # a tail printed with another enumeration than this row's weighs its words less
        other_marker = end != bare and not marked.startswith(end[: len(end) - len(bare)])
        score = max(fuzz.ratio(end, marked), fuzz.ratio(bare, plain) * (0.8 if other_marker else 1.0))
        if len(plain) >= 4 and end == label:  # no marker at all: the name may stand among other words
            score = max(score, 0.9 * fuzz.partial_ratio(plain, label))
        best = max(best, score / 100)
    return best


@dataclass(frozen=True)
class Match:
    """One printed row placed on one template row."""

    index: int  # of the printed row
    notation: str
    similarity: float


def fit(count: int, n: int) -> float:
    """How well a row's number of value cells fits a template row of ``n`` cells."""
    if count == n:
        return 1.0
    if count > n:
        return 0.7
    return max(0.1, 1.0 - 0.25 * (n - count))


def align(labels: Sequence[str], counts: Sequence[int], template: Sequence[str], n: int) -> tuple[float, list[Match]]:
    """The best order-keeping placement of printed rows (their squashed ``labels`` and value
    ``counts``) on the ``template`` rows, and its score.

    A placement's score is the sum over placed rows of ``fit × (0.5 + similarity)``, a similarity
    below ``MIN_SIMILARITY`` counting as none; a row whose label does not resemble the template row
    may be placed only when it has about a full row of cells (a table without labels is placed by
    position).

    >>> rows = ["一、本年新收", "二、上年结转", "- 5 -", "四、结转下年度继续办理"]
    >>> [m.notation for m in align([squash(r) for r in rows], [7, 7, 1, 7], ["1", "2", "4"], 7)[1]]
    ['1', '2', '4']
    """
    k, m = len(labels), len(template)
    score = [[0.0] * (m + 1) for _ in range(k + 1)]
    move = [[0] * (m + 1) for _ in range(k + 1)]  # 0: skip printed row, 1: skip template row, 2: match
    for i in range(1, k + 1):
        for j in range(m + 1):
            best, how = score[i - 1][j], 0
            if j > 0:
                if score[i][j - 1] > best:
                    best, how = score[i][j - 1], 1
                sim = similarity(labels[i - 1], template[j - 1])
                if sim >= MIN_SIMILARITY or counts[i - 1] >= n - 1:
                    vouches = sim if sim >= MIN_SIMILARITY else 0.0  # faint likenesses must not add up
                    value = score[i - 1][j - 1] + fit(counts[i - 1], n) * (0.5 + vouches)
                    if value > best:
                        best, how = value, 2
            score[i][j], move[i][j] = best, how
        # j == 0 row: only skipping printed rows
    matches: list[Match] = []
    i, j = k, m
    while i > 0 and j > 0:
        how = move[i][j]
        if how == 2:
            matches.append(Match(i - 1, template[j - 1], similarity(labels[i - 1], template[j - 1])))
            i, j = i - 1, j - 1
        elif how == 1:
            j -= 1
        else:
            i -= 1
    matches.reverse()
    return score[k][m], matches
