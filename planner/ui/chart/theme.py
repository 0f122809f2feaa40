"""Colours and pens of the chart, taken from the widget's palette so that the light and the
dark palette both read.

One place decides how a level looks (colour, dash, width), so the ladder and the equity view
speak the same visual language: cross is orange and dashed, isolated is crimson, the plan as it
is is blue and solid.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QPalette, QPen

#: (light palette, dark palette) colours — Okabe–Ito based, readable on white and on #2d2d2d
_COLOURS: dict[str, tuple[str, str]] = {
    "entry": ("#0072B2", "#56B4E9"),
    "stop": ("#D55E00", "#FF8A50"),
    "take_profit": ("#00845F", "#3DDC97"),
    "liquidation_isolated": ("#C2185B", "#FF5C8A"),
    "liquidation_cross": ("#B86E00", "#FFB000"),
    "bankruptcy": ("#7B1FA2", "#CE93D8"),
    "tier": ("#757575", "#9E9E9E"),
    "planned": ("#0072B2", "#56B4E9"),
    "all_cross": ("#B86E00", "#FFB000"),
    "all_isolated": ("#C2185B", "#FF5C8A"),
    "loss_zone": ("#D55E00", "#FF8A50"),
    "profit_zone": ("#00845F", "#3DDC97"),
}

#: how each kind of level is drawn: (colour name, pen style, width when emphasised)
_LEVEL_STYLES: dict[str, tuple[str, Qt.PenStyle, float]] = {
    "entry": ("entry", Qt.PenStyle.SolidLine, 2.0),
    "stop": ("stop", Qt.PenStyle.SolidLine, 2.0),
    "take_profit": ("take_profit", Qt.PenStyle.SolidLine, 2.0),
    "liquidation_isolated": ("liquidation_isolated", Qt.PenStyle.SolidLine, 2.5),
    "liquidation_cross": ("liquidation_cross", Qt.PenStyle.DashLine, 2.5),
    "bankruptcy": ("bankruptcy", Qt.PenStyle.DotLine, 1.5),
    "tier": ("tier", Qt.PenStyle.DotLine, 1.0),
    "mark": ("foreground", Qt.PenStyle.DashDotLine, 1.5),
    "scale_in": ("entry", Qt.PenStyle.DashLine, 1.5),
    "scale_in_unreachable": ("liquidation_isolated", Qt.PenStyle.DashLine, 1.5),
    "liquidation_after_fills": ("liquidation_isolated", Qt.PenStyle.DashDotDotLine, 2.5),
}

#: the three variants of the equity view: (colour name, pen style, width, alpha). The plan as
#: it is is a wide translucent band under the two thin dashed variants, so that all three stay
#: visible where they coincide (a plan that is all cross already, a rally).
VARIANT_STYLES: dict[str, tuple[str, Qt.PenStyle, float, int]] = {
    "planned": ("planned", Qt.PenStyle.SolidLine, 6.0, 120),
    "all_cross": ("all_cross", Qt.PenStyle.DashLine, 2.0, 255),
    "all_isolated": ("all_isolated", Qt.PenStyle.DashDotLine, 2.0, 255),
}

#: how much of its colour a faint line (a position that is not selected) keeps against the
#: background. Faint colours are mixed, not translucent: Qt's raster engine draws a translucent
#: cosmetic line ~40× slower than an opaque one, and a ladder may hold hundreds of them.
FAINT_MIX = 0.42


@dataclass(frozen=True, slots=True)
class ChartTheme:
    dark: bool
    background: QColor
    foreground: QColor
    label_fill: QColor

    def colour(self, name: str, alpha: int = 255) -> QColor:
        if name == "foreground":
            colour = QColor(self.foreground)
        else:
            light, dark = _COLOURS[name]
            colour = QColor(dark if self.dark else light)
        colour.setAlpha(alpha)
        return colour

    def faint(self, colour: QColor, keep: float = FAINT_MIX) -> QColor:
        """``colour`` mixed toward the background, opaque."""
        back = self.background
        return QColor.fromRgbF(
            colour.redF() * keep + back.redF() * (1 - keep),
            colour.greenF() * keep + back.greenF() * (1 - keep),
            colour.blueF() * keep + back.blueF() * (1 - keep),
        )

    def level_pen(self, style: str, *, emphasised: bool, hover: bool = False) -> QPen:
        """The pen of a ladder level; ``style`` is a level kind, or ``liquidation_isolated`` /
        ``liquidation_cross``. Levels of other positions are thinner and fainter."""
        colour_name, dash, width = _LEVEL_STYLES[style]
        colour = self.colour(colour_name)
        if not emphasised and style not in ("mark", "tier"):
            width = 1.0
            colour = self.faint(colour)
        pen = pg.mkPen(colour, width=width + (2.0 if hover else 0.0), style=dash)
        pen.setCosmetic(True)
        return pen

    def level_text_colour(self, style: str, *, emphasised: bool) -> QColor:
        colour = self.colour(_LEVEL_STYLES[style][0])
        return colour if emphasised else self.faint(colour, 0.75)

    def variant_pen(self, variant: str) -> QPen:
        colour_name, dash, width, alpha = VARIANT_STYLES[variant]
        pen = pg.mkPen(self.colour(colour_name, alpha), width=width, style=dash)
        pen.setCosmetic(True)
        return pen

    def zone_brush(self, zone: str) -> QColor:
        return self.colour(zone, 48 if self.dark else 38)


def theme_for(palette: QPalette) -> ChartTheme:
    background = palette.color(QPalette.ColorRole.Base)
    foreground = palette.color(QPalette.ColorRole.Text)
    dark = background.lightness() < 128
    label_fill = QColor(background)
    label_fill.setAlpha(215)
    return ChartTheme(dark, QColor(background), QColor(foreground), label_fill)


def style_plot(plot: pg.PlotWidget, theme: ChartTheme) -> None:
    """Background, axes and grid of a plot in the palette's colours."""
    plot.setBackground(theme.background)
    item = plot.getPlotItem()
    axis_pen = pg.mkPen(theme.colour("foreground", 150))
    for name in ("left", "bottom", "right", "top"):
        axis = item.getAxis(name)
        axis.setPen(axis_pen)
        axis.setTextPen(pg.mkPen(theme.foreground))
    item.titleLabel.setAttr("color", theme.foreground.name())


def is_palette_change(event: QEvent) -> bool:
    """Whether ``event`` tells a widget its palette (or the application's) changed, so that a
    themed widget restyles from ``theme_for(self.palette())``."""
    return event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)
