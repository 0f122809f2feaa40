"""Benchmarks: ``python3 -m benchmarks`` runs them all, ``python3 -m benchmarks NAME`` one.

Each module listed in ``SUITES`` has ``main() -> None`` that prints its figures.
"""

SUITES = ["engine", "decision", "cli", "ui", "chart", "report"]
