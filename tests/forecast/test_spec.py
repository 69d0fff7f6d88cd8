"""The issue-space YAML section: validation, compilation, and sampling of uncertain inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.errors import InputError
from detente.io.forecast_spec import (
    Distribution,
    IssueSpaceSpec,
    UncertainSpace,
    compile_issue_space,
    load_issue_space,
    load_uncertain_space,
    parse_uncertain_space,
)
from detente.io.yamlio import parse_yaml

DATA = Path(__file__).parent / "data"

BASE = """\
dimensions:
  - name: d
actors:
  - name: A
    capability: 2
    positions: {d: 20}
    salience: {d: 50}
  - name: B
    capability: 1
    positions: {d: 80}
    salience: {d: 100}
"""


def _parse(text: str, file: str = "t.yaml") -> UncertainSpace:
    data, lines = parse_yaml(text, file)
    return parse_uncertain_space(data, lines)


def _problems(text: str) -> list[str]:
    with pytest.raises(InputError) as info:
        _parse(text)
    return [str(p) for p in info.value.problems]


def test_example_file_compiles_to_point_values() -> None:
    u = load_uncertain_space(DATA / "issues.yaml")
    s = u.base
    assert s.actors == ("USA", "DPRK", "KPA")
    assert s.dimensions == ("denuclearisation", "sanctions")
    assert s.scale == ((0.0, 100.0), (0.0, 10.0))
    assert s.parents == (None, None, "DPRK")
    np.testing.assert_array_equal(s.capability, [40, 10, 5])
    np.testing.assert_array_equal(s.positions, [[100, 2], [10, 10], [0, 10]])
    np.testing.assert_array_equal(s.salience, [[90, 60], [100, 80], [50, 30]])
    assert s.status_quo is not None
    np.testing.assert_array_equal(s.status_quo, [10, 0])
    assert u.labels == (
        "USA.capability",
        "USA.salience.denuclearisation",
        "DPRK.position.denuclearisation",
        "KPA.salience.denuclearisation",
        "status_quo.denuclearisation",
    )
    assert [i.dist.kind for i in u.inputs] == ["triangular", "normal", "uniform", "triangular", "uniform"]
    assert load_issue_space(DATA / "issues.yaml").actors == s.actors


def test_samples_stay_in_range_and_repeat_with_the_seed() -> None:
    u = load_uncertain_space(DATA / "issues.yaml")
    a = u.draw(2000, np.random.default_rng(5))
    b = u.draw(2000, np.random.default_rng(5))
    np.testing.assert_array_equal(a, b)
    for k, inp in enumerate(u.inputs):
        assert a[:, k].min() >= inp.dist.low and a[:, k].max() <= inp.dist.high
    # the normal salience (mean 90, sd 5) is truncated to the field's range 0-100
    assert u.inputs[1].dist.high == 100.0
    # triangular mean = (low + mode + high) / 3 = 40 for the USA capability
    assert a[:, 0].mean() == pytest.approx(40.0, abs=0.5)
    spaces = u.sample(3, np.random.default_rng(1))
    assert [sp.capability[0] for sp in spaces] == pytest.approx(
        list(u.draw(3, np.random.default_rng(1))[:, 0])
    )


def test_realise_puts_each_value_where_it_belongs() -> None:
    u = load_uncertain_space(DATA / "issues.yaml")
    s = u.realise([45.0, 70.0, 25.0, 60.0, 15.0])
    assert s.capability[0] == 45.0
    assert s.salience[0, 0] == 70.0
    assert s.positions[1, 0] == 25.0
    assert s.salience[2, 0] == 60.0
    assert s.status_quo is not None and s.status_quo[0] == 15.0
    one = u.with_input(2, 30.0)
    assert one.positions[1, 0] == 30.0 and one.capability[0] == 40.0


@settings(max_examples=40, deadline=None)
@given(
    low=st.floats(-50, 50),
    width=st.floats(0.1, 50),
    frac=st.floats(0, 1),
    q=st.floats(0.001, 0.999),
)
def test_triangular_quantile_inverts_the_cdf(low: float, width: float, frac: float, q: float) -> None:
    a, b = low, low + width
    c = a + frac * width
    x = float(Distribution("triangular", c, a, b).quantile(q))
    # CDF of the triangular distribution (Evans, Hastings & Peacock, Statistical Distributions)
    cdf = (x - a) ** 2 / ((b - a) * (c - a)) if x <= c and c > a else 1 - (b - x) ** 2 / ((b - a) * (b - c))
    assert cdf == pytest.approx(q, abs=1e-9)


def test_normal_swing_is_its_central_95_percent() -> None:
    lo, hi = Distribution("normal", 50.0, -np.inf, np.inf, 10.0).swing
    assert lo == pytest.approx(50 - 19.59964, abs=1e-4)
    assert hi == pytest.approx(50 + 19.59964, abs=1e-4)
    assert Distribution("uniform", 5.0, 0.0, 10.0).swing == (0.0, 10.0)


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "message"),
    [
        ("salience: {d: 50}", "salience: {d: 120}", 7, "actors[0].salience.d", "outside [0, 100]"),
        ("positions: {d: 20}", "positions: {d: {value: 20, low: 30, high: 40}}", 6, "positions.d", "outside"),
        (
            "positions: {d: 20}",
            "positions: {d: {value: 20, low: 10, high: 5}}",
            6,
            "positions.d",
            "below high",
        ),
        ("positions: {d: 20}", "positions: {d: {value: 20, dist: normal, sd: 0}}", 6, "positions.d", "sd"),
        (
            "positions: {d: 20}",
            "positions: {d: {value: 20, dist: uniform}}",
            6,
            "positions.d",
            "low and high",
        ),
        ("positions: {d: 20}", "positions: {e: 20}", 6, "actors[0].positions", "missing positions"),
        ("capability: 2", "capability: -1", 5, "actors[0].capability", "outside"),
        ("capability: 2", "capability: two", 5, "actors[0].capability", "expected a number"),
        ("name: B", "name: A", 8, "actors[1].name", "duplicate actor"),
        ("name: B", "name: B\n    parent: Z", 9, "actors[1].parent", "not another actor"),
        ("salience: {d: 50}", "salience: {d: 50, e: 3}", 7, "actors[0].salience.e", "unknown dimension"),
    ],
)
def test_bad_values_are_reported_with_line_and_field(
    old: str, new: str, line: int, field: str, message: str
) -> None:
    problems = _problems(BASE.replace(old, new, 1))
    assert any(f"t.yaml:{line}:" in p and field in p and message in p for p in problems), problems


def test_zero_capability_and_parent_cycle() -> None:
    zero = BASE.replace("capability: 2", "capability: 0").replace("capability: 1", "capability: 0")
    assert any("add up to zero" in p for p in _problems(zero))
    maybe_zero = zero.replace("capability: 0", "capability: {value: 1, low: 0, high: 2}", 1)
    assert any("may all be zero" in p for p in _problems(maybe_zero))
    cycle = BASE.replace("name: A", "name: A\n    parent: B").replace("name: B", "name: B\n    parent: A")
    assert sum("its own ancestor" in p for p in _problems(cycle)) == 2


def test_scale_and_status_quo_rules() -> None:
    flipped = BASE.replace("  - name: d\n", "  - name: d\n    low: 10\n    high: 0\n")
    assert any("low < high" in p for p in _problems(flipped))
    two = BASE.replace("  - name: d\n", "  - name: d\n    status_quo: 5\n  - name: e\n").replace(
        "{d: 20}", "{d: 20, e: 1}"
    )
    two = (
        two.replace("{d: 80}", "{d: 80, e: 1}")
        .replace("{d: 50}", "{d: 50, e: 1}")
        .replace("{d: 100}", "{d: 100, e: 1}")
    )
    assert any("every dimension or for none" in p for p in _problems(two))


def test_embedded_under_issues_reports_the_scenario_lines() -> None:
    text = "name: a scenario\nother: 1\nissues:\n" + "".join("  " + ln + "\n" for ln in BASE.splitlines())
    assert _parse(text).base.actors == ("A", "B")
    problems = _problems(text.replace("salience: {d: 50}", "salience: {d: -5}"))
    assert problems == ["t.yaml:10: [issues.actors[0].salience.d] salience -5 lies outside [0, 100]"]
    assert any("issues.actors" in p for p in _problems(text.replace("capability: 2", "capability: [1]")))


def test_compile_without_line_map() -> None:
    data, _ = parse_yaml(BASE, "x")
    space = compile_issue_space(IssueSpaceSpec.model_validate(data))
    np.testing.assert_array_equal(space.positions[:, 0], [20, 80])


def test_with_spread_adds_triangles_to_point_values_only() -> None:
    u = load_uncertain_space(DATA / "issues.yaml")
    spread = u.with_spread(position=5, salience=10, capability=0.5)
    assert spread.inputs[: len(u.inputs)] == u.inputs  # existing uncertainty kept as written
    added = {x.label: x.dist for x in spread.inputs[len(u.inputs) :]}
    # USA's position 100 on denuclearisation is cut at the top of the scale: [95, 100]
    assert (added["USA.position.denuclearisation"].low, added["USA.position.denuclearisation"].high) == (
        95,
        100,
    )
    # sanctions run 0-10: DPRK at 10 gets [5, 10]; KPA's salience 30 gets [20, 40]; capability 10 gets [5, 15]
    assert (added["DPRK.position.sanctions"].low, added["DPRK.position.sanctions"].high) == (5, 10)
    assert (added["KPA.salience.sanctions"].low, added["KPA.salience.sanctions"].high) == (20, 40)
    assert (added["DPRK.capability"].low, added["DPRK.capability"].high) == (5, 15)
    assert "USA.capability" not in added and "DPRK.position.denuclearisation" not in added
    assert all(d.kind == "triangular" for d in added.values())
    assert u.with_spread().inputs == u.inputs
    with pytest.raises(ValueError, match="non-negative"):
        u.with_spread(position=-1)
