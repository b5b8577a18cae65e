"""The official table layouts as data: every code list the converter can emit.

Each concept carries its scheme, its ``skos:notation`` (part of the published contract, see
DESIGN.md), its Chinese label in the template's own wording and an English label. The Turtle in
``ontology/codes.ttl`` must state exactly these notations and labels; ``tests/test_ontology.py``
checks that both agree.

Rows and columns are placed by their *position* in the template. Label aliases are only used to
cross-check that position and to find tables in the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True)
class Concept:
    scheme: str
    notation: str
    zh: str
    en: str
    broader: str | None = None
    # legacy concepts only: (scheme, notation) of the 2019 concept and the SKOS mapping property
    close_match: tuple[str, str] | None = None
    broad_match: tuple[str, str] | None = None
    aliases: tuple[str, ...] = field(default=())


class Generation(StrEnum):
    """Template generation of a report (scheme ``template``)."""

    LEGACY = "legacy"
    GEN2019 = "2019"
    GEN2021 = "2021"


class Measure(StrEnum):
    """Measure properties (``gk:count``, ``gk:change``, ``gk:amount``, ``gk:quantity``)."""

    COUNT = "count"  # a non-negative whole number of documents, items, applications or cases
    CHANGE = "change"  # a signed whole number: 本年增/减
    AMOUNT = "amount"  # money, decimal, with a unit (元 / 万元)
    QUANTITY = "quantity"  # a decimal quantity with a unit (legacy 万条)


TEMPLATE = [
    Concept(
        "template", "legacy", "2008年条例下的年度报告（2019年以前）", "legacy report (2008 regulation, up to 2018)"
    ),
    Concept("template", "2019", "国办公开办函〔2019〕60号年度报告格式", "2019 template (国办公开办函〔2019〕60号)"),
    Concept("template", "2021", "国办公开办函〔2021〕30号年度报告格式", "2021 template (国办公开办函〔2021〕30号)"),
]

# ---------------------------------------------------------------------------------------------
# 表三 columns: 申请人情况 (7 numeric columns, in template order)
APPLICANT = [
    Concept("applicant", "natural-person", "自然人", "natural person"),
    Concept("applicant", "commercial-enterprise", "商业企业", "commercial enterprise"),
    Concept("applicant", "research-institution", "科研机构", "research institution"),
    Concept("applicant", "social-welfare-organization", "社会公益组织", "social welfare organization"),
    Concept("applicant", "legal-service-institution", "法律服务机构", "legal service institution"),
    Concept("applicant", "other-organization", "其他", "other organization"),
    Concept("applicant", "total", "总计", "total"),
]
APPLICANT_COLUMNS = [c.notation for c in APPLICANT]

# 表三 rows: notation = the row's place in the official table
REQUEST = [
    Concept(
        "request", "1", "本年新收政府信息公开申请数量", "new applications received this year", aliases=("本年新收",)
    ),
    Concept(
        "request",
        "2",
        "上年结转政府信息公开申请数量",
        "applications carried over from the previous year",
        aliases=("上年结转",),
    ),
    Concept("request", "3", "本年度办理结果", "outcomes this year"),
    Concept("request", "3.1", "予以公开", "disclosed", broader="3"),
    Concept(
        "request",
        "3.2",
        "部分公开（区分处理的，只计这一情形，不计其他情形）",
        "partially disclosed",
        broader="3",
        aliases=("部分公开",),
    ),
    Concept("request", "3.3", "不予公开", "not disclosed", broader="3"),
    Concept("request", "3.3.1", "属于国家秘密", "state secret", broader="3.3"),
    Concept(
        "request",
        "3.3.2",
        "其他法律行政法规禁止公开",
        "prohibited by other laws or administrative regulations",
        broader="3.3",
        aliases=("其他法律法规禁止公开",),
    ),
    Concept(
        "request",
        "3.3.3",
        "危及“三安全一稳定”",
        'endangers the "three securities and one stability"',
        broader="3.3",
        aliases=("三安全一稳定",),
    ),
    Concept(
        "request",
        "3.3.4",
        "保护第三方合法权益",
        "protects a third party's lawful rights",
        broader="3.3",
        aliases=("第三方合法权益",),
    ),
    Concept(
        "request",
        "3.3.5",
        "属于三类内部事务信息",
        "internal affairs information (three kinds)",
        broader="3.3",
        aliases=("内部事务",),
    ),
    Concept(
        "request",
        "3.3.6",
        "属于四类过程性信息",
        "process information (four kinds)",
        broader="3.3",
        aliases=("过程性信息",),
    ),
    Concept(
        "request",
        "3.3.7",
        "属于行政执法案卷",
        "administrative law-enforcement case files",
        broader="3.3",
        aliases=("行政执法案卷",),
    ),
    Concept(
        "request",
        "3.3.8",
        "属于行政查询事项",
        "administrative inquiry matters",
        broader="3.3",
        aliases=("行政查询事项",),
    ),
    Concept("request", "3.4", "无法提供", "cannot be provided", broader="3"),
    Concept(
        "request",
        "3.4.1",
        "本机关不掌握相关政府信息",
        "the agency does not hold the information",
        broader="3.4",
        aliases=("不掌握",),
    ),
    Concept(
        "request",
        "3.4.2",
        "没有现成信息需要另行制作",
        "no ready information; would need to be created",
        broader="3.4",
        aliases=("另行制作",),
    ),
    Concept(
        "request",
        "3.4.3",
        "补正后申请内容仍不明确",
        "request still unclear after correction",
        broader="3.4",
        aliases=("仍不明确",),
    ),
    Concept("request", "3.5", "不予处理", "not processed", broader="3"),
    Concept(
        "request",
        "3.5.1",
        "信访举报投诉类申请",
        "petitions, reports and complaints",
        broader="3.5",
        aliases=("信访举报投诉",),
    ),
    Concept("request", "3.5.2", "重复申请", "repeated application", broader="3.5"),
    Concept(
        "request",
        "3.5.3",
        "要求提供公开出版物",
        "request for public publications",
        broader="3.5",
        aliases=("公开出版物",),
    ),
    Concept(
        "request",
        "3.5.4",
        "无正当理由大量反复申请",
        "large numbers of repeated applications without good reason",
        broader="3.5",
        aliases=("大量反复申请",),
    ),
    Concept(
        "request",
        "3.5.5",
        "要求行政机关确认或重新出具已获取信息",
        "request to confirm or reissue information already obtained",
        broader="3.5",
        aliases=("重新出具",),
    ),
    Concept("request", "3.6", "其他处理", "other handling", broader="3"),
    Concept(
        "request",
        "3.6.1",
        "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "applicant did not correct the application in time; no longer processed",
        broader="3.6",
        aliases=("逾期不补正",),
    ),
    Concept(
        "request",
        "3.6.2",
        "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "applicant did not pay the fee in time; no longer processed",
        broader="3.6",
        aliases=("逾期未按收费通知",),
    ),
    Concept("request", "3.6.3", "其他", "other", broader="3.6"),
    Concept("request", "3.7", "总计", "total", broader="3"),
    Concept("request", "4", "结转下年度继续办理", "carried over to next year", aliases=("结转下年度",)),
]

# The numeric rows of 表三 in template order, per generation.
_ROWS_BEFORE_OTHER = [
    *("1", "2", "3.1", "3.2"),
    *(f"3.3.{i}" for i in range(1, 9)),
    *(f"3.4.{i}" for i in range(1, 4)),
    *(f"3.5.{i}" for i in range(1, 6)),
]
REQUEST_ROWS: dict[Generation, list[str]] = {
    Generation.GEN2019: [*_ROWS_BEFORE_OTHER, "3.6", "3.7", "4"],  # 23 rows: （六）其他处理 is one row
    Generation.GEN2021: [*_ROWS_BEFORE_OTHER, "3.6.1", "3.6.2", "3.6.3", "3.7", "4"],  # 25 rows
}

# ---------------------------------------------------------------------------------------------
# 表四: one data row of 15 cells = 3 proceedings × 5 results, in template order
PROCEEDING = [
    Concept("proceeding", "review", "行政复议", "administrative review"),
    Concept("proceeding", "litigation", "行政诉讼", "administrative litigation"),
    Concept(
        "proceeding", "litigation-direct", "未经复议直接起诉", "lawsuit without prior review", broader="litigation"
    ),
    Concept("proceeding", "litigation-after-review", "复议后起诉", "lawsuit after review", broader="litigation"),
]
RESULT = [
    Concept("result", "upheld", "结果维持", "upheld"),
    Concept("result", "corrected", "结果纠正", "corrected"),
    Concept("result", "other", "其他结果", "other result"),
    Concept("result", "pending", "尚未审结", "pending"),
    Concept("result", "total", "总计", "total"),
]
APPEAL_CELLS: list[tuple[str, str]] = [
    (proceeding, result.notation)
    for proceeding in ("review", "litigation-direct", "litigation-after-review")
    for result in RESULT
]

# ---------------------------------------------------------------------------------------------
# 表二 主动公开
PROVISION = [
    Concept("provision", "20-1", "第二十条第（一）项", "Article 20 item (1): regulations and normative documents"),
    Concept(
        "provision", "20-5", "第二十条第（五）项", "Article 20 item (5): administrative licensing and other services"
    ),
    Concept("provision", "20-6", "第二十条第（六）项", "Article 20 item (6): administrative penalties and coercion"),
    Concept("provision", "20-8", "第二十条第（八）项", "Article 20 item (8): administrative fees"),
    Concept("provision", "20-9", "第二十条第（九）项", "Article 20 item (9): centralized government procurement"),
]
ITEM = [
    Concept("item", "regulation", "规章", "rules (规章)"),
    Concept("item", "normative-document", "规范性文件", "normative documents"),
    Concept("item", "administrative-normative-document", "行政规范性文件", "administrative normative documents"),
    Concept("item", "administrative-license", "行政许可", "administrative licensing"),
    Concept("item", "other-management-service", "其他对外管理服务事项", "other external management services"),
    Concept("item", "administrative-penalty", "行政处罚", "administrative penalties"),
    Concept("item", "administrative-coercion", "行政强制", "administrative coercion"),
    Concept("item", "administrative-fee", "行政事业性收费", "administrative fees"),
    Concept("item", "centralized-procurement", "政府集中采购", "centralized government procurement"),
]
COLUMN = [
    Concept("column", "new-made", "本年新制作数量", "newly made this year"),
    Concept("column", "new-published", "本年新公开数量", "newly published this year"),
    Concept("column", "total-published", "对外公开总数量", "total published"),
    Concept("column", "previous-year-items", "上一年项目数量", "items in the previous year"),
    Concept("column", "change", "本年增/减", "change this year"),
    Concept("column", "decisions", "处理决定数量", "decisions"),
    Concept("column", "procurement-projects", "采购项目数量", "procurement projects"),
    Concept("column", "procurement-amount", "采购总金额", "total procurement amount"),
    Concept("column", "issued", "本年制发件数", "issued this year"),
    Concept("column", "repealed", "本年废止件数", "repealed this year"),
    Concept("column", "in-force", "现行有效件数", "currently in force"),
    Concept("column", "decisions-this-year", "本年处理决定数量", "decisions this year"),
    Concept(
        "column", "fee-amount", "本年收费金额（单位：万元）", "fees collected this year", aliases=("本年收费金额",)
    ),
]


@dataclass(frozen=True)
class DisclosureRow:
    """One information-item row of 表二: its provision block, item and (column, measure) cells."""

    provision: str
    item: str
    columns: tuple[tuple[str, Measure], ...]


_COUNT3_2019 = (("new-made", Measure.COUNT), ("new-published", Measure.COUNT), ("total-published", Measure.COUNT))
_ITEMS3_2019 = (("previous-year-items", Measure.COUNT), ("change", Measure.CHANGE), ("decisions", Measure.COUNT))
_COUNT3_2021 = (("issued", Measure.COUNT), ("repealed", Measure.COUNT), ("in-force", Measure.COUNT))
_DECISIONS_2021 = (("decisions-this-year", Measure.COUNT),)

DISCLOSURE_ROWS: dict[Generation, list[DisclosureRow]] = {
    Generation.GEN2019: [
        DisclosureRow("20-1", "regulation", _COUNT3_2019),
        DisclosureRow("20-1", "normative-document", _COUNT3_2019),
        DisclosureRow("20-5", "administrative-license", _ITEMS3_2019),
        DisclosureRow("20-5", "other-management-service", _ITEMS3_2019),
        DisclosureRow("20-6", "administrative-penalty", _ITEMS3_2019),
        DisclosureRow("20-6", "administrative-coercion", _ITEMS3_2019),
        DisclosureRow(
            "20-8", "administrative-fee", (("previous-year-items", Measure.COUNT), ("change", Measure.CHANGE))
        ),
        DisclosureRow(
            "20-9",
            "centralized-procurement",
            (("procurement-projects", Measure.COUNT), ("procurement-amount", Measure.AMOUNT)),
        ),
    ],
    Generation.GEN2021: [
        DisclosureRow("20-1", "regulation", _COUNT3_2021),
        DisclosureRow("20-1", "administrative-normative-document", _COUNT3_2021),
        DisclosureRow("20-5", "administrative-license", _DECISIONS_2021),
        DisclosureRow("20-6", "administrative-penalty", _DECISIONS_2021),
        DisclosureRow("20-6", "administrative-coercion", _DECISIONS_2021),
        DisclosureRow("20-8", "administrative-fee", (("fee-amount", Measure.AMOUNT),)),
    ],
}

# Units the template itself fixes for a money column (None: the template prints no unit).
TEMPLATE_UNITS: dict[str, str | None] = {"procurement-amount": None, "fee-amount": "万元"}

# ---------------------------------------------------------------------------------------------
# Legacy reports (2008 regulation): what they state, mapped to 2019 concepts where meaning allows.
LEGACY = [
    Concept(
        "legacy",
        "proactive-disclosed",
        "主动公开政府信息数",
        "information disclosed proactively",
        aliases=("主动公开文件数", "主动公开信息数"),
    ),
    Concept(
        "legacy",
        "proactive-website",
        "政府网站公开数",
        "disclosed on the government website",
        broader="proactive-disclosed",
    ),
    Concept(
        "legacy",
        "proactive-gazette",
        "政府公报公开数",
        "disclosed in the government gazette",
        broader="proactive-disclosed",
    ),
    Concept(
        "legacy",
        "applications-received",
        "受理政府信息公开申请数",
        "applications received",
        close_match=("request", "1"),
        aliases=(
            "依申请公开受理",
            "受理申请总数",
            "受理政府信息公开申请",
            "受理依申请公开信息总数",
            "依申请公开信息数",
            "收到申请数",
        ),
    ),
    Concept(
        "legacy",
        "applications-in-person",
        "当面申请数",
        "applications made in person",
        broader="applications-received",
        aliases=("当面申请",),
    ),
    Concept(
        "legacy",
        "applications-online",
        "网络申请数",
        "applications made online",
        broader="applications-received",
        aliases=("网络申请", "网上申请"),
    ),
    Concept(
        "legacy",
        "applications-letter",
        "信函申请数",
        "applications made by letter",
        broader="applications-received",
        aliases=("信函申请",),
    ),
    Concept(
        "legacy",
        "applications-fax",
        "传真申请数",
        "applications made by fax",
        broader="applications-received",
        aliases=("传真申请",),
    ),
    Concept(
        "legacy",
        "applications-letter-fax",
        "信函、传真申请数",
        "applications made by letter or fax",
        broader="applications-received",
    ),
    Concept(
        "legacy",
        "applications-email",
        "电子邮件申请数",
        "applications made by e-mail",
        broader="applications-received",
        aliases=("电子邮件申请",),
    ),
    Concept(
        "legacy",
        "answered",
        "对申请答复数",
        "applications answered",
        broad_match=("request", "3"),
        aliases=("对申请答复", "答复总数", "对申请的答复数", "申请答复数"),
    ),
    Concept(
        "legacy",
        "already-public",
        "属已主动公开",
        "already disclosed proactively",
        broader="answered",
        close_match=("request", "3.1"),
        aliases=("属已主动公开", "属于已主动公开"),
    ),
    Concept("legacy", "granted", "同意公开", "disclosure granted", broader="answered", close_match=("request", "3.1")),
    Concept(
        "legacy",
        "partially-granted",
        "同意部分公开",
        "disclosure partially granted",
        broader="answered",
        close_match=("request", "3.2"),
    ),
    Concept(
        "legacy",
        "refused",
        "不同意公开",
        "disclosure refused",
        broader="answered",
        close_match=("request", "3.3"),
        aliases=("不予公开答复",),
    ),
    Concept(
        "legacy",
        "refused-privacy",
        "不同意公开：涉及个人隐私",
        "refused: personal privacy",
        broader="refused",
        broad_match=("request", "3.3.4"),
        aliases=("个人隐私",),
    ),
    Concept(
        "legacy",
        "refused-other-law",
        "不同意公开：法律法规规定的其他情形",
        "refused: other cases under laws and regulations",
        broader="refused",
        broad_match=("request", "3.3"),
        aliases=("法律法规规定的其他",),
    ),
    Concept(
        "legacy",
        "not-this-agency",
        "不属于本行政机关公开",
        "not disclosed by this agency",
        broader="answered",
        close_match=("request", "3.4.1"),
    ),
    Concept(
        "legacy",
        "not-exist",
        "申请信息不存在",
        "requested information does not exist",
        broader="answered",
        close_match=("request", "3.4.1"),
    ),
    Concept(
        "legacy",
        "asked-to-amend",
        "告知作出更改补充",
        "applicant told to amend the request",
        broader="answered",
        close_match=("request", "3.4.3"),
    ),
    Concept(
        "legacy",
        "referred-elsewhere",
        "告知通过其他途径办理",
        "applicant referred to other channels",
        broader="answered",
        broad_match=("request", "3.6"),
    ),
    Concept("legacy", "answered-other", "其他类型答复数", "other kinds of answer", broader="answered"),
    Concept(
        "legacy",
        "litigation-and-complaints",
        "接受行政诉讼、举报数",
        "lawsuits and complaints received (one combined figure)",
    ),
    Concept(
        "legacy",
        "review",
        "行政复议数",
        "administrative reviews",
        close_match=("proceeding", "review"),
        aliases=("行政复议",),
    ),
    Concept(
        "legacy",
        "review-upheld",
        "行政复议：维持具体行政行为",
        "reviews: act upheld",
        broader="review",
        aliases=("维持具体行政行为",),
    ),
    Concept(
        "legacy",
        "review-corrected",
        "行政复议：被依法纠错",
        "reviews: act corrected",
        broader="review",
        aliases=("被依法纠错",),
    ),
    Concept(
        "legacy",
        "review-other",
        "行政复议：其他情形",
        "reviews: other outcome",
        broader="review",
        aliases=("其他情形",),
    ),
    Concept(
        "legacy",
        "litigation",
        "行政诉讼数",
        "administrative lawsuits",
        close_match=("proceeding", "litigation"),
        aliases=("行政诉讼",),
    ),
]

# ---------------------------------------------------------------------------------------------
# Units of measure (``sdmx-attribute:unitMeasure``) for money (gk:amount) and legacy quantities.
UNIT = [
    Concept("unit", "yuan", "元", "yuan"),
    Concept("unit", "wan-yuan", "万元", "ten thousand yuan"),
    Concept("unit", "wan-tiao", "万条", "ten thousand entries"),
    Concept("unit", "item", "件", "item", aliases=("条", "项")),
]

SCHEMES: dict[str, tuple[str, str, list[Concept]]] = {
    "template": ("年度报告格式", "template generation", TEMPLATE),
    "applicant": ("申请人情况", "applicant", APPLICANT),
    "request": ("收到和处理政府信息公开申请情况", "application handling (表三 rows)", REQUEST),
    "proceeding": ("行政复议、行政诉讼", "proceeding (表四)", PROCEEDING),
    "result": ("复议、诉讼结果", "result (表四)", RESULT),
    "provision": ("第二十条条款", "Article 20 provision (表二)", PROVISION),
    "item": ("信息内容", "information item (表二)", ITEM),
    "column": ("主动公开统计项", "proactive-disclosure column (表二)", COLUMN),
    "legacy": ("2008年条例年度报告统计项", "legacy report figure", LEGACY),
    "unit": ("计量单位", "unit of measure", UNIT),
}

CONCEPTS: dict[tuple[str, str], Concept] = {
    (c.scheme, c.notation): c for _, _, concepts in SCHEMES.values() for c in concepts
}


def concept(scheme: str, notation: str) -> Concept:
    """Look up a concept by scheme and notation.

    :raises KeyError: the notation is not in the code list.

    >>> concept("request", "3.4.1").zh
    '本机关不掌握相关政府信息'
    """
    return CONCEPTS[(scheme, notation)]
