"""One plain sentence for every figure and input: what it is and where it comes from.

Table headers, panels, the editor and the markets view all take their tooltips from here, so a
figure is explained the same way wherever it appears.
"""

from __future__ import annotations

from planner.domain.formatting import MISSING

EXPLANATIONS: dict[str, str] = {
    # position inputs
    "id": "The position's name in this plan; it must be unique.",
    "symbol": "The market the position trades; a new symbol gets a market with a flat default "
    "maintenance rule that you can change under Markets.",
    "side": "Long gains when the price rises, short gains when it falls.",
    "quantity": "The position's size: base units for linear contracts (BTC for BTCUSDT), "
    "number of contracts for inverse ones.",
    "size": "The position's size, typed as a quantity, as the entry notional or as the initial "
    "margin it needs; the plan stores the quantity.",
    "entry_price": "The price the position is (or will be) opened at; PnL is measured from it.",
    "leverage": "Entry notional ÷ initial margin; limited by the maintenance tier that holds "
    "the entry notional.",
    "margin_mode": "Cross draws on the shared pool of the wallet; isolated gives the position "
    "its own bucket, which caps the loss but liquidates sooner.",
    "added_margin": "Margin added to (or removed from, if negative) the isolated bucket after "
    "opening; it comes out of the cross pool.",
    "stop_loss": "Where you plan to close at a loss; the loss at stop is measured to it.",
    "take_profits": "Prices at which you plan to close a fraction of the position.",
    "notes": "Free text kept with the position.",
    # position outputs
    "notional": "The position's value at the mark price (quantity × mark for linear, "
    "contracts ÷ mark in coin for inverse).",
    "margin": "Isolated: the bucket's margin, initial margin plus added margin. Cross: the "
    "initial margin the position ties up in the pool, notional at the mark ÷ leverage.",
    "initial_margin": "The margin the position needs to open: entry notional ÷ leverage "
    "(isolated), mark notional ÷ leverage (cross).",
    "unrealized_pnl": "Profit or loss if the position were closed at the mark price, from the "
    "entry price.",
    "liquidation_price": "Where the exchange liquidates: for isolated, where the bucket's equity "
    "falls to its maintenance margin; for cross, where this symbol's price takes the whole pool "
    "to its maintenance margin while the other marks stay put.",
    "bankruptcy_price": "Where the collateral behind the position (its bucket, or the free part "
    "of the cross pool) is completely lost.",
    "liquidation_distance": "How far the mark may move before liquidation, as a fraction of the "
    "mark: (liquidation price − mark) ÷ mark.",
    "risk_ratio": "Maintenance margin ÷ equity of the bucket (isolated) or of the cross pool; "
    "at 100 % the position is liquidated.",
    "loss_at_stop": "The planned risk: the loss from entry to the stop, including taker fees "
    "on entry and exit when fees are set.",
    "max_loss": "The most this position can lose: its bucket's margin (isolated) or the whole "
    "cross pool's equity (cross).",
    "break_even_price": "The exit price at which the trade pays its entry and exit fees and "
    "nothing more.",
    "reward": "The profit at this take-profit on its fraction of the position, net of fees.",
    "reward_to_risk": "The reward of every take-profit together ÷ the loss at stop.",
    "maintenance_margin": "The margin the exchange requires to keep the position open, from "
    "the maintenance tier of its notional.",
    "mark_price": "The price the plan is evaluated at; what-ifs move it.",
    # account
    "wallet_balance": "The account's wallet balance before unrealised PnL; isolated margins "
    "are carved out of it and the rest is the cross pool.",
    "currency": "The settlement asset every amount is counted in (USDT, USDC, BTC …).",
    "venue": "Which exchange's margin rules the figures follow (maintenance valuation, fees "
    "in the liquidation formula, hedge legs).",
    "position_mode": "One-way nets every position on a symbol into one; hedge keeps a long and "
    "a short leg per symbol.",
    "taker_fee_rate": "The taker fee as a percentage of notional; used for break-even prices, "
    "the loss at stop and, on OKX, the liquidation price.",
    "maker_fee_rate": "The maker fee as a percentage of notional, kept with the plan.",
    "plan_name": "The plan's title, shown in the window and in reports.",
    "account_equity": "Wallet balance plus the unrealised PnL of every position.",
    "isolated_margin": "The margin held in all isolated buckets together, taken from the wallet.",
    # cross pool
    "cross_wallet_balance": "The wallet balance less every isolated bucket's margin: what the "
    "cross pool stands on.",
    "cross_unrealized_pnl": "The unrealised PnL of every cross position together.",
    "cross_equity": "The cross pool's wallet balance plus its unrealised PnL.",
    "cross_initial_margin": "The initial margin of every cross position at the mark.",
    "cross_maintenance_margin": "The maintenance margin of every cross position; the pool is "
    "liquidated when its equity falls to this.",
    "cross_available": "What the cross pool can still open positions with: equity less initial "
    "margin, never below 0.",
    "cross_risk_ratio": "The cross pool's maintenance margin ÷ its equity; 100 % is liquidation.",
    "cross_status": "Whether the cross pool is liquidated at the current marks.",
    # buckets
    "bucket": "One isolated exchange position: the positions of one symbol and side, netted.",
    "bucket_margin": "The bucket's margin: initial margin plus added margin of its positions.",
    "bucket_equity": "The bucket's margin plus its unrealised PnL.",
    "bucket_risk": "How close the bucket is to liquidation: maintenance margin ÷ equity; the "
    "bar is full at liquidation.",
    # markets
    "contract": "Linear contracts are quoted and settled in the account's currency; inverse "
    "(coin-margined) ones are settled in the coin.",
    "contract_size": "Linear: base units per contract. Inverse: USD value of one contract.",
    "tick_size": "The market's price step; prices are shown and edited to it.",
    "maintenance": "The maintenance-margin rule: one flat rate, or a tier table whose rate "
    "rises with notional.",
    "mmr": "The maintenance margin rate: the share of notional the exchange requires to keep "
    "the position open.",
    "maintenance_amount": "The amount subtracted from notional × rate so that maintenance "
    "margin stays continuous between tiers.",
    "max_leverage": "The largest leverage the tier allows.",
    "notional_floor": "The tier starts at this notional (inclusive).",
    "notional_cap": "The tier ends below this notional; empty on the last tier means no limit.",
    "missing": f"{MISSING} means the figure does not exist here (no liquidation price, or a "
    "ratio over zero equity).",
}


def explain(key: str) -> str:
    """The sentence for ``key`` ("" when there is none)."""
    return EXPLANATIONS.get(key, "")
