"""Agency, year, title and publication date of a report.

Where each comes from, first found wins (the manifest's ``agency``/``year`` columns win over all of
these, see ``pipeline``):

1. a title given apart from the text (the manifest's ``title`` column: crawlers keep the page
   title apart from the body);
2. the printed title, however it is broken over lines: "淮安市人民政府" on one line and "2024 年政府
   信息公开工作年度报告" on the next (or the reverse, or in three pieces), spaces between characters,
   full-width characters, a crawler's "标题:" header; the forms "X2023年(度)政府信息公开工作年度报告",
   "X关于2022年度政府信息公开工作的年度报告", "2023年度X政府信息公开工作年度报告",
   "X政府信息公开工作2021年度报告" (:func:`read_title`);
3. the opening sentence ("本报告由X根据…编制", "现公布X2023年…年度报告"), for the agency, with the
   note ``agency-from-body`` (:func:`converter.agency.agency_from_opening` gives the rule that turns
   the compiling office into the government);
4. the body's self-references ("我区" and the place names it mentions), with ``agency-inferred``.

Every agency read is checked by :func:`converter.agency.is_plausible`: a generic name ("政府",
"本机关", "市政府办公室") is never taken; when no source gives a plausible one the agency is None
and ``refused`` says what was read, so that the pipeline refuses the file asking for a manifest row.

The year: the title's; else the statistics period ("统计期限自2024年1月1日…"); else a title inside
the opening sentence; else the most common year of the text (flagged ``year-inferred``). The
publication year (a report on 2024 is published in January 2025) never overrides the title's.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from converter.agency import agency_from_opening, compact, is_plausible
from converter.errors import Issue, Severity
from converter.numbers import normalize

_HAN = r"\u4e00-\u9fa5"
_AGENCY = rf"(?P<agency>[{_HAN}()]{{2,40}}?)"
_Y = r"(?P<year>(?:19|20)\d{2})年度?"
_KIND = r"(?:政府信息公开|政务信息公开|政务公开|信息公开)"
_TAIL = rf"{_KIND}[{_HAN}]{{0,8}}?报告"
# Forms of a title, tried on its text without spaces, whole (see the module).
_TITLE_FORMS = (
    re.compile(rf"{_AGENCY}(?:关于)?(?:{_Y}(?:的)?)?{_TAIL}"),  # X2023年…报告, X关于2022年度…的年度报告
    re.compile(rf"{_AGENCY}{_KIND}(?:工作)?{_Y}(?:工作)?报告"),  # X政府信息公开工作2021年度报告
    re.compile(rf"{_Y}(?:{_AGENCY})??{_TAIL}"),  # 2023年度X…报告, 2024年…报告 (no agency)
    re.compile(rf"{_Y}{_TAIL}{_AGENCY}"),  # 2024年…报告 / 淮安市人民政府 (agency printed below)
)
_TITLE_PREFIX = re.compile(r"^(?:标题|题目|文章标题|名称)[:：]")
_HEAD_TITLE = re.compile(r"^\s*(\S.{3,100}?报告)")
_BREADCRUMB = re.compile(r"\s*[>›»＞]+\s*")
_ABOUT = re.compile(r"^关于(?=.{2,40}?(?:19|20)\d{2})")
# words of a site's navigation that a crawl runs into the title before the agency's name
_NAV_HEAD = re.compile(
    r"^(?:当前位置|您的位置|您当前的位置|首页|主页|政府信息公开|政务公开|信息公开|法定主动公开内容|主动公开|"
    r"政府信息公开工作年度报告|政府信息公开年度报告|信息公开年报|公开年报|年度报告|工作年报|年报|专栏|栏目|关于|[:：·])+"
)
_TITLE_SUFFIX = re.compile(r"(?:[(（【\[][^()（）【】\[\]]{0,12}[)）】\]]|[。.:：])+$")
_CHINESE_YEAR = re.compile(r"[〇零一二三四五六七八九]{4}(?=年)")
_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_TITLE_WINDOW = 80  # lines from the top where a title is looked for
_TITLE_LINE = 80  # characters at most of a line that is (a piece of) a title
_PIECE = 40  # characters at most of each piece of a title broken over lines
_PERIOD = re.compile(r"(?:统计(?:期限|期间|时限|区间|时间|周期)|所列数据.{0,4}?自).{0,6}?((?:19|20)\d{2})\s*年")
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
    refused: tuple[str, ...] = ()  # names read as the agency but generic ("政府", "区政府")


@dataclass(frozen=True)
class TitleRead:
    text: str  # the title as printed (its pieces joined when it is broken over lines)
    agency: str | None  # as read: check it with is_plausible
    year: int | None


def read_metadata(lines: Sequence[str], given_title: str | None = None) -> MetaResult:
    """Read the metadata of one report from its lines of text (a pure function).

    ``given_title`` is a title kept apart from the text (the manifest's ``title`` column); it wins
    over the printed title.
    """
    issues: list[Issue] = []
    clean = [normalize(line) for line in lines]
    text = "\n".join(clean)
    titles = [t for t in (parse_title(given_title) if given_title else None, read_title(clean)) if t]
    named = next((t for t in titles if is_plausible(t.agency)), None)
    shown = named or (titles[0] if titles else None)
    title = shown.text if shown else None
    agency = named.agency if named else None
    year = next((t.year for t in titles if t.year), None)
    refused = [t.agency for t in titles if t.agency and not is_plausible(t.agency)]
    if agency is None:
        says_government = any("政府" in name for name in refused)
        agency, words = agency_from_opening(text, title_says_government=says_government)
        if agency:
            issues.append(
                Issue(
                    "agency-from-body",
                    Severity.WARNING,
                    f"{'the report has no title' if title is None else 'the title names no agency'}; "
                    f"the agency {agency} was read from the opening sentence ('{words}')",
                    source_text=words,
                )
            )
            if year is None and (stated := _YEAR.search(words or "")):
                year = int(stated[1])
                issues.append(
                    Issue(
                        "year-inferred",
                        Severity.WARNING,
                        f"no title states the year; {year} was read from the opening sentence",
                    )
                )
        elif words:
            refused.append(words)
    if year is None:
        flat = text.replace(" ", "")
        period = _PERIOD.search(flat)
        counted = Counter(int(y) for y in _YEAR.findall(flat))
        if period:
            year = int(period[1])
        elif counted:
            year = counted.most_common(1)[0][0]
        if year is not None:
            issues.append(
                Issue("year-inferred", Severity.WARNING, f"no title states the year; {year} was read from the body")
            )
    if agency is None:
        inferred = infer_agency(text)
        if inferred and not is_plausible(inferred):
            refused.append(inferred)
            inferred = None
        agency = inferred
        if title is None:
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
    elif title is None and not any(i.code == "agency-from-body" for i in issues):
        issues.append(Issue("title-missing", Severity.WARNING, "the report has no title"))
    lost = list(dict.fromkeys(m[0] for m in _DIGITS_LOST.finditer(text)))
    if lost:
        shown_lost = ", ".join(lost)
        issues.append(
            Issue(
                "digits-lost",
                Severity.INFO,
                f"characters of dates or document numbers are lost in the extracted text: {shown_lost}",
                source_text=shown_lost,
            )
        )
    url = next((m[1] for line in clean[:30] if (m := _SOURCE_URL.match(line))), None)
    return MetaResult(agency, year, title, read_published(clean), tuple(issues), url, tuple(dict.fromkeys(refused)))


def read_title(lines: Sequence[str]) -> TitleRead | None:
    """The title among the first lines of a report, however it is broken over lines.

    Single lines are tried first, then two, then three consecutive lines joined; the first whose
    agency is plausible wins. Else the first title found that names no plausible agency (its year is
    still good, and its agency as read says why the file is refused).

    >>> read_title(["淮安市人民政府", "2024 年政府信息公开工作年度报告", "本报告由…编制。"])
    TitleRead(text='淮安市人民政府2024年政府信息公开工作年度报告', agency='淮安市人民政府', year=2024)
    """
    pieces = [(number, line) for number, line in enumerate(lines[:_TITLE_WINDOW]) if line.strip()]
    fallback = None
    for size in (1, 2, 3):
        for start in range(len(pieces) - size + 1):
            group = pieces[start : start + size]
            if size == 1 and len(compact(group[0][1])) > _TITLE_LINE:
                # a crawl with no line breaks: the title is the start of its one long line
                head = _HEAD_TITLE.match(_BREADCRUMB.split(group[0][1][:200])[-1])
                found = parse_title(head[1]) if head else None
                if found is not None and is_plausible(found.agency):
                    return found
                fallback = fallback or found
                continue
            if size > 1 and (
                any(len(compact(line)) > _PIECE for _, line in group)
                or any(b[0] - a[0] > 3 for a, b in pairwise(group))
            ):
                continue
            found = parse_title(group[0][1] if size == 1 else "".join(line for _, line in group), joined=size > 1)
            if found is None:
                continue
            if is_plausible(found.agency):
                return found
            fallback = fallback or found
    return fallback


def parse_title(text: str, joined: bool = False) -> TitleRead | None:
    """The agency and year of one title's text, or None when the text is not a title.

    >>> parse_title("泗洪县人民政府关于2022年度政府信息公开工作的年度报告")
    TitleRead(text='泗洪县人民政府关于2022年度政府信息公开工作的年度报告', agency='泗洪县人民政府', year=2022)
    >>> parse_title("2 0 2 4 年 政 府 信 息 公 开 工 作 年 度 报 告")
    TitleRead(text='2024年政府信息公开工作年度报告', agency=None, year=2024)
    >>> parse_title("安庆市人民政府2017年政府信息公开工作报告 发布单位:市政府办公室").agency
    '安庆市人民政府'
    >>> parse_title("2024年政府信息公开工作年度报告年报")  # a navigation word after the title, no agency
    TitleRead(text='2024年政府信息公开工作年度报告', agency=None, year=2024)
    """
    printed = normalize(text).strip()
    printed = _BREADCRUMB.split(printed)[-1].strip()  # "首页 > 政务公开 > 年报 > X2023年…报告": the last item
    flat = _TITLE_SUFFIX.sub("", _TITLE_PREFIX.sub("", compact(printed)))
    flat = _ABOUT.sub("", flat)  # "关于X2024年度…报告": 关于 is no part of the agency
    flat = _CHINESE_YEAR.sub(lambda m: m[0].translate(_DIGITS), flat)
    for number, form in enumerate(_TITLE_FORMS):
        match = form.fullmatch(flat)
        if not match:
            continue
        agency, year = match["agency"], match["year"]
        if agency:
            agency = _NAV_HEAD.sub("", agency) or None  # a column name run into the title: "政府信息公开年报X"
        if agency and agency.endswith("人民") and flat[match.end("agency") :].startswith("政府"):
            agency += "政府"  # "X人民政府信息公开…": the agency is X人民政府
        spaced = printed.count(" ") >= 4 and printed.count(" ") * 2 >= len(flat) - 1
        label = _TITLE_PREFIX.sub("", printed).strip() if not (joined or spaced) else flat
        if number == len(_TITLE_FORMS) - 1:  # the agency printed after the title: name it first
            label = (agency or "") + flat[: match.start("agency")]  # none when only navigation words followed
        return TitleRead(label, agency, int(year) if year else None)
    head = None if joined else re.match(r"^(.*?报告)\s+\S", printed)  # "…年度报告 发布时间:…" on one line
    return parse_title(head[1]) if head else None


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
