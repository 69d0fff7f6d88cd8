"""``detente serve``: the local web app (FastAPI with uvicorn), bound to loopback by default."""

from __future__ import annotations

import os
from pathlib import Path

import typer

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
"""Host names a loopback server answers to (any other is refused: DNS rebinding)."""


def is_loopback(host: str) -> bool:
    """Is ``host`` this machine only: ``localhost``, or an address of 127.0.0.0/8 or ::1 (RFC 1122, 4291)?"""
    import ipaddress

    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/detente``, or ``~/.local/share/detente`` when XDG_DATA_HOME is unset."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "detente"


def url(host: str, port: int) -> str:
    """The app's address; an IPv6 literal goes in brackets (RFC 3986, section 3.2.2): ``http://[::1]:8000/``."""
    netloc = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{netloc}:{port}/"


def serve(port: int = 8000, host: str = "127.0.0.1", data: Path | None = None, workers: int = 2) -> None:
    """Start the local web app: scenario list, editor, analyses, forecasts and reports in a browser."""
    import uvicorn

    from detente.web.app import create_app

    loopback = is_loopback(host)
    if not loopback:
        typer.echo(
            f"warning: binding to {host} makes the app reachable from other machines; it has no login.",
            err=True,
        )
    folder = data or default_data_dir()
    names = (*LOOPBACK_NAMES, host if ":" not in host else f"[{host.strip('[]')}]")
    app = create_app(folder, workers=workers, allowed_hosts=names if loopback else None)
    typer.echo(f"detente: serving {url(host, port)} (data in {folder})")
    uvicorn.run(app, host=host, port=port, log_level="warning")
