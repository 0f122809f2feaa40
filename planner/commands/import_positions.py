"""``margin-planner import hyperliquid ADDRESS -o PLAN`` and
``margin-planner import csv FILE -o PLAN [--venue V] [--currency C] --wallet-balance W``.

The Hyperliquid import asks the public ``/info`` endpoint for the wallet's positions
(``clearinghouseState``) and the market data to plan them (``metaAndAssetCtxs``); the CSV
import reads the template ``resources/templates/positions.csv`` and touches no network.
Exit codes: 0 written; 2 bad input (address, CSV, a coin the venue does not list); 3 venue
unreachable or its answer unusable; 1 the output cannot be written. Nothing is written on
failure.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from planner.domain.errors import PlanError
from planner.domain.text_rules import terminal_text
from planner.marketdata.errors import MarketDataError
from planner.marketdata.importers import (
    fetch_hyperliquid_account,
    plan_from_csv,
    plan_from_hyperliquid,
    read_csv_text,
)
from planner.storage import SaveError, save_plan
from planner.storage.paths import refuse_unnameable

EXIT_OK = 0
EXIT_FAILED = 1
VENUES = ("binance", "bybit", "okx", "hyperliquid")
MAX_CSV_BYTES = 5 * 1024 * 1024


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sources = parser.add_subparsers(
        dest="source", metavar="SOURCE", required=True, parser_class=type(parser)
    )
    hyper = sources.add_parser(
        "hyperliquid", help="the positions of a Hyperliquid wallet (public, by address)"
    )
    hyper.add_argument("address", metavar="ADDRESS", help="the wallet address, 0x…")
    hyper.add_argument("-o", "--output", metavar="PLAN", required=True, help="the plan to write")
    table = sources.add_parser(
        "csv", help="positions from a CSV file (template: resources/templates/positions.csv)"
    )
    table.add_argument("file", metavar="FILE", help="a CSV file in the template's columns")
    table.add_argument("-o", "--output", metavar="PLAN", required=True, help="the plan to write")
    table.add_argument("--venue", choices=VENUES, default="binance", help="default: binance")
    table.add_argument("--currency", default="USDT", help="settlement asset (default: USDT)")
    table.add_argument(
        "--wallet-balance",
        type=float,
        required=True,
        metavar="AMOUNT",
        help="the account's wallet balance before unrealised PnL, in the currency",
    )


def run(args: argparse.Namespace) -> int:
    refuse_unnameable(args.output, getattr(args, "file", None))  # exit 2 before any work
    try:
        if args.source == "hyperliquid":
            plan, notes = plan_from_hyperliquid(fetch_hyperliquid_account(args.address))
        else:
            plan, notes = plan_from_csv(
                _read(args.file),
                venue=args.venue,
                currency=args.currency,
                wallet_balance=args.wallet_balance,
                source=args.file,
                name=Path(args.file).stem,
            )
    except MarketDataError as error:
        print(terminal_text(f"margin-planner: {error}", keep_newlines=False), file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("margin-planner: cancelled; nothing was written", file=sys.stderr)
        return EXIT_FAILED
    try:
        save_plan(plan, args.output)
    except SaveError as error:
        print(terminal_text(f"margin-planner: {error}", keep_newlines=False), file=sys.stderr)
        return EXIT_FAILED
    for note in notes:
        print(terminal_text(f"note: {note}", keep_newlines=False))
    count = len(plan.positions)
    shown = terminal_text(str(args.output), keep_newlines=False)
    print(f"wrote {shown} ({count} position{'s' if count != 1 else ''})")
    return EXIT_OK


def _read(path: str) -> str:
    refuse_unnameable(path)
    file = Path(path)
    try:
        if file.stat().st_size > MAX_CSV_BYTES:
            raise PlanError(f"{path}: larger than {MAX_CSV_BYTES // 2**20} MB")
        return read_csv_text(file.read_bytes(), path)
    except FileNotFoundError:
        raise PlanError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise PlanError(f"{path}: is a folder, not a CSV file") from None
    except PermissionError:
        raise PlanError(f"{path}: permission denied") from None
