"""Make the HTML that LibreOffice turns into the DOCX/PDF test fixtures (see tools/make_fixtures.sh).

    python3 tools/fixture_html.py html REPORT.html > print.html   # a real HTML report
    python3 tools/fixture_html.py text REPORT.txt > print.html    # a tab-separated text report

``html``: the page wrapped in a full document with a charset and one small TrueType CJK font (so
the PDF stays small), with the fixed column widths and ``nowrap`` removed so that the wide 表三
fits the page. Only the presentation changes: text, cells and spans stay as they are.

``text``: each run of lines holding TABs becomes a ``<table>``, one row per line; other lines
become paragraphs. An empty field right after a label widens that label (``colspan``), as the
merged cells of the Word table the text came from did; trailing empty fields are padding and
dropped; an empty field after a number stays an empty cell (a blank value); a row shorter than
the table has its last label widened, so the grid is rectangular as in Word.

Standard library only.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

HEAD = (
    '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{title}</title>'
    '<style>body, p, td {{ font-family: "WenQuanYi Micro Hei"; font-size: 10pt; }}</style>'
    "</head><body>\n"
)
TAIL = "\n</body></html>\n"
NUMBER = re.compile(r"^[增减+\-−]?\s*\d+(?:,\d{3})*(?:\.\d+)?\s*(?:万元|元|万条|件|条|项|个)?$")


def from_html(text: str) -> str:
    body = re.sub(r' nowrap="nowrap"', "", text)
    body = re.sub(r' style="width:\s*\d+px;?"', "", body)
    title = re.search(r"<p[^>]*>([^<]*年度报告)</p>", body)
    return HEAD.format(title=html.escape(title[1] if title else "")) + body + TAIL


Row = tuple[list[str], list[int]]  # cell texts and their colspans


def _row(fields: list[str]) -> Row:
    while fields and not fields[-1].strip():
        fields.pop()
    texts: list[str] = []
    spans: list[int] = []
    for field in fields:
        text = field.strip()
        if not text and texts and texts[-1] and not NUMBER.match(texts[-1]):
            spans[-1] += 1  # an empty field after a label: the label's merged cell
            continue
        texts.append(text)
        spans.append(1)
    return texts, spans


def _table(rows: list[Row]) -> str:
    """A rectangular table, as Word keeps it: a short row's last label is widened to fill it."""
    width = max(sum(spans) for _, spans in rows)
    out = []
    for texts, spans in rows:
        labels = [i for i, text in enumerate(texts) if text and not NUMBER.match(text)]
        if labels and sum(spans) < width:
            spans[labels[-1]] += width - sum(spans)
        tds = "".join(
            f"<td{f' colspan={span}' if span > 1 else ''}>{html.escape(text)}</td>"
            for text, span in zip(texts, spans, strict=True)
        )
        out.append(f"<tr>{tds}</tr>")
    return '<table border="1" cellspacing="0">' + "".join(out) + "</table>"


def from_text(text: str) -> str:
    out: list[str] = []
    table: list[Row] = []
    title = ""
    for line in text.replace("\r\n", "\n").split("\n"):
        if "\t" in line and line.strip():
            table.append(_row(line.split("\t")))
            continue
        if table:
            out.append(_table(table))
            table = []
        if line.strip():
            out.append(f"<p>{html.escape(line.strip())}</p>")
            if not title and line.strip().endswith("年度报告"):
                title = line.strip()
    if table:
        out.append(_table(table))
    return HEAD.format(title=html.escape(title)) + "\n".join(out) + TAIL


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] not in {"html", "text"}:
        sys.stderr.write(__doc__ or "")
        return 2
    source = Path(argv[2]).read_text(encoding="utf-8")
    sys.stdout.write(from_html(source) if argv[1] == "html" else from_text(source))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
