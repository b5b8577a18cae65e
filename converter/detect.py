"""Where the statutory tables stand in the text, and which template generation the report follows."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from converter.model import Token
from converter.numbers import is_value
from converter.tables.layout import REQUEST_ROWS, Generation
from converter.tokens import find, find_match, group_rows

MARKERS_2021 = ("本年制发件数", "本年废止件数", "现行有效件数", "本年收费金额", "逾期未按收费通知", "逾期不补正")
MARKERS_2019 = ("本年新制作数量", "本年新公开数量", "采购总金额", "采购项目数量", "上一年项目数量", "政府集中采购")
MARKERS_LEGACY = ("同意公开", "不同意公开", "同意部分公开", "附表", "统计表")

_SECTION_FIVE = re.compile(r"^[(（]?五[)）、.．]|存在的主要问题|其他需要报告")


@dataclass(frozen=True)
class Regions:
    """Token index ranges ``[start, end)`` of each table, ``None`` when not found."""

    table2: tuple[int, int] | None
    table3: tuple[int, int] | None
    table4: tuple[int, int] | None


def locate_tables(tokens: Sequence[Token]) -> Regions:
    t3_start = find(tokens, ("勾稽关系", "本年新收政府信息公开申请"))
    if t3_start is None:  # the label wrapped ("一、本年新收政府信息公开" / "申请数量"): its start, before numbers
        t3_start = _followed_by_values(tokens, "本年新收")
    t2_anchor = find(tokens, ("信息内容",))
    table2 = None
    if t2_anchor is not None and (t3_start is None or t2_anchor < t3_start):
        start = t2_anchor - 1 if t2_anchor > 0 else t2_anchor
        end = t3_start
        if end is None:  # no 表三 (stated in a sentence, say): 表二 ends at part 三's heading or at 表四
            heading = find(tokens, ("收到和处理政府信息公开申请",), t2_anchor)
            appeals = _table4_start(tokens, t2_anchor)
            ends = [i for i in (heading, appeals) if i is not None]
            end = min(ends) if ends else len(tokens)
        table2 = (start, end)
    table3 = table4 = None
    if t3_start is None:  # 表四 stands on its own: its header (行政复议 … 结果维持) then its numbers
        t4_start = _table4_start(tokens, 0)
        if t4_start is not None:
            t4_end = find_match(tokens, _SECTION_FIVE, t4_start + 1)
            table4 = (t4_start, t4_end if t4_end is not None else len(tokens))
    if t3_start is not None:
        carry = find(tokens, ("结转下年度",), t3_start)
        t4_start = find(tokens, ("行政复议",), carry if carry is not None else t3_start)
        t3_end = t4_start if t4_start is not None else len(tokens)
        table3 = (t3_start, t3_end)
        if t4_start is not None:
            t4_end = find_match(tokens, _SECTION_FIVE, t4_start + 1)
            table4 = (t4_start, t4_end if t4_end is not None else len(tokens))
    return Regions(table2, table3, table4)


def _table4_start(tokens: Sequence[Token], start: int) -> int | None:
    """The 行政复议 header cell of 表四: the last "行政复议" before its first "结果维持" (a table, not a
    sentence of the prose that names reviews)."""
    upheld = find(tokens, ("结果维持",), start)
    if upheld is None:
        return None
    for index in range(upheld - 1, max(start, upheld - 12) - 1, -1):
        if "行政复议" in tokens[index].text:
            return index
    return None


def _followed_by_values(tokens: Sequence[Token], needle: str, within: int = 4) -> int | None:
    """The first token containing ``needle`` with a value cell among the next few tokens (a table
    row's label, not a sentence of the prose)."""
    for index, token in enumerate(tokens):
        if needle in token.text and any(is_value(t.text) for t in tokens[index + 1 : index + 1 + within]):
            return index
    return None


def detect_generation(tokens: Sequence[Token], regions: Regions, year: int | None) -> tuple[Generation | None, str]:
    """The template generation and the evidence that decided it (``None``: not a report)."""
    text = "".join(t.text for t in tokens)
    found_2021 = [m for m in MARKERS_2021 if m in text]
    found_2019 = [m for m in MARKERS_2019 if m in text]
    if regions.table3 is not None:
        start, end = regions.table3
        rows = sum(1 for r in group_rows(tokens[start:end]) if r.values)
        shape = f"表三 has {rows} rows with numbers"
        if found_2021:
            return Generation.GEN2021, f"2021 wording found: {', '.join(found_2021)}; {shape}"
        if found_2019:
            return Generation.GEN2019, f"2019 wording found: {', '.join(found_2019)}; {shape}"
        if rows == len(REQUEST_ROWS[Generation.GEN2021]):
            return Generation.GEN2021, f"{shape} (the 2021 layout)"
        if rows == len(REQUEST_ROWS[Generation.GEN2019]):
            return Generation.GEN2019, f"{shape} (the 2019 layout)"
        generation = Generation.GEN2021 if year is not None and year >= 2021 else Generation.GEN2019
        return generation, f"{shape}; no wording decides, chosen by the report year {year}"
    if (found_2021 or found_2019) and year is not None and year >= 2019:  # 表三 stated in prose, or lost
        generation = Generation.GEN2021 if found_2021 else Generation.GEN2019
        wording = ", ".join(found_2021 or found_2019)
        return generation, f"{generation.value} wording found: {wording}; no 表三 table (本年新收政府信息公开申请数量)"
    found_legacy = [m for m in MARKERS_LEGACY if m in text]
    if found_legacy:
        return Generation.LEGACY, f"no 表三; legacy wording found: {', '.join(found_legacy)}"
    return None, "no 表三 (本年新收政府信息公开申请数量) and no legacy figures (同意公开, 附表)"


def detect_prose_generation(lines: Sequence[str], year: int | None) -> tuple[Generation | None, str]:
    """For a report with no table at all: the generation its year implies, when its sentences state
    表三/表四 figures ("本年度未收到政府信息公开申请") or legacy figures ("受理政府信息公开申请12件")."""
    from converter.tables.legacy import prose_figures
    from converter.tables.prose import find_statements

    if year is None:
        return None, "no table, and no year to tell the template by"
    if not any("信息公开" in line for line in lines):
        return None, "no table, and the text never speaks of 信息公开"
    statements = find_statements(lines, year)
    figures = prose_figures(lines, year) if year < 2019 else {}
    if not statements and not figures:
        return (
            None,
            "no 表三 (本年新收政府信息公开申请数量), no legacy figures (同意公开, 附表), and no sentence states them",
        )
    sentences = [s.sentence for s in statements] or [f.sentence or f.text for f in figures.values()]
    stated = "; ".join(list(dict.fromkeys(sentences))[:2])
    if year < 2019:
        return Generation.LEGACY, f"no table; the prose states the figures ({stated}); legacy by the report year {year}"
    generation = Generation.GEN2021 if year >= 2021 else Generation.GEN2019
    return generation, f"no table; the prose states the figures ({stated}); chosen by the report year {year}"
