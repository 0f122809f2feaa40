"""The twin view's figures are analyze() of the plan with its modes switched."""

from __future__ import annotations

import json

import pytest

from planner.domain.formatting import format_amount, format_percent
from planner.domain.plan_analysis import analyze
from planner.domain.scenarios import liquidating_market_move, with_margin_mode
from planner.domain.twin import Comparison, compare
from tests.domain.decision_fixtures import (
    hedge_plan,
    inverse_plan,
    make_plan,
    mixed_plan,
    pos,
    spec_plan,
)

VARIANTS = ("planned", "all_cross", "all_isolated")


def variant_plan(plan, name):
    return {
        "planned": plan,
        "all_cross": with_margin_mode(plan, "cross"),
        "all_isolated": with_margin_mode(plan, "isolated"),
    }[name]


@pytest.mark.parametrize(
    "make", [spec_plan, mixed_plan, inverse_plan, hedge_plan, lambda: mixed_plan("okx", 0.0005)]
)
def test_figures_are_the_analysis_of_the_switched_plans(make) -> None:
    plan = make()
    comparison = compare(plan)
    assert isinstance(comparison, Comparison)
    assert comparison.variants == VARIANTS
    for name in VARIANTS:
        switched = variant_plan(plan, name)
        analysis = analyze(switched)
        totals = comparison.totals[name]
        cross_positions = [p for p in switched.positions if p.margin_mode == "cross"]
        assert totals.free_balance == pytest.approx(analysis.cross.available)
        assert totals.margin_locked == pytest.approx(
            sum(p.margin if p.margin is not None else p.initial_margin for p in analysis.positions)
        )
        # what the account can still lose from the marks: every bucket's equity and the pool's
        # when it carries a position, never above equity (issue 13)
        expected_loss = min(
            sum(max(b.equity, 0) for b in analysis.buckets)
            + (max(analysis.cross.equity, 0) if cross_positions else 0),
            max(analysis.equity, 0),
        )
        assert totals.worst_case_loss == pytest.approx(expected_loss)
        assert totals.worst_case_loss == analysis.figures.worst_case_loss
        assert totals.worst_case_loss <= analysis.equity
        down = liquidating_market_move(switched, direction=-1) if cross_positions else None
        assert totals.pool_move_down == down
        for i, p in enumerate(plan.positions):
            row = comparison.positions[i]
            assert row.id == p.id
            figures = row.variants[name]
            result = analysis.position(i)
            assert figures.margin_mode == result.margin_mode
            assert figures.liquidation_price == result.liquidation_price
            assert figures.liquidation_distance == result.liquidation_distance
            if result.margin_mode == "cross":  # the pool's, shared
                assert figures.shares_pool
                assert figures.worst_case_loss == max(analysis.cross.equity, 0)
            else:  # its share of its bucket's equity at the mark
                assert not figures.shares_pool
                assert figures.worst_case_loss == pytest.approx(max(result.equity, 0))
            assert figures.loss_at_stop == result.loss_at_stop
            assert figures.free_balance == analysis.cross.available
            locked = result.margin if result.margin is not None else result.initial_margin
            assert figures.margin_locked == locked
            stop = p.stop_loss
            if stop is None:
                assert figures.stop_distance is None
                assert figures.liquidated_before_stop is None
            else:
                mark = result.mark_price
                assert figures.stop_distance == pytest.approx((stop - mark) / mark)
            if stop is not None and result.liquidation_price is not None:
                sign = 1 if p.side == "long" else -1
                beyond = sign * (stop - result.liquidation_price) / stop
                assert figures.liquidation_beyond_stop == pytest.approx(beyond)
                assert figures.liquidated_before_stop == (beyond < 0 or result.liquidated)
    assert comparison.positions[0].all_cross is comparison.positions[0].variants["all_cross"]


def test_the_sentence_reads_the_figures() -> None:
    """A tight isolated long whose stop lies beyond liquidation, in a big cross pool."""
    plan = make_plan(
        [
            pos("eth", "ETHUSDT", "long", 10, 2900, 25, "isolated", stop_loss=2750),
            pos("btc", "BTCUSDT", "long", 0.2, 58000, 10, "cross"),
        ],
        wallet=20000,
    )
    comparison = compare(plan)
    row = comparison.positions[0]
    iso, cross = row.all_isolated, row.all_cross
    assert iso.liquidated_before_stop is True
    assert cross.liquidated_before_stop is False
    expected = (
        f"Isolated caps the loss at {format_amount(iso.worst_case_loss, 'USDT')} USDT but "
        f"liquidates {format_percent(-iso.liquidation_beyond_stop, 1)} before your stop; "
        f"cross survives the stop but puts {format_amount(cross.worst_case_loss, 'USDT')} USDT "
        "at risk."
    )
    assert row.sentence == expected
    assert iso.worst_case_loss == pytest.approx(10 * 2900 / 25)
    assert cross.worst_case_loss == pytest.approx(
        analyze(with_margin_mode(plan, "cross")).cross.equity
    )


def test_sentences_without_stop_or_liquidation_price() -> None:
    comparison = compare(spec_plan())
    eth, btc, _ = comparison.positions
    # all cross, the 17,500 pool carries the ETH long to zero: no liquidation price
    assert "cross has no liquidation price but puts 17,500.00 USDT at risk" in eth.sentence
    assert "your stop comes 3.2 % before liquidation" in eth.sentence
    # its 3,000 bucket less the 1,000 already lost at the mark
    assert btc.sentence.startswith("Isolated caps the loss at 2,000.00 USDT and liquidates 6.5 %")
    assert "below the mark" in btc.sentence


def test_to_dict_is_plain_json() -> None:
    comparison = compare(mixed_plan())
    data = json.loads(json.dumps(comparison.to_dict(), allow_nan=False))
    assert data["format"] == "margin-planner.comparison"
    assert data["variants"] == list(VARIANTS)
    assert set(data["plan"]) == set(VARIANTS)
    first = data["positions"][0]
    assert first["id"] == "eth"
    assert set(first["variants"]) == set(VARIANTS)
    assert first["variants"]["all_isolated"]["margin_locked"] == pytest.approx(1500)
    assert first["sentence"] == comparison.positions[0].sentence


def test_empty_plan() -> None:
    comparison = compare(make_plan([]))
    assert comparison.positions == ()
    assert comparison.totals["planned"].free_balance == pytest.approx(20000)
    assert comparison.totals["all_cross"].worst_case_loss == 0


def test_beyond_stop_is_measured_on_the_way_from_the_mark_to_the_stop() -> None:
    from planner.domain.twin import beyond_stop

    # long: stop 90 below the mark 100; liquidation at 80 comes after the stop
    assert beyond_stop(100, 80, 90) == pytest.approx((90 - 80) / 90)
    # long: liquidation at 95 comes before the stop at 90
    assert beyond_stop(100, 95, 90) == pytest.approx(-(95 - 90) / 90)
    # short: stop above; liquidation further above comes after the stop
    assert beyond_stop(100, 120, 110) == pytest.approx((120 - 110) / 110)
    # a shared hedge liquidation price below the mark is not on the way up to a short's stop
    assert beyond_stop(100, 60, 110) is None
    assert beyond_stop(100, None, 110) is None


def test_hedge_short_leg_is_not_liquidated_before_its_stop_by_a_price_below_the_mark() -> None:
    from pathlib import Path

    from planner import load_plan
    from planner.domain.plan_analysis import analyze
    from planner.domain.twin import compare
    from planner.domain.warnings import plan_warnings

    plan = load_plan(Path(__file__).parents[2] / "resources" / "examples" / "hedge-mode.tplan")
    analysis = analyze(plan)
    short = next(p for p in plan.positions if p.side == "short" and p.stop_loss is not None)
    result = analysis.position(analysis.index_of(short.id))
    assert result.liquidation_price is not None
    assert result.liquidation_price < result.mark_price < short.stop_loss  # premise
    row = next(r for r in compare(plan).positions if r.id == short.id)
    assert row.variants["planned"].liquidated_before_stop is False
    codes = {(w.code, w.position_id) for w in plan_warnings(plan, analysis)}
    assert ("liquidation_before_stop", short.id) not in codes


def test_sentence_when_liquidation_is_not_on_the_way_to_the_stop() -> None:
    # A stop on the profit side of the mark (a trailing stop): the stop comes first, and the
    # liquidation price lies on the other side of the mark.
    from pathlib import Path

    from planner import load_plan
    from planner.domain.plan import Plan

    plan = load_plan(Path(__file__).parent / "data" / "spec_example.tplan")
    data = plan.model_dump(mode="json")
    data["positions"][0]["stop_loss"] = 2950.0  # long ETH, mark 2,900: stop above the mark
    trailing = Plan.model_validate(data)
    row = compare(trailing).positions[0]
    planned = row.variants["planned"]
    assert planned.liquidation_beyond_stop is None
    assert planned.liquidated_before_stop is False
    assert "below the mark" in row.sentence
