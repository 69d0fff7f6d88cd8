// detente web app: small helpers for the server-rendered pages. Every action goes through the JSON API.
"use strict";

async function api(method, url, body) {
  const options = { method, headers: {} };
  if (body instanceof FormData) {
    options.body = body;
  } else if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(url, options);
  let data = null;
  try { data = await response.json(); } catch (e) { data = null; }
  return { ok: response.ok, status: response.status, data };
}

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}

function problemText(p) {
  const where = p.line ? "line " + p.line : "";
  const field = p.field ? " [" + p.field + "]" : "";
  return (where + field + " " + p.message).trim();
}

function detailText(data, status) {
  if (!data) return "request failed (" + status + ")";
  if (typeof data.detail === "string") return data.detail;
  if (Array.isArray(data.detail)) {
    return data.detail.map((d) => (d.loc || []).slice(1).join(".") + ": " + d.msg).join("; ");
  }
  return "request failed (" + status + ")";
}

function showProblems(list, data, status) {
  list.replaceChildren();
  const problems = (data && data.problems) || [];
  if (!problems.length) list.appendChild(el("li", detailText(data, status)));
  for (const p of problems) {
    const item = el("li", problemText(p), "problem");
    item.dataset.line = p.line || "";
    item.dataset.field = p.field || "";
    list.appendChild(item);
  }
}

// Warn before leaving a page whose edits are not saved: ``dirty`` says whether there are any.
function warnUnsaved(dirty) {
  window.addEventListener("beforeunload", (event) => {
    if (!dirty()) return;
    event.preventDefault();
    event.returnValue = "";
  });
}

// An ISO date (2019-06-28) as "28 Jun 2019"; anything else as it is.
function dayText(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(iso));
  if (!m) return String(iso);
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  return Number(m[3]) + " " + months[Number(m[2]) - 1] + " " + m[1];
}

// -- upload -------------------------------------------------------------------------------------
function initUpload() {
  const form = document.getElementById("upload");
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const box = document.getElementById("upload-errors");
    const input = document.getElementById("upload-file");
    if (!input.files.length) { box.textContent = "Choose a file first."; return; }
    const body = new FormData();
    body.append("file", input.files[0]);
    const r = await api("POST", "/api/scenarios/upload", body);
    if (r.ok) { window.location = "/scenarios/" + r.data.id; return; }
    const list = el("ul");
    showProblems(list, r.data, r.status);
    box.replaceChildren(el("p", "Nothing was saved: the file has problems."), list);
  });
}

// -- run forms ----------------------------------------------------------------------------------
function formParams(form) {
  const params = { kind: form.dataset.kind };
  const lists = {};
  for (const input of form.querySelectorAll("input, select")) {
    if (!input.name) continue;
    if (input.type === "checkbox" && input.value !== "on") {
      lists[input.name] = lists[input.name] || [];
      if (input.checked) lists[input.name].push(input.value);
    } else if (input.type === "checkbox") {
      params[input.name] = input.checked;
    } else if (input.type === "number" || input.name === "dimension") {
      if (input.value !== "") params[input.name] = Number(input.value);
    } else if (input.dataset.list) {
      params[input.name] = input.value.split(",").map((s) => s.trim()).filter((s) => s !== "");
    } else if (input.value !== "") {
      params[input.name] = input.value;
    }
  }
  return Object.assign(params, lists);
}

function initRunForms() {
  for (const form of document.querySelectorAll("form.run-form")) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector("button");
      const box = form.querySelector(".errors");
      button.disabled = true;
      box.textContent = "";
      const r = await api("POST", form.dataset.url, formParams(form));
      button.disabled = false;
      if (r.ok) { window.location = "/runs/" + r.data.id; return; }
      box.textContent = detailText(r.data, r.status);
    });
  }
}

// -- run page: progress polling -------------------------------------------------------------------
function initRunPage() {
  const run = document.getElementById("run");
  if (!run) return;
  const rerun = document.getElementById("rerun");
  rerun.addEventListener("click", async () => {
    const r = await api("POST", rerun.dataset.url);
    if (r.ok) window.location = "/runs/" + r.data.id;
  });
  if (run.dataset.status !== "queued" && run.dataset.status !== "running") return;
  const bar = document.getElementById("progress-bar");
  const text = document.getElementById("progress");
  const status = document.getElementById("status");
  const poll = async () => {
    const r = await api("GET", "/api/runs/" + run.dataset.run + "/status");
    if (r.ok) {
      bar.max = r.data.total || 1;
      bar.value = r.data.done;
      text.textContent = r.data.done + " / " + r.data.total;
      status.textContent = r.data.status;
      if (r.data.status === "done" || r.data.status === "failed") { window.location.reload(); return; }
    }
    window.setTimeout(poll, 300);
  };
  window.setTimeout(poll, 200);
}

// -- state graph --------------------------------------------------------------------------------
function initGraph() {
  const svg = document.getElementById("state-graph");
  if (!svg) return;
  const detail = document.getElementById("state-detail");
  for (const radio of document.querySelectorAll("input[name=graph-concept]")) {
    radio.addEventListener("change", () => { svg.dataset.concept = radio.value; });
  }
  const show = async (node) => {
    for (const other of svg.querySelectorAll(".state.selected")) other.classList.remove("selected");
    node.classList.add("selected");
    const r = await api("GET", svg.dataset.url + node.dataset.number + "?concepts=" + svg.dataset.concept);
    detail.replaceChildren();
    if (!r.ok) { detail.appendChild(el("p", detailText(r.data, r.status), "errors")); return; }
    detail.appendChild(el("h3", r.data.text));
    for (const para of r.data.explanation) detail.appendChild(el("p", para));
  };
  for (const node of svg.querySelectorAll(".state")) {
    node.addEventListener("click", () => show(node));
    node.addEventListener("keydown", (e) => { if (e.key === "Enter") show(node); });
  }
}

// -- YAML editor --------------------------------------------------------------------------------
function initEditor() {
  const box = document.getElementById("editor");
  if (!box) return;
  const text = document.getElementById("yaml");
  const gutter = document.getElementById("gutter");
  const list = document.getElementById("editor-errors");
  const status = document.getElementById("editor-status");
  let bad = new Set();
  let saved = text.value;
  warnUnsaved(() => text.value !== saved);
  const drawGutter = () => {
    const n = text.value.split("\n").length;
    gutter.replaceChildren();
    for (let i = 1; i <= n; i++) {
      const line = el("span", String(i) + "\n");
      if (bad.has(i)) line.className = "bad";
      gutter.appendChild(line);
    }
    gutter.scrollTop = text.scrollTop;
  };
  const goTo = (line) => {
    const lines = text.value.split("\n");
    const start = lines.slice(0, line - 1).join("\n").length + (line > 1 ? 1 : 0);
    text.focus();
    text.setSelectionRange(start, start + (lines[line - 1] || "").length);
    text.scrollTop = Math.max(0, (line - 5) * 18.2);
  };
  const report = (r) => {
    const problems = (r.data && r.data.problems) || [];
    bad = new Set(problems.map((p) => p.line).filter((x) => x));
    showProblems(list, r.data, r.status);
    for (const item of list.querySelectorAll("li.problem")) {
      if (item.dataset.line) item.addEventListener("click", () => goTo(Number(item.dataset.line)));
    }
    drawGutter();
  };
  text.addEventListener("input", drawGutter);
  text.addEventListener("scroll", () => { gutter.scrollTop = text.scrollTop; });
  document.getElementById("validate").addEventListener("click", async () => {
    const r = await api("POST", "/api/validate", { text: text.value });
    if (r.ok && r.data.ok) { bad = new Set(); list.replaceChildren(); drawGutter(); status.textContent = "Valid " + r.data.kind + ": " + r.data.name; return; }
    status.textContent = "Problems found:";
    report({ data: r.data, status: r.status });
  });
  document.getElementById("save").addEventListener("click", async () => {
    const r = await api("POST", "/api/scenarios/" + box.dataset.scenario + "/versions",
      { text: text.value, note: document.getElementById("note").value });
    if (r.ok) { saved = text.value; window.location = "/scenarios/" + box.dataset.scenario + "?v=" + r.data.number; return; }
    status.textContent = "Not saved: problems found.";
    report(r);
  });
  drawGutter();
}

// -- form editor --------------------------------------------------------------------------------
function initForm() {
  const form = document.getElementById("edit-form");
  if (!form) return;
  let leaving = false;
  warnUnsaved(() => !leaving && [...form.querySelectorAll("input[data-path]")].some((i) => i.value !== i.dataset.original));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const edits = [];
    for (const input of form.querySelectorAll("input[data-path]")) {
      input.classList.remove("bad");
      input.parentElement.querySelector(".field-error").textContent = "";
      if (input.value === input.dataset.original) continue;
      edits.push({ path: input.dataset.path, value: input.dataset.number ? Number(input.value) : input.value });
    }
    const list = document.getElementById("form-errors");
    if (!edits.length) { list.replaceChildren(el("li", "Nothing changed.")); return; }
    const r = await api("POST", form.dataset.url, { edits, note: document.getElementById("form-note").value });
    if (r.ok) { leaving = true; window.location = "/scenarios/" + form.dataset.scenario + "?v=" + r.data.number; return; }
    showProblems(list, r.data, r.status);
    for (const p of (r.data && r.data.problems) || []) {
      for (const input of form.querySelectorAll("input[data-path]")) {
        const path = input.dataset.path;
        if (p.field && (path === p.field || path.startsWith(p.field + ".") || path.startsWith(p.field + "["))) {
          input.classList.add("bad");
          input.parentElement.querySelector(".field-error").textContent = problemText(p);
        }
      }
    }
  });
}

// -- forecast questions -------------------------------------------------------------------------
function logText(x) { return x === null ? "-inf" : x.toFixed(3); }

function scoreText(card) {
  const s = card.overall;
  return "Brier score " + s.brier.toFixed(3) + ", skill " + s.brier_skill.toFixed(2) + ", log score " + logText(s.log);
}

// The model's answers (a run of kind "questions", read from the API) as a table, reasoning per question.
function renderAnswers(box, run) {
  const r = run.result;
  const scored = r.scores !== null;
  const scores = {};
  if (scored) for (const q of r.scores.questions) scores[q.id] = q;
  const table = el("table");
  table.id = "answers-table";
  const head = el("tr");
  const columns = ["question", "probability", "baseline", "method"].concat(scored ? ["resolved", "Brier", "log score"] : []);
  for (const c of columns) head.appendChild(el("th", c));
  table.appendChild(el("thead")).appendChild(head);
  const body = table.appendChild(el("tbody"));
  const probabilities = {};
  for (const a of r.answers) {
    probabilities[a.id] = a.probability;
    const row = el("tr", undefined, "answer");
    row.dataset.id = a.id;
    row.appendChild(el("td", a.title));
    row.appendChild(el("td", a.probability.toFixed(3), "probability"));
    row.appendChild(el("td", a.baseline.toFixed(3), "baseline"));
    row.appendChild(el("td", a.method));
    if (scored) {
      const s = scores[a.id];
      row.appendChild(el("td", s ? (s.outcome ? "yes" : "no") : "–"));
      row.appendChild(el("td", s ? s.brier.toFixed(3) : "–"));
      row.appendChild(el("td", s ? logText(s.log) : "–"));
    }
    body.appendChild(row);
    const why = el("tr", undefined, "reasoning");
    const cell = el("td");
    cell.colSpan = columns.length;
    const details = el("details");
    details.appendChild(el("summary", "Reasoning"));
    details.appendChild(el("p", a.reasoning));
    cell.appendChild(details);
    why.appendChild(cell);
    body.appendChild(why);
  }
  const m = r.method;
  const about = el("p", "From the snapshot " + r.snapshot + " (as of " + dayText(r.as_of) + "): " + m.samples
    + " judgement samples (swap " + m.swap + "), " + m.monte_carlo_runs + " Monte Carlo runs, seed " + m.seed + ". ", "meta");
  const link = el("a", "Run #" + run.id);
  link.href = "/runs/" + run.id;
  about.appendChild(link);
  const parts = [about, table];
  if (scored) {
    const line = el("p", "Against what happened, the model: " + scoreText(r.scores)
      + ". Its baseline (the judgements as written): " + scoreText(r.baseline_scores) + ".");
    line.id = "model-score";
    parts.push(line);
  }
  box.replaceChildren(...parts);
  box.dataset.probabilities = JSON.stringify(probabilities);
}

function initAnswers() {
  const box = document.getElementById("answers");
  if (!box || !box.dataset.run) return;
  api("GET", "/api/runs/" + box.dataset.run).then((r) => { if (r.ok && r.data.result) renderAnswers(box, r.data); });
}

function initQuestionRun() {
  const form = document.getElementById("questions-run");
  if (!form) return;
  const button = document.getElementById("answer-button");
  const errors = document.getElementById("answer-errors");
  const wrap = document.getElementById("answer-progress");
  const bar = wrap.querySelector("progress");
  const status = wrap.querySelector(".status");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const params = { kind: "questions", question_set: form.dataset.set };
    for (const input of form.querySelectorAll("input[type=number]")) {
      if (input.value !== "") params[input.name] = Number(input.value);
    }
    button.disabled = true;
    errors.textContent = "";
    const created = await api("POST", form.querySelector("select[name=target]").value, params);
    if (!created.ok) { button.disabled = false; errors.textContent = detailText(created.data, created.status); return; }
    wrap.hidden = false;
    const id = created.data.id;
    const poll = async () => {
      const s = await api("GET", "/api/runs/" + id + "/status");
      if (s.ok) {
        bar.max = s.data.total || 1;
        bar.value = s.data.done;
        status.textContent = s.data.status;
        if (s.data.status === "done" || s.data.status === "failed") {
          button.disabled = false;
          const full = await api("GET", "/api/runs/" + id);
          if (s.data.status === "failed") { errors.textContent = full.data.error; return; }
          renderAnswers(document.getElementById("answers"), full.data);
          return;
        }
      }
      window.setTimeout(poll, 300);
    };
    poll();
  });
}

function initQuestions() {
  const form = document.getElementById("questions-form");
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const probabilities = {};
    for (const input of form.querySelectorAll("input[type=number]")) {
      if (input.value !== "") probabilities[input.name] = Number(input.value);
    }
    const out = document.getElementById("score-result");
    const r = await api("POST", form.dataset.url, { probabilities });
    if (!r.ok) { out.textContent = detailText(r.data, r.status); out.className = "errors"; return; }
    // The model's probabilities of the same questions, scored by the same API call, when it has answered.
    const answers = document.getElementById("answers");
    const model = answers && answers.dataset.probabilities ? JSON.parse(answers.dataset.probabilities) : null;
    let mine = null;
    if (model) {
      const same = {};
      for (const q of Object.keys(probabilities)) if (q in model) same[q] = model[q];
      const m = await api("POST", form.dataset.url, { probabilities: same });
      if (m.ok) mine = m.data;
    }
    out.className = "";
    out.textContent = "Yours: " + scoreText(r.data) + " (Brier 0 is perfect, 0.25 is always saying 50 %)."
      + (mine ? " The model on the same " + mine.questions.length + " question(s): " + scoreText(mine) + "." : "");
    const modelBrier = {};
    if (mine) for (const q of mine.questions) modelBrier[q.id] = q.brier;
    for (const q of r.data.questions) {
      const box = form.querySelector('section[data-id="' + q.id + '"] .score');
      if (box) {
        box.textContent = "resolved " + (q.outcome ? "yes" : "no") + "; your Brier " + q.brier.toFixed(3)
          + (q.id in modelBrier ? "; the model's " + modelBrier[q.id].toFixed(3) : "");
      }
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  initQuestions();
  initQuestionRun();
  initAnswers();
  initUpload();
  initRunForms();
  initRunPage();
  initGraph();
  initEditor();
  initForm();
});
