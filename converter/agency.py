"""Is a name an agency? And which agency does a report's opening sentence name?

An agency name becomes the agency IRI, the key every query joins on, so a generic word read as a
name ("政府", "本机关", "市政府办公室") would put unrelated reports under one agency. A wrong agency
is worse than a refusal: :func:`is_plausible` accepts a name only when it has a proper-name part:

1. a place first (cheap): two or more characters before a level word (省/市/县/区/州/盟/旗/镇/乡/
   街道/自治州…) that are not a deictic ("本区", "全市") nor a generic zone word ("经济技术开发区"),
   e.g. 淮安市人民政府, 河北省教育厅, 平潭综合实验区, 相山经济开发区;
2. else a central organ: 国家…/国务院…/中国…/全国…/最高人民…, or a ministry-like suffix
   (…部, …总署, …总局, 审计署) after two or more characters, e.g. 教育部, 海关总署, 国家税务总局;
3. else, when the name without its organ suffixes (人民政府, 办公室, 局, 委员会, 管委会…) and
   without a leading level word has fewer than two characters left, or only the words of a
   department's trade (教育, 财政, 市场监督管理…), it is generic: 政府, 市政府, 办公室, 我局, 财政局;
4. else the cpca gazetteer decides (slow to import, so asked last): a name that opens with a place
   cpca knows (淮安人民政府) is plausible, any other is not.

The opening sentence (:func:`agency_from_opening`) names who compiled the report: "本报告由X根据…
编制", "报告是根据…要求，由X编制", "X根据…编制本报告", "X编制完成了本报告", or a title inside the
sentence ("现公布X2023年政府信息公开工作年度报告", "X2024年…年度报告由X办公室编制"). The rule that
turns the compiler into the report's agency:

- a title inside the sentence names the agency itself;
- a compiler "<government>办公室" (or 办公厅), when the report is clearly the government's own
  report (the opening or first paragraphs speak of 本级政府/本政府/市政府/区政府/县政府…, or the
  printed title, which names no usable agency, says 人民政府/政府), gives the government;
  otherwise the office itself (an office's own report);
- any other compiler (a department, XX局, a zone's 管委会) is the agency itself;
- a compiler that is not a plausible name (区政府, 区管委会办公室, 我区) gives nothing.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_HAN = r"\u4e00-\u9fa5"
_LEVEL = r"(?:特别行政区|自治区|自治州|自治县|自治旗|地区|林区|新区|街道|省|市|州|盟|县|区|旗|镇|乡)"
_PLACE = re.compile(rf"^(?P<run>[{_HAN}]{{2,12}}?){_LEVEL}")
_DEICTIC = set("本我全各该每其此贵省市县区")
# Words that make a zone name without naming the place: "经济技术开发区" names no place.
_ZONE_WORDS = (
    "高新技术产业开发",
    "经济技术开发",
    "高新技术开发",
    "经济开发",
    "综合实验",
    "综合试验",
    "国家级",
    "省级",
    "高新",
    "工业",
    "产业",
    "综合",
    "开发",
    "实验",
    "试验",
    "示范",
    "保税",
    "园",
    "新",
)
_CENTRAL_PREFIX = ("国家", "国务院", "中国", "中华", "全国", "最高人民", "中央")
_CENTRAL_SUFFIX = ("总署", "总局", "审计署", "部")
# Organ suffixes, longest first; stripped repeatedly from the end of a name to find its core.
_ORGAN_SUFFIXES = (
    "政府信息公开工作领导小组办公室",
    "政务公开领导小组办公室",
    "人民政府办公室",
    "人民政府办公厅",
    "街道办事处",
    "管理委员会",
    "工作领导小组",
    "领导小组",
    "人民政府",
    "政府办公室",
    "政府办公厅",
    "党工委",
    "管委会",
    "委员会",
    "办事处",
    "办公室",
    "办公厅",
    "政府",
    "机关",
    "单位",
    "部门",
    "中心",
    "总局",
    "总署",
    "局",
    "委",
    "厅",
    "署",
    "院",
    "部",
    "处",
    "所",
    "站",
    "办",
)
# The trade of a department, or a word that names no one: a name made only of these (after its
# organ suffixes and level words are taken off) is generic.
_FUNCTION_WORDS_TEXT = """
        人力资源和社会保障 住房和城乡建设 退役军人事务 粮食和物资储备 工业和信息化 经济和信息化 市场监督管理
        文化广电和旅游 文化广电旅游 国有资产监督管理 卫生和计划生育 民族宗教事务 机关事务管理 自然资源和规划
        规划和自然资源 综合行政执法 发展和改革 文化和旅游 政府信息公开 行政审批服务 生态环境 自然资源 国土资源
        环境保护 农业农村 交通运输 卫生健康 应急管理 医疗保障 城乡建设 城市管理 科学技术 人民防空 行政审批
        政务服务 数据资源 发展改革 市场监管 综合执法 政务公开 信息公开 地方志 大数据 乡村振兴 机关事务
        教育 财政 公安 民政 司法 审计 统计 商务 税务 水利 交通 卫生 卫健 人社 环保 住建 城管 农业 林业 文旅 发改
        工信 科技 体育 信访 人防 外事 侨务 宗教 档案 金融 国资 规划 房产 消防 气象 地震 烟草 海关 邮政 保密
        编制 人民 管理 服务 综合 行政 执法 办公 政务 经济 开发 高新 园区 街道 社区 乡镇 本级 有关 相关 各级
        所属 直属 部门 机关 单位 领导 小组 工作 政府 数据 和 及 与 的
        """
_FUNCTION_WORDS = tuple(sorted(_FUNCTION_WORDS_TEXT.split(), key=len, reverse=True))


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


# Words no agency's name holds: those of a report's title, of a site's navigation, of a sentence.
_NOT_IN_NAMES = ("年报", "报告", "关于", "首页", "当前位置", "信息公开", "政务公开", "根据", "编制")


def is_plausible(name: str | None) -> bool:
    """Does ``name`` name one agency (a place or an organ), not a generic word? (See the module.)

    >>> [is_plausible(n) for n in ("淮安市人民政府", "政府", "本机关", "市政府办公室", "国家税务总局")]
    [True, False, False, False, True]
    >>> [is_plausible(n) for n in ("政府信息公开年报淮安市人民政府", "相山经济开发区关于")]
    [False, False]
    """
    if not name:
        return False
    name = compact(name).replace("（", "(").replace("）", ")")
    if not 3 <= len(name) <= 40 or name[0] in "本我该贵其此":
        return False
    if any(word in name for word in _NOT_IN_NAMES):  # a title's or a site's words, not an agency's
        return False
    if _has_place(name):
        return True
    core = core_of(name)
    if len(core) < 2:
        return False
    if name.startswith(_CENTRAL_PREFIX) or (name.endswith(_CENTRAL_SUFFIX) and _is_ministry(name)):
        return True
    if not _strip_words(core, _FUNCTION_WORDS):
        return False
    return _cpca_knows(name)


def core_of(name: str) -> str:
    """``name`` without its organ suffixes and its leading deictic or level words.

    >>> core_of("市人民政府办公室"), core_of("淮安市人民政府"), core_of("我局")
    ('', '淮安市', '')
    """
    core = compact(name)
    changed = True
    while changed and core:
        changed = False
        for suffix in _ORGAN_SUFFIXES:
            if core.endswith(suffix):
                core = core[: -len(suffix)]
                changed = True
                break
    return re.sub(r"^(?:本级|本|我|该|全|各|贵)?(?:[省市县区州镇乡]|级)*", "", core)


def _has_place(name: str) -> bool:
    match = _PLACE.match(name)
    if not match:
        return False
    run = match["run"]
    if run[0] in _DEICTIC or (run.endswith("城") and name[len(run)] == "乡"):
        return False
    return len(_strip_tail(run, _ZONE_WORDS)) >= 2 and bool(_strip_words(run, _FUNCTION_WORDS))


def _is_ministry(name: str) -> bool:
    """A central organ such as "教育部" or "海关总署": a ministry's suffix after two or more characters."""
    for suffix in _CENTRAL_SUFFIX:
        if name.endswith(suffix):
            body = name[: -len(suffix)]
            return len(body) >= 2 and body[0] not in _DEICTIC and not body.endswith(("办公", "政府", "机关"))
    return False


def _strip_tail(run: str, words: tuple[str, ...]) -> str:
    changed = True
    while changed:
        changed = False
        for word in words:
            if run.endswith(word) and len(run) > len(word):
                run = run[: -len(word)]
                changed = True
                break
            if run == word:
                return ""
    return run


def _strip_words(text: str, words: tuple[str, ...]) -> str:
    for word in words:  # longest first
        text = text.replace(word, "")
    return text


@functools.lru_cache(maxsize=256)
def _cpca_knows(name: str) -> bool:
    """Does the gazetteer find a place in ``name``? (imports cpca and pandas on first use)"""
    import cpca

    found = cpca.transform([name]).iloc[0]
    rest = found["地址"] if isinstance(found["地址"], str) else ""
    place = name[: len(name) - len(rest)] if name.endswith(rest) else ""
    if not isinstance(found["adcode"], str) or len(place) < 2:
        return False
    for level in ("省", "市", "区"):  # the place is made of the names cpca found, nothing else
        known = found[level]
        if isinstance(known, str) and known:
            short = re.sub(f"{_LEVEL}$", "", known)
            for form in (known, short):
                if form and place.startswith(form):
                    place = place[len(form) :]
                    break
    return place == ""  # the name opens with the place


# ---------------------------------------------------------------------------------------------
# The opening sentence

_NAME = rf"[{_HAN}()]{{1,40}}?"
_NAME_END = (
    r"(?:人民政府办公室|人民政府办公厅|人民政府|政府办公室|政府办公厅|政府|管理委员会|管委会|委员会|街道办事处|"
    r"办公室|办公厅|总局|总署|局|委|厅|署|院|中心|部|开发区|实验区|试验区|新区|区|县|市|州|盟|旗|镇|乡)"
)
_COMPILER_VERBS = r"(?:根据|依据|按照|依照|结合|汇总|负责|组织|牵头|会同|编制|编写|起草|制作|综合各)"
_COMPILED_BY = re.compile(rf"(?:本(?:年度)?)?报告[^。\n]{{0,200}}?由(?P<x>{_NAME}{_NAME_END})(?={_COMPILER_VERBS})")
_COMPILER_FIRST = re.compile(
    rf"(?:^|[。；;，,：:\n])(?P<x>{_NAME}{_NAME_END})"
    rf"(?:(?:根据|依据|按照|依照)[^。\n]{{0,300}}?)?编(?:制|写)(?:完成)?了?本(?:年度)?报告"
)
_EMBEDDED_TITLE = re.compile(r"(?:19|20)\d{2}\s*年度?(?:政府信息公开|政务公开|信息公开)[\u4e00-\u9fa5]{0,8}?报告")
_BEFORE_TITLE = re.compile(rf"[{_HAN}()]{{2,40}}$")
_TITLE_LEAD_VERB = re.compile(r"公布|发布|印发|现将|编制|形成|关于|即|是|为")
_OFFICE = re.compile(r"^(?P<government>.+?政府)(?:办公室|办公厅)$")
_OPENING_END = re.compile(r"(?:^|\n|\s)(?:一|1)[、.．]?\s*(?:总体情况|概述|基本情况|概况)")
_BOOK_TITLE = re.compile(r"《[^》]{0,150}》")


def opening_of(text: str, limit: int = 2000) -> str:
    """The text before the first section ("一、总体情况"), at most ``limit`` characters."""
    end = _OPENING_END.search(text[: limit + 200])
    return text[: end.start()] if end else text[:limit]


def agency_from_opening(text: str, *, title_says_government: bool = False) -> tuple[str | None, str | None]:
    """(agency, the words it was read from) from the opening sentence of a report's text; (None,
    what was read) when it names no plausible agency. See the module for the rule.

    >>> agency_from_opening("本报告由淮安市人民政府办公室根据《条例》编制。本级政府…")
    ('淮安市人民政府', '本报告由淮安市人民政府办公室')
    >>> agency_from_opening("本报告由淮安市生态环境局根据《条例》编制。")
    ('淮安市生态环境局', '本报告由淮安市生态环境局')
    """
    text = unicodedata.normalize("NFKC", text[:6000])  # full-width punctuation as the lines are normalized
    opening = opening_of(text)
    flat = re.sub(r"[^\S\n]+", "", _BOOK_TITLE.sub("《》", opening))  # line breaks end a name
    read = None
    for match in _EMBEDDED_TITLE.finditer(flat):
        before = _BEFORE_TITLE.search(flat[: match.start()])
        if before is None:
            continue
        run = before[0]
        cuts = [*sorted({m.end() for m in _TITLE_LEAD_VERB.finditer(run)}, reverse=True), 0]
        name = next((run[cut:] for cut in cuts if is_plausible(run[cut:])), None)
        if name:
            return name, flat[before.start() + run.index(name) : match.end()]
        read = read or run[cuts[0] :] or None
    for pattern in (_COMPILED_BY, _COMPILER_FIRST):
        for match in pattern.finditer(flat):
            compiler = match["x"]
            words = match[0][: match.end("x") - match.start()].lstrip("。；;，,：:\n")
            if not is_plausible(compiler):
                read = read or compiler
                continue
            office = _OFFICE.match(compiler)
            if office and is_plausible(office["government"]):
                rest = flat.replace(compiler, "") + compact(text[len(opening) : len(opening) + 1500])
                if title_says_government or _speaks_as_government(office["government"], rest):
                    return office["government"], words
            return compiler, words
    return None, read


def _speaks_as_government(government: str, text: str) -> bool:
    """Does ``text`` speak of the government itself: 本级政府, 本政府, or "市政府" for a 市's
    government (its own level: "省委省政府" in a city's report does not count)?"""
    level = re.search(r"([省市县区州旗镇乡])(?:人民)?政府$", government)
    own = rf"|{level[1]}(?:人民)?政府(?!办公|信息)" if level else ""
    return re.search(rf"本级(?:人民)?政府|本政府{own}", text) is not None
