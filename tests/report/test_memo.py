"""The memo parts of the report: brief first and as Markdown, provenance, byte-identical output."""

from __future__ import annotations

from pathlib import Path

from detente.analysis import analyze_scenario
from detente.io.scenario import builtin_scenario, load_scenario
from detente.render.report.builder import build_document, write_report


def _write(out: Path, seed: int = 7) -> tuple[Path, Path]:
    analysis = analyze_scenario(
        load_scenario(builtin_scenario("dprk_us_2019_06")), runs=40, seed=seed, intervention_runs=20
    )
    return write_report(analysis, out)


def test_same_inputs_and_seed_give_byte_identical_files(tmp_path: Path) -> None:
    a_html, a_md = _write(tmp_path / "a")
    b_html, b_md = _write(tmp_path / "b")
    assert a_html.read_bytes() == b_html.read_bytes()
    assert a_md.read_bytes() == b_md.read_bytes()
    assert "<svg" in a_html.read_text(encoding="utf-8")


def test_brief_first_provenance_and_no_class_names_or_paths(tmp_path: Path) -> None:
    analysis = analyze_scenario(load_scenario(builtin_scenario("dprk_us_2019_06")), runs=30, seed=3)
    doc = build_document(analysis)
    assert doc.sections[0].id == "brief"
    ids = [s.id for s in doc.sections]
    assert {"glossary", "timeline", "provenance", "evidence"} <= set(ids)
    prov = next(s for s in doc.sections if s.id == "provenance").tables[0].rows
    values = dict(prov)
    assert values["date"] == "2019-06-24" or values["date"] == analysis.scenario.spec.meta.as_of.isoformat()  # type: ignore[union-attr]
    assert values["seed"] == "3" and len(values["SHA-256 of the input"]) == 64
    assert values["input file"] == "dprk_us_2019_06.yaml"
    evidence = next(s for s in doc.sections if s.id == "evidence").tables[0]
    for row in evidence.rows:
        assert "Spec" not in row[0] and "[" not in row[0]
    forecast = next(s for s in doc.sections if s.id == "forecast")
    text = " ".join(forecast.paragraphs)
    assert "compromise model" in text and "23.2" in text  # the headline model and its back-test figure
    assert "0 = North Korea keeps its whole nuclear programme" in text  # scale ends in the words
    assert "point forecast" in text and "90% of runs" in text


def test_monte_carlo_varies_every_number_of_the_issue_space() -> None:
    scenario = load_scenario(builtin_scenario("dprk_us_2019_10"))
    analysis = analyze_scenario(
        scenario, runs=30, seed=1, intervention_runs=0, bundles=False, ranking_draws=0
    )
    f = analysis.forecast
    assert f is not None and f.stated == len(scenario.issues.inputs) > 0
    b = scenario.issues.base
    varied = {(u.target, u.actor, u.dim) for u in f.space.inputs}
    for i in range(b.n_actors):
        assert ("capability", i, -1) in varied
        for k in range(b.n_dims):
            assert ("salience", i, k) in varied
            lo, hi = b.scale[k]
            if lo < b.positions[i, k] or b.positions[i, k] < hi:
                assert ("position", i, k) in varied
    # the scenario's own ranges are kept as stated
    stated = {u.label: u.dist for u in scenario.issues.inputs}
    assert all(u.dist == stated[u.label] for u in f.space.inputs if u.label in stated)


def test_the_actors_sentence_lists_as_many_actors_as_it_counts() -> None:
    from detente.render.report.builder import actors_section

    for name in ("dprk_us_2019_06", "dprk_us_2019_10"):
        scenario = load_scenario(builtin_scenario(name))
        text = actors_section(scenario).paragraphs[0]
        assert text.startswith(f"{len(scenario.spec.actors)} actors and sub-actors")
        for actor in scenario.spec.actors:
            label = actor.label if actor.parent is None else actor.label.split(",")[0]
            assert label in text, actor.name
