"""The shipped collateral haircuts (resources/collateral): every file loads with a source, every
ratio makes a valid collateral item, and the Bybit tiers count each slice at its own ratio."""

from __future__ import annotations

import json

import pytest

from planner.domain.plan import Plan
from planner.domain.plan_analysis import analyze
from planner.storage.collateral_library import (
    COLLATERAL_VENUES,
    assets_for,
    haircut_table,
    venue_haircuts,
)
from tests.conftest import REPO


@pytest.mark.parametrize("venue", COLLATERAL_VENUES)
def test_every_venue_file_loads_with_its_source(venue: str) -> None:
    shipped = venue_haircuts(venue)
    assert shipped.source.strip() and shipped.account_mode.strip()
    raw = json.loads((REPO / "resources" / "collateral" / f"{venue}.json").read_text("utf-8"))
    assert raw["format"] == "margin-planner.collateral-haircuts" and raw["venue"] == venue
    assert len(shipped.tables) == len(raw["assets"])
    for table in shipped.tables:
        assert table.as_of, "a shipped ratio carries its date"
        # exactly one rule per asset, and it makes a valid plan item
        assert (table.value_ratio is None) != (table.value_ratio_tiers is None)
        item = table.collateral(1.0, price=100.0)
        assert 0 < item.value_at(100.0) <= 100.0


def test_binance_ratios_are_the_faq_table() -> None:
    """BTC and ETH take a 5 % haircut (the FAQ says so in words too)."""
    assert assets_for("binance") == ["BTC", "ETH", "SOL", "USDC"]
    for asset in ("BTC", "ETH"):
        assert haircut_table("binance", asset).value_ratio == pytest.approx(1 - 0.05)
    assert not haircut_table("binance", "BTC").illustrative


def test_bybit_tiers_apply_marginally_by_quantity() -> None:
    """The help article's tiers by quantity, applied marginally: 55 BTC count
    10·0.98 + 10·0.95 + 10·0.9 + 10·0.85 + 10·0.8 + 5·0 BTC. The table is the article's
    example and says so."""
    table = haircut_table("bybit", "BTC")
    assert table.illustrative
    item = table.collateral(55, price_symbol="BTCUSDT")
    plan = Plan.model_validate(
        {
            "account": {
                "currency": "USDT",
                "wallet_balance": 0,
                "venue": "bybit",
                "collateral": [item.model_dump(mode="json", exclude_none=True)],
            },
            "markets": [
                {
                    "symbol": "BTCUSDT",
                    "contract": "linear",
                    "mark_price": 40_000,
                    "maintenance": {"mmr": 0.005, "maintenance_amount": 0},
                }
            ],
            "positions": [],
        }
    )
    counted = 10 * (0.98 + 0.95 + 0.9 + 0.85 + 0.8)
    assert analyze(plan).cross.collateral_value == pytest.approx(counted * 40_000)


def test_okx_ships_nothing_it_could_not_find() -> None:
    shipped = venue_haircuts("okx")
    assert shipped.tables == ()
    assert "not found" in shipped.notes
    with pytest.raises(KeyError):
        haircut_table("okx", "BTC")
    assert assets_for("hyperliquid") == []


def _readme_rows() -> dict[str, str]:
    """The README's table rows by file name (``binance.json`` → the whole row)."""
    text = (REPO / "resources" / "collateral" / "README.md").read_text("utf-8")
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[1].startswith("`") and cells[1].endswith(".json`"):
            rows[cells[1].strip("`")] = line
    return rows


@pytest.mark.parametrize("venue", COLLATERAL_VENUES)
def test_readme_table_says_what_each_file_ships(venue: str) -> None:
    """The README row of each venue names every shipped asset, its date ("—" when nothing is
    shipped) and whether the table is only the venue's illustrative example, so the README
    cannot drift from the data."""
    row = _readme_rows()[f"{venue}.json"]
    shipped = venue_haircuts(venue)
    as_of_cell = row.strip().strip("|").split("|")[-1].strip()
    assert as_of_cell == (shipped.as_of or "—")
    for asset in assets_for(venue):
        assert asset in row
    illustrative = any(t.illustrative for t in shipped.tables)
    assert ("illustrative" in row) == illustrative
    if not shipped.tables:
        assert "nothing" in row


def test_binance_sol_and_usdc_ratios_read_back() -> None:
    """The FAQ's 90 % for SOL and 99.99 % for USDC, flat, as a valid collateral item."""
    sol = haircut_table("binance", "SOL")
    assert sol.value_ratio == pytest.approx(0.90) and sol.value_ratio_tiers is None
    assert sol.as_of == "2021-05-28"
    usdc = haircut_table("binance", "usdc")  # case-insensitive look-up
    assert usdc.collateral(1_000, price=1.0).value_at(1.0) == pytest.approx(999.9)
