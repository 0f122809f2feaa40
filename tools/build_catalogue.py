"""Build the market catalogue in ``resources/catalogue/`` from published data.

    # Binance USDⓈ-M: every symbol of freqtrade's shipped leverage-tier file
    pip download --no-deps freqtrade==2026.9 -d /tmp/ft
    python tools/build_catalogue.py binance /tmp/ft/freqtrade-2026.9-py3-none-any.whl

    # Bybit, OKX, Hyperliquid: the tables transcribed in tools/catalogue_sources/published.json
    python tools/build_catalogue.py published

The Binance input may be the wheel, the sdist or the extracted ``binance_leverage_tiers.json``
(then give ``--version`` and ``--as-of``). freqtrade is only read as data: nothing here imports
it, and the app never needs it. Every table is checked through the plan's own ``TierTable`` model
before a file is written, so a catalogue that the app would refuse is never produced.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tarfile
import zipfile
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CATALOGUE_DIR = REPO / "resources" / "catalogue"
SOURCES_DIR = Path(__file__).resolve().parent / "catalogue_sources"
FREQTRADE_MEMBER = "freqtrade/exchange/binance_leverage_tiers.json"
CATALOGUE_FORMAT = 1

Json = dict[str, Any]


# --- numbers ----------------------------------------------------------------------------------


def compact_number(value: float | int | None) -> float | int | None:
    """``300000.0`` → ``300000`` (shorter files); other values unchanged."""
    if value is None:
        return None
    number = float(value)
    return int(number) if number.is_integer() and abs(number) < 1e15 else number


# --- Binance from freqtrade ---------------------------------------------------------------------


def binance_symbol(ccxt_symbol: str) -> tuple[str, str, str, str]:
    """``"BTC/USDT:USDT"`` → (``"BTCUSDT"``, base, quote, settle); a dated future
    ``"BTC/USDT:USDT-260925"`` → ``"BTCUSDT_260925"``, as Binance names them."""
    match = re.fullmatch(r"([^/]+)/([^:]+):([^-]+)(?:-(\d+))?", ccxt_symbol)
    if match is None:
        raise ValueError(f"{ccxt_symbol!r}: not a ccxt futures symbol BASE/QUOTE:SETTLE[-EXPIRY]")
    base, quote, settle, expiry = match.groups()
    symbol = f"{base}{quote}" + (f"_{expiry}" if expiry else "")
    return symbol, base, quote, settle


def binance_tiers(brackets: Iterable[Mapping[str, Any]]) -> list[Json]:
    """freqtrade/ccxt leverage tiers → the plan's tiers (the bracket's own ``cum`` is kept as
    ``maintenance_amount``; the plan model checks that it keeps maintenance margin continuous)."""
    ordered = sorted(brackets, key=lambda b: float(b["minNotional"]))
    return [
        {
            "notional_floor": compact_number(b["minNotional"]),
            "notional_cap": compact_number(b["maxNotional"]),
            "max_leverage": compact_number(b["maxLeverage"]),
            "mmr": float(b["maintenanceMarginRate"]),
            "maintenance_amount": compact_number(b["info"]["cum"]),
        }
        for b in ordered
    ]


def binance_catalogue(
    leverage_tiers: Mapping[str, list[Mapping[str, Any]]],
    *,
    freqtrade_version: str,
    as_of: str,
    precision: Mapping[str, Mapping[str, Any]] | None = None,
) -> Json:
    """The Binance catalogue document from freqtrade's ``binance_leverage_tiers.json`` content."""
    table_source = (
        f"freqtrade {freqtrade_version} (PyPI) {FREQTRADE_MEMBER}: Binance GET "
        "/fapi/v1/leverageBracket as fetched by freqtrade's maintainers"
    )
    precision = precision or {}
    entries = []
    for ccxt_symbol, brackets in leverage_tiers.items():
        symbol, base, quote, settle = binance_symbol(ccxt_symbol)
        known = precision.get(symbol, {})
        entries.append(
            {
                "symbol": symbol,
                "base": base,
                "quote": quote,
                "settle": settle,
                "contract": "linear",
                "contract_size": 1,
                "tick_size": known.get("tick_size"),
                "quantity_step": known.get("quantity_step"),
                "min_quantity": known.get("min_quantity"),
                "funding_interval_hours": known.get("funding_interval_hours"),
                "maintenance": {
                    "tiers": binance_tiers(brackets),
                    "source": table_source,
                    "as_of": as_of,
                },
            }
        )
    entries.sort(key=lambda e: e["symbol"])
    return {
        "format": CATALOGUE_FORMAT,
        "venue": "binance",
        "market": "USDⓈ-M futures (linear; perpetuals and dated quarterlies)",
        "as_of": as_of,
        "sources": {
            "tiers": table_source,
            "precision": (precision.get("_source") or {}).get("text", "none"),
        },
        "notes": (
            "tick_size, quantity_step, min_quantity and funding_interval_hours are null where "
            "no dated source was at hand (freqtrade ships tiers only); null funding interval "
            "means the plan's default (8 h, Binance's standard; some symbols pay every 4 h)."
        ),
        "symbols": entries,
    }


def read_freqtrade_tiers(path: Path) -> Json:
    """``binance_leverage_tiers.json`` from a freqtrade wheel, sdist or the bare file."""
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as wheel:
            return json.loads(wheel.read(FREQTRADE_MEMBER))
    if path.name.endswith(".tar.gz"):
        with tarfile.open(path) as sdist:
            for member in sdist.getmembers():
                if member.name.endswith(FREQTRADE_MEMBER):
                    extracted = sdist.extractfile(member)
                    if extracted is not None:
                        return json.loads(extracted.read())
        raise FileNotFoundError(f"{path}: no {FREQTRADE_MEMBER} inside")
    return json.loads(path.read_text("utf-8"))


def freqtrade_version_and_date(path: Path) -> tuple[str | None, str | None]:
    """The package version from a wheel/sdist name and the tier file's date inside it."""
    match = re.match(r"freqtrade-(\d[\w.]*?)(?:-py3|\.tar\.gz)", path.name)
    version = match.group(1) if match else None
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as wheel:
            y, m, d, *_ = wheel.getinfo(FREQTRADE_MEMBER).date_time
            return version, f"{y:04d}-{m:02d}-{d:02d}"
    if path.name.endswith(".tar.gz"):
        with tarfile.open(path) as sdist:
            for member in sdist.getmembers():
                if member.name.endswith(FREQTRADE_MEMBER):
                    return version, datetime.utcfromtimestamp(member.mtime).date().isoformat()
    return version, None


# --- published tables (Bybit, OKX, Hyperliquid) ----------------------------------------------


def hyperliquid_tiers(bands: list[Mapping[str, Any]]) -> list[Json]:
    """Hyperliquid publishes notional lower bounds and max leverage only; its docs define
    mmr = 1 / (2 · max leverage) and
    deduction_n = deduction_(n-1) + lower_n · (mmr_n − mmr_(n-1))."""
    tiers: list[Json] = []
    for band in bands:
        mmr = 1.0 / (2.0 * float(band["max_leverage"]))
        floor = float(band["lower_bound"])
        if tiers:
            previous = tiers[-1]
            previous["notional_cap"] = compact_number(floor)
            amount = previous["maintenance_amount"] + floor * (mmr - previous["mmr"])
        else:
            amount = 0.0
        tiers.append(
            {
                "notional_floor": compact_number(floor),
                "notional_cap": None,
                "max_leverage": compact_number(band["max_leverage"]),
                "mmr": mmr,
                "maintenance_amount": compact_number(round(amount, 10)),
            }
        )
    return tiers


def published_catalogue(venue: str, spec: Mapping[str, Any]) -> Json:
    """One venue's catalogue document from its section of ``published.json``."""
    tables: Mapping[str, Mapping[str, Any]] = spec["tables"]
    entries = []
    for item in spec["symbols"]:
        table = tables[item["table"]]
        if "bands" in table:
            tiers = hyperliquid_tiers(table["bands"])
        else:
            tiers = [dict(t) for t in table["tiers"]]
        entry = {key: item.get(key) for key in SYMBOL_FIELDS}
        entry["contract"] = item.get("contract", spec["defaults"]["contract"])
        entry["contract_size"] = item.get("contract_size", 1)
        for key in ("quote", "settle", "funding_interval_hours"):
            if entry.get(key) is None:
                entry[key] = spec["defaults"].get(key)
        entry["maintenance"] = {
            "tiers": tiers,
            "source": table["source"],
            "as_of": table["as_of"],
        }
        entries.append(entry)
    return {
        "format": CATALOGUE_FORMAT,
        "venue": venue,
        "market": spec["market"],
        "as_of": spec["as_of"],
        "sources": spec["sources"],
        "notes": spec.get("notes", ""),
        "symbols": entries,
    }


SYMBOL_FIELDS = (
    "symbol",
    "base",
    "quote",
    "settle",
    "contract",
    "contract_size",
    "tick_size",
    "quantity_step",
    "min_quantity",
    "funding_interval_hours",
)


# --- checking and writing ---------------------------------------------------------------------


def check_catalogue(document: Mapping[str, Any]) -> list[str]:
    """Every table through the plan's ``TierTable`` model; the refusals, as "symbol: reason"."""
    from pydantic import ValidationError

    from planner.domain.plan import TierTable

    problems = []
    for entry in document["symbols"]:
        try:
            TierTable.model_validate(entry["maintenance"])
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            problems.append(f"{entry['symbol']}: {where}: {first['msg']}")
    return problems


def write_catalogue(document: Mapping[str, Any], directory: Path = CATALOGUE_DIR) -> Path:
    """Write ``<venue>.json``: one symbol per line, compact inside (small, yet diffable)."""
    head = {key: value for key, value in document.items() if key != "symbols"}
    lines = [
        json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
        for entry in document["symbols"]
    ]
    text = json.dumps(head, ensure_ascii=False, indent=1)[:-2]
    text += ',\n "symbols": [\n' + ",\n".join(lines) + "\n ]\n}\n"
    path = directory / f"{document['venue']}.json"
    path.write_text(text, encoding="utf-8")
    return path


def _finish(document: Json, directory: Path) -> int:
    problems = check_catalogue(document)
    if problems:
        print(f"{document['venue']}: {len(problems)} table(s) refused:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    path = write_catalogue(document, directory)
    print(f"{path}: {len(document['symbols'])} symbols")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=CATALOGUE_DIR, help="output directory")
    commands = parser.add_subparsers(dest="command", required=True)
    binance = commands.add_parser("binance", help="Binance USDⓈ-M from freqtrade's package")
    binance.add_argument("input", type=Path, help="freqtrade wheel/sdist or the tier JSON")
    binance.add_argument("--version", help="freqtrade version (read from a wheel/sdist name)")
    binance.add_argument("--as-of", help="date of the tier file (read from a wheel/sdist)")
    binance.add_argument(
        "--precision",
        type=Path,
        default=SOURCES_DIR / "binance_precision.json",
        help="known tick/lot/min-quantity facts with their source",
    )
    commands.add_parser("published", help="Bybit, OKX, Hyperliquid from published.json")
    args = parser.parse_args(argv)

    if args.command == "binance":
        version, as_of = freqtrade_version_and_date(args.input)
        version, as_of = args.version or version, args.as_of or as_of
        if not version or not as_of:
            parser.error("give --version and --as-of for a bare JSON file")
        precision = json.loads(args.precision.read_text("utf-8")) if args.precision else {}
        document = binance_catalogue(
            read_freqtrade_tiers(args.input),
            freqtrade_version=version,
            as_of=as_of,
            precision=precision,
        )
        return _finish(document, args.out)

    published = json.loads((SOURCES_DIR / "published.json").read_text("utf-8"))
    status = 0
    for venue, spec in published["venues"].items():
        status |= _finish(published_catalogue(venue, spec), args.out)
    return status


if __name__ == "__main__":
    sys.exit(main())
