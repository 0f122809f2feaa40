"""Shared pieces of the window's refresh tests: the local venue server, a venue that holds its
answer until told, and waiting for a refresh to end."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from planner.marketdata.http import env_variable
from planner.ui.dialogs.refresh import CONSENT_KEY
from planner.ui.main_window import MainWindow
from tests.marketdata.helpers import fixture, fixture_text

SYMBOLS = ("BTCUSDT", "ETHUSDT", "SOLUSDT")  # the spec example's markets (a Binance plan)
WAIT_MS = 15000


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    return ("127.0.0.1", 0)


@pytest.fixture
def venue(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    """Binance pointed at the local server (``MARGIN_PLANNER_BINANCE_URL``); nothing served."""
    monkeypatch.setenv(env_variable("binance"), httpserver.url_for("/").rstrip("/"))
    return httpserver


def serve_spec_markets(server: HTTPServer) -> None:
    server.expect_request("/fapi/v1/fundingInfo").respond_with_json(
        fixture("binance_fundingInfo.json")
    )
    for symbol in SYMBOLS:
        server.expect_request(
            "/fapi/v1/premiumIndex", query_string={"symbol": symbol}
        ).respond_with_json(fixture(f"binance_premiumIndex_{symbol}.json"))


def recorded_marks() -> dict[str, float]:
    return {s: float(fixture(f"binance_premiumIndex_{s}.json")["markPrice"]) for s in SYMBOLS}


class HeldAnswers:
    """A venue that answers only once ``release()`` is called (or after ``limit`` seconds)."""

    def __init__(self, limit: float = 10.0) -> None:
        self._release = threading.Event()
        self.limit = limit
        self.asked = threading.Event()

    def release(self) -> None:
        self._release.set()

    def premium_index(self, request: Request) -> Response:
        self.asked.set()
        self._release.wait(self.limit)
        symbol = request.args.get("symbol", "")
        return Response(
            fixture_text(f"binance_premiumIndex_{symbol}.json"), content_type="application/json"
        )


@pytest.fixture
def held(venue: HTTPServer) -> Iterator[HeldAnswers]:
    answers = HeldAnswers()
    venue.expect_request("/fapi/v1/fundingInfo").respond_with_json(
        fixture("binance_fundingInfo.json")
    )
    venue.expect_request("/fapi/v1/premiumIndex").respond_with_handler(answers.premium_index)
    yield answers
    answers.release()  # never leave the server thread waiting


def allow(window: MainWindow, venue_name: str = "binance") -> None:
    """The trader already agreed to contact the venue."""
    window.refresher._settings.setValue(CONSENT_KEY, venue_name)


def wait_for_refresh(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.refresher.is_running, timeout=WAIT_MS)
