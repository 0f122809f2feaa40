"""Properties of the engine over random plans: every venue × linear/inverse × cross/isolated ×
long/short × flat/tiered tables × one-way/hedge.

The checks do not reuse the engine: ``Reference`` below recomputes equity and maintenance
margin straight from reference/MARGIN.md — PnL per position, positions netted into legs
(symbol, side), the tier taken at the notional where the venue values maintenance margin
(at the price; Bybit at the entry notional), OKX adding the taker fee to close at the price,
and for cross every other symbol held at its mark.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.domain.analysis import Analysis
from planner.domain.plan import Market, Plan
from planner.domain.plan_analysis import analyze

VENUES = ("binance", "bybit", "okx", "hyperliquid")
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


# --- an independent reference model ----------------------------------------------------------


Prices = Any  # a price, or an array of prices: the reference evaluates grids at once


@dataclass
class Leg:
    """One exchange position: the positions of one symbol and side."""

    market: Market
    sign: int
    isolated: bool
    quantities: list[float] = field(default_factory=list)  # base units (linear) or USD
    entries: list[float] = field(default_factory=list)
    margin: float = 0.0  # the isolated bucket: Σ entry notional / leverage + added margin

    @property
    def inverse(self) -> bool:
        return self.market.contract == "inverse"

    def pnl(self, price: Prices) -> Prices:
        """Linear s·q·(P − E), inverse s·Q·(1/E − 1/P), summed over the leg's positions."""
        total = 0.0
        for q, e in zip(self.quantities, self.entries, strict=True):
            total = total + (
                self.sign * q * (1 / e - 1 / price) if self.inverse else self.sign * q * (price - e)
            )
        return total

    def notional(self, price: Prices) -> Prices:
        total = math.fsum(self.quantities)
        return total / price if self.inverse else total * price

    @property
    def entry_notional(self) -> float:
        pairs = zip(self.quantities, self.entries, strict=True)
        if self.inverse:
            return math.fsum(q / e for q, e in pairs)
        return math.fsum(q * e for q, e in pairs)


def tier_rate_and_amount(market: Market, notional: Prices) -> tuple[Prices, Prices]:
    """Floor-inclusive; a notional beyond the last cap stays in the last tier."""
    floors = np.array([t.notional_floor for t in market.tiers])
    rates = np.array([t.mmr for t in market.tiers])
    amounts = np.array([t.maintenance_amount for t in market.tiers])
    k = np.maximum(np.searchsorted(floors, notional, side="right") - 1, 0)
    return rates[k], amounts[k]


class Reference:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        account = plan.account
        self.venue = account.venue
        self.taker = account.taker_fee_rate
        markets = {m.symbol: m for m in plan.markets}
        self.marks = {m.symbol: m.mark_price for m in plan.markets}
        legs: dict[tuple[str, int], Leg] = {}
        for pos in plan.positions:
            market = markets[pos.symbol]
            key = (pos.symbol, pos.sign)
            leg = legs.setdefault(key, Leg(market, pos.sign, pos.margin_mode == "isolated"))
            q = pos.quantity * market.contract_size
            leg.quantities.append(q)
            leg.entries.append(pos.entry_price)
            if leg.isolated:
                entry_notional = q / pos.entry_price if leg.inverse else q * pos.entry_price
                leg.margin += entry_notional / pos.leverage + pos.added_margin
        self.legs = legs
        self.isolated_margin = math.fsum(leg.margin for leg in legs.values())
        self.cross_wallet = account.wallet_balance - self.isolated_margin

    def fee_to_close(self, leg: Leg, price: Prices) -> Prices:
        return self.taker * leg.notional(price) if self.venue == "okx" else 0.0

    def maintenance(self, leg: Leg, price: Prices) -> Prices:
        valued = leg.entry_notional if self.venue == "bybit" else leg.notional(price)
        rate, amount = tier_rate_and_amount(leg.market, valued)
        return valued * rate - amount + self.fee_to_close(leg, price)

    # isolated buckets
    def bucket_equity(self, leg: Leg, price: Prices) -> Prices:
        return leg.margin + leg.pnl(price)

    def bucket_health(self, leg: Leg, price: Prices) -> Prices:
        """Equity − maintenance margin: > 0 alive, 0 at liquidation."""
        return self.bucket_equity(leg, price) - self.maintenance(leg, price)

    # the cross pool, one symbol moved, every other at its mark
    def cross_legs(self) -> list[Leg]:
        return [leg for leg in self.legs.values() if not leg.isolated]

    def _price(self, leg: Leg, symbol: str, price: Prices) -> Prices:
        return price if leg.market.symbol == symbol else self.marks[leg.market.symbol]

    def cross_equity(self, symbol: str, price: Prices) -> Prices:
        total = self.cross_wallet
        for leg in self.cross_legs():
            total = total + leg.pnl(self._price(leg, symbol, price))
        return total

    def cross_maintenance(self, symbol: str, price: Prices) -> Prices:
        total = 0.0
        for leg in self.cross_legs():
            total = total + self.maintenance(leg, self._price(leg, symbol, price))
        return total

    def cross_health(self, symbol: str, price: Prices) -> Prices:
        return self.cross_equity(symbol, price) - self.cross_maintenance(symbol, price)

    def free_cross_collateral(self, symbol: str, price: float) -> float:
        """MARGIN.md §5.1/§8: cross wallet − other symbols' MM + every cross PnL, less the fee
        to close this symbol where the venue counts it: zero at the bankruptcy price."""
        total = self.cross_wallet
        for leg in self.cross_legs():
            if leg.market.symbol == symbol:
                total += leg.pnl(price) - self.fee_to_close(leg, price)
            else:
                mark = self.marks[leg.market.symbol]
                total += leg.pnl(mark) - self.maintenance(leg, mark)
        return total

    def cross_scale(self, symbol: str, price: float) -> float:
        """Size of the terms in the cross equation, for a tolerance."""
        return abs(self.cross_wallet) + math.fsum(
            leg.entry_notional
            + leg.notional(self._price(leg, symbol, price))
            + abs(leg.pnl(self._price(leg, symbol, price)))
            for leg in self.cross_legs()
        )

    def bucket_scale(self, leg: Leg, price: float) -> float:
        return abs(leg.margin) + leg.entry_notional + leg.notional(price) + abs(leg.pnl(price))


RESIDUAL = 1e-9  # relative to the size of the terms of the equation


# --- plans -----------------------------------------------------------------------------------


def _log_uniform(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(math.log(low), math.log(high)).map(math.exp)


@st.composite
def maintenance_rules(draw: st.DrawFn, scale: float, tiered: bool = False) -> dict[str, Any]:
    """A flat rule, or a valid tier table: contiguous, rates that never fall, maintenance
    amounts chosen by the continuity rule (MARGIN.md §2.2), floors around ``scale`` so that
    positions cross tiers between the mark and their liquidation price."""
    first_mmr = draw(st.floats(0.002, 0.03))
    if not tiered and draw(st.booleans()):
        return {"mmr": first_mmr, "maintenance_amount": 0.0}
    count = draw(st.integers(2, 6))
    floors = sorted(
        draw(
            st.lists(_log_uniform(0.02, 30.0), min_size=count - 1, max_size=count - 1, unique=True)
        )
    )
    floors = [0.0] + [scale * f for f in floors]
    rates = [first_mmr]
    for _ in floors[1:]:
        rates.append(min(0.45, rates[-1] + draw(st.floats(0.0, 0.08))))
    amounts = [0.0]
    for k in range(1, count):
        amounts.append(amounts[-1] + floors[k] * (rates[k] - rates[k - 1]))
    last_cap = draw(st.one_of(st.none(), st.just(floors[-1] * 1e4)))
    tiers = [
        {
            "notional_floor": floors[k],
            "notional_cap": floors[k + 1] if k + 1 < count else last_cap,
            "mmr": rates[k],
            "maintenance_amount": amounts[k],
        }
        for k in range(count)
    ]
    return {"tiers": tiers, "source": "generated", "as_of": "test"}


@st.composite
def plans(draw: st.DrawFn, hedged_cross: bool = False) -> Plan:
    """Random valid plans. ``hedged_cross``: the first symbol is a cross symbol with a long
    and a short leg of about the same size under a tier table — the case where the pool can
    fail on a rally as well as on a fall, rare among fully random plans."""
    venue = draw(st.sampled_from(VENUES))
    hedge = hedged_cross or draw(st.booleans())
    inverse = draw(st.booleans())
    taker = draw(st.sampled_from([0.0, 0.0002, 0.0005, 0.001]))
    n_markets = draw(st.integers(1, 3))
    markets: list[dict[str, Any]] = []
    positions: list[dict[str, Any]] = []
    isolated_total = 0.0
    cross_entry_notional = 0.0
    for i in range(n_markets):
        symbol = f"S{i}"
        if inverse:
            mark = draw(_log_uniform(50.0, 100_000.0))
            contract_size = draw(st.sampled_from([1.0, 10.0, 100.0]))
            scale = draw(_log_uniform(0.05, 50.0))  # coin
        else:
            mark = draw(_log_uniform(0.05, 100_000.0))
            contract_size = draw(st.sampled_from([1.0, 0.01, 10.0]))
            scale = draw(_log_uniform(500.0, 5e6))  # quote currency
        markets.append(
            {
                "symbol": symbol,
                "contract": "inverse" if inverse else "linear",
                "contract_size": contract_size,
                "mark_price": mark,
                "maintenance": draw(maintenance_rules(scale, tiered=hedged_cross and i == 0)),
            }
        )
        forced = hedged_cross and i == 0
        mode = "cross" if forced else draw(st.sampled_from(["cross", "isolated"]))
        sides = (
            ["long", "short"]
            if forced
            else draw(st.sampled_from([["long"], ["short"], ["long", "short"]]))
            if hedge
            else [draw(st.sampled_from(["long", "short"]))]
        )
        # a hedged symbol whose legs nearly cancel can fail on a rally as well as on a fall
        balanced = forced or draw(st.booleans())
        side_notional = scale * draw(_log_uniform(0.05, 3.0))
        for side in sides:
            if not balanced:
                side_notional = scale * draw(_log_uniform(0.05, 3.0))
            entries = draw(st.integers(1, 2))  # two entries net into one leg
            for _ in range(entries):
                entry = mark * draw(st.floats(0.75, 1.3))
                notional = side_notional / entries * draw(st.floats(0.9, 1.1))
                quantity = (notional * entry if inverse else notional / entry) / contract_size
                leverage = draw(st.floats(1.0, 40.0))
                added = 0.0
                if mode == "isolated":
                    added = notional / leverage * draw(st.floats(-0.6, 2.0))
                    isolated_total += notional / leverage + added
                else:
                    cross_entry_notional += notional
                positions.append(
                    {
                        "id": f"p{len(positions)}",
                        "symbol": symbol,
                        "side": side,
                        "quantity": quantity,
                        "entry_price": entry,
                        "leverage": leverage,
                        "margin_mode": mode,
                        "added_margin": added,
                    }
                )
    cross_funds = cross_entry_notional * draw(st.floats(0.01, 1.5))
    wallet = isolated_total + max(cross_funds, 1e-3 * (isolated_total + cross_entry_notional))
    return Plan.model_validate(
        {
            "format": "margin-planner.plan",
            "version": 1,
            "account": {
                "currency": "BTC" if inverse else "USDT",
                "wallet_balance": wallet,
                "venue": venue,
                "position_mode": "hedge" if hedge else "one-way",
                "taker_fee_rate": taker,
            },
            "markets": markets,
            "positions": positions,
        }
    )


# --- reading the analysis --------------------------------------------------------------------


def bucket_results(analysis: Analysis, ref: Reference) -> list[tuple[Leg, Any]]:
    """Each isolated bucket of the analysis with its reference leg."""
    pairs = []
    for bucket in analysis.buckets:
        leg = ref.legs[(bucket.symbol, 1 if bucket.side == "long" else -1)]
        assert leg.isolated
        pairs.append((leg, bucket))
    assert len(pairs) == sum(leg.isolated for leg in ref.legs.values())
    return pairs


def cross_prices(analysis: Analysis) -> dict[str, tuple[float | None, float | None]]:
    """symbol → (liquidation, bankruptcy) price of the cross symbol; hedge legs share them."""
    found: dict[str, tuple[float | None, float | None]] = {}
    for pos in analysis.positions:
        if pos.margin_mode != "cross":
            continue
        prices = (pos.liquidation_price, pos.bankruptcy_price)
        if pos.symbol in found:
            assert found[pos.symbol] == prices, "the legs of a cross symbol share their prices"
        found[pos.symbol] = prices
    return found


def log_distance(price: float, mark: float) -> float:
    return abs(math.log(price / mark))


def between(mark: float, price: float, points: int = 40) -> np.ndarray:
    """Prices strictly between ``mark`` and ``price`` (geometric)."""
    t = np.linspace(0.0, 1.0, points + 2)[1:-1]
    return mark * (price / mark) ** t


WIDE = np.geomspace(1e-3, 1e3, 121)  # × mark: where "never liquidated" is checked


def assert_first_failure(health: Any, mark: float, lp: float | None, scale: float) -> None:
    """Alive at the mark ⇒ alive at every price closer to the mark than the liquidation price
    (in either direction), or everywhere in a wide range when there is none."""
    if health(mark) <= 0:
        return
    tolerance = RESIDUAL * scale
    if lp is None:
        prices = mark * WIDE
        worst = int(np.argmin(health(prices)))
        assert health(prices[worst]) > -tolerance, f"no liquidation price, fails at {prices[worst]}"
        return
    distance = log_distance(lp, mark)
    for side, prices in (
        ("before the liquidation price", between(mark, lp)),
        ("on the other side, nearer", between(mark, mark * math.exp(-math.log(lp / mark)))),
    ):
        values = health(prices)
        worst = int(np.argmin(values))
        assert values[worst] > -tolerance, f"fails at {prices[worst]} {side} {lp} ({distance})"


# --- properties ------------------------------------------------------------------------------


@SETTINGS
@given(plans())
def test_equity_equals_maintenance_at_every_liquidation_price(plan: Plan) -> None:
    analysis = analyze(plan)
    ref = Reference(plan)
    for leg, bucket in bucket_results(analysis, ref):
        lp = bucket.liquidation_price
        if lp is not None:
            residual = ref.bucket_health(leg, lp)
            assert abs(residual) <= RESIDUAL * ref.bucket_scale(leg, lp), (bucket, residual)
        assert_first_failure(
            lambda p, leg=leg: ref.bucket_health(leg, p),
            ref.marks[bucket.symbol],
            lp,
            ref.bucket_scale(leg, ref.marks[bucket.symbol]),
        )
    for symbol, (lp, _) in cross_prices(analysis).items():
        if lp is not None:
            residual = ref.cross_health(symbol, lp)
            assert abs(residual) <= RESIDUAL * ref.cross_scale(symbol, lp), (symbol, residual)
        assert_first_failure(
            lambda p, s=symbol: ref.cross_health(s, p),
            ref.marks[symbol],
            lp,
            ref.cross_scale(symbol, ref.marks[symbol]),
        )


@SETTINGS
@given(plans(hedged_cross=True))
def test_a_hedged_cross_symbol_fails_first_where_reported(plan: Plan) -> None:
    """Both legs of a symbol in one cross pool: maintenance grows with price on both while
    their PnL nearly cancels, so the pool can fail above the mark as well as below."""
    analysis = analyze(plan)
    ref = Reference(plan)
    lp, _ = cross_prices(analysis)["S0"]
    if lp is not None:
        residual = ref.cross_health("S0", lp)
        assert abs(residual) <= RESIDUAL * ref.cross_scale("S0", lp), residual
    assert_first_failure(
        lambda p: ref.cross_health("S0", p),
        ref.marks["S0"],
        lp,
        ref.cross_scale("S0", ref.marks["S0"]),
    )


@SETTINGS
@given(plans())
def test_equity_is_zero_at_every_bankruptcy_price(plan: Plan) -> None:
    analysis = analyze(plan)
    ref = Reference(plan)
    for leg, bucket in bucket_results(analysis, ref):
        bp = bucket.bankruptcy_price
        if bp is None:
            continue
        equity = ref.bucket_equity(leg, bp) - ref.fee_to_close(leg, bp)
        assert abs(equity) <= RESIDUAL * ref.bucket_scale(leg, bp), (bucket, equity)
    for symbol, (_, bp) in cross_prices(analysis).items():
        if bp is None:
            continue
        free = ref.free_cross_collateral(symbol, bp)
        assert abs(free) <= RESIDUAL * ref.cross_scale(symbol, bp), (symbol, free)


@SETTINGS
@given(plans())
def test_an_isolated_position_never_loses_more_than_its_margin(plan: Plan) -> None:
    analysis = analyze(plan)
    ref = Reference(plan)
    for leg, bucket in bucket_results(analysis, ref):
        mark = ref.marks[bucket.symbol]
        assert bucket.margin > 0
        ids = set(bucket.position_ids)
        for pos in analysis.positions:
            if pos.id in ids:
                assert pos.max_loss == pos.margin
        if ref.bucket_health(leg, mark) <= 0:
            continue  # liquidated already
        lp, bp = bucket.liquidation_price, bucket.bankruptcy_price
        tolerance = RESIDUAL * ref.bucket_scale(leg, mark)
        if bp is not None:
            # liquidation comes first: the liquidation price lies between mark and bankruptcy
            assert lp is not None, bucket
            assert min(mark, bp) * (1 - 1e-12) <= lp <= max(mark, bp) * (1 + 1e-12), bucket
        prices = mark * WIDE if lp is None else np.append(between(mark, lp), lp)
        equity = ref.bucket_equity(leg, prices)
        worst = int(np.argmin(equity))
        assert equity[worst] >= -tolerance, (bucket, prices[worst])


@SETTINGS
@given(plans(), st.data())
def test_adding_isolated_margin_moves_prices_the_right_way(plan: Plan, data: st.DataObject) -> None:
    isolated = [i for i, p in enumerate(plan.positions) if p.margin_mode == "isolated"]
    if not isolated:
        return
    ref = Reference(plan)
    before = analyze(plan)
    index = data.draw(st.sampled_from(isolated))
    moved = plan.positions[index]
    leg = ref.legs[(moved.symbol, moved.sign)]
    crosses = sorted({leg.market.symbol for leg in ref.cross_legs()})
    pool_alive = all(ref.cross_health(s, ref.marks[s]) > 0 for s in crosses)
    if pool_alive and crosses:
        room = ref.cross_health(crosses[0], ref.marks[crosses[0]])
        amount = room * data.draw(st.floats(0.01, 0.9))
    else:
        amount = leg.margin * data.draw(st.floats(0.01, 1.0))
    positions = list(plan.positions)
    positions[index] = moved.model_copy(update={"added_margin": moved.added_margin + amount})
    after_plan = Plan.model_validate({**plan.model_dump(), "positions": positions})
    after = analyze(after_plan)
    after_ref = Reference(after_plan)

    # the wallet is unchanged: the margin comes out of the cross pool
    assert after.cross.wallet_balance == about(before.cross.wallet_balance - amount)
    assert after.isolated_margin == about(before.isolated_margin + amount)

    buckets_before = {(b.symbol, b.side): b for b in before.buckets}
    buckets_after = {(b.symbol, b.side): b for b in after.buckets}
    key = (moved.symbol, moved.side)
    for other, bucket in buckets_before.items():
        if other != key:
            assert buckets_after[other].liquidation_price == bucket.liquidation_price
    mark = ref.marks[moved.symbol]
    lp_before, lp_after = (
        buckets_before[key].liquidation_price,
        buckets_after[key].liquidation_price,
    )
    if ref.bucket_health(leg, mark) > 0:
        if lp_before is None:
            assert lp_after is None
        elif lp_after is not None:
            assert log_distance(lp_after, mark) > log_distance(lp_before, mark), (
                lp_before,
                lp_after,
            )

    if not pool_alive or not all(after_ref.cross_health(s, ref.marks[s]) > 0 for s in crosses):
        return
    cross_before, cross_after = cross_prices(before), cross_prices(after)
    for symbol in crosses:
        lp_before, lp_after = cross_before[symbol][0], cross_after[symbol][0]
        if lp_before is None:
            continue
        assert lp_after is not None, symbol
        mark = ref.marks[symbol]
        assert log_distance(lp_after, mark) < log_distance(lp_before, mark), (
            symbol,
            lp_before,
            lp_after,
        )


@SETTINGS
@given(plans())
def test_wallet_is_cross_wallet_plus_isolated_margins(plan: Plan) -> None:
    analysis = analyze(plan)
    ref = Reference(plan)
    assert analysis.wallet_balance == plan.account.wallet_balance
    assert analysis.isolated_margin == about(ref.isolated_margin)
    assert math.fsum(b.margin for b in analysis.buckets) == about(ref.isolated_margin)
    assert analysis.cross.wallet_balance + analysis.isolated_margin == about(
        analysis.wallet_balance
    )
    assert analysis.cross.wallet_balance == about(ref.cross_wallet)


def about(value: float) -> Any:
    return pytest.approx(value, rel=1e-12, abs=1e-9 * max(1.0, abs(value)))


def test_a_hedged_cross_pool_can_fail_on_a_rally() -> None:
    """Net long 5 of 195 with rates rising to 45 %: no price below the mark liquidates the
    pool (it holds more than the net loss at 0), but maintenance outgrows the net PnL above.
    Both legs are in their third tier there, where health is the line
    20,000 + 5·(P − 100) − (0.45·100·P − 15,800) − (0.45·95·P − 15,800) = 51,100 − 82.75·P."""
    tiers = [
        {"notional_floor": 0, "notional_cap": 20_000, "mmr": 0.01},
        {"notional_floor": 20_000, "notional_cap": 40_000, "mmr": 0.1, "maintenance_amount": 1800},
        {"notional_floor": 40_000, "mmr": 0.45, "maintenance_amount": 15_800},
    ]
    plan = Plan.model_validate(
        {
            "account": {"currency": "USDT", "wallet_balance": 20_000, "position_mode": "hedge"},
            "markets": [{"symbol": "S0", "mark_price": 100, "maintenance": {"tiers": tiers}}],
            "positions": [
                {
                    "id": "l",
                    "symbol": "S0",
                    "side": "long",
                    "quantity": 100,
                    "entry_price": 100,
                    "leverage": 1,
                    "margin_mode": "cross",
                },
                {
                    "id": "s",
                    "symbol": "S0",
                    "side": "short",
                    "quantity": 95,
                    "entry_price": 100,
                    "leverage": 1,
                    "margin_mode": "cross",
                },
            ],
        }
    )
    long_leg, short_leg = analyze(plan).positions
    assert long_leg.liquidation_price == short_leg.liquidation_price
    assert long_leg.liquidation_price is not None
    assert math.isclose(long_leg.liquidation_price, 51_100 / 82.75, rel_tol=1e-12)
    assert long_leg.bankruptcy_price is None  # net long: the free collateral never reaches 0


def test_liquidation_in_a_lower_tier_than_the_mark() -> None:
    """1,000 long at 1 with the mark notional on the second tier's floor: that tier's line
    crosses zero below u = 0, yet the pool fails in the first tier, where health is
    950 + 1,000·(P − 1) − 0.02·1,000·P = 0, i.e. P = 50 / 980."""
    tiers = [
        {"notional_floor": 0, "notional_cap": 1_000, "mmr": 0.02},
        {"notional_floor": 1_000, "mmr": 0.1, "maintenance_amount": 80},
    ]
    plan = Plan.model_validate(
        {
            "account": {"currency": "USDT", "wallet_balance": 950},
            "markets": [{"symbol": "S0", "mark_price": 1, "maintenance": {"tiers": tiers}}],
            "positions": [
                {
                    "id": "p",
                    "symbol": "S0",
                    "side": "long",
                    "quantity": 1_000,
                    "entry_price": 1,
                    "leverage": 1,
                    "margin_mode": "cross",
                }
            ],
        }
    )
    (result,) = analyze(plan).positions
    assert result.maintenance_rate == 0.1  # the mark notional, 1,000, is the floor of tier 2
    assert result.liquidation_price is not None
    assert math.isclose(result.liquidation_price, 50 / 980, rel_tol=1e-12)
