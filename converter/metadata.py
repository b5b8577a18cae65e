"""Agency, year, title and publication date of a report.

Read from the title when there is one; else from a crawler header ("标题:"); else inferred from the
body and flagged. A manifest row, when given, wins over all of these (see ``pipeline``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from converter.errors import Issue, Severity
from converter.numbers import normalize

_TITLE = re.compile(
    r"^(?:标题[:：]\s*)?(?P<agency>[\u4e00-\u9fa5（）()]{2,40}?)\s*(?P<year>(?:19|20)\d{2})\s*年度?\s*"
    r"(?:政府信息公开|政务公开|信息公开)[\u4e00-\u9fa5]{0,6}报告"
)
_TITLE_YEAR_FIRST = re.compile(
    r"^(?:标题[:：]\s*)?(?P<year>(?:19|20)\d{2})\s*年度?\s*(?P<agency>[\u4e00-\u9fa5（）()]{2,40}?)\s*"
    r"(?:政府信息公开|政务公开|信息公开)[\u4e00-\u9fa5]{0,6}报告"
)
_PERIOD = re.compile(r"统计期限.{0,6}?((?:19|20)\d{2})\s*年")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_PUBLISHED = re.compile(r"(?:发布时间|发布日期|成文日期)[:：]\s*(\d{4})-(\d{1,2})-(\d{1,2})")
_SOURCE_URL = re.compile(r"^(?:原文链接|原文地址|来源链接|URL)[:：]\s*(https?://\S+)")
_DATE_LINE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_DIGITS_LOST = re.compile(r"(?:19|20)\d{3,4}日至\d{3,4}日|〔(?:19|20)\d{3,}号")
_LEVELS = {"区": "我区", "县": "我县", "市": "我市", "镇": "我镇", "乡": "我乡"}
_NOT_NAME_CHARS = set("全我本各该每城省县区市")
_NOT_NAMES = {
    "服务",
    "开发",
    "试验",
    "实验",
    "示范",
    "功能",
    "保护",
    "风景",
    "城乡",
    "边远",
    "贫困",
    "重点",
    "行政",
    "公开",
    "营商",
    "城市",
    "全市",
    "本市",
    "各市",
    "地级",
    "县级",
    "省辖",
}


@dataclass(frozen=True)
class MetaResult:
    agency: str | None
    year: int | None
    title: str | None
    published: str | None
    issues: tuple[Issue, ...]
    url: str | None = None


def read_metadata(lines: Sequence[str]) -> MetaResult:
    """Read the metadata of one report from its lines of text (a pure function)."""
    issues: list[Issue] = []
    clean = [normalize(line) for line in lines]
    title = agency = None
    year: int | None = None
    for line in clean[:80]:
        compact = line.replace(" ", "")
        match = (_TITLE.match(compact) or _TITLE_YEAR_FIRST.match(compact)) if len(line) < 80 else None
        if match:
            title, agency, year = line, match["agency"], int(match["year"])
            break
    text = "\n".join(clean)
    if year is None:
        period = _PERIOD.search(text.replace(" ", ""))
        counted = Counter(int(y) for y in _YEAR.findall(text.replace(" ", "")))
        if period:
            year = int(period[1])
        elif counted:
            year = counted.most_common(1)[0][0]
        if year is not None:
            issues.append(
                Issue("year-inferred", Severity.WARNING, f"no title states the year; {year} was read from the body")
            )
    if agency is None:
        agency = infer_agency(text)
        issues.append(
            Issue(
                "title-missing",
                Severity.WARNING,
                "the report has no title"
                + (
                    f"; the agency {agency} was inferred from the body"
                    if agency
                    else " and the agency could not be inferred"
                ),
            )
        )
        if agency:
            issues.append(
                Issue(
                    "agency-inferred",
                    Severity.WARNING,
                    f"agency {agency} inferred from names in the body text (我区/我县 and the place names it mentions)",
                )
            )
    lost = list(dict.fromkeys(m[0] for m in _DIGITS_LOST.finditer(text)))
    if lost:
        shown = ", ".join(lost)
        issues.append(
            Issue(
                "digits-lost",
                Severity.INFO,
                f"characters of dates or document numbers are lost in the extracted text: {shown}",
                source_text=shown,
            )
        )
    url = next((m[1] for line in clean[:30] if (m := _SOURCE_URL.match(line))), None)
    return MetaResult(agency, year, title, read_published(clean), tuple(issues), url)


def read_published(lines: Sequence[str]) -> str | None:
    """The publication date: a "发布时间:" header, or a date alone on one of the last lines."""
    for line in lines[:60]:
        match = _PUBLISHED.search(line)
        if match:
            return _iso(*match.groups())
    tail = [line for line in lines if line.strip()][-6:]
    for line in reversed(tail):
        match = _DATE_LINE.match(line.replace(" ", ""))
        if match:
            return _iso(*match.groups())
    return None


def infer_agency(text: str) -> str | None:
    """Name the agency of a report without a title from how its body speaks of itself.

    >>> infer_agency("我区推进……梅列区行政服务中心……梅列区营商环境……三明市人民政府办公室")
    '三明市梅列区人民政府'
    """
    compact = text.replace(" ", "")
    levels = Counter({suffix: compact.count(word) for suffix, word in _LEVELS.items()})
    suffix, seen = levels.most_common(1)[0]
    if seen == 0:
        return None
    names = Counter(n for n in re.findall(rf"([\u4e00-\u9fa5]{{2}}){suffix}", compact) if _is_name(n))
    if not names or names.most_common(1)[0][1] < 2:
        return None
    name = names.most_common(1)[0][0] + suffix
    parent = ""
    if suffix in {"区", "县"}:
        cities = Counter(n for n in re.findall(r"([\u4e00-\u9fa5]{2})市", compact) if _is_name(n))
        if cities:
            parent = cities.most_common(1)[0][0] + "市"
    return f"{parent}{name}人民政府"


def _is_name(candidate: str) -> bool:
    return candidate not in _NOT_NAMES and not (set(candidate) & _NOT_NAME_CHARS)


def _iso(year: str, month: str, day: str) -> str:
    return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"
