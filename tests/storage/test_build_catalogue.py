"""tools/build_catalogue.py on a small sample of freqtrade's Binance tier file (four symbols cut
to their first tiers, in tests/storage/catalogue_data/), and the published tables it turns into
the shipped Bybit, OKX and Hyperliquid files."""

from __future__ import annotations

import importlib.util
import json
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

from planner.storage.catalogue import parse_catalogue

REPO = Path(__file__).resolve().parents[2]
SAMPLE = Path(__file__).parent / "catalogue_data" / "freqtrade_binance_leverage_tiers_sample.json"


@pytest.fixture(scope="module")
def build() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_catalogue", REPO / "tools" / "build_catalogue.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_catalogue"] = module
    spec.loader.exec_module(module)
    return module


def _sample() -> dict:
    return json.loads(SAMPLE.read_text("utf-8"))


def test_ccxt_symbols_become_binance_names(build: ModuleType) -> None:
    assert build.binance_symbol("BTC/USDT:USDT") == ("BTCUSDT", "BTC", "USDT", "USDT")
    assert build.binance_symbol("ETH/BTC:BTC") == ("ETHBTC", "ETH", "BTC", "BTC")
    assert build.binance_symbol("BTC/USDT:USDT-260925")[0] == "BTCUSDT_260925"
    assert build.binance_symbol("1000PEPE/USDC:USDC")[0] == "1000PEPEUSDC"
    with pytest.raises(ValueError, match="BTCUSDT"):
        build.binance_symbol("BTCUSDT")


def test_binance_conversion_keeps_every_bracket_and_names_its_source(build: ModuleType) -> None:
    precision = {"BTCUSDT": {"tick_size": 0.1, "quantity_step": 0.001, "min_quantity": 0.001}}
    document = build.binance_catalogue(
        _sample(), freqtrade_version="2026.9", as_of="2026-09-29", precision=precision
    )
    entries = {e["symbol"]: e for e in document["symbols"]}
    assert sorted(entries) == ["1000PEPEUSDC", "BTCUSDT", "BTCUSDT_260925", "ETHBTC"]
    btc = entries["BTCUSDT"]
    brackets = _sample()["BTC/USDT:USDT"]
    assert [t["notional_cap"] for t in btc["maintenance"]["tiers"]] == [
        b["maxNotional"] for b in brackets
    ]
    assert [t["maintenance_amount"] for t in btc["maintenance"]["tiers"]] == [
        b["info"]["cum"] for b in brackets
    ]
    assert [t["mmr"] for t in btc["maintenance"]["tiers"]] == [
        b["maintenanceMarginRate"] for b in brackets
    ]
    assert btc["maintenance"]["as_of"] == "2026-09-29"
    assert "freqtrade 2026.9" in btc["maintenance"]["source"]
    assert (btc["tick_size"], btc["quantity_step"]) == (0.1, 0.001)
    assert entries["ETHBTC"]["settle"] == "BTC" and entries["ETHBTC"]["tick_size"] is None
    assert build.check_catalogue(document) == []


def test_a_table_the_plan_would_refuse_is_reported_not_written(
    build: ModuleType, tmp_path: Path
) -> None:
    broken = _sample()
    broken["BTC/USDT:USDT"][1]["info"]["cum"] = 999.0  # breaks maintenance continuity
    document = build.binance_catalogue(broken, freqtrade_version="x", as_of="y")
    problems = build.check_catalogue(document)
    assert len(problems) == 1 and problems[0].startswith("BTCUSDT: ")
    assert "maintenance_amount" in problems[0]
    assert build._finish(document, tmp_path) == 1
    assert not (tmp_path / "binance.json").exists()


def test_the_written_file_is_read_back_by_the_app(build: ModuleType, tmp_path: Path) -> None:
    document = build.binance_catalogue(_sample(), freqtrade_version="2026.9", as_of="2026-09-29")
    path = build.write_catalogue(document, tmp_path)
    catalogue = parse_catalogue(path.read_text("utf-8"), path.name)
    assert catalogue.venue == "binance" and len(catalogue) == 4
    assert catalogue.search("btc")[0].symbol == "BTCUSDT"
    entry = catalogue.get("ETHBTC")
    assert entry is not None and entry.to_market(0.05).maintenance == entry.maintenance


def test_main_reads_version_and_date_from_the_wheel(build: ModuleType, tmp_path: Path) -> None:
    wheel = tmp_path / "freqtrade-2026.9-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        info = zipfile.ZipInfo(build.FREQTRADE_MEMBER, date_time=(2026, 9, 29, 17, 24, 2))
        archive.writestr(info, SAMPLE.read_text("utf-8"))
    out = tmp_path / "out"
    out.mkdir()
    precision = tmp_path / "precision.json"
    precision.write_text("{}", "utf-8")
    assert (
        build.main(["--out", str(out), "binance", str(wheel), "--precision", str(precision)]) == 0
    )
    written = json.loads((out / "binance.json").read_text("utf-8"))
    assert written["as_of"] == "2026-09-29"
    assert "freqtrade 2026.9" in written["sources"]["tiers"]


def test_main_needs_version_and_date_for_a_bare_file(
    build: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        build.main(["--out", str(tmp_path), "binance", str(SAMPLE)])
    assert stopped.value.code == 2
    assert "--version and --as-of" in capsys.readouterr().err


def test_hyperliquid_bands_follow_the_documented_rules(build: ModuleType) -> None:
    tiers = build.hyperliquid_tiers(
        [{"lower_bound": 0, "max_leverage": 10}, {"lower_bound": 20e6, "max_leverage": 5}]
    )
    assert [t["mmr"] for t in tiers] == [0.05, 0.1]
    assert tiers[0]["notional_cap"] == 20_000_000 and tiers[1]["notional_cap"] is None
    assert tiers[1]["maintenance_amount"] == 1_000_000  # 20M x (10% - 5%)


@pytest.mark.parametrize("venue", ["bybit", "okx", "hyperliquid"])
def test_shipped_published_files_are_what_the_script_builds(
    build: ModuleType, tmp_path: Path, venue: str
) -> None:
    published = json.loads((REPO / "tools" / "catalogue_sources" / "published.json").read_text())
    document = build.published_catalogue(venue, published["venues"][venue])
    assert build.check_catalogue(document) == []
    rebuilt = build.write_catalogue(document, tmp_path).read_text("utf-8")
    shipped = (REPO / "resources" / "catalogue" / f"{venue}.json").read_text("utf-8")
    assert rebuilt == shipped


def test_shipped_binance_precision_is_exactly_the_recorded_source_facts() -> None:
    """The tick/lot/min facts in binance_precision.json (ccxt's fixture of Binance's
    exchangeInfo) reach the shipped file unchanged and nothing else is filled in: a symbol
    without a recorded fact stays null rather than guessed."""
    from planner.storage.catalogue import venue_catalogue

    sources = json.loads(
        (REPO / "tools" / "catalogue_sources" / "binance_precision.json").read_text("utf-8")
    )
    facts = {symbol: fact for symbol, fact in sources.items() if not symbol.startswith("_")}
    shipped = json.loads((REPO / "resources" / "catalogue" / "binance.json").read_text("utf-8"))
    assert shipped["sources"]["precision"] == sources["_source"]["text"]
    fields = ("tick_size", "quantity_step", "min_quantity", "funding_interval_hours")
    for entry in shipped["symbols"]:
        known = facts.get(entry["symbol"], {})
        assert {f: entry[f] for f in fields} == {f: known.get(f) for f in fields}, entry["symbol"]
    assert set(facts) <= {entry["symbol"] for entry in shipped["symbols"]}
    # a named published value, read back through the app's own loader
    xrp = venue_catalogue("binance").get("XRPUSDT")
    assert xrp is not None
    assert (xrp.tick_size, xrp.quantity_step, xrp.min_quantity) == (0.0001, 0.1, 0.1)


def test_shipped_bybit_table_keeps_the_published_tiers() -> None:
    """Bybit BTCUSDT as published on the Margin Parameters page: tier 2 is (2 M, 2.6 M] at
    0.56 % with the page's deduction 1,200 USDT, and the last stored tier ends at 80 M."""
    from planner.storage.catalogue import venue_catalogue

    btc = venue_catalogue("bybit").get("BTCUSDT")
    assert btc is not None
    tiers = btc.maintenance.tiers
    assert len(tiers) == 20
    second = tiers[1]
    assert (second.notional_floor, second.notional_cap) == (2_000_000, 2_600_000)
    assert (second.mmr, second.maintenance_amount, second.max_leverage) == (0.0056, 1200, 90)
    assert tiers[-1].notional_cap == 80_000_000
