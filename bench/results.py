"""bench/RESULTS.md is shared: each benchmark rewrites only its own section, between its markers."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")


def write_section(start: str, end: str, block: str, results: Path = RESULTS) -> None:
    """Replace the text from ``start`` to ``end`` (markers included in ``block``), or append it."""
    text = results.read_text(encoding="utf-8") if results.exists() else "# Benchmark results\n\n"
    block = block.rstrip("\n")
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    results.write_text(text, encoding="utf-8")
