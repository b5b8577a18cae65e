"""The ruled tables of a page image: ruling lines, table outlines and the cell grid.

Pure functions on numpy arrays (``ink``: a boolean image, True where the page is dark). A ruling
line is a run of ink much longer than any stroke of a character (a quarter inch by default);
horizontal and vertical runs are found with cumulative sums (an erosion and dilation by a line,
as OpenCV morphology would do it, without the dependency). A table is a set of horizontal and
vertical segments that cross; its cells are the rectangles of the grid their positions draw,
merged wherever no ruling line separates two neighbours (merged cells: rowspan/colspan).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image


@dataclass(frozen=True)
class Segment:
    """A ruling line: ``at`` is its y (horizontal) or x (vertical), ``start``–``end`` its extent."""

    at: int
    start: int
    end: int
    thickness: int


@dataclass(frozen=True)
class GridCell:
    """One cell of a table: its grid rows/columns (end exclusive) and its box in pixels."""

    row: int
    col: int
    row_end: int
    col_end: int
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 (inside the ruling lines' centres)


@dataclass(frozen=True)
class Table:
    box: tuple[int, int, int, int]  # x0, y0, x1, y1
    cells: tuple[GridCell, ...]


def otsu_threshold(grey: np.ndarray) -> int:
    """Otsu's threshold of a grey image, kept within 90–200 (a blank or a black page has none)."""
    hist = np.bincount(grey.ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    if total == 0:
        return 128
    levels = np.arange(256)
    weight = np.cumsum(hist)
    mean = np.cumsum(hist * levels)
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mean[-1] * weight / total - mean) ** 2 / (weight * (total - weight))
    between = np.nan_to_num(between)
    return int(min(200, max(90, int(np.argmax(between)))))


def binarize(grey: np.ndarray, threshold: int | None = None) -> np.ndarray:
    return grey < (otsu_threshold(grey) if threshold is None else threshold)


def runs(ink: np.ndarray, length: int, axis: int) -> np.ndarray:
    """The pixels of ``ink`` that lie in a run of at least ``length`` along ``axis`` (1: rows)."""
    a = ink if axis == 1 else ink.T
    h, w = a.shape
    if length > w:
        return np.zeros_like(ink)
    c = np.zeros((h, w + 1), dtype=np.int32)
    np.cumsum(a, axis=1, out=c[:, 1:])
    full = (c[:, length:] - c[:, :-length]) == length  # a run of `length` starts here
    f = np.zeros((h, full.shape[1] + 1), dtype=np.int32)
    np.cumsum(full, axis=1, out=f[:, 1:])
    idx = np.arange(w)
    hi = np.minimum(idx + 1, full.shape[1])
    lo = np.maximum(idx - length + 1, 0)
    out = (f[:, hi] - f[:, lo]) > 0
    return out if axis == 1 else out.T


def _bands(profile: np.ndarray) -> list[tuple[int, int]]:
    """Runs of True in a 1-D array as (start, end) pairs, end exclusive."""
    padded = np.concatenate(([False], profile, [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return [(int(s), int(e)) for s, e in zip(edges[::2], edges[1::2], strict=True)]


def segments(mask: np.ndarray, axis: int, gap: int, max_thickness: int) -> list[Segment]:
    """The line segments of a run mask (``axis`` 1: horizontal lines)."""
    a = mask if axis == 1 else mask.T
    found: list[Segment] = []
    for top, bottom in _bands(np.any(a, axis=1)):
        thickness = bottom - top
        if thickness > max_thickness:
            continue  # a filled bar or a photo, not a ruling line
        along = np.any(a[top:bottom], axis=0)
        spans = _bands(along)
        merged: list[list[int]] = []
        for s, e in spans:
            if merged and s - merged[-1][1] <= gap:
                merged[-1][1] = e
            else:
                merged.append([s, e])
        found += [Segment((top + bottom) // 2, s, e, thickness) for s, e in merged]
    return found


def skew_angle(ink: np.ndarray, limit: float = 3.0) -> float:
    """The small rotation (degrees, counter-clockwise) that makes the page's lines level.

    The angle whose rotation gives the sharpest horizontal projection (text lines and ruling
    lines), searched on a quarter-size image: coarse steps, then fine ones.
    """
    small = Image.fromarray((ink[::4, ::4] * 255).astype(np.uint8))
    if not ink.any():
        return 0.0

    def score(angle: float) -> float:
        rotated = np.asarray(small.rotate(angle, resample=Image.Resampling.NEAREST, expand=False), dtype=np.float64)
        profile = rotated.sum(axis=1)
        return float(np.square(np.diff(profile)).sum())

    best = max(np.arange(-limit, limit + 1e-9, 0.25), key=score)
    best = max(np.arange(best - 0.25, best + 0.25 + 1e-9, 0.05), key=score)
    return round(float(best), 2)


def find_tables(ink: np.ndarray, dpi: int) -> tuple[list[Table], np.ndarray]:
    """The ruled tables of a page, and the mask of their ruling lines (to clean cell crops)."""
    length = max(30, dpi // 4)
    gap = max(3, dpi // 40)
    thick = max(4, dpi // 20)
    # a line a pixel off level still joins up: bridge one-pixel steps before looking for runs
    hmask = runs(ink | np.roll(ink, 1, axis=0), length, axis=1) & ink
    vmask = runs(ink | np.roll(ink, 1, axis=1), length, axis=0) & ink
    hsegs = segments(hmask, 1, gap, thick)
    vsegs = segments(vmask, 0, gap, thick)
    tol = max(4, dpi // 25)
    groups = _crossing_groups(hsegs, vsegs, tol)
    tables = []
    for hs, vs in groups:
        if len(hs) < 2 or len(vs) < 2:
            continue
        table = _table(hs, vs, hmask, vmask, tol)
        if table is not None and len(table.cells) > 1:
            tables.append(table)
    tables.sort(key=lambda t: t.box[1])
    return tables, hmask | vmask


def _crossing_groups(
    hsegs: Sequence[Segment], vsegs: Sequence[Segment], tol: int
) -> list[tuple[list[Segment], list[Segment]]]:
    parent = list(range(len(hsegs) + len(vsegs)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, h in enumerate(hsegs):
        for j, v in enumerate(vsegs):
            if h.start - tol <= v.at <= h.end + tol and v.start - tol <= h.at <= v.end + tol:
                parent[root(i)] = root(len(hsegs) + j)
    groups: dict[int, tuple[list[Segment], list[Segment]]] = {}
    for i, h in enumerate(hsegs):
        groups.setdefault(root(i), ([], []))[0].append(h)
    for j, v in enumerate(vsegs):
        groups.setdefault(root(len(hsegs) + j), ([], []))[1].append(v)
    return list(groups.values())


def _positions(values: Sequence[int], tol: int) -> list[int]:
    merged: list[list[int]] = []
    for value in sorted(values):
        if merged and value - merged[-1][-1] <= tol:
            merged[-1].append(value)
        else:
            merged.append([value])
    return [round(sum(m) / len(m)) for m in merged]


def _covered(mask: np.ndarray, fixed: int, start: int, end: int, axis: int, tol: int) -> bool:
    """Whether a ruling line runs along most of ``start``–``end`` at ``fixed`` (axis 1: horizontal)."""
    if end - start <= 2 * tol:
        return True
    lo, hi = max(fixed - tol, 0), fixed + tol + 1
    strip = mask[lo:hi, start + tol : end - tol] if axis == 1 else mask[start + tol : end - tol, lo:hi]
    along = strip.any(axis=0 if axis == 1 else 1)
    return bool(along.mean() >= 0.6) if along.size else True


def _table(
    hs: Sequence[Segment], vs: Sequence[Segment], hmask: np.ndarray, vmask: np.ndarray, tol: int
) -> Table | None:
    ys = _positions([h.at for h in hs], tol)
    xs = _positions([v.at for v in vs], tol)
    if len(ys) < 2 or len(xs) < 2:
        return None
    nr, nc = len(ys) - 1, len(xs) - 1
    parent = list(range(nr * nc))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(nr):
        for c in range(nc):
            if c + 1 < nc and not _covered(vmask, xs[c + 1], ys[r], ys[r + 1], 0, tol):
                parent[root(r * nc + c)] = root(r * nc + c + 1)
            if r + 1 < nr and not _covered(hmask, ys[r + 1], xs[c], xs[c + 1], 1, tol):
                parent[root(r * nc + c)] = root((r + 1) * nc + c)
    members: dict[int, list[tuple[int, int]]] = {}
    for r in range(nr):
        for c in range(nc):
            members.setdefault(root(r * nc + c), []).append((r, c))
    cells = []
    for group in members.values():
        r0 = min(r for r, _ in group)
        r1 = max(r for r, _ in group) + 1
        c0 = min(c for _, c in group)
        c1 = max(c for _, c in group) + 1
        cells.append(GridCell(r0, c0, r1, c1, (xs[c0], ys[r0], xs[c1], ys[r1])))
    cells.sort(key=lambda g: (g.row, g.col))
    return Table((xs[0], ys[0], xs[-1], ys[-1]), tuple(cells))
