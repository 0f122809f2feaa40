"""``margin-planner export PLAN -o OUT.pdf [--paper a4|letter] [--max-pages N] [--author NAME]
[--full-tiers]``: the plan's PDF report.

Needs no Qt and no display: the report is laid out by ReportLab. A plan that cannot be read is
refused like everywhere else (one line, exit code 2); a report that would have more than
``--max-pages`` pages (default 1,000) is refused up front the same way — one line saying how
many pages it would have, exit code 2, no file written — so that a huge plan never runs for
minutes; an output that cannot be written (a path the system refuses, a folder, FIFO, device
or read-only file, a missing folder, a full disk…) is refused the same way — one line, exit
code 2 (issue 14), no partial file left behind — and checked before the report is built.
"""

from __future__ import annotations

import argparse
import sys

from planner.domain.text_rules import terminal_text
from planner.storage import SaveError, load_plan
from planner.storage.atomic import check_writable_target

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
#: The default bound of ``--max-pages``.
DEFAULT_MAX_PAGES = 1000


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("plan", metavar="PLAN", help="a .tplan file")
    parser.add_argument(
        "-o", "--output", metavar="OUT.pdf", required=True, help="the PDF file to write"
    )
    parser.add_argument(
        "--paper", choices=("a4", "letter"), default="a4", help="paper size (default: a4)"
    )
    parser.add_argument(
        "--max-pages",
        metavar="N",
        type=_positive,
        default=DEFAULT_MAX_PAGES,
        help=f"refuse (exit 2) a report of more than N pages (default: {DEFAULT_MAX_PAGES})",
    )
    parser.add_argument(
        "--author", metavar="NAME", default="", help="the PDF's Author (default: empty)"
    )
    parser.add_argument(
        "--full-tiers",
        action="store_true",
        help="print every tier of every market (default: the tiers in use and the next ones)",
    )


def run(args: argparse.Namespace) -> int:
    plan = load_plan(args.plan)  # PlanError → one line, exit code 2 (planner.cli)
    from planner.report.pdf import TooManyPages, export_pdf

    try:
        check_writable_target(args.output)
        pages = export_pdf(
            plan,
            args.output,
            args.paper,
            source=args.plan,
            author=args.author,
            full_tiers=args.full_tiers,
            max_pages=args.max_pages,
        )
    except (TooManyPages, SaveError) as error:
        print(terminal_text(f"margin-planner: {error}", keep_newlines=False), file=sys.stderr)
        return EXIT_BAD_INPUT
    shown = terminal_text(str(args.output), keep_newlines=False)
    print(f"wrote {shown} ({pages} page{'s' if pages != 1 else ''})")
    return EXIT_OK
