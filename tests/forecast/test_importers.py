"""Importers of the published input formats, their error reports, and directory validation."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from detente.app.validate import validate_directory
from detente.cli import forecast_app as app
from detente.errors import InputError
from detente.forecast.models import run_model
from detente.io.importers import detect_format, import_file

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "forecast"

# BDM (1994) emission-standards table as given by Scholz, Calbert & Smith (2011), Table 1:
# actor, capability, position (years), salience (0-1).
EMISSION = [
    ("Netherlands", 0.08, 4, 0.8),
    ("Belgium", 0.08, 7, 0.4),
    ("Luxembourg", 0.03, 4, 0.2),
    ("Germany", 0.16, 4, 0.8),
    ("France", 0.16, 10, 0.6),
    ("Italy", 0.16, 10, 0.6),
    ("UK", 0.16, 10, 0.9),
    ("Ireland", 0.05, 7, 0.1),
    ("Denmark", 0.05, 4, 1.0),
    ("Greece", 0.08, 7, 0.7),
]


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("emission.csv", "acps"),
        ("emission_cr.csv", "acps"),
        ("emission.txt", "nxcs"),
        ("ktab_two_dims.csv", "ktab-csv"),
        ("ktab_two_dims.xml", "ktab-xml"),
        ("exchange_small.txt", "exchange"),
        ("deu_small.tsv", "deu"),
    ],
)
def test_detect_format(name: str, fmt: str) -> None:
    assert detect_format(DATA / name) == fmt


@pytest.mark.parametrize("name", ["emission.csv", "emission_cr.csv", "emission.txt"])
def test_emission_table_in_three_spellings(name: str) -> None:
    space = import_file(DATA / name).space
    assert space.actors == tuple(a for a, *_ in EMISSION)
    np.testing.assert_allclose(space.capability, [c for _, c, _, _ in EMISSION])
    np.testing.assert_allclose(space.positions[:, 0], [x for _, _, x, _ in EMISSION])
    np.testing.assert_allclose(space.salience[:, 0], [100 * s for *_, s in EMISSION])
    assert space.scale == ((4.0, 10.0),)
    # hand-worked: sum c*s*x = 5.003 and sum c*s = 0.677, so the weighted mean is 7.390
    assert run_model("compromise", space).outcome[0] == pytest.approx(5.003 / 0.677)
    # weights at 4: .248, at 7: .093 (cumulative .341 >= .677 / 2), so the weighted median is 7
    assert run_model("median", space).outcome[0] == 7.0


def test_ktab_csv_and_xml_agree() -> None:
    a = import_file(DATA / "ktab_two_dims.csv").space
    b = import_file(DATA / "ktab_two_dims.xml").space
    assert a.dimensions == b.dimensions == ("Trade", "Security")
    assert a.actors == b.actors == ("A", "B", "C")
    for arr in ("capability", "positions", "salience"):
        np.testing.assert_array_equal(getattr(a, arr), getattr(b, arr))
    np.testing.assert_array_equal(a.positions, [[20, 80], [60, 30], [100, 0]])
    np.testing.assert_array_equal(a.salience, [[40, 60], [70, 20], [50, 50]])


def test_exchange_rows() -> None:
    space = import_file(DATA / "exchange_small.txt").space
    assert space.dimensions == ("tax", "aid")
    assert space.scale == ((0.0, 10.0), (0.0, 100.0))
    np.testing.assert_array_equal(space.capability, [1.0, 0.5, 2.0])
    np.testing.assert_array_equal(space.salience, [[50, 90], [80, 20], [40, 0]])
    # East has no row on aid: salience 0 there, position = the weighted mean of the others
    # (1.0 * 0.9 * 100 + 0.5 * 0.2 * 0) / (0.9 + 0.1) = 90
    np.testing.assert_allclose(space.positions, [[2, 100], [8, 0], [6, 90]])


def test_deu_issues_with_outcomes() -> None:
    imported = import_file(DATA / "deu_small.tsv")
    cases = imported.cases
    assert [c.label for c in cases] == ["x1i1", "x1i2", "x2i1", "x3i1", "x4i1", "x4i2"]
    assert [c.line for c in cases] == [3, 4, 5, 6, 7, 8]
    first = cases[0].space
    assert first.actors == ("COM", "EP", "DE", "FR")
    np.testing.assert_array_equal(first.capability, [4, 4, 2, 2])  # the GDP row
    assert first.status_quo is not None and first.status_quo[0] == 0
    assert cases[1].space.status_quo is None  # no reference point
    assert cases[2].space.actors == ("COM", "DE", "FR")  # EP took no position
    assert cases[3].outcome is None
    assert cases[4].space.salience[1, 0] == 0  # EP position without salience
    assert cases[5].outcome is not None and cases[5].outcome[0] == 100
    with pytest.raises(InputError, match="holds 6 issues"):
        _ = imported.space


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD = "Actor,Capability,Position,Salience\nA,1,10,0.5\nB,2,20,0.7\nC,1,30,0.2\n"


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        (GOOD.replace("Salience", "Weight"), 1, "salience", "no salience column"),
        (GOOD.replace("B,2,20", "B,2,x"), 3, "Position", "not a number"),
        (GOOD.replace("B,2,20", "B,-2,20"), 3, "Capability", "negative"),
        (GOOD.replace("C,1,30", "A,1,30"), 4, "actor", "duplicate actor"),
        (GOOD.replace("0.5", "5").replace("0.7", "0.1").replace("0.2", "0.3"), 2, "Salience", "fractions"),
        (
            GOOD.replace("0.5", "150").replace("0.7", "70").replace("0.2", "20"),
            2,
            "Salience",
            "outside 0-100",
        ),
        (GOOD.replace("B,2,20,0.7", "B,2"), 3, "Position", "missing"),
    ],
)
def test_bad_table_rows(tmp_path: Path, text: str, line: int, field: str, message: str) -> None:
    path = _write(tmp_path, "t.csv", text)
    with pytest.raises(InputError) as info:
        import_file(path, "acps")
    problems = info.value.problems
    assert any(
        p.file == str(path) and p.line == line and p.field == field and message in p.message for p in problems
    ), [str(p) for p in problems]


def test_zero_total_capability(tmp_path: Path) -> None:
    path = _write(tmp_path, "t.csv", GOOD.replace("A,1", "A,0").replace("B,2", "B,0").replace("C,1", "C,0"))
    with pytest.raises(InputError, match="add up to zero"):
        import_file(path)


def test_ktab_errors(tmp_path: Path) -> None:
    text = (DATA / "ktab_two_dims.csv").read_text()
    wrong_count = _write(tmp_path, "a.csv", text.replace(",3,2,", ",4,2,"))
    with pytest.raises(InputError, match="announces 4 actors"):
        import_file(wrong_count)
    too_salient = _write(
        tmp_path, "b.csv", text.replace("A,First actor,50,20,40,80,60", "A,x,50,20,60,80,60")
    )
    with pytest.raises(InputError) as info:
        import_file(too_salient)
    assert [(p.line, p.field) for p in info.value.problems] == [(3, "salience")]
    assert "120" in info.value.problems[0].message
    xml = (DATA / "ktab_two_dims.xml").read_text()
    empty = _write(tmp_path, "c.xml", xml.replace("<dCoord>60</dCoord>", "<dCoord></dCoord>"))
    with pytest.raises(InputError) as info:
        import_file(empty)
    assert [(p.line, p.field, p.message) for p in info.value.problems] == [
        (22, "B.Position.dCoord[0]", "missing value")
    ]
    broken = _write(tmp_path, "d.xml", xml.replace("</Actors>", ""))
    with pytest.raises(InputError, match="malformed XML"):
        import_file(broken)


def test_exchange_errors(tmp_path: Path) -> None:
    text = (DATA / "exchange_small.txt").read_text()
    path = _write(
        tmp_path, "e.txt", text.replace("'South'\t'aid'\t0.0\t0.2\t0.5", "'South'\t'aid'\t0.0\t1.2\t0.7")
    )
    with pytest.raises(InputError) as info:
        import_file(path)
    messages = sorted(p.message for p in info.value.problems)
    assert any("different powers" in m for m in messages)
    assert any("salience 1.2 lies outside 0-1" in m for m in messages)
    outside = _write(tmp_path, "f.txt", text.replace("'North'\t'tax'\t2.0", "'North'\t'tax'\t12.0"))
    with pytest.raises(InputError, match=r"position 12 lies outside the scale \[0, 10\]"):
        import_file(outside)


def test_unknown_format_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unrecognised format"):
        import_file(_write(tmp_path, "x.csv", "a;b\n1;2\n"))
    with pytest.raises(InputError, match="no such file"):
        import_file(tmp_path / "absent.csv")


def test_validate_directory_runs_every_model_on_every_file() -> None:
    rows = validate_directory(DATA, ["compromise", "exchange"])
    assert sorted({r.file for r in rows}) == sorted(p.name for p in DATA.iterdir())
    by_key = {(r.file, r.model): r for r in rows}
    assert by_key[("emission.csv", "compromise")].outcome == "7.39"
    assert by_key[("emission.csv", "exchange")].outcome.startswith("not applicable")
    assert by_key[("exchange_small.txt", "exchange")].ok
    # DEU fixture, weighted means by hand: 400/6, 300/9, 120/4.8, 180/4, 528/6 against the outcomes
    # 100, 50, 40, 30, 100: errors 33.33, 16.67, 15, 15, 12, so MAE = 92 / 5 = 18.4
    assert by_key[("deu_small.tsv", "compromise")].outcome == "MAE 18.40 over 5 issues"
    assert by_key[
        ("issues.yaml", "compromise")
    ].outcome == f"{(40 * 0.9 * 100 + 10 * 10 + 0) / 48.5:.4g}, " + (
        f"{(40 * 0.6 * 2 + 10 * 0.8 * 10 + 5 * 0.3 * 10) / (24 + 8 + 1.5):.4g}"
    )
    assert all(r.ok for r in rows)
    assert validate_directory(DATA / "absent") == []


def test_cli_validate_and_bad_input_exit_code(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["validate", str(DATA), "--model", "compromise"])
    assert result.exit_code == 0, result.output
    assert "emission.csv" in result.output and "7.39" in result.output
    absent = runner.invoke(app, ["validate", str(tmp_path / "nothing")])
    assert absent.exit_code == 2 and f"{tmp_path / 'nothing'}: no such directory" in absent.output
    bad = _write(tmp_path, "bad.csv", GOOD.replace("B,2,20", "B,2,x"))
    out = tmp_path / "plot.png"
    result = runner.invoke(app, ["run", str(bad), "--model", "compromise", "--plot", str(out)])
    assert result.exit_code == 2
    assert f"{bad}:3: [Position] not a number: 'x'" in result.output
    assert not out.exists()


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared data sets not present")
def test_shared_data_sets_import() -> None:
    """Every shared file imports, or is refused with a precise InputError (known bad inputs)."""
    refused = {}
    for path in sorted(p for p in SHARED.rglob("*") if p.is_file() and p.suffix not in (".md", ".xsd")):
        try:
            import_file(path)
        except InputError as exc:
            refused[path.name] = exc.problems[0]
    # NA cells; Denmark's salience 2 among fractions; an empty dCoord; a reform-priorities file
    assert set(refused) == {
        "Iranian_War_With_Iran.csv",
        "bruce_europe_1994_negotiations.csv",
        "smpExample.xml",
        "reformpri-ex01.xml",
    }
    assert refused["smpExample.xml"].line == 32
    sultan = import_file(SHARED / "jmckib_bdm_scholz" / "Sultan.csv").space
    assert sultan.n_actors == 17
    deu = import_file(SHARED / "blksv_deu3" / "deu3.csv")
    assert len(deu.cases) == 364
    scored = [c for c in deu.cases if c.outcome is not None]
    assert len(scored) == 353  # SOURCES.md: 353 issues with an outcome
    err = [
        abs(run_model("compromise", c.space).outcome[0] - c.outcome[0])
        for c in scored
        if c.outcome is not None
    ]
    assert np.mean(err) == pytest.approx(23.2, abs=0.05)  # SOURCES.md: MAE about 23


def test_ktab_xml_model_parameters_reach_the_smp(tmp_path: Path) -> None:
    """A KTAB XML scenario's ModelParameters are KTAB's SMP settings: they go to the SMP unchanged,
    so the file runs as KTAB would run it; an unknown tag is an error at its line."""
    xml = (DATA / "ktab_two_dims.xml").read_text()
    settings = (
        "<ModelParameters><VotingRule>Cubic</VotingRule><PCEModel>MarkovUniform</PCEModel></ModelParameters>"
    )
    path = _write(tmp_path, "p.xml", xml.replace("<prngSeed>1</prngSeed>", settings))
    case = import_file(path).case
    assert case.params == {"smp": {"voting_rule": "Cubic", "pce_model": "MarkovUniform"}}
    assert import_file(DATA / "ktab_two_dims.xml").case.params == {"smp": {}}
    expected = run_model("smp", case.space, voting_rule="Cubic", pce_model="MarkovUniform").outcome
    result = CliRunner().invoke(app, ["run", str(path), "-m", "smp", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["params"]["voting_rule"] == "Cubic"
    assert document["outcome"] == pytest.approx(list(expected))
    bad = _write(
        tmp_path,
        "q.xml",
        xml.replace("<prngSeed>1</prngSeed>", "<ModelParameters>\n<Foo>x</Foo></ModelParameters>"),
    )
    with pytest.raises(InputError) as info:
        import_file(bad)
    assert [(p.line, p.field) for p in info.value.problems] == [(6, "ModelParameters.Foo")]
