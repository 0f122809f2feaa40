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
    "scale_in": (
        "Planned adds in the order they fill, each at the position's leverage and margin mode; "
        "the table shows the position after each fill."
    ),
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
    "on entry and exit when fees are set. A stop the mark has already passed fills now, at the "
    "mark; a stop that locks in a profit risks 0; never more than the position can lose (its "
    "margin, or the cross pool — liquidation comes first).",
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
    # twin view (cross vs isolated)
    "planned": "The plan as you entered it: every position in its own margin mode.",
    "all_cross": "The same plan with every position in cross: one shared pool, liquidation "
    "further away, but one bad move can take the whole pool.",
    "all_isolated": "The same plan with every position isolated: each loss is capped at its "
    "bucket, but each bucket liquidates sooner.",
    "stop_distance": "How far the mark may move before the stop is hit, as a fraction of the "
    "mark: (stop − mark) ÷ mark.",
    "liquidation_beyond_stop": "How far liquidation lies beyond your stop, as a fraction of the "
    "stop price: positive when the stop comes first, negative when liquidation does.",
    "margin_locked": "The margin this position ties up: its bucket's margin when isolated, its "
    "initial margin at the mark when cross.",
    "worst_case_loss": "What this position can still cost from these marks: its isolated "
    "bucket's equity. A cross position has no loss of its own: it shares the cross pool, so it "
    'reads "the pool: X" — the pool\'s equity, which every cross position can lose together. '
    "It counts from the mark; the loss at the stop counts from the entry, so the loss at the "
    "stop can be the larger by the loss already open.",
    "free_balance": "What the cross pool has left for new positions (its available balance).",
    "plan_margin_locked": "Margin tied up by the whole plan: every isolated bucket plus the "
    "initial margin of the cross positions.",
    "plan_worst_case_loss": "What the account can still lose from these marks: every isolated "
    "bucket's equity plus the cross pool's (collateral included) when the pool carries a "
    "position; never more than the account's equity.",
    # account totals and risk limits (spec v2)
    "account_worst_case_loss": "What the account can still lose from these marks: every "
    "isolated bucket's equity plus the cross pool's (collateral included) when the pool carries "
    "a position; never more than the account's equity.",
    "gross_notional": "The size of every position added up, long and short alike: Σ |notional| "
    "at the marks.",
    "effective_leverage": "Gross notional ÷ equity: how many times its equity the account has "
    "at work (red above your leverage cap).",
    "loss_at_stops": "The loss if every stop is hit, fees included (red above your total risk "
    'limit). Positions without a stop count 0 here: see "Without a stop".',
    "risk_at_stops": "The loss at stops as a share of the account's equity, to hold against "
    "your total risk limit.",
    "positions_without_stop": "How many positions have no stop-loss: their loss is not capped "
    "by a stop.",
    "risk_limits": "Your limits: they never refuse a plan, they decide its warnings. Fractions "
    "of equity for risk, of the mark for the stop buffer.",
    "limit_risk_per_position": "The largest loss at one position's stop, as a share of equity; "
    "a position above it gets a warning with the size that keeps to it.",
    "limit_total_risk": "The largest loss if every stop is hit, as a share of equity.",
    "limit_stop_buffer": "The least distance between a stop and the liquidation price behind "
    "it, as a share of the mark; a stop nearer liquidation gets a warning.",
    "limit_max_leverage": 'A cap on the account\'s effective leverage; "no cap" (0) for none.',
    "position_risk": "The loss at this position's stop as a share of the account's equity; "
    "coloured when near or above your risk-per-position limit.",
    "warning_count": "The plan's warnings: danger (liquidation, a stop already hit or behind "
    "liquidation), warnings and notices. The account panel lists them; click one to select its "
    "position.",
    "pool_move_down": "The fall of every price together (beta 1) that liquidates the cross pool.",
    "pool_move_up": "The rise of every price together (beta 1) that liquidates the cross pool.",
    "stops_after_liquidation": "How many positions are liquidated before their stop is reached.",
    "twin_sentence": "What isolated and cross margin do to this position, in one sentence.",
    # scenarios
    "shock_symbol": "Move this symbol's price alone; every other price stays where it is.",
    "market_move": "Move every price together; each symbol moves by the move × its beta.",
    "shock_move": "The price move, in percent of the mark (−10 % takes 100 to 90).",
    "beta": "How much this symbol moves when the whole market moves: 1 moves with it, 2 moves "
    "twice as far, −1 moves the other way.",
    "shock_now": "The figures at the plan's prices.",
    "shock_after": "The figures after the move, with every liquidation it causes.",
    "buckets_liquidated": "How many isolated buckets are liquidated at these prices.",
    "shock_price": "The position's price after the move.",
    "shock_liquidated": "Whether the position's bucket (isolated) or the cross pool (cross) is "
    "liquidated after the move.",
    "sweep_range": "The sweep moves the price from −this to +this and lists every liquidation "
    "on the way.",
    "sweep_events": "Every liquidation the moves cause, in the order it happens: first what is "
    "liquidated at the marks already, then going down, then going up, each nearest first.",
    "sweep_move": "The exact move at which this liquidation happens.",
    "sweep_price": "The price of the liquidated bucket's symbol (or the moved symbol) at that "
    "move.",
    "sweep_what": "What is liquidated: one isolated bucket, or the cross pool with every cross "
    "position.",
    "sweep_equity_after": "The account's equity right after this liquidation: every bucket "
    "and pool lost so far counts 0.",
    # two-asset map
    "map_range": "Both symbols move from −this to +this; every other price stays put.",
    "map_state": "Each cell is the account after moving the two symbols by its moves: all "
    "alive, an isolated bucket liquidated, or the cross pool liquidated.",
    # solvers
    "solver_stop": "The stop the answer is measured to; at its lowest it uses the position's own "
    "stop.",
    "solver_risk": "What you accept to lose at the stop: a percentage of the wallet balance or "
    "an amount, taker fees on entry and exit included.",
    "solver_buffer": "How far beyond the stop liquidation must lie, as a percentage of the stop "
    "price.",
    "solver_stop_buffer": "How far beyond the stop the liquidation price after the last fill "
    "must lie, as a percentage of the mark (the plan's stop buffer by default).",
    "solver_ladder_step": "How far each add lies from the one before, as a percentage of its "
    "price (against the position: lower for a long, higher for a short).",
    "solver_ladder_step_scale": "Each step is this many times the one before (1× keeps them "
    "even; 1.5× spreads the deeper rungs out).",
    "solver_ladder_size_scale": "Each add is this many times the size of the one before "
    "(1× keeps them even; 2× doubles down).",
    "solver_target_price": "The liquidation price you want for the isolated bucket.",
    "solver_size_for_risk": "The size whose loss at the stop equals the risk you accept.",
    "solver_least_isolated_margin": "The least added margin that keeps an isolated position's "
    "liquidation beyond its stop by the buffer; it can be negative (margin you can take out).",
    "solver_most_leverage": "The highest leverage (added margin kept) that keeps an isolated "
    "position's liquidation beyond its stop by the buffer, never above what the tier allows.",
    "solver_largest_cross_quantity": "The largest new cross position the pool's available "
    "balance carries at this leverage and entry.",
    "solver_quantity_at_next_tier": "The size at which the whole position on the symbol and side "
    "enters its next maintenance tier (a higher rate, a lower maximum leverage).",
    "solver_margin_for_liquidation_price": "The added margin that puts an isolated bucket's "
    "liquidation at the price you choose.",
    "solver_pool_liquidating_move": "The move of every price together, down and up, that "
    "liquidates the cross pool.",
    "solver_largest_ladder": "The largest ladder of planned adds (rungs, step and size scales "
    "you choose) whose every add can fill and whose last fill keeps the liquidation price beyond "
    "the stop — and that the wallet can pay the margin for.",
    "solver_funding_rate_to_liquidate": "The funding rate at which funding alone liquidates the "
    "position within the plan's horizon, at the marks held.",
}


def explain(key: str) -> str:
    """The sentence for ``key`` ("" when there is none)."""
    return EXPLANATIONS.get(key, "")
