"""What a fetch brings back, before anything touches a plan: per market a quote (mark, funding,
interval, time) and maybe a tier table, per collateral asset its value ratios, all validated.
Shared helpers for the venue modules: pydantic validation that names venue, symbol and field,
tier-table and value-ratio-tier assembly."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from planner.domain.errors import describe, field_path
from planner.domain.plan import TierTable
from planner.domain.plan_account import ValueRatioTier
from planner.domain.tiers import maintenance_amount_after
from planner.marketdata.errors import BadVenueResponse

What = Literal["marks", "funding", "tiers", "collateral"]
#: In the order they are named to the trader.
WHAT_ORDER: tuple[str, ...] = ("marks", "funding", "tiers", "collateral")
ALL_WHAT: frozenset[str] = frozenset(WHAT_ORDER)


@dataclass(frozen=True, slots=True)
class MarketQuery:
    """One market of a plan, as a venue module needs it."""

    symbol: str
    contract: str = "linear"
    contract_size: float = 1.0
    margin_mode: str = "cross"
    mark_price: float | None = None


@dataclass(frozen=True, slots=True)
class MarketQuote:
    """What the venue said about one market. ``None`` means "not fetched"."""

    symbol: str
    mark_price: float | None = None
    funding_rate: float | None = None
    funding_interval_hours: float | None = None
    quote_as_of: str | None = None
    tiers: TierTable | None = None


@dataclass(frozen=True, slots=True)
class CollateralRatios:
    """A venue's value ratios (1 − haircut) for one collateral asset: marginal tiers by amount
    of the asset, sorted, contiguous, from 0, the last one without an upper limit."""

    asset: str
    tiers: tuple[ValueRatioTier, ...]
    source: str
    as_of: str

    def plan_fields(self) -> dict[str, Any]:
        """The collateral item's ratio fields: one tier [0, ∞) as ``value_ratio``, else
        ``value_ratio_tiers`` (the other field cleared)."""
        if len(self.tiers) == 1:
            return {"value_ratio": self.tiers[0].ratio, "value_ratio_tiers": None}
        return {
            "value_ratio": None,
            "value_ratio_tiers": tuple(tier.model_dump(mode="python") for tier in self.tiers),
        }


@dataclass(frozen=True, slots=True)
class VenueData:
    """A whole fetch for one plan: quotes by plan symbol, collateral ratios by plan asset,
    notes for the summary, the requests made (method and URL, for the record)."""

    venue: str
    what: frozenset[str]
    quotes: dict[str, MarketQuote]
    fetched_at: str
    notes: tuple[str, ...] = ()
    requests: tuple[str, ...] = field(default=())
    collateral: dict[str, CollateralRatios] = field(default_factory=dict)


class VenueModel(BaseModel):
    """Venue answers: unknown fields ignored (venues add fields), numbers accepted as strings."""

    model_config = ConfigDict(extra="ignore", frozen=True, allow_inf_nan=False)


M = TypeVar("M", bound=BaseModel)


def validated(model: type[M], data: Any, venue: str, symbol: str | None, where: str = "") -> M:
    """``model`` validated from ``data``; a failure names the venue, the symbol and the field."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        path = field_path(tuple(first["loc"]))
        if where:
            path = f"{where}.{path}" if path else where
        value = first.get("input")
        shown = "" if isinstance(value, (dict, list)) else f" = {str(value)[:40]!r}"
        raise BadVenueResponse(
            venue, symbol, path or "answer", f"{first['msg']}{shown}".strip()
        ) from None


def iso_from_ms(milliseconds: float | int | None) -> str | None:
    """A venue's millisecond timestamp as ISO 8601 UTC (``2024-10-24T08:00:00Z``)."""
    if milliseconds is None or milliseconds <= 0:
        return None
    moment = datetime.fromtimestamp(milliseconds / 1000, tz=UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def now_iso() -> str:
    return datetime.now(tz=UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class TierRow:
    """One tier as a venue states it; ``deduction`` None when the venue leaves it out."""

    floor: float
    cap: float | None
    mmr: float
    max_leverage: float | None
    deduction: float | None = None


def tier_table(
    venue: str, symbol: str, rows: Sequence[TierRow], *, source: str, as_of: str
) -> TierTable:
    """A plan tier table from a venue's rows: sorted, contiguous, first floor 0, rates in
    [0, 1), maintenance amounts continuous (computed where the venue gives none, checked where
    it does). Anything else is refused, naming the tier and the field."""
    if not rows:
        raise BadVenueResponse(venue, symbol, "tiers", "the venue sent no tiers")
    tiers: list[dict[str, Any]] = []
    amount = 0.0
    for k, row in enumerate(rows):
        path = f"tiers[{k}]"
        for name, value in (("mmr", row.mmr), ("notional_floor", row.floor)):
            if not math.isfinite(value) or value < 0:
                raise BadVenueResponse(venue, symbol, f"{path}.{name}", f"{value} is not ≥ 0")
        if row.mmr >= 1:
            raise BadVenueResponse(
                venue, symbol, f"{path}.mmr", f"{row.mmr} is not a rate below 1 (a percentage?)"
            )
        if row.max_leverage is not None and row.mmr * row.max_leverage >= 1:
            raise BadVenueResponse(
                venue,
                symbol,
                f"{path}.mmr",
                f"{row.mmr} is not below the initial margin rate 1/{row.max_leverage:g}",
            )
        if k == 0:
            if row.floor != 0:
                raise BadVenueResponse(
                    venue, symbol, f"{path}.notional_floor", f"{row.floor:g}: must start at 0"
                )
        else:
            previous = rows[k - 1]
            if previous.cap is None or row.floor != previous.cap:
                raise BadVenueResponse(
                    venue,
                    symbol,
                    f"{path}.notional_floor",
                    f"{row.floor:g}: the table is not contiguous (the previous tier ends at "
                    f"{'no limit' if previous.cap is None else format(previous.cap, 'g')})",
                )
            amount = maintenance_amount_after(amount, previous.mmr, row.floor, row.mmr)
        if row.cap is not None and row.cap <= row.floor:
            raise BadVenueResponse(
                venue, symbol, f"{path}.notional_cap", f"{row.cap:g} is not above its floor"
            )
        if row.deduction is not None:
            scale = max(1.0, abs(amount), row.floor * row.mmr)
            if abs(row.deduction - amount) > 1e-6 * scale:
                raise BadVenueResponse(
                    venue,
                    symbol,
                    f"{path}.maintenance_amount",
                    f"{row.deduction:g} breaks continuity (expected {round(amount, 8):g})",
                )
            amount = row.deduction
        tiers.append(
            {
                "notional_floor": row.floor,
                "notional_cap": row.cap,
                "max_leverage": row.max_leverage,
                "mmr": row.mmr,
                "maintenance_amount": round(amount, 10),
            }
        )
    try:
        return TierTable.model_validate({"tiers": tiers, "source": source, "as_of": as_of})
    except ValidationError as error:
        raise BadVenueResponse(venue, symbol, "tiers", str(describe(error))) from None


#: The plan's largest quantity (``ValueRatioTier.amount_floor``).
AMOUNT_LIMIT = 1e12
#: The most tiers a collateral item holds (``Collateral.value_ratio_tiers``).
MAX_RATIO_TIERS = 50


@dataclass(frozen=True, slots=True)
class RatioRow:
    """One collateral tier as a venue states it, and where it sits in the answer (``where``,
    e.g. ``result.list[0].collateralRatioList[1]``); ``cap`` None means no upper limit."""

    floor: float
    cap: float | None
    ratio: float
    where: str


def ratio_tiers(
    venue: str,
    asset: str,
    rows: Sequence[RatioRow],
    *,
    fields: tuple[str, str, str],
    above_last: tuple[float, str] | None = None,
) -> tuple[ValueRatioTier, ...]:
    """Plan value-ratio tiers from a venue's rows (sorted by floor): first floor 0, each floor
    the previous tier's cap (no gap, no overlap), ratios in [0, 1]. ``fields`` names the
    venue's floor, cap and ratio fields for the messages. A last tier with an upper limit is
    followed by ``above_last`` (its ratio and the field stating it) when the venue has one,
    else refused."""
    floor_field, cap_field, ratio_field = fields
    if not rows:
        raise BadVenueResponse(venue, asset, "collateral", "the venue sent no tiers")
    tiers: list[ValueRatioTier] = []

    def add(floor: float, ratio: float, ratio_path: str, floor_path: str) -> None:
        if not math.isfinite(ratio) or not 0 <= ratio <= 1:
            raise BadVenueResponse(venue, asset, ratio_path, f"{ratio:g} is not a ratio in [0, 1]")
        if floor > AMOUNT_LIMIT:
            raise BadVenueResponse(
                venue, asset, floor_path, f"{floor:g} is above the plan's {AMOUNT_LIMIT:g}"
            )
        tiers.append(ValueRatioTier(amount_floor=floor, ratio=ratio))

    for k, row in enumerate(rows):
        if not math.isfinite(row.floor) or row.floor < 0:
            raise BadVenueResponse(
                venue, asset, f"{row.where}.{floor_field}", f"{row.floor:g} is not ≥ 0"
            )
        if k == 0 and row.floor != 0:
            raise BadVenueResponse(
                venue, asset, f"{row.where}.{floor_field}", f"{row.floor:g}: must start at 0"
            )
        if k > 0:
            previous = rows[k - 1]
            if previous.cap is None or row.floor < previous.cap:
                end = "no limit" if previous.cap is None else format(previous.cap, ",g")
                raise BadVenueResponse(
                    venue,
                    asset,
                    f"{row.where}.{floor_field}",
                    f"{row.floor:g}: overlaps the previous tier (it ends at {end})",
                )
            if row.floor > previous.cap:
                raise BadVenueResponse(
                    venue,
                    asset,
                    f"{row.where}.{floor_field}",
                    f"{row.floor:g}: a gap after the previous tier (it ends at {previous.cap:,g})",
                )
        if row.cap is not None and row.cap <= row.floor:
            raise BadVenueResponse(
                venue, asset, f"{row.where}.{cap_field}", f"{row.cap:g} is not above its floor"
            )
        add(row.floor, row.ratio, f"{row.where}.{ratio_field}", f"{row.where}.{floor_field}")
    last = rows[-1]
    if last.cap is not None:
        if above_last is None:
            raise BadVenueResponse(
                venue,
                asset,
                f"{last.where}.{cap_field}",
                f"{last.cap:g}: the last tier ends there and no ratio is given above it",
            )
        ratio, ratio_path = above_last
        add(last.cap, ratio, ratio_path, f"{last.where}.{cap_field}")
    if len(tiers) > MAX_RATIO_TIERS:
        raise BadVenueResponse(
            venue,
            asset,
            "collateral",
            f"{len(tiers)} tiers: the plan holds at most {MAX_RATIO_TIERS}",
        )
    return tuple(tiers)
