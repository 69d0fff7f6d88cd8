"""Property-based API test: schemathesis draws requests from the app's own OpenAPI description and
runs every check it has (``--checks all``): no server error, every status code and error body
documented, responses matching their schemas, schema-invalid requests refused, schema-valid ones
accepted, the right answer to undocumented methods.

One stated allowance: a POST whose body is schema-valid may still be refused with 422 or 413,
because what it carries has a meaning no JSON schema can state: a YAML document with problems, an
edit at a path the document does not have, a run parameter the document does not fit (a state it
does not have, limited-move stability on more than two decision makers), or a run estimated over
the web budget. Runs are created: the budget is lowered to one second here, so a drawn run either
finishes at once or is refused up front (413 with the estimate)."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from detente.web.app import create_app

CONFIG = """
[[operations]]
include-method = "POST"
checks.positive_data_acceptance.expected-statuses = ["2xx", "404", "409", "413", "422"]
"""

_DATA = Path(tempfile.mkdtemp(prefix="detente-web-schema-"))
atexit.register(shutil.rmtree, _DATA, ignore_errors=True)
schema = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(_DATA, workers=1), config=schemathesis.Config.from_str(CONFIG)
)


@schema.parametrize()
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_description(case: schemathesis.Case[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DETENTE_TIME_BUDGET", "1")
    case.call_and_validate()
