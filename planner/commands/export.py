"""``margin-planner export PLAN -o OUT.pdf [--paper a4|letter]``: the plan's PDF report.

Runs headless (Qt's offscreen platform when there is no display). A plan that cannot be read
is refused like everywhere else (one line, exit code 2); an output that cannot be written
prints one line and exits with code 1, leaving no partial file behind.
"""

from __future__ import annotations

import argparse
import sys

from planner.storage import SaveError, load_plan

EXIT_OK = 0
EXIT_FAILED = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("plan", metavar="PLAN", help="a .tplan file")
    parser.add_argument(
        "-o", "--output", metavar="OUT.pdf", required=True, help="the PDF file to write"
    )
    parser.add_argument(
        "--paper", choices=("a4", "letter"), default="a4", help="paper size (default: a4)"
    )


def run(args: argparse.Namespace) -> int:
    plan = load_plan(args.plan)  # PlanError → one line, exit code 2 (planner.cli)
    from planner.report.pdf import export_pdf  # Qt is loaded only when it is needed

    try:
        pages = export_pdf(plan, args.output, args.paper, source=args.plan)
    except SaveError as error:
        print(f"margin-planner: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(f"wrote {args.output} ({pages} page{'s' if pages != 1 else ''})")
    return EXIT_OK
