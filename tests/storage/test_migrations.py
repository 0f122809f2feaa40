"""Versions: golden files of every version load to the expected plan; saving writes the
current version; the version-0 → 1 step and the chain's edges."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from planner.domain.errors import PlanError
from planner.domain.plan import PLAN_VERSION
from planner.storage import load_plan, parse_plan_bytes, plan_to_bytes
from planner.storage.migrations import STEPS, migrate

GOLDEN = Path(__file__).parent / "golden"
NAMES = ("mixed-account", "hedge-tiers")


def test_there_are_golden_files_for_every_version_and_a_step_from_every_old_one() -> None:
    for version in range(PLAN_VERSION + 1):
        folder = GOLDEN / f"v{version}"
        assert sorted(p.stem for p in folder.glob("*.tplan")) == sorted(NAMES), folder
        for path in folder.glob("*.tplan"):
            assert json.loads(path.read_bytes())["version"] == version, path
    assert sorted(STEPS) == list(range(PLAN_VERSION))


@pytest.mark.parametrize("version", range(PLAN_VERSION + 1))
@pytest.mark.parametrize("name", NAMES)
def test_every_version_loads_to_the_current_plan(version: int, name: str) -> None:
    current = load_plan(GOLDEN / f"v{PLAN_VERSION}" / f"{name}.tplan")
    assert load_plan(GOLDEN / f"v{version}" / f"{name}.tplan") == current


@pytest.mark.parametrize("name", NAMES)
def test_saving_an_old_file_writes_the_current_version(name: str) -> None:
    old = load_plan(GOLDEN / "v0" / f"{name}.tplan")
    written = plan_to_bytes(old)
    assert json.loads(written)["version"] == PLAN_VERSION
    # identical to the current golden file: the writer's format is pinned too
    assert written == (GOLDEN / f"v{PLAN_VERSION}" / f"{name}.tplan").read_bytes()


def test_version_0_fields_become_their_version_1_meaning() -> None:
    mixed = load_plan(GOLDEN / "v0" / "mixed-account.tplan")
    assert mixed.version == PLAN_VERSION
    assert mixed.account.position_mode == "one-way"
    eth, btc = mixed.positions
    assert eth.leverage == 10.0  # "10x"
    assert eth.added_margin == 250  # extra_margin
    assert [(tp.price, tp.fraction) for tp in eth.take_profits] == [(3300, 1.0)]
    assert btc.leverage == 20.0  # "20×"
    assert btc.take_profits == ()  # take_profit: null
    eth_market = mixed.market("ETHUSDT").maintenance
    assert (eth_market.mmr, eth_market.maintenance_amount, eth_market.max_leverage) == (
        0.004,
        0.0,
        100.0,
    )

    hedged = load_plan(GOLDEN / "v0" / "hedge-tiers.tplan")
    assert hedged.account.position_mode == "hedge"
    assert [p.leverage for p in hedged.positions] == [5.0, 12.5, 8.0]  # "5X", " 12.5 x ", 8
    assert hedged.positions[0].added_margin == -500
    assert len(hedged.market("BTCUSDT").tiers) == 2


def _v0(**position: Any) -> dict[str, Any]:
    return {
        "format": "margin-planner.plan",
        "version": 0,
        "account": {"currency": "USDT", "wallet_balance": 1000},
        "markets": [{"symbol": "BTCUSDT", "mark_price": 50000, "maintenance_rate": 0.004}],
        "positions": [
            {
                "id": "p",
                "symbol": "BTCUSDT",
                "side": "long",
                "quantity": 0.01,
                "entry_price": 50000,
                "leverage": "10x",
                "margin_mode": "isolated",
                **position,
            }
        ],
    }


def _load(data: dict[str, Any]):
    return parse_plan_bytes(json.dumps(data).encode(), source="old.tplan")


def test_migrate_does_not_change_the_callers_data() -> None:
    data = _v0(extra_margin=5)
    before = copy.deepcopy(data)
    migrated = migrate(data)
    assert data == before
    assert migrated["version"] == PLAN_VERSION
    assert migrated["positions"][0]["added_margin"] == 5
    assert migrated["positions"][0]["leverage"] == 10.0
    assert migrated["markets"][0]["maintenance"] == {"mmr": 0.004}


@pytest.mark.parametrize(
    ("position", "message"),
    [
        (
            {"leverage": "ten"},
            "old.tplan: positions[0].leverage = 'ten': not a leverage "
            '(version 0 wrote it like "10x")',
        ),
        ({"leverage": "x"}, "positions[0].leverage = 'x': not a leverage"),
        (
            {"extra_margin": 1, "added_margin": 2},
            "old.tplan: positions[0]: has both extra_margin (version 0) and added_margin "
            "(version 1); keep one",
        ),
        (
            {"take_profit": 60000, "take_profits": []},
            "positions[0]: has both take_profit (version 0) and take_profits (version 1)",
        ),
        ({"leverage": [10]}, "positions[0].leverage"),
        ({"extra_margin": "lots"}, "positions[0].added_margin = 'lots'"),
        ({"take_profit": -1}, "positions[0].take_profits[0].price = -1"),
    ],
)
def test_unreadable_version_0_values_are_refused_with_their_path(
    position: dict[str, Any], message: str
) -> None:
    with pytest.raises(PlanError) as caught:
        _load(_v0(**position))
    assert message in str(caught.value)


def test_version_0_account_and_market_conflicts_are_refused() -> None:
    data = _v0()
    data["account"]["hedge_mode"] = "yes"
    with pytest.raises(PlanError, match=r"account\.hedge_mode = 'yes': must be true or false"):
        _load(data)
    data = _v0()
    data["account"].update(hedge_mode=True, position_mode="hedge")
    with pytest.raises(PlanError, match="has both hedge_mode"):
        _load(data)
    data = _v0()
    data["markets"][0]["maintenance"] = {"mmr": 0.004}
    with pytest.raises(PlanError, match=r"markets\[0\]: has both maintenance_rate"):
        _load(data)


def test_version_0_data_of_the_wrong_shape_reaches_validation_not_a_crash() -> None:
    for broken in (
        {"positions": "none"},
        {"positions": [1, "two", None]},
        {"markets": {"BTCUSDT": {}}},
        {"account": [1]},
    ):
        data = {**_v0(), **broken}
        with pytest.raises(PlanError):
            _load(data)


def test_a_version_older_than_every_migration_is_refused() -> None:
    data = _v0()
    data["version"] = -1
    with pytest.raises(PlanError) as caught:
        _load(data)
    assert str(caught.value) == (
        "old.tplan: version = -1: no migration from this version "
        f"(this program reads versions 0 to {PLAN_VERSION})"
    )
