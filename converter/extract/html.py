"""HTML pages (web pages, Word "save as HTML"): paragraphs become lines, every table row one line.

Also home of the table grid that the DOCX and PDF extractors share: a table is first laid out as a
full grid of slots (rowspan/colspan expanded), then each grid row becomes one line of cells joined
by TAB, with a cell printed empty written as ``BLANK_CELL`` so that it keeps its position.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterator, Mapping, Sequence
from pathlib import Path

from bs4 import BeautifulSoup, CData, NavigableString, Tag

from converter.errors import SourceUnreadable
from converter.extract import read_bytes
from converter.extract.text import decode
from converter.model import SourceDoc
from converter.numbers import BLANK_CELL, is_value, parse_number

MEDIA_TYPE = "text/html"

# --------------------------------------------------------------------------------------------
# Cell text and the table grid (shared with the DOCX and PDF extractors)

_WHITESPACE = re.compile(r"\s+")
# CJK characters and punctuation: a space between two of them is an artefact of source line
# breaks (Word HTML, PDF lines), never meant; "增 6", "28370 万元" keep theirs.
_CJK = "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_CJK_SPACE = re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")


def clean_cell(text: str) -> str:
    """The text of one table cell on one line: whitespace collapsed, none left between CJK
    characters, and no TAB or ``|`` (they would cut the cell in two when lines are tokenized).

    >>> clean_cell(" 本年新\\n 制作数量 ")
    '本年新制作数量'
    >>> clean_cell("28370\\u00a0万元 | 增 6")
    '28370 万元｜增 6'
    """
    text = _WHITESPACE.sub(" ", text.replace("|", "｜")).strip()
    return _CJK_SPACE.sub("", text)


def clean_line(text: str) -> str:
    """A line of running text: each TAB-separated part cleaned like a cell, TABs kept."""
    return "\t".join(part for part in (clean_cell(p) for p in text.split("\t")) if part)


def _is_number(text: str) -> bool:
    return parse_number(text) is not None


def _is_value(text: str) -> bool:
    """A value slot: a number, a blank marker ("-", "无") or an empty cell."""
    return not text or is_value(text)


Slots = Mapping[tuple[int, int], tuple[Hashable, str]]


def grid_lines(slots: Slots) -> list[str]:
    """Lines for a table laid out as a grid.

    ``slots`` maps each (row, column) position that a cell covers to ``(cell key, cell text)``;
    a merged cell has one key for all the positions it covers, and the first of them in reading
    order is where it stands. Positions in no cell are simply missing.

    * A cell spanning several *columns* is written once: a cell printed over two grid columns is
      one cell (Word tables whose columns do not line up print "本年新公开数量" over two columns
      in the header and "0" over two in the next row). Repeating it would give the header row
      more cells than its data rows and shift every column label and header unit (表二 reads
      both by position).
    * A label cell spanning several *rows* is repeated in each of them, so each row carries its
      labels ("三、本年度办理结果" over 20 rows of 表三).
    * A value cell (number, "-", or empty) spanning several rows stands in its first row; each
      further row it covers gets a ``BLANK_CELL`` at its column: the row keeps the cell's
      position, and no value is invented by repeating a number.
    * Runs of blank cells that carry no number and stand before a label (empty header cells, an
      empty label column) are dropped: they are not values of any row. A row's trailing run of
      blanks with no number is kept (a data row printed all blank) when some row of the table with
      numbers has as many values after its labels, or when it is the last row of a table of
      several rows (表四's single data row), provided the row has labels or several blanks;
      otherwise it is the empty tail of a header row, a spacer, or the empty part of a row that
      a page break cut in two, and is dropped.
    """
    origin: dict[Hashable, tuple[int, int]] = {}
    by_row: dict[int, list[int]] = {}
    for r, c in sorted(slots):
        origin.setdefault(slots[(r, c)][0], (r, c))
        by_row.setdefault(r, []).append(c)
    rows: list[list[str]] = []
    for r in sorted(by_row):
        cells: list[str] = []
        for c in by_row[r]:
            key, text = slots[(r, c)]
            text = clean_cell(text)
            r0, c0 = origin[key]
            if c != c0:
                continue  # a cell spanning columns is written once
            if r == r0:
                cells.append(text or BLANK_CELL)
            else:  # further rows of a cell spanning rows: labels repeat, values do not
                cells.append(BLANK_CELL if _is_value(text) else text)
        rows.append(cells)
    return _trim(rows)


def _runs(cells: Sequence[str]) -> list[tuple[bool, list[str]]]:
    """The row cut into runs: (is a run of values, cells)."""
    runs: list[tuple[bool, list[str]]] = []
    for cell in cells:
        value = _is_value(cell)
        if runs and runs[-1][0] == value:
            runs[-1][1].append(cell)
        else:
            runs.append((value, [cell]))
    return runs


def _trim(rows: list[list[str]]) -> list[str]:
    split = [_runs(cells) for cells in rows]
    widths = {len(runs[-1][1]) for runs in split if runs and runs[-1][0] and any(_is_number(c) for c in runs[-1][1])}
    lines: list[str] = []
    for index, runs in enumerate(split):
        labelled = any(not value for value, _ in runs)
        last_row = index == len(split) - 1 and len(split) > 1
        kept: list[str] = []
        for position, (value, cells) in enumerate(runs):
            if not value or any(_is_number(c) for c in cells):
                kept += cells
            elif position == len(runs) - 1 and (labelled or len(cells) > 1) and (last_row or len(cells) in widths):
                kept += cells  # a data row printed all blank
        if kept:
            lines.append("\t".join(kept))
    return lines


# --------------------------------------------------------------------------------------------
# HTML

_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_GB = {"gb2312", "gbk", "x-gbk", "gb_2312-80", "gb18030", "cp936", "euc-cn"}
_WESTERN = {"iso-8859-1", "latin1", "latin-1", "windows-1252", "cp1252", "us-ascii", "ascii"}
_DROP = {"script", "style", "template", "noscript", "head"}
_KEEP_IN_HEAD = {"title"}
# fmt: off
_BLOCKS = {
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
    "h6", "header", "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table",
    "tbody", "td", "tfoot", "th", "thead", "title", "tr", "ul",
}
# fmt: on
MAX_SPAN = 200  # larger rowspan/colspan values are typos or attacks; a report table is never that big


def decode_html(data: bytes) -> str:
    """Decode with the charset a ``<meta>`` declares, else UTF-8, else GB18030.

    :raises UnicodeDecodeError: no encoding fits.
    """
    declared = _META_CHARSET.search(data[:8192])
    name = declared[1].decode("ascii", "replace").lower() if declared else ""
    # A Chinese report is never in a Western single-byte charset: such a declaration is a site
    # template's mistake, and Latin-1 would "decode" anything. UTF-16/32 pages cannot declare
    # their charset in ASCII bytes at all.
    if name and name not in _WESTERN and not name.startswith(("utf-16", "utf-32")):
        encoding = "gb18030" if name in _GB else name
        try:
            text = data.decode(encoding)
        except (LookupError, ValueError):  # unknown codec, or not in it (UnicodeError is a ValueError)
            pass
        else:
            return text.removeprefix("\ufeff")
    return decode(data)


def extract_html(path: Path) -> SourceDoc:
    """Read an HTML page into lines: one per paragraph or heading, one per table row."""
    data, digest = read_bytes(path)
    try:
        text = decode_html(data)
    except UnicodeDecodeError as exc:
        raise SourceUnreadable(path, f"cannot decode as UTF-8 or GB18030 ({exc.reason})") from None
    soup = BeautifulSoup(text, "lxml")
    lines = [line for line in _walk(soup) if line]
    if not lines:
        raise SourceUnreadable(path, "the HTML has no text")
    return SourceDoc(path=path, sha256=digest, media_type=MEDIA_TYPE, lines=tuple(lines))


def _walk(root: Tag) -> Iterator[str]:
    """Lines of the page in document order (an explicit stack: pages can nest very deep)."""
    buffer: list[str] = []

    def flush() -> Iterator[str]:
        if buffer:
            yield from (clean_line(part) for part in "".join(buffer).split("\n"))
            buffer.clear()

    stack: list[tuple[Tag | None, Iterator[object]]] = [(None, iter(root.contents))]
    while stack:
        tag, children = stack[-1]
        node = next(children, None)
        if node is None:
            stack.pop()
            if tag is not None and tag.name in _BLOCKS:
                yield from flush()
            continue
        if type(node) in (NavigableString, CData):
            buffer.append(_WHITESPACE.sub(" ", str(node)))  # source line breaks are not breaks
            continue
        if not isinstance(node, Tag):
            continue  # comments, doctype, script and style text
        name = node.name.lower()
        if name in _DROP:
            for keep in node.find_all(_KEEP_IN_HEAD):
                yield from flush()
                buffer.append(keep.get_text(""))
                yield from flush()
            continue
        if name == "br":
            buffer.append("\n")
            continue
        if name == "table" and node.find("table") is None:
            yield from flush()
            yield from grid_lines(_html_slots(node))
            continue
        if name in _BLOCKS:  # includes a layout table holding other tables: read as blocks
            yield from flush()
        stack.append((node, iter(node.contents)))
    yield from flush()


def _span(cell: Tag, attribute: str) -> int:
    value = cell.get(attribute)
    if not isinstance(value, str):
        return 1
    match = re.match(r"\s*(\d+)", value)
    return max(1, min(int(match[1]), MAX_SPAN)) if match else 1


def _html_slots(table: Tag) -> dict[tuple[int, int], tuple[Hashable, str]]:
    """The grid of an HTML table: rowspan/colspan expanded (the HTML table model, simplified)."""
    slots: dict[tuple[int, int], tuple[Hashable, str]] = {}
    rows = table.find_all("tr")
    for r, row in enumerate(rows):
        c = 0
        for cell in row.find_all(["td", "th"], recursive=False):
            while (r, c) in slots:
                c += 1
            text = clean_cell(cell.get_text(""))
            rowspan = _span(cell, "rowspan")
            rowspan = min(rowspan, len(rows) - r)
            colspan = _span(cell, "colspan")
            key = (r, c)  # where the cell starts
            for dr in range(rowspan):
                for dc in range(colspan):
                    slots.setdefault((r + dr, c + dc), (key, text))
            c += colspan
    return slots
