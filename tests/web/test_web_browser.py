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


# -- every page at two widths: no horizontal overflow, chart text at least 11 px ----------------------
WIDTHS = (900, 1400)
DONE = ("done", "failed")
MIN_TEXT_PX = 11.0

RUNS: dict[str, tuple[str, dict[str, Any]]] = {
    "stability": ("dprk_us_2019_06", {"kind": "stability"}),
    "paths": ("dprk_us_2019_06", {"kind": "paths"}),
    "inverse": ("chicken", {"kind": "inverse", "target": "1"}),
    "hypergame": ("dprk_us_2019_06", {"kind": "hypergame"}),
    "forecast-mc": ("dprk_us_2019_06", {"kind": "forecast", "model": "eum", "mc": 60, "seed": 3}),
    "forecast-one-round": ("dprk_us_2019_06", {"kind": "forecast", "model": "median"}),
    "interventions": ("dprk_us_2019_06", {"kind": "interventions", "runs": 5}),
    "questions": ("dprk_us_2019_06", {"kind": "questions", "samples": 3, "runs": 20}),
    "clock": ("dprk_us_2019_06", {"kind": "clock", "mc": 20}),
    "report": ("chicken", {"kind": "report", "runs": 0}),
}

# Elements that overflow their box or their container, outside deliberately scrollable ones
# (marked ``data-scroll``; text areas and preformatted text such as diffs scroll by nature).
_OVERFLOW_JS = """() => {
  const out = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth) out.push(`page ${root.scrollWidth} > ${root.clientWidth}`);
  const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().replace(/ +/g, '.') : '');
  const deliberate = (e) => e.closest('[data-scroll], textarea, pre') !== null;
  for (const e of document.querySelectorAll('body *')) {
    if (deliberate(e) || e.closest('svg') && e.tagName.toLowerCase() !== 'svg') continue;
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0 && getComputedStyle(e).display !== 'inline') {
      out.push(`${name(e)} holds ${e.scrollWidth} px in ${e.clientWidth} px`);
      continue;
    }
    const box = e.parentElement.closest('section, .card, figure, td, th, li, main');
    if (box && !deliberate(box)) {
      const b = box.getBoundingClientRect();
      if (r.right > b.right + 1 || r.left < b.left - 1) {
        const at = (q) => `[${Math.round(q.left)}, ${Math.round(q.right)}]`;
        out.push(`${name(e)} ${at(r)} outside ${name(box)} ${at(b)}`);
      }
    }
  }
  return out.slice(0, 12);
}"""

# Text defects: markup in the tab title, raw ISO timestamps or reStructuredText shown as text,
# elements marked hidden but displayed.
_TEXT_DEFECTS_JS = """() => {
  const out = [];
  if (/[<>]/.test(document.title)) out.push('tab title ' + JSON.stringify(document.title.slice(0, 80)));
  const text = document.body.innerText;
  for (const m of text.match(/\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}\\S*/g) || []) out.push('raw timestamp ' + m);
  for (const m of text.match(/:[a-z]+:`[^`]*`|``[^`]*``/g) || []) out.push('raw RST ' + m.slice(0, 60));
  for (const e of document.querySelectorAll('[hidden]')) {
    if (getComputedStyle(e).display !== 'none') out.push('hidden but shown: ' + (e.id || e.tagName));
  }
  return out.slice(0, 8);
}"""

# A paragraph shown twice on one page, whole or as the start of another (questions and the columns
# of interventions side by side are left out: they may say the same of different things).
_REPEATED_JS = """() => {
  const lines = [...document.querySelectorAll('main p')]
    .filter((e) => !e.closest('section.question, .column'))
    .map((e) => e.innerText.trim().replace(/[.:]$/, '')).filter((t) => t.length >= 20);
  return lines.filter((a, i) => lines.some((b, j) => j !== i && b.startsWith(a) && (j < i || b !== a)))
    .map((t) => t.slice(0, 80));
}"""

# Rendered size of every text in the charts: font size (user units) times the scale from the
# text's user space to the screen. Charts shown as <img> are measured in a copy of their SVG laid
# out at the image's displayed width. matplotlib draws text either as <text> or as glyph paths
# (<use>) in a group scaled by font size / 100.
_TEXT_JS = """async () => {
  const sizes = [];
  const scale = (node) => { const m = node.getScreenCTM(); return Math.hypot(m.a, m.b); };
  const measure = (svg, where) => {
    for (const t of svg.querySelectorAll('text')) {
      if (!t.textContent.trim()) continue;
      const px = parseFloat(getComputedStyle(t).fontSize) * scale(t);
      sizes.push([where, t.textContent.trim().slice(0, 40), px]);
    }
    for (const g of svg.querySelectorAll('g[id^="text_"]')) {
      if (g.querySelector('text')) continue;
      const glyphs = g.querySelector('use') && g.querySelector('use').parentElement;
      if (glyphs) sizes.push([where, g.id, 100 * scale(glyphs)]);
    }
  };
  for (const svg of document.querySelectorAll('main svg')) measure(svg, svg.id || 'inline svg');
  for (const img of document.querySelectorAll('figure img')) {
    const text = await (await fetch(img.src)).text();
    const svg = new DOMParser().parseFromString(text, 'image/svg+xml').documentElement;
    const holder = document.createElement('div');
    holder.style.cssText = 'position:absolute;left:0;top:0;visibility:hidden;width:'
      + img.getBoundingClientRect().width + 'px';
    svg.setAttribute('width', '100%');
    svg.removeAttribute('height');
    holder.appendChild(document.importNode(svg, true));
    document.body.appendChild(holder);
    measure(holder.querySelector('svg'), img.getAttribute('src'));
    holder.remove();
  }
  return sizes;
}"""


@pytest.fixture(scope="module")
def pages(server: str) -> dict[str, str]:
    """Every page of the app by name, with a finished run of each kind (small Monte Carlo counts)."""
    ids = {b["name"]: b["scenario_id"] for b in httpx.get(server + "/api/builtins").json()}
    nk = ids["dprk_us_2019_06"]
    out = {
        "index": "/",
        "scenario": f"/scenarios/{nk}",
        "yaml-editor": f"/scenarios/{nk}/versions/1/edit",
        "form-editor": f"/scenarios/{nk}/versions/1/form",
        "compare": f"/scenarios/{nk}/compare?a=1&b=1",
        "questions": "/questions/" + httpx.get(server + "/api/questions").json()[0]["name"],
        "api-docs": "/api/docs",
        "error": "/scenarios/999999",
    }
    started = {}
    for name, (builtin, params) in RUNS.items():
        response = httpx.post(f"{server}/api/scenarios/{ids[builtin]}/versions/1/runs", json=params)
        assert response.status_code == 201, response.text
        started[name] = response.json()["id"]
    end = time.monotonic() + 120
    for name, rid in started.items():
        while (status := httpx.get(f"{server}/api/runs/{rid}/status").json()["status"]) not in DONE:
            assert time.monotonic() < end, f"run {name} did not finish"
            time.sleep(0.1)
        assert status == "done", httpx.get(f"{server}/api/runs/{rid}").json()["error"]
        out["run-" + name] = f"/runs/{rid}"
    return out


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_fits_its_width_and_its_chart_text_is_readable(
    browser: Any, server: str, pages: dict[str, str], width: int, tmp_path: Path
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    failures: list[str] = []
    try:
        for name, url in pages.items():
            response = page.goto(server + url)
            status = None if response is None else response.status
            if status != (404 if name == "error" else 200):
                failures.append(f"{name}: status {status}")
                continue
            if name == "run-questions":  # the answers are drawn from the API by the page's script
                page.wait_for_selector("#answers-table")
            page.screenshot(path=str(tmp_path / f"{name}-{width}.png"), full_page=True)
            failures += [f"{name} at {width} px: {o}" for o in page.evaluate(_OVERFLOW_JS)]
            failures += [f"{name} at {width} px: repeated {t!r}" for t in page.evaluate(_REPEATED_JS)]
            failures += [f"{name} at {width} px: {t}" for t in page.evaluate(_TEXT_DEFECTS_JS)]
            small = [s for s in page.evaluate(_TEXT_JS) if s[2] < MIN_TEXT_PX - 0.05]
            failures += [f"{name} at {width} px: text {t!r} in {w} is {px:.1f} px" for w, t, px in small[:5]]
    finally:
        context.close()
    assert not failures, "\n".join(failures)


def _leave(page: Any, link: str) -> list[str]:
    """Click ``link`` and answer any "leave the page?" prompt with "stay"; the prompts' types."""
    dialogs: list[str] = []

    def stay(dialog: Any) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.click(link)
    page.wait_for_timeout(500)
    page.remove_listener("dialog", stay)
    return dialogs


def test_unsaved_edits_ask_before_the_page_is_left(page: Any, server: str) -> None:
    page.goto(server + "/builtins/prisoners_dilemma")
    scenario = page.url
    page.click("#edit-yaml")
    editor = page.url
    # Unchanged: leaving asks nothing.
    assert _leave(page, "a:has-text('back to the scenario')") == []
    assert page.url.startswith(scenario)
    page.goto(editor)
    page.click("#yaml")
    page.keyboard.press("Control+End")
    page.keyboard.type("  # a comment")
    assert _leave(page, "a:has-text('back to the scenario')") == ["beforeunload"]
    assert page.url == editor  # stayed, the edit still there
    assert page.input_value("#yaml").rstrip().endswith("# a comment")
    # Saved: no prompt on the way to the new version.
    page.fill("#note", "a comment")
    dialogs: list[str] = []

    def note(dialog: Any) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", note)
    page.click("#save")
    page.wait_for_selector("#current-version")
    assert dialogs == []
    # The form editor asks too, once a field differs from the version it shows.
    page.click("#edit-form")
    form = page.url
    field = page.locator("input[data-path]").first
    field.click()
    page.keyboard.press("End")
    page.keyboard.type("x")
    assert _leave(page, "a:has-text('back to the scenario')") == ["beforeunload"]
    assert page.url == form
