"""Subcommands of ``margin-planner``; see ``planner.cli``."""
