"""Edits of a plan: each takes a plan and returns a new, fully validated one.

Pure Python (no Qt), so the table, the editor, the panels and the chart all edit a plan the same
way. Every new plan goes through ``Plan.model_validate`` so that every rule runs again; a
refusal is a ``PlanError`` whose ``field`` is the path of the offending field. Untouched
positions and markets are passed as model instances, which pydantic does not re-validate, so an
edit stays cheap for large plans while the plan-wide rules still run.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from planner.domain import sizing
from planner.domain.errors import PlanError, describe
from planner.domain.plan import DEFAULT_FLAT_RULE, Market, Plan, Position

#: Input fields of a position, with the words used in undo labels.
POSITION_FIELDS: dict[str, str] = {
    "id": "ID",
    "symbol": "symbol",
    "side": "side",
    "quantity": "size",
    "entry_price": "entry",
    "leverage": "leverage",
    "margin_mode": "margin mode",
    "added_margin": "added margin",
    "stop_loss": "stop",
    "take_profits": "take-profits",
    "scale_in": "scale-in",
    "notes": "notes",
}

ACCOUNT_FIELDS: dict[str, str] = {
    "wallet_balance": "wallet balance",
    "currency": "currency",
    "venue": "venue",
    "position_mode": "position mode",
    "taker_fee_rate": "taker fee",
    "maker_fee_rate": "maker fee",
}

MARKET_FIELDS: dict[str, str] = {
    "symbol": "symbol",
    "contract": "contract",
    "contract_size": "contract size",
    "mark_price": "mark price",
    "tick_size": "tick size",
    "maintenance": "maintenance rule",
    "funding_rate": "funding rate",
    "funding_interval_hours": "funding interval",
}

#: The name of a plan that has not been named or saved yet.
UNTITLED = "Untitled plan"

#: The rule a market gets when a position names a symbol the plan has no market for.
#: The flat rule of a market made up for a symbol the venue's catalogue does not list.
DEFAULT_MAINTENANCE: dict[str, Any] = DEFAULT_FLAT_RULE.model_dump()


def validate(
    plan: Plan,
    *,
    account: Any = None,
    markets: Iterable[Any] | None = None,
    positions: Iterable[Any] | None = None,
    **fields: Any,
) -> Plan:
    """A new plan from ``plan`` with some parts replaced; every rule runs again."""
    data: dict[str, Any] = {
        "format": plan.format,
        "version": plan.version,
        "name": plan.name,
        "notes": plan.notes,
        "horizon_hours": plan.horizon_hours,
        "account": plan.account if account is None else account,
        "markets": list(plan.markets if markets is None else markets),
        "positions": list(plan.positions if positions is None else positions),
    }
    data.update(fields)
    try:
        return Plan.model_validate(data)
    except ValidationError as error:
        raise describe(error) from None


def new_plan() -> Plan:
    """The plan a new document starts with: an account and a BTC market, no positions."""
    taker, maker = _venue_fees("binance")
    return Plan.model_validate(
        {
            "name": UNTITLED,
            "account": {
                "currency": "USDT",
                "wallet_balance": 10000,
                "venue": "binance",
                "taker_fee_rate": taker,
                "maker_fee_rate": maker,
            },
            "markets": [_catalogue_market("binance", "BTCUSDT", 60000.0)],
        }
    )


# --- positions ------------------------------------------------------------------------------


def set_position_field(plan: Plan, index: int, field: str, value: Any) -> Plan:
    """``positions[index].field = value``, with what the change implies.

    Switching to cross sets the added margin to 0 (cross positions have none); a symbol the
    plan has no market for gets one with the default flat rule, marked at the entry price.
    """
    if field not in POSITION_FIELDS:
        raise PlanError(f"positions[{index}].{field}: not an input of a position", field=field)
    position = plan.positions[index]
    data = position.model_dump()
    data[field] = value
    if field == "margin_mode" and value == "cross":
        data["added_margin"] = 0.0
    markets = list(plan.markets)
    if field == "symbol":
        value = str(value).strip()
        data["symbol"] = value
        if value and not _has_market(plan, value):
            markets.append(market_for_symbol(plan, value, position.entry_price))
        if value and position.id == _auto_id(plan, position.symbol, position.id):
            others = plan.model_copy(
                update={"positions": tuple(p for p in plan.positions if p is not position)}
            )
            data["id"] = unique_id(others, id_stem(value))
    if field == "quantity":
        data["quantity"] = round_to_lot(plan.market(position.symbol), float(value))
    return replace_position(plan, index, data, markets=markets)


def set_position(plan: Plan, index: int, data: Mapping[str, Any]) -> Plan:
    """Replace several fields of ``positions[index]`` at once (one validation, one step)."""
    merged = plan.positions[index].model_dump() | dict(data)
    if merged.get("margin_mode") == "cross":
        merged["added_margin"] = 0.0
    markets = list(plan.markets)
    symbol = str(merged["symbol"]).strip()
    if symbol and not _has_market(plan, symbol):
        markets.append(market_for_symbol(plan, symbol, float(merged["entry_price"])))
    return replace_position(plan, index, merged, markets=markets)


def set_position_size(plan: Plan, index: int, unit: str, value: float) -> Plan:
    """Set the size of ``positions[index]`` typed as a quantity, a notional, a margin or a
    risk (an amount, or ``risk_percent`` of the equity, lost at the stop with fees); the
    quantity is rounded down to the market's lot step."""
    position = plan.positions[index]
    if not value > 0:
        raise PlanError(
            f"positions[{index}].quantity = {value:g}: the size must be above 0",
            field=f"positions[{index}].quantity",
        )
    quantity = quantity_for_size(plan, position, unit, value, index)
    return set_position_field(plan, index, "quantity", quantity)


def quantity_for_size(plan: Plan, position: Position, unit: str, value: float, index: int) -> float:
    """The quantity for a size typed in ``unit`` (see ``set_position_size``), not yet rounded."""
    market = plan.market(position.symbol)
    if unit in ("risk", "risk_percent"):
        from planner.domain import solvers

        path = f"positions[{index}].quantity"
        if position.stop_loss is None:
            raise PlanError(f"{path}: sizing by risk needs a stop; type the stop first", field=path)
        amount = value if unit == "risk" else value / 100 * plan.account.wallet_balance
        found = solvers.size_for_risk(plan, draft=position, risk_amount=amount)
        if found is None or not found > 0:
            raise PlanError(
                f"{path}: the stop {position.stop_loss:g} does not lose on a {position.side}; "
                "a risk size needs a stop on the losing side",
                field=path,
            )
        return found
    return sizing.quantity_for(
        market,
        unit,
        value,
        position.entry_price,
        position.leverage,  # type: ignore[arg-type]
    )


def lot_step(market: Market) -> float | None:
    return getattr(market, "quantity_step", None)


def round_to_lot(market: Market, quantity: float) -> float:
    """``quantity`` rounded DOWN to the market's lot step (unchanged without a step)."""
    step = lot_step(market)
    if not step or quantity <= 0:
        return quantity
    steps = math.floor(quantity / step + 1e-9)
    decimals = max(0, -math.floor(math.log10(step)) + 1)
    return round(steps * step, decimals)


def replace_position(
    plan: Plan, index: int, position: Any, *, markets: Iterable[Any] | None = None
) -> Plan:
    positions = list(plan.positions)
    positions[index] = position
    return validate(plan, positions=positions, markets=markets)


def add_position(plan: Plan, after: int | None = None) -> tuple[Plan, str]:
    """A new position after ``after`` (or at the end), on that position's symbol (or the first
    market's), sized at a tenth of the wallet's notional, at the mark, 10× or the tier's max."""
    if not plan.markets:
        plan = validate(plan, markets=[default_market("BTCUSDT", 60000.0, None)])
    template = plan.positions[after] if after is not None and plan.positions else None
    market = plan.market(template.symbol) if template else plan.markets[0]
    same_symbol = [p for p in plan.positions if p.symbol == market.symbol]
    entry = market.mark_price
    quantity = sizing.quantity_for_notional(market, plan.account.wallet_balance, entry)
    limit = sizing.max_leverage(market, quantity, entry)
    leverage = 10.0 if limit is None else min(10.0, limit)
    position_id = unique_id(plan, market.symbol.lower().removesuffix("usdt") or "position")
    new = {
        "id": position_id,
        "symbol": market.symbol,
        "side": same_symbol[0].side if same_symbol else "long",
        "quantity": _round_quantity(quantity),
        "entry_price": entry,
        "leverage": leverage,
        "margin_mode": same_symbol[0].margin_mode if same_symbol else "cross",
    }
    at = len(plan.positions) if after is None else after + 1
    positions: list[Any] = list(plan.positions)
    positions.insert(at, new)
    return validate(plan, positions=positions), position_id


def create_position(
    plan: Plan, draft: Mapping[str, Any], after: int | None = None
) -> tuple[Plan, str]:
    """A position from the fields the trader filled in (``symbol``, ``side`` and
    ``entry_price`` at least), appended to the plan. A symbol without a market gets one from
    the venue's catalogue (its tiers, tick and lot step) marked at the typed entry, never at
    another coin's price; the size, if not given, is a tenth of the wallet's notional rounded
    down to the lot step; no take-profit unless one was typed."""
    symbol = str(draft.get("symbol") or "").strip()
    entry = float(draft.get("entry_price") or 0)
    at = len(plan.positions) if after is None else after + 1
    markets: list[Any] = list(plan.markets)
    if symbol and not _has_market(plan, symbol) and entry > 0:
        markets.append(market_for_symbol(plan, symbol, entry))
    elif entry > 0 and not positions_using(plan, symbol):
        # a market no position uses yet is marked at the entry the trader types
        markets = [
            m.model_dump() | {"mark_price": entry} if m.symbol == symbol else m for m in markets
        ]
    with_market = validate(plan, markets=markets)
    market = with_market.market(symbol) if _has_market(with_market, symbol) else None
    quantity = draft.get("quantity")
    if quantity is None and market is not None and entry > 0:
        quantity = sizing.quantity_for_notional(market, plan.account.wallet_balance / 10, entry)
        quantity = _round_quantity(quantity)
    if market is not None and quantity:
        quantity = round_to_lot(market, float(quantity)) or lot_step(market) or quantity
    leverage = draft.get("leverage")
    if leverage is None and market is not None and quantity and entry > 0:
        limit = sizing.max_leverage(market, float(quantity), entry)
        leverage = 10.0 if limit is None else min(10.0, limit)
    position_id = unique_id(plan, id_stem(symbol) if symbol else "position")
    new = {
        "id": position_id,
        "symbol": symbol,
        "side": draft.get("side") or "long",
        "quantity": quantity or 0.0,
        "entry_price": entry,
        "leverage": leverage or 10.0,
        "margin_mode": draft.get("margin_mode") or "cross",
        "stop_loss": draft.get("stop_loss"),
        "take_profits": list(draft.get("take_profits") or []),
    }
    positions: list[Any] = list(plan.positions)
    positions.insert(at, new)
    try:
        return validate(plan, markets=markets, positions=positions), position_id
    except PlanError as error:
        raise PlanError(
            str(error).replace(f"positions[{at}].", "new position: "), field=error.field
        ) from None


def id_stem(symbol: str) -> str:
    """``ETHUSDT`` → ``eth``: the position id a symbol suggests."""
    from planner.storage.catalogue import CATALOGUE_VENUES, venue_catalogue

    upper = symbol.strip().upper()
    for venue in CATALOGUE_VENUES:
        try:
            entry = venue_catalogue(venue).get(upper)
        except (KeyError, ValueError):  # a catalogue that cannot be read suggests nothing
            entry = None
        if entry is not None and entry.base:
            return entry.base.lower()
    for quote in ("USDT", "USDC", "USD", "BUSD", "PERP"):
        if upper.endswith(quote) and len(upper) > len(quote):
            return upper[: -len(quote)].lower()
    return upper.lower() or "position"


def _auto_id(plan: Plan, symbol: str, position_id: str) -> str:
    """``position_id`` when it is what ``symbol`` suggests (``btc``, ``btc-2``), else ""."""
    stem = id_stem(symbol)
    if position_id == stem or (
        position_id.startswith(f"{stem}-") and position_id[len(stem) + 1 :].isdigit()
    ):
        return position_id
    return ""


def duplicate_position(plan: Plan, index: int) -> tuple[Plan, str]:
    source = plan.positions[index]
    position_id = unique_id(plan, f"{source.id}-copy")
    positions: list[Any] = list(plan.positions)
    positions.insert(index + 1, source.model_copy(update={"id": position_id}))
    return validate(plan, positions=positions), position_id


def delete_positions(plan: Plan, indices: Iterable[int]) -> Plan:
    drop = set(indices)
    return validate(plan, positions=[p for i, p in enumerate(plan.positions) if i not in drop])


def move_position(plan: Plan, index: int, delta: int) -> Plan:
    target = index + delta
    if not 0 <= target < len(plan.positions):
        return plan
    positions = list(plan.positions)
    positions.insert(target, positions.pop(index))
    return validate(plan, positions=positions)


def unique_id(plan: Plan, stem: str) -> str:
    taken = {p.id for p in plan.positions}
    if stem not in taken:
        return stem
    n = 2
    while f"{stem}-{n}" in taken:
        n += 1
    return f"{stem}-{n}"


def _round_quantity(quantity: float) -> float:
    """A readable default size: three significant figures."""
    return float(f"{quantity:.3g}")


# --- account and plan -----------------------------------------------------------------------


def set_account_field(plan: Plan, field: str, value: Any) -> Plan:
    if field not in ACCOUNT_FIELDS:
        raise PlanError(f"account.{field}: not a field of the account", field=f"account.{field}")
    return validate(plan, account=plan.account.model_dump() | {field: value})


def set_plan_field(plan: Plan, field: str, value: Any) -> Plan:
    if field not in ("name", "notes", "horizon_hours"):
        raise PlanError(f"{field}: not a field of the plan", field=field)
    return validate(plan, **{field: value})


# --- markets --------------------------------------------------------------------------------


def market_for_symbol(plan: Plan, symbol: str, price: float) -> dict[str, Any]:
    """The market a new symbol gets: the venue catalogue's entry (tiers, tick, lot step)
    marked at ``price`` (the entry the trader typed), or the flat default rule when the
    catalogue does not list it."""
    return _catalogue_market(plan.account.venue, symbol, price)


def _catalogue_market(venue: str, symbol: str, price: float) -> dict[str, Any]:
    from planner.storage.catalogue import venue_catalogue

    try:
        entry = venue_catalogue(venue).get(symbol)
    except (KeyError, ValueError):
        entry = None
    if entry is None:
        return default_market(symbol, price, None)
    return entry.market_fields(price)


def _venue_fees(venue: str) -> tuple[float, float]:
    from planner.storage.catalogue import venue_default_fees

    try:
        return venue_default_fees(venue)
    except KeyError:  # an unknown venue has no published default
        return 0.0, 0.0


def venue_fees(venue: str) -> tuple[float, float]:
    """The venue's standard (taker, maker) fee rates as fractions."""
    return _venue_fees(venue)


def default_market(symbol: str, price: float, like: Market | None) -> dict[str, Any]:
    """A market for a new symbol: the default flat rule, marked at ``price``."""
    return {
        "symbol": symbol,
        "contract": like.contract if like else "linear",
        "contract_size": like.contract_size if like else 1.0,
        "mark_price": price,
        "maintenance": dict(DEFAULT_MAINTENANCE),
    }


def _has_market(plan: Plan, symbol: str) -> bool:
    return any(m.symbol == symbol for m in plan.markets)


def set_market_field(plan: Plan, index: int, field: str, value: Any) -> Plan:
    """``markets[index].field = value``; renaming a symbol renames it in every position."""
    if field not in MARKET_FIELDS:
        raise PlanError(f"markets[{index}].{field}: not a field of a market", field=field)
    market = plan.markets[index]
    data = market.model_dump()
    data[field] = value
    markets: list[Any] = list(plan.markets)
    markets[index] = data
    positions: list[Any] = list(plan.positions)
    if field == "symbol" and value != market.symbol:
        # dumped, not copied, so the new symbol is checked like typed input
        positions = [
            p.model_dump() | {"symbol": value} if p.symbol == market.symbol else p
            for p in plan.positions
        ]
    return validate(plan, markets=markets, positions=positions)


def add_market(plan: Plan, symbol: str | None = None) -> tuple[Plan, int]:
    like = plan.markets[-1] if plan.markets else None
    name = symbol or _unique_symbol(plan)
    price = like.mark_price if like else 100.0
    markets: list[Any] = [*plan.markets, default_market(name, price, like)]
    return validate(plan, markets=markets), len(markets) - 1


def remove_market(plan: Plan, index: int) -> Plan:
    symbol = plan.markets[index].symbol
    used = [p.id for p in plan.positions if p.symbol == symbol]
    if used:
        raise PlanError(
            f"markets[{index}].symbol = {symbol}: still used by {', '.join(used[:3])}"
            + (" …" if len(used) > 3 else ""),
            field=f"markets[{index}].symbol",
        )
    return validate(plan, markets=[m for i, m in enumerate(plan.markets) if i != index])


def _unique_symbol(plan: Plan) -> str:
    taken = {m.symbol for m in plan.markets}
    n = 1
    while f"NEW{n}USDT" in taken:
        n += 1
    return f"NEW{n}USDT"


def positions_using(plan: Plan, symbol: str) -> list[Position]:
    return [p for p in plan.positions if p.symbol == symbol]
