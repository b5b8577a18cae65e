"""Report text whose table cells ran together ("flattened" crawls, templates.md §7).

Some crawlers print a table as one run of text with no separator between cells:
"行政规范性文件693665" is 69 / 3 / 665 and "本年新收…640020470" is 64|0|0|2|0|4|70. This module
finds the template's row labels in order, takes the digits between a label and the next one as
that row's *run*, and cuts every run into the known number of cells.

A cut is accepted only when it is the one cut that the rules allow:

* no number has a leading zero (except "0" itself);
* the row equations hold (表三: the six applicant columns add up to 总计; 表四: each group's four
  results add up to its 总计);
* the table-wide equations hold (表三 per column: 一 + 二 = 三（七）+ 四 and （七）= the sum of the
  outcome rows, as ``checks.table3_problems`` states them), tried jointly over the rows' cuts.

A row whose cut is unique is published, each cell with a ``cells-run-together`` warning. A row that
can be cut more than one way is not published at all; one ``cell-ambiguous`` issue says which run
and how many cuts fit. Nothing is guessed. Whitespace inside a run is ignored: it is not a reliable
cell boundary in these crawls ("230 000023" is 23|0|0|0|0|0|23).

表二 rows have no row equations, so most multi-digit runs there are ambiguous and left out; runs of
one digit a cell ("000") and one-cell rows are read.

A cell printed blank leaves no trace in a run, so every cell is taken to hold at least one digit; in
表三 and 表四 a blank cell shows as a row whose total does not fit, and the row is refused — except a
表三 row of six "0"s for seven cells, which is all 0 whichever cell is blank (``blank-read-as-zero``).

What real crawls print around the rows is tolerated where only one reading is left:

* a 表三 label not found as printed ("5.属于三类内部事物信息", "4.无正当理由大量反复申") is looked for by
  similarity between the rows found before and after it (``row-placed-by-similarity``);
* a label found by part of its name takes its enumeration with it ("…00000003.危及三安全一稳定": the 3 is
  not the previous row's);
* digits at the end of a 表三 run that no cut allows (a page number: "…仍不明确00000005") are dropped when
  exactly one cut of the shorter run fits, and a line break vouches for it or the table's column equations,
  which include the row, hold with it (``not-read`` info naming the digits);
* a 2021-format 表三 printing （六）其他处理 as one row is read with the 2019 rows (``subrows-not-printed``);
* a 表二 cell printed "-" is a cell of its own with no number ("53-" is 53 | -, never 5 | 3);
* in 表三/表四 (no signed values) a dash is a blank cell of its own: the run is cut at its dashes, then the
  digits between them (``split_dashed``: "123----15" is 12|3|-|-|-|-|15; a blank is not assumed 0 when
  cutting); a blank is published as 0 only where the sums prove it or every sum holds with it as 0
  (``solve.prove_zeros`` / ``consistent_zeros``, as the table reader does; ``blank-read-as-zero``), else
  left out (``blank-cell``); six cells of 0 or "-" for seven are read only if all may be 0; a page footer
  "— 3 —" printed after a run is not read.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from rapidfuzz import fuzz

from converter.checks import leaf_rows, table3_rows
from converter.errors import Issue, Severity
from converter.model import Cell, Token
from converter.numbers import nfkc, parse_number
from converter.solve import Equation, Group, consistent_zeros, prove_zeros
from converter.tables.common import money_unit, squash
from converter.tables.layout import (
    APPEAL_CELLS,
    APPLICANT,
    APPLICANT_COLUMNS,
    DISCLOSURE_ROWS,
    REQUEST_ROWS,
    DisclosureRow,
    Generation,
    Measure,
    concept,
)

N3 = len(APPLICANT_COLUMNS)
N4 = len(APPEAL_CELLS)
ROW_SUM: list[Group] = [(tuple(range(N3 - 1)), N3 - 1)]
APPEAL_GROUPS: list[Group] = [((0, 1, 2, 3), 4), ((5, 6, 7, 8), 9), ((10, 11, 12, 13), 14)]

MAX_SPLITS = 5_000  # more cuts of one run than this: too many to tell apart, the run is ambiguous
MAX_RUN = 80  # digits; a longer run is not read
MAX_NODES = 200_000  # bound of one joint search over the 表三 rows

Vector = tuple[int, ...]
WARNING = Severity.WARNING


def _issue(
    code: str,
    message: str,
    *,
    target: tuple[str, ...] | None = None,
    source: str | None = None,
    severity: Severity = WARNING,
) -> Issue:
    return Issue(code, severity, message, target=target, source_text=source)


def _show(vector: Iterable[object]) -> str:
    return "/".join(str(v) for v in vector)


def _agreed(seen: set[int | None]) -> int | None:
    """The one number every cut gives a cell; ``None`` when they differ or it is blank."""
    return next(iter(seen)) if len(seen) == 1 else None


def _examples(cuts: Sequence[Sequence[object]]) -> str:
    return " or ".join(_show(c) for c in cuts[:3]) + (" …" if len(cuts) > 3 else "")


# ---------------------------------------------------------------------------------------------
# Text


_SEPARATORS = {"|"}  # a cell separator is dropped like whitespace: cells it separates form one run


class FlatText:
    """The text normalized for searching (NFKC, no whitespace or "|"), with the way back to the print.

    >>> t = FlatText("规章 ０００")
    >>> t.text, t.printed(2, 5)
    ('规章000', '０００')
    """

    def __init__(self, original: str) -> None:
        chars: list[str] = []
        origin: list[int] = []
        for index, char in enumerate(original):
            for c in unicodedata.normalize("NFKC", char):
                if not c.isspace() and c not in _SEPARATORS:
                    chars.append(c)
                    origin.append(index)
        self.original = original
        self.text = "".join(chars)
        self.origin = origin

    def printed(self, start: int, end: int) -> str:
        """The original text of the normalized span ``[start, end)``, inner whitespace included."""
        if end <= start:
            return ""
        return self.original[self.origin[start] : self.origin[end - 1] + 1]

    def line(self, position: int) -> int:
        """1-based line of the original text at a normalized position."""
        if not self.origin:
            return 1
        index = self.origin[min(position, len(self.origin) - 1)]
        return self.original.count("\n", 0, index) + 1


_PAREN = re.compile(r"\([^()]*\)")
_DIGIT_RUN = re.compile(r"\d+")
# 表三/表四: digits and dashes printed for blank cells ("123----15", "-------")
_COUNT_RUN = re.compile(r"[\d\-−—–]+")
# 表二: counts, signed changes ("-18", "增6") and money ("13575394432.52元")
# A dash may be a sign ("-18") or a whole cell printed "-" for nothing/0 ("53-" is 53 | -): it is part of
# the run, and the split tells the two readings apart (or finds both and refuses).
_VALUE_RUN = re.compile(r"(?:[增减+](?=\d)|[\-−—–])*\d(?:[\d.\-−—–]|[增减+](?=\d))*(?:万元|元)?")
_DASH_CHARS = "-−—–"
_DASH = re.compile(r"[\-−—–]")
_ENUMERATION = re.compile(r"\d+[.、]")


def _mask(segment: str) -> str:
    """Parenthesized text blanked out (keeping positions), so "(单位:万元,保留4位小数)" is no run."""
    return _PAREN.sub(lambda m: "#" * len(m.group()), segment)


def _first_run(text: str, start: int, end: int, pattern: re.Pattern[str]) -> tuple[int, int] | None:
    match = pattern.search(_mask(text[start:end]))
    return None if match is None else (start + match.start(), start + match.end())


def _stray_digits(text: str, start: int, end: int) -> bool:
    """Digits between a row's run and the next label, other than an enumeration like "2."."""
    rest = _ENUMERATION.sub("", _mask(text[start:end]))
    return any(c.isdigit() for c in rest)


@dataclass(frozen=True)
class Run:
    """The digits printed after one row label."""

    start: int
    end: int
    digits: str  # normalized, without whitespace
    printed: str  # as printed
    label: str  # the row label as printed
    line: int


def _find_labels(
    text: FlatText, patterns: Sequence[tuple[str, re.Pattern[str]]], start: int, end: int
) -> list[tuple[str, int, int]]:
    """``(key, start, end)`` of each label found, searched in template order; a label not found is
    skipped (the search goes on from the last label found)."""
    found = []
    position = start
    for key, pattern in patterns:
        match = pattern.search(text.text, position, end)
        if match is not None:
            found.append((key, match.start(), match.end()))
            position = match.end()
    return found


FUZZY_MIN = 85  # a label not found as printed is taken where a span resembles it this much (0-100)
FUZZY_SHORTEST = 5  # shorter names are matched only as printed: one wrong character is too much
_NON_DIGITS = re.compile(r"\D+")


def _fuzzy_label(body: str, names: Sequence[str], start: int, end: int) -> tuple[int, int, float] | None:
    """The span of ``body[start:end]`` that best resembles one of ``names`` ("4.无正当理由大量反复申" for
    无正当理由大量反复申请), searched only in the stretches without digits (a label has none but its
    enumeration); ``None`` when no span scores ``FUZZY_MIN``."""
    best: tuple[int, int, float] | None = None
    for stretch in _NON_DIGITS.finditer(body, start, end):
        segment = stretch.group()
        for name in names:
            if len(name) < FUZZY_SHORTEST:
                continue
            found = fuzz.partial_ratio_alignment(name, segment)
            if found is None:  # only with a score_cutoff, which is not given: for the type checker
                continue
            # scored again on the span itself, so that a short stretch inside a long name does not count
            score = fuzz.ratio(name, segment[found.dest_start : found.dest_end])
            if score >= FUZZY_MIN and (best is None or score > best[2]):
                best = (stretch.start() + found.dest_start, stretch.start() + found.dest_end, score)
    return best


def _with_enumeration(body: str, key: str, start: int, floor: int) -> int:
    """Where a 表三 leaf row's label starts once its enumeration is counted in: a label found by a
    part of its name ("三安全一稳定" in "…00000003.危及三安全一稳定") leaves its "3." behind, and the 3
    would end the previous row's run. Only the row's own number, before "." or "、", is taken."""
    if key.count(".") != 2:
        return start
    number = key.rsplit(".", 1)[1]
    if body.startswith((f"{number}.", f"{number}、"), start):
        return start
    j = start
    while j > floor and not body[j - 1].isdigit():
        j -= 1
    if j < len(body) and body[j] in ".、" and body.endswith(number, floor, j) and j - len(number) > floor:
        return j - len(number)
    return start


def _find_row_labels(
    text: FlatText, patterns: Sequence[tuple[str, re.Pattern[str]]], start: int, end: int, issues: list[Issue]
) -> list[tuple[str, int, int]]:
    """表三 labels: as printed (``_find_labels``), then each label not found is looked for, fuzzily,
    between the run after the label before it and the next label found; order is kept. A label
    found by a part of its name takes its enumeration with it (``_with_enumeration``)."""
    body = text.text
    exact = {key: (s, e) for key, s, e in _find_labels(text, patterns, start, end)}
    keys = [key for key, _ in patterns]
    found: list[tuple[str, int, int]] = []
    for index, key in enumerate(keys):
        if key in exact:
            found.append((key, *exact[key]))
            continue
        low = found[-1][2] if found else start
        high = next((exact[k][0] for k in keys[index + 1 :] if k in exact), end)
        digit = re.compile(r"\d").search(body, low, high)
        window = digit.start() if digit is not None and found else low  # after the previous row's run
        c = concept("request", key)
        names = [squash(n) for n in (c.zh, *c.aliases)]
        match = _fuzzy_label(body, names, window, high)
        if match is None:
            continue
        found.append((key, match[0], match[1]))
        issues.append(
            _issue(
                "row-placed-by-similarity",
                f"表三 row {text.printed(match[0], match[1])!r} placed on row {key} ({c.zh}), label similarity "
                f"{match[2] / 100:.2f}, between the rows before and after it",
                target=("table3", key, "total"),
                source=text.printed(match[0], match[1]),
                severity=Severity.INFO,
            )
        )
    out = []
    for index, (key, s, e) in enumerate(found):
        floor = found[index - 1][2] if index else start
        out.append((key, _with_enumeration(body, key, s, floor), e))
    return out


def _runs(
    text: FlatText,
    labels: list[tuple[str, int, int]],
    end: int,
    pattern: re.Pattern[str],
    zh: str,
    issues: list[Issue],
) -> dict[str, Run]:
    """The first run of digits after each label, before the next label."""
    runs: dict[str, Run] = {}
    for index, (key, label_start, label_end) in enumerate(labels):
        stop = labels[index + 1][1] if index + 1 < len(labels) else end
        span = _first_run(text.text, label_end, stop, pattern)
        label = text.printed(label_start, label_end)
        if span is None:
            issues.append(_issue("not-read", f"{zh} row {label!r}: no digits after its label; nothing read"))
            continue
        if _stray_digits(text.text, span[1], stop):
            issues.append(
                _issue(
                    "not-read",
                    f"{zh} row {label!r}: more digits follow its run before the next label; not read",
                    source=text.printed(span[1], stop),
                    severity=Severity.INFO,
                )
            )
        digits = text.text[span[0] : span[1]]
        runs[key] = Run(span[0], span[1], digits, text.printed(*span), label, text.line(span[0]))
    return runs


# ---------------------------------------------------------------------------------------------
# Splitting one run


def split_run(run: str, n: int, groups: Sequence[Group] = (), limit: int = MAX_SPLITS) -> list[Vector] | None:
    """Every way to cut a run of digits into ``n`` whole numbers without leading zeros such that
    every ``(parts, total)`` equation in ``groups`` holds; ``None`` when there are more than
    ``limit`` such cuts or the run is longer than ``MAX_RUN`` (too many to tell apart).

    >>> split_run("640020470", 7, [((0, 1, 2, 3, 4, 5), 6)])
    [(64, 0, 0, 2, 0, 4, 70)]
    >>> split_run("000", 3)
    [(0, 0, 0)]
    >>> len(split_run("693665", 3))
    10
    """
    if len(run) > MAX_RUN:
        return None
    if not run.isdigit() or len(run) < n:
        return []
    sizes = _blocks(n, groups)
    if sizes is not None:
        return _block_cuts(run, sizes, limit)
    return _walk_cuts(run, n, groups, limit)


def _blocks(n: int, groups: Sequence[Group]) -> list[int] | None:
    """The sizes of consecutive blocks "parts…, total" that ``groups`` make of the ``n`` cells
    (表三: one block of 7; 表四: three of 5), ``None`` when the groups are not of that shape."""
    sizes = []
    start = 0
    for parts, total in sorted(groups, key=lambda g: g[1]):
        if tuple(parts) != tuple(range(start, total)) or total == start:
            return None
        sizes.append(total - start + 1)
        start = total + 1
    return sizes if sizes and start == n else None


def _sum_cuts(run: str, k: int, limit: int) -> list[Vector] | None:
    """Cuts of ``run`` into ``k - 1`` parts followed by their total. The total is tried first; the
    parts are then bounded by what it leaves (no part longer or larger than that)."""
    found: list[Vector] = []
    values: list[int] = []

    def walk(prefix: str, total: int, i: int, pos: int, acc: int) -> bool:
        left = total - acc
        if i == k - 2:  # the last part is what the total leaves
            if prefix[pos:] == str(left):
                found.append((*values, left, total))
            return len(found) <= limit
        remaining = len(prefix) - pos
        parts = k - 1 - i
        widest = len(str(left))
        if remaining > parts * widest:  # some part would be larger than what is left
            return True
        longest = -(-remaining // parts)  # some part has at least this many digits
        if longest > 1 and 10 ** (longest - 1) > left:
            return True
        for length in range(1, min(widest, remaining - parts + 1) + 1):
            piece = prefix[pos : pos + length]
            if length > 1 and piece[0] == "0":
                break
            value = int(piece)
            if value > left:
                break
            values.append(value)
            ok = walk(prefix, total, i + 1, pos + length, acc + value)
            values.pop()
            if not ok:
                return False
        return True

    for width in range(1, len(run) - (k - 1) + 1):
        text = run[len(run) - width :]
        if width > 1 and text[0] == "0":
            continue
        if not walk(run[: len(run) - width], int(text), 0, 0, 0):
            return None
    return found


def _block_cuts(run: str, sizes: Sequence[int], limit: int) -> list[Vector] | None:
    memo: dict[tuple[int, int], list[Vector] | None] = {}

    def rest(block: int, pos: int) -> list[Vector] | None:
        if (block, pos) not in memo:
            memo[(block, pos)] = cut(block, pos)
        return memo[(block, pos)]

    def cut(block: int, pos: int) -> list[Vector] | None:
        if block == len(sizes):
            return [()] if pos == len(run) else []
        found: list[Vector] = []
        after = sum(sizes[block + 1 :])
        for end in range(pos + sizes[block], len(run) - after + 1):
            tails = rest(block + 1, end)
            if tails == []:
                continue
            heads = _sum_cuts(run[pos:end], sizes[block], limit) if tails is not None else None
            if heads is None or tails is None:
                return None
            found += [head + tail for head in heads for tail in tails]
            if len(found) > limit:
                return None
        return found

    return rest(0, 0)


def _walk_cuts(run: str, n: int, groups: Sequence[Group], limit: int) -> list[Vector] | None:
    """Cuts of ``run`` into ``n`` numbers, any equations: every cut, checked as it is made."""
    forced = {total: parts for parts, total in groups if max(parts) < total}
    checks: dict[int, list[Group]] = {}
    for parts, total in groups:
        if forced.get(total) != parts:
            checks.setdefault(max((*parts, total)), []).append((parts, total))
    values = [0] * n
    found: list[Vector] = []

    def holds(i: int) -> bool:
        return all(sum(values[p] for p in parts) == values[total] for parts, total in checks.get(i, ()))

    def walk(i: int, pos: int) -> bool:
        """``False`` once more than ``limit`` cuts are found."""
        remaining = len(run) - pos
        if i == n:
            if remaining == 0:
                found.append(tuple(values))
            return len(found) <= limit
        if remaining < n - i:
            return True
        if i in forced:  # a total whose parts are known: its digits are forced
            text = str(sum(values[p] for p in forced[i]))
            if run.startswith(text, pos) and (i < n - 1 or len(text) == remaining):
                values[i] = int(text)
                return not holds(i) or walk(i + 1, pos + len(text))
            return True
        lengths = [remaining] if i == n - 1 else range(1, remaining - (n - i - 1) + 1)
        for length in lengths:
            piece = run[pos : pos + length]
            if length > 1 and piece[0] == "0":
                break
            values[i] = int(piece)
            if holds(i) and not walk(i + 1, pos + length):
                return False
        return True

    return found if walk(0, 0) else None


Cut = tuple[int | None, ...]  # a cut of a run with dashes: None is a cell printed "-"
_DASH_SEGMENTS = re.compile(r"\d+|[\-−—–]+")


def _dash_cells(group: str) -> list[int]:
    """How many cells a group of dashes stands for: one each, or one per "——" (a Chinese dash)."""
    counts = [len(group)]
    if len(group) % 2 == 0 and set(group) == {"—"} and len(group) > 0:
        counts.append(len(group) // 2)
    return counts


def split_dashed(run: str, n: int, groups: Sequence[Group] = (), max_nodes: int = MAX_NODES) -> list[Cut] | None:
    """Every way to cut a 表三/表四 run printed with dashes for blank cells ("123----15") into ``n``
    cells. These tables hold no signed values, so a dash is a cell of its own (``None``): the run is
    cut at its dashes first, then the digit pieces between them are cut into whole numbers without
    leading zeros. A blank cell is not assumed to be 0: an equation ``(parts, total)`` holds when the
    printed parts add up to at most the printed total (exactly, when no part is blank); a blank total
    is allowed only above parts that are all blank or 0 (a 总计 left blank above printed counts is more
    likely a footer "-5-" or a misprint than a reading). ``None`` when the search is too long.

    >>> split_dashed("123----15", 7, [((0, 1, 2, 3, 4, 5), 6)])
    [(12, 3, None, None, None, None, 15)]
    >>> split_dashed("-------", 7, [((0, 1, 2, 3, 4, 5), 6)])
    [(None, None, None, None, None, None, None)]
    """
    if len(run) > MAX_RUN:
        return None
    segments = _DASH_SEGMENTS.findall(run)
    if "".join(segments) != run:
        return []
    checks: dict[int, list[Group]] = {}
    for parts, total in groups:
        checks.setdefault(max((*parts, total)), []).append((parts, total))
    values: list[int | None] = []
    found: list[Cut] = []
    nodes = 0

    def holds() -> bool:
        for parts, total in checks.get(len(values) - 1, ()):
            shown = [values[p] for p in parts]
            printed = sum(v for v in shown if v is not None)
            bound = values[total]
            if bound is None:
                if printed:
                    return False
            elif printed > bound or (None not in shown and printed != bound):
                return False
        return True

    def least(index: int) -> int:  # the fewest cells the segments from ``index`` on can make
        return sum(min(_dash_cells(s)) if not s[0].isdigit() else 1 for s in segments[index:])

    def walk(index: int, pos: int) -> bool:
        """``pos``: where in the digit segment ``index`` the next number starts; ``False`` once too long."""
        nonlocal nodes
        nodes += 1
        if nodes > max_nodes:
            return False
        if index == len(segments):
            if len(values) == n:
                found.append(tuple(values))
            return True
        segment = segments[index]
        if not segment[0].isdigit():
            for count in _dash_cells(segment):
                if len(values) + count + least(index + 1) > n:
                    continue
                ok = True
                for _ in range(count):
                    values.append(None)
                    ok = ok and holds()
                if ok and not walk(index + 1, 0):
                    return False
                del values[len(values) - count :]
            return True
        for end in range(pos + 1, len(segment) + 1):
            piece = segment[pos:end]
            if len(piece) > 1 and piece[0] == "0":
                break
            values.append(int(piece))
            last = end == len(segment)
            room = len(values) + (least(index + 1) if last else 1 + least(index + 1)) <= n
            if room and holds() and not walk(index + 1 if last else index, 0 if last else end):
                return False
            values.pop()
        return True

    if not walk(0, 0):
        return None
    return list(dict.fromkeys(found))


_CELL_PATTERNS: dict[Measure, re.Pattern[str]] = {
    Measure.COUNT: re.compile(r"0|[1-9]\d*"),
    Measure.CHANGE: re.compile(r"[增减+\-−]?(?:0|[1-9]\d*)"),
    Measure.AMOUNT: re.compile(r"(?:0|[1-9]\d*)(?:\.\d+)?(?:万元|元)?"),
}


def split_cells(run: str, measures: Sequence[Measure], limit: int = MAX_SPLITS) -> list[tuple[str, ...]] | None:
    """Every way to cut a 表二 run into cells of the given measures (no leading zeros; a sign only at
    the start of a change; a decimal point only in an amount, a unit only at the end of the run; a
    lone dash is a cell printed "-", with no number); ``None`` when there are more than ``limit`` cuts.

    >>> split_cells("000", [Measure.COUNT] * 3)
    [('0', '0', '0')]
    >>> split_cells("24252.311082", [Measure.AMOUNT])
    [('24252.311082',)]
    >>> split_cells("350", [Measure.COUNT, Measure.CHANGE])
    [('3', '50'), ('35', '0')]
    >>> split_cells("53-", [Measure.COUNT, Measure.CHANGE])
    [('53', '-')]
    """
    if len(run) > MAX_RUN:
        return None
    n = len(measures)
    found: list[tuple[str, ...]] = []
    pieces: list[str] = []

    def walk(i: int, pos: int) -> bool:
        if i == n:
            if pos == len(run):
                found.append(tuple(pieces))
            return len(found) <= limit
        ends = [len(run)] if i == n - 1 else range(pos + 1, len(run))
        for end in ends:
            piece = run[pos:end]
            if _DASH.fullmatch(piece) is None and (
                _CELL_PATTERNS[measures[i]].fullmatch(piece) is None or (i < n - 1 and piece.endswith("元"))
            ):
                continue
            pieces.append(piece)
            ok = walk(i + 1, end)
            pieces.pop()
            if not ok:
                return False
        return True

    return found if walk(0, 0) else None


# ---------------------------------------------------------------------------------------------
# 表三: the table-wide equations, tried jointly


@dataclass(frozen=True)
class _Equation:
    """For every column: Σ coefficient × row value = 0."""

    terms: tuple[tuple[str, int], ...]


def _equations(rows: Sequence[str], generation: Generation, single_other: bool = False) -> list[_Equation]:
    """The table-wide equations all of whose rows are present (as ``checks.table3_problems``)."""
    present = set(rows)
    equations = []
    head = (("1", 1), ("2", 1), ("3.7", -1), ("4", -1))
    if all(r in present for r, _ in head):
        equations.append(_Equation(head))
    leaves = leaf_rows(generation, single_other=single_other)
    if "3.7" in present and all(r in present for r in leaves):
        equations.append(_Equation((*((r, 1) for r in leaves), ("3.7", -1))))
    return equations


_UNBOUNDED = float("inf")


def _least(cell: int | None) -> int:
    return 0 if cell is None else cell


def _most(cell: int | None) -> float:
    return _UNBOUNDED if cell is None else cell


def _satisfiable(
    options: Mapping[str, Sequence[Cut]], equations: Sequence[_Equation], max_nodes: int = MAX_NODES
) -> bool | None:
    """Whether one cut per row satisfies every equation; ``None`` when the search is too long."""
    order = sorted(options, key=lambda r: (len(options[r]), r != "3.7", r))
    width = N3
    # a cell printed "-" (None) is any count: from 0 up
    low = {r: tuple(min(_least(v[i]) for v in options[r]) for i in range(width)) for r in order}
    high = {r: tuple(max(_most(v[i]) for v in options[r]) for i in range(width)) for r in order}
    chosen: dict[str, Cut] = {}
    nodes = 0

    def feasible() -> bool:  # interval bounds of every equation, per column
        for equation in equations:
            for i in range(width):
                lo = hi = 0.0
                for row, coef in equation.terms:
                    if row in chosen:
                        value = chosen[row][i]
                        a, b = (0, _UNBOUNDED) if value is None else (value, value)
                        lo += coef * a if coef > 0 else coef * b
                        hi += coef * b if coef > 0 else coef * a
                    elif coef > 0:
                        lo += low[row][i]
                        hi += high[row][i]
                    else:
                        lo -= high[row][i]
                        hi -= low[row][i]
                if lo > 0 or hi < 0:
                    return False
        return True

    def walk(depth: int) -> bool | None:
        nonlocal nodes
        if depth == len(order):
            return True
        row = order[depth]
        for vector in options[row]:
            nodes += 1
            if nodes > max_nodes:
                return None
            chosen[row] = vector
            if feasible():
                found = walk(depth + 1)
                if found is not False:
                    del chosen[row]
                    return found
            del chosen[row]
        return False

    return walk(0)


def joint_cuts(
    options: Mapping[str, Sequence[Cut]],
    generation: Generation,
    max_nodes: int = MAX_NODES,
    *,
    single_other: bool = False,
) -> dict[str, list[Cut]] | None:
    """Per row, the cuts that take part in at least one combination satisfying the table-wide
    equations. ``None`` when no combination does or a search exceeds ``max_nodes``; a cut whose
    test exceeds the bound is kept (it could not be ruled out)."""
    rows = [r for r in options if options[r]]
    equations = _equations(rows, generation, single_other)
    narrowed = {r: list(options[r]) for r in rows}
    if not equations:
        return narrowed
    if _satisfiable(narrowed, equations, max_nodes) is not True:
        return None
    for row in sorted(rows, key=lambda r: len(narrowed[r])):
        if len(narrowed[row]) < 2:
            continue
        keep = [
            cut for cut in narrowed[row] if _satisfiable({**narrowed, row: [cut]}, equations, max_nodes) is not False
        ]
        narrowed[row] = keep
    return narrowed


# ---------------------------------------------------------------------------------------------
# 表三


_CN_PREFIX = r"(?:[一二三四]、|\([一二三四五六七]\))?"


def _row_pattern(notation: str) -> re.Pattern[str]:
    """A 表三 row label with its enumeration ("5.属于三类内部事务信息", "(一)予以公开")."""
    if notation == "3.6.3":
        return re.compile(r"3[.、]其他")
    c = concept("request", notation)
    needles = sorted({squash(c.zh), *(squash(a) for a in c.aliases)}, key=len, reverse=True)
    parts = notation.split(".")
    prefix = rf"(?:{parts[-1]}[.、])?" if len(parts) == 3 else _CN_PREFIX
    return re.compile(prefix + "(?:" + "|".join(re.escape(n) for n in needles) + ")")


def _table3_anchor(body: str, generation: Generation) -> int | None:
    anchor = body.find("勾稽关系")
    if anchor >= 0:
        return anchor
    first = _row_pattern(REQUEST_ROWS[generation][0]).search(body)
    return None if first is None else first.start()


MAX_STRAY = 3  # digits at the end of a run that may be a page number glued to it


@dataclass(frozen=True)
class _Repair:
    """A row read only once something printed is accounted for: a blank 总计 in a row of six "0"s, or
    digits at the end of the run that are not the row's (a page number)."""

    kind: str  # "blank-total", "blank-row" (six 0s or dashes, one a dash) or "dropped"
    dropped: str = ""
    vouched: bool = False  # a line break around the dropped digits says they are not the row's
    refusal: Issue | None = None  # what is said if the repair is not confirmed by the table


def _dropped_digits(text: FlatText, run: Run) -> tuple[str, Vector, bool] | None:
    """A run with more digits than any cut allows, whose last 1-3 digits (a number without a leading
    zero, like a page number "5") are the only ones whose removal leaves a run with exactly one cut:
    ``(dropped, cut, vouched)``; ``vouched`` when a line break stands before or after the dropped
    digits in the print."""
    candidates = []
    for width in range(1, MAX_STRAY + 1):
        dropped = run.digits[-width:]
        if len(run.digits) - width < N3 or dropped[0] == "0":
            continue
        cuts = split_run(run.digits[:-width], N3, ROW_SUM)
        if cuts:
            candidates.append((dropped, cuts))
    if len(candidates) != 1 or len(candidates[0][1]) != 1:
        return None
    dropped, (cut,) = candidates[0]
    cut_at = run.end - len(dropped)
    before = text.original[text.origin[cut_at - 1] : text.origin[cut_at]]
    after_end = text.origin[run.end] if run.end < len(text.origin) else len(text.original)
    after = text.original[text.origin[run.end - 1] + 1 : after_end]
    return dropped, cut, "\n" in before or "\n" in after


def _table3_cuts(
    text: FlatText, runs: Mapping[str, Run], issues: list[Issue]
) -> tuple[dict[str, list[Cut]], dict[str, str], dict[str, _Repair]]:
    """Each row's own cuts (leading zeros, row total), what decided them, and the rows read only by a
    repair (``_Repair``)."""
    own: dict[str, list[Cut]] = {}
    reason: dict[str, str] = {}
    repairs: dict[str, _Repair] = {}
    for notation, run in runs.items():
        name = f"表三 row {notation} ({concept('request', notation).zh})"
        if _DASH.search(run.digits):
            _dashed_cuts(notation, run, name, own, reason, repairs, issues)
            continue
        cuts = split_run(run.digits, N3, ROW_SUM)
        if cuts is None:
            issues.append(
                _issue(
                    "cell-ambiguous",
                    f"{name}: the digits {run.printed!r} can be cut in too many ways; none published",
                    source=run.printed,
                )
            )
        elif cuts:
            own[notation] = list(cuts)  # a list[Cut] now: _dashed_cuts adds cuts holding None
            reason[notation] = (
                "the only split whose six applicant columns add up to its 总计"
                if len(cuts) == 1
                else "the only split that fits its 总计 and the column equations (一+二 = 三（七）+四, "
                "（七） = the sum of the outcome rows)"
            )
        elif run.digits == "0" * (N3 - 1):
            # one cell printed blank; whichever it is, six parts adding up to a total of 0 (or to a
            # blank total beside five 0s) are all 0, as counts are never negative
            own[notation] = [(0,) * N3]
            reason[notation] = (
                "six digits for seven cells, all 0: one cell (the 总计, as a blank total is the usual case) was "
                "printed blank, and since the parts add up to the total and no count is negative, every cell is 0"
            )
            repairs[notation] = _Repair("blank-total")
        else:
            refusal = _issue(
                "cell-ambiguous",
                f"{name}: no split of the digits {run.printed!r} into {N3} cells adds up to its 总计; none published",
                source=run.printed,
            )
            dropped = _dropped_digits(text, run) if len(run.digits) > N3 else None
            if dropped is None:  # even one digit a cell would be a guess: a blank cell or a misprint may be the cause
                issues.append(refusal)
                continue
            digits, cut, vouched = dropped
            own[notation] = [cut]
            reason[notation] = (
                f"without its last digits {digits!r} (not the row's: a page number?), the only split whose six "
                "applicant columns add up to its 总计"
                + ("" if vouched else ", confirmed by the column equations of the whole table")
            )
            repairs[notation] = _Repair("dropped", digits, vouched, refusal)
    return own, reason, repairs


def _dashed_cuts(
    notation: str,
    run: Run,
    name: str,
    own: dict[str, list[Cut]],
    reason: dict[str, str],
    repairs: dict[str, _Repair],
    issues: list[Issue],
) -> None:
    """The cuts of a 表三 run printed with dashes for blank cells (``split_dashed``)."""
    cuts = split_dashed(run.digits, N3, ROW_SUM)
    if cuts:
        own[notation] = list(cuts)
        reason[notation] = (
            "cut at its dashes (a cell each), the only split of the digits whose applicant columns fit its 总计"
            if len(cuts) == 1
            else "cut at its dashes (a cell each), the only split that fits its 总计 and the column equations "
            "(一+二 = 三（七）+四, （七） = the sum of the outcome rows)"
        )
        return
    if cuts is not None and len(run.digits) == N3 - 1 and set(run.digits) <= {"0", *_DASH_CHARS}:
        # six cells, each 0 or blank, for seven: one blank left no trace; the row is all 0 or blank
        # wherever it stands, and is published only if every blank may be read as 0
        own[notation] = [(None,) * N3]
        reason[notation] = "six cells for seven, each 0 or printed '-': the row holds no count but 0"
        repairs[notation] = _Repair("blank-row")
        return
    what = "can be cut in too many ways" if cuts is None else f"has no split into {N3} cells that fits its 总计"
    issues.append(
        _issue(
            "cell-ambiguous",
            f"{name}: the run {run.printed!r}, cut at its dashes (a cell each), {what}; none published",
            source=run.printed,
        )
    )


# a page footer "— 3 —" glued to the end of a run: never part of a row, whose 总计 it would leave blank
# above a part of 3 (``split_dashed`` has no such cut). Read as a footer only when printed with a space or a
# line break in it, as footers are; one dash before the number (the dashes before it are the row's).
_FOOTER = re.compile(r"[\-−—–][1-9]\d{0,2}[\-−—–]+$")


def _strip_footers(text: FlatText, runs: Mapping[str, Run], issues: list[Issue]) -> dict[str, Run]:
    """The runs without a page footer ("0000000— 3 —" is 0000000 and the footer of page 3)."""
    out = {}
    for notation, run in runs.items():
        footer = _FOOTER.search(run.digits)
        end = run.start + footer.start() if footer is not None else run.end
        if footer is not None and footer.start() > 0 and any(c.isspace() for c in text.printed(end, run.end)):
            issues.append(
                _issue(
                    "not-read",
                    f"表三 row {notation} ({concept('request', notation).zh}): {text.printed(end, run.end)!r} at the end "
                    f"of its run {run.printed!r} is a page footer, not read as part of the row",
                    source=run.printed,
                    severity=Severity.INFO,
                )
            )
            run = Run(run.start, end, run.digits[: footer.start()], text.printed(run.start, end), run.label, run.line)
        out[notation] = run
    return out


def _blank_zeros(
    rows: Mapping[str, Cut], generation: Generation, single_other: bool
) -> tuple[dict[tuple[str, int], Equation[tuple[str, int]]], set[tuple[str, int]]]:
    """The blank cells of the published rows that are 0: proven by a sum (``solve.prove_zeros``) or
    read as 0 as every sum they are part of holds with them as 0 (``solve.consistent_zeros``), the
    rule of the table reader (``tables.table3``)."""
    values = {(r, i): None if v is None else Decimal(v) for r, vector in rows.items() for i, v in enumerate(vector)}
    equations: list[Equation[tuple[str, int]]] = [(tuple((r, i) for i in range(N3 - 1)), ((r, N3 - 1),)) for r in rows]
    leaves = leaf_rows(generation, single_other=single_other)
    for i in range(N3):
        equations.append(((("1", i), ("2", i)), (("3.7", i), ("4", i))))
        equations.append((tuple((r, i) for r in leaves), (("3.7", i),)))
    zeros = prove_zeros(values, equations)
    read_as_zero = consistent_zeros({**values, **dict.fromkeys(zeros, Decimal(0))}, equations)
    return zeros, read_as_zero


def _why_zero(equation: Equation[tuple[str, int]] | None) -> str:
    if equation is None:
        return "every sum of the table it is part of holds with it as 0"
    left, right = equation
    rows = {r for r, _ in (*left, *right)}
    if len(rows) == 1:
        return "which the row total (six applicant cells = 总计) proves"
    if len(left) == 2 and len(right) == 2:
        return "which the 勾稽关系 (一 + 二 = 三（七）+ 四) proves"
    return "which the column sum （七）总计 = the outcome rows proves"


# "（六）其他处理" with its own run of digits (not "（六）其他处理1.申请人…"): a 2021-format table printing
# the 2019 row 3.6 instead of the three rows 3.6.1–3.6.3
_SINGLE_OTHER = re.compile(r"\(六\)其他处理(?=\d+(?![\d.、]))")


def _table3_labels(
    text: FlatText, generation: Generation, start: int, end: int, issues: list[Issue]
) -> tuple[list[str], list[tuple[str, int, int]], bool]:
    """The rows expected, the labels found, and whether （六）其他处理 is printed as one row in a
    2021-format table (then the 2019 rows are expected: ``checks.table3_rows(single_other=True)``)."""
    expected = REQUEST_ROWS[generation]
    notes: list[Issue] = []
    labels = _find_row_labels(text, [(n, _row_pattern(n)) for n in expected], start, end, notes)
    if (
        generation is Generation.GEN2021
        and not any(key.startswith("3.6.") for key, _, _ in labels)
        and _SINGLE_OTHER.search(text.text, start, end) is not None
    ):
        expected = table3_rows(generation, single_other=True)
        notes = []
        labels = _find_row_labels(text, [(n, _row_pattern(n)) for n in expected], start, end, notes)
        issues.extend(notes)
        return expected, labels, True
    issues.extend(notes)
    return expected, labels, False


def _in_equations(notation: str, rows: Sequence[str], generation: Generation, single_other: bool) -> bool:
    return any(notation == r for e in _equations(rows, generation, single_other) for r, _ in e.terms)


def _read_table3(text: FlatText, generation: Generation, issues: list[Issue]) -> tuple[list[Cell], int | None]:
    """表三 cells, and where the table ends (``None``: not found)."""
    zh = "表三"
    body = text.text
    anchor = _table3_anchor(body, generation)
    if anchor is None:
        issues.append(_issue("table-missing", f"{zh} was not found in the report"))
        return [], None
    carry = body.find("结转下年度", anchor)
    end = body.find("行政复议", carry if carry >= 0 else anchor)
    end = len(body) if end < 0 else end
    expected, labels, single_other = _table3_labels(text, generation, anchor, end, issues)
    found = {key for key, _, _ in labels}
    for notation in expected:
        if notation not in found:
            issues.append(
                _issue(
                    "not-read",
                    f"{zh} row {notation} ({concept('request', notation).zh}): label not found in the flattened text; "
                    "the row is left out",
                )
            )
    runs = _strip_footers(text, _runs(text, labels, end, _COUNT_RUN, zh, issues), issues)
    own, reason, repairs = _table3_cuts(text, runs, issues)

    joint = joint_cuts(own, generation, single_other=single_other)
    # digits dropped with no line break to vouch for it: only when the table's equations, which
    # include the row, hold with it
    unvouched = [n for n, r in repairs.items() if r.kind == "dropped" and not r.vouched]
    present = [r for r in own if own[r]]
    if unvouched and (joint is None or not all(_in_equations(n, present, generation, single_other) for n in unvouched)):
        for notation in unvouched:
            del own[notation]
            refusal = repairs.pop(notation).refusal
            if refusal is not None:
                issues.append(refusal)
        joint = joint_cuts(own, generation, single_other=single_other)
    if joint is None:
        joint = own
        if any(len(c) > 1 for c in own.values()):
            issues.append(
                _issue(
                    "cell-ambiguous",
                    f"{zh}: no combination of the rows' splits satisfies the column equations (or there are too many to "
                    "try); only rows whose own 总计 decides their split are published",
                )
            )

    decided = {r: cuts[0] for r, cuts in joint.items() if len(cuts) == 1}
    zeros, read_as_zero = _blank_zeros(decided, generation, single_other)
    cells: list[Cell] = []
    for notation in expected:
        if notation not in joint:
            continue
        run = runs[notation]
        name = f"{zh} row {notation} ({concept('request', notation).zh})"
        cuts = joint[notation]
        if len(cuts) != 1:
            cells += _agreed_cells(run, notation, name, cuts, issues)
            continue
        (vector,) = cuts
        repair = repairs.get(notation)
        blank = [
            i
            for i, v in enumerate(vector)
            if v is None and (notation, i) not in zeros and (notation, i) not in read_as_zero
        ]
        if repair is not None and repair.kind == "blank-row" and blank:
            issues.append(
                _issue(
                    "cell-ambiguous",
                    f"{name}: six cells {run.printed!r} for seven, each 0 or '-', and the table's sums do not let "
                    "every blank be 0; the row is left out",
                    source=run.printed,
                )
            )
            continue
        printed = run.printed
        if repair is not None and repair.kind == "dropped":
            printed = text.printed(run.start, run.end - len(repair.dropped))
            issues.append(
                _issue(
                    "not-read",
                    f"{name}: the digits {repair.dropped!r} at the end of its run {run.printed!r} are not read as "
                    f"part of the row (a page number?): no split of the whole run adds up to its 总计, and only "
                    f"without them does one",
                    source=run.printed,
                    severity=Severity.INFO,
                )
            )
        shown = _show("-" if v is None else v for v in vector)
        message = f"{name}: the digits {run.printed!r} ran together; {reason[notation]} is {shown}"
        for i, column in enumerate(APPLICANT_COLUMNS):
            target = ("table3", notation, column)
            if vector[i] is None:
                if (notation, i) not in zeros and (notation, i) not in read_as_zero:
                    issues.append(
                        _issue(
                            "blank-cell",
                            f"{name}, column {APPLICANT[i].zh}: printed '-' in the run {run.printed!r} and the "
                            "arithmetic does not prove it 0; no value published",
                            target=target,
                            source=run.printed,
                        )
                    )
                    continue
                issues.append(
                    _issue(
                        "blank-read-as-zero",
                        f"{name}, column {APPLICANT[i].zh}: printed '-' in the run {run.printed!r} ({reason[notation]}: "
                        f"{shown}); published as 0, {_why_zero(zeros.get((notation, i)))}",
                        target=target,
                        source=run.printed,
                        severity=Severity.INFO,
                    )
                )
            cells.append(_table3_cell(notation, i, Decimal(vector[i] or 0), printed, run))
            if vector[i] is None:
                continue
            if repair is not None and repair.kind == "blank-total" and column == APPLICANT_COLUMNS[-1]:
                issues.append(
                    _issue(
                        "blank-read-as-zero",
                        f"{name}, column 总计: the row prints six digits {run.printed!r}, all 0, for seven cells; "
                        "the blank cell is published as 0, since six parts adding up to a total of 0 are all 0 "
                        "(counts are never negative)",
                        target=target,
                        source=run.printed,
                        severity=Severity.INFO,
                    )
                )
            else:
                issues.append(_issue("cells-run-together", message, target=target, source=run.printed))
    if single_other and "3.6" in joint and len(joint["3.6"]) == 1:
        issues.append(
            _issue(
                "subrows-not-printed",
                f"{zh} prints （六）其他处理 as one row in a 2021-format table; it is published as row 3.6, "
                "its sub-rows 3.6.1–3.6.3 were not printed",
                target=("table3", "3.6", "total"),
                source=runs["3.6"].label,
                severity=Severity.INFO,
            )
        )
    return cells, end


# ---------------------------------------------------------------------------------------------
# 表四


def _table3_cell(notation: str, i: int, value: Decimal, printed: str, run: Run) -> Cell:
    """The 表三 observation of column ``i`` of a row read from a run."""
    return Cell(
        table="table3",
        codes=(("request", notation), ("applicant", APPLICANT_COLUMNS[i])),
        measure=Measure.COUNT,
        value=value,
        source_text=printed,
        row_label=run.label,
        column_label=APPLICANT[i].zh,
        line=run.line,
    )


def _table4_cell(i: int, value: Decimal, printed: str, line: int) -> Cell:
    """The 表四 observation of cell ``i`` (of the 15) read from a run."""
    proceeding, result = APPEAL_CELLS[i]
    return Cell(
        table="table4",
        codes=(("proceeding", proceeding), ("result", result)),
        measure=Measure.COUNT,
        value=value,
        source_text=printed,
        row_label=concept("proceeding", proceeding).zh,
        column_label=concept("result", result).zh,
        line=line,
    )


def _agreed_cells(
    run: Run, notation: str, name: str, cuts: Sequence[Sequence[int | None]], issues: list[Issue]
) -> list[Cell]:
    """A 表三 row that several splits fit: the cells every split gives the same number (often the
    row's 总计) are certain all the same and published; the others are left out with a note."""
    cells: list[Cell] = []
    undecided: list[str] = []
    for i, column in enumerate(APPLICANT_COLUMNS):
        value = _agreed({cut[i] for cut in cuts})
        if value is None:
            undecided.append(APPLICANT[i].zh)
            continue
        target = ("table3", notation, column)
        cells.append(_table3_cell(notation, i, Decimal(value), run.printed, run))
        issues.append(
            _issue(
                "cells-run-together",
                f"{name}: the digits {run.printed!r} ran together; {len(cuts)} splits fit the arithmetic "
                f"({_examples(cuts)}) and every one gives {value} in column {APPLICANT[i].zh}",
                target=target,
                source=run.printed,
            )
        )
    issues.append(
        _issue(
            "cell-ambiguous",
            f"{name}: the digits {run.printed!r} ran together and {len(cuts)} splits fit the arithmetic "
            f"({_examples(cuts)}); the columns they differ in ({', '.join(undecided)}) are not published",
            source=run.printed,
        )
    )
    return cells


def _table4_agreed(
    text: FlatText, span: tuple[int, int], printed: str, cuts: Sequence[Sequence[int | None]], issues: list[Issue]
) -> list[Cell]:
    """表四 when several splits fit its three 总计 equations: the cells on which every split agrees are
    certain all the same (a group that only one cut of the run fits); the others are left out.

    >>> issues = []
    >>> cells = _table4_agreed(FlatText("1"), (0, 1), "72641783735113481261211620",
    ...     [(72, 64, 178, 37, 351, 13, 4, 8, 1, 26, 12, 1, 1, 6, 20), (72, 64, 178, 37, 351, 13, 4, 8, 1, 26, 1, 2, 11, 6, 20)], issues)
    >>> [(c.key[1], c.key[2], int(c.value)) for c in cells][-3:]
    [('litigation-direct', 'total', 26), ('litigation-after-review', 'pending', 6), ('litigation-after-review', 'total', 20)]
    >>> sorted({i.code for i in issues})
    ['cell-ambiguous', 'cells-run-together']
    """
    zh = "表四"
    cells: list[Cell] = []
    for i, (proceeding, result) in enumerate(APPEAL_CELLS):
        target = ("table4", proceeding, result)
        label = f"{zh} {concept('proceeding', proceeding).zh} {concept('result', result).zh}"
        seen = {cut[i] for cut in cuts}
        value = _agreed(seen)
        if value is None:
            shown = " or ".join(str(v) for v in sorted(v for v in seen if v is not None))
            issues.append(
                _issue(
                    "cell-ambiguous",
                    f"{label}: the digits {printed!r} ran together and {len(cuts)} splits fit the three 总计 equations; "
                    f"they differ here ({shown}); none published",
                    source=printed,
                )
            )
            continue
        cells.append(_table4_cell(i, Decimal(value), printed, text.line(span[0])))
        message = (
            f"{zh}: the digits {printed!r} ran together; {len(cuts)} splits fit the three 总计 equations and every one "
            f"of them gives {value} here"
        )
        issues.append(_issue("cells-run-together", message, target=target, source=printed))
    return cells


def _read_table4(text: FlatText, start: int | None, issues: list[Issue]) -> list[Cell]:
    zh = "表四"
    body = text.text
    span = None if start is None else _first_run(body, start, len(body), _COUNT_RUN)
    if start is None or span is None or "尚未审结" not in body[start : span[0]]:
        issues.append(_issue("table-missing", f"{zh} was not found in the report"))
        return []
    digits, printed = body[span[0] : span[1]], text.printed(*span)
    dashed = _DASH.search(digits) is not None
    cuts: Sequence[Cut] | None = (
        split_dashed(digits, N4, APPEAL_GROUPS) if dashed else split_run(digits, N4, APPEAL_GROUPS)
    )
    if cuts and len(cuts) > 1 and not dashed:
        return _table4_agreed(text, span, printed, cuts, issues)
    if not cuts or len(cuts) > 1:
        what = "too many splits" if cuts is None else f"{len(cuts)} splits" if cuts else "no split"
        issues.append(
            _issue(
                "cell-ambiguous",
                f"{zh}: the digits {printed!r} ran together and {what} into {N4} cells fit the three 总计 equations"
                f"{f' ({_examples(cuts)})' if cuts else ''}; none published",
                source=printed,
            )
        )
        return []
    (vector,) = cuts
    shown = _show("-" if v is None else v for v in vector)
    how = "cut at its dashes (a cell each), " if dashed else ""
    message = f"{zh}: the digits {printed!r} ran together; {how}the only split that fits the arithmetic is {shown}"
    equations: list[Equation[int]] = [(parts, (total,)) for parts, total in APPEAL_GROUPS]
    values = {i: None if v is None else Decimal(v) for i, v in enumerate(vector)}
    zeros = prove_zeros(values, equations)
    read_as_zero = consistent_zeros({**values, **dict.fromkeys(zeros, Decimal(0))}, equations)
    cells = []
    for i, (proceeding, result) in enumerate(APPEAL_CELLS):
        target = ("table4", proceeding, result)
        label = f"{zh} {concept('proceeding', proceeding).zh} {concept('result', result).zh}"
        if vector[i] is None:
            if i not in zeros and i not in read_as_zero:
                issues.append(
                    _issue(
                        "blank-cell",
                        f"{label}: printed '-' in the run {printed!r} and its group's 总计 does not prove it 0; "
                        "no value published",
                        target=target,
                        source=printed,
                    )
                )
                continue
            why = (
                "which its group's 总计 (维持 + 纠正 + 其他 + 尚未审结) proves"
                if i in zeros
                else "its group's sum (维持 + 纠正 + 其他 + 尚未审结 = 总计) holds with it as 0"
            )
            issues.append(
                _issue(
                    "blank-read-as-zero",
                    f"{label}: printed '-' in the run {printed!r} ({shown}); published as 0, {why}",
                    target=target,
                    source=printed,
                    severity=Severity.INFO,
                )
            )
        cells.append(_table4_cell(i, Decimal(vector[i] or 0), printed, text.line(span[0])))
        if vector[i] is not None:
            issues.append(_issue("cells-run-together", message, target=target, source=printed))
    return cells


# ---------------------------------------------------------------------------------------------
# 表二

# 2021-format tables that keep the 2019 label (templates.md §7 "template drift")
_ITEM_ALIASES = {"administrative-normative-document": ("规范性文件",)}


def _item_pattern(item: str) -> re.Pattern[str]:
    needles = sorted({concept("item", item).zh, *_ITEM_ALIASES.get(item, ())}, key=len, reverse=True)
    return re.compile("|".join(re.escape(squash(n)) for n in needles))


def _read_table2(text: FlatText, generation: Generation, end: int, issues: list[Issue]) -> list[Cell]:
    zh = "表二"
    body = text.text
    layout = DISCLOSURE_ROWS[generation]
    start = body.rfind("第二十条第(一)项", 0, end)
    if start < 0:
        section = body.rfind("主动公开政府信息情况", 0, end)
        start = body.find("信息内容", max(section, 0), end)
    if start < 0:
        issues.append(_issue("table-missing", f"{zh} was not found in the report"))
        return []
    labels = _find_labels(text, [(str(i), _item_pattern(row.item)) for i, row in enumerate(layout)], start, end)
    found = {int(key) for key, _, _ in labels}
    for i, row in enumerate(layout):
        if i not in found:
            issues.append(
                _issue(
                    "not-read",
                    f"{zh} row {concept('item', row.item).zh}: label not found in the flattened text; left out",
                )
            )
    runs = _runs(text, labels, end, _VALUE_RUN, zh, issues)
    cells: list[Cell] = []
    previous = start
    for key, label_start, _ in labels:
        header = body[previous:label_start]  # the block header, with any unit it states
        run = runs.get(key)
        previous = run.end if run else label_start
        if run is not None:
            cells += _table2_row(layout[int(key)], run, header, issues)
    return cells


def _table2_row(entry: DisclosureRow, run: Run, header: str, issues: list[Issue]) -> list[Cell]:
    item = concept("item", entry.item).zh
    name = f"表二 row {item}"
    measures = [m for _, m in entry.columns]
    cuts = split_cells(run.digits, measures)
    if not cuts or len(cuts) > 1:
        what = "too many splits" if cuts is None else f"{len(cuts)} splits" if cuts else "no split"
        issues.append(
            _issue(
                "cell-ambiguous",
                f"{name}: the digits {run.printed!r} ran together and {what} into {len(measures)} cells are possible"
                f"{f' ({_examples(cuts)})' if cuts else ''}; 表二 has no arithmetic to decide, none published",
                source=run.printed,
            )
        )
        return []
    (pieces,) = cuts
    message = (
        f"{name}: the digits {run.printed!r} ran together; the only split into {len(measures)} cells is {_show(pieces)}"
    )
    cells = []
    for (column, measure), piece in zip(entry.columns, pieces, strict=True):
        key = ("table2", entry.provision, entry.item, column)
        label = f"表二 {item} / {concept('column', column).zh}"
        number = parse_number(piece)
        if number is None:  # a cell printed "-": no number to publish
            issues.append(
                _issue(
                    "blank-cell",
                    f"{label}: printed {piece!r} in the run {run.printed!r}; no value published",
                    target=key,
                    source=run.printed,
                )
            )
            continue
        unit = None
        if measure is Measure.AMOUNT:
            unit, note = money_unit(number, header, column, label, key, piece)
            if note is not None:
                issues.append(note)
        cells.append(
            Cell(
                table="table2",
                codes=(("provision", entry.provision), ("item", entry.item), ("column", column)),
                measure=measure,
                value=number.value,
                source_text=run.printed,
                row_label=run.label,
                column_label=concept("column", column).zh,
                line=run.line,
                unit=unit,
            )
        )
        if len(pieces) > 1:
            issues.append(_issue("cells-run-together", message, target=key, source=run.printed))
    return cells


# ---------------------------------------------------------------------------------------------
# Entry points


def read_flat(text: str, generation: Generation) -> tuple[list[Cell], list[Issue]]:
    """表二, 表三 and 表四 cells from text whose table cells ran together (legacy: ``read_flat_legacy``)."""
    if generation is Generation.LEGACY:
        return read_flat_legacy(text)
    flat = FlatText(text)
    issues: list[Issue] = []
    table3, end3 = _read_table3(flat, generation, issues)
    anchor = _table3_anchor(flat.text, generation)
    anchor = len(flat.text) if anchor is None else anchor
    heading = flat.text.rfind("收到和处理政府信息公开申请", 0, anchor)
    table2 = _read_table2(flat, generation, heading if heading >= 0 else anchor, issues)
    table4 = _read_table4(flat, end3, issues)
    return table2 + table3 + table4, issues


_GLUED_LABELS = "|".join(re.escape(squash(concept("request", n).zh)) for n in ("1", "2", "3.1", "4"))
_GLUED = re.compile(f"(?:{_GLUED_LABELS})" + r"[ \u3000\u00a0]*[0-9０-９\-−—–]")
_CELL_SPLIT = re.compile(r"[\t|\n]")
_ROW_LABELS = (*(squash(concept("request", n).zh) for n in REQUEST_ROWS[Generation.GEN2019]), "结果维持", "总计")


def looks_flat(text: str) -> bool:
    """The 表三 labels are there, a label runs straight into digits, and no label stands in a cell
    of its own followed by a number cell (i.e. no table row has separated numbers)."""
    normalized = nfkc(text)
    squashed = squash(normalized)
    # the short names ("本年新收"): a label wrapped around its run ("本年新收政府信0000000息公开…") lacks the full one
    if sum(squash(concept("request", n).aliases[0]) in squashed for n in ("1", "2", "4")) < 2:
        return False
    cells = [c.strip() for c in _CELL_SPLIT.split(normalized) if c.strip()]
    for here, after in itertools.pairwise(cells):
        if parse_number(after) is not None and squash(here).endswith(_ROW_LABELS):
            return False
    return any(_GLUED.search(c) for c in cells)


# ---------------------------------------------------------------------------------------------
# Legacy 统计表: "指标名称计量单位2018年度历年累计主动公开文件数条206912106其中:1.政府…"

_LEGACY_ROW = re.compile(
    r"(?:其中:?)?(?:(?P<enum>\d{1,2})[.、])?(?P<label>[^\d]+?)(?P<unit>万条|条|件|项|个)(?P<run>\d+(?:\.\d+)?)"
)


# The two numeric columns, 本年度 first: "2018年度历年累计", "本年度历年累计", "本年数累计数".
_LEGACY_HEADER = re.compile(r"(?:本年度|本年数|本年|\d{4}年度?)(?:数)?(?:历年累计数?|累计数)")


def looks_flat_legacy(text: str) -> bool:
    """A legacy 统计表 whose rows ran together: "…历年累计主动公开文件数条206912106其中:1.…"."""
    for cell in _CELL_SPLIT.split(text):
        squashed = squash(cell)
        found = _LEGACY_HEADER.search(squashed)
        if found is None or not any(w in squashed[: found.start()] for w in ("统计表", "附表", "指标名称")):
            continue
        first = _LEGACY_ROW.match(squashed, found.end())
        if first is not None and _LEGACY_ROW.match(squashed, first.end()) is not None:
            return True
    return False


def read_flat_legacy(
    text: str, lines: Sequence[str] | None = None, year: int | None = None
) -> tuple[list[Cell], list[Issue]]:
    """Legacy cells from a flattened 统计表 with the columns 本年度 | 历年累计.

    Each row is "label unit run"; the run is cut into the two columns (no leading zeros; 历年累计 is
    at least 本年度). When the next label starts with an enumeration ("2.政府公报公开数"), its
    number ran into this run and is taken off first. Rows with exactly one cut are handed to the
    legacy reader (``tables.legacy.read_legacy``), which maps labels to concepts and adds what only
    the prose states; a row with several cuts is left out with a ``cell-ambiguous`` issue.
    """
    from converter.tables.legacy import read_legacy

    flat = FlatText(text)
    body = flat.text
    issues: list[Issue] = []
    tokens: list[Token] = []
    notes: list[tuple[str, str, str]] = []  # (label, run as printed, split) of the rows cut in two
    start = max(body.rfind("统计表"), body.rfind("附表"))
    if start >= 0:
        header = _LEGACY_HEADER.search(body, start)
        columns = 2 if header is not None else 1
        position = header.end() if header is not None else start + 3
        tokens.append(Token("统计表", flat.line(start)))
        while (match := _LEGACY_ROW.match(body, position)) is not None:
            label, run, run_start = match["label"], match["run"], match.start("run")
            position = match.end()
            if body[position : position + 1] in {".", "、"} and "." not in run:  # "…2069121062." + "政府公报…"
                wanted = str(int(match["enum"]) + 1) if match["enum"] else "1"
                if not run.endswith(wanted) or len(run) == len(wanted):
                    issues.append(
                        _issue(
                            "not-read",
                            f"统计表 row {label}: its digits {run!r} cannot be told from the next row's number; "
                            "reading stops here",
                        )
                    )
                    break
                run = run[: -len(wanted)]
                position -= len(wanted)
            printed = flat.printed(run_start, run_start + len(run))
            line = flat.line(run_start)
            tokens += [Token(label, line), Token(match["unit"], line)]
            value = run if columns == 1 else _legacy_value(run, label, printed, issues)
            if value is not None:
                tokens.append(Token(value, line))
                if columns == 2:
                    notes.append((label, printed, f"{value}/{run[len(value) :]}"))
        if len(tokens) == 1:
            issues.append(_issue("not-read", "统计表 found but no row could be read from the flattened text"))
    cells, found = read_legacy(tokens, list(lines) if lines is not None else text.splitlines(), year)
    for label, printed, split in notes:
        for cell in cells:
            if cell.row_label == label:
                issues.append(
                    _issue(
                        "cells-run-together",
                        f"统计表 row {label}: the digits {printed!r} ran together; "
                        f"the only split into 本年度/历年累计 is {split}",
                        target=cell.key,
                        source=printed,
                    )
                )
    return cells, issues + found


def _legacy_value(run: str, label: str, printed: str, issues: list[Issue]) -> str | None:
    """The 本年度 value of a two-column run, when the run can be cut only one way."""
    cuts = [c for c in (split_run(run, 2) or []) if c[1] >= c[0]] if "." not in run else []
    if len(cuts) == 1:
        return str(cuts[0][0])
    issues.append(
        _issue(
            "cell-ambiguous",
            f"统计表 row {label}: the digits {printed!r} ran together and "
            + (f"{len(cuts)} splits into 本年度/历年累计 fit ({_examples(cuts)})" if cuts else "no split could be made")
            + "; none published",
            source=printed,
        )
    )
    return None
