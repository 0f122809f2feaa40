"""The ``--json`` writer prints exactly what ``json.dumps(indent=2, allow_nan=False)`` prints."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.commands.json_output import dumps
from planner.domain.plan_analysis import analyze
from planner.domain.scenarios import sweep
from planner.domain.twin import compare
from planner.storage import load_plan

EXAMPLES = sorted((Path(__file__).parents[2] / "resources" / "examples").glob("*.tplan"))


def _reference(document: object) -> str:
    return json.dumps(document, indent=2, allow_nan=False)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_output_of_the_examples(path: Path) -> None:
    plan = load_plan(path)
    for document in (
        analyze(plan).to_dict(),
        compare(plan).to_dict(),
        sweep(plan, symbol=None, moves=[-0.5, -0.2, 0.0, 0.3]).to_dict(),
    ):
        assert dumps(document) == _reference(document)


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(alphabet=st.characters(), max_size=8)
    | st.sampled_from(["},\n  {", '{"', "}", "]", "\n", "\\"])
)
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.dictionaries(st.text(max_size=5), inner, max_size=5)
        | st.lists(
            st.dictionaries(st.text(max_size=4), scalars, min_size=1, max_size=4), max_size=4
        )
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(documents)
def test_any_json_document_prints_the_same_or_fails_the_same(document: object) -> None:
    try:
        expected = _reference(document)
    except ValueError as error:
        with pytest.raises(ValueError, match=str(error)):
            dumps(document)
        return
    assert dumps(document) == expected


def test_unusual_values_are_left_to_json() -> None:
    for document in ({"t": (1, 2)}, {1: "a"}, [{1: 2}], {"x": [1.5, {"y": ()}]}):
        assert dumps(document) == _reference(document)
    with pytest.raises(ValueError):
        dumps({"a": [math.nan]})
