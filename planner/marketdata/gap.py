"""Our liquidation price beside the venue's, for imported positions, and which input most
likely explains a gap. Pure (no I/O), so ``analyze`` and the window can call it freely.

``venue_liquidation_gap`` = (ours − venue's) / venue's (spec v2). Where it exceeds 0.1 %, the
position is re-solved with one input varied at a time, each the way venues are known to
differ (reference/MARGIN.md §11):

- ``tier``: the maintenance rate of the neighbouring tier (or, for a flat rule, half / double),
- ``fees``: the taker fee to close at the mark taken from (or given back to) the margin,
- ``other positions' PnL``: the other cross positions left out (cross only),
- ``funding``: a day of funding at the market's rate (0.01 % per 8 h when it has none) paid or
  received.

The input whose variant lands closest to the venue's price is named, with the gap that
remains — provided it explains at least half of the gap (or closes it to within 0.1 %);
otherwise none is named.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from planner.domain.analysis import Analysis
from planner.domain.engine import analyze
from planner.domain.plan import Plan

GAP_THRESHOLD = 0.001
TYPICAL_TAKER = 0.0005
TYPICAL_FUNDING = 0.0001


@dataclass(frozen=True, slots=True)
class VenueGap:
    position_id: str
    ours: float | None
    venue: float
    gap: float | None
    likely_cause: str | None = None
    gap_after_cause: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "venue_liquidation_price": self.venue,
            "venue_liquidation_gap": self.gap,
            "venue_liquidation_gap_cause": self.likely_cause,
        }

    def line(self) -> str:
        ours = "none" if self.ours is None else f"{self.ours:,.8g}"
        text = f"  {self.position_id}: ours {ours}, venue {self.venue:,.8g}"
        if self.gap is None:
            return text + " (we find no liquidation price)"
        text += f", gap {self.gap:+.3%}"
        if abs(self.gap) <= GAP_THRESHOLD:
            return text
        if self.likely_cause is None:
            return text + " — none of tier, fees, other positions' PnL, funding explains it"
        assert self.gap_after_cause is not None
        return (
            text + f" — most likely {self.likely_cause} (gap {self.gap_after_cause:+.3%} with it)"
        )


def venue_prices_of(plan: Plan) -> dict[str, float]:
    """The venue liquidation prices the plan holds (plan v2 ``venue_liquidation_price``)."""
    prices = {}
    for position in plan.positions:
        price = getattr(position, "venue_liquidation_price", None)
        if price is not None:
            prices[position.id] = float(price)
    return prices


def venue_liquidation_gaps(
    plan: Plan,
    analysis: Analysis | None = None,
    venue_prices: Mapping[str, float] | None = None,
) -> list[VenueGap]:
    """One ``VenueGap`` per position with a venue price, in plan order."""
    prices = venue_prices_of(plan) if venue_prices is None else dict(venue_prices)
    if not prices:
        return []
    analysis = analysis or analyze(plan)
    gaps = []
    for index, position in enumerate(plan.positions):
        venue = prices.get(position.id)
        if venue is None:
            continue
        ours = analysis.positions[index].liquidation_price
        gap = _gap(ours, venue)
        cause = after = None
        if gap is not None and abs(gap) > GAP_THRESHOLD:
            cause, after = explain_gap(plan, index, venue, abs(gap))
        gaps.append(VenueGap(position.id, ours, venue, gap, cause, after))
    return gaps


def _gap(ours: float | None, venue: float) -> float | None:
    if ours is None or venue <= 0:
        return None
    return (ours - venue) / venue


def explain_gap(
    plan: Plan, index: int, venue: float, gap: float
) -> tuple[str | None, float | None]:
    """The input whose variation brings position ``index``'s liquidation price closest to
    ``venue`` (and the gap that remains), or ``(None, None)`` when none comes closer."""
    best: tuple[str | None, float | None] = (None, None)
    # a cause must explain at least half of the gap, or close it to within the threshold
    best_size = max(GAP_THRESHOLD, gap / 2)
    for cause, variants in _variants(plan, index).items():
        for variant, solved in variants:
            price = _liquidation_price(variant, solved)
            remaining = _gap(price, venue)
            if remaining is not None and abs(remaining) < best_size - 1e-12:
                best, best_size = (cause, remaining), abs(remaining)
    return best


def _liquidation_price(raw: dict[str, Any], index: int) -> float | None:
    try:
        plan = Plan.model_validate(raw)
    except ValidationError:
        return None
    return analyze(plan).positions[index].liquidation_price


def _variants(plan: Plan, index: int) -> dict[str, list[tuple[dict[str, Any], int]]]:
    """Variant plans by cause, each with the index of the position to solve in it."""
    position = plan.positions[index]
    market = plan.market(position.symbol)
    market_index = next(i for i, m in enumerate(plan.markets) if m.symbol == market.symbol)
    notional = position.quantity * market.contract_size * market.mark_price
    if market.contract == "inverse":
        notional = position.quantity * market.contract_size / market.mark_price
    base = plan.model_dump(mode="python")

    def edited(edit: Callable[[dict[str, Any]], None]) -> tuple[dict[str, Any], int]:
        raw = plan.model_dump(mode="python")
        edit(raw)
        return raw, index

    def take_from_margin(amount: float) -> tuple[dict[str, Any], int]:
        def edit(raw: dict[str, Any]) -> None:
            if position.margin_mode == "isolated":
                raw["positions"][index]["added_margin"] -= amount
            else:
                raw["account"]["wallet_balance"] -= amount

        return edited(edit)

    variants: dict[str, list[tuple[dict[str, Any], int]]] = {
        "tier": [],
        "fees": [],
        "funding": [],
    }
    tiers = market.tiers
    current = max(0, sum(1 for t in tiers if t.notional_floor <= notional) - 1)
    rules: list[tuple[float, float]] = [
        (tiers[k].mmr, tiers[k].maintenance_amount)
        for k in (current - 1, current + 1)
        if 0 <= k < len(tiers)
    ]
    if len(tiers) == 1:
        rules = [(tiers[0].mmr * 0.5, 0.0), (min(tiers[0].mmr * 2, 0.5), 0.0)]
    for mmr, amount in rules:

        def flat(raw: dict[str, Any], mmr: float = mmr, amount: float = amount) -> None:
            raw["markets"][market_index]["maintenance"] = {"mmr": mmr, "maintenance_amount": amount}

        variants["tier"].append(edited(flat))
    fee = (plan.account.taker_fee_rate or TYPICAL_TAKER) * abs(notional)
    rate = abs(getattr(market, "funding_rate", 0.0) or TYPICAL_FUNDING)
    interval = getattr(market, "funding_interval_hours", 8.0) or 8.0
    day_of_funding = abs(notional) * rate * 24 / interval
    for sign in (1, -1):
        variants["fees"].append(take_from_margin(sign * fee))
        variants["funding"].append(take_from_margin(sign * day_of_funding))
    others = [
        i
        for i, p in enumerate(plan.positions)
        if i != index and p.margin_mode == "cross" and position.margin_mode == "cross"
    ]
    if others:
        alone = dict(base)
        alone["positions"] = [p for i, p in enumerate(base["positions"]) if i not in others]
        variants["other positions' PnL"] = [(alone, index - sum(1 for i in others if i < index))]
    return variants


def add_venue_gaps(document: dict[str, Any], analysis: Analysis) -> None:
    """Add ``venue_liquidation_price`` / ``venue_liquidation_gap`` (and the likely cause) to the
    positions of an ``analyze --json`` document, where the plan holds a venue price. Keys the
    analysis already has are left as they are."""
    gaps = {gap.position_id: gap for gap in venue_liquidation_gaps(analysis.plan, analysis)}
    for record in document.get("positions", []):
        gap = gaps.get(record.get("id"))
        if gap is not None:
            for key, value in gap.to_dict().items():
                record.setdefault(key, value)


def venue_gap_lines(analysis: Analysis) -> list[str]:
    """The table's section on venue liquidation prices (empty when the plan holds none)."""
    gaps = venue_liquidation_gaps(analysis.plan, analysis)
    if not gaps:
        return []
    return ["", "Venue liquidation prices (ours beside the venue's):"] + [g.line() for g in gaps]
