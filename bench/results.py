"""bench/RESULTS.md is shared: each benchmark rewrites only its own section, between its markers."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).with_name("RESULTS.md")
SUITE_ENV = "GONGKAI_BENCH_SUITE"  # set by bench/suite.py (``make bench``) for each of its steps


def suite_stamp() -> dict[str, str]:
    """``{"suite": started}`` when this measurement is a step of a ``make bench`` run, else ``{}``."""
    started = os.environ.get(SUITE_ENV, "")
    return {"suite": started} if started else {}


def part_of(res: dict[str, Any]) -> str:
    """The words a section's header adds when its numbers come from a ``make bench`` run."""
    return f", a step of the `make bench` run started {res['suite']}" if res.get("suite") else ""


def write_section(start: str, end: str, block: str, results: Path = RESULTS) -> None:
    """Replace the text from ``start`` to ``end`` (markers included in ``block``), or append it."""
    text = results.read_text(encoding="utf-8") if results.exists() else "# Benchmark results\n\n"
    block = block.rstrip("\n")
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    results.write_text(text, encoding="utf-8")
    from bench.summary import refresh  # the first screen follows the sections it sums up

    refresh(results)


def measure_or_rerender(
    raw: Path,
    report_only: bool,
    measure: Callable[[], dict[str, Any]],
    write: Callable[[dict[str, Any]], None],
    **stamp: Any,
) -> dict[str, Any]:
    """A benchmark script's last steps: with ``report_only``, ``write`` its section again from the
    raw numbers kept in ``raw``; otherwise ``measure``, add the machine, the time and ``stamp``, keep
    the numbers in ``raw`` and ``write`` the section. Returns the numbers."""
    if report_only:
        res: dict[str, Any] = json.loads(raw.read_text(encoding="utf-8"))
        write(res)
        return res
    from bench.harness import machine  # bench.harness imports this module

    raw.parent.mkdir(parents=True, exist_ok=True)
    res = measure()
    res.update(
        {"machine": machine(), "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), **suite_stamp(), **stamp}
    )
    raw.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    write(res)
    print(f"wrote {RESULTS} and {raw}", file=sys.stderr)
    return res
