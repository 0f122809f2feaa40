"""Migrations of plan data from every older version to the current one.

Each step takes the JSON data of version N and returns that of version N + 1; ``migrate`` runs
the chain on a copy (the caller's data is never changed). Data is plain JSON here (dicts and
lists), never a model: migrations must keep working when the models change. A step rewrites
only what it recognises and leaves anything else for validation to report with its path; it
raises ``PlanError`` only for what it cannot rewrite (a conflict between an old and a new name,
a leverage it cannot read).

Version history (golden files of every version: tests/storage/golden/v<N>/):

**Version 0** — the files of the 0.0.x previews, before spec/plan-format.md was fixed:

- ``account.hedge_mode`` (true/false) instead of ``account.position_mode``
  ("hedge"/"one-way");
- a market's flat maintenance rule written on the market itself — ``maintenance_rate``, with
  optional ``maintenance_amount`` and ``max_leverage`` beside it — instead of inside
  ``maintenance`` (tier tables were already written as ``maintenance: {"tiers": [...]}``);
- ``positions[].leverage`` as the text shown on exchanges: ``"10x"``, ``"10X"``, ``"10×"`` or
  ``"10"`` (a number was accepted too);
- ``positions[].extra_margin`` instead of ``added_margin``;
- ``positions[].take_profit``: one price that closes the whole position, instead of the list
  ``take_profits`` of prices and fractions.

**Version 1** — spec/plan-format.md.

**Version 2** — spec/plan-format-v2.md: version 1 plus optional fields (``horizon_hours``;
``account.risk_limits`` and ``account.collateral``; a market's ``quantity_step``,
``min_quantity``, ``funding_rate``, ``funding_interval_hours`` and ``quote_as_of``; a
position's ``scale_in`` and ``venue_liquidation_price``). Every version-1 file means the same
in version 2, so the step only changes the version number; saving leaves the new fields out
at their defaults, so a migrated file differs from its version-1 text in that number alone.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from planner.domain.errors import PlanError
from planner.domain.plan import PLAN_VERSION

Data = dict[str, Any]


def _v0_to_v1(data: Data) -> Data:
    account = data.get("account")
    if isinstance(account, dict) and "hedge_mode" in account:
        hedge = account.pop("hedge_mode")
        if "position_mode" in account:
            raise _conflict("account", "hedge_mode", "position_mode")
        if not isinstance(hedge, bool):
            raise PlanError(
                f"account.hedge_mode = {_show(hedge)}: must be true or false",
                field="account.hedge_mode",
            )
        account["position_mode"] = "hedge" if hedge else "one-way"

    markets = data.get("markets")
    for i, market in enumerate(markets if isinstance(markets, list) else ()):
        if not isinstance(market, dict) or "maintenance_rate" not in market:
            continue
        if "maintenance" in market:
            raise _conflict(f"markets[{i}]", "maintenance_rate", "maintenance")
        rule = {"mmr": market.pop("maintenance_rate")}
        for name in ("maintenance_amount", "max_leverage"):
            if name in market:
                rule[name] = market.pop(name)
        market["maintenance"] = rule

    positions = data.get("positions")
    for i, position in enumerate(positions if isinstance(positions, list) else ()):
        if not isinstance(position, dict):
            continue
        path = f"positions[{i}]"
        if "leverage" in position:
            position["leverage"] = _leverage(position["leverage"], f"{path}.leverage")
        if "extra_margin" in position:
            if "added_margin" in position:
                raise _conflict(path, "extra_margin", "added_margin")
            position["added_margin"] = position.pop("extra_margin")
        if "take_profit" in position:
            if "take_profits" in position:
                raise _conflict(path, "take_profit", "take_profits")
            price = position.pop("take_profit")
            position["take_profits"] = [] if price is None else [{"price": price, "fraction": 1}]
    return data


_LEVERAGE = re.compile(r"\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*[xX×]?\s*")


def _leverage(value: Any, path: str) -> Any:
    if not isinstance(value, str):
        return value  # a number already; anything else is validation's to report
    match = _LEVERAGE.fullmatch(value)
    if match is None:
        raise PlanError(
            f'{path} = {_show(value)}: not a leverage (version 0 wrote it like "10x")',
            field=path,
        )
    return float(match.group(1))


def _conflict(path: str, old: str, new: str) -> PlanError:
    return PlanError(
        f"{path}: has both {old} (version 0) and {new} (version 1); keep one",
        field=f"{path}.{old}",
    )


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _v1_to_v2(data: Data) -> Data:
    # version 2 only adds optional fields whose defaults mean what version 1 meant
    return data


#: version N → function that turns version-N data into version-(N + 1) data
STEPS: dict[int, Callable[[Data], Data]] = {0: _v0_to_v1, 1: _v1_to_v2}


def migrate(data: Data) -> Data:
    """Version-N data → current-version data (a new object; ``data`` is left as it was)."""
    version = data["version"]
    if version >= PLAN_VERSION:
        return data
    data = copy.deepcopy(data)
    while version < PLAN_VERSION:
        step = STEPS.get(version)
        if step is None:
            raise PlanError(
                f"version = {_show(version)}: no migration from this version "
                f"(this program reads versions {min(STEPS, default=PLAN_VERSION)} "
                f"to {PLAN_VERSION})",
                field="version",
            )
        data = step(data)
        version += 1
        data["version"] = version
    return data
