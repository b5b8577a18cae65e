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
from converter.numbers import UNITS, normalize, parse_number
from converter.tables.common import squash
from converter.tables.layout import LEGACY, Measure, concept
from converter.tokens import find

TABLE = "legacy"

# Prose patterns: the number follows the phrase; first match wins.
PROSE: dict[str, tuple[str, ...]] = {
    "proactive-disclosed": (r"主动公开政府信息(\d+(?:\.\d+)?)(万条|条)",),
    "applications-received": (r"受理(?:政府信息公开)?申请(\d+)件", r"收到(?:政府信息公开)?申请(\d+)件"),
    "applications-in-person": (r"当面申请(\d+)件",),
    "applications-online": (r"网络申请(\d+)件", r"网上申请(\d+)件"),
    "applications-letter": (r"信函申请(\d+)件",),
    "applications-fax": (r"传真申请(\d+)件",),
    "applications-email": (r"电子邮件申请(\d+)件",),
    "answered": (r"答复政府信息公开申请件?(\d+)件",),
    "already-public": (r"属已主动公开范围(\d+)件",),
    "granted": (r"(?<!不)同意公开答复(\d+)件", r"(?<!不)同意公开(\d+)件"),
    "partially-granted": (r"同意部分公开(?:答复)?(\d+)件",),
    "refused": (r"不同意公开(?:答复)?(\d+)件",),
    "refused-privacy": (r"个人隐私(\d+)件",),
    "refused-other-law": (r"法律法规规定的其他(?:形式|情形)(\d+)件",),
    "not-this-agency": (r"不属于本行政机关公开(\d+)件",),
    "not-exist": (r"申请信息不存在(\d+)件",),
    "asked-to-amend": (r"告知作出更改补充(\d+)件",),
    "referred-elsewhere": (r"告知通过其他途径办理(\d+)件",),
    "review": (r"行政复议(\d+)件",),
    "review-upheld": (r"维持具体行政行为(\d+)件",),
    "review-corrected": (r"被依法纠错(\d+)件",),
    "review-other": (r"其他情形(\d+)件",),
    "litigation": (r"行政诉讼(\d+)件",),
}
_PROSE_RE = {notation: tuple(re.compile(p) for p in patterns) for notation, patterns in PROSE.items()}


@dataclass(frozen=True)
class Figure:
    notation: str
    value: Decimal
    unit: str | None
    text: str
    label: str
    line: int
    page: int | None


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


def table_figures(tokens: Sequence[Token], issues: list[Issue]) -> dict[str, Figure]:
    """Figures from the 附表: a label, perhaps a unit cell, then the number."""
    start = find(tokens, ("附表", "统计表"))
    if start is None:
        return {}
    found: dict[str, list[Figure]] = {}
    unread: list[str] = []
    i = start
    while i < len(tokens):
        notation = _match_label(tokens[i].text) if parse_number(tokens[i].text) is None else None
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


def prose_figures(lines: Sequence[str]) -> dict[str, Figure]:
    figures: dict[str, Figure] = {}
    normalized = [normalize(line) for line in lines]  # once, not once per pattern
    for notation, patterns in _PROSE_RE.items():
        for pattern in patterns:
            for number, line in enumerate(normalized, start=1):
                match = pattern.search(line)
                if match is None:
                    continue
                unit = UNITS.get(match[2]) if match.lastindex and match.lastindex >= 2 else None
                figures[notation] = Figure(notation, Decimal(match[1]), unit, match[0], match[0], number, None)
                break
            if notation in figures:
                break
    return figures


def read_legacy(tokens: Sequence[Token], lines: Sequence[str]) -> tuple[list[Cell], list[Issue]]:
    issues: list[Issue] = []
    table = table_figures(tokens, issues)
    prose = prose_figures(lines)
    cells: list[Cell] = []
    for c in LEGACY:
        figure = table.get(c.notation) or prose.get(c.notation)
        if figure is None:
            continue
        key = (TABLE, c.notation)
        if c.notation not in table:
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
            issues.append(
                Issue(
                    "prose-table-mismatch",
                    Severity.WARNING,
                    f"{c.zh}: the table states {figure.value}, the prose {prose[c.notation].value} ({prose[c.notation].text!r}); the table value is published",
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
