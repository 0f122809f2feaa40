"""The twin view: the same plan as planned, all-cross and all-isolated, side by side.

Every figure is read from ``analyze()`` of the plan with its margin modes switched
(``scenarios.with_margin_mode``), so the twin view never disagrees with the analysis.

Per position and variant:

* ``liquidation_price`` and ``liquidation_distance`` ((LP − mark) / mark);
* ``stop_distance`` ((stop − mark) / mark) and ``liquidation_beyond_stop`` — how far the
  liquidation price lies beyond the stop, as a fraction of the stop price: side·(stop − LP)/stop,
  negative when the position is liquidated before its stop is reached;
* ``margin_locked``: an isolated position's margin (initial + added), a cross position's initial
  margin at the mark;
* ``worst_case_loss``: what the position can still lose from the marks — isolated: its share
  of its bucket's equity; cross: the whole cross pool's equity, which it shares with every
  cross position (``shares_pool``; tables show it as "the pool: X");
* ``free_balance``: the cross pool's available balance — what is left for other trades.

For the whole plan: margin locked (isolated margins + cross initial margin), worst-case loss
(the analysis's ``worst_case_loss``: every isolated bucket's equity plus the cross pool's
equity when it carries a position, never more than equity — ``account_figures``), the free
balance, and the market-wide moves (betas 1) that liquidate the cross pool.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from planner.domain.account_figures import beyond_stop
from planner.domain.analysis import Analysis, PositionResult
from planner.domain.finite import finite_or_none
from planner.domain.formatting import format_amount, format_percent
from planner.domain.plan import Plan, Position
from planner.domain.plan_analysis import analyze
from planner.domain.scenarios import VARIANTS, liquidating_market_move, variant_plans

COMPARISON_FORMAT = "margin-planner.comparison"
COMPARISON_VERSION = 2

VARIANT_TITLES: dict[str, str] = {
    "planned": "As planned",
    "all_cross": "All cross",
    "all_isolated": "All isolated",
}


@dataclass(frozen=True, slots=True)
class TwinFigures:
    """One position under one variant."""

    variant: str
    margin_mode: str
    liquidation_price: float | None
    liquidation_distance: float | None
    stop_distance: float | None
    liquidation_beyond_stop: float | None
    liquidated_before_stop: bool | None  # None without a stop
    margin_locked: float
    worst_case_loss: float
    loss_at_stop: float | None
    free_balance: float
    liquidated: bool
    shares_pool: bool = False  # worst_case_loss is the cross pool's, shared

    def to_dict(self) -> dict[str, Any]:
        return {
            "margin_mode": self.margin_mode,
            "liquidation_price": self.liquidation_price,
            "liquidation_distance": self.liquidation_distance,
            "stop_distance": self.stop_distance,
            "liquidation_beyond_stop": self.liquidation_beyond_stop,
            "liquidated_before_stop": self.liquidated_before_stop,
            "margin_locked": self.margin_locked,
            "worst_case_loss": self.worst_case_loss,
            "shares_pool": self.shares_pool,
            "loss_at_stop": self.loss_at_stop,
            "free_balance": self.free_balance,
            "liquidated": self.liquidated,
        }


@dataclass(frozen=True, slots=True)
class PlanFigures:
    """The whole plan under one variant."""

    variant: str
    margin_locked: float
    worst_case_loss: float
    free_balance: float
    equity: float
    cross_equity: float
    isolated_margin: float
    pool_move_down: float | None  # market-wide move (betas 1) that liquidates the pool
    pool_move_up: float | None
    liquidated_positions: int
    stops_after_liquidation: int  # positions liquidated before their stop

    def to_dict(self) -> dict[str, Any]:
        return {
            "margin_locked": self.margin_locked,
            "worst_case_loss": self.worst_case_loss,
            "free_balance": self.free_balance,
            "equity": self.equity,
            "cross_equity": self.cross_equity,
            "isolated_margin": self.isolated_margin,
            "pool_move_down": self.pool_move_down,
            "pool_move_up": self.pool_move_up,
            "liquidated_positions": self.liquidated_positions,
            "stops_after_liquidation": self.stops_after_liquidation,
        }


@dataclass(frozen=True, slots=True)
class PositionComparison:
    id: str
    symbol: str
    side: str
    margin_mode: str  # as planned
    mark_price: float
    stop_loss: float | None
    variants: dict[str, TwinFigures]
    sentence: str

    @property
    def position_id(self) -> str:
        return self.id

    def sentence_in(self, amount: Callable[[float], str]) -> str:
        """``sentence`` with its amounts written by ``amount`` (with their unit), e.g. in the
        "values in" asset the window or ``--in`` shows."""
        return sentence(self.variants["all_isolated"], self.variants["all_cross"], amount=amount)

    @property
    def planned(self) -> TwinFigures:
        return self.variants["planned"]

    @property
    def all_cross(self) -> TwinFigures:
        return self.variants["all_cross"]

    @property
    def all_isolated(self) -> TwinFigures:
        return self.variants["all_isolated"]


@dataclass(frozen=True, eq=False)
class Comparison:
    plan: Plan
    currency: str
    positions: tuple[PositionComparison, ...]
    totals: dict[str, PlanFigures]
    analyses: dict[str, Analysis]
    variants: tuple[str, ...] = VARIANTS

    def to_dict(self) -> dict[str, Any]:
        return finite_or_none(self._document())

    def _document(self) -> dict[str, Any]:
        return {
            "format": COMPARISON_FORMAT,
            "version": COMPARISON_VERSION,
            "currency": self.currency,
            "variants": list(self.variants),
            "plan": {name: self.totals[name].to_dict() for name in self.variants},
            "positions": [
                {
                    "id": p.id,
                    "symbol": p.symbol,
                    "side": p.side,
                    "margin_mode": p.margin_mode,
                    "mark_price": p.mark_price,
                    "stop_loss": p.stop_loss,
                    "variants": {name: p.variants[name].to_dict() for name in self.variants},
                    "sentence": p.sentence,
                }
                for p in self.positions
            ],
        }


def _figures(
    variant: str, index: int, pos: Position, r: PositionResult, analysis: Analysis
) -> TwinFigures:
    stop = pos.stop_loss
    beyond = beyond_stop(r.mark_price, r.liquidation_price, stop)
    before = None if stop is None else r.liquidated or (beyond is not None and beyond < 0)
    return TwinFigures(
        variant=variant,
        margin_mode=r.margin_mode,
        liquidation_price=r.liquidation_price,
        liquidation_distance=r.liquidation_distance,
        stop_distance=None if stop is None else (stop - r.mark_price) / r.mark_price,
        liquidation_beyond_stop=beyond,
        liquidated_before_stop=before,
        margin_locked=r.margin if r.margin is not None else r.initial_margin,
        worst_case_loss=analysis.figures.worst_case_loss_of(index),
        loss_at_stop=r.loss_at_stop,
        free_balance=analysis.cross.available,
        liquidated=r.liquidated,
        shares_pool=analysis.figures.shares_pool[index],
    )


def _totals(variant: str, analysis: Analysis, rows: list[TwinFigures]) -> PlanFigures:
    plan = analysis.plan
    has_cross = any(p.margin_mode == "cross" for p in plan.positions)
    cross = analysis.cross
    return PlanFigures(
        variant=variant,
        margin_locked=analysis.isolated_margin + cross.initial_margin,
        worst_case_loss=analysis.figures.worst_case_loss,
        free_balance=cross.available,
        equity=analysis.equity,
        cross_equity=cross.equity,
        isolated_margin=analysis.isolated_margin,
        pool_move_down=liquidating_market_move(plan, direction=-1) if has_cross else None,
        pool_move_up=liquidating_market_move(plan, direction=1) if has_cross else None,
        liquidated_positions=sum(r.liquidated for r in rows),
        stops_after_liquidation=sum(bool(r.liquidated_before_stop) for r in rows),
    )


def compare(plan: Plan) -> Comparison:
    """The plan as planned, all-cross and all-isolated, position by position and in total."""
    plans = variant_plans(plan)
    analyses = {name: analyze(plans[name]) for name in VARIANTS}
    currency = plan.account.currency
    per_variant: dict[str, list[TwinFigures]] = {name: [] for name in VARIANTS}
    positions = []
    for i, pos in enumerate(plan.positions):
        variants = {}
        for name in VARIANTS:
            figures = _figures(name, i, pos, analyses[name].position(i), analyses[name])
            variants[name] = figures
            per_variant[name].append(figures)
        positions.append(
            PositionComparison(
                id=pos.id,
                symbol=pos.symbol,
                side=pos.side,
                margin_mode=pos.margin_mode,
                mark_price=plan.market(pos.symbol).mark_price,
                stop_loss=pos.stop_loss,
                variants=variants,
                sentence=sentence(variants["all_isolated"], variants["all_cross"], currency),
            )
        )
    totals = {name: _totals(name, analyses[name], per_variant[name]) for name in VARIANTS}
    return Comparison(
        plan=plan,
        currency=currency,
        positions=tuple(positions),
        totals=totals,
        analyses=analyses,
    )


def _in_currency(currency: str) -> Callable[[float], str]:
    return lambda value: format_amount(value, currency, with_unit=True)


def _gap(figures: TwinFigures) -> str:
    assert figures.liquidation_beyond_stop is not None
    return format_percent(abs(figures.liquidation_beyond_stop), 1)


def _from_mark(distance: float | None) -> str:
    assert distance is not None
    where = "below" if distance < 0 else "above"
    return f"{format_percent(abs(distance), 1)} {where} the mark"


def sentence(
    isolated: TwinFigures,
    cross: TwinFigures,
    currency: str = "",
    *,
    amount: Callable[[float], str] | None = None,
) -> str:
    """One plain sentence: what isolated and cross do to this position.

    e.g. "Isolated caps the loss at 412.00 USDT but liquidates 1.8 % before your stop; cross
    survives the stop but puts 20,000.00 USDT at risk." Gaps are fractions of the stop price.
    Amounts are in ``currency``, or written by ``amount`` (another unit) when given.
    """
    _amount = amount or _in_currency(currency)
    cap = _amount(isolated.worst_case_loss)
    if isolated.liquidated:
        first = f"Isolated is liquidated at the mark already, losing {cap}"
    elif isolated.liquidation_price is None:
        first = f"Isolated caps the loss at {cap} and has no liquidation price"
    elif isolated.liquidated_before_stop:
        first = f"Isolated caps the loss at {cap} but liquidates {_gap(isolated)} before your stop"
    elif isolated.liquidated_before_stop is False and isolated.liquidation_beyond_stop is not None:
        first = (
            f"Isolated caps the loss at {cap} and your stop comes {_gap(isolated)} "
            "before liquidation"
        )
    else:
        first = (
            f"Isolated caps the loss at {cap} and liquidates "
            f"{_from_mark(isolated.liquidation_distance)}"
        )

    risk = _amount(cross.worst_case_loss)
    if cross.liquidated:
        second = f"cross is liquidated at the mark already, losing {risk}"
    elif cross.liquidation_price is None:
        second = f"cross has no liquidation price but puts {risk} at risk"
    elif cross.liquidated_before_stop:
        second = f"cross liquidates {_gap(cross)} before your stop too and puts {risk} at risk"
    elif cross.liquidated_before_stop is False:
        second = f"cross survives the stop but puts {risk} at risk"
    else:
        second = (
            f"cross liquidates {_from_mark(cross.liquidation_distance)} but puts {risk} at risk"
        )
    return f"{first}; {second}."
