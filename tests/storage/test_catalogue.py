"""The shipped market catalogue: every entry is a valid plan market, the data is sane, search
ranks what a trader types, and the lookups refuse what they do not know."""

from __future__ import annotations

import itertools
import json

import pytest
from pydantic import ValidationError

from planner.domain.plan import Market, TierTable
from planner.storage.catalogue import (
    CATALOGUE_VENUES,
    CatalogueError,
    parse_catalogue,
    venue_catalogue,
    venue_default_fees,
)
from planner.storage.tier_library import tier_table

# --- every entry through the plan's Market model -------------------------------------------------


@pytest.mark.parametrize("venue", CATALOGUE_VENUES)
def test_every_entry_builds_a_valid_plan_market(venue: str) -> None:
    catalogue = venue_catalogue(venue)
    assert catalogue.venue == venue
    for entry in catalogue:
        market = entry.to_market(mark_price=123.45)
        assert isinstance(market, Market)
        assert market.symbol == entry.symbol
        assert market.mark_price == 123.45
        assert market.maintenance == entry.maintenance
        assert market.tick_size == entry.tick_size
        # a plan holding the market round-trips through the plan file's JSON shape
        assert Market.model_validate_json(market.model_dump_json()) == market


def test_binance_lists_every_usdm_symbol_of_the_freqtrade_release() -> None:
    binance = venue_catalogue("binance")
    assert len(binance) == 907
    assert {"BTCUSDT", "ETHUSDT", "SOLUSDT", "1000PEPEUSDT", "ETHBTC", "BTCUSDT_260925"} <= set(
        binance.symbols()
    )
    assert "freqtrade 2026.9" in binance.sources["tiers"]
    assert binance.as_of == "2026-09-29"
    assert all(e.contract == "linear" for e in binance)


def test_hyperliquid_and_bybit_carry_their_published_tables() -> None:
    hyperliquid = venue_catalogue("hyperliquid")
    assert len(hyperliquid) >= 20
    btc = hyperliquid.get("BTC")
    assert btc is not None and btc.funding_interval_hours == 1 and btc.quote == "USDC"
    # the docs' 0-150M at 40x, above at 20x; mmr = 1/(2 max lev); deduction keeps MM continuous
    first, second = btc.maintenance.tiers
    assert (first.notional_cap, first.max_leverage, first.mmr) == (150e6, 40, 0.0125)
    assert (second.max_leverage, second.mmr, second.maintenance_amount) == (20, 0.025, 1_875_000)
    assert btc.quantity_step == 1e-5
    bybit = venue_catalogue("bybit").get("BTCUSDT")
    assert bybit is not None and len(bybit.maintenance.tiers) == 20


# --- data sanity -----------------------------------------------------------------------------


@pytest.mark.parametrize("venue", CATALOGUE_VENUES)
def test_tables_are_contiguous_rising_and_dated(venue: str) -> None:
    for entry in venue_catalogue(venue):
        tiers = entry.maintenance.tiers
        assert tiers[0].notional_floor == 0, entry.symbol
        for previous, tier in itertools.pairwise(tiers):
            assert tier.notional_floor == previous.notional_cap, entry.symbol
            assert tier.mmr >= previous.mmr, entry.symbol
            mm_below = previous.notional_cap * previous.mmr - previous.maintenance_amount
            mm_above = tier.notional_floor * tier.mmr - tier.maintenance_amount
            assert mm_above == pytest.approx(mm_below, rel=1e-6, abs=1e-6), entry.symbol
        assert entry.maintenance.source and entry.maintenance.as_of, entry.symbol
        for value in (entry.tick_size, entry.quantity_step, entry.min_quantity):
            assert value is None or value > 0, entry.symbol
        if entry.quantity_step and entry.min_quantity:
            assert entry.min_quantity >= entry.quantity_step, entry.symbol


def test_known_binance_precision_is_filled_and_the_rest_left_unknown() -> None:
    binance = venue_catalogue("binance")
    btc = binance.get("BTCUSDT")
    assert btc is not None
    assert (btc.tick_size, btc.quantity_step, btc.min_quantity) == (0.1, 0.001, 0.001)
    unknown = binance.get("0GUSDT")
    assert unknown is not None
    assert (unknown.tick_size, unknown.quantity_step, unknown.min_quantity) == (None, None, None)


# --- search ----------------------------------------------------------------------------------


def _symbols(venue: str, text: str, limit: int | None = None) -> list[str]:
    return [e.symbol for e in venue_catalogue(venue).search(text, limit)]


def test_search_puts_the_usdt_perpetual_of_the_typed_coin_first() -> None:
    for typed in ("eth", "ETH", " Eth ", "eth/usdt", "ETH-USDT", "ethusdt"):
        assert _symbols("binance", typed)[0] == "ETHUSDT", typed
    assert _symbols("binance", "btc")[0] == "BTCUSDT"
    assert _symbols("binance", "sol")[0] == "SOLUSDT"


def test_search_ranks_the_coin_then_prefix_then_substring() -> None:
    found = _symbols("binance", "eth")
    assert found[:5] == ["ETHUSDT", "ETHUSDC", "ETHUSD1", "ETHU", "ETHBTC"]  # by quote use
    assert found.index("ETHBTC") < found.index("ETHUSDT_260925")  # perpetual before dated
    assert found.index("ETHUSDT_261225") < found.index("ETHFIUSDT")  # the coin before prefix
    prefix_end = max(i for i, s in enumerate(found) if s.startswith("ETH"))
    substring_start = min(i for i, s in enumerate(found) if not s.startswith("ETH"))
    assert prefix_end < substring_start
    assert all("ETH" in s for s in found)


def test_search_is_case_insensitive_and_finds_substrings() -> None:
    assert _symbols("binance", "pepe")[:1] == ["1000PEPEUSDT"]
    assert "kPEPE" in _symbols("hyperliquid", "KPEPE")
    assert _symbols("hyperliquid", "kpepe")[0] == "kPEPE"


def test_search_blank_no_match_and_limit() -> None:
    binance = venue_catalogue("binance")
    assert len(binance.search("")) == len(binance)
    assert binance.search("no such coin") == []
    assert len(binance.search("usdt", limit=5)) == 5


def test_get_is_case_insensitive_and_none_when_unlisted() -> None:
    binance = venue_catalogue("binance")
    entry = binance.get(" ethusdt ")
    assert entry is not None and entry.symbol == "ETHUSDT"
    assert binance.get("NOTACOIN") is None
    assert "ETHUSDT" in binance and "NOTACOIN" not in binance


# --- to_market -------------------------------------------------------------------------------


def test_to_market_brings_tiers_tick_and_the_v2_fields_the_model_has() -> None:
    entry = venue_catalogue("binance").get("BTCUSDT")
    assert entry is not None
    fields = entry.market_fields(61_000)
    market = entry.to_market(61_000)
    assert market.tick_size == 0.1
    assert market.tiers == entry.maintenance.tiers
    for name, value in (("quantity_step", 0.001), ("min_quantity", 0.001)):
        if name in Market.model_fields:  # plan format v2
            assert getattr(market, name) == value
        else:  # v1: left out, so the market still validates
            assert name not in fields


def test_to_market_refuses_a_price_that_is_not_positive() -> None:
    entry = venue_catalogue("binance").get("ETHUSDT")
    assert entry is not None
    for bad in (0, -5):
        with pytest.raises(ValidationError, match="mark_price"):
            entry.to_market(bad)


# --- venues and fees -------------------------------------------------------------------------


def test_catalogue_is_cached_and_unknown_venues_are_refused() -> None:
    assert venue_catalogue("binance") is venue_catalogue("binance")
    with pytest.raises(KeyError, match="gate"):
        venue_catalogue("gate")


@pytest.mark.parametrize("venue", CATALOGUE_VENUES)
def test_default_fees_are_base_tier_rates(venue: str) -> None:
    taker, maker = venue_default_fees(venue)
    assert 0 < maker <= taker < 0.001


def test_default_fees_of_binance_and_unknown_venue() -> None:
    assert venue_default_fees("binance") == (0.0005, 0.0002)
    with pytest.raises(KeyError, match="kraken"):
        venue_default_fees("kraken")


# --- malformed files are refused, naming the entry ----------------------------------------------


def _document(symbols: list[dict]) -> str:
    return json.dumps({"venue": "binance", "symbols": symbols})


def _raw(symbol: str, tiers: list[dict]) -> dict:
    return {"symbol": symbol, "maintenance": {"tiers": tiers, "source": "s", "as_of": "d"}}


GOOD_TIERS = [
    {"notional_floor": 0, "notional_cap": 100, "max_leverage": 50, "mmr": 0.01},
    {"notional_floor": 100, "notional_cap": None, "mmr": 0.02, "maintenance_amount": 1},
]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not JSON"),
        (json.dumps({"symbols": []}), "venue"),
        (_document([_raw("A", GOOD_TIERS), _raw("a", GOOD_TIERS)]), r"symbols\[1\].*twice"),
        (
            _document([_raw("A", [GOOD_TIERS[0], {**GOOD_TIERS[1], "notional_floor": 90}])]),
            r"symbols\[0\]\.maintenance.*contiguous",
        ),
        (_document([{**_raw("A", GOOD_TIERS), "tick_size": -1}]), r"tick_size = -1"),
        (_document([{**_raw("A", GOOD_TIERS), "contract": "spot"}]), "linear or inverse"),
    ],
)
def test_parse_refuses_malformed_files(text: str, message: str) -> None:
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue(text, "test.json")


def test_parse_reads_a_minimal_file() -> None:
    catalogue = parse_catalogue(_document([_raw("ABCUSDT", GOOD_TIERS)]))
    entry = catalogue.get("abcusdt")
    assert entry is not None and entry.contract == "linear" and entry.contract_size == 1
    assert isinstance(entry.maintenance, TierTable)


# --- tier_library keeps its answers and falls back to the catalogue ------------------------------


def test_tier_library_prefers_its_curated_tables_then_the_catalogue() -> None:
    assert tier_table("binance", "BTCUSDT").as_of == "2024-10-24"  # the examples' table
    doge = venue_catalogue("binance").get("DOGEUSDT")
    assert doge is not None
    assert tier_table("binance", "dogeusdt") == doge.maintenance
    with pytest.raises(KeyError):
        tier_table("binance", "NOTACOIN")
    with pytest.raises(KeyError):
        tier_table("gate", "BTCUSDT")
