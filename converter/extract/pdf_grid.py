"""The geometry of PDF tables: grids built from the ruling lines a page has, and tables that go on
over a page break.

pdfplumber finds a table where its ruling lines cross into a complete grid. Word and WPS tables
are often drawn with fewer lines, and a blank cell leaves no text, so only the lines say where it is:

* **no outer border** (inner rules only): the frame is closed with explicit lines at the ends of the
  rules that exist (``frame_lines``), then pdfplumber's own cells are read as usual;
* **horizontal rules only**: no grid at all for pdfplumber. ``rule_grids`` makes one: rows are the
  bands between rules, label columns start where the rules under merged label cells start, value
  columns are the gutters no text crosses (a header like "科研机构" keeps a column whose values are
  all blank);
* **a table over a page break** (``stitch``): a table that ends one page and one with the same
  columns that starts the next are one table. Header rows repeated on the next page are dropped,
  a row cut by the break (its label's last line and no number) is joined to the row above, and the
  merged label cells cut by the break ("三、本年度办理结果", "（四）无" / "法提供") carry their label
  on to the rows of the next page.

A grid is ``slots``: (row, column) → (cell key, text), the shape ``converter.extract.html.grid_lines``
lays out.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from converter.extract.html import clean_cell
from converter.numbers import is_value, parse_number

Slots = dict[tuple[int, int], tuple[Hashable, str]]

_MIN_RULE = 5.0  # points: shorter edges are the sides of a thin rectangle drawn as a rule
_SAME = 2.0  # points: positions this close are one grid line
_MAX_BAND = 220.0  # points: no table row is taller (wrapped labels reach ~100)
# "一、", "（三）", "3.", "2、": the start of a label, not the rest of one cut by a page break
_MARKER = re.compile(
    r"^\s*(?:[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|[一二三四五六七八九十]+\s*[、.．]|\d+\s*[、.．])"
)
_HEADING = re.compile(r"^[一二三四五六七八九十]+、\S")


@dataclass
class Grid:
    """One table (or the part of one on a page): its slots, column edges and box."""

    slots: Slots
    xs: list[float]  # left edges of the grid columns
    bbox: tuple[float, float, float, float]
    rows: list[int] = field(default_factory=list)  # grid rows, top to bottom
    head: list[list[tuple[int, str]]] = field(default_factory=list)  # header rows of the table a part goes on

    def __post_init__(self) -> None:
        self.rows = sorted({r for r, _ in self.slots})


def _merge_positions(values: Iterable[float], tolerance: float = _SAME) -> list[float]:
    merged: list[float] = []
    for value in sorted(values):
        if not merged or value - merged[-1] > tolerance:
            merged.append(value)
    return merged


def _is_number(text: str) -> bool:
    return parse_number(text) is not None


# --------------------------------------------------------------------------------------------
# Closing an open frame


def frame_lines(edges: Sequence[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Explicit lines that close the frame of every group of vertical rules: the outer border a
    table drawn with inner rules only lacks. Returns (vertical, horizontal) line objects for
    pdfplumber's ``explicit_vertical_lines`` / ``explicit_horizontal_lines``."""
    vertical = sorted(
        (e for e in edges if e["orientation"] == "v" and e["height"] >= _MIN_RULE), key=lambda e: e["top"]
    )
    horizontal = [e for e in edges if e["orientation"] == "h" and e["width"] >= _MIN_RULE]
    groups: list[list[dict[str, Any]]] = []
    for edge in vertical:  # vertical rules overlapping (or touching) in height are one table
        if groups and edge["top"] <= max(e["bottom"] for e in groups[-1]) + _SAME:
            groups[-1].append(edge)
        else:
            groups.append([edge])
    v_lines: list[dict[str, Any]] = []
    h_lines: list[dict[str, Any]] = []
    for group in groups:
        if len(_merge_positions(e["x0"] for e in group)) < 2:
            continue
        left, right = min(e["x0"] for e in group), max(e["x0"] for e in group)
        top, bottom = min(e["top"] for e in group), max(e["bottom"] for e in group)
        rules = [
            h for h in horizontal if top - _SAME <= h["top"] <= bottom + _SAME and h["x0"] <= right and h["x1"] >= left
        ]
        if not rules:
            continue
        x0, x1 = min(left, *(h["x0"] for h in rules)), max(right, *(h["x1"] for h in rules))
        top, bottom = min(top, *(h["top"] for h in rules)), max(bottom, *(h["top"] for h in rules))
        if (
            x0 < left - _SAME
            or x1 > right + _SAME
            or not any(abs(h["top"] - top) < _SAME and h["x1"] - h["x0"] > 0.9 * (x1 - x0) for h in rules)
            or not any(abs(h["top"] - bottom) < _SAME and h["x1"] - h["x0"] > 0.9 * (x1 - x0) for h in rules)
        ):
            v_lines += [_line(x0, top, x0, bottom), _line(x1, top, x1, bottom)]
            h_lines += [_line(x0, top, x1, top), _line(x0, bottom, x1, bottom)]
    return v_lines, h_lines


def _line(x0: float, top: float, x1: float, bottom: float) -> dict[str, Any]:
    """A line as pdfplumber's edges are: its coordinates and its ``object_type``."""
    return {
        "object_type": "line",
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "width": x1 - x0,
        "height": bottom - top,
    }


# --------------------------------------------------------------------------------------------
# Tables with horizontal rules only


def rule_grids(
    edges: Sequence[dict[str, Any]],
    words: Callable[[], Sequence[dict[str, Any]]],
    chars: Sequence[dict[str, Any]],
    taken: Sequence[tuple[float, float, float, float]],
    hint: list[float] | None = None,
) -> list[Grid]:
    """Grids of the tables drawn with horizontal rules only (outside the boxes already ``taken``);
    ``words`` gives the page's words, asked for only when there are such rules.
    ``hint``: the column edges of the table the page before ended with; a table at the top of this
    page with the same frame goes on with those columns (a column left all blank on this page keeps
    its place)."""

    def free(e: dict[str, Any]) -> bool:
        y = e["top"]
        return not any(
            x0 - _SAME <= e["x0"] and e["x1"] <= x1 + _SAME and top - _SAME <= y <= bottom + _SAME
            for x0, top, x1, bottom in taken
        )

    rules = sorted(
        (e for e in edges if e["orientation"] == "h" and e["width"] >= 30 and free(e)),
        key=lambda e: (e["top"], e["x0"]),
    )
    if len(_merge_positions(e["top"] for e in rules)) < 3:
        return []  # no table of horizontal rules here: the page's words are not needed
    page_words = words()
    grids = []
    for index, block in enumerate(_blocks(rules, page_words)):
        grid = _rule_grid(block, page_words, chars, hint if index == 0 else None)
        if grid is not None:
            grids.append(grid)
    return grids


def _blocks(rules: list[dict[str, Any]], words: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Rules stacked into tables: a new table starts after a gap taller than any row, where the full
    width changes, or where the band between two rules holds a section heading."""
    blocks: list[list[dict[str, Any]]] = []
    for rule in rules:
        if blocks:
            block = blocks[-1]
            bottom = max(e["top"] for e in block)
            x0, x1 = min(e["x0"] for e in block), max(e["x1"] for e in block)
            overlap = min(x1, rule["x1"]) - max(x0, rule["x0"])
            band = [
                w
                for w in words
                if bottom < (w["top"] + w["bottom"]) / 2 < rule["top"] and w["x0"] < x1 and w["x1"] > x0
            ]
            heading = (
                bool(band)
                and not any(_is_number(w["text"]) for w in band)
                and _HEADING.match(min(band, key=lambda w: (w["top"], w["x0"]))["text"]) is not None
                and len({round(w["top"]) for w in band}) == 1
            )
            if rule["top"] - bottom <= _MAX_BAND and overlap > 0.5 * (rule["x1"] - rule["x0"]) and not heading:
                block.append(rule)
                continue
        blocks.append([rule])
    return [b for b in blocks if len(_merge_positions(e["top"] for e in b)) >= 3]


def _rule_grid(
    block: list[dict[str, Any]],
    words: Sequence[dict[str, Any]],
    chars: Sequence[dict[str, Any]],
    hint: list[float] | None,
) -> Grid | None:
    ys = _merge_positions(e["top"] for e in block)
    x0, x1 = min(e["x0"] for e in block), max(e["x1"] for e in block)
    top, bottom = ys[0], ys[-1]

    def inside(obj: dict[str, Any]) -> bool:
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return bool(x0 <= cx <= x1 and top <= cy <= bottom)  # pdfplumber's objects are untyped dicts

    table_words = [w for w in words if inside(w)]
    bands: list[list[dict[str, Any]]] = [[] for _ in ys[:-1]]
    for word in table_words:
        bands[max(0, bisect.bisect_right(ys, (word["top"] + word["bottom"]) / 2) - 1)].append(word)
    numbered = [band for band in bands if sum(_is_number(w["text"]) for w in band) >= 2]
    if not numbered:
        return None
    # the label area ends where the first number of a numbered row begins
    value_left = min(min(w["x0"] for w in band if _is_number(w["text"])) for band in numbered)
    label_right = max(
        (
            max(
                (w["x1"] for w in band if w["x1"] <= min(v["x0"] for v in band if _is_number(v["text"])) + 0.5),
                default=x0,
            )
            for band in numbered
        ),
        default=x0,
    )
    label_right = min(label_right, value_left)
    ends = sorted({round(e[k], 1) for e in block for k in ("x0", "x1")} - {round(x0, 1), round(x1, 1)})
    label_edges = [x for x in ends if x0 + _SAME < x <= label_right + _SAME]
    numbered_at = [i for i, band in enumerate(bands) if band in numbered]
    header = [bands[numbered_at[0] - 1]] if numbered_at[0] > 0 else []
    value_edges = []
    for g0, g1 in _gutters([*header, *numbered], label_right, x1):  # a rule end inside is the exact edge
        within = [x for x in ends if g0 - _SAME <= x <= g1 + _SAME]
        value_edges.append(within[0] if within else (g0 + g1) / 2)
    xs = _merge_positions([x0, *label_edges, *value_edges])
    if hint is not None and abs(hint[0] - x0) < _SAME:  # a table going on from the page before: its columns
        number_words = [w for band in numbered for w in band if _is_number(w["text"])]
        xs = [x for x in hint if not any(w["x0"] + 0.5 < x < w["x1"] - 0.5 for w in number_words)]
    first_value = max(1, bisect.bisect_right(xs, label_right + _SAME))
    table_chars = [c for c in chars if inside(c)]
    texts: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for ch in table_chars:
        cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        r = min(len(ys) - 2, max(0, bisect.bisect_right(ys, cy) - 1))
        c = max(0, bisect.bisect_right(xs, cx) - 1)
        texts.setdefault((r, c), []).append(ch)
    rules_at = {i: [e for e in block if abs(e["top"] - y) < _SAME] for i, y in enumerate(ys)}

    def ruled(r: int, c: int) -> bool:
        """A rule runs between band r-1 and band r under column c."""
        right = xs[c + 1] if c + 1 < len(xs) else x1
        mid = (xs[c] + right) / 2
        return any(e["x0"] - _SAME <= mid <= e["x1"] + _SAME for e in rules_at[r])

    parent: dict[tuple[int, int], tuple[int, int]] = {}

    def find(p: tuple[int, int]) -> tuple[int, int]:
        while parent.setdefault(p, p) != p:
            p = parent[p]
        return p

    def union(a: tuple[int, int], b: tuple[int, int]) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)  # the top-left position names the cell

    numbered_set = set(numbered_at)
    for r, band in enumerate(bands):
        for c in range(len(xs)):
            if r > 0 and not ruled(r, c) and (c < first_value or not {r - 1, r} & numbered_set):
                union((r - 1, c), (r, c))  # a merged cell: no rule between the two rows
            if c > 0 and any(w["x0"] < xs[c] - 1 and w["x1"] > xs[c] + 1 for w in band):
                union((r, c - 1), (r, c))  # a text printed over two columns
    members: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for position, found in texts.items():
        members.setdefault(find(position), []).extend(found)
    slots: Slots = {}
    for r in range(len(bands)):
        for c in range(len(xs)):
            key = find((r, c))
            text = _cell_text(members.get(key, []))
            if c < first_value and not text:
                continue  # an empty label slot is no cell (a label printed over two label columns)
            slots[(r, c)] = (key, text)
    return Grid(slots=slots, xs=xs, bbox=(x0, top, x1, bottom))


def _cell_text(chars: list[dict[str, Any]]) -> str:
    """A cell's text: lines top to bottom, characters left to right, line breaks dropped (a
    label printed one character per line reads as one label)."""
    if not chars:
        return ""
    ordered = sorted(chars, key=lambda c: (round(c["top"]), c["x0"]))
    lines: list[list[dict[str, Any]]] = []
    for ch in ordered:
        if lines and abs(ch["top"] - lines[-1][0]["top"]) < 0.5 * max(ch["size"], 1):
            lines[-1].append(ch)
        else:
            lines.append([ch])
    parts = []
    for line in lines:
        line.sort(key=lambda c: c["x0"])
        text = ""
        for i, ch in enumerate(line):
            if i and ch["x0"] - line[i - 1]["x1"] > 0.25 * max(ch["size"], 1):
                text += " "
            text += ch["text"]
        parts.append(text)
    return clean_cell("".join(parts))


def _gutters(bands: list[list[dict[str, Any]]], left: float, right: float) -> list[tuple[float, float]]:
    """Vertical strips of the value area that no word of the given rows crosses: column gaps. The
    rows are those with numbers and the header row just above them (a column whose values are all
    blank keeps its place by its header, "科研机构"); the header cells above it span columns."""
    width = int(right - left) + 1
    if width <= 2:
        return []
    cover = [0] * width
    for band in bands:
        seen = [False] * width
        for word in band:
            a, b = max(0, int(word["x0"] - left)), min(width - 1, int(word["x1"] - left))
            for i in range(a, b + 1):
                seen[i] = True
        for i, hit in enumerate(seen):
            cover[i] += hit
    limit = 0
    gutters: list[tuple[float, float]] = []
    start = None
    for i, count in enumerate([*cover, limit + 1]):
        if count <= limit and start is None:
            start = i
        elif count > limit and start is not None:
            if i < width and i - start >= 2:
                gutters.append((left + start, left + i))
            start = None
    return gutters


# --------------------------------------------------------------------------------------------
# Tables over a page break


def _row_texts(grid: Grid, r: int, columns: dict[int, int]) -> list[tuple[int, str]]:
    return [(columns.get(c, c), text) for (row, c), (_, text) in sorted(grid.slots.items()) if row == r]


def stitch(previous: Grid, following: Grid) -> bool:
    """Join ``following`` (the first table of a page) to ``previous`` (the last one of the page
    before) when it goes on with the same columns. Mutates both grids; True when joined."""
    if not previous.rows or not following.rows:
        return False
    if abs(previous.bbox[0] - following.bbox[0]) > _SAME or abs(previous.bbox[2] - following.bbox[2]) > _SAME:
        return False  # not the same frame: another table
    xs = _merge_positions([*previous.xs, *following.xs])
    _remap(previous, xs)  # both parts on the columns of either (a part may not use every edge)
    _remap(following, xs)
    # header rows repeated on the new page (the table's header: the rows above its first number)
    head = previous.head
    if not head:
        for r in previous.rows:
            texts = _row_texts(previous, r, {})
            if any(_is_number(t) for _, t in texts):
                break
            head.append(texts)
    following.head = head
    same = 0
    for texts, b in zip(head, following.rows, strict=False):
        if texts != _row_texts(following, b, {}):
            break
        same += 1
    if same:
        drop = set(following.rows[:same])
        following.slots = {p: v for p, v in following.slots.items() if p[0] not in drop}
        following.rows = following.rows[same:]
    if not following.rows:
        return True
    last, first = previous.rows[-1], following.rows[0]
    bottom = {c: previous.slots[(last, c)] for (r, c) in previous.slots if r == last}
    top = {c: following.slots[(first, c)] for (r, c) in following.slots if r == first}
    top_texts = [t for _, t in top.values() if t]
    cut_row = (
        top_texts
        and not any(_is_number(t) for t in top_texts)
        and not any(_MARKER.match(t) for t in top_texts if not is_value(t))
        and all(c in bottom and bottom[c][1] and not is_value(bottom[c][1]) for c, (_, t) in top.items() if t)
    )
    if cut_row:  # the rest of the previous page's last row: the last lines of its labels, no number
        for c, (_, text) in top.items():
            if text and c in bottom and not is_value(bottom[c][1]):
                _retext(previous, bottom[c][0], bottom[c][1] + text)
        following.slots = {p: v for p, v in following.slots.items() if p[0] != first}
        following.rows = following.rows[1:]
        if not following.rows:
            return True
        first = following.rows[0]
        top = {c: following.slots[(first, c)] for (r, c) in following.slots if r == first}
    for c, (key, text) in top.items():  # merged label cells cut by the break go on
        above = bottom.get(c)
        if above is None or not above[1] or is_value(above[1]):
            continue
        if not text and _spans_label(following, key, c):
            _retext(following, key, above[1])
        elif text and not is_value(text) and not _MARKER.match(text) and _MARKER.match(above[1]):
            joined = above[1] + text
            _retext(previous, above[0], joined)
            _retext(following, key, joined)
    return True


def _spans_label(grid: Grid, key: Hashable, column: int) -> bool:
    """An empty cell in a label column (left of every number of its rows), not a blank value."""
    rows = {r for (r, c), (k, _) in grid.slots.items() if k == key}
    return not any(c < column and _is_number(text) for (r, c), (_, text) in grid.slots.items() if r in rows) and any(
        not is_value(text) and text for (r, c), (_, text) in grid.slots.items() if r in rows and c > column
    )


def _retext(grid: Grid, key: Hashable, text: str) -> None:
    text = clean_cell(text)
    for position, (k, _) in list(grid.slots.items()):
        if k == key:
            grid.slots[position] = (k, text)


def _remap(grid: Grid, xs: list[float]) -> None:
    """Renumber the grid's columns onto ``xs`` (a superset of its edges): a slot covering several of
    the new columns is in each of them, with the same cell key."""
    if xs == grid.xs:
        return
    right = grid.bbox[2]
    edges = [*grid.xs, right]
    slots: Slots = {}
    for (r, c), value in grid.slots.items():
        left, end = edges[c], edges[c + 1] if c + 1 < len(edges) else right
        for j, x in enumerate(xs):
            if left - _SAME <= x < end - _SAME:
                slots[(r, j)] = value
    grid.slots, grid.xs = slots, xs
