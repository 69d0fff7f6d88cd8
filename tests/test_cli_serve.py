"""``detente serve``: the address it prints (the server itself is not started here)."""

from __future__ import annotations

from pathlib import Path

import pytest
import uvicorn
from typer.testing import CliRunner

from detente.cli import app
from detente.cli.web import url


def test_an_ipv6_literal_is_bracketed_in_the_url() -> None:
    # RFC 3986, section 3.2.2: an IPv6 address in a URI's host is enclosed in square brackets.
    assert url("::1", 8000) == "http://[::1]:8000/"
    assert url("[::1]", 8000) == "http://[::1]:8000/"
    assert url("127.0.0.1", 8080) == "http://127.0.0.1:8080/"
    assert url("localhost", 1) == "http://localhost:1/"


@pytest.mark.parametrize(
    ("host", "shown"), [("::1", "http://[::1]:8123/"), ("127.0.0.1", "http://127.0.0.1:8123/")]
)
def test_serve_prints_a_usable_address(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, host: str, shown: str
) -> None:
    started: list[tuple[str, int]] = []
    monkeypatch.setattr(uvicorn, "run", lambda _app, host, port, **_: started.append((host, port)))
    result = CliRunner().invoke(app, ["serve", "--host", host, "--port", "8123", "--data", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert f"serving {shown} " in result.stdout
    assert started == [(host, 8123)]
