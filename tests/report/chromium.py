"""Headless Chromium for the browser tests: Debian's ``chromium`` driven by playwright.

Never downloads a browser: a test that needs one is skipped when the system's is not installed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

F = TypeVar("F", bound=Callable[..., object])


def needs_chromium(test: F) -> F:
    """Mark a test ``browser`` and skip it when the system's Chromium is not installed."""
    reason = f"headless Chromium ({CHROMIUM}) is not installed"
    skip = pytest.mark.skipif(not CHROMIUM.exists(), reason=reason)
    marked: F = pytest.mark.browser(skip(test))
    return marked


@contextmanager
def chromium() -> Iterator[Browser]:
    """The system's Chromium, launched headless (skips the test when playwright is not installed)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=list(ARGS), headless=True)
        try:
            yield browser
        finally:
            browser.close()
