"""HTML pages (web pages, Word "save as HTML"): paragraphs become lines, every table row one line.

Pages are parsed by libxml2 (``lxml.etree.HTMLParser``) and its tree is walked directly: the same
tree BeautifulSoup would build from that parser, with none of the cost (issue 7). BeautifulSoup's
``EncodingDetector`` finds the charset a page declares.

Also home of the table grid that the DOCX and PDF extractors share: a table is first laid out as a
full grid of slots (rowspan/colspan expanded), then each grid row becomes one line of cells joined
by TAB, with a cell printed empty written as ``BLANK_CELL`` so that it keeps its position.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Hashable, Iterator, Mapping, Sequence
from pathlib import Path

from bs4.dammit import EncodingDetector
from lxml import etree

from converter.errors import SourceUnreadable
from converter.extract import read_bytes
from converter.extract.text import decode
from converter.model import SourceDoc
from converter.numbers import BLANK_CELL, MEMO_LENGTH, is_value

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
    return _clean_cell(text) if len(text) <= MEMO_LENGTH else _cleaned(text)


def _cleaned(text: str) -> str:
    text = _WHITESPACE.sub(" ", text.replace("|", "｜")).strip()
    return _CJK_SPACE.sub("", text)


_clean_cell = functools.lru_cache(maxsize=1 << 12)(_cleaned)  # a table repeats its cells' texts


def clean_line(text: str) -> str:
    """A line of running text: each TAB-separated part cleaned like a cell, TABs kept."""
    return "\t".join(part for part in (clean_cell(p) for p in text.split("\t")) if part)


def _is_printed(text: str) -> bool:
    """A value printed in the cell: a number or a blank marker ("-", "/", "—", "无"), not an empty cell."""
    return bool(text) and text != BLANK_CELL and is_value(text)


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
    * A run of value cells with something printed in it, a number or a blank marker ("-", "/",
      "—", "无": printed content, which a report prints for 0), is kept wherever it stands.
    * Runs of EMPTY cells (nothing printed) that stand before a label (empty header cells, an
      empty label column) are dropped: they are not values of any row. A row's trailing run of
      empty cells is kept (a data row printed all empty) when some row of the table with printed
      values has as many values after its labels, or when it is the last row of a table of
      several rows (表四's single data row), provided the row has labels or several cells;
      otherwise it is the empty tail of a header row, a spacer, or the empty part of a row that
      a page break cut in two, and is dropped. So in a table whose every zero is printed "-",
      the rows of dashes set the data-row width just as rows with digits do.
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
    widths = {len(runs[-1][1]) for runs in split if runs and runs[-1][0] and any(map(_is_printed, runs[-1][1]))}
    lines: list[str] = []
    for index, runs in enumerate(split):
        labelled = any(not value for value, _ in runs)
        last_row = index == len(split) - 1 and len(split) > 1
        kept: list[str] = []
        for position, (value, cells) in enumerate(runs):
            if not value or any(map(_is_printed, cells)):
                kept += cells
            elif position == len(runs) - 1 and (labelled or len(cells) > 1) and (last_row or len(cells) in widths):
                kept += cells  # a data row printed all blank
        if kept:
            lines.append("\t".join(kept))
    return lines


# --------------------------------------------------------------------------------------------
# HTML

_GB = {"gb2312", "gbk", "x-gbk", "gb_2312-80", "gb18030", "cp936", "euc-cn"}
_WESTERN = {"iso-8859-1", "latin1", "latin-1", "windows-1252", "cp1252", "us-ascii", "ascii"}
_DROP = {"script", "style", "template", "noscript", "head"}
_KEEP_IN_HEAD = ("title",)
# Text inside these is not page text: ruby annotations and code (BeautifulSoup's "string containers",
# which the BeautifulSoup walk before this one skipped too)
_NO_TEXT = frozenset({"rt", "rp", "script", "style", "template"})
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
    # BeautifulSoup's detector reads <meta charset>, <meta http-equiv content="…; charset=…"> and an
    # XML declaration, in any case and quoting
    declared = EncodingDetector.find_declared_encoding(data[:8192], is_html=True, search_entire_document=True)
    name = (declared or "").lower()
    # A Chinese report is never in a Western single-byte charset: such a declaration is a site
    # template's mistake, and Latin-1 would "decode" anything. UTF-16/32 pages cannot declare
    # their charset in ASCII bytes at all.
    if name and name not in _WESTERN and not name.startswith(("utf-16", "utf-32")):
        encoding = "gb18030" if name in _GB else name
        try:
            text = data.decode(encoding)
            text.encode("utf-8")  # UTF-7 and the like can yield lone surrogates, which no parser takes
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
    try:
        root = parse_html(text)
    except ValueError as exc:
        raise SourceUnreadable(path, str(exc)) from None
    lines = [] if root is None else [line for line in _walk(root) if line]
    if not lines:
        raise SourceUnreadable(path, "the HTML has no text")
    return SourceDoc(path=path, sha256=digest, media_type=MEDIA_TYPE, lines=tuple(lines))


# libxml2 stops building a tree, silently, where elements nest 256 deep (2048 with huge_tree): the
# rest of the page is lost. Pages that reach that depth are parsed again without the lower limit.
_DEPTH, _HUGE_DEPTH = 255, 2047  # the most ancestors an element can have in each case
_AS_DEEP = {depth: etree.XPath(f"boolean({'/'.join(['*'] * depth)})") for depth in (_DEPTH, _HUGE_DEPTH)}


def parse_html(text: str) -> etree._Element | None:
    """The page's ``<html>`` element, as libxml2's HTML parser reads it (``None``: no element at all).

    This is the tree that ``BeautifulSoup(text, "lxml")`` builds from the same parser's events, in
    a tenth of the time.

    :raises ValueError: elements nest some 2048 deep (an attack, not a report).
    """
    root = _parse(text, huge=False)
    if root is not None and _AS_DEEP[_DEPTH](root):
        root = _parse(text, huge=True)
        if root is not None and _AS_DEEP[_HUGE_DEPTH](root):
            raise ValueError(f"the HTML nests elements too deep to read ({_HUGE_DEPTH + 1} levels)")
    return root


def _parse(text: str, huge: bool) -> etree._Element | None:
    parser = etree.HTMLParser(recover=True, huge_tree=huge)
    parser.feed(text.removeprefix("\ufeff"))
    return parser.close()


def _hidden(node: etree._Element, hidden: bool) -> bool:
    """Whether text directly inside ``node`` is not page text: it, or an element around it (``hidden``
    for those above the part of the tree being read), is one of ``_NO_TEXT``."""
    return hidden or node.tag in _NO_TEXT


def _text(node: etree._Element, hidden: bool = False) -> str:
    """The page text inside ``node`` (not its tail): the text of elements, none of comments, none
    inside ``_NO_TEXT`` elements. ``hidden``: ``node`` or an element around it is one of those."""
    if hidden:
        return ""
    parts = [node.text or ""]
    stack: list[tuple[etree._Element | None, Iterator[etree._Element]]] = [(None, iter(node))]
    while stack:
        element, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if element is not None and element.tail:
                parts.append(element.tail)
        elif isinstance(child.tag, str) and child.tag not in _NO_TEXT:
            parts.append(child.text or "")
            stack.append((child, iter(child)))
        elif child.tail:
            parts.append(child.tail)
    return "".join(parts)


def _walk(root: etree._Element) -> Iterator[str]:
    """Lines of the page in document order (an explicit stack: pages can nest very deep)."""
    buffer: list[str] = []

    def flush() -> Iterator[str]:
        if buffer:
            yield from (clean_line(part) for part in "".join(buffer).split("\n"))
            buffer.clear()

    def add(text: str | None, hidden: bool) -> None:
        if text and not hidden:
            buffer.append(_WHITESPACE.sub(" ", text))  # source line breaks are not breaks

    # the document's nodes: comments before and after the root element, and the root element
    top = [*reversed(list(root.itersiblings(preceding=True))), root, *root.itersiblings()]
    # (element or None for the document, hidden: text directly inside it is not page text, its children)
    stack: list[tuple[etree._Element | None, bool, Iterator[etree._Element]]] = [(None, False, iter(top))]
    while stack:
        parent, hidden, children = stack[-1]
        node = next(children, None)
        if node is None:
            stack.pop()
            if parent is not None:
                if parent.tag in _BLOCKS:
                    yield from flush()
                add(parent.tail, stack[-1][1])
            continue
        name = node.tag
        if not isinstance(name, str):  # comments, processing instructions: only their tail is text
            add(node.tail, hidden)
            continue
        if name in _DROP:
            for keep in node.iterdescendants(*_KEEP_IN_HEAD):
                yield from flush()
                inside = _hidden(node, hidden) or any(a.tag in _NO_TEXT for a in _between(keep, node))
                buffer.append(_text(keep, inside))
                yield from flush()
            add(node.tail, hidden)
            continue
        if name == "br":
            buffer.append("\n")
            add(node.tail, hidden)
            continue
        if name == "table" and next(node.iterdescendants("table"), None) is None:
            yield from flush()
            yield from grid_lines(_html_slots(node, hidden))
            add(node.tail, hidden)
            continue
        if name in _BLOCKS:  # includes a layout table holding other tables: read as blocks
            yield from flush()
        inner = _hidden(node, hidden)
        add(node.text, inner)
        stack.append((node, inner, iter(node)))
    yield from flush()


def _between(node: etree._Element, top: etree._Element) -> Iterator[etree._Element]:
    """The elements around ``node`` below ``top``."""
    for ancestor in node.iterancestors():
        if ancestor is top:
            return
        yield ancestor


_SPAN = re.compile(r"\s*(\d+)")


def _span(value: str | None) -> int:
    if value is None:
        return 1
    match = _SPAN.match(value)
    return max(1, min(int(match[1]), MAX_SPAN)) if match else 1


def _html_slots(table: etree._Element, hidden: bool) -> dict[tuple[int, int], tuple[Hashable, str]]:
    """The grid of an HTML table: rowspan/colspan expanded (the HTML table model, simplified).

    ``hidden``: the table stands inside a ``_NO_TEXT`` element, so its cells have no text.
    """
    slots: dict[tuple[int, int], tuple[Hashable, str]] = {}
    rows = list(table.iterdescendants("tr"))
    plain = next(table.iterdescendants(*_NO_TEXT), None) is None
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            if cell.tag != "td" and cell.tag != "th":
                continue
            while (r, c) in slots:
                c += 1
            if hidden:
                text = ""
            elif plain:  # libxml2 collects the text of the cell's text nodes: no comments
                text = clean_cell(etree.tostring(cell, encoding="unicode", method="text", with_tail=False))
            else:
                text = clean_cell(_text(cell, any(a.tag in _NO_TEXT for a in _between(cell, table))))
            rowspan = min(_span(cell.get("rowspan")), len(rows) - r)
            colspan = _span(cell.get("colspan"))
            key = (r, c)  # where the cell starts
            if rowspan == colspan == 1:
                slots.setdefault(key, (key, text))
            else:
                for dr in range(rowspan):
                    for dc in range(colspan):
                        slots.setdefault((r + dr, c + dc), (key, text))
            c += colspan
    return slots
