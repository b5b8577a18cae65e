"""表三 and 表四 stated in a sentence instead of a table.

Some real reports replace a table by one sentence: "本年度未收到政府信息公开申请", "2023年，本机关共收到
政府信息公开申请0件", "无上年结转申请", "全年未发生涉及政府信息公开的行政复议、行政诉讼案件",
"行政复议0件，行政诉讼0件". This module finds such sentences (:func:`find_statements`) and turns
what they state into observations (:func:`read_prose_tables`), each with a ``stated-in-prose``
note naming the sentence.

It is strict about what a sentence states:

- the object of the sentence may hold only harmless words around "申请" (有关, 政府信息公开, 任何 …):
  "未收到…的书面申请" restricts the kind of application and states nothing about the total;
- the words before it may not restrict or shift the subject: 除…外, 其中, 各…, 分别, 上年, 累计 …,
  or another year than the report's;
- "未收到政府信息公开申请" states 本年新收 总计 = 0 only. The whole 表三 is 0 only when the report also
  states that nothing was carried over from last year: 一 + 二 = 三（七）+ 四 with counts that
  cannot be negative then proves every cell of 表三 (（七）, 四 and each outcome row, in every column) 0;
- "未发生…行政复议、行政诉讼" states the 总计 of each proceeding it names, and since no count is
  negative every result of that proceeding is 0. A non-zero 行政诉讼 cannot be split into
  未经复议直接起诉 and 复议后起诉, so it is not published.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from converter.errors import Issue, Severity
from converter.model import Cell
from converter.numbers import nfkc
from converter.tables.layout import APPLICANT, REQUEST_ROWS, RESULT, Generation, Measure, concept

# What a statement is about.
RECEIVED = "received"  # 表三 row 1 本年新收 总计
CARRIED_OVER = "carried-over"  # 表三 row 2 上年结转 总计
CARRIED_FORWARD = "carried-forward"  # 表三 row 4 结转下年度 总计
REVIEW = "review"  # 表四 行政复议 总计
LITIGATION = "litigation"  # 表四 行政诉讼 (未经复议直接起诉 + 复议后起诉) 总计

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
NUM = r"(?P<num>\d+|[零〇一二两三四五六七八九十]{1,3})"
_UNIT = r"(?P<unit>件|个|份|次|宗|起|例|条)"


def small_number(text: str) -> int | None:
    """A count written in digits or in Chinese numerals up to 99.

    >>> small_number("12"), small_number("两"), small_number("十二"), small_number("二十"), small_number("零")
    (12, 2, 12, 20, 0)
    """
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        high = 1 if tens == "" else _DIGITS.get(tens)
        low = 0 if ones == "" else _DIGITS.get(ones)
        if high is None or low is None or len(ones) > 1 or len(tens) > 1:
            return None
        return high * 10 + low
    return _DIGITS[text] if len(text) == 1 and text in _DIGITS else None


@dataclass(frozen=True)
class Statement:
    """One figure a sentence states."""

    figure: str  # RECEIVED, CARRIED_OVER, CARRIED_FORWARD, REVIEW or LITIGATION
    value: int
    sentence: str  # the sentence as it reads (normalized, without spaces)
    line: int  # 1-based line of the extracted text


# ---------------------------------------------------------------------------------------------
# Sentences and clauses

# a sentence also ends where a numbered heading starts ("…采购367三、收到和处理…": a crawl that ran
# the whole page into one line)
_SENTENCE_END = re.compile(
    r"[。；;！!？?\t|]|(?=[一二三四五六]、(?:总体情况|主动公开|收到和处理|政府信息公开行政|因政府信息公开|存在的主要问题|其他需要报告))"
)
_CLAUSE_END = re.compile(r"[，,：:]")
_SPACES = re.compile(r"\s+")
_YEAR = re.compile(r"(\d{4})年")

# Words before a statement that restrict or shift what it is about: a part (其中, 各…, 分别, 除…外),
# another period (上年, 累计, 截至) or a kind of application (书面, 网上 …).
_RESTRICTORS = (
    "除",
    "以外",
    "其中",
    "各",
    "分别",
    "下属",
    "所属",
    "其他",
    "其它",
    "另",
    "上年",
    "去年",
    "上一年",
    "同比",
    "较",
    "书面",
    "当面",
    "网上",
    "网络",
    "信函",
    "传真",
    "邮件",
    "累计",
    "历年",
    "以来",
    "截至",
    "截止",
    "如果",
    "如",
    "若",
    "一旦",
)


@dataclass(frozen=True)
class _Clause:
    text: str  # the clause, normalized, without spaces
    before: str  # the sentence up to this clause
    sentence: str
    line: int


def _clauses(lines: Sequence[str]) -> Iterator[_Clause]:
    for number, raw in enumerate(lines, start=1):
        line = nfkc(raw)
        for piece in _SENTENCE_END.split(line):
            sentence = _SPACES.sub("", piece)
            if not sentence:
                continue
            position = 0
            for part in _CLAUSE_END.split(sentence):
                yield _Clause(part, sentence[:position], sentence, number)
                position += len(part) + 1


def _prefix_ok(prefix: str, year: int | None, *, allow: tuple[str, ...] = ()) -> bool:
    """The words before a statement neither restrict nor shift what it states."""
    if any(word in prefix and word not in allow for word in _RESTRICTORS):
        return False
    if "均" in prefix and ("、" in prefix or "和" in prefix):  # "X镇、Y镇均未收到": parts, not the whole
        return False
    return not (year is not None and any(int(y) != year for y in _YEAR.findall(prefix)))


def _reduce(text: str, fillers: Sequence[str]) -> str:
    """``text`` without the harmless words, longest first."""
    for word in fillers:
        text = text.replace(word, "")
    return text


# ---------------------------------------------------------------------------------------------
# 表三: applications received, carried over, carried forward

_APPLICATION_FILLERS = tuple(
    sorted(
        (
            "公民、法人或者其他组织",
            "公民、法人和其他组织",
            "公民、法人或其他组织",
            "社会公众",
            "任何",
            "有关",
            "相关",
            "涉及",
            "关于",
            "政府信息公开",
            "信息公开",
            "依申请公开",
            "政府信息",
            "提出",
            "提交",
            "方面",
            "的",
            "过",
            "到",
        ),
        key=len,
        reverse=True,
    )
)
_APPLICATION_TAILS = ("事项", "件", "情况")
_NEG = r"(?:未曾|并未|尚未|没有|未|没|无)"
_RECV = r"(?:收到|接到|接收到|接收|受理|新收|收悉)"


def _is_application(obj: str) -> bool:
    """The words name applications for disclosure, of every kind: "有关政府信息公开申请" yes,
    "书面申请", "其他申请", "上年结转申请" no."""
    rest = _reduce(obj, _APPLICATION_FILLERS)
    for tail in _APPLICATION_TAILS:
        if rest.endswith(tail) and rest != tail:
            rest = rest[: -len(tail)]
    return rest == "申请" or (rest in ("", "事项") and "依申请公开" in obj)


def _about_disclosure(clause: _Clause, obj: str, heading: str) -> bool:
    """A bare "申请" is about disclosure only when the sentence, or the heading above it, says so."""
    return any(w in obj or w in clause.sentence for w in ("信息公开", "依申请")) or (
        "申请" in heading and ("信息公开" in heading or "依申请" in heading)
    )


# "未受理" may mean "not accepted", so only "未收到" and its like state that none came.
_RECEIVED_NONE = re.compile(_NEG + r"(?:再)?(?P<verb>收到|接到|接收到|收悉)?")
_RECEIVED_COUNT = re.compile(
    r"(?P<verb>" + _RECV + r")(?P<obj>[^\d]*?)(?:共计|共|合计|总计|总数|数量|数|为|是|计)*" + NUM + _UNIT + r"?"
)
_RECEIVED_COUNT_FIRST = re.compile(r"(?P<verb>" + _RECV + r")(?:共计|共|合计)?" + NUM + _UNIT + r"(?P<obj>.*)$")
_RECEIVED_SUBJECT = re.compile(
    r"(?P<obj>(?:政府信息公开|依申请公开|信息公开)申请)(?:数量|总数|件数|数)?(?:共计|共)?(?:为|是)"
    + NUM
    + _UNIT
    + r"?$"
)


def _received(clause: _Clause, year: int | None, heading: str) -> Statement | None:
    text = clause.text
    if not _prefix_ok(clause.before, year) or "结转" in text:
        return None
    for match in _RECEIVED_NONE.finditer(text):
        obj = text[match.end() :]
        if obj.startswith("的"):  # "未收到的申请": the applications not received, a noun phrase
            continue
        if _prefix_ok(text[: match.start()], year) and _is_application(obj) and _about_disclosure(clause, obj, heading):
            return Statement(RECEIVED, 0, clause.sentence, clause.line)
    for pattern in (_RECEIVED_COUNT, _RECEIVED_COUNT_FIRST, _RECEIVED_SUBJECT):
        for match in pattern.finditer(text):
            tail = text[match.end() :] if pattern is _RECEIVED_COUNT else ""
            if tail and (match["unit"] is None or tail[0].isdigit() or tail[0] in ".%"):
                continue  # "…申请数量2300000023二、…": cells that ran together, not a sentence
            value = small_number(match["num"])
            obj = match["obj"]
            if value is None or not _prefix_ok(text[: match.start()], year) or not _is_application(obj):
                continue
            if not _about_disclosure(clause, obj, heading):
                continue
            if value and "verb" in match.groupdict() and match["verb"] == "受理":
                continue  # 受理 may count what was carried over, too; only its 0 is certain
            if value and pattern is _RECEIVED_SUBJECT and text[: match.start()].endswith("的"):
                continue  # "办结的政府信息公开申请数为…"
            return Statement(RECEIVED, value, clause.sentence, clause.line)
    return None


_CARRY_OVER_NONE = re.compile(
    r"(?:(?:无|没有|未有)(?:从)?上年度?(?:结转|遗留)|上年度?(?:也|亦)?(?:无|没有|未有)(?:结转|遗留))"
)
_CARRY_OVER_COUNT = re.compile(
    r"上年度?结转(?:至|到)?(?:本年度?)?(?:的)?(?:政府信息公开|依申请公开)?(?:申请)?(?:数量|数)?(?:共计|共|为|是)*"
    + NUM
    + _UNIT
    + r"?(?!\d)"
)
_CARRY_FORWARD_NONE = re.compile(r"(?:无|没有|未有|不存在)(?:需要?)?结转(?:至|到)?下(?:一)?年度?")
_CARRY_FORWARD_COUNT = re.compile(
    r"结转(?:至|到)?下(?:一)?年度?(?:继续办理)?(?:的)?(?:申请)?(?:数量|数)?(?:共计|共|为|是)*"
    + NUM
    + _UNIT
    + r"?(?!\d)"
)


def _carried(clause: _Clause, year: int | None) -> list[Statement]:
    found: list[Statement] = []
    text = clause.text
    if not _prefix_ok(clause.before, year, allow=("上年",)):
        return found
    for figure, none, count, allow in (
        (CARRIED_OVER, _CARRY_OVER_NONE, _CARRY_OVER_COUNT, ("上年",)),
        (CARRIED_FORWARD, _CARRY_FORWARD_NONE, _CARRY_FORWARD_COUNT, ()),
    ):
        match = none.search(text)
        if match and _prefix_ok(text[: match.start()], year, allow=allow):
            found.append(Statement(figure, 0, clause.sentence, clause.line))
            continue
        match = count.search(text)
        if match and _prefix_ok(text[: match.start()], year, allow=allow):
            tail = text[match.end() :]
            value = small_number(match["num"])
            if value is not None and (match["unit"] or not tail):
                found.append(Statement(figure, value, clause.sentence, clause.line))
    return found


# ---------------------------------------------------------------------------------------------
# 表四: administrative reviews and lawsuits

_PROCEEDINGS = (("行政复议", REVIEW), ("行政诉讼", LITIGATION), ("行政应诉", LITIGATION))
_SHORT_PROCEEDINGS = (("复议", REVIEW), ("诉讼", LITIGATION))
_APPEAL_FILLERS = tuple(
    sorted(
        (
            "因",
            "由于",
            "涉及",
            "有关",
            "相关",
            "关于",
            "针对",
            "对",
            "任何",
            "政府信息公开",
            "信息公开",
            "依申请公开",
            "工作",
            "申请",
            "答复",
            "事项",
            "行为",
            "决定",
            "方面",
            "而",
            "所",
            "引发",
            "引起",
            "产生",
            "导致",
            "的",
            "被",
            "提起",
            "提出",
            "案件",
            "情况",
            "情形",
            "事件",
            "案",
            "本机关",
            "本单位",
            "本部门",
            "过",
            "及其",
        ),
        key=len,
        reverse=True,
    )
)
_CONNECTORS = ("以及", "或者", "、", "和", "及", "与", "或", "/")
_APPEALS_NONE = re.compile(r"(?:未曾|并未|未有|没有|不存在|未|无)(?:发生|出现|产生|收到|接到|涉及|有|发现)?")
_APPEAL_COUNT = re.compile(
    r"(?P<proc>行政复议|行政诉讼|行政应诉)(?:案件|申请)?(?:数量|数)?(?:共计|共|为|是)*" + NUM + _UNIT + r"?(?!\d)"
)
_APPEALS_ALL = re.compile(r"(?P<procs>.*?)(?:数量|数)?(?P<each>均|都|各)(?:为|是)?" + NUM + _UNIT + r"?$")
_APPEALS_START = re.compile(
    r"因|由于|涉及|有关|关于|针对|被|提起|政府信息公开|信息公开|行政复议|行政诉讼|行政应诉|复议|诉讼"
)


def _proceedings(obj: str) -> set[str] | None:
    """The proceedings ``obj`` names and nothing else ("因政府信息公开被申请行政复议、提起行政诉讼的案件"
    → review and litigation); ``None`` when other words remain ("因行政处罚引发的行政复议")."""
    rest = _reduce(obj, _APPEAL_FILLERS)
    named: set[str] = set()
    for words in (_PROCEEDINGS, _SHORT_PROCEEDINGS):
        for word, figure in words:
            if word in rest:
                named.add(figure)
                rest = rest.replace(word, "")
    rest = _reduce(rest, _CONNECTORS)
    return named if named and not rest else None


def _about_appeals(clause: _Clause, lines_before: str) -> bool:
    """The sentence, or the heading above it, is about disclosure."""
    return "信息公开" in clause.sentence or "依申请" in clause.sentence or "信息公开" in lines_before


def _appeals(clause: _Clause, year: int | None, heading: str) -> list[Statement]:
    text = clause.text
    if not _prefix_ok(clause.before, year) or not ("复议" in text or "诉讼" in text):
        return []
    for match in _APPEALS_NONE.finditer(text):
        named = _proceedings(text[match.end() :])
        if named and _prefix_ok(text[: match.start()], year):
            if not (_about_appeals(clause, heading) or "信息公开" in text[match.end() :]):
                return []
            return [Statement(f, 0, clause.sentence, clause.line) for f in sorted(named)]
    if not _about_appeals(clause, heading):
        return []
    listed = _APPEALS_ALL.match(text)
    start = _APPEALS_START.search(listed["procs"]) if listed else None
    if listed and start and _prefix_ok(text[: start.start()], year):
        named = _proceedings(listed["procs"][start.start() :])
        value = small_number(listed["num"])
        if named and value is not None and (value == 0 or listed["each"] == "各"):
            return [Statement(f, value, clause.sentence, clause.line) for f in sorted(named)]
        return []
    found = []
    for match in _APPEAL_COUNT.finditer(text):
        value = small_number(match["num"])
        if value is not None and _prefix_ok(text[: match.start()], year) and _counted(match, text):
            found.append(Statement(dict(_PROCEEDINGS)[match["proc"]], value, clause.sentence, clause.line))
    return found


def _counted(match: re.Match[str], text: str) -> bool:
    """A number is a count when a unit follows it or the clause ends with it ("行政复议2019年…" is not)."""
    return match["unit"] is not None or match.end() == len(text)


_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|[(（][一二三四五六七八九十]+[)）])")


def find_statements(lines: Sequence[str], year: int | None = None) -> list[Statement]:
    """Every figure of 表三 (rows 1, 2, 4 总计) and 表四 (复议, 诉讼 总计) that a sentence states."""
    found: list[Statement] = []
    heading = ""
    last_line = 0
    for clause in _clauses(lines):
        if clause.line != last_line:
            last_line = clause.line
            line = _SPACES.sub("", nfkc(lines[clause.line - 1]))
            if _HEADING.match(line) and len(line) <= 60:
                heading = line
        received = _received(clause, year, heading)
        if received is not None:
            found.append(received)
        found += _carried(clause, year)
        found += _appeals(clause, year, heading)
    return found


def decided(statements: Sequence[Statement]) -> tuple[dict[str, Statement], list[Issue]]:
    """One statement per figure; a figure stated with two different values is left out with a note."""
    by_figure: dict[str, Statement] = {}
    conflicts: dict[str, list[Statement]] = {}
    for statement in statements:
        first = by_figure.get(statement.figure)
        if first is None:
            by_figure[statement.figure] = statement
        elif first.value != statement.value:
            conflicts.setdefault(statement.figure, [first]).append(statement)
    issues = []
    for figure, seen in conflicts.items():
        del by_figure[figure]
        shown = "; ".join(f"{s.value} ({s.sentence!r})" for s in seen)
        issues.append(
            Issue(
                "cell-ambiguous",
                Severity.WARNING,
                f"the prose states {_FIGURE_NAMES[figure]} differently in different sentences: {shown}; none published",
            )
        )
    return by_figure, issues


_FIGURE_NAMES = {
    RECEIVED: "本年新收政府信息公开申请数量",
    CARRIED_OVER: "上年结转政府信息公开申请数量",
    CARRIED_FORWARD: "结转下年度继续办理",
    REVIEW: "行政复议",
    LITIGATION: "行政诉讼",
}


# ---------------------------------------------------------------------------------------------
# Observations


def _cell(table: str, codes: tuple[tuple[str, str], ...], value: int, statement: Statement, row: str, col: str) -> Cell:
    return Cell(
        table=table,
        codes=codes,
        measure=Measure.COUNT,
        value=Decimal(value),
        source_text=statement.sentence,
        row_label=row,
        column_label=col,
        line=statement.line,
    )


def _note(key: tuple[str, ...], message: str, statement: Statement) -> Issue:
    return Issue("stated-in-prose", Severity.INFO, message, target=key, source_text=statement.sentence)


_TABLE3_ROWS = {RECEIVED: "1", CARRIED_OVER: "2", CARRIED_FORWARD: "4"}


def _table3(
    figures: dict[str, Statement], known: dict[tuple[str, ...], Decimal], generation: Generation
) -> tuple[list[Cell], list[Issue]]:
    cells: list[Cell] = []
    issues: list[Issue] = []
    published: dict[str, int] = {}
    for figure, row in _TABLE3_ROWS.items():
        statement = figures.get(figure)
        if statement is None:
            continue
        key = ("table3", row, "total")
        label = concept("request", row).zh
        cells.append(
            _cell("table3", (("request", row), ("applicant", "total")), statement.value, statement, label, "总计")
        )
        issues.append(
            _note(
                key,
                f"表三 is replaced by the sentence {statement.sentence!r}; {label} 总计 published as {statement.value}",
                statement,
            )
        )
        published[row] = statement.value
    received = figures.get(RECEIVED)
    carried = published.get("2", known.get(("table3", "2", "total")))
    if received is None or received.value != 0 or carried != 0:
        return cells, issues
    # 一 + 二 = 三（七）+ 四 and no count is negative: nothing was handled and nothing is left.
    if published.get("4", 0) != 0:
        return cells, issues  # the prose contradicts itself; publish only what it states
    reason = (
        f"the report states that no application was received ({received.sentence!r}) and none carried over"
        + (
            f" ({figures[CARRIED_OVER].sentence!r})"
            if CARRIED_OVER in figures and figures[CARRIED_OVER].sentence != received.sentence
            else ""
        )
        + "; 一 + 二 = 三（七）+ 四 with counts that cannot be negative proves it"
    )
    # every cell of 表三 is then 0: each row's applicant cells add up to its 总计, every outcome row to （七）
    have = {c.key for c in cells} | set(known)
    for row in REQUEST_ROWS[generation]:
        label = concept("request", row).zh
        for applicant in APPLICANT:
            key = ("table3", row, applicant.notation)
            if key in have:
                continue
            cells.append(
                _cell("table3", (("request", row), ("applicant", applicant.notation)), 0, received, label, applicant.zh)
            )
            issues.append(
                _note(key, f"表三 row {row} ({label}), column {applicant.zh} published as 0: {reason}", received)
            )
    return cells, issues


def _table4(figures: dict[str, Statement]) -> tuple[list[Cell], list[Issue]]:
    cells: list[Cell] = []
    issues: list[Issue] = []
    review = figures.get(REVIEW)
    litigation = figures.get(LITIGATION)
    proceedings: list[tuple[str, Statement]] = []
    if review is not None:
        proceedings.append(("review", review))
    if litigation is not None:
        if litigation.value == 0:
            proceedings += [("litigation-direct", litigation), ("litigation-after-review", litigation)]
        else:
            issues.append(
                Issue(
                    "not-read",
                    Severity.INFO,
                    f"表四: the sentence {litigation.sentence!r} states {litigation.value} lawsuits, which the "
                    "template splits into 未经复议直接起诉 and 复议后起诉; not published",
                    source_text=litigation.sentence,
                )
            )
    for proceeding, statement in proceedings:
        name = concept("proceeding", proceeding).zh
        for result in RESULT:
            if statement.value != 0 and result.notation != "total":
                continue
            key = ("table4", proceeding, result.notation)
            cells.append(
                _cell(
                    "table4",
                    (("proceeding", proceeding), ("result", result.notation)),
                    statement.value,
                    statement,
                    name,
                    result.zh,
                )
            )
            if result.notation == "total" and (proceeding == "review" or statement.value == 0):
                what = "总计" if proceeding == "review" else "总计 (行政诉讼 0, so each kind of lawsuit 0)"
                message = f"表四 is replaced by the sentence {statement.sentence!r}; {name} {what} published as {statement.value}"
            else:
                message = (
                    f"表四 is replaced by the sentence {statement.sentence!r}; {name} {result.zh} published as 0: "
                    "its 总计 is 0 and no count can be negative"
                )
            issues.append(_note(key, message, statement))
    return cells, issues


def read_prose_tables(
    lines: Sequence[str],
    generation: Generation,
    have_table3: bool,
    have_table4: bool,
    year: int | None = None,
    known: Sequence[Cell] = (),
) -> tuple[list[Cell], list[Issue]]:
    """The 表三/表四 figures the report's sentences state, for the tables it does not print.

    ``have_table3``/``have_table4``: that table was read from the report; its prose is then not
    used. ``known``: cells already read (a row 2 known to be 0 completes the arithmetic).
    """
    if generation is Generation.LEGACY or (have_table3 and have_table4):
        return [], []
    wanted = ({RECEIVED, CARRIED_OVER, CARRIED_FORWARD} if not have_table3 else set()) | (
        {REVIEW, LITIGATION} if not have_table4 else set()
    )
    figures, issues = decided([s for s in find_statements(lines, year) if s.figure in wanted])
    cells: list[Cell] = []
    values = {c.key: c.value for c in known}
    if not have_table3:
        found, notes = _table3(figures, values, generation)
        cells += found
        issues += notes
    if not have_table4:
        found, notes = _table4(figures)
        cells += found
        issues += notes
    return cells, issues
