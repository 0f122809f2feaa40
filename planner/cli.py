"""The ``margin-planner`` command: the window by default, subcommands for scripts.

    margin-planner [PLAN] [--screenshot OUT.png]   open the window (optionally render and exit)
    margin-planner analyze PLAN [--json]           the analysis as a table or as JSON
    margin-planner schema                          the plan file's JSON Schema
    margin-planner check PLAN...                   validate plan files (exit 2 if any is bad)
    margin-planner compare PLAN [--json]           planned vs all-cross vs all-isolated
    margin-planner sweep PLAN (--symbol S | --market [--beta SYM=B ...]) [--from --to --steps]
    margin-planner export PLAN -o OUT.pdf [--paper a4|letter]   the plan's PDF report
    margin-planner refresh PLAN [-o OUT] [--what marks,funding,tiers]   from the venue (network)
    margin-planner import hyperliquid ADDRESS -o PLAN   positions of a wallet (network)
    margin-planner import csv FILE -o PLAN [--venue --currency --wallet-balance]

Each subcommand lives in ``planner/commands/<name>.py`` with ``add_arguments(parser)`` and
``run(args) -> int``; register it with one line in ``COMMANDS``. Only the chosen subcommand's
module is imported (the others are listed by name and help only), so a command loads nothing it
does not use and the process starts fast. Bad input prints one line on stderr and exits with
code 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

#: subcommand → (module under planner.commands, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "analyze": ("analyze", "print the analysis of a plan (a table, or JSON with --json)"),
    "schema": ("schema", "print the JSON Schema of plan files"),
    "check": ("check", "check plan files: 'OK path' or 'path: problem' for each"),
    "compare": ("compare", "the plan as planned, all-cross and all-isolated, side by side"),
    "sweep": ("sweep", "the account along a range of price moves, and the liquidations on the way"),
    "export": ("export", "write the plan's PDF report (assumptions, figures, charts, scenarios)"),
    "refresh": ("refresh", "fetch marks, funding and tier tables from the plan's venue"),
    "import": ("import_positions", "a plan from a Hyperliquid address or a CSV of positions"),
}

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit code 2
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message} (see --help)\n")


class _Version(argparse.Action):
    """``--version``: reads the package metadata only when asked (importlib.metadata is slow
    to import)."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        from planner.version import app_version

        # on standard output, as argparse's own version action prints it
        print(f"{parser.prog} {app_version()}")
        parser.exit(0)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; only ``command``'s arguments are added (every one when it is None)."""
    parser = _Parser(
        prog="margin-planner",
        description="Plan crypto futures positions and see what cross and isolated margin do.",
    )
    parser.add_argument("--version", action=_Version, help="show the program's version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (module, help_text) in COMMANDS.items():
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        if command is None or name == command:
            _command_module(module).add_arguments(command_parser)
    return parser


def _command_module(module: str):
    return importlib.import_module(f"planner.commands.{module}")


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (
        args_list[0] not in COMMANDS and args_list[0] not in ("-h", "--help", "--version")
    ):
        return _run_gui(args_list)
    chosen = args_list[0] if args_list[0] in COMMANDS else ""
    args = build_parser(chosen).parse_args(args_list)
    module = _command_module(COMMANDS[args.command][0])
    from planner.domain.errors import PlanError  # pydantic: loaded once a command runs
    from planner.domain.text_rules import terminal_text

    try:
        return int(module.run(args))
    except PlanError as error:
        print(terminal_text(f"margin-planner: {error}", keep_newlines=False), file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return EXIT_OK


def _run_gui(args_list: list[str]) -> int:
    try:
        gui = importlib.import_module("planner.ui.app")
    except ModuleNotFoundError as error:
        if error.name and error.name.startswith("planner.ui"):
            print(
                "margin-planner: the window is not built yet; use a subcommand "
                "(margin-planner --help)",
                file=sys.stderr,
            )
            return EXIT_FAILED
        raise
    return int(gui.main(args_list))


if __name__ == "__main__":
    sys.exit(main())
