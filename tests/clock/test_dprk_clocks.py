"""The built-in North Korea–US clocks: evidence for every number, exact quotes, sensible answers."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from detente.clock.analysis import ClockAnalysis, analyse, value_of_waiting
from detente.clock.solve import solve
from detente.io.clock import builtin_clock, load_clock
from detente.io.yamlio import load_yaml
from detente.render.clock_json import clock_json

ROOT = Path(__file__).resolve().parents[2]
SEEDS = next(
    (p for p in (ROOT / ".." / "shared" / "seeds", ROOT / ".." / ".." / "shared" / "seeds") if p.is_dir()),
    ROOT / ".." / "shared" / "seeds",
)  # ../shared beside the checkout (or beside the folder of work trees)
SEED_A = "000_9e5668bcc584c6dd.txt"
SEED_B = "001_52647c87ce2f59b3.txt"
CLOCKS = ("dprk_us_2019_06", "dprk_us_2019_10")
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed articles are not available")


def evidence(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "evidence" and isinstance(value, list):
                yield from value
            else:
                yield from evidence(value)
    elif isinstance(data, list):
        for item in data:
            yield from evidence(item)


@cache
def analysed(name: str) -> ClockAnalysis:
    return analyse(load_clock(builtin_clock(name)), mc=600, seed=7)


@needs_seeds
@pytest.mark.parametrize("name", CLOCKS)
def test_quotes_are_exact_and_the_june_clock_quotes_only_the_june_seed(name: str) -> None:
    data = load_yaml(builtin_clock(name))[0]["clock"]
    allowed = {SEED_A} if name.endswith("06") else {SEED_A, SEED_B}
    quotes = [e for e in evidence(data) if e.get("quote")]
    assert len(quotes) >= 8
    for e in quotes:
        assert e["source"] in allowed
        assert e["quote"] in (SEEDS / e["source"]).read_text(encoding="utf-8"), e["quote"]


@pytest.mark.parametrize("name", CLOCKS)
def test_every_number_has_evidence(name: str) -> None:
    data = load_yaml(builtin_clock(name))[0]["clock"]
    for party in data["parties"]:
        for key in ("discount", "reservation"):
            assert party[key]["evidence"], (party["name"], key)
    assert data["breakdown"]["evidence"]
    assert data["deadline"]["evidence"] and data["deadline"]["changes"][0]["cost"]["evidence"]
    for event in data["events"]:
        assert event["evidence"], event["name"]
        if event["kind"] == "election":
            p = event["probability"]
            assert p["evidence"] and p["low"] < p["value"] < p["high"]  # an explicit, uncertain chance
    for e in evidence(data):
        assert e.get("quote") or str(e.get("note", "")).startswith("assumption:")


@pytest.mark.parametrize("name", CLOCKS)
def test_nk_clock_structure(name: str) -> None:
    m = load_clock(builtin_clock(name)).base
    start = dt.date(2019, 6, 28) if name.endswith("06") else dt.date(2019, 10, 9)
    assert m.start == start and m.period_months == 1
    assert m.deadline is not None and m.deadline_day == dt.date(2019, 12, 31) and not m.deadline_ends
    assert m.date_of(m.deadline - 1) < dt.date(2019, 12, 31) <= m.date_of(m.deadline)
    elections = {e.date: e for e in m.events if e.kind == "election"}
    assert set(elections) == {dt.date(2020, 11, 3), dt.date(2024, 11, 5)}
    assert all(0 < e.probability < 1 for e in elections.values())
    nk, us = m.parties
    assert nk.discount > us.discount  # North Korea is the more patient side
    campaign = m.event("campaign_2020")
    assert campaign.patches[0].cost is not None and campaign.patches[0].cost > 0  # pre-election impatience


@pytest.mark.parametrize("name", CLOCKS)
def test_nk_clock_answers(name: str) -> None:
    a = analysed(name)
    m, sol = a.model, a.solution
    # at the central values the status quo is worth more to both together than a deal: no deal
    assert sum(float(p.reservation) for p in m.parties) > 1
    assert sol.first_agreement_round() is None and sol.p_agree_ever == 0
    assert sol.values == pytest.approx([0.45, 0.65], abs=0.07)
    # North Korea gains by the prospect of a new president in 2020; the US does not
    w = value_of_waiting(m, "election_2020")
    assert w.gain[0] > 0.005 and w.gain[1] <= 0
    # over the uncertainty: a small chance of a deal before the deadline, more by election day
    assert a.monte_carlo is not None
    by = dict(zip(a.monte_carlo.dates, a.monte_carlo.prob_by_date(), strict=True))
    p2019, p2020 = by[dt.date(2019, 12, 31)], by[dt.date(2020, 11, 3)]
    assert 0.02 < p2019 < 0.3
    assert p2019 < p2020 < 0.6
    assert by[dt.date(2024, 11, 5)] >= p2020


@pytest.mark.parametrize("name", CLOCKS)
def test_nk_clock_json_has_the_dates_and_no_nan(name: str) -> None:
    j = clock_json(analysed(name))
    text = json.dumps(j, allow_nan=False)
    assert j["schema_version"] == 1 and j["kind"] == "clock"
    dates = {row["date"]: row for row in j["by_date"]}
    for day in ("2019-12-31", "2020-11-03"):
        assert dates[day]["p_agree"] == 0.0
        assert 0 < dates[day]["p_agree_mc"] < 1
    assert j["deadline"]["date"] == "2019-12-31"
    assert [w["event"] for w in j["value_of_waiting"]] == ["election_2020", "election_2024"]
    assert j["monte_carlo"]["n"] == 600
    assert "NaN" not in text


def test_the_deadline_costs_washington() -> None:
    m = load_clock(builtin_clock("dprk_us_2019_10")).base
    from detente.clock.analysis import deadline_effect

    eff = deadline_effect(m)
    assert eff.value_shift[1] < 0 and abs(eff.value_shift[0]) < 1e-12


def test_lower_reservations_bring_a_deal_before_the_deadline() -> None:
    from detente.clock.analysis import smallest_change

    m = load_clock(builtin_clock("dprk_us_2019_10")).base
    assert m.deadline is not None
    change = smallest_change(m, "US", "reservation", by=m.deadline - 1)
    assert change.new is not None and change.new < change.old
    # the range opens when the two no-deal values no longer add up to more than a deal
    assert change.new == pytest.approx(0.55, abs=0.03)
    better = m.with_party(1, reservation=change.new)
    assert solve(better).cumulative[m.deadline - 1] >= 0.5
    assert np.isfinite(change.probability)


def test_smallest_changes_for_a_deal_before_the_deadline() -> None:
    from detente.render.clock_words import describe_changes

    m = load_clock(builtin_clock("dprk_us_2019_10")).base
    a = analyse(m, changes_by=dt.date(2019, 12, 31))
    by_lever = {(c.party, c.lever): c for c in a.changes}
    assert set(by_lever) == {(p, lv) for p in ("NK", "US") for lv in ("reservation", "discount", "cost")} | {
        ("NK", "offer")
    }
    us = by_lever[("US", "reservation")]
    assert us.new is not None and us.new < us.old and us.by == m.deadline - 1  # type: ignore[operator]
    assert by_lever[("NK", "discount")].new is None  # patience alone cannot open a closed range
    offer = by_lever[("NK", "offer")]
    assert offer.new is not None and 0 < offer.new < 0.15
    words = describe_changes(a)
    assert any("US changes its value of the status quo from 0.650 to" in w for w in words)
    j = clock_json(a)
    assert {c["lever"] for c in j["smallest_changes"]} == {"reservation", "discount", "cost", "offer"}
    json.dumps(j, allow_nan=False)
