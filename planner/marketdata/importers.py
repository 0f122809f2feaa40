"""Plans from positions held elsewhere: a Hyperliquid wallet (public ``clearinghouseState``)
or a CSV file in the documented template (``resources/templates/positions.csv``).

``fetch_hyperliquid_account`` does the I/O (any thread, cancellable); ``plan_from_hyperliquid``
and ``plan_from_csv`` are pure. Imported positions keep the venue's own liquidation price in
``positions[].venue_liquidation_price`` when the plan model has that field (plan v2).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator

from planner.domain.errors import PlanError, describe
from planner.domain.plan import Plan, Position
from planner.marketdata.errors import BadMarketInput, BadVenueResponse
from planner.marketdata.http import CancelToken, VenueSession
from planner.marketdata.hyperliquid import VENUE as HYPERLIQUID
from planner.marketdata.hyperliquid import Universe, fetch_universe
from planner.marketdata.quotes import VenueModel, validated
from planner.storage.tier_library import tier_table

ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


def position_supports(field_name: str) -> bool:
    return field_name in Position.model_fields


# --- Hyperliquid ---------------------------------------------------------------------------


class Leverage(VenueModel):
    type: Literal["cross", "isolated"]
    value: float = Field(gt=0)


class HyperliquidPosition(VenueModel):
    coin: str = Field(min_length=1)
    szi: float
    entryPx: float = Field(gt=0)
    leverage: Leverage
    liquidationPx: float | None = None
    marginUsed: float = Field(ge=0)
    unrealizedPnl: float

    @field_validator("liquidationPx", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if value in ("", None) else value


class AssetPosition(VenueModel):
    position: HyperliquidPosition


class MarginSummary(VenueModel):
    accountValue: float = Field(ge=0)


class ClearinghouseState(VenueModel):
    assetPositions: list[AssetPosition]
    marginSummary: MarginSummary
    time: int | None = None


@dataclass(frozen=True, slots=True)
class HyperliquidAccount:
    address: str
    state: ClearinghouseState
    universe: Universe


def check_address(address: str) -> str:
    if not ADDRESS.match(address.strip()):
        raise BadMarketInput(
            f"ADDRESS = {address[:60]!r}: not a wallet address (0x followed by 40 hex digits)"
        )
    return address.strip().lower()


def fetch_hyperliquid_account(
    address: str,
    *,
    cancel: CancelToken | None = None,
    env: Mapping[str, str] | None = None,
    total_timeout: float | None = None,
) -> HyperliquidAccount:
    """The wallet's perpetual positions and the market data to plan them (two POSTs to
    ``/info``: ``clearinghouseState`` with the address, ``metaAndAssetCtxs``)."""
    user = check_address(address)
    options: dict[str, Any] = {"cancel": cancel, "env": env}
    if total_timeout is not None:
        options["total_timeout"] = total_timeout
    with VenueSession(**options) as session:
        answer = session.post(HYPERLIQUID, "/info", {"type": "clearinghouseState", "user": user})
        state = validated(ClearinghouseState, answer, HYPERLIQUID, None, "clearinghouseState")
        universe = fetch_universe(session)
        session.check_cancelled(HYPERLIQUID)
    return HyperliquidAccount(user, state, universe)


def plan_from_hyperliquid(account: HyperliquidAccount) -> tuple[Plan, list[str]]:
    """A plan of the wallet's positions at the venue's marks, with its margin tables, funding
    and liquidation prices; and notes for the user. Pure."""
    state, universe = account.state, account.universe
    positions = [item.position for item in state.assetPositions if item.position.szi != 0]
    notes: list[str] = []
    wallet = state.marginSummary.accountValue - math.fsum(p.unrealizedPnl for p in positions)
    if wallet <= 0:
        raise BadVenueResponse(
            HYPERLIQUID,
            None,
            "marginSummary.accountValue",
            f"{state.marginSummary.accountValue:g} leaves no wallet balance before PnL",
        )
    markets: list[dict[str, Any]] = []
    planned: list[dict[str, Any]] = []
    for i, position in enumerate(positions):
        coin = universe.coin(position.coin)
        context = universe.context(coin, coin)
        market: dict[str, Any] = {
            "symbol": coin,
            "contract": "linear",
            "mark_price": context.markPx,
            "maintenance": universe.tier_table(coin, coin).model_dump(mode="python"),
        }
        _add_market_v2(market, context.funding, 1, universe.fetched_at)
        if all(m["symbol"] != coin for m in markets):
            markets.append(market)
        quantity = abs(position.szi)
        record: dict[str, Any] = {
            "id": f"{coin.lower()}-{'long' if position.szi > 0 else 'short'}",
            "symbol": coin,
            "side": "long" if position.szi > 0 else "short",
            "quantity": quantity,
            "entry_price": position.entryPx,
            "leverage": position.leverage.value,
            "margin_mode": position.leverage.type,
        }
        if position.leverage.type == "isolated":
            bucket = position.marginUsed - position.unrealizedPnl
            initial = quantity * position.entryPx / position.leverage.value
            record["added_margin"] = round(bucket - initial, 8)
        if position.liquidationPx is not None and position.liquidationPx > 0:
            if position_supports("venue_liquidation_price"):
                record["venue_liquidation_price"] = position.liquidationPx
            else:
                notes.append(
                    f"assetPositions[{i}]: venue liquidation price {position.liquidationPx:g} "
                    "not stored (this plan format has no field for it yet)"
                )
        planned.append(record)
    raw = {
        "format": "margin-planner.plan",
        "version": Plan.model_fields["version"].default,
        "name": f"Hyperliquid {account.address[:6]}…{account.address[-4:]}",
        "notes": f"Imported from Hyperliquid clearinghouseState of {account.address} "
        f"at {universe.fetched_at}.",
        "account": {
            "currency": "USDC",
            "wallet_balance": round(wallet, 8),
            "venue": "hyperliquid",
        },
        "markets": markets,
        "positions": planned,
    }
    if not planned:
        notes.append("the wallet holds no perpetual positions")
    try:
        return Plan.model_validate(raw), notes
    except ValidationError as error:
        raise BadVenueResponse(
            HYPERLIQUID, None, "clearinghouseState", str(describe(error))
        ) from None


def _add_market_v2(market: dict[str, Any], rate: float, interval: float, as_of: str) -> None:
    from planner.marketdata.refresh import plan_supports

    if plan_supports("funding_rate"):
        market["funding_rate"] = rate
    if plan_supports("funding_interval_hours"):
        market["funding_interval_hours"] = interval
    if plan_supports("quote_as_of"):
        market["quote_as_of"] = as_of


# --- CSV -----------------------------------------------------------------------------------

REQUIRED_COLUMNS = (
    "symbol",
    "side",
    "quantity",
    "entry_price",
    "leverage",
    "margin_mode",
    "mark_price",
)
OPTIONAL_COLUMNS = (
    "id",
    "venue_liquidation_price",
    "added_margin",
    "stop_loss",
    "contract",
    "contract_size",
    "mmr",
    "maintenance_amount",
)
_NUMBERS = (
    "quantity",
    "entry_price",
    "leverage",
    "mark_price",
    "venue_liquidation_price",
    "added_margin",
    "stop_loss",
    "contract_size",
    "mmr",
    "maintenance_amount",
)


def plan_from_csv(
    text: str,
    *,
    venue: str = "binance",
    currency: str = "USDT",
    wallet_balance: float,
    source: str = "CSV",
    name: str = "",
) -> tuple[Plan, list[str]]:
    """A plan from CSV rows (see the template). Markets take their tier table from the shipped
    tables of ``venue`` when there is one, else the row's ``mmr`` (and ``maintenance_amount``).
    Refusals are ``PlanError``: "SOURCE line N: column = value: rule". Pure."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    reader = csv.DictReader(lines)
    columns = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise PlanError(
            f"{source}: header: missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}"
        )
    unknown = [c for c in columns if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        raise PlanError(f"{source}: header: unknown column {unknown[0]!r} (a misspelling?)")
    notes: list[str] = []
    markets: dict[str, dict[str, Any]] = {}
    positions: list[dict[str, Any]] = []
    numbers_of_line: list[int] = []
    line_numbers = [
        n for n, line in enumerate(text.splitlines(), 1) if not line.lstrip().startswith("#")
    ]
    for row_index, row in enumerate(reader):
        line = line_numbers[row_index + 1] if row_index + 1 < len(line_numbers) else row_index + 2
        cells = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
        if not any(cells.values()):
            continue
        values = _row_values(cells, source, line)
        symbol = cells["symbol"]
        market = markets.get(symbol)
        if market is None:
            market = _csv_market(symbol, values, cells, venue, source, line)
            markets[symbol] = market
        elif market["mark_price"] != values["mark_price"]:
            raise PlanError(
                f"{source} line {line}: mark_price = {cells['mark_price']}: differs from an "
                f"earlier row of {symbol} ({market['mark_price']:g})"
            )
        record: dict[str, Any] = {
            "id": cells.get("id") or f"{symbol.lower()}-{len(positions) + 1}",
            "symbol": symbol,
            "side": cells["side"].lower(),
            "quantity": values["quantity"],
            "entry_price": values["entry_price"],
            "leverage": values["leverage"],
            "margin_mode": cells["margin_mode"].lower(),
        }
        for optional in ("added_margin", "stop_loss"):
            if values.get(optional) is not None:
                record[optional] = values[optional]
        venue_price = values.get("venue_liquidation_price")
        if venue_price is not None:
            if position_supports("venue_liquidation_price"):
                record["venue_liquidation_price"] = venue_price
            else:
                notes.append(
                    f"line {line}: venue_liquidation_price not stored (this plan format has "
                    "no field for it yet)"
                )
        positions.append(record)
        numbers_of_line.append(line)
    if not positions:
        raise PlanError(f"{source}: no positions (only the header and comments)")
    raw = {
        "format": "margin-planner.plan",
        "version": Plan.model_fields["version"].default,
        "name": name,
        "notes": f"Imported from {source}.",
        "account": {"currency": currency, "wallet_balance": wallet_balance, "venue": venue},
        "markets": list(markets.values()),
        "positions": positions,
    }
    try:
        return Plan.model_validate(raw), notes
    except ValidationError as error:
        problem = describe(error)
        found = re.match(r"positions\[(\d+)\]", problem.field)
        where = f" line {numbers_of_line[int(found.group(1))]}" if found else ""
        raise PlanError(f"{source}{where}: {problem}", field=problem.field) from None


def _row_values(cells: dict[str, str], source: str, line: int) -> dict[str, float | None]:
    values: dict[str, float | None] = {}
    for column in _NUMBERS:
        text = cells.get(column, "")
        if not text:
            if column in REQUIRED_COLUMNS:
                raise PlanError(f"{source} line {line}: {column}: required")
            values[column] = None
            continue
        try:
            number = float(text.replace("_", ""))
        except ValueError:
            raise PlanError(
                f"{source} line {line}: {column} = {text[:40]!r}: not a number"
            ) from None
        if not math.isfinite(number):
            raise PlanError(f"{source} line {line}: {column} = {text[:40]!r}: not a number")
        values[column] = number
    return values


def _csv_market(
    symbol: str,
    values: dict[str, float | None],
    cells: dict[str, str],
    venue: str,
    source: str,
    line: int,
) -> dict[str, Any]:
    market: dict[str, Any] = {
        "symbol": symbol,
        "contract": (cells.get("contract") or "linear").lower(),
        "mark_price": values["mark_price"],
    }
    if values.get("contract_size") is not None:
        market["contract_size"] = values["contract_size"]
    if values.get("mmr") is not None:
        market["maintenance"] = {
            "mmr": values["mmr"],
            "maintenance_amount": values.get("maintenance_amount") or 0.0,
        }
        return market
    try:
        market["maintenance"] = tier_table(venue, symbol).model_dump(mode="python")
    except KeyError:
        raise PlanError(
            f"{source} line {line}: mmr: required for {symbol} (no tier table is shipped for "
            f"it on {venue})"
        ) from None
    return market


def read_csv_text(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PlanError(
            f"{source}: not UTF-8 text (invalid byte at position {error.start})"
        ) from None


def csv_from_rows(rows: list[Mapping[str, Any]]) -> str:
    """CSV text in the template's columns (for tests and the window's export)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(REQUIRED_COLUMNS + OPTIONAL_COLUMNS))
    writer.writeheader()
    for row in rows:
        writer.writerow(dict(row))
    return out.getvalue()
