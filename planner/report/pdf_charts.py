"""The report's charts as vector drawings (``reportlab.graphics``): the price ladder and the
account-equity curves. Every text is at least 7 pt; labels that would crowd each other are
merged ("4 stops 49,550.0–49,850.0") or, for the least important kinds, left out."""

from __future__ import annotations

import math
from dataclasses import dataclass

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Polygon, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from planner.report.model import EquityCurveChart, Figure, LadderLabel, PriceLadderChart
from planner.report.pdf_style import BOLD, HAIRLINE, INK, MUTED, REGULAR, safe

TEXT = 7.0
TITLE = 8.0
LABEL_GAP = 8.6  # vertical room one ladder label needs

#: Curves: colour, width, dash pattern, marker
CURVE_STYLES: dict[str, tuple[colors.Color, float, list[float] | None, str]] = {
    "planned": (colors.HexColor("#1F3A5F"), 1.8, None, "circle"),
    "all_cross": (colors.HexColor("#C2570C"), 1.1, [4.0, 2.0], "square"),
    "all_isolated": (colors.HexColor("#2E7D32"), 1.1, [1.2, 1.6], "triangle"),
}

#: Ladder levels: colour, width, dash pattern
LEVEL_STYLES: dict[str, tuple[colors.Color, float, list[float] | None]] = {
    "mark": (colors.black, 1.6, None),
    "entry": (colors.HexColor("#1F3A5F"), 1.0, None),
    "stop": (colors.HexColor("#B3261E"), 1.0, [4.0, 2.0]),
    "take_profit": (colors.HexColor("#2E7D32"), 1.1, [1.0, 2.0]),
    "liquidation": (colors.black, 1.6, [6.0, 2.0, 1.5, 2.0]),
    "bankruptcy": (colors.HexColor("#555555"), 0.8, [3.0, 1.5, 1.0, 1.5]),
    "tier": (colors.HexColor("#9A9A9A"), 0.5, [1.0, 2.5]),
    "break_even": (colors.HexColor("#555555"), 0.8, [2.0, 2.0]),
}
PLURAL = {
    "mark": "marks",
    "entry": "entries",
    "stop": "stops",
    "take_profit": "take-profits",
    "liquidation": "liquidations",
    "bankruptcy": "bankruptcies",
    "tier": "tier boundaries",
    "break_even": "break-evens",
}
MARK_LETTERS = {"stop": "S", "take_profit": "T", "break_even": "B"}


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo]
    raw = (hi - lo) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step) * step
    ticks = []
    value = first
    while value <= hi + step * 1e-9:
        ticks.append(round(value, 12))
        value += step
    return ticks


def _number(value: float, step: float) -> str:
    """A tick value with the decimals its step needs (0.25 → 2, 0.5 → 1, 1000 → 0)."""
    decimals = 0
    if 0 < step < 1:
        decimals = len(f"{step:.10f}".rstrip("0").split(".")[1])
    return safe(f"{value:,.{decimals}f}")


def _text(
    x: float,
    y: float,
    text: str,
    *,
    size: float = TEXT,
    font: str = REGULAR,
    anchor: str = "start",
    colour: colors.Color = INK,
) -> String:
    return String(
        x, y, safe(text), fontName=font, fontSize=size, fillColor=colour, textAnchor=anchor
    )


def figure_drawing(figure: Figure, width: float) -> Drawing:
    """The figure's charts side by side in one drawing."""
    drawing = Drawing(width, figure.height)
    weights = figure.widths or tuple(1.0 for _ in figure.charts)
    total = sum(weights)
    x = 0.0
    gap = 14.0
    for chart, weight in zip(figure.charts, weights, strict=True):
        w = width * weight / total - (gap if x > 0 or len(figure.charts) > 1 else 0) / 2
        box = (x, 0.0, w, figure.height)
        if isinstance(chart, PriceLadderChart):
            drawing.add(ladder(chart, box))
        else:
            drawing.add(equity(chart, box))
        x += width * weight / total + gap / 2
    return drawing


# -- the price ladder ---------------------------------------------------------------------------


@dataclass
class _Label:
    kind: str
    price: float
    text: str
    priority: int
    count: int
    low: float
    high: float
    low_text: str
    high_text: str
    y: float = 0.0


def merge_labels(labels: list[_Label], to_y, room: float = LABEL_GAP) -> list[_Label]:
    """Labels of one kind whose levels lie closer than a label's height become one label:
    "4 stops 49,550.0–49,850.0"."""
    ordered = sorted(labels, key=lambda lb: (lb.kind, lb.price))
    merged: list[_Label] = []
    for label in ordered:
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.kind == label.kind
            and label.kind not in ("mark",)
            and abs(to_y(label.low) - to_y(last.high)) < room
        ):
            last.count += label.count
            last.high, last.high_text = label.high, label.high_text
            last.price = (last.low + last.high) / 2
            last.text = f"{last.count} {PLURAL[last.kind]}"
        else:
            merged.append(label)
    return merged


def place_labels(labels: list[_Label], top: float, bottom: float) -> list[_Label]:
    """Labels spread so that none overlaps, each as near its level as room allows; when they
    cannot all fit, the least important go first."""
    kept = sorted(labels, key=lambda lb: -lb.price)
    capacity = max(1, int((top - bottom) / LABEL_GAP))
    while len(kept) > capacity:
        worst = max(kept, key=lambda lb: (lb.priority, -lb.count))
        kept.remove(worst)
    y = top + LABEL_GAP
    for label in kept:  # from the top down
        label.y = min(label.y, y - LABEL_GAP)
        y = label.y
    overflow = bottom - kept[-1].y if kept else 0.0
    if overflow > 0:  # push back up from the bottom
        y = bottom - LABEL_GAP
        for label in reversed(kept):
            label.y = max(label.y, y + LABEL_GAP)
            y = label.y
    return kept


def ladder(chart: PriceLadderChart, box: tuple[float, float, float, float]) -> Group:
    x0, y0, w, h = box
    group = Group()
    group.add(_text(x0, y0 + h - TITLE, chart.title, size=TITLE, font=BOLD))
    top, bottom = y0 + h - TITLE - 10, y0 + 6
    levels = [lv for lv in chart.levels if lv.kind != "tier"] or list(chart.levels)
    prices = [lv.price for lv in levels] + [chart.mark_price]
    lo, hi = min(prices), max(prices)
    pad = (hi - lo) * 0.06 or abs(hi) * 0.02 or 1.0
    lo, hi = lo - pad, hi + pad

    def to_y(price: float) -> float:
        return bottom + (price - lo) / (hi - lo) * (top - bottom)

    ticks = nice_ticks(lo, hi, 6)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    axis_w = max(stringWidth(_number(t, step), REGULAR, TEXT) for t in ticks) + 4
    line_x0, line_x1 = x0 + axis_w + 2, x0 + axis_w + 2 + w * 0.13
    group.add(Line(line_x0, bottom, line_x0, top, strokeColor=MUTED, strokeWidth=0.5))
    for t in ticks:
        y = to_y(t)
        group.add(Line(line_x0 - 2, y, line_x0, y, strokeColor=MUTED, strokeWidth=0.5))
        group.add(_text(line_x0 - 3, y - 2.4, _number(t, step), anchor="end", colour=MUTED))
    drawn: set[tuple[str, float]] = set()  # one line per kind and height (20,000 entries)
    for level in sorted(chart.levels, key=lambda lv: lv.kind == "mark"):
        if not lo <= level.price <= hi:
            continue
        colour, width, dash = LEVEL_STYLES.get(level.kind, (INK, 0.8, None))
        y = to_y(level.price)
        if (level.kind, round(y, 1)) in drawn:
            continue
        drawn.add((level.kind, round(y, 1)))
        group.add(
            Line(
                line_x0, y, line_x1, y, strokeColor=colour, strokeWidth=width, strokeDashArray=dash
            )
        )
    labels = [
        _Label(
            lb.kind,
            lb.price,
            lb.text,
            lb.priority,
            lb.count,
            lb.price,
            lb.price,
            lb.price_text,
            lb.price_text,
        )
        for lb in chart.labels
        if lo <= lb.price <= hi
    ]
    merged = merge_labels(labels, to_y)
    for label in merged:
        label.y = to_y(label.price)
    label_x = line_x1 + 10
    for label in place_labels(merged, top, bottom):
        colour = LEVEL_STYLES.get(label.kind, (INK, 0, None))[0]
        group.add(
            Line(
                line_x1,
                to_y(label.price),
                label_x - 2,
                label.y + 2.3,
                strokeColor=HAIRLINE,
                strokeWidth=0.5,
            )
        )
        if label.count > 1 and label.low_text != label.high_text:
            price = f" {label.low_text}–{label.high_text}"
        else:
            price = f" {label.low_text}"
        font = BOLD if label.kind in ("mark", "liquidation") else REGULAR
        # the price always shows whole; a long name gives way
        room = x0 + w - label_x - stringWidth(safe(price), font, TEXT)
        text = _fit(label.text, room, font) + safe(price)
        group.add(_text(label_x, label.y, text, font=font, colour=colour))
    return group


def _fit(text: str, width: float, font: str = REGULAR) -> str:
    text = safe(text)
    if stringWidth(text, font, TEXT) <= width:
        return text
    while text and stringWidth(text + "…", font, TEXT) > width:
        text = text[:-1]
    return safe(text + "…")


# -- account equity -----------------------------------------------------------------------------


def equity(chart: EquityCurveChart, box: tuple[float, float, float, float]) -> Group:
    x0, y0, w, h = box
    group = Group()
    group.add(_text(x0, y0 + h - TITLE, chart.title, size=TITLE, font=BOLD))
    # legend
    lx = x0
    ly = y0 + h - TITLE - 11
    for curve in chart.curves:
        colour, width, dash, marker = CURVE_STYLES.get(curve.key, (INK, 1.0, None, "circle"))
        group.add(
            Line(
                lx,
                ly + 2.5,
                lx + 14,
                ly + 2.5,
                strokeColor=colour,
                strokeWidth=width,
                strokeDashArray=dash,
            )
        )
        group.add(_text(lx + 17, ly, curve.name))
        lx += 17 + stringWidth(curve.name, REGULAR, TEXT) + 10
    note_h = 10 if chart.note else 0
    if chart.note:
        group.add(_text(x0, y0 + 1, _fit(chart.note, w), colour=MUTED))
    lo_x, hi_x = chart.move_range
    values = [
        v for c in chart.curves for m, v in zip(c.moves, c.equity, strict=True) if lo_x <= m <= hi_x
    ]
    if chart.reference_equity is not None:
        values.append(chart.reference_equity)
    values = [v for v in values if math.isfinite(v)] or [0.0]
    lo_y, hi_y = min(values), max(values)
    pad = (hi_y - lo_y) * 0.06 or abs(hi_y) * 0.1 or 1.0
    lo_y, hi_y = lo_y - pad, hi_y + pad
    y_ticks = nice_ticks(lo_y, hi_y, 5)
    y_step = y_ticks[1] - y_ticks[0] if len(y_ticks) > 1 else 1.0
    axis_w = max(stringWidth(_number(t, y_step), REGULAR, TEXT) for t in y_ticks) + 4
    left, right = x0 + axis_w + 2, x0 + w - 4
    top = ly - 12
    bottom = y0 + note_h + 22  # x tick labels and the x-axis title below
    group.add(_text(left, top + 3, f"equity ({chart.currency})", colour=MUTED))

    def sx(move: float) -> float:
        return left + (move - lo_x) / (hi_x - lo_x) * (right - left)

    def sy(value: float) -> float:
        return bottom + (value - lo_y) / (hi_y - lo_y) * (top - bottom)

    group.add(
        Rect(
            left,
            bottom,
            right - left,
            top - bottom,
            fillColor=None,
            strokeColor=HAIRLINE,
            strokeWidth=0.5,
        )
    )
    for t in y_ticks:
        if lo_y <= t <= hi_y:
            group.add(Line(left, sy(t), right, sy(t), strokeColor=HAIRLINE, strokeWidth=0.3))
            group.add(_text(left - 3, sy(t) - 2.4, _number(t, y_step), anchor="end", colour=MUTED))
    x_ticks = nice_ticks(lo_x * 100, hi_x * 100, 6)
    for t in x_ticks:
        x = sx(t / 100)
        group.add(Line(x, bottom, x, bottom - 2, strokeColor=MUTED, strokeWidth=0.5))
        label = "0 %" if t == 0 else f"{t:+g} %".replace("-", "−")
        group.add(_text(x, bottom - 9, label, anchor="middle", colour=MUTED))
    group.add(_text((left + right) / 2, bottom - 18, chart.x_label, anchor="middle", colour=MUTED))
    if lo_x < 0 < hi_x:
        group.add(
            Line(
                sx(0),
                bottom,
                sx(0),
                top,
                strokeColor=MUTED,
                strokeWidth=0.4,
                strokeDashArray=[1, 2],
            )
        )
    if chart.reference_equity is not None:
        y = sy(chart.reference_equity)
        group.add(
            Line(left, y, right, y, strokeColor=MUTED, strokeWidth=0.6, strokeDashArray=[3, 2])
        )
        group.add(_text(left + 2, y + 2, "equity now", colour=MUTED))
    _move_marks(group, chart, sx, bottom)
    for curve in chart.curves:
        colour, width, dash, marker = CURVE_STYLES.get(curve.key, (INK, 1.0, None, "circle"))
        points: list[float] = []
        for m, v in zip(curve.moves, curve.equity, strict=True):
            if lo_x <= m <= hi_x and math.isfinite(v):
                points += [sx(m), sy(v)]
        if len(points) >= 4:
            group.add(
                PolyLine(
                    points,
                    strokeColor=colour,
                    strokeWidth=width,
                    strokeDashArray=dash,
                    strokeLineJoin=1,
                )
            )
        for mk in curve.markers:
            if lo_x <= mk.move <= hi_x:
                group.add(_marker(marker, sx(mk.move), sy(mk.equity), colour))
    return group


def _marker(kind: str, x: float, y: float, colour: colors.Color):
    r = 2.6
    if kind == "square":
        return Rect(
            x - r, y - r, 2 * r, 2 * r, fillColor=colors.white, strokeColor=colour, strokeWidth=0.9
        )
    if kind == "triangle":
        return Polygon(
            [x - r, y - r, x + r, y - r, x, y + r],
            fillColor=colors.white,
            strokeColor=colour,
            strokeWidth=0.9,
        )
    return Circle(x, y, r, fillColor=colour, strokeColor=colour, strokeWidth=0.5)


def _move_marks(group: Group, chart: EquityCurveChart, sx, bottom: float) -> None:
    """Stops, targets and break-even as ticks on the x axis, lettered S / T / B; ticks closer
    than a letter's width share one label with their count ("3S")."""
    lo_x, hi_x = chart.move_range
    for kind, letter in MARK_LETTERS.items():
        xs = sorted(sx(m.move) for m in chart.marks if m.kind == kind and lo_x <= m.move <= hi_x)
        colour = LEVEL_STYLES[kind][0]
        clusters: list[list[float]] = []
        for x in xs:
            if clusters and x - clusters[-1][-1] < 9:
                clusters[-1].append(x)
            else:
                clusters.append([x])
        lift = {"stop": 0, "take_profit": 8, "break_even": 16}[kind]  # kinds never overlap
        for cluster in clusters:
            for x in cluster:
                group.add(Line(x, bottom, x, bottom + 6, strokeColor=colour, strokeWidth=1.0))
            mid = sum(cluster) / len(cluster)
            text = letter if len(cluster) == 1 else f"{len(cluster)}{letter}"
            group.add(
                _text(mid, bottom + 7 + lift, text, anchor="middle", font=BOLD, colour=colour)
            )


__all__ = ["LadderLabel", "figure_drawing", "nice_ticks"]
