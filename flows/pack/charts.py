"""Inline SVG charts for the pack: no JavaScript, no external file, the same bytes for the same data.

Every chart is `role="img"` with a <title> and a <desc> (its text alternative) and is always shown
next to a data table in the template. Series differ by marker shape and line dash as well as colour,
so colour is never the only signal (WCAG 1.4.1); colours are GOV.UK palette tones with at least 3:1
contrast against white (WCAG 1.4.11).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

INK = "#0b0c0c"
GRID = "#b1b4b6"
# (colour, dash pattern, marker) per series, in legend order: LA, neighbours, region, England.
STYLES = (
    ("#1d70b8", "", "circle"),
    ("#d4351c", "6 3", "square"),
    ("#00703c", "2 3", "triangle"),
    ("#0b0c0c", "10 4 2 4", "diamond"),
)


def _n(x: float) -> str:
    """Fixed formatting so the bytes never depend on float repr details."""
    return f"{x:.1f}"


def nice_max(v: float) -> float:
    """A round axis maximum at or above v (1, 2, 2.5, 5 × 10^k)."""
    if v <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(v))
    for m in (1, 2, 2.5, 5, 10):
        if v <= m * exp:
            return m * exp
    return 10 * exp


def nice_range(lo: float, hi: float, intervals: int = 4) -> tuple[float, float, float]:
    """An axis (bottom, top, step) around the data with round ticks (1, 2, 2.5 or 5 x 10^k), so
    lines do not bunch at the top of a 0-100 axis. Zero is kept when the data are near it."""
    if hi < lo:
        lo, hi = hi, lo
    if lo >= 0 and lo <= (hi - lo) * 0.5:
        lo = 0.0  # near zero: start there
    span = hi - lo or abs(hi) or 1.0
    raw = span / intervals
    exp = 10 ** math.floor(math.log10(raw))
    step = next(m * exp for m in (1, 2, 2.5, 5, 10) if raw <= m * exp)
    bottom = math.floor(lo / step) * step
    top = math.ceil(hi / step) * step
    if top == bottom:
        top = bottom + step
    return bottom, top, step


def sparkline(
    title: str, values: Sequence[float | None], *, width: int = 84, height: int = 22
) -> Markup:
    """A small trend line of the LA's values (oldest to newest) for a table cell; the last value has a
    marker. Its title is the text alternative (the values are in the row beside it)."""
    known = [v for v in values if v is not None]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="pia-spark" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" focusable="false"><title>{escape(title)}</title>'
    ]
    if len(known) > 1:
        lo, hi = min(known), max(known)
        span = (hi - lo) or 1.0
        n = len(values)

        def xy(i: int, v: float) -> str:
            x = 3 + (width - 6) * i / max(n - 1, 1)
            y = height - 3 - (height - 6) * ((v - lo) / span if hi > lo else 0.5)
            return f"{_n(x)},{_n(y)}"

        pts = [xy(i, v) for i, v in enumerate(values) if v is not None]
        parts.append(
            f'<polyline points="{" ".join(pts)}" fill="none" stroke="{STYLES[0][0]}" stroke-width="1.5"/>'
        )
        cx, cy = pts[-1].split(",")
        parts.append(f'<circle cx="{cx}" cy="{cy}" r="2.5" fill="{STYLES[0][0]}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def fmt(v: float | None, decimals: int = 0) -> str:
    if v is None:
        return "not available"
    return f"{v:,.{decimals}f}"


def _tick(v: float, step: float) -> str:
    """An axis label: whole numbers for whole steps, otherwise up to two decimals without trailing 0s."""
    if float(step).is_integer():
        return f"{v:,.0f}"
    return f"{v:,.2f}".rstrip("0").rstrip(".")


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "circle":
        return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="4" fill="{colour}"/>'
    if shape == "square":
        return f'<rect x="{_n(x - 4)}" y="{_n(y - 4)}" width="8" height="8" fill="{colour}"/>'
    if shape == "triangle":
        return f'<path d="M{_n(x)} {_n(y - 5)} L{_n(x + 5)} {_n(y + 4)} L{_n(x - 5)} {_n(y + 4)} Z" fill="{colour}"/>'
    return f'<path d="M{_n(x)} {_n(y - 5)} L{_n(x + 5)} {_n(y)} L{_n(x)} {_n(y + 5)} L{_n(x - 5)} {_n(y)} Z" fill="{colour}"/>'


def _open(chart_id: str, title: str, desc: str, width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="pia-chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def bar_chart(
    chart_id: str, title: str, desc: str, bars: Sequence[tuple[str, float]], *, label_every: int = 4
) -> Markup:
    """Vertical bars (e.g. weekly volumes); every `label_every`-th bar is labelled on the x axis."""
    width, height, left, right, top, bottom = 640, 220, 48, 12, 12, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = nice_max(max((v for _, v in bars), default=0))
    parts = _open(chart_id, title, desc, width, height)
    parts.append('<g aria-hidden="true" font-family="arial, sans-serif" font-size="12">')
    for i in range(5):
        v = top_value * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{_n(y)}" y2="{_n(y)}" stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{_n(y + 4)}" text-anchor="end" fill="{INK}">{fmt(v, 0 if top_value >= 4 else 1)}</text>'
        )
    n = max(len(bars), 1)
    step = plot_w / n
    for i, (label, v) in enumerate(bars):
        h = plot_h * (v / top_value) if top_value else 0
        x = left + i * step + step * 0.15
        parts.append(
            f'<rect x="{_n(x)}" y="{_n(top + plot_h - h)}" width="{_n(step * 0.7)}" height="{_n(h)}" fill="{STYLES[0][0]}"/>'
        )
        if i % label_every == 0:
            parts.append(
                f'<text x="{_n(left + i * step + step / 2)}" y="{height - bottom + 16}" text-anchor="middle" fill="{INK}">{escape(label)}</text>'
            )
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="{INK}" stroke-width="1"/>'
    )
    parts.append("</g></svg>")
    return Markup("".join(parts))


def line_chart(
    chart_id: str,
    title: str,
    desc: str,
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    decimals: int = 1,
) -> Markup:
    """Up to four series over the same x labels; gaps where a value is missing. Legend below the plot."""
    width, left, right, top = 640, 56, 16, 12
    plot_h = 170
    legend_y = top + plot_h + 40
    height = legend_y + 22 * ((len(series) + 1) // 2) + 4
    plot_w = width - left - right
    values = [v for _, vs in series for v in vs if v is not None]
    lo, hi, step = nice_range(min(values, default=0.0), max(values, default=1.0))
    span = hi - lo
    ticks = round(span / step)
    n = max(len(x_labels), 1)

    def px(i: int) -> float:
        return left + (plot_w * (i + 0.5) / n)

    def py(v: float) -> float:
        return top + plot_h - plot_h * (v - lo) / span

    parts = _open(chart_id, title, desc, width, height)
    parts.append('<g aria-hidden="true" font-family="arial, sans-serif" font-size="12">')
    for i in range(ticks + 1):
        v = lo + step * i
        y = py(v)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{_n(y)}" y2="{_n(y)}" stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{_n(y + 4)}" text-anchor="end" fill="{INK}">{_tick(v, step)}</text>'
        )
    for i, label in enumerate(x_labels):
        parts.append(
            f'<text x="{_n(px(i))}" y="{top + plot_h + 18}" text-anchor="middle" fill="{INK}">{escape(label)}</text>'
        )
    for s, (name, vs) in enumerate(series):
        colour, dash, shape = STYLES[s % len(STYLES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        run: list[str] = []
        for i, v in enumerate(vs):
            if v is None:
                if len(run) > 1:
                    parts.append(
                        f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>'
                    )
                run = []
                continue
            run.append(f"{_n(px(i))},{_n(py(v))}")
        if len(run) > 1:
            parts.append(
                f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>'
            )
        for i, v in enumerate(vs):
            if v is not None:
                parts.append(_marker(shape, px(i), py(v), colour))
        lx = left + (s % 2) * (plot_w / 2)
        ly = legend_y + 22 * (s // 2)
        parts.append(
            f'<line x1="{_n(lx)}" x2="{_n(lx + 28)}" y1="{ly}" y2="{ly}" stroke="{colour}" stroke-width="2"{dash_attr}/>'
        )
        parts.append(_marker(shape, lx + 14, ly, colour))
        parts.append(f'<text x="{_n(lx + 36)}" y="{ly + 4}" fill="{INK}">{escape(name)}</text>')
    parts.append("</g></svg>")
    return Markup("".join(parts))


def describe_trend(
    name: str, x_labels: Sequence[str], values: Sequence[float | None], decimals: int
) -> str:
    """One sentence about one series: first and last known values."""
    known = [(x, v) for x, v in zip(x_labels, values, strict=True) if v is not None]
    if not known:
        return f"{name}: no values published."
    if len(known) == 1:
        return f"{name}: {fmt(known[0][1], decimals)} in {known[0][0]}."
    (x0, v0), (x1, v1) = known[0], known[-1]
    direction = "rose" if v1 > v0 else "fell" if v1 < v0 else "was unchanged"
    return f"{name} {direction} from {fmt(v0, decimals)} in {x0} to {fmt(v1, decimals)} in {x1}."
