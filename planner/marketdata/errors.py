"""What can go wrong when the planner talks to a venue, each as one line for the user.

``VenueUnreachable`` (CLI exit 3): the venue could not be reached or did not answer usably —
connection refused, DNS, TLS, timeouts, HTTP 429 / 5xx, a truncated or malformed body, or an
answer that breaks a rule (a negative mark, a tier table with a gap). ``BadMarketInput`` (CLI
exit 2): the request itself cannot be served — a symbol or collateral asset the venue does not
list, an address that is not one, a plan whose venue has no public data. ``FetchCancelled``:
the caller asked to stop. Every message names the venue and, where there is one, the symbol
(or asset) and the field.
"""

from __future__ import annotations


class MarketDataError(Exception):
    """Base class; ``str(error)`` is one line for the user."""

    exit_code = 3

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


class VenueUnreachable(MarketDataError):
    """The venue did not answer, or answered something that cannot be used (exit 3)."""

    exit_code = 3


class BadVenueResponse(VenueUnreachable):
    """The venue answered, but the answer breaks a rule; names venue, symbol and field."""

    def __init__(self, venue: str, symbol: str | None, field: str, problem: str) -> None:
        where = f"{venue} {symbol}" if symbol else venue
        super().__init__(f"{where}: {field}: {problem}")
        self.venue = venue
        self.symbol = symbol
        self.field = field


class BadMarketInput(MarketDataError):
    """What was asked for cannot be served: an unlisted symbol, a malformed address (exit 2)."""

    exit_code = 2


class UnknownSymbol(BadMarketInput):
    def __init__(self, venue: str, symbol: str, instrument: str | None = None) -> None:
        shown = symbol if instrument in (None, symbol) else f"{symbol} (as {instrument})"
        super().__init__(f"{venue} {shown}: symbol: the venue does not list this market")
        self.venue = venue
        self.symbol = symbol


class UnknownAsset(BadMarketInput):
    """The venue lists no collateral ratio for a collateral asset of the plan (exit 2)."""

    def __init__(self, venue: str, asset: str) -> None:
        super().__init__(
            f"{venue} {asset}: collateral: the venue lists no collateral ratio for this asset"
        )
        self.venue = venue
        self.asset = asset


class FetchCancelled(MarketDataError):
    """The caller cancelled the fetch; nothing was changed."""

    exit_code = 1

    def __init__(self, venue: str | None = None) -> None:
        super().__init__(f"{venue}: cancelled" if venue else "cancelled")
