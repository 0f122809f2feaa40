"""The account-level figures a trader checks first (spec/plan-format-v2.md, "account"):
exposure, leverage, the loss if every stop is hit, and the worst case from these marks.

``account_figures(analysis)`` reads them off an ``Analysis`` (``analysis.figures`` caches
it), so they never disagree with the analysis:

* ``gross_notional`` — Σ |notional| at the marks, in the account's currency;
* ``effective_leverage`` — gross_notional / equity (None when equity ≤ 0);
* ``loss_at_stops`` — Σ loss_at_stop over positions with a stop;
* ``risk_at_stops`` — loss_at_stops / equity (None when equity ≤ 0);
* ``positions_without_stop`` — how many positions have no stop;
* ``worst_case_loss`` — the most the account can still lose from these marks: every
  isolated bucket's equity plus the cross pool's equity (collateral included) when the pool
  carries a position; never more than the account's equity (nor below 0).

Per position, for tables: ``position_risk`` (loss_at_stop / equity), ``stop_distance``
((stop − mark) / mark) and ``worst_case_loss_of`` (an isolated position's share of its
bucket's equity; for a cross position the pool's, which it shares — ``shares_pool``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from planner.domain.analysis import Analysis


@dataclass(frozen=True, slots=True)
class AccountFigures:
    gross_notional: float
    effective_leverage: float | None
    loss_at_stops: float
    risk_at_stops: float | None
    positions_without_stop: int
    worst_case_loss: float
    #: per position, in plan order
    position_risk: tuple[float | None, ...]
    stop_distance: tuple[float | None, ...]
    position_worst_case: tuple[float, ...]
    shares_pool: tuple[bool, ...]

    def to_dict(self) -> dict[str, Any]:
        """The account fields of ``analyze --json`` that these figures add."""
        return {
            "gross_notional": self.gross_notional,
            "effective_leverage": self.effective_leverage,
            "loss_at_stops": self.loss_at_stops,
            "risk_at_stops": self.risk_at_stops,
            "positions_without_stop": self.positions_without_stop,
            "worst_case_loss": self.worst_case_loss,
        }

    def worst_case_loss_of(self, index: int) -> float:
        """Position ``index``'s worst case from the marks: an isolated position's share of its
        bucket's equity; a cross position's is the pool's (see ``shares_pool``)."""
        return self.position_worst_case[index]


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def worst_case_loss(analysis: Analysis) -> float:
    """Every isolated bucket's equity plus the cross pool's when it carries a position, at
    most the account's equity: what the account can still lose from these marks."""
    buckets = math.fsum(max(bucket.equity, 0.0) for bucket in analysis.buckets)
    has_cross = any(p.margin_mode == "cross" for p in analysis.plan.positions)
    pool = max(analysis.cross.equity, 0.0) if has_cross else 0.0
    return min(buckets + pool, max(analysis.equity, 0.0))


def account_figures(analysis: Analysis) -> AccountFigures:
    plan = analysis.plan
    columns = analysis.columns
    equity = analysis.equity
    with np.errstate(over="ignore", invalid="ignore"):
        gross = float(np.abs(columns["notional"]).sum())
    loss = columns["loss_at_stop"]
    has_stop = np.array([p.stop_loss is not None for p in plan.positions], dtype=bool)
    loss_at_stops = float(loss[has_stop].sum()) if has_stop.any() else 0.0
    positive_equity = equity > 0
    mark = columns["mark_price"]
    position_risk: list[float | None] = []
    stop_distance: list[float | None] = []
    for i, pos in enumerate(plan.positions):
        if pos.stop_loss is None:
            position_risk.append(None)
            stop_distance.append(None)
            continue
        position_risk.append(_finite(float(loss[i]) / equity) if positive_equity else None)
        stop_distance.append(_finite((pos.stop_loss - float(mark[i])) / float(mark[i])))
    pool = max(analysis.cross.equity, 0.0)
    position_equity = columns["equity"].tolist()
    shares_pool = tuple(p.margin_mode == "cross" for p in plan.positions)
    position_worst = tuple(
        pool if cross else max(float(position_equity[i]), 0.0)
        for i, cross in enumerate(shares_pool)
    )
    return AccountFigures(
        gross_notional=gross,
        effective_leverage=_finite(gross / equity) if positive_equity else None,
        loss_at_stops=loss_at_stops,
        risk_at_stops=_finite(loss_at_stops / equity) if positive_equity else None,
        positions_without_stop=int((~has_stop).sum()),
        worst_case_loss=worst_case_loss(analysis),
        position_risk=tuple(position_risk),
        stop_distance=tuple(stop_distance),
        position_worst_case=position_worst,
        shares_pool=shares_pool,
    )


__all__ = ["AccountFigures", "account_figures", "worst_case_loss"]


def beyond_stop(mark: float, liquidation: float | None, stop: float | None) -> float | None:
    """How far the liquidation price lies beyond the stop, seen from the mark, as a fraction of
    the stop price: > 0 when the stop comes first, < 0 when liquidation does. ``None`` when
    either is missing or when liquidation is not on the way from the mark to the stop (a
    hedged symbol's shared liquidation price can lie on the other side of the mark)."""
    if liquidation is None or stop is None or stop == mark:
        return None
    toward_stop = 1.0 if stop > mark else -1.0
    if (liquidation - mark) * toward_stop <= 0:
        return None
    return toward_stop * (liquidation - stop) / stop
