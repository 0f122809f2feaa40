"""``margin-planner check PLAN…``: validate plan files, one line per file.

Prints ``OK path`` for a file that loads (after migration, if it is of an older version) and
``path: problem`` for one that does not — the same loader and messages as ``analyze`` and the
window. Exit code 0 only when every file is valid, 2 otherwise.
"""

from __future__ import annotations

import argparse

from planner.domain.errors import PlanError
from planner.domain.text_rules import terminal_text
from planner.storage import load_plan

EXIT_OK = 0
EXIT_INVALID = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("plans", metavar="PLAN", nargs="+", help="one or more .tplan files")


def run(args: argparse.Namespace) -> int:
    all_valid = True
    for path in args.plans:
        try:
            load_plan(path)
        except PlanError as error:
            all_valid = False
            message = str(error)
            if not message.startswith(f"{path}:"):
                message = f"{path}: {message}"
            print(terminal_text(message, keep_newlines=False), flush=True)
        else:
            print(terminal_text(f"OK {path}", keep_newlines=False), flush=True)
    return EXIT_OK if all_valid else EXIT_INVALID
