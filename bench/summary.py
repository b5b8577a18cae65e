"""The first screen of bench/RESULTS.md: every target, its peer, what the latest run measured, met or not.

Made from the target lines the benchmarks write into their own sections (a line that ends in
``**met**`` or ``**not met**``, and the accuracy section's ``**name: value** (goal …)``), so the
summary cannot say something its sections do not. :func:`bench.results.write_section` calls
:func:`refresh` after every write; ``python -m bench.summary`` refreshes it by hand.

The HTTP targets of bench/run.py (one line per request kind, concurrency and corpus size) are
folded into one row per request kind and cache mode: the range of the ratios and how many of its
cells met the target.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

START, END = "<!-- bench/summary: start -->", "<!-- bench/summary: end -->"

_VERDICT = re.compile(r"\*\*(met|not met)\*\*\.?\s*$")
_WHEN = re.compile(r"\b(20\d\d-\d\d-\d\d)(?: \d\d:\d\d UTC)?")
_HTTP = re.compile(
    r"^- \[response cache (?P<cache>on|off)[^\]]*— (?P<n>[\d,]+) reports\] (?P<request>.+?), c=(?P<c>\d+): "
    r"(?P<target>.+?) \(is (?P<ratio>[\d.]+)×(?:, p99 (?P<p99>[\d.]+)×)?\)"
)
_IS = re.compile(r"^- (?:Target: )?(?P<target>.+?) \(is (?P<value>[^;),]+)")
_RELOAD = re.compile(r"^- (?P<target>reload of .+? reports): vs (?P<peer>.+?) \(the same job\) (?P<value>[\d.]+×)")
_GROWTH = re.compile(r"^- (?P<target>.+? independent of N) \(.+?; (?P<value>[\d.]+×), allowed (?P<allowed>[\d.]+×)")
_STATED = re.compile(r"(?:The |^- )(?P<target>(?:SHACL )?[Tt]arget,? [^:]+): (?P<value>.+?)(?:,? \*\*|, measured| \()")
_SHACL = re.compile(r"^- Target: (?P<target>.+?) \((?P<what>[^;]+);.*: (?P<value>[\d.]+ \w+)\)")
_GOAL = re.compile(r"\*\*(?P<name>[^*:]+): (?P<value>[\d.]+)%\*\* \(goal (?P<op>[≥≤]) ?(?P<goal>[\d.]+)%\)")
_SILENT = re.compile(r"\*\*wrong numbers published silently: (?P<value>\d+)\*\*[^(]*\(goal (?P<goal>\d+)\)")

# the peer a target is measured against, by words of its line (first match wins)
_PEERS = (
    ("c=", "`oxigraph serve-read-only`, same store"),
    ("bulk_load", "pyoxigraph `Store.bulk_load`"),
    ("Store.dump", "pyoxigraph `Store.dump`"),
    ("pdfplumber", "pdfplumber's own parsing"),
    ("peak memory", "itself at 200 reports (the peer's growth beside it)"),
    ("reload", "`remove_graph` + `bulk_load`"),
)


@dataclass(frozen=True)
class Target:
    """One row of the summary."""

    section: str
    target: str
    peer: str
    measured: str
    verdict: str  # "met", "not met" or e.g. "2/4 met"
    when: str


def targets(text: str) -> list[Target]:
    """Every target stated in the sections of RESULTS.md ``text`` (the summary itself left out)."""
    if START in text and END in text:
        text = text[: text.index(START)] + text[text.index(END) + len(END) :]
    rows: list[Target] = []
    http: dict[tuple[str, str], list[tuple[str, float, bool]]] = {}
    section, when = "", ""
    for line in text.splitlines():
        if line.startswith("## "):
            section, when = line[3:].strip(), _run_date(text, line)
            continue
        if (g := _GOAL.search(line)) is not None:
            for g in _GOAL.finditer(line):
                value, goal = float(g["value"]), float(g["goal"])
                met = value >= goal if g["op"] == "≥" else value <= goal
                rows.append(
                    Target(section, f"{g['name']} {g['op']} {g['goal']}%", "—", f"{g['value']}%", _met(met), when)
                )
            if (s := _SILENT.search(line)) is not None:
                met = int(s["value"]) <= int(s["goal"])
                rows.append(
                    Target(section, f"wrong numbers published silently = {s['goal']}", "—", s["value"], _met(met), when)
                )
            continue
        verdict = _VERDICT.search(line)
        if verdict is None or not line.startswith("- "):
            continue
        met = verdict.group(1) == "met"
        if (h := _HTTP.match(line)) is not None:
            key = (f"{h['request']}, response cache {h['cache']}", h["target"])
            cell = f"c={h['c']}, {h['n']}"
            http.setdefault(key, []).append((cell, float(h["ratio"]), met))
            if len(http[key]) == 1:
                rows.append(Target(section, f"{key[0]}: {key[1]}", _peer(line), "", "", when))
            continue
        if (s := _SHACL.match(line)) is not None:
            rows.append(Target(section, f"{s['target']} ({s['what']})", "—", s["value"], _met(met), when))
            continue
        if (m := _RELOAD.match(line)) is not None:
            rows.append(Target(section, m["target"], f"`{m['peer']}`, the same job", m["value"], _met(met), when))
            continue
        if (m := _GROWTH.match(line)) is not None:
            measured = f"{m['value']} from the smallest to the largest corpus (allowed {m['allowed']})"
            rows.append(Target(section, m["target"], _peer(line), measured, _met(met), when))
            continue
        if (m := _STATED.search(line)) is not None and "(is " not in line:
            target = re.sub(r"^(?:SHACL )?[Tt]arget,? (?:the )?", "", m["target"])
            rows.append(Target(section, _short(target), _peer(line), m["value"].strip(), _met(met), when))
            continue
        if (m := _IS.match(line)) is not None:
            rows.append(Target(section, m["target"], _peer(line), m["value"].strip(), _met(met), when))
            continue
        head = line[2 : verdict.start()].rstrip(" ,:")
        rows.append(Target(section, _short(head), _peer(line), "", _met(met), when))
    return [_fold(r, http) for r in rows]


def render(rows: list[Target]) -> str:
    """The summary block, markers included."""
    met = sum(1 for r in rows if r.verdict == "met")
    lines = [
        START,
        "",
        "## Every target at a glance",
        "",
        f"{met} of {len(rows)} targets met in the latest measurement of each. Each row comes from the "
        "section named in its last column (made by `bench/summary.py` from those sections' target lines; "
        "ratios are Gongkai ÷ the peer, measured in the same run). Ratios within ±15 % of a target are "
        "within the noise of this 2-core machine.",
        "",
        "| target | peer | measured | verdict | section (run) |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        verdict = f"**{r.verdict}**" if r.verdict != "met" else "met"
        lines.append(
            f"| {r.target} | {r.peer} | {r.measured} | {verdict} | {_section_name(r.section)} ({r.when or '—'}) |"
        )
    return "\n".join([*lines, "", END])


def refresh(results: Path) -> None:
    """Write the summary at the top of ``results`` (after its title), replacing the old one."""
    text = results.read_text(encoding="utf-8")
    block = render(targets(text))
    if START in text and END in text:
        text = text[: text.index(START)] + block + text[text.index(END) + len(END) :]
    else:
        title, _, rest = text.partition("\n")
        text = f"{title}\n\n{block}\n{rest}"
    results.write_text(text, encoding="utf-8")


def _fold(row: Target, http: dict[tuple[str, str], list[tuple[str, float, bool]]]) -> Target:
    cells = next((v for k, v in http.items() if row.target == f"{k[0]}: {k[1]}"), None)
    if cells is None:
        return row
    ratios = [r for _c, r, _m in cells]
    met = sum(1 for *_x, m in cells if m)
    low, high = min(ratios), max(ratios)
    span = f"{low:.2f}×" if low == high else f"{low:.2f}–{high:.2f}×"
    where = "; ".join(sorted({c.split(", ")[1] for c, _r, _m in cells}))
    verdict = "met" if met == len(cells) else ("not met" if not met else f"{met}/{len(cells)} met")
    return Target(row.section, row.target, row.peer, f"{span} (c=1 and 16; {where} reports)", verdict, row.when)


def _run_date(text: str, header: str) -> str:
    """The date of the run a section reports: the first ``Run <date>`` after its header."""
    rest = text[text.index(header) :]
    rest = rest[: rest.find("\n## ", 1)] if "\n## " in rest[1:] else rest
    m = re.search(r"\bRun (20\d\d-\d\d-\d\d)", rest) or _WHEN.search(rest)
    return m.group(1) if m else ""


def _peer(line: str) -> str:
    return next((peer for words, peer in _PEERS if words in line), "—")


def _met(met: bool) -> str:
    return "met" if met else "not met"


def _short(text: str, limit: int = 140) -> str:
    text = text.replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _section_name(section: str) -> str:
    return re.sub(r"\s*\(.*\)\s*$", "", section) or section


def main() -> None:
    from bench.results import RESULTS

    refresh(RESULTS)
    print(f"wrote the summary of {RESULTS}")


if __name__ == "__main__":
    main()
