"""The analysis of a plan: immutable results, stored as columns, read as records.

``Analysis.to_dict()`` is exactly the ``analyze --json`` output of spec/plan-format.md (plus
optional fields the spec allows). Figures that do not exist (no liquidation price, a ratio over
zero equity) are ``None``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from planner.domain.finite import finite_or_none
from planner.domain.plan import Plan

if TYPE_CHECKING:
    from planner.domain.book import Book, LegState

ANALYSIS_FORMAT = "margin-planner.analysis"
ANALYSIS_VERSION = 2


def pool_failed(equity: np.ndarray, maintenance: np.ndarray) -> np.ndarray:
    """The cross pool is liquidated when its equity falls to its maintenance margin (or below
    zero, which an empty pool can reach when isolated margins exceed the wallet)."""
    return (equity < 0) | ((maintenance > 0) & (equity <= maintenance))


@dataclass(frozen=True, slots=True)
class CrossPool:
    wallet_balance: float
    unrealized_pnl: float
    equity: float
    initial_margin: float
    maintenance_margin: float
    available: float
    risk_ratio: float | None
    liquidated: bool


@dataclass(frozen=True, slots=True)
class TakeProfitResult:
    price: float
    fraction: float
    reward: float  # net of entry and exit taker fees on that fraction


@dataclass(frozen=True, slots=True)
class PositionResult:
    id: str
    symbol: str
    side: str
    margin_mode: str
    quantity: float
    entry_price: float
    mark_price: float
    notional: float
    initial_margin: float
    margin: float | None
    unrealized_pnl: float
    equity: float | None
    maintenance_rate: float
    maintenance_amount: float
    maintenance_margin: float
    risk_ratio: float | None
    liquidation_price: float | None
    bankruptcy_price: float | None
    liquidation_distance: float | None
    loss_at_stop: float | None
    max_loss: float
    liquidated: bool
    break_even_price: float
    take_profits: tuple[TakeProfitResult, ...]
    reward_to_risk: float | None


@dataclass(frozen=True, slots=True)
class IsolatedBucket:
    """One isolated exchange position: the netted positions of one symbol and side."""

    symbol: str
    side: str
    position_ids: tuple[str, ...]
    margin: float
    unrealized_pnl: float
    equity: float
    maintenance_margin: float
    risk_ratio: float | None
    liquidation_price: float | None
    bankruptcy_price: float | None
    liquidated: bool


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


def _opt(value: float) -> float | None:
    return None if not np.isfinite(value) else float(value)


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

    @property
    def venue(self) -> str:
        return self.plan.account.venue

    @property
    def currency(self) -> str:
        return self.plan.account.currency

    def index_of(self, position_id: str) -> int:
        for i, pos in enumerate(self.plan.positions):
            if pos.id == position_id:
                return i
        raise KeyError(position_id)

    def position(self, index: int) -> PositionResult:
        pos = self.plan.positions[index]
        c = {name: col[index] for name, col in self.columns.items()}
        return PositionResult(
            id=pos.id,
            symbol=pos.symbol,
            side=pos.side,
            margin_mode=pos.margin_mode,
            quantity=float(c["quantity"]),
            entry_price=float(c["entry_price"]),
            mark_price=float(c["mark_price"]),
            notional=float(c["notional"]),
            initial_margin=float(c["initial_margin"]),
            margin=_opt(c["margin"]),
            unrealized_pnl=float(c["unrealized_pnl"]),
            equity=_opt(c["equity"]),
            maintenance_rate=float(c["maintenance_rate"]),
            maintenance_amount=float(c["maintenance_amount"]),
            maintenance_margin=float(c["maintenance_margin"]),
            risk_ratio=_opt(c["risk_ratio"]),
            liquidation_price=_opt(c["liquidation_price"]),
            bankruptcy_price=_opt(c["bankruptcy_price"]),
            liquidation_distance=_opt(c["liquidation_distance"]),
            loss_at_stop=_opt(c["loss_at_stop"]),
            max_loss=float(c["max_loss"]),
            liquidated=bool(self.liquidated[index]),
            break_even_price=float(self.break_even[index]),
            take_profits=tuple(
                TakeProfitResult(tp.price, tp.fraction, reward)
                for tp, reward in zip(
                    pos.take_profits, self.take_profit_rewards[index], strict=True
                )
            ),
            reward_to_risk=_opt(self.reward_to_risk[index]),
        )

    @cached_property
    def positions(self) -> tuple[PositionResult, ...]:
        return tuple(self.position(i) for i in range(len(self.plan.positions)))

    def to_dict(self) -> dict[str, Any]:
        """The ``analyze --json`` document."""
        plan = self.plan
        cols = {name: _list(col) for name, col in self.columns.items()}
        liquidated = self.liquidated.tolist()
        break_even = self.break_even.tolist()
        rr = _list(self.reward_to_risk)
        positions = []
        for i, pos in enumerate(plan.positions):
            record: dict[str, Any] = {
                "id": pos.id,
                "symbol": pos.symbol,
                "side": pos.side,
                "margin_mode": pos.margin_mode,
            }
            for name in _POSITION_COLUMNS:
                record[name] = cols[name][i]
            record["liquidated"] = liquidated[i]
            record["break_even_price"] = break_even[i]
            record["take_profits"] = [
                {"price": tp.price, "fraction": tp.fraction, "reward": reward}
                for tp, reward in zip(pos.take_profits, self.take_profit_rewards[i], strict=True)
            ]
            record["reward_to_risk"] = rr[i]
            positions.append(record)
        cross = self.cross
        document = {
            "format": ANALYSIS_FORMAT,
            "version": ANALYSIS_VERSION,
            "venue": self.venue,
            "currency": self.currency,
            "account": {
                "wallet_balance": self.wallet_balance,
                "unrealized_pnl": self.unrealized_pnl,
                "equity": self.equity,
                "isolated_margin": self.isolated_margin,
                "cross": {
                    "wallet_balance": cross.wallet_balance,
                    "unrealized_pnl": cross.unrealized_pnl,
                    "equity": cross.equity,
                    "initial_margin": cross.initial_margin,
                    "maintenance_margin": cross.maintenance_margin,
                    "available": cross.available,
                    "risk_ratio": cross.risk_ratio,
                    "liquidated": cross.liquidated,
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
            },
            "positions": positions,
        }
        return finite_or_none(document)

    @classmethod
    def from_arrays(
        cls,
        book: Book,
        state: LegState,
        liquidation_u: np.ndarray,
        bankruptcy_u: np.ndarray,
    ) -> Analysis:
        from planner.domain.book import pnl_coefficients

        plan = book.plan
        wallet = plan.account.wallet_balance
        taker = plan.account.taker_fee_rate
        nan = np.nan

        # groups → prices
        group_inverse = book.inverse[book.group_market]
        with np.errstate(divide="ignore", invalid="ignore"):
            group_lp = np.where(group_inverse, 1.0 / liquidation_u, liquidation_u)
            group_bp = np.where(group_inverse, 1.0 / bankruptcy_u, bankruptcy_u)

        # legs: buckets and the pool
        cross_leg = ~book.leg_isolated
        leg_equity = book.leg_margin + state.pnl
        with np.errstate(divide="ignore", invalid="ignore"):
            leg_risk = np.where(leg_equity > 0, state.maintenance / leg_equity, nan)
        leg_liquidated = leg_equity <= state.maintenance

        # positions
        leg = book.pos_leg
        market = book.leg_market[leg]
        inverse = book.inverse[market]
        mark_u = book.mark_u[market]
        mark = np.where(inverse, 1.0 / mark_u, mark_u)
        q, entry, sign = book.pos_q, book.pos_entry, book.pos_sign
        a, b = pnl_coefficients(sign, q, entry, inverse)
        pnl = a + b * mark_u
        notional = q * mark_u
        entry_notional = np.where(inverse, q / entry, q * entry)
        isolated = book.pos_isolated
        share = q / book.leg_q[leg]

        cross_wallet = wallet - float(book.leg_margin.sum())
        cross_pnl = float((state.pnl * cross_leg).sum())
        cross_equity = cross_wallet + cross_pnl
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

        stops = book.pos_stop
        stop_u = np.where(inverse, 1.0 / stops, stops)
        fees_at_stop = taker * (entry_notional + value_at(stops))
        loss_at_stop = -(a + b * stop_u) + fees_at_stop
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
        with np.errstate(divide="ignore", invalid="ignore"):
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
            "max_loss": np.where(isolated, book.pos_margin, max(cross_equity, 0.0)),
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
            equity=wallet + total_pnl,
            isolated_margin=float(book.leg_margin.sum()),
            cross=cross,
            columns=columns,
            liquidated=liquidated,
            break_even=break_even,
            take_profit_rewards=tuple(rewards),
            reward_to_risk=reward_to_risk,
            buckets=buckets,
        )
