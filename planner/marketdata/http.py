"""One HTTP session per fetch: httpx with the venues' base URLs, a connect timeout, one deadline
for the whole fetch, proxies and certificates from the environment, TLS verification on.

Nothing here runs unless the trader asks for a refresh or an import. Requests are plain public
GETs (Binance, Bybit, OKX) or POSTs of a small JSON body (Hyperliquid ``/info``); no key, no
cookie, no identifier of the user is sent — only a ``User-Agent: margin-planner/<version>``.

``VenueSession`` is safe to run on a worker thread. ``CancelToken.cancel()`` from any thread
stops it at the next read (at most one read timeout later); the caller then gets
``FetchCancelled`` and nothing is applied.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from planner.marketdata.errors import FetchCancelled, MarketDataError, VenueUnreachable
from planner.version import app_version

#: The venues' public API hosts. ``MARGIN_PLANNER_<VENUE>_URL`` replaces one (proxies, tests).
DEFAULT_BASE_URLS: dict[str, str] = {
    "binance": "https://fapi.binance.com",
    "bybit": "https://api.bybit.com",
    "okx": "https://www.okx.com",
    "hyperliquid": "https://api.hyperliquid.xyz",
}
CONNECT_TIMEOUT_S = 5.0
TOTAL_TIMEOUT_S = 20.0
#: Larger answers are refused (the biggest one, Hyperliquid's metaAndAssetCtxs, is ~200 kB).
MAX_BODY_BYTES = 16 * 1024 * 1024


def env_variable(venue: str) -> str:
    return f"MARGIN_PLANNER_{venue.upper()}_URL"


def base_url(venue: str, env: Mapping[str, str] | None = None) -> str:
    """The venue's base URL: the environment override when set, else the public host."""
    environment = os.environ if env is None else env
    override = environment.get(env_variable(venue), "").strip()
    if not override:
        return DEFAULT_BASE_URLS[venue]
    parts = urlsplit(override)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise MarketDataError(
            f"{env_variable(venue)} = {override!r}: must be an http:// or https:// URL"
        )
    return override.rstrip("/")


class CancelToken:
    """Set from any thread to stop a running fetch."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


class VenueSession:
    """Requests against the venues, all under one deadline (``total_timeout`` seconds from the
    session's creation). Use as a context manager."""

    def __init__(
        self,
        *,
        total_timeout: float = TOTAL_TIMEOUT_S,
        connect_timeout: float = CONNECT_TIMEOUT_S,
        cancel: CancelToken | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.total_timeout = total_timeout
        self.connect_timeout = connect_timeout
        self.deadline = time.monotonic() + total_timeout
        self.cancel = cancel or CancelToken()
        self.env = env
        self.requests: list[str] = []  # "GET https://…" for the record
        self._client = httpx.Client(
            trust_env=True,  # HTTP(S)_PROXY, NO_PROXY, SSL_CERT_FILE from the environment
            verify=True,
            follow_redirects=False,
            headers={"User-Agent": f"margin-planner/{app_version()}", "Accept": "application/json"},
        )

    def __enter__(self) -> VenueSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def check_cancelled(self, venue: str | None = None) -> None:
        if self.cancel.cancelled:
            raise FetchCancelled(venue)

    def get(self, venue: str, path: str, params: Mapping[str, str] | None = None) -> Any:
        return self.request(venue, "GET", path, params=params)

    def post(self, venue: str, path: str, body: Mapping[str, Any]) -> Any:
        return self.request(venue, "POST", path, body=body)

    def request(
        self,
        venue: str,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
        accept_status: frozenset[int] = frozenset(),
    ) -> Any:
        """The answer's JSON (NaN and Infinity refused). Status 2xx — or one in
        ``accept_status``, returned as ``(status, json)`` — else ``VenueUnreachable``."""
        self.check_cancelled(venue)
        url = base_url(venue, self.env) + path
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise VenueUnreachable(f"{venue}: no answer within {self.total_timeout:g} s ({url})")
        timeout = httpx.Timeout(
            connect=min(self.connect_timeout, remaining),
            read=remaining,
            write=remaining,
            pool=remaining,
        )
        self.requests.append(f"{method} {url}")
        try:
            with self._client.stream(
                method, url, params=dict(params or {}), json=body, timeout=timeout
            ) as response:
                status = response.status_code
                headers = response.headers
                data = self._read_body(venue, url, response)
        except MarketDataError:
            raise
        except httpx.TimeoutException:
            raise VenueUnreachable(
                f"{venue}: no answer within {self.total_timeout:g} s ({url})"
            ) from None
        except httpx.ConnectError as error:
            raise VenueUnreachable(
                f"{venue}: cannot connect to {urlsplit(url).netloc} ({_reason(error)})"
            ) from None
        except httpx.HTTPError as error:
            raise VenueUnreachable(
                f"{venue}: the connection failed ({_reason(error)}) ({url})"
            ) from None
        self.check_cancelled(venue)
        if status in (418, 429):
            raise VenueUnreachable(
                f"{venue}: rate limited (HTTP {status}){_retry_after(headers)} ({url})"
            )
        if status >= 500:
            raise VenueUnreachable(f"{venue}: server error (HTTP {status}) ({url})")
        if not 200 <= status < 300 and status not in accept_status:
            raise VenueUnreachable(
                f"{venue}: refused the request (HTTP {status}{_venue_message(data)}) ({url})"
            )
        parsed = _parse_json(venue, url, data)
        return (status, parsed) if accept_status else parsed

    def _read_body(self, venue: str, url: str, response: httpx.Response) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            self.check_cancelled(venue)
            if time.monotonic() > self.deadline:
                raise VenueUnreachable(
                    f"{venue}: no complete answer within {self.total_timeout:g} s ({url})"
                )
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise VenueUnreachable(
                    f"{venue}: the answer is larger than {MAX_BODY_BYTES // 2**20} MB ({url})"
                )
            chunks.append(chunk)
        return b"".join(chunks)


def _parse_json(venue: str, url: str, data: bytes) -> Any:
    def refuse_constant(name: str) -> Any:
        raise ValueError(f"{name} is not a number")

    try:
        return json.loads(data.decode("utf-8"), parse_constant=refuse_constant)
    except UnicodeDecodeError:
        raise VenueUnreachable(f"{venue}: the answer is not UTF-8 text ({url})") from None
    except json.JSONDecodeError as error:
        cut = error.pos >= len(data.rstrip()) or error.msg.startswith("Unterminated")
        what = "truncated" if cut else "not valid"
        raise VenueUnreachable(
            f"{venue}: the answer is {what} JSON ({error.msg} at byte {error.pos} of "
            f"{len(data)}) ({url})"
        ) from None
    except (ValueError, RecursionError) as error:
        raise VenueUnreachable(
            f"{venue}: the answer is not usable JSON ({error}) ({url})"
        ) from None


def _retry_after(headers: httpx.Headers) -> str:
    value = headers.get("Retry-After", "").strip()
    if not value:
        return ""
    if value.isdigit():
        return f", retry after {int(value)} s"
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return f", retry after {value[:40]}"
    return f", retry after {when.isoformat()}"


def _venue_message(data: bytes) -> str:
    """A venue's own error text (Binance ``msg``, Bybit ``retMsg``, OKX ``msg``), shortened."""
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return ""
    if isinstance(parsed, dict):
        for key in ("msg", "retMsg", "error", "message"):
            text = parsed.get(key)
            if isinstance(text, str) and text.strip():
                return ": " + " ".join(text.split())[:120]
    return ""


def _reason(error: Exception) -> str:
    text = str(error).strip() or type(error).__name__
    return " ".join(text.split())[:160]
