"""表四 政府信息公开行政复议、行政诉讼情况: one data row of 15 cells (3 proceedings × 5 results)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from converter.checks import table4_problems
from converter.errors import Issue, Severity
from converter.model import Cell, Token
from converter.numbers import is_value
from converter.solve import Group, consistent_zeros, prove_zeros, resolve
from converter.tables.common import cell_value, is_count
from converter.tables.layout import APPEAL_CELLS, Measure, concept

TABLE = "table4"
ZH = "表四"
N = len(APPEAL_CELLS)
GROUPS: list[Group] = [((0, 1, 2, 3), 4), ((5, 6, 7, 8), 9), ((10, 11, 12, 13), 14)]


def violations(vector: Sequence[Decimal | None]) -> list[str]:
    return [message for _, message in table4_problems(vector)]


def read_table4(tokens: Sequence[Token]) -> tuple[list[Cell], list[Issue]]:
    issues: list[Issue] = []
    values = [t for t in tokens if is_value(t.text)]
    if not values:
        return [], [Issue("table-missing", Severity.WARNING, f"{ZH}: no numbers found after its header")]
    numbers = [cell_value(t) for t in values]
    if len(values) > N:
        issues.append(
            Issue(
                "not-read",
                Severity.WARNING,
                f"{ZH} has {len(values)} cells, expected {N}; only the first {N} were read",
                source_text=" ".join(t.text for t in values[N:]),
            )
        )
        values, numbers = values[:N], numbers[:N]
    tokens_at: list[Token | None] = list(values)
    inferred = (False,) * N
    if len(values) < N:
        result = resolve({}, {"row": numbers}, N, GROUPS, lambda t: len(violations(t["row"])))
        vector = result.rows["row"]
        inferred = result.inferred["row"]
        tokens_at = [next((t for t in values if cell_value(t) == v), None) for v in vector]
        issues.append(
            Issue(
                "missing-cell",
                Severity.WARNING,
                f"{ZH} has {len(values)} cells, expected {N}; placed by the three 总计 equations: "
                + "/".join("?" if v is None else str(v) for v in vector),
                source_text=" ".join(t.text for t in values),
            )
        )
    else:
        vector = tuple(numbers)
    # a blank is 0 where its group's total proves it (4 results = 总计, counts never negative)
    equations = [(parts, (total,)) for parts, total in GROUPS]
    zeros = prove_zeros(dict(enumerate(vector)), equations) if len(values) == N else {}
    blank_ok = (
        consistent_zeros({i: Decimal(0) if i in zeros else v for i, v in enumerate(vector)}, equations)
        if len(values) == N
        else set()
    )
    cells = []
    for i, (proceeding, result_code) in enumerate(APPEAL_CELLS):
        value = vector[i]
        label = f"{concept('proceeding', proceeding).zh} {concept('result', result_code).zh}"
        if value is None and (i in zeros or i in blank_ok):
            value = Decimal(0)
            why = (
                "which the group's 总计 (维持 + 纠正 + 其他 + 尚未审结) proves"
                if i in zeros
                else "its group's sum (维持 + 纠正 + 其他 + 尚未审结 = 总计) holds with it as 0"
            )
            issues.append(
                Issue(
                    "blank-read-as-zero",
                    Severity.INFO,
                    f"{ZH} {label}: printed blank; published as 0, {why}",
                    target=(TABLE, proceeding, result_code),
                    source_text=values[i].text,
                )
            )
        if value is None or not is_count(value):
            issues.append(
                Issue(
                    "blank-cell" if len(values) == N else "cell-ambiguous",
                    Severity.WARNING,
                    f"{ZH} {label}: no value could be read; none published",
                )
            )
            continue
        printed = tokens_at[i]
        token = printed or values[0]
        cells.append(
            Cell(
                table=TABLE,
                codes=(("proceeding", proceeding), ("result", result_code)),
                measure=Measure.COUNT,
                value=value,
                source_text=printed.text if printed else "",
                row_label=concept("proceeding", proceeding).zh,
                column_label=concept("result", result_code).zh,
                line=token.line,
                page=token.page,
                part=printed.part if printed else None,
            )
        )
        if inferred[i]:
            issues.append(
                Issue(
                    "cell-inferred",
                    Severity.WARNING,
                    f"{ZH} {label}: placed by arithmetic after a lost cell",
                    target=(TABLE, proceeding, result_code),
                )
            )
    return cells, issues
