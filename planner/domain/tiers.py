"""Pure rules of maintenance-margin tier tables (reference/MARGIN.md §2.1, §2.2).

These work on anything shaped like a tier (``planner.domain.plan.Tier`` or a plain record), so
the plan model, the engine's solvers and the editor can share one definition of each rule.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Protocol


class TierLike(Protocol):
    @property
    def notional_floor(self) -> float: ...
    @property
    def notional_cap(self) -> float | None: ...
    @property
    def max_leverage(self) -> float | None: ...


def maintenance_amount_after(
    previous_amount: float, previous_mmr: float, floor: float, mmr: float
) -> float:
    """The maintenance amount a tier must have so that maintenance margin stays continuous at
    its floor: ``cum_k = cum_(k−1) + floor_k · (mmr_k − mmr_(k−1))``.

    Maintenance margin is ``notional · mmr − amount``; at the floor both neighbouring tiers must
    give the same figure, otherwise a position would gain or lose margin by crossing a boundary.
    Binance states the rule as "Level 3 = 250,000 × (1 % − 0.5 %) + 50 = 1,300", Bybit and
    Hyperliquid the same way for their deductions.
    """
    return previous_amount + floor * (mmr - previous_mmr)


def continuous_maintenance_amounts(
    floors: Sequence[float], mmrs: Sequence[float], first_amount: float = 0.0
) -> tuple[float, ...]:
    """Every tier's maintenance amount from the floors and rates alone (the first tier's amount
    is ``first_amount``, 0 for every published table)."""
    if len(floors) != len(mmrs):
        raise ValueError("one rate per floor")
    amounts: list[float] = []
    for k, (floor, mmr) in enumerate(zip(floors, mmrs, strict=True)):
        amounts.append(
            first_amount
            if k == 0
            else maintenance_amount_after(amounts[-1], mmrs[k - 1], floor, mmr)
        )
    return tuple(amounts)


def max_leverage_for_margin(tiers: Iterable[TierLike], margin: float) -> float:
    """The largest leverage usable with ``margin`` of collateral (MARGIN.md §2.1):

        L_max(m) = max over tiers k with floor_k / m ≤ maxLev_k of min(cap_k / m, maxLev_k)

    Leverage L with margin m opens notional m·L, which is allowed only while the tier holding
    that notional permits L. Within tier k the notional runs from its floor to its cap, so
    leverage runs from floor/m to cap/m, limited by the tier's own maximum; the answer is the
    best over the tiers. At cap/m the notional reaches the (exclusive) cap itself, so the
    figure is a supremum, as in freqtrade's ``get_max_leverage`` that the vectors come from.
    A tier without a cap or without a maximum leverage does not limit it (``math.inf``).
    """
    if not margin > 0:
        raise ValueError(f"margin must be positive, not {margin}")
    best = 0.0
    for tier in tiers:
        tier_max = math.inf if tier.max_leverage is None else tier.max_leverage
        if tier.notional_floor / margin > tier_max:
            continue
        cap = math.inf if tier.notional_cap is None else tier.notional_cap
        best = max(best, min(cap / margin, tier_max))
    return best
