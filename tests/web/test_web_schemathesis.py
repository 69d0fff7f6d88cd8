"""Property-based API test: schemathesis draws requests from the app's own OpenAPI description; none
may make the server fail (no 5xx). Run creation is left out: valid run parameters start real
analyses, which the API tests cover one by one."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from detente.web.app import create_app

_DATA = Path(tempfile.mkdtemp(prefix="detente-web-schema-"))
atexit.register(shutil.rmtree, _DATA, ignore_errors=True)
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(_DATA, workers=1)).exclude(
    path_regex=r"/runs$|/rerun$", method="POST"
)


@schema.parametrize()
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: schemathesis.Case[Any]) -> None:
    case.call_and_validate(checks=[not_a_server_error])
