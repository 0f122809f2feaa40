"""``margin-planner refresh PLAN [-o OUT] [--what marks,funding,tiers,collateral]``: marks,
funding, tier tables and collateral value ratios from the plan's venue (public endpoints; see
README "What is sent where"; collateral ratios from Bybit and OKX only).

Writes the refreshed plan to OUT (default: PLAN itself, keeping ``PLAN.bak``) and prints a
summary: marks updated, tier tables and collateral ratios changed, liquidation prices that
moved and by how much. Exit codes: 0 done; 2 bad input (plan, ``--what``, a symbol or
collateral asset the venue does not list); 3 venue unreachable or its answer unusable
(timeouts, HTTP 429/5xx, truncated JSON, a rule broken); 1 the output cannot be written. On
any failure no file is written.
"""

from __future__ import annotations

import argparse
import sys

from planner.domain.text_rules import terminal_text
from planner.marketdata.errors import MarketDataError
from planner.marketdata.quotes import WHAT_ORDER
from planner.marketdata.refresh import apply_market_data, fetch_market_data, parse_what
from planner.storage import SaveError, load_plan, save_plan
from planner.storage.paths import refuse_unnameable

EXIT_OK = 0
EXIT_FAILED = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("plan", metavar="PLAN", help="a .tplan file")
    parser.add_argument(
        "-o", "--output", metavar="OUT", help="write the refreshed plan here (default: PLAN)"
    )
    parser.add_argument(
        "--what",
        default=",".join(WHAT_ORDER),
        metavar="LIST",
        help="what to fetch, comma-separated: marks, funding, tiers, collateral (the collateral "
        "items' value ratios; Bybit and OKX) (default: all four)",
    )


def run(args: argparse.Namespace) -> int:
    refuse_unnameable(args.output)  # exit 2 before anything is fetched
    plan = load_plan(args.plan)  # PlanError → one line, exit 2 (planner.cli)
    try:
        what = parse_what(args.what)
        data = fetch_market_data(plan, what)
        new_plan, summary = apply_market_data(plan, data)
    except MarketDataError as error:
        print(terminal_text(f"margin-planner: {error}", keep_newlines=False), file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("margin-planner: cancelled; nothing was written", file=sys.stderr)
        return EXIT_FAILED
    output = args.output or args.plan
    try:
        save_plan(new_plan, output)
    except SaveError as error:
        print(terminal_text(f"margin-planner: {error}", keep_newlines=False), file=sys.stderr)
        return EXIT_FAILED
    for line in summary.lines():
        print(terminal_text(line, keep_newlines=False))
    print(terminal_text(f"wrote {output}", keep_newlines=False))
    return EXIT_OK
