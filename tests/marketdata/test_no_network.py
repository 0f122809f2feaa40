"""Offline by default: ``analyze``, ``check`` and ``export`` never open a socket, even for a
plan of imported positions (venue liquidation prices) whose markets were refreshed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.marketdata.helpers import plan_data

REPO = Path(__file__).resolve().parents[2]

GUARD = r"""
import json, socket, sys

def refuse(event, args):
    if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname"):
        raise RuntimeError(f"network use: {event} {args!r}")

def refuse_call(*args, **kwargs):
    raise RuntimeError("network use: a socket was opened")

sys.addaudithook(refuse)
socket.socket.connect = refuse_call
socket.socket.connect_ex = refuse_call
socket.create_connection = refuse_call

from planner.cli import main

plan, pdf = sys.argv[1], sys.argv[2]
codes = {
    "analyze": main(["analyze", plan]),
    "analyze --json": main(["analyze", plan, "--json"]),
    "check": main(["check", plan]),
    "export": main(["export", plan, "-o", pdf]),
}
print("CODES " + json.dumps(codes))
"""


def test_analyze_check_and_export_open_no_socket(tmp_path: Path) -> None:
    raw = plan_data(
        "hyperliquid",
        [
            {
                "symbol": "BTC",
                "mark_price": 59000,
                "funding_rate": 0.0000125,
                "funding_interval_hours": 1,
                "quote_as_of": "2024-10-29T00:00:00Z",
                "maintenance": {"mmr": 0.0125, "max_leverage": 40},
            }
        ],
        [
            {
                "id": "btc-short",
                "symbol": "BTC",
                "side": "short",
                "quantity": 0.5,
                "entry_price": 60000,
                "leverage": 20,
                "margin_mode": "cross",
                "venue_liquidation_price": 65100,
            }
        ],
    )
    plan = tmp_path / "imported.tplan"
    plan.write_text(json.dumps(raw), "utf-8")
    pdf = tmp_path / "report.pdf"
    result = subprocess.run(
        [sys.executable, "-c", GUARD, str(plan), str(pdf)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
        check=False,
    )
    assert "network use" not in result.stdout + result.stderr, result.stderr[-2000:]
    codes_line = next(line for line in result.stdout.splitlines() if line.startswith("CODES "))
    assert json.loads(codes_line.removeprefix("CODES ")) == {
        "analyze": 0,
        "analyze --json": 0,
        "check": 0,
        "export": 0,
    }
    assert "Venue liquidation prices" in result.stdout
    assert pdf.stat().st_size > 1000


def test_the_guard_does_catch_a_connection(tmp_path: Path) -> None:
    probe = GUARD.split("from planner.cli import main")[0] + (
        "import urllib.request\n"
        "try:\n"
        "    urllib.request.urlopen('http://127.0.0.1:9/', timeout=1)\n"
        "except RuntimeError as error:\n"
        "    print(error)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert "network use" in result.stdout
