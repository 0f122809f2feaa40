"""Issue 12: a plan built from scratch by keyboard — BTC long with a stop and a take-profit,
ETH short cross — in at most half the keystrokes it took before.

Baseline, measured on the window before issue 12 (commit 436f7c7) with the same scenario
driven by pytest-qt, counting each key and each mouse click (the old window had no keyboard
route from the table to the editor, so fields were reached by a click): Add (Ctrl+Shift+N),
click entry + Ctrl+A + "61000", click size + Ctrl+A + "0.1", click stop + Ctrl+A + "59000",
click Add level, click its price + Ctrl+A + "65000", click its fraction + Ctrl+A + "100"
(the level started at the entry, 50 %); Add (a clone of BTC), click symbol + Ctrl+A +
"ETHUSDT" + Enter, click side + Down, click entry + Ctrl+A + "3000", click size + Ctrl+A +
"2", click ID + Ctrl+A + "eth" + Enter (it stayed "btc-2"); then the Markets tab, double-click
the ETH mark (created at BTC's 60,000) and "3000" + Enter. 68 in all — and ETH still had a
flat 0.5 % rule instead of Binance's table.
"""

from __future__ import annotations

from planner.ui.document import edits
from tests.ui.typing import Keyboard, show_active

BASELINE_KEYSTROKES = 68


def test_a_plan_from_scratch_in_half_the_keystrokes(qtbot, window) -> None:
    document = window.document
    document.reset(edits.new_plan())
    show_active(qtbot, window)
    editor = window.editor
    keys = Keyboard(qtbot)

    # BTC long: 61,000, 0.1 BTC, stop 59,000, take-profit 65,000
    keys.shortcut(window.actions.add_position)
    keys.type("btc")
    keys.enter()  # the picker takes BTCUSDT; on to the side (long)
    keys.tab()
    keys.type("61k")
    keys.tab()
    keys.type("0.1")
    keys.tab()
    keys.type("59k")
    keys.tab()
    keys.type("65k")
    # ETH short, cross: 3,000, 2 ETH
    keys.shortcut(window.actions.add_position)
    keys.type("eth")
    keys.enter()
    keys.type("s")
    keys.tab()
    keys.type("3k")
    keys.tab()
    keys.type("2")
    keys.enter()

    print(f"keystrokes: {keys.count} (before issue 12: {BASELINE_KEYSTROKES})")
    plan = document.plan
    assert editor.error_label.text() == ""
    btc, eth = plan.position("btc"), plan.position("eth")
    assert (btc.symbol, btc.side, btc.entry_price, btc.quantity) == ("BTCUSDT", "long", 61000, 0.1)
    assert btc.stop_loss == 59000
    assert [(tp.price, tp.fraction) for tp in btc.take_profits] == [(65000, 1.0)]
    assert (eth.symbol, eth.side, eth.entry_price, eth.quantity) == ("ETHUSDT", "short", 3000, 2)
    assert eth.margin_mode == "cross" and eth.stop_loss is None and eth.take_profits == ()
    assert plan.market("ETHUSDT").mark_price == 3000
    assert len(plan.market("ETHUSDT").maintenance.tiers) > 1
    assert keys.count * 2 <= BASELINE_KEYSTROKES
