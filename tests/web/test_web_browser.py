"""End to end in headless Chromium (the system's /usr/bin/chromium, driven by playwright).

The app runs under uvicorn on 127.0.0.1 and a free port in a background thread. The tests walk the
pages as a user would: edit a preference and see the equilibria change, run a Monte Carlo forecast
and see progress then a chart, upload a malformed file and see the error at its line and field, have
the model answer the forecast questions and score them beside the user's own.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.report.chromium import CHROMIUM, chromium
from tests.web.conftest import REPO

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="headless Chromium (/usr/bin/chromium) is not installed"
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from detente.web.app import create_app

    port = _free_port()
    app = create_app(tmp_path_factory.mktemp("web-data"), workers=1)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(base + "/api/builtins", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.05)
    yield base
    uv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


def _open_north_korea(page: Any, server: str) -> None:
    page.goto(server + "/")
    page.click("#builtins tr[data-builtin=dprk_us_2019_06] a")
    page.wait_for_selector("#run-stability")


def _seq_equilibria(page: Any) -> str:
    page.click("#run-stability button")
    page.wait_for_selector("#equilibria")
    return str(page.inner_text("#equilibria tr[data-concept=seq] .eq-list"))


def test_changing_a_preference_changes_the_equilibria(page: Any, server: str) -> None:
    _open_north_korea(page, server)
    before = _seq_equilibria(page)
    assert before.strip()
    # Back to the scenario, then edit the US officials' second preference statement: insisting on
    # CVID becomes not insisting on it.
    page.click("p.meta a")
    page.click("#edit-form")
    field = page.locator('input[data-path="conflict.decision_makers[2].preferences.statements[1].statement"]')
    assert field.input_value() == "off_cvid"
    field.fill("-off_cvid")
    page.click("#form-save")
    page.wait_for_selector("#current-version")
    assert page.inner_text("#current-version") == "version 2"
    after = _seq_equilibria(page)
    assert after.strip() and after != before
    # The state graph answers a click with the reasons for the state's stability.
    page.click("#state-graph .state.eq-seq")
    page.wait_for_selector("#state-detail h3")
    assert "state" in page.inner_text("#state-detail h3")


def test_monte_carlo_shows_progress_then_a_chart(page: Any, server: str) -> None:
    _open_north_korea(page, server)
    page.fill("#run-forecast input[name=mc]", "2000")
    page.fill("#run-forecast input[name=seed]", "11")
    page.select_option("#run-forecast select[name=model]", "median")
    polled: list[str] = []
    page.on("response", lambda r: polled.append(r.json()["status"]) if r.url.endswith("/status") else None)
    page.click("#run-forecast button")
    page.wait_for_selector("#progress")
    # The run page opens while the run is under way (2000 runs take seconds) and polls its progress.
    assert page.get_attribute("#run", "data-status") in ("queued", "running")
    assert re.fullmatch(r"\d+ / 2000", page.inner_text("#progress").strip())
    page.wait_for_selector("#mc-chart img", timeout=120_000)
    assert "running" in polled  # progress was polled while the run was under way
    assert page.inner_text("#progress").strip() == "2000 / 2000"
    loaded = page.evaluate("document.querySelector('#mc-chart img').naturalWidth")
    assert loaded > 0


def test_malformed_upload_shows_the_error_at_its_field_and_saves_nothing(
    page: Any, server: str, tmp_path: Path
) -> None:
    text = (REPO / "examples" / "conflicts" / "chicken.yaml").read_text(encoding="utf-8")
    bad = text.replace("      - name: B_straight\n", "      - name: B straight\n")
    line = bad.splitlines().index("      - name: B straight") + 1
    path = tmp_path / "bad_chicken.yaml"
    path.write_text(bad, encoding="utf-8")
    page.goto(server + "/")
    rows = page.locator("#mine tbody tr:not(.empty)").count()
    page.set_input_files("#upload-file", str(path))
    page.click("#upload-button")
    page.wait_for_selector("#upload-errors li")
    message = page.inner_text("#upload-errors")
    assert "Nothing was saved" in message
    assert f"line {line} [decision_makers[1].options[0].name]" in message
    page.goto(server + "/")
    assert page.locator("#mine tbody tr:not(.empty)").count() == rows


def test_yaml_editor_marks_the_line_of_a_problem_and_keeps_the_version(page: Any, server: str) -> None:
    page.goto(server + "/builtins/chicken")
    page.click("#edit-yaml")
    text = page.input_value("#yaml")
    bad = text.replace("status_quo: NN", "status_quo: NNN")
    line = bad.splitlines().index("status_quo: NNN") + 1
    page.fill("#yaml", bad)
    page.click("#save")
    page.wait_for_selector("#editor-errors li.problem")
    assert page.inner_text("#editor-errors li.problem").startswith(f"line {line} [status_quo]")
    assert page.inner_text("#gutter .bad").strip() == str(line)
    page.click("#editor-errors li.problem")  # jumps to the line: the selection is that line's text
    selected = page.evaluate(
        "(() => { const t = document.getElementById('yaml'); "
        "return t.value.slice(t.selectionStart, t.selectionEnd); })()"
    )
    assert selected == "status_quo: NNN"
    page.click("a:has-text('back to the scenario')")
    assert page.inner_text("#current-version") == "version 1"


def test_the_model_answers_the_forecast_questions(page: Any, server: str) -> None:
    page.goto(server + "/")
    page.click("#question-sets a")
    page.wait_for_selector("#questions-run")
    assert "North Korea" in page.inner_text("#questions-run select[name=target] option:checked")
    page.fill("#questions-run input[name=samples]", "5")
    page.fill("#questions-run input[name=runs]", "30")
    page.click("#answer-button")
    page.wait_for_selector("#answers-table", timeout=60_000)
    rows = page.locator("#answers-table tr.answer")
    shown = {
        rows.nth(i).get_attribute("data-id"): float(rows.nth(i).locator("td.probability").inner_text())
        for i in range(rows.count())
    }
    # The table shows what the API's run holds, question by question.
    (run_id,) = re.findall(r"/runs/(\d+)", page.get_attribute("#answers a", "href") or "")
    result = httpx.get(f"{server}/api/runs/{run_id}").json()["result"]
    assert shown == {a["id"]: round(a["probability"], 3) for a in result["answers"]}
    assert all(0.0 <= p <= 1.0 for p in shown.values()) and len(shown) == len(result["answers"])
    page.click("#answers-table tr.reasoning summary")
    assert "snapshot" in page.inner_text("#answers-table tr.reasoning p")
    assert "Brier" in page.inner_text("#model-score")
    # The user's own probability is scored beside the model's on the same question.
    first = next(iter(shown))
    page.fill(f'#questions-form input[name="{first}"]', "0.4")
    page.click("#score-button")
    page.wait_for_selector("#score-result:has-text('The model on the same 1 question')")
    assert "the model's" in page.inner_text(f'#questions-form section[data-id="{first}"] .score')
