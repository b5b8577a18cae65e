"""Legacy reports (2008 regulation, up to 2018): figures from 附表/统计表 and from the prose.

Table figures win; a figure stated only in the prose is published with a ``legacy-from-prose``
note, and one the prose states differently from the table gets a ``prose-table-mismatch`` note.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from converter.errors import Issue, Severity
from converter.model import Cell, Token
from converter.numbers import UNITS, Number, normalize, parse_number
from converter.tables.common import squash
from converter.tables.layout import LEGACY, Measure, concept
from converter.tables.prose import LITIGATION, RECEIVED, REVIEW, decided, find_statements, small_number
from converter.tokens import find

TABLE = "legacy"
_SPACES = re.compile(r"\s+")

# Prose patterns: the number follows the phrase; first match wins. "N" stands for the number,
# in digits or small Chinese numerals, perhaps after 共/共计/合计 ("受理申请共计12件"); the lines are
# read without spaces ("受理 12 件") and with ASCII digits.
_N = r"(?:共计|共|合计|总计|计)?(\d+(?:\.\d+)?|[零〇一二两三四五六七八九十]{1,3})"
PROSE: dict[str, tuple[str, ...]] = {
    "proactive-disclosed": (r"主动公开政府信息N(万条|条)",),
    "applications-received": (
        r"受理(?:政府信息公开|依申请公开)?申请(?:数|总数)?N件",
        r"收到(?:政府信息公开|依申请公开)?申请(?:数|总数)?N件",
        r"受理N件(?:政府信息公开|依申请公开)?申请",
    ),
    "applications-in-person": (r"当面申请N件",),
    "applications-online": (r"网络申请N件", r"网上申请N件"),
    "applications-letter": (r"信函申请N件",),
    "applications-fax": (r"传真申请N件",),
    "applications-email": (r"电子邮件申请N件",),
    "answered": (r"答复政府信息公开申请件?N件",),
    "already-public": (r"属已主动公开范围N件",),
    "granted": (r"(?<!不)同意公开答复N件", r"(?<!不)同意公开N件"),
    "partially-granted": (r"同意部分公开(?:答复)?N件",),
    "refused": (r"不同意公开(?:答复)?N件",),
    "refused-privacy": (r"个人隐私N件",),
    "refused-other-law": (r"法律法规规定的其他(?:形式|情形)N件",),
    "not-this-agency": (r"不属于本行政机关公开N件",),
    "not-exist": (r"申请信息不存在N件",),
    "asked-to-amend": (r"告知作出更改补充N件",),
    "referred-elsewhere": (r"告知通过其他途径办理N件",),
    "review": (r"行政复议N件",),
    "review-upheld": (r"维持具体行政行为N件",),
    "review-corrected": (r"被依法纠错N件",),
    "review-other": (r"其他情形N件",),
    "litigation": (r"行政诉讼N件",),
}
_PROSE_RE = {
    notation: tuple(re.compile(p.replace("N", _N, 1)) for p in patterns) for notation, patterns in PROSE.items()
}
# A figure counted over several years is not the year's: "历年累计受理申请120件", "自2008年以来共受理…".
_CUMULATIVE = ("累计", "历年", "以来", "截至", "截止", "上年", "去年")
_CLAUSE_START = re.compile(r"[，,。；;：:！!？?]")
# What the prose states as none ("未收到政府信息公开申请"), when the table does not mention it.
_STATED_NONE = {RECEIVED: "applications-received", REVIEW: "review", LITIGATION: "litigation"}


@dataclass(frozen=True)
class Figure:
    notation: str
    value: Decimal
    unit: str | None
    text: str
    label: str
    line: int
    page: int | None
    sentence: str = ""  # the sentence a prose figure was read from


def _match_label(text: str) -> str | None:
    """The legacy concept a table label names: the longest wording it contains."""
    label = squash(re.sub(r"^其中[:：]?", "", normalize(text)))
    best: tuple[int, str] | None = None
    for c in LEGACY:
        for needle in (c.zh, *c.aliases):
            n = squash(needle)
            if n and n in label and (best is None or len(n) > best[0]):
                best = (len(n), c.notation)
    return best[1] if best else None


_YEAR_COLUMN = re.compile(r"本年|本期|^\d{4}年度?$|年度数|当年")
_OTHER_COLUMN = re.compile(r"累计|上年|去年|同比|增减")


def _columns(tokens: Sequence[Token], start: int) -> tuple[int, int] | None:
    """Where the 本年度 column stands among the numeric columns the header names, and how many
    there are: ``(1, 2)`` for "指标名称 | 计量单位 | 历年累计 | 本年度"; ``None`` when the header
    names no 本年度 column (one numeric column, or no header)."""
    kinds: list[str] = []
    for token in tokens[start + 1 : start + 16]:
        text = squash(token.text)
        if _OTHER_COLUMN.search(text):
            kinds.append("other")
        elif _YEAR_COLUMN.search(text):
            kinds.append("year")
        elif parse_number(text) is not None or (kinds and _match_label(text) is not None):
            break
    if kinds.count("year") != 1:
        return None
    return kinds.index("year"), len(kinds)


def table_figures(tokens: Sequence[Token], issues: list[Issue], mentioned: set[str] | None = None) -> dict[str, Figure]:
    """Figures from the 附表: a label, perhaps a unit cell, then the number (of the 本年度 column,
    when the header names several). ``mentioned`` receives every concept the table has a row for."""
    start = find(tokens, ("附表", "统计表"))
    if start is None:
        return {}
    columns = _columns(tokens, start)
    found: dict[str, list[Figure]] = {}
    unread: list[str] = []
    i = start
    while i < len(tokens):
        notation = _match_label(tokens[i].text) if parse_number(tokens[i].text) is None else None
        if notation is not None and mentioned is not None:
            mentioned.add(notation)
        if notation is not None and columns is not None and columns[1] > 1:
            i = _row_of_columns(tokens, i, notation, columns, found, issues)
            continue
        if notation is None:
            following = [t.text for t in tokens[i + 1 : i + 3]]
            if (
                parse_number(tokens[i].text) is None
                and any(parse_number(t) is not None for t in following)
                and tokens[i].text not in UNITS
                and tokens[i].text != "单位"
            ):
                unread.append(tokens[i].text)
            i += 1
            continue
        unit = None
        for j in range(i + 1, min(i + 4, len(tokens))):
            text = tokens[j].text
            if text in UNITS:
                unit = UNITS[text]
                continue
            number = parse_number(text)
            if number is not None:
                found.setdefault(notation, []).append(
                    Figure(
                        notation,
                        number.value,
                        number.unit or unit,
                        text,
                        tokens[i].text,
                        tokens[j].line,
                        tokens[j].page,
                    )
                )
                i = j
            break
        i += 1
    if unread:
        issues.append(
            Issue(
                "not-read",
                Severity.INFO,
                f"附表 rows with no legacy concept were not read: {', '.join(dict.fromkeys(unread))}",
            )
        )
    figures: dict[str, Figure] = {}
    for notation, seen in found.items():
        if len(seen) == 1:
            figures[notation] = seen[0]
        else:  # the same figure several times: a breakdown (by level, say), not the total
            issues.append(
                Issue(
                    "not-read",
                    Severity.INFO,
                    f"附表: {concept('legacy', notation).zh} appears {len(seen)} times "
                    f"({', '.join(str(f.value) for f in seen)}), a breakdown this converter does not model; not read from the table",
                )
            )
    return figures


def _row_of_columns(
    tokens: Sequence[Token],
    i: int,
    notation: str,
    columns: tuple[int, int],
    found: dict[str, list[Figure]],
    issues: list[Issue],
) -> int:
    """Read the 本年度 cell of a row with several numeric columns; returns the next token index."""
    position, count = columns
    unit = None
    numbers: list[tuple[Token, Number]] = []
    j = i + 1
    while j < len(tokens) and len(numbers) < count:
        text = tokens[j].text
        if text in UNITS and not numbers:
            unit = UNITS[text]
        elif (number := parse_number(text)) is not None:
            numbers.append((tokens[j], number))
        else:
            break
        j += 1
    if len(numbers) == count:
        token, number = numbers[position]
        found.setdefault(notation, []).append(
            Figure(notation, number.value, number.unit or unit, token.text, tokens[i].text, token.line, token.page)
        )
    elif numbers:
        issues.append(
            Issue(
                "cell-ambiguous",
                Severity.WARNING,
                f"统计表 row {tokens[i].text}: {len(numbers)} numbers for {count} columns, so which is 本年度 is "
                "not known; none published",
                source_text=" ".join(t.text for t, _ in numbers),
            )
        )
    return max(j, i + 1)


def prose_figures(lines: Sequence[str], year: int | None = None) -> dict[str, Figure]:
    """The figures the prose states with a number, the first sentence that states each."""
    figures: dict[str, Figure] = {}
    normalized = [_SPACES.sub("", normalize(line)) for line in lines]  # once, not once per pattern
    for notation, patterns in _PROSE_RE.items():
        for pattern in patterns:
            for number, line in enumerate(normalized, start=1):
                figure = _first_figure(notation, pattern, line, number)
                if figure is not None:
                    figures[notation] = figure
                    break
            if notation in figures:
                break
    return figures


def _first_figure(notation: str, pattern: re.Pattern[str], line: str, number: int) -> Figure | None:
    for match in pattern.finditer(line):
        starts = [m.end() for m in _CLAUSE_START.finditer(line, 0, match.start())]
        clause_start = starts[-1] if starts else 0
        if any(word in line[clause_start : match.end()] for word in _CUMULATIVE):
            continue
        value = Decimal(match[1]) if match[1][0].isdigit() else small_number(match[1])
        if value is None:
            continue
        unit = UNITS.get(match[2]) if match.lastindex and match.lastindex >= 2 else None
        return Figure(notation, Decimal(value), unit, match[0], match[0], number, None, _sentence(line, match))
    return None


def _sentence(line: str, match: re.Match[str]) -> str:
    """The sentence around a match."""
    start = max(line.rfind(end, 0, match.start()) for end in "。；;！!？?") + 1
    ends = [i for i in (line.find(end, match.end()) for end in "。；;！!？?") if i >= 0]
    return line[start : min(ends) if ends else len(line)]


def read_legacy(
    tokens: Sequence[Token], lines: Sequence[str], year: int | None = None
) -> tuple[list[Cell], list[Issue]]:
    issues: list[Issue] = []
    mentioned: set[str] = set()
    table = table_figures(tokens, issues, mentioned)
    prose = prose_figures(lines, year)
    stated, _ = decided(find_statements(lines, year))
    none = {}  # figures the prose states as none and neither the table nor another sentence states
    for stated_figure, notation in _STATED_NONE.items():
        statement = stated.get(stated_figure)
        if statement is not None and statement.value == 0 and notation not in mentioned and notation not in prose:
            none[notation] = Figure(
                notation,
                Decimal(0),
                None,
                statement.sentence,
                statement.sentence,
                statement.line,
                None,
                statement.sentence,
            )
    cells: list[Cell] = []
    for c in LEGACY:
        figure = table.get(c.notation) or prose.get(c.notation) or none.get(c.notation)
        if figure is None:
            continue
        key = (TABLE, c.notation)
        if c.notation in none:
            issues.append(
                Issue(
                    "legacy-from-prose",
                    Severity.INFO,
                    f"{c.zh}: read from the report's prose ({figure.sentence!r}), which states that there was none; published as 0",
                    target=key,
                    source_text=figure.sentence,
                )
            )
        elif c.notation not in table:
            issues.append(
                Issue(
                    "legacy-from-prose",
                    Severity.INFO,
                    f"{c.zh}: read from the report's prose ({figure.text!r}), not from a table",
                    target=key,
                    source_text=figure.text,
                )
            )
        elif c.notation in prose and prose[c.notation].value != figure.value:
            said = prose[c.notation]
            issues.append(
                Issue(
                    "prose-table-mismatch",
                    Severity.WARNING,
                    f"{c.zh}: the table states {figure.value}, the prose {said.value} in the sentence "
                    f"{said.sentence or said.text!r}; the table value is published",
                    target=key,
                    source_text=figure.text,
                )
            )
        whole = figure.value == figure.value.to_integral_value() and figure.unit in (None, "item")
        cells.append(
            Cell(
                table=TABLE,
                codes=(("legacy", c.notation),),
                measure=Measure.COUNT if whole else Measure.QUANTITY,
                value=figure.value,
                source_text=figure.text,
                row_label=figure.label,
                column_label="",
                line=figure.line,
                page=figure.page,
                unit=None if whole else figure.unit,
            )
        )
    if not cells:
        issues.append(
            Issue("table-missing", Severity.WARNING, "no legacy figure (受理, 同意公开, 行政复议 …) could be read")
        )
    return cells, issues
