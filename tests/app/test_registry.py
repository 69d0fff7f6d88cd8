"""The registry's parameter types agree with the engines, and both faces read them alike."""

from __future__ import annotations

from pathlib import Path

from detente.app import fields
from detente.app.conflict_kinds import CONCEPTS, InverseParams
from detente.app.forecast_kinds import MODELS, ForecastParams
from detente.conflict.stability import CONCEPTS as ENGINE_CONCEPTS
from detente.forecast.models import MODEL_NAMES
from detente.io.loader import load_document
from detente.web.runs import forms

CHICKEN = Path(__file__).resolve().parents[2] / "examples" / "conflicts" / "chicken.yaml"


def test_the_literal_choices_are_the_engines_own() -> None:
    assert tuple(MODELS) == tuple(MODEL_NAMES)
    assert tuple(CONCEPTS) == tuple(ENGINE_CONCEPTS)
    assert fields.choices(ForecastParams.model_fields["model"].annotation) == list(MODEL_NAMES)


def test_shapes_of_parameter_types() -> None:
    f = ForecastParams.model_fields
    assert [fields.shape(f[n].annotation) for n in ("mc", "seed", "spread_position", "params", "model")] == [
        "int",
        "int",
        "float",
        "dict",
        "text",
    ]
    assert fields.shape(InverseParams.model_fields["decision_maker"].annotation) == "list"
    assert fields.strip_optional(f["seed"].annotation) == (int, True)


def test_the_inverse_form_lets_several_decision_makers_vary() -> None:
    (inverse,) = [form for form in forms(load_document(CHICKEN)) if form.kind == "inverse"]
    (dms,) = [x for x in inverse.fields if x.name == "decision_maker"]
    assert dms.input == "checkboxes" and [v for v, _ in dms.options] == ["A", "B"] and dms.value == []
