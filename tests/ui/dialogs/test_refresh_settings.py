"""The window stays offline unless asked: no socket at startup, "Refresh marks when opening a
plan" off by default and remembered, the question asked once per venue; and the venue's
liquidation prices beside ours in the status bar."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox
from pytest_httpserver import HTTPServer

from planner.domain.plan import Plan
from planner.marketdata.gap import venue_liquidation_gaps
from planner.marketdata.http import env_variable
from planner.storage import save_plan
from planner.ui.dialogs.refresh import CONSENT_KEY, REFRESH_ON_OPEN_KEY
from planner.ui.document.plan_document import PlanDocument
from planner.ui.main_window import MainWindow
from tests.ui.dialogs import refresh_helpers
from tests.ui.dialogs.refresh_helpers import (
    allow,
    recorded_marks,
    serve_spec_markets,
    wait_for_refresh,
)

httpserver_listen_address = refresh_helpers.httpserver_listen_address
venue = refresh_helpers.venue
Button = QMessageBox.StandardButton


def _menu_action(window: MainWindow, text: str):
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Markets")
    return next(a for a in menu.actions() if a.text() == text)


def test_the_window_at_startup_opens_no_socket(
    qtbot, monkeypatch: pytest.MonkeyPatch, example_path: Path, autosave_store
) -> None:
    attempts: list[object] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network use in a test of the offline window")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    # and should the guard miss, the only address there is is this machine's discard port
    monkeypatch.setenv(env_variable("binance"), "http://127.0.0.1:9")

    main = MainWindow(settings=QSettings(), autosave=autosave_store)
    qtbot.addWidget(main)
    assert main.files.open_path(example_path, ask=False)  # as the app opens a plan at start
    main.show()
    qtbot.waitExposed(main)
    for _ in range(5):
        QApplication.processEvents()
        qtbot.wait(20)
    assert not main.actions.refresh_on_open.isChecked()
    assert not main.refresher.is_running
    assert attempts == []
    # the guard is real: an asked-for refresh would have been stopped by it
    main.refresher._settings.setValue(CONSENT_KEY, "binance")
    main.refresher.refresh_all()
    wait_for_refresh(qtbot, main)
    assert attempts
    main.document.undo_stack.clear()


def test_refresh_on_open_is_off_by_default_and_remembered(qtbot, window) -> None:
    action = _menu_action(window, "Refresh Marks When &Opening a Plan")
    assert action is window.actions.refresh_on_open
    assert action.isCheckable() and not action.isChecked()
    assert not window.refresher.refresh_on_open
    action.trigger()
    assert action.isChecked()
    assert QSettings().value(REFRESH_ON_OPEN_KEY, type=bool) is True
    # a new window reads it back
    again = MainWindow(PlanDocument(window.document.plan), settings=QSettings(), persistent=False)
    qtbot.addWidget(again)
    assert again.actions.refresh_on_open.isChecked()
    again.actions.refresh_on_open.trigger()
    assert QSettings().value(REFRESH_ON_OPEN_KEY, type=bool) is False


def test_opening_a_plan_sends_nothing_while_the_setting_is_off(
    qtbot, window, venue: HTTPServer, dialogs, example_path: Path
) -> None:
    serve_spec_markets(venue)
    allow(window)
    assert window.files.open_path(example_path, ask=False)
    qtbot.wait(50)
    assert not window.refresher.is_running
    assert venue.log == []
    assert dialogs.calls == []


def test_opening_a_plan_refreshes_its_marks_when_the_setting_is_on(
    qtbot, window, venue: HTTPServer, dialogs, tmp_path: Path, example_plan: Plan
) -> None:
    serve_spec_markets(venue)
    path = tmp_path / "opened.tplan"
    save_plan(example_plan, path)
    window.actions.refresh_on_open.trigger()
    dialogs.answers["question"] = Button.Yes
    assert window.files.open_path(path, ask=False)
    qtbot.waitUntil(lambda: venue.log != [], timeout=5000)
    wait_for_refresh(qtbot, window)

    assert dialogs.kinds() == ["question"]  # the first contact with binance asks
    assert {m.symbol: m.mark_price for m in window.document.plan.markets} == recorded_marks()
    assert window.document.undo_stack.count() == 1  # one undo step back to the file's marks
    window.document.undo_stack.undo()
    assert window.document.plan == example_plan
    # marks and funding only: Binance's tier note is not in the summary
    assert "tier tables kept" not in window.refresher.summary_dialog.text()
    # a save-as is no opening: nothing more is fetched
    requests = len(venue.log)
    window.document.save(tmp_path / "copy.tplan")
    qtbot.wait(50)
    assert len(venue.log) == requests
    # a second opening does not ask again
    assert window.files.open_path(path, ask=False)
    qtbot.waitUntil(lambda: len(venue.log) > requests, timeout=5000)
    wait_for_refresh(qtbot, window)
    assert dialogs.kinds() == ["question"]


def test_consent_is_asked_per_venue(qtbot, window, dialogs, monkeypatch) -> None:
    monkeypatch.delenv(env_variable("bybit"), raising=False)
    allow(window, "binance")
    plan = window.document.plan.model_copy(
        update={"account": window.document.plan.account.model_copy(update={"venue": "bybit"})}
    )
    window.document.apply(plan, "Venue bybit")
    dialogs.answers["question"] = Button.No
    assert window.refresher.refresh_all() is False
    assert dialogs.calls[0][1] == "Contact bybit?"
    assert dialogs.calls[0][2].startswith("Refreshing asks https://api.bybit.com (")
    assert window.statusBar().currentMessage() == "Not refreshed — nothing was sent to bybit"
    assert window.refresher.consented_venues() == {"binance"}


def _with_venue_prices(plan: Plan, factors: dict[str, float]) -> Plan:
    """The plan with venue liquidation prices at ``factor`` × ours for the given positions."""
    from planner.domain.plan_analysis import analyze

    analysis = analyze(plan)
    positions = []
    for position, figures in zip(plan.positions, analysis.positions, strict=True):
        factor = factors.get(position.id)
        if factor is not None and figures.liquidation_price is not None:
            price = figures.liquidation_price * factor
            position = position.model_copy(update={"venue_liquidation_price": price})
        positions.append(position)
    return plan.model_copy(update={"positions": tuple(positions)})


def test_venue_liquidation_gap_shows_in_the_status_bar(qtbot, window) -> None:
    from planner.ui.widgets.venue_gap import VenueGapLabel

    label = window.findChild(VenueGapLabel)
    assert label is not None and label.isHidden()  # the example plan holds no venue prices
    plan = window.document.plan
    ids = [p.id for p in plan.positions]
    window.document.apply(_with_venue_prices(plan, {ids[0]: 1.0, ids[1]: 0.99}), "Import")
    qtbot.waitUntil(lambda: not label.isHidden(), timeout=3000)
    gaps = venue_liquidation_gaps(window.document.plan)
    largest = max(gaps, key=lambda gap: abs(gap.gap))
    assert largest.position_id == ids[1]
    assert label.text().startswith(f"Venue liquidation gap: {ids[1]} {largest.gap:+.2%}")
    assert label.text().endswith("· 2 positions")
    tip = label.toolTip().splitlines()
    assert tip[0] == "Our liquidation price beside the venue's:"
    assert tip[1:] == [gap.line().strip() for gap in gaps]
    window.document.undo_stack.undo()
    qtbot.waitUntil(label.isHidden, timeout=3000)
