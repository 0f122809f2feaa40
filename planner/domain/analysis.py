"""The analysis of a plan: immutable results, stored as columns, read as records.

``Analysis.to_dict()`` is exactly the ``analyze --json`` output of spec/plan-format.md and
spec/plan-format-v2.md (plus optional fields the spec allows). Figures that do not exist (no
liquidation price, a ratio over zero equity) are ``None``; the document never holds NaN or
infinity.

The account's decision figures (``figures``: gross notional, effective leverage, loss at the
stops, worst-case loss) and the plan's ``warnings`` are computed on first use and cached, so
the many analyses that sweeps and solvers make pay nothing for them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from planner.domain.finite import finite_or_none
from planner.domain.plan import Plan
from planner.domain.results import (
    CollateralResult,
    CrossPool,
    IsolatedBucket,
    PositionResult,
    TakeProfitResult,
)
from planner.domain.time_figures import Timeline

if TYPE_CHECKING:
    from planner.domain.book import Book, LegState

ANALYSIS_FORMAT = "margin-planner.analysis"
ANALYSIS_VERSION = 2


class Derivations(Protocol):
    """The figures an analysis derives from the engine's with the modules above it: the
    account's decision figures, the warnings and the plan in time. ``plan_analysis`` provides
    them (so this module imports none of those), each computed on first use and cached."""

    def figures(self, analysis: Analysis) -> Any: ...

    def warnings(self, analysis: Analysis) -> tuple[Any, ...]: ...

    def timeline(self, analysis: Analysis) -> Timeline: ...


def pool_failed(equity: np.ndarray, maintenance: np.ndarray) -> np.ndarray:
    """The cross pool is liquidated when its equity falls to its maintenance margin (or below
    zero, which an empty pool can reach when isolated margins exceed the wallet)."""
    return (equity < 0) | ((maintenance > 0) & (equity <= maintenance))


_POSITION_COLUMNS = (
    "quantity",
    "entry_price",
    "mark_price",
    "notional",
    "initial_margin",
    "margin",
    "unrealized_pnl",
    "equity",
    "maintenance_rate",
    "maintenance_amount",
    "maintenance_margin",
    "risk_ratio",
    "liquidation_price",
    "bankruptcy_price",
    "liquidation_distance",
    "loss_at_stop",
    "max_loss",
)


#: the keys of a position's record in ``to_dict``, in order
_RECORD_KEYS = (
    "id",
    "symbol",
    "side",
    "margin_mode",
    *_POSITION_COLUMNS,
    "liquidated",
    "break_even_price",
    "take_profits",
    "reward_to_risk",
)

#: columns of figures that always exist, and of those that may not (None where missing)
_OPTIONAL = frozenset(
    {
        "margin",
        "equity",
        "risk_ratio",
        "liquidation_price",
        "bankruptcy_price",
        "liquidation_distance",
        "loss_at_stop",
    }
)
_ALWAYS = tuple(name for name in _POSITION_COLUMNS if name not in _OPTIONAL)


def _opt_value(value: float) -> float | None:
    """A Python float that may be NaN or infinite → None for a missing figure."""
    return value if math.isfinite(value) else None


def _list(column: np.ndarray) -> list[float | None]:
    values = column.tolist()
    if np.isfinite(column).all():
        return values
    return [v if v == v and v not in (np.inf, -np.inf) else None for v in values]


@dataclass(frozen=True, eq=False)
class Analysis:
    plan: Plan
    wallet_balance: float
    unrealized_pnl: float
    equity: float
    isolated_margin: float
    cross: CrossPool
    #: per-position columns, NaN where a figure does not exist
    columns: dict[str, np.ndarray] = field(repr=False)
    liquidated: np.ndarray = field(repr=False)  # bool per position
    break_even: np.ndarray = field(repr=False)
    take_profit_rewards: tuple[tuple[float, ...], ...] = field(repr=False)
    reward_to_risk: np.ndarray = field(repr=False)
    buckets: tuple[IsolatedBucket, ...] = ()
    collateral: tuple[CollateralResult, ...] = ()
    #: account figures, warnings and the plan in time (None: the engine's figures alone)
    derived: Derivations | None = field(default=None, repr=False)

    def _derivations(self) -> Derivations:
        if self.derived is None:
            raise RuntimeError(
                "this analysis holds the engine's figures only: use planner.analyze() "
                "(planner.domain.plan_analysis) for account figures, warnings and the plan in time"
            )
        return self.derived

    @cached_property
    def timeline(self) -> Timeline:
        """Funding over the horizon and the position after each planned add."""
        return self._derivations().timeline(self)

    @property
    def venue(self) -> str:
        return self.plan.account.venue

    @property
    def currency(self) -> str:
        return self.plan.account.currency

    def index_of(self, position_id: str) -> int:
        return self.plan.position_index(position_id)

    def position(self, index: int) -> PositionResult:
        return self.positions[index]

    @cached_property
    def positions(self) -> tuple[PositionResult, ...]:
        """Every position's record, built column by column (one ``tolist`` per column)."""
        plan = self.plan
        columns = self.columns
        # figures that always exist stay floats; the others are None where missing
        col = {name: columns[name].tolist() for name in _ALWAYS}
        col.update({name: _list(columns[name]) for name in _OPTIONAL})
        liquidated = self.liquidated.tolist()
        break_even = self.break_even.tolist()
        reward_to_risk = _list(self.reward_to_risk)
        rewards = self.take_profit_rewards
        return tuple(
            PositionResult(
                id=pos.id,
                symbol=pos.symbol,
                side=pos.side,
                margin_mode=pos.margin_mode,
                quantity=col["quantity"][i],
                entry_price=col["entry_price"][i],
                mark_price=col["mark_price"][i],
                notional=col["notional"][i],
                initial_margin=col["initial_margin"][i],
                margin=col["margin"][i],
                unrealized_pnl=col["unrealized_pnl"][i],
                equity=col["equity"][i],
                maintenance_rate=col["maintenance_rate"][i],
                maintenance_amount=col["maintenance_amount"][i],
                maintenance_margin=col["maintenance_margin"][i],
                risk_ratio=col["risk_ratio"][i],
                liquidation_price=col["liquidation_price"][i],
                bankruptcy_price=col["bankruptcy_price"][i],
                liquidation_distance=col["liquidation_distance"][i],
                loss_at_stop=col["loss_at_stop"][i],
                max_loss=col["max_loss"][i],
                liquidated=liquidated[i],
                break_even_price=break_even[i],
                take_profits=tuple(
                    TakeProfitResult(tp.price, tp.fraction, reward)
                    for tp, reward in zip(pos.take_profits, rewards[i], strict=True)
                )
                if pos.take_profits
                else (),
                reward_to_risk=reward_to_risk[i],
            )
            for i, pos in enumerate(plan.positions)
        )

    @cached_property
    def figures(self) -> Any:
        """Gross notional, effective leverage, loss at the stops, worst-case loss, …
        (``account_figures.AccountFigures``)."""
        return self._derivations().figures(self)

    @cached_property
    def warnings(self) -> tuple[Any, ...]:
        """Every risk the plan carries at these marks, most severe first
        (``warnings.PlanWarning``)."""
        return self._derivations().warnings(self)

    def to_dict(self) -> dict[str, Any]:
        """The ``analyze --json`` document."""
        plan = self.plan
        positions = plan.positions
        rewards = self.take_profit_rewards
        take_profits = [
            [
                {"price": tp.price, "fraction": tp.fraction, "reward": _opt_value(reward)}
                for tp, reward in zip(pos.take_profits, rewards[i], strict=True)
            ]
            if pos.take_profits
            else []
            for i, pos in enumerate(positions)
        ]
        # one record per position, built column by column (``_RECORD_KEYS`` order)
        rows = zip(
            *(list(map(attrgetter(name), positions)) for name in _RECORD_KEYS[:4]),
            *(_list(self.columns[name]) for name in _POSITION_COLUMNS),
            self.liquidated.tolist(),
            _list(self.break_even),
            take_profits,
            _list(self.reward_to_risk),
            strict=True,
        )
        records = [dict(zip(_RECORD_KEYS, row, strict=True)) for row in rows]
        timeline = self.timeline
        funding = timeline.funding
        for record, cost, at_horizon, runway, fills in zip(
            records,
            funding.cost,
            funding.liquidation_price_at_horizon,
            funding.runway_hours,
            timeline.fills,
            strict=True,
        ):
            record["funding_cost"] = cost
            record["liquidation_price_at_horizon"] = at_horizon
            record["funding_runway_hours"] = runway
            record["scale_in"] = [fill.to_dict() for fill in fills]
        cross = self.cross
        figures = self.figures
        document = {
            "format": ANALYSIS_FORMAT,
            "version": ANALYSIS_VERSION,
            "venue": self.venue,
            "currency": self.currency,
            # every per-position figure above went through _list/_opt_value; the rest is
            # checked here, so the document never holds NaN or infinity
            "account": finite_or_none(
                {
                    "wallet_balance": self.wallet_balance,
                    "unrealized_pnl": self.unrealized_pnl,
                    "equity": self.equity,
                    "isolated_margin": self.isolated_margin,
                    **figures.to_dict(),
                    "funding_cost": funding.total,
                    "cross": {
                        "wallet_balance": cross.wallet_balance,
                        "unrealized_pnl": cross.unrealized_pnl,
                        "equity": cross.equity,
                        "initial_margin": cross.initial_margin,
                        "maintenance_margin": cross.maintenance_margin,
                        "available": cross.available,
                        "risk_ratio": cross.risk_ratio,
                        "liquidated": cross.liquidated,
                        "collateral_value": cross.collateral_value,
                    },
                    "isolated_buckets": [
                        {
                            "symbol": b.symbol,
                            "side": b.side,
                            "position_ids": list(b.position_ids),
                            "margin": b.margin,
                            "unrealized_pnl": b.unrealized_pnl,
                            "equity": b.equity,
                            "maintenance_margin": b.maintenance_margin,
                            "risk_ratio": b.risk_ratio,
                            "liquidation_price": b.liquidation_price,
                            "bankruptcy_price": b.bankruptcy_price,
                            "liquidated": b.liquidated,
                        }
                        for b in self.buckets
                    ],
                    "collateral": [c.to_dict() for c in self.collateral],
                }
            ),
            "positions": records,
            "warnings": [w.to_dict() for w in self.warnings],
        }
        return document

    @classmethod
    def from_arrays(
        cls,
        book: Book,
        state: LegState,
        liquidation_u: np.ndarray,
        bankruptcy_u: np.ndarray,
        *,
        derived: Derivations | None = None,
    ) -> Analysis:
        # one errstate for the whole: ratios over 0 are missing figures (NaN, then None)
        with np.errstate(divide="ignore", invalid="ignore"):
            return cls._from_arrays(book, state, liquidation_u, bankruptcy_u, derived)

    @classmethod
    def _from_arrays(
        cls,
        book: Book,
        state: LegState,
        liquidation_u: np.ndarray,
        bankruptcy_u: np.ndarray,
        derived: Derivations | None,
    ) -> Analysis:
        plan = book.plan
        wallet = plan.account.wallet_balance
        taker = plan.account.taker_fee_rate
        nan = np.nan

        # groups → prices
        group_inverse = book.inverse[book.group_market]
        group_lp = np.where(group_inverse, 1.0 / liquidation_u, liquidation_u)
        group_bp = np.where(group_inverse, 1.0 / bankruptcy_u, bankruptcy_u)

        # legs: buckets and the pool (collateral legs count as collateral, not as PnL)
        cross_leg = ~book.leg_isolated & ~book.leg_collateral
        leg_equity = book.leg_margin + state.pnl
        leg_risk = np.where(leg_equity > 0, state.maintenance / leg_equity, nan)
        leg_liquidated = leg_equity <= state.maintenance

        # positions
        leg = book.pos_leg
        market = book.leg_market[leg]
        inverse = book.inverse[market]
        mark_u = book.mark_u[market]
        mark = book.mark[market]
        q, entry, sign = book.pos_q, book.pos_entry, book.pos_sign
        a, b = book.pos_a, book.pos_b
        pnl = a + b * mark_u
        notional = q * mark_u
        entry_notional = book.pos_entry_notional
        isolated = book.pos_isolated
        share = q / book.leg_q[leg]

        cross_wallet = wallet - float(book.leg_margin.sum())
        cross_pnl = float((state.pnl * cross_leg).sum())
        collateral_value = float(state.pnl[book.leg_collateral].sum())
        collateral_value += book.collateral_fixed_value
        cross_equity = cross_wallet + cross_pnl + collateral_value
        cross_mm = float((state.maintenance * cross_leg).sum())
        cross_im = float(((notional / book.pos_leverage) * ~isolated).sum())
        cross_liquidated = bool(pool_failed(np.float64(cross_equity), np.float64(cross_mm)))
        cross = CrossPool(
            wallet_balance=cross_wallet,
            unrealized_pnl=cross_pnl,
            equity=cross_equity,
            initial_margin=cross_im,
            maintenance_margin=cross_mm,
            available=max(0.0, cross_equity - cross_im),
            risk_ratio=cross_mm / cross_equity if cross_equity > 0 else None,
            liquidated=cross_liquidated,
            collateral_value=collateral_value,
        )

        group = book.leg_group[leg]
        lp = group_lp[group]
        margin = np.where(isolated, book.pos_margin, nan)
        risk = np.where(
            isolated, leg_risk[leg], np.nan if cross.risk_ratio is None else cross.risk_ratio
        )
        liquidated = np.where(isolated, leg_liquidated[leg], cross_liquidated)

        # planning figures: stop, take-profits, break-even (fees: taker on entry and exit)
        def value_at(price: np.ndarray) -> np.ndarray:
            return np.where(inverse, q / price, q * price)

        # a stop the mark is already past fills now, at the mark; the planned risk is never
        # below 0 (a stop that locks in a profit risks nothing) nor above what the position
        # can lose (its margin, or the cross pool's equity: liquidation comes first)
        stops = book.pos_stop
        exits = np.where(sign > 0, np.minimum(stops, mark), np.maximum(stops, mark))
        exit_u = np.where(inverse, 1.0 / exits, exits)
        fees_at_stop = taker * (entry_notional + value_at(exits))
        loss_at_stop = -(a + b * exit_u) + fees_at_stop
        max_loss = np.where(isolated, book.pos_margin, max(cross_equity, 0.0))
        loss_at_stop = np.where(loss_at_stop < 0.0, 0.0, loss_at_stop)
        loss_at_stop = np.where(loss_at_stop > max_loss, max_loss, loss_at_stop)
        # every take-profit level of every position at once
        at = book.tp_position
        prices = book.tp_price
        tp_u = np.where(inverse[at], 1.0 / prices, prices)
        tp_value = np.where(inverse[at], q[at] / prices, q[at] * prices)
        gross = a[at] + b[at] * tp_u
        level_rewards = book.tp_fraction * (gross - taker * (entry_notional[at] + tp_value))
        n = len(q)
        levels = np.bincount(at, minlength=n)
        total_reward = np.where(levels > 0, np.bincount(at, level_rewards, n), nan)
        rewards: list[tuple[float, ...]] = [()] * n
        flat_rewards = level_rewards.tolist()
        start = 0
        for i in levels.nonzero()[0].tolist():
            end = start + int(levels[i])
            rewards[i] = tuple(flat_rewards[start:end])
            start = end
        reward_to_risk = np.where(loss_at_stop > 0, total_reward / loss_at_stop, nan)
        break_even = entry * np.where(
            sign > 0, (1 + taker) / (1 - taker), (1 - taker) / (1 + taker)
        )

        columns = {
            "quantity": book.pos_quantity,
            "entry_price": entry,
            "mark_price": mark,
            "notional": notional,
            "initial_margin": np.where(isolated, entry_notional, notional) / book.pos_leverage,
            "margin": margin,
            "unrealized_pnl": pnl,
            "equity": margin + pnl,
            "maintenance_rate": state.mmr[leg] - 0.0,
            "maintenance_amount": state.cum[leg] * share,
            "maintenance_margin": state.maintenance[leg] * share,
            "risk_ratio": risk,
            "liquidation_price": lp,
            "bankruptcy_price": group_bp[group],
            "liquidation_distance": (lp - mark) / mark,
            "loss_at_stop": loss_at_stop,
            "max_loss": max_loss,
        }

        ids = book.pos_ids
        symbols = [m.symbol for m in plan.markets]
        # the positions of each isolated leg, in plan order
        order = np.argsort(leg, kind="stable").tolist()
        leg_end = np.cumsum(np.bincount(leg, minlength=len(book.leg_q))).tolist()
        leg_positions = {
            j: [ids[i] for i in order[(leg_end[j - 1] if j else 0) : leg_end[j]]]
            for j in book.leg_isolated.nonzero()[0].tolist()
        }
        iso = book.leg_isolated.nonzero()[0]
        iso_group = book.leg_group[iso]
        bucket_columns = zip(
            iso.tolist(),
            book.leg_market[iso].tolist(),
            book.leg_sign[iso].tolist(),
            book.leg_margin[iso].tolist(),
            state.pnl[iso].tolist(),
            leg_equity[iso].tolist(),
            state.maintenance[iso].tolist(),
            leg_risk[iso].tolist(),
            group_lp[iso_group].tolist(),
            group_bp[iso_group].tolist(),
            leg_liquidated[iso].tolist(),
            strict=True,
        )
        buckets = tuple(
            IsolatedBucket(
                symbol=symbols[market_j],
                side="long" if sign_j > 0 else "short",
                position_ids=tuple(leg_positions[j]),
                margin=margin_j,
                unrealized_pnl=pnl_j,
                equity=equity_j,
                maintenance_margin=mm_j,
                risk_ratio=_opt_value(risk_j),
                liquidation_price=_opt_value(lp_j),
                bankruptcy_price=_opt_value(bp_j),
                liquidated=dead,
            )
            for j, market_j, sign_j, margin_j, pnl_j, equity_j, mm_j, risk_j, lp_j, bp_j, dead in (
                bucket_columns
            )
        )
        total_pnl = float(pnl.sum())
        return cls(
            plan=plan,
            wallet_balance=wallet,
            unrealized_pnl=total_pnl,
            equity=wallet + total_pnl + collateral_value,
            isolated_margin=float(book.leg_margin.sum()),
            cross=cross,
            columns=columns,
            liquidated=liquidated,
            break_even=break_even,
            take_profit_rewards=tuple(rewards),
            reward_to_risk=reward_to_risk,
            buckets=buckets,
            collateral=collateral_results(book, state, group_lp, cross_equity - cross_mm),
            derived=derived,
        )


def collateral_results(
    book: Book, state: LegState, group_lp: np.ndarray, pool_health: float
) -> tuple[CollateralResult, ...]:
    """Every collateral item at the marks, with its own liquidation price: the price of the
    asset alone at which the pool fails. Priced by a market S: the engine's cross liquidation
    price of S (S's positions and collateral move together, every other mark held). At a fixed
    price p0 the pool's health is linear in the asset's price p: h + units·(p − p0) = 0. None
    when the pool carries no cross position (nothing to liquidate) or the root is not > 0."""
    items = book.plan.account.collateral
    if not items:
        return ()
    has_cross = bool((~book.leg_isolated & ~book.leg_collateral).any())
    marks = [m.mark_price for m in book.plan.markets]
    index = {m.symbol: k for k, m in enumerate(book.plan.markets)}
    results = []
    for item, leg, units in zip(
        items, book.collateral_leg.tolist(), book.collateral_units.tolist(), strict=True
    ):
        liquidation: float | None = None
        if leg >= 0:
            assert item.price_symbol is not None
            price = marks[index[item.price_symbol]]
            value = float(state.pnl[leg])
            if has_cross:
                liquidation = _opt_value(float(group_lp[book.leg_group[leg]]))
        else:
            assert item.price is not None
            price = item.price
            value = item.value_at(price)
            if has_cross and units > 0:
                root = price - pool_health / units
                liquidation = root if math.isfinite(root) and root > 0 else None
        results.append(CollateralResult(item.asset, item.amount, price, value, liquidation))
    return tuple(results)
