"""The market catalogue shipped in ``resources/catalogue/``: per venue, every listed symbol with
its contract, tick size, lot step, minimum quantity, funding interval and maintenance tier table
(with source and as-of), searchable by text and turned into a plan ``Market`` on demand.

Qt-free. Files are read once per venue through ``importlib.resources`` so that the catalogue
works from an installed wheel as well as from a checkout. See ``resources/catalogue/README.md``
for what each file covers and how it is rebuilt (``tools/build_catalogue.py``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

from pydantic import ValidationError

from planner.domain.plan import Market, TierTable

CATALOGUE_VENUES: tuple[str, ...] = ("binance", "bybit", "okx", "hyperliquid")

# Optional market fields of plan format v2 that the catalogue knows. A field goes into a market
# only when the plan's Market model declares it, so the same code builds a v1 market today and a
# v2 one once the model gains them.
_V2_MARKET_FIELDS: tuple[str, ...] = ("quantity_step", "min_quantity", "funding_interval_hours")

# Standard (base-tier, no discount) perpetual fees as fractions: (taker, maker). Sources are in
# resources/catalogue/README.md ("Default fees").
_DEFAULT_FEES: Mapping[str, tuple[float, float]] = {
    "binance": (0.0005, 0.0002),
    "bybit": (0.00055, 0.0002),
    "okx": (0.0005, 0.0002),
    "hyperliquid": (0.00045, 0.00015),
}


class CatalogueError(ValueError):
    """A catalogue file that cannot be read; the message names the file and the entry."""


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """One symbol of a venue: what a new plan market needs, with the table's provenance."""

    venue: str
    symbol: str
    base: str | None
    quote: str | None
    settle: str | None
    contract: str
    contract_size: float
    tick_size: float | None
    quantity_step: float | None
    min_quantity: float | None
    funding_interval_hours: float | None
    maintenance: TierTable

    @property
    def is_dated(self) -> bool:
        """A delivery future (``BTCUSDT_260925``) rather than a perpetual."""
        return "_" in self.symbol

    def market_fields(self, mark_price: float) -> dict[str, Any]:
        """The plan market as a dict (the shape of ``markets[]`` in a plan file). v2 fields are
        included only where the plan's ``Market`` model has them and the value is known."""
        fields: dict[str, Any] = {
            "symbol": self.symbol,
            "contract": self.contract,
            "contract_size": self.contract_size,
            "mark_price": mark_price,
            "maintenance": self.maintenance.model_dump(),
        }
        if self.tick_size is not None:
            fields["tick_size"] = self.tick_size
        for name in _V2_MARKET_FIELDS:
            value = getattr(self, name)
            if value is not None and name in Market.model_fields:
                fields[name] = value
        return fields

    def to_market(self, mark_price: float) -> Market:
        """A plan ``Market`` at ``mark_price``, validated by the plan model (which refuses a
        non-positive price with its usual "path = value: rule" message)."""
        return Market.model_validate(self.market_fields(mark_price))


@dataclass(frozen=True, slots=True)
class Catalogue:
    """All shipped symbols of one venue."""

    venue: str
    market: str
    as_of: str
    sources: Mapping[str, str]
    notes: str
    entries: tuple[CatalogueEntry, ...]
    _by_symbol: Mapping[str, CatalogueEntry] = field(repr=False, compare=False)
    _quote_rank: Mapping[str | None, int] = field(repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[CatalogueEntry]:
        return iter(self.entries)

    def __contains__(self, symbol: object) -> bool:
        return isinstance(symbol, str) and symbol.strip().upper() in self._by_symbol

    def symbols(self) -> list[str]:
        return [entry.symbol for entry in self.entries]

    def get(self, symbol: str) -> CatalogueEntry | None:
        """The entry of ``symbol`` (any case, surrounding blanks ignored); None when unlisted."""
        return self._by_symbol.get(symbol.strip().upper())

    def search(self, text: str, limit: int | None = None) -> list[CatalogueEntry]:
        """Entries whose symbol matches ``text``, case-insensitively, best first: the exact
        symbol; then symbols of that exact base coin; then symbols starting with the text; then
        symbols containing it. Within a group perpetuals come before dated futures, then quote
        currencies by how many symbols use them (USDT, then USDC, … on Binance), then shorter
        symbols before longer.
        ``"eth"`` on Binance gives ETHUSDT first. Blank text gives every entry in file order;
        separators typed as in ``ETH/USDT`` or ``ETH-USDT`` are ignored."""
        needle = _normalise(text)
        if not needle:
            found = list(self.entries)
            return found if limit is None else found[:limit]
        ranked = []
        unranked = len(self._quote_rank)
        for entry in self.entries:
            symbol = _normalise(entry.symbol)
            base = (entry.base or "").upper()
            if symbol == needle:
                group = 0
            elif base == needle:
                group = 1
            elif symbol.startswith(needle):
                group = 2
            elif needle in symbol:
                group = 3
            else:
                continue
            ranked.append(
                (
                    group,
                    entry.is_dated,
                    self._quote_rank.get(entry.quote, unranked),
                    len(entry.symbol),
                    entry.symbol,
                    entry,
                )
            )
        ranked.sort(key=lambda row: row[:5])
        found = [row[-1] for row in ranked]
        return found if limit is None else found[:limit]


def _normalise(text: str) -> str:
    return re.sub(r"[\s/:\-]", "", text).upper()


def _quote_ranks(entries: tuple[CatalogueEntry, ...]) -> dict[str | None, int]:
    """Quote currencies, most used first: 0 for the venue's main one."""
    counts: dict[str | None, int] = {}
    for entry in entries:
        counts[entry.quote] = counts.get(entry.quote, 0) + 1
    by_use = sorted(counts, key=lambda quote: (-counts[quote], quote or ""))
    return {quote: rank for rank, quote in enumerate(by_use)}


def _optional_number(raw: Mapping[str, Any], name: str, where: str) -> float | None:
    value = raw.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise CatalogueError(f"{where}.{name} = {value!r}: must be a number above 0 or null")
    return float(value)


def _entry(venue: str, raw: Mapping[str, Any], where: str) -> CatalogueEntry:
    if not isinstance(raw, Mapping) or "maintenance" not in raw:
        raise CatalogueError(f"{where}: needs a 'maintenance' tier table")
    try:
        table = TierTable.model_validate(raw["maintenance"])
    except ValidationError as error:
        first = error.errors()[0]
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"])
        raise CatalogueError(f"{where}.maintenance{path}: {first['msg']}") from error
    symbol = raw.get("symbol")
    if not isinstance(symbol, str) or not symbol.strip():
        raise CatalogueError(f"{where}.symbol = {symbol!r}: must be a non-blank name")
    contract = raw.get("contract", "linear")
    if contract not in ("linear", "inverse"):
        raise CatalogueError(f"{where}.contract = {contract!r}: must be linear or inverse")
    return CatalogueEntry(
        venue=venue,
        symbol=symbol,
        base=raw.get("base"),
        quote=raw.get("quote"),
        settle=raw.get("settle"),
        contract=contract,
        contract_size=_optional_number(raw, "contract_size", where) or 1.0,
        tick_size=_optional_number(raw, "tick_size", where),
        quantity_step=_optional_number(raw, "quantity_step", where),
        min_quantity=_optional_number(raw, "min_quantity", where),
        funding_interval_hours=_optional_number(raw, "funding_interval_hours", where),
        maintenance=table,
    )


def parse_catalogue(text: str, name: str = "catalogue") -> Catalogue:
    """A catalogue from the text of one venue file; ``CatalogueError`` names what is wrong."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise CatalogueError(f"{name}: not JSON ({error})") from error
    venue = document.get("venue") if isinstance(document, dict) else None
    if not isinstance(venue, str) or not isinstance(document.get("symbols"), list):
        raise CatalogueError(f"{name}: needs a 'venue' name and a 'symbols' list")
    entries = tuple(
        _entry(venue, raw, f"{name}: symbols[{k}]") for k, raw in enumerate(document["symbols"])
    )
    by_symbol: dict[str, CatalogueEntry] = {}
    for k, entry in enumerate(entries):
        key = entry.symbol.strip().upper()
        if key in by_symbol:
            raise CatalogueError(f"{name}: symbols[{k}].symbol = {entry.symbol!r}: listed twice")
        by_symbol[key] = entry
    return Catalogue(
        venue=venue,
        market=str(document.get("market", "")),
        as_of=str(document.get("as_of", "")),
        sources={str(k): str(v) for k, v in (document.get("sources") or {}).items()},
        notes=str(document.get("notes", "")),
        entries=entries,
        _by_symbol=by_symbol,
        _quote_rank=_quote_ranks(entries),
    )


@cache
def venue_catalogue(venue: str) -> Catalogue:
    """The shipped catalogue of ``venue`` (read once, then cached). ``KeyError`` for a venue
    that has no catalogue, naming the ones that do."""
    if venue not in CATALOGUE_VENUES:
        raise KeyError(f"venue = {venue!r}: no catalogue; one of {', '.join(CATALOGUE_VENUES)}")
    resource = files("planner.resources").joinpath(f"catalogue/{venue}.json")
    return parse_catalogue(resource.read_text("utf-8"), f"catalogue/{venue}.json")


def venue_default_fees(venue: str) -> tuple[float, float]:
    """The venue's standard base-tier perpetual fees as fractions, ``(taker, maker)``;
    ``KeyError`` for an unknown venue."""
    try:
        return _DEFAULT_FEES[venue]
    except KeyError:
        raise KeyError(
            f"venue = {venue!r}: no default fees; one of {', '.join(_DEFAULT_FEES)}"
        ) from None
