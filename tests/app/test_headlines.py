"""The one line a list of runs shows per run (render.headlines), for every kind, and the run
parameters' JSON schema agreeing with what the parameters accept."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from detente.app.conflict_kinds import _CONCEPT_PATTERN, StabilityParams
from detente.app.forecast_kinds import ForecastParams
from detente.app.registry import get
from detente.app.runs import run
from detente.render.headlines import MAX_CHARS, clip
from tests.app.test_faces import CASES

# Hand-checked: Chicken's equilibria are the two states where exactly one driver swerves (2 and 3);
# from the status quo (both swerve, state 1) either driver reaches one of them in one move.
EXPECTED = {
    "stability": "equilibria NASH: 2, 3; SEQ: 2, 3",
    "paths": "from state 1 under NASH: 2 of 2 equilibria reachable, the nearest (state 2) in 1 step(s)",
    "report": "report “Chicken”: Brief, Decision makers and options, Stable outcomes, Paths from the "
    "status quo, Glossary of the stability concepts, Evidence",
}


@pytest.mark.parametrize(("kind", "path", "params"), [(k, p, q) for k, p, q, _, _ in CASES])
def test_every_kind_sums_its_result_up_in_one_short_line(
    kind: str, path: Any, params: dict[str, Any]
) -> None:
    out = run(kind, path, **params)
    line = get(kind).headline(out.json)
    assert line and "\n" not in line and len(line) <= MAX_CHARS
    if kind in EXPECTED:
        assert line == EXPECTED[kind]


def test_clip_cuts_long_lines_with_an_ellipsis() -> None:
    assert clip("a\n b") == "a b"
    long = clip("x " * 300)
    assert len(long) == MAX_CHARS and long.endswith("…")


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.from_regex(_CONCEPT_PATTERN, fullmatch=True),
        st.text(max_size=6),
        st.sampled_from(["Nash", "l0", "l01", "L3", " seq ", "cgmr"]),
    )
)
def test_the_concept_pattern_in_the_schema_is_what_the_parameters_accept(text: str) -> None:
    in_schema = re.search(_CONCEPT_PATTERN, text) is not None
    try:
        StabilityParams(concepts=[text])
        accepted = True
    except ValidationError:
        accepted = False
    assert in_schema == accepted


@pytest.mark.parametrize(
    ("field", "value"),
    [("seed", False), ("seed", "3"), ("mc", True), ("outcomes", 1), ("outcomes", "yes"), ("model", 3)],
)
def test_a_value_of_another_json_type_is_refused(field: str, value: object) -> None:
    with pytest.raises(ValidationError, match=f"{field}: expected"):
        ForecastParams.model_validate({"kind": "forecast", field: value})
    assert ForecastParams.model_validate({"kind": "forecast", "seed": 3, "outcomes": True}).seed == 3
