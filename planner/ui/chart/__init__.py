"""The live chart: a price ladder with draggable levels, and account equity against a move."""

from planner.ui.chart.chart_panel import ChartPanel

__all__ = ["ChartPanel"]
