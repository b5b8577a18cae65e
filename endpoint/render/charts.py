"""Server-side SVG bar charts: geometry computed here, drawn by ``templates/_charts.html``.

No JavaScript and no external resources: every chart is plain SVG with ``<title>``/``<desc>``
text alternatives, and the same numbers are printed in an HTML table next to it. All text goes
through the Jinja2 template (autoescape on); nothing here builds markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#17becf")
WIDTH, HEIGHT = 560, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 28


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    color: str
    label: str  # shown as the bar's <title> (tooltip), e.g. "2020 · 予以公开: 12"


@dataclass(frozen=True)
class Tick:
    pos: float
    text: str


@dataclass
class Chart:
    id: str
    title: str
    desc: str
    bars: list[Bar] = field(default_factory=list)
    xticks: list[Tick] = field(default_factory=list)
    yticks: list[Tick] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (color, label)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom: int = HEIGHT - BOTTOM
    right: int = WIDTH - RIGHT
    empty: bool = False


def _nice_max(value: float) -> float:
    """The smallest 1, 2 or 5 × 10^k at or above ``value`` (1 for nothing to show)."""
    if value <= 0:
        return 1.0
    magnitude = 1.0
    while magnitude * 10 <= value:
        magnitude *= 10
    while magnitude > value:
        magnitude /= 10
    return min(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= value)


def bar_chart(
    chart_id: str,
    title: str,
    desc: str,
    years: list[str],
    series: list[tuple[str, list[float | None]]],
    *,
    stacked: bool = False,
    unit: str = "",
) -> Chart:
    """Bars per year: one bar per series side by side, or stacked."""
    chart = Chart(chart_id, title, desc)
    if not years or not series:
        chart.empty = True
        return chart
    totals = [
        (sum(v or 0 for _, vals in series for v in [vals[i]]) if stacked else max((vals[i] or 0) for _, vals in series))
        for i in range(len(years))
    ]
    top = _nice_max(max(totals) if totals else 0)
    plot_w = chart.right - chart.left
    plot_h = chart.bottom - TOP
    slot = plot_w / len(years)
    group_w = slot * 0.7
    bar_w = group_w if stacked else group_w / len(series)
    for i, year in enumerate(years):
        x0 = chart.left + slot * i + (slot - group_w) / 2
        chart.xticks.append(Tick(chart.left + slot * i + slot / 2, year))
        base = 0.0
        for j, (name, values) in enumerate(series):
            v = values[i]
            if v is None:
                continue
            h = plot_h * v / top
            x = x0 if stacked else x0 + bar_w * j
            y = chart.bottom - h - (plot_h * base / top if stacked else 0)
            shown = f"{v:g}{unit}"
            chart.bars.append(
                Bar(
                    round(x, 1),
                    round(y, 1),
                    round(bar_w, 1),
                    round(h, 1),
                    PALETTE[j % len(PALETTE)],
                    f"{year} · {name}: {shown}",
                )
            )
            if stacked:
                base += v
    for k in range(5):
        value = top * k / 4
        chart.yticks.append(Tick(round(chart.bottom - plot_h * k / 4, 1), f"{value:g}{unit}"))
    if len(series) > 1:
        chart.legend = [(PALETTE[j % len(PALETTE)], name) for j, (name, _) in enumerate(series)]
    return chart
