"""Charts and page text without a browser: what the one-round forecast chart plots, which states the
state graph draws and says it draws, the interventions in the concept order of every other page,
and the date and docstring filters."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.app.conflict_kinds import CONCEPTS
from detente.conflict.reference import legal_move
from detente.render.forecast_plots import LABEL_WIDTH, _wrap
from detente.web.documents import builtin_text, load_text
from detente.web.filters import plain_rst, when
from tests.web.conftest import builtin_id, run

NK = "dprk_us_2019_06"


def _tick_labels(svg: str) -> list[str]:
    """The texts matplotlib drew (it writes each as a comment before its glyphs)."""
    return [t.strip() for t in re.findall(r"<!-- (.*?) -->", svg)]


def test_a_one_round_forecast_is_a_dot_chart_on_the_issue_scale(client: TestClient) -> None:
    sid = builtin_id(client, NK)
    out = run(client, sid, 1, kind="forecast", model="median")
    assert len(out["result"]["outcome_by_round"]) == 1  # the weighted median has one round
    svg = client.get(f"/api/runs/{out['id']}/figures/trajectories_0").text
    labels = _tick_labels(svg)
    # The x axis is the issue's 0-100 scale, not a sliver around round 0 (ticks -0.045 ... 0.045).
    assert {"0", "20", "40", "60", "80", "100"} <= set(labels)
    assert not any("0.045" in t or t == "round" for t in labels)
    # One row per actor, named, and the outcome marked with its value.
    doc = load_text(builtin_text(NK) or "", NK)
    assert doc.space is not None
    assert set(doc.space.base.actors) <= set(labels)
    outcome = out["result"]["outcome"][0]
    assert f"predicted outcome = {outcome:.3g}" in labels
    page = client.get(f"/runs/{out['id']}").text
    assert "a dot, on the issue's scale; median has a single round" in page


def test_a_many_round_forecast_still_plots_positions_by_round(client: TestClient) -> None:
    out = run(client, builtin_id(client, NK), 1, kind="forecast", model="eum")
    assert len(out["result"]["outcome_by_round"]) > 1
    labels = _tick_labels(client.get(f"/api/runs/{out['id']}/figures/trajectories_0").text)
    assert "round" in labels and "eum: positions by round" in labels


def test_the_state_graph_says_exactly_which_states_it_draws(client: TestClient) -> None:
    sid = builtin_id(client, NK)
    out = run(client, sid, 1, kind="stability")
    page = client.get(f"/runs/{out['id']}").text
    caption = re.search(r'<span id="graph-caption">Drawn: (.*?)\.</span>', page)
    assert caption is not None
    text = caption.group(1)
    drawn = [int(n) for n in re.findall(r'<g class="state[^"]*" data-number="(\d+)"', page)]
    doc = load_text(builtin_text(NK) or "", NK)
    c = doc.conflict
    assert c is not None and c.status_quo is not None
    shown, total = map(int, re.search(r"(\d+) of (\d+) states$", text).groups())  # type: ignore[union-attr]
    assert (shown, total) == (len(drawn), c.n_states) and shown < total
    # Each group the caption names, with its count, is what is drawn (the groups do not overlap).
    sq = c.status_quo + 1
    every_eq = {n for concept in out["result"]["concepts"] for n in out["result"]["equilibria"][concept]}
    near = {
        t + 1 for t in range(c.n_states) if any(legal_move(c, i, c.status_quo, t) for i in range(c.n_dms))
    }
    assert f"the status quo (state {sq}" in text
    other_eq = every_eq - {sq}
    assert f"equilibria under any of the concepts ({len(other_eq)})" in text
    rest = near - every_eq - {sq}
    assert f"the other states one move from the status quo ({len(rest)})" in text
    assert set(drawn) == {sq} | other_eq | rest


def test_interventions_list_the_concepts_in_the_order_of_every_other_page(client: TestClient) -> None:
    out = run(client, builtin_id(client, NK), 1, kind="interventions", runs=0)
    page = client.get(f"/runs/{out['id']}").text
    section = page[page.index('<section id="interventions">') :]
    names = [c.upper() for c in CONCEPTS]
    equilibria = re.findall(r"<li>(NASH|GMR|SMR|SEQ):", section)
    assert equilibria and len(equilibria) % len(names) == 0
    assert equilibria == names * (len(equilibria) // len(names))
    for line in re.findall(r"<li>[^<]*?:\s*((?:NASH|GMR|SMR|SEQ) [^<]*)</li>", section):
        assert re.findall(r"\b(NASH|GMR|SMR|SEQ)\b", line) == names


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (
            "2026-12-04T20:45:10+00:00",
            '<time datetime="2026-12-04T20:45:10+00:00">4 Dec 2026, 20:45 UTC</time>',
        ),
        (
            "2026-12-04T21:45:10+01:00",
            '<time datetime="2026-12-04T21:45:10+01:00">4 Dec 2026, 20:45 UTC</time>',
        ),
        ("2019-06-30", '<time datetime="2019-06-30">30 Jun 2019</time>'),
        ("not a date <b>", "not a date &lt;b&gt;"),
        (None, ""),
    ],
)
def test_dates_are_shown_as_people_read_them(value: object, shown: str) -> None:
    assert str(when(value)) == shown


def test_docstrings_show_their_roles_and_literals_as_code() -> None:
    text = "Scores (:func:`detente.x.score`); poll ``/api/runs/{id}``, or `y` <b>"
    assert str(plain_rst(text)) == (
        "Scores (<code>detente.x.score</code>); poll <code>/api/runs/{id}</code>, or <code>y</code> &lt;b&gt;"
    )


@settings(deadline=None)
@given(st.text(alphabet="ab_. ", max_size=120))
def test_chart_labels_wrap_only_after_spaces_and_dots(label: str) -> None:
    lines = _wrap(label).split("\n")
    # Nothing is lost but the spaces at the breaks, and no word is cut.
    assert "".join(lines).replace(" ", "") == label.replace(" ", "")
    words = [w for w in re.split(r"[ .]+", label) if w]
    assert [w for line in lines for w in re.split(r"[ .]+", line) if w] == words
    # A line is longer than LABEL_WIDTH only when it is a single word.
    for line in lines:
        assert len(line) <= LABEL_WIDTH or len(re.findall(r"[^ .]+", line)) == 1
