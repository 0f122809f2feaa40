"""The "values in" selector: choosing BTC shows every amount in BTC at the BTC mark (account
figures, collateral value, positions' margin and uPnL), choosing USDT shows them back; prices
stay in USDT; moving the BTC mark re-converts; the choice lasts across plans of the session."""

from __future__ import annotations

from pathlib import Path

import planner.resources
import pytest
from PySide6.QtCore import QSettings, Qt

from planner.domain.formatting import format_amount
from planner.domain.values_in import ValuesIn, display_units
from planner.storage import load_plan
from planner.ui.panels.collateral_group import CollateralGroup
from planner.ui.panels.position_columns import COLUMN_INDEX

EXAMPLE = Path(planner.resources.__file__).parent / "examples" / "btc-collateral.tplan"
if not EXAMPLE.exists():  # the examples may live beside the package
    EXAMPLE = Path(__file__).parents[3] / "resources" / "examples" / "btc-collateral.tplan"


@pytest.fixture
def btc_window(qtbot, autosave_store):
    from planner.ui.document.plan_document import PlanDocument
    from planner.ui.main_window import MainWindow

    plan = load_plan(EXAMPLE)
    document = PlanDocument(plan)
    document.reset(plan, EXAMPLE)
    main = MainWindow(document, settings=QSettings(), autosave=autosave_store)
    document.setParent(main)
    qtbot.addWidget(main)
    return main


def _choose(qtbot, combo, text: str) -> None:
    """Pick ``text`` in the combo by keyboard, as a user would."""
    combo.setFocus()
    target = combo.findText(text)
    assert target >= 0, text
    while combo.currentIndex() != target:
        key = Qt.Key.Key_Down if combo.currentIndex() < target else Qt.Key.Key_Up
        qtbot.keyClick(combo, key)


def _cell(window, row: int, key: str) -> str:
    model = window.table.model
    return model.data(model.index(row, COLUMN_INDEX[key]), Qt.ItemDataRole.DisplayRole)


def _header(window, key: str) -> str:
    model = window.table.model
    return model.headerData(COLUMN_INDEX[key], Qt.Orientation.Horizontal)


def test_domain_units_and_conversion() -> None:
    plan = load_plan(EXAMPLE)
    assert display_units(plan) == ["USDT", "BTC"]
    values = ValuesIn.of(plan, "BTC")
    assert values.rate == plan.market("BTCUSDT").mark_price
    assert values.format_amount(values.rate * 2, "USDT", with_unit=True) == format_amount(
        2.0, "BTC", with_unit=True
    )
    assert values.format_amount(3.0, "BTC") == format_amount(3.0, "BTC")  # coin amounts as is


def test_selector_converts_amounts_and_back(qtbot, btc_window) -> None:
    window = btc_window
    document, combo = window.document, window.values_in_combo
    analysis = document.analysis
    mark = document.plan.market("BTCUSDT").mark_price
    figures = window.account.figures
    assert [combo.itemText(i) for i in range(combo.count())] == ["USDT", "BTC"]
    assert combo.currentText() == "USDT"
    usdt_equity = format_amount(analysis.equity, "USDT", with_unit=True)
    assert figures["account_equity"].text() == usdt_equity
    usdt_margin = _cell(window, 0, "margin")
    usdt_entry = _cell(window, 0, "entry_price")

    _choose(qtbot, combo, "BTC")
    assert document.amounts.unit == "BTC"
    assert figures["account_equity"].text() == format_amount(
        analysis.equity / mark, "BTC", with_unit=True
    )
    assert figures["account_equity"].text().endswith(" BTC")
    assert figures["cross_wallet_balance"].text() == format_amount(
        analysis.cross.wallet_balance / mark, "BTC", with_unit=True
    )
    assert figures["unrealized_pnl"].text() == format_amount(
        analysis.unrealized_pnl / mark, "BTC", with_unit=True, sign=True
    )
    for row in range(len(document.plan.positions)):
        margin = analysis.columns["initial_margin"][row]
        assert _cell(window, row, "margin") == format_amount(margin / mark, "BTC")
        pnl = analysis.columns["unrealized_pnl"][row]
        assert _cell(window, row, "unrealized_pnl") == format_amount(pnl / mark, "BTC", sign=True)
    assert _cell(window, 0, "entry_price") == usdt_entry  # prices are not amounts
    assert _header(window, "margin") == "Margin\n(BTC)"
    assert _header(window, "loss_at_stop") == "Loss at\nstop (BTC)"
    assert _header(window, "entry_price") == "Entry"
    assert format_amount(analysis.equity / mark, "BTC", with_unit=True) in (window._summary.text())
    group = window.account.findChild(CollateralGroup)
    collateral_value = analysis.cross.collateral_value / mark
    assert group.total.text().endswith(format_amount(collateral_value, "BTC", with_unit=True))

    _choose(qtbot, combo, "USDT")
    assert figures["account_equity"].text() == usdt_equity
    assert _cell(window, 0, "margin") == usdt_margin
    assert _header(window, "margin") == "Margin"


def test_moving_the_btc_mark_reconverts(qtbot, btc_window) -> None:
    window = btc_window
    document = window.document
    _choose(qtbot, window.values_in_combo, "BTC")
    plan = document.plan
    new_mark = plan.market("BTCUSDT").mark_price * 0.8
    markets = [
        m.model_copy(update={"mark_price": new_mark}) if m.symbol == "BTCUSDT" else m
        for m in plan.markets
    ]
    document.apply(plan.model_copy(update={"markets": markets}), "Move BTC")
    analysis = document.analysis
    assert window.account.figures["account_equity"].text() == format_amount(
        analysis.equity / new_mark, "BTC", with_unit=True
    )
    row = 0
    margin = analysis.columns["initial_margin"][row]
    assert _cell(window, row, "margin") == format_amount(margin / new_mark, "BTC")


def test_choice_lasts_the_session(qtbot, btc_window, example_plan) -> None:
    window = btc_window
    document, combo = window.document, window.values_in_combo
    _choose(qtbot, combo, "BTC")
    document.reset(example_plan)  # a plan without BTC collateral: its currency
    assert combo.currentText() == example_plan.account.currency
    assert not combo.isEnabled()
    assert window.account.figures["account_equity"].text().endswith(example_plan.account.currency)
    document.reset(load_plan(EXAMPLE), EXAMPLE)  # BTC again
    assert combo.currentText() == "BTC"
    assert window.account.figures["account_equity"].text().endswith(" BTC")


def test_sentences_editor_and_equity_chart_follow_the_unit(qtbot, btc_window) -> None:
    """Issue 18: every displayed amount — the twin's sentences, the editor's size line and the
    equity-vs-move chart too — is in the chosen unit at the current marks."""
    window = btc_window
    document = window.document
    mark = document.plan.market("BTCUSDT").mark_price
    window.twin.refresh()
    window.chart.equity.refresh()
    equity_view = window.chart.equity
    planned = equity_view.sweeps["planned"]
    curve_usdt = equity_view.curves["planned"].getData()[1].copy()
    assert "USDT" in window.twin.sentence_label.text()
    assert "margin" in window.editor.size_other.text()
    assert "USDT" in equity_view.plot.getPlotItem().getAxis("left").labelText

    _choose(qtbot, window.values_in_combo, "BTC")
    window.twin.refresh()
    comparison_position = window.twin._current_comparison()
    cross_risk = comparison_position.variants["all_cross"].worst_case_loss
    sentence = window.twin.sentence_label.text()
    assert format_amount(cross_risk / mark, "BTC", with_unit=True) in sentence
    assert " USDT" not in sentence
    first = window.twin.sentence_list.item(0).text()
    assert " BTC" in first and " USDT" not in first
    size_line = window.editor.size_other.text()
    assert " BTC" in size_line and " USDT" not in size_line
    axis = equity_view.plot.getPlotItem().getAxis("left").labelText
    assert axis.startswith("Equity (BTC")
    curve_btc = equity_view.curves["planned"].getData()[1]
    assert curve_btc == pytest.approx(curve_usdt / mark, rel=1e-12)
    assert equity_view.sweeps["planned"] is planned  # redrawn, not swept again

    _choose(qtbot, window.values_in_combo, "USDT")
    window.twin.refresh()  # (a panel out of sight catches up when shown)
    assert equity_view.curves["planned"].getData()[1] == pytest.approx(curve_usdt, rel=1e-12)
    assert " USDT" in window.twin.sentence_list.item(0).text()


def test_risk_figures_worst_case_rewards_funding_and_map_follow_the_unit(qtbot, btc_window) -> None:
    """The account's risk figures, the table's worst-case column, take-profit rewards, the
    funding line and the map's read-out: all in the chosen unit."""
    from planner.domain.plan import TakeProfit
    from planner.ui.dialogs.map_dialog import MapView
    from planner.ui.panels.horizon_group import HorizonGroup
    from planner.ui.panels.risk_limits import RiskLimitsGroup

    window = btc_window
    document = window.document
    plan = document.plan
    eth = next(i for i, p in enumerate(plan.positions) if p.symbol == "ETHUSDT")
    position = plan.positions[eth]
    positions = list(plan.positions)
    positions[eth] = position.model_copy(
        update={"take_profits": (TakeProfit(price=position.entry_price * 1.1, fraction=1.0),)}
    )
    planned = plan.model_copy(update={"positions": tuple(positions), "horizon_hours": 72.0})
    document.apply(planned, "Take profit and horizon")
    document.set_current(position.id)
    map_view = MapView(document)
    qtbot.addWidget(map_view)
    map_view.show()
    qtbot.waitExposed(map_view)
    _choose(qtbot, window.values_in_combo, "BTC")
    map_view.flush()

    analysis = document.analysis
    mark = document.plan.market("BTCUSDT").mark_price
    limits = window.account.findChild(RiskLimitsGroup)
    figures = analysis.figures
    assert limits.figures["gross_notional"].text() == format_amount(
        figures.gross_notional / mark, "BTC", with_unit=True
    )
    assert limits.figures["account_worst_case_loss"].text().endswith(" BTC")
    worst = _cell(window, eth, "worst_case_loss")
    assert worst.endswith(format_amount(figures.worst_case_loss_of(eth) / mark, "BTC"))
    assert _header(window, "worst_case_loss") == "Worst\ncase (BTC)"
    reward = analysis.position(eth).take_profits[0].reward
    assert window.editor.tp_levels.table.item(0, 2).text() == format_amount(
        reward / mark, "BTC", sign=True
    )
    funding = window.account.findChild(HorizonGroup).total.text()
    assert " BTC " in funding and "USDT" not in funding
    readout = map_view.read_out(0.0, 0.0)
    assert readout.endswith(format_amount(analysis.equity / mark, "BTC", with_unit=True))
