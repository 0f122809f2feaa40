"""Markets ▸ Refresh from venue (Ctrl+R) in the window, against a local venue server: one undo
step and a summary on success; nothing changed on cancel or failure; an edit made while the
fetch ran is kept."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QPushButton
from pytest_httpserver import HTTPServer

from planner.ui.dialogs.refresh import PROGRESS_DELAY_MS
from planner.ui.document import edits
from tests.ui.dialogs import refresh_helpers
from tests.ui.dialogs.refresh_helpers import (
    HeldAnswers,
    allow,
    recorded_marks,
    serve_spec_markets,
    wait_for_refresh,
)

# the local venue server's fixtures
httpserver_listen_address = refresh_helpers.httpserver_listen_address
venue = refresh_helpers.venue
held = refresh_helpers.held

Button = QMessageBox.StandardButton


def _marks(window) -> dict[str, float]:
    return {m.symbol: m.mark_price for m in window.document.plan.markets}


def _menu_action(window, menu_title: str, text: str):
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == menu_title)
    return next(a for a in menu.actions() if a.text() == text)


def test_ctrl_r_refreshes_as_one_undo_step_with_a_summary(
    qtbot, window, venue: HTTPServer, dialogs
) -> None:
    serve_spec_markets(venue)
    dialogs.answers["question"] = Button.Yes
    before = window.document.plan
    steps = window.document.undo_stack.count()
    window.show()
    qtbot.waitExposed(window)
    window.windowHandle().requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    wait_for_refresh(qtbot, window)

    # the question named the local host and the markets; it was asked once
    assert dialogs.kinds() == ["question"]
    _kind, title, text = dialogs.calls[0]
    assert title == "Contact binance?"
    assert venue.url_for("/").rstrip("/") in text and "SOLUSDT" in text
    # every market's mark is the venue's, in one undo step named after the venue
    assert _marks(window) == recorded_marks()
    stack = window.document.undo_stack
    assert stack.count() == steps + 1
    assert stack.undoText() == "Refresh from binance"
    assert window.isWindowModified()
    sol = window.document.plan.market("SOLUSDT")
    assert sol.funding_interval_hours == 4  # from fundingInfo
    assert sol.quote_as_of is not None
    # the summary: marks, tables kept (Binance needs a key for brackets), liquidations moved
    summary = window.refresher.summary_dialog
    assert summary is not None and summary.isVisible()
    lines = summary.text().splitlines()
    assert lines[0].startswith("binance: 3 marks updated, 3 funding rates updated, 0 of 0")
    assert "  BTCUSDT: mark 58,000 → 59,000" in lines
    assert "liquidation prices that moved:" in lines
    assert any("Binance tier tables kept" in line for line in lines)
    assert window.statusBar().currentMessage() == lines[0]
    # one undo puts the plan back exactly
    window.actions.undo.trigger()
    assert window.document.plan == before
    assert not window.isWindowModified()


def test_menu_refresh_after_the_first_does_not_ask_again(
    qtbot, window, venue: HTTPServer, dialogs
) -> None:
    serve_spec_markets(venue)
    dialogs.answers["question"] = Button.Yes
    action = _menu_action(window, "&Markets", "&Refresh from Venue")
    assert action is window.actions.refresh_from_venue
    assert action.shortcut().toString() == "Ctrl+R"
    action.trigger()
    wait_for_refresh(qtbot, window)
    action.trigger()
    wait_for_refresh(qtbot, window)
    assert dialogs.kinds() == ["question"]  # asked once, the answer remembered
    requests = [entry[0].path for entry in venue.log]
    assert requests.count("/fapi/v1/premiumIndex") == 6  # two refreshes of three markets


def test_saying_no_sends_nothing_and_is_asked_again(
    qtbot, window, venue: HTTPServer, dialogs
) -> None:
    serve_spec_markets(venue)
    before = window.document.plan
    dialogs.answers["question"] = Button.No
    assert window.refresher.refresh_all() is False
    assert venue.log == []
    assert window.document.plan is before
    assert window.statusBar().currentMessage() == "Not refreshed — nothing was sent to binance"
    dialogs.answers["question"] = Button.Yes
    assert window.refresher.refresh_all() is True
    wait_for_refresh(qtbot, window)
    assert dialogs.kinds() == ["question", "question"]
    assert _marks(window) == recorded_marks()


def test_server_error_leaves_the_plan_untouched_and_says_why(
    qtbot, window, venue: HTTPServer, dialogs
) -> None:
    venue.expect_request("/fapi/v1/fundingInfo").respond_with_data("oops", status=500)
    venue.expect_request("/fapi/v1/premiumIndex").respond_with_data("oops", status=500)
    allow(window)
    before = window.document.plan
    steps = window.document.undo_stack.count()
    window.actions.refresh_from_venue.trigger()
    assert not window.actions.refresh_from_venue.isEnabled()  # one refresh at a time
    wait_for_refresh(qtbot, window)

    assert window.actions.refresh_from_venue.isEnabled()
    assert window.document.plan is before
    assert window.document.undo_stack.count() == steps
    assert dialogs.kinds() == ["warning"]  # no question: the venue was allowed before
    _kind, title, text = dialogs.calls[0]
    reason = text.split("\n\n")[0]
    assert title == "Refresh failed"
    assert reason.startswith("binance: server error (HTTP 500)")
    assert "\n" not in reason
    assert text.endswith("The plan is unchanged.")
    assert window.statusBar().currentMessage() == f"Not refreshed — {reason}"
    assert window.refresher.summary_dialog is None


def test_no_progress_dialog_turns_up_behind_the_failure_message(
    qtbot, window, venue: HTTPServer, monkeypatch
) -> None:
    venue.expect_request("/fapi/v1/fundingInfo").respond_with_data("oops", status=500)
    allow(window)
    seen: list[list[QProgressDialog]] = []

    def modal_warning(*_args, **_kwargs):  # as a real message box: a nested event loop
        qtbot.wait(PROGRESS_DELAY_MS + 300)
        seen.append([d for d in window.findChildren(QProgressDialog) if d.isVisible()])
        return Button.Ok

    monkeypatch.setattr(QMessageBox, "warning", modal_warning)
    window.show()
    qtbot.waitExposed(window)
    window.actions.refresh_from_venue.trigger()
    wait_for_refresh(qtbot, window)
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    assert seen == [[]]


def test_unreachable_venue_fails_in_one_line(qtbot, window, venue: HTTPServer, dialogs) -> None:
    url = venue.url_for("/").rstrip("/")
    venue.stop()  # nothing listens there any more
    try:
        allow(window)
        before = window.document.plan
        window.actions.refresh_from_venue.trigger()
        wait_for_refresh(qtbot, window)
        assert window.document.plan is before
        reason = dialogs.calls[-1][2].split("\n\n")[0]
        assert reason.startswith("binance: cannot connect to " + url.split("//")[1])
    finally:
        venue.start()


def test_cancel_applies_nothing(qtbot, window, held: HeldAnswers, dialogs) -> None:
    allow(window)
    before = window.document.plan
    steps = window.document.undo_stack.count()
    window.show()
    qtbot.waitExposed(window)
    window.actions.refresh_from_venue.trigger()
    assert held.asked.wait(5)
    progress = window.refresher.progress_dialog
    assert progress is not None
    qtbot.waitUntil(progress.isVisible, timeout=5000)  # shown once the fetch takes a while
    assert "Asking binance for the marks, funding rates and tier tables of 3 markets" in (
        progress.labelText()
    )
    cancel = progress.findChild(QPushButton)
    assert cancel.text() == "Cancel"
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    held.release()  # the venue answers after all: the answer is thrown away
    wait_for_refresh(qtbot, window)

    assert window.document.plan is before
    assert window.document.undo_stack.count() == steps
    assert window.statusBar().currentMessage() == "Refresh cancelled — the plan is unchanged"
    assert dialogs.calls == []
    assert window.refresher.progress_dialog is None
    assert window.refresher.summary_dialog is None


def test_an_edit_made_while_fetching_is_kept(qtbot, window, held: HeldAnswers, dialogs) -> None:
    allow(window)
    steps = window.document.undo_stack.count()
    window.actions.refresh_from_venue.trigger()
    assert held.asked.wait(5)
    index = window.document.analysis.index_of("btc-core")
    window.document.edit(
        lambda plan: edits.set_position_field(plan, index, "leverage", 20.0), "Leverage 20"
    )
    held.release()
    wait_for_refresh(qtbot, window)

    plan = window.document.plan
    assert plan.positions[index].leverage == 20.0  # the edit stays
    assert _marks(window) == recorded_marks()  # and the marks came in on top of it
    stack = window.document.undo_stack
    assert stack.count() == steps + 2
    assert stack.undoText() == "Refresh from binance"
    assert "note: the plan changed while fetching" in window.refresher.summary_dialog.text()
    stack.undo()
    assert plan.positions[index].leverage == window.document.plan.positions[index].leverage


def test_a_plan_opened_while_fetching_is_not_refreshed_with_the_old_ones_data(
    qtbot, window, held: HeldAnswers, dialogs, tmp_path, example_plan
) -> None:
    from planner.storage import save_plan

    other = tmp_path / "other.tplan"
    save_plan(example_plan, other)
    allow(window)
    window.actions.refresh_from_venue.trigger()
    assert held.asked.wait(5)
    assert window.files.open_path(other, ask=False)
    opened = window.document.plan
    held.release()
    wait_for_refresh(qtbot, window)
    assert window.document.plan is opened
    assert window.document.undo_stack.count() == 0
    assert "another plan was opened while fetching" in dialogs.calls[-1][2]


@pytest.mark.parametrize("what", [{"marks"}, {"marks", "funding"}])
def test_refresh_fetches_only_what_is_asked(
    qtbot, window, venue: HTTPServer, dialogs, what
) -> None:
    serve_spec_markets(venue)
    allow(window)
    before = window.document.plan
    assert window.refresher.refresh(what)
    wait_for_refresh(qtbot, window)
    plan = window.document.plan
    assert _marks(window) == recorded_marks()
    funding_changed = [
        m.symbol
        for m, old in zip(plan.markets, before.markets, strict=True)
        if m.funding_rate != old.funding_rate
    ]
    assert bool(funding_changed) == ("funding" in what)


def test_refresh_brings_in_collateral_ratios_for_a_plan_with_collateral(
    qtbot, window, httpserver: HTTPServer, dialogs, monkeypatch
) -> None:
    from planner.marketdata.http import env_variable
    from tests.marketdata.helpers import collateral_plan, serve_bybit, serve_bybit_collateral

    monkeypatch.setenv(env_variable("bybit"), httpserver.url_for("/").rstrip("/"))
    serve_bybit(httpserver)
    serve_bybit_collateral(httpserver)
    allow(window, "bybit")
    window.document.apply(collateral_plan("bybit"), "Plan with collateral")
    before = window.document.plan
    window.actions.refresh_from_venue.trigger()
    progress = window.refresher.progress_dialog
    assert progress is not None
    assert progress.labelText() == (
        "Asking bybit for the marks, funding rates and tier tables of 1 market and the "
        "collateral ratios of BTC…"
    )
    wait_for_refresh(qtbot, window)

    item = window.document.plan.account.collateral[0]
    assert item.value_ratio is None
    assert [(t.amount_floor, t.ratio) for t in item.value_ratio_tiers] == [
        (0, 0.9),
        (1, 0.8),
        (1000, 0),
    ]
    assert "/v5/spot-margin-trade/collateral" in [r.path for r, _ in httpserver.log]
    lines = window.refresher.summary_dialog.text().splitlines()
    assert lines[0].endswith(", 1 of 1 collateral ratio list changed")
    assert "  BTC: collateral value ratio 0.95 → 0.9 up to 1, 0.8 up to 1,000, 0 above" in lines
    assert window.document.undo_stack.undoText() == "Refresh from bybit"
    window.actions.undo.trigger()
    assert window.document.plan == before
