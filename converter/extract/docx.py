"""Word .docx files: paragraphs and tables in document order; every table row one line.

The body's XML is read directly (``w:p``, ``w:tbl``, content controls ``w:sdt``), because the
grid needs what python-docx's cell objects hide: where a merged cell starts (``w:gridSpan``,
``w:vMerge``) and the row's leading empty grid columns (``w:gridBefore``).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from pathlib import Path

from docx import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from lxml import etree

from converter.errors import SourceUnreadable
from converter.extract import DOCX, read_bytes
from converter.extract.html import MAX_SPAN, clean_cell, clean_line, grid_lines
from converter.model import SourceDoc

_P, _TBL, _TR, _TC, _SDT, _SDT_CONTENT = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:sdt"), qn("w:sdtContent")
_CUSTOM_XML = qn("w:customXml")
_T, _TAB, _BR, _CR, _NB_HYPHEN = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr"), qn("w:noBreakHyphen")
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_VAL = qn("w:val")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WRAPPERS = {_SDT, _SDT_CONTENT, _CUSTOM_XML}


def extract_docx(path: Path) -> SourceDoc:
    """Read a .docx into lines: one per paragraph (line breaks kept), one per table row."""
    data, digest = read_bytes(path)
    if data.startswith(_OLE_MAGIC):  # an old Word .doc named .docx: through LibreOffice
        from converter.extract.office import extract_office

        return extract_office(path)
    if not data.startswith(b"PK"):
        raise SourceUnreadable(path, "not a .docx file (a .docx is a ZIP package and this file is not one)")
    try:
        body = Document(str(path)).element.body
        lines = [line for line in _blocks(body) if line]
    except PackageNotFoundError:
        raise SourceUnreadable(path, "corrupt or truncated .docx (its ZIP package cannot be opened)") from None
    except Exception as exc:  # noqa: BLE001 - python-docx, zipfile and lxml raise many types on corrupt files
        raise SourceUnreadable(path, f"corrupt .docx ({type(exc).__name__}: {exc})") from None
    if not lines:
        raise SourceUnreadable(path, "the document has no text")
    return SourceDoc(path=path, sha256=digest, media_type=DOCX, lines=tuple(lines))


def _children(element: etree._Element) -> Iterator[etree._Element]:
    """Child elements, looking through content controls and custom-XML wrappers."""
    for child in element:
        if child.tag in _WRAPPERS:
            yield from _children(child)
        else:
            yield child


def _blocks(container: etree._Element) -> Iterator[str]:
    """Lines of the paragraphs and tables of a body or table cell, in order."""
    for child in _children(container):
        if child.tag == _P:
            yield from (clean_line(line) for line in paragraph_text(child).split("\n"))
        elif child.tag == _TBL:
            if next(child.iterdescendants(_TBL), None) is not None:
                # a layout table holding other tables: read its cells as blocks
                for row in _children(child):
                    for cell in _children(row) if row.tag == _TR else ():
                        if cell.tag == _TC:
                            yield from _blocks(cell)
            else:
                yield from grid_lines(_slots(child))


def paragraph_text(p: etree._Element) -> str:
    """The text of one ``w:p``: runs, hyperlinks, fields' results; tabs and breaks kept."""
    skip = {e for fallback in p.iter(_FALLBACK) for e in fallback.iter()}  # duplicate of mc:Choice
    parts: list[str] = []
    for element in p.iter():
        if element in skip:
            continue
        tag = element.tag
        if tag == _T:
            parts.append(element.text or "")
        elif tag == _TAB:
            parts.append("\t")
        elif tag in (_BR, _CR):
            parts.append("\n")
        elif tag == _NB_HYPHEN:
            parts.append("-")
    return "".join(parts)


def _int(element: etree._Element | None, default: int) -> int:
    if element is None:
        return default
    try:
        return max(0, min(int(element.get(_VAL, default)), MAX_SPAN))
    except ValueError:
        return default


def _slots(table: etree._Element) -> dict[tuple[int, int], tuple[Hashable, str]]:
    """The grid of a Word table: ``w:gridSpan`` across, ``w:vMerge`` down."""
    slots: dict[tuple[int, int], tuple[Hashable, str]] = {}
    rows = [row for row in _children(table) if row.tag == _TR]
    for r, row in enumerate(rows):
        properties = row.find(qn("w:trPr"))
        c = _int(properties.find(qn("w:gridBefore")) if properties is not None else None, 0)
        for cell in _children(row):
            if cell.tag != _TC:
                continue
            properties = cell.find(qn("w:tcPr"))
            span = max(1, _int(properties.find(qn("w:gridSpan")) if properties is not None else None, 1))
            merge = properties.find(qn("w:vMerge")) if properties is not None else None
            above = slots.get((r - 1, c))
            if merge is not None and merge.get(_VAL, "continue") == "continue" and above is not None:
                key, text = above
            else:
                key = (r, c)  # where the cell starts
                text = clean_cell("".join(paragraph_text(p) for p in cell.iter(_P)))
            for dc in range(span):
                slots[(r, c + dc)] = (key, text)
            c += span
    return slots
