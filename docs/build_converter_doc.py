"""Write docs/converter.md from the layout tables (run: .venv/bin/python docs/build_converter_doc.py).

tests/test_docs.py checks that the committed page equals what this script writes.
"""

from __future__ import annotations

from pathlib import Path

from converter.tables.layout import (
    APPEAL_CELLS,
    APPLICANT,
    DISCLOSURE_ROWS,
    LEGACY,
    REQUEST_ROWS,
    Generation,
    concept,
)

PAGE = Path(__file__).with_name("converter.md")

INTRO = """# The converter, template by template

Generated from `converter/tables/layout.py` by `docs/build_converter_doc.py`; do not edit by hand.

The converter reads a report's text (extracted from .txt, .md, .html, .docx or .pdf; an old Word
.doc, a WPS .wps, .rtf or .odt file is first converted to .docx by LibreOffice headless, under a
time limit, and noted `converted-by-libreoffice`; a ".doc" that is really a .docx, a web page or MHT
is read as what it is; a scanned PDF or an image is read by OCR, cell by cell), finds 表二, 表三 and
表四 by their labels, and places every value on its row and column of the template of the report's
generation:

- **PDF tables by their geometry**: the cell grid comes from the ruling lines (completed where a
  frame or the vertical rules are missing), so a blank cell keeps its column; a table continued on
  the next page is joined to it.
- **表三 rows by alignment**: the printed rows are placed on the template's rows by an alignment that
  weighs label similarity (typos, lost characters, wrapped labels) and order, beside the placement by
  position; the table's arithmetic chooses between them. Page numbers and footers inside the table
  are left out; a 2021-format table that prints （六）其他处理 as one row is published as row 3.6.
- **Blanks**: a blank cell is published as 0 where the arithmetic proves it or no sum says otherwise
  (`blank-read-as-zero`); a blank 总计 above printed parts is left out with a note.
- A row that lost cells is placed by the table's own arithmetic and flagged; digits that ran together
  are split only where exactly one split fits the arithmetic; a sum that does not hold flags every
  cell in it. Tables replaced by a sentence are read from it (`stated-in-prose`); an OCR'd digit of
  表三/表四 is published only where the arithmetic confirms it.

Every problem becomes a quality note (see [issues.md](issues.md)). The generation is detected from
the tables' own wording, with the evidence recorded on the report (`gk:templateEvidence`).
`gongkai inspect FILE` shows how one file was read.
"""


def render() -> str:
    out = [INTRO]
    for generation in (Generation.GEN2019, Generation.GEN2021):
        out.append(f"## Template {generation.value}\n")
        out.append("### 表二 主动公开政府信息情况\n")
        out.append("| provision | item | columns (notation: label, measure) |")
        out.append("|---|---|---|")
        for row in DISCLOSURE_ROWS[generation]:
            columns = "; ".join(f"`{c}`: {concept('column', c).zh} ({m.value})" for c, m in row.columns)
            out.append(
                f"| `{row.provision}` {concept('provision', row.provision).zh} | `{row.item}` {concept('item', row.item).zh} | {columns} |"
            )
        out.append("\n### 表三 收到和处理政府信息公开申请情况\n")
        out.append("Columns: " + ", ".join(f"`{c.notation}` {c.zh}" for c in APPLICANT) + ".\n")
        out.append("| row | notation | label |")
        out.append("|---|---|---|")
        for position, notation in enumerate(REQUEST_ROWS[generation], start=1):
            out.append(f"| {position} | `{notation}` | {concept('request', notation).zh} |")
        out.append("")
    out.append("## 表四 (both generations): one row of 15 cells\n")
    out.append("| cell | proceeding | result |")
    out.append("|---|---|---|")
    for position, (proceeding, result) in enumerate(APPEAL_CELLS, start=1):
        out.append(
            f"| {position} | `{proceeding}` {concept('proceeding', proceeding).zh} | `{result}` {concept('result', result).zh} |"
        )
    out.append("\n## Legacy reports (before 2019)\n")
    out.append("Figures from 附表/统计表 rows and from the prose; table values win, prose-only values are noted.\n")
    out.append("| notation | label | maps to |")
    out.append("|---|---|---|")
    for c in LEGACY:
        mapping = ""
        if c.close_match:
            mapping = f"skos:closeMatch `{c.close_match[0]}/{c.close_match[1]}`"
        elif c.broad_match:
            mapping = f"skos:broadMatch `{c.broad_match[0]}/{c.broad_match[1]}`"
        out.append(f"| `{c.notation}` | {c.zh} | {mapping} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    PAGE.write_text(render(), encoding="utf-8")
