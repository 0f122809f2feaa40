"""Issue 12: figures whole and words readable — columns follow their values, tooltips wrap,
one name per concept, no commit hash as a description."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from planner.ui.panels.markets_panel import MarketTableModel
from planner.ui.panels.position_model import COLUMN_INDEX
from planner.ui.widgets.tooltips import WIDTH, wrap_tooltip
from tests.ui.typing import show_active


def test_columns_follow_their_widest_value_after_every_change(qtbot, window) -> None:
    show_active(qtbot, window)
    view = window.table.view
    header = view.horizontalHeader()
    column = COLUMN_INDEX["margin"]
    window.table.set_column_shown("margin", True)  # a small first-run screen may hide it
    before = header.sectionSize(column)
    document = window.document
    # a far stop: the loss at stop grows by digits
    index = document.plan.positions.index(document.plan.position("btc-core"))
    from planner.ui.document import edits

    plan = edits.set_position_field(document.plan, index, "quantity", 45.0)
    document.apply(plan, "size up")
    text = view.model().index(index, column).data()
    needed = view.fontMetrics().horizontalAdvance(text)
    assert header.sectionSize(column) >= needed + 4
    assert header.sectionSize(column) > before


def test_cross_vs_isolated_figures_are_whole(qtbot, window) -> None:
    show_active(qtbot, window)
    window.show_panel(window.twin_dock)
    qtbot.wait(20)
    table = window.twin.position_table
    header = table.horizontalHeader()
    for c in range(table.columnCount()):
        title = table.horizontalHeaderItem(c).text()
        assert header.sectionSize(c) >= header.fontMetrics().horizontalAdvance(title)
        for r in range(table.rowCount()):
            text = table.item(r, c).text()
            assert header.sectionSize(c) >= table.fontMetrics().horizontalAdvance(text), text


def test_tooltips_wrap_at_sixty_characters(qtbot, window) -> None:
    long_text = "word " * 60
    wrapped = wrap_tooltip(long_text.strip())
    lines = wrapped.removeprefix("<qt>").removesuffix("</qt>").split("<br>")
    assert len(lines) > 1 and all(len(line) <= WIDTH for line in lines)
    show_active(qtbot, window)
    label = window.editor.entry_spin
    label.setToolTip(long_text)
    event = QHelpEvent(QEvent.Type.ToolTip, QPoint(2, 2), label.mapToGlobal(QPoint(2, 2)))
    QApplication.sendEvent(label, event)
    assert "<br>" in QToolTip.text()
    QToolTip.hideText()


def test_to_liq_means_one_thing(qtbot, window) -> None:
    from planner.ui.panels.buckets import BucketModel

    assert "To liquidation" not in BucketModel.HEADERS
    assert "Risk ratio" in BucketModel.HEADERS


def test_markets_tab_shows_no_commit_hash(qtbot, document) -> None:
    from planner.ui.document import edits

    plan, _ = edits.create_position(document.plan, {"symbol": "XRPUSDT", "entry_price": 0.5})
    document.apply(plan, "add")
    model = MarketTableModel(document)
    row = [m.symbol for m in document.plan.markets].index("XRPUSDT")
    column = model.columnCount() - 1
    text = model.index(row, column).data()
    source = document.plan.market("XRPUSDT").maintenance.source
    assert "tiers" in text and len(text) < 80
    import re

    assert not re.search(r"\b[0-9a-f]{12,40}\b", text)
    assert source in model.index(row, column).data(Qt.ItemDataRole.ToolTipRole)


def test_table_and_chart_share_keeps_its_place(qtbot, document, tmp_path) -> None:
    """The separator between the table and the chart is where the trader left it, next run."""
    from PySide6.QtCore import QSettings

    from planner.ui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "layout.ini"), QSettings.Format.IniFormat)
    first = MainWindow(document, settings=settings)
    qtbot.addWidget(first)
    first.show()
    qtbot.waitExposed(first)
    first.resizeDocks([first.chart_dock], [700], Qt.Orientation.Horizontal)
    qtbot.wait(20)
    kept = first.chart_dock.width()
    first.save_state()
    first.hide()
    second = MainWindow(document, settings=QSettings(settings.fileName(), settings.format()))
    qtbot.addWidget(second)
    second.show()
    qtbot.waitExposed(second)
    qtbot.wait(20)
    assert abs(second.chart_dock.width() - kept) <= 4


def test_the_chart_takes_the_width_the_table_does_not_need(qtbot, window) -> None:
    window.resize(1920, 1080)
    show_active(qtbot, window)
    qtbot.wait(20)
    table = window.table
    assert table.width() >= table.needed_width() - 4  # every column whole
    assert window.chart_dock.width() >= 1920 - table.needed_width() - 60


def test_key_columns_in_view_at_1024_by_700(qtbot, document, monkeypatch) -> None:
    """Issue 12: a first run on a 1024×700 screen shows the key columns without scrolling
    sideways (figures the account panel and the ladder also show give way; each position's
    risk % of equity, shown nowhere else per position, stays — issue 13)."""
    from PySide6.QtCore import QSettings

    from planner.ui import main_window
    from planner.ui.main_window import MainWindow
    from planner.ui.panels.position_columns import COLUMNS

    monkeypatch.setattr(main_window, "FIRST_RUN_SIZE", main_window.QSize(1024, 700))
    window = MainWindow(document, settings=QSettings(), persistent=False)
    qtbot.addWidget(window)
    window.resize(1024, 700)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(50)
    table = window.table.view
    assert not table.horizontalScrollBar().isVisible()
    header = table.horizontalHeader()
    shown = {c.key for i, c in enumerate(COLUMNS) if not header.isSectionHidden(i)}
    key_columns = {"entry_price", "stop_loss", "liquidation_price", "loss_at_stop"}
    assert key_columns | {"position_risk"} <= shown


def test_a_cell_with_a_warning_icon_keeps_its_figure_whole(qtbot, window) -> None:
    """dca-ladder's liquidation price comes before its stop and carries a warning icon: the
    column makes room for the icon and the whole price (it read "4…8" when only the text was
    measured)."""
    from pathlib import Path

    from planner.storage import load_plan

    path = Path(__file__).parents[2] / "resources" / "examples" / "dca-ladder.tplan"
    window.document.reset(load_plan(path), path)
    show_active(qtbot, window)
    view = window.table.view
    column = COLUMN_INDEX["liquidation_price"]
    cell = view.model().index(0, column)
    assert cell.data(Qt.ItemDataRole.DecorationRole) is not None
    style = view.style()
    icon = style.pixelMetric(style.PixelMetric.PM_SmallIconSize)
    needed = view.fontMetrics().horizontalAdvance(cell.data()) + icon
    assert view.horizontalHeader().sectionSize(column) >= needed
