// The pipesim dashboard: plain JavaScript, no build step, nothing fetched from elsewhere.
//
// It loads one page of pipelines from `state`, then follows `events` (server-sent
// events). An event marks its pipeline dirty; dirty pipelines are re-fetched one call
// each at most every FLUSH_MS, so a busy simulator costs the page a few calls a second
// whatever its event rate. `state` is re-read every POLL_MS (sooner after an event of a
// pipeline not shown), which picks up pipelines created or deleted meanwhile.
"use strict";

const FLUSH_MS = 300;
const POLL_MS = 2000;
const base = "/_pipesim/ui";
const token = new URLSearchParams(location.search).get("token");

const view = { offset: 0, limit: 20, q: "", total: 0, virtual: false, now: 0 };
const cards = new Map(); // "account/region/name" -> the pipeline's card
const dirty = new Set();
let stale = false;
let lastState = 0;
let flushing = false;

function url(path, params) {
  const query = new URLSearchParams(params || {});
  if (token) query.set("token", token);
  const text = query.toString();
  return base + path + (text ? "?" + text : "");
}

async function getJson(path, params) {
  const answer = await fetch(url(path, params), { cache: "no-store" });
  const body = await answer.json();
  if (!answer.ok) throw new Error(body.error || answer.statusText);
  return body;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function time(seconds) {
  if (seconds === undefined || seconds === null) return "";
  return new Date(seconds * 1000).toISOString().replace("T", " ").slice(0, 19) + " UTC";
}

function duration(seconds) {
  if (seconds < 60) return seconds.toFixed(seconds < 10 ? 1 : 0) + " s";
  if (seconds < 3600) return Math.floor(seconds / 60) + " min " + Math.round(seconds % 60) + " s";
  return Math.floor(seconds / 3600) + " h " + Math.round((seconds % 3600) / 60) + " min";
}

function shortId(id) {
  return id ? id.slice(0, 8) : "";
}

function status(value) {
  return el("span", { class: "status s-" + (value || "none") }, value || "—");
}

function keyOf(account, region, name) {
  return account + "/" + region + "/" + name;
}

function showError(message) {
  const node = document.getElementById("error");
  node.hidden = !message;
  node.textContent = message || "";
}

function renderClock() {
  document.getElementById("clock").textContent =
    time(view.now) + (view.virtual ? " (virtual)" : "");
  document.getElementById("advance").hidden = !view.virtual;
}

function renderRules(faults, limits) {
  const section = document.getElementById("rules");
  section.replaceChildren();
  if (faults.length) {
    section.append(el("h2", null, "Fault rules"), el("table", null,
      el("tr", null, ["id", "rule", "matched", "fired"].map((h) => el("th", null, h))),
      faults.map((f) => {
        const { id, matched, fired, ...rule } = f;
        return el("tr", null, el("td", { class: "id" }, id),
          el("td", { class: "id" }, JSON.stringify(rule)), el("td", null, matched), el("td", null, fired));
      })));
  }
  if (limits.length) {
    section.append(el("h2", null, "Rate limits"), el("table", null,
      el("tr", null, ["id", "limit", "allowed", "throttled"].map((h) => el("th", null, h))),
      limits.map((l) => {
        const { id, allowed, throttled, ...limit } = l;
        return el("tr", null, el("td", { class: "id" }, id),
          el("td", { class: "id" }, JSON.stringify(limit)), el("td", null, allowed), el("td", null, throttled));
      })));
  }
}

function renderStage(stage, first) {
  const parts = [];
  if (!first || !stage.transition.enabled) {
    const t = stage.transition;
    parts.push(t.enabled
      ? el("div", { class: "transition" }, "→")
      : el("div", { class: "transition disabled", title: t.disabledReason || "" },
          "⊘", "transition disabled", t.disabledReason ? el("em", null, t.disabledReason) : null));
  }
  const latest = stage.latestExecution;
  parts.push(el("div", { class: "stage", "data-stage": stage.name },
    el("h3", null, stage.name),
    latest
      ? el("div", { class: "latest" }, status(latest.status), " ", el("span", { class: "id" }, shortId(latest.executionId)),
          latest.type ? " (" + latest.type + ")" : "")
      : el("div", { class: "latest" }, "not run yet"),
    stage.inboundExecutions.map((e) =>
      el("div", { class: "inbound" }, "waiting: ", el("span", { class: "id" }, shortId(e.executionId)), " ", e.status)),
    stage.conditions.map((c) => el("div", { class: "latest" }, c.kind + " condition: ", status(c.status))),
    stage.actions.map((a) =>
      el("div", { class: "action s-" + (a.status || "none"), "data-action": a.name },
        el("div", { class: "name" }, a.name),
        status(a.status),
        a.error ? el("div", { class: "muted" }, a.error) : a.summary ? el("div", { class: "muted" }, a.summary) : null))));
  return parts;
}

function renderPipeline(p) {
  const rows = p.executions.map((e) => el("tr", null,
    el("td", { class: "id", title: e.id }, shortId(e.id)), el("td", null, status(e.status)),
    el("td", null, e.trigger + (e.type ? " (" + e.type + ")" : "")), el("td", null, time(e.start)),
    el("td", null, duration(e.durationSeconds))));
  return el("article", { class: "pipeline", "data-pipeline": p.name },
    el("h2", null, p.name, el("small", null, p.account + " · " + p.region + " · version " + p.version)),
    el("div", { class: "stages" }, p.stages.map((s, i) => renderStage(s, i === 0))),
    rows.length
      ? el("table", { class: "executions" },
          el("tr", null, ["execution", "status", "trigger", "started", "duration"].map((h) => el("th", null, h))), rows)
      : el("p", { class: "muted" }, "no executions yet"));
}

async function loadState() {
  lastState = Date.now();
  stale = false;
  try {
    const state = await getJson("/state", { offset: view.offset, limit: view.limit, q: view.q });
    view.total = state.total;
    view.virtual = state.virtualTime;
    view.now = state.now;
    renderClock();
    renderRules(state.faults, state.rateLimits);
    const list = document.getElementById("pipelines");
    cards.clear();
    list.replaceChildren(...state.pipelines.map((p) => {
      const card = renderPipeline(p);
      cards.set(keyOf(p.account, p.region, p.name), card);
      return card;
    }));
    if (!state.pipelines.length) list.append(el("p", { class: "muted" }, "no pipelines yet"));
    const last = Math.min(view.offset + view.limit, view.total);
    document.getElementById("range").textContent =
      view.total ? (view.offset + 1) + "–" + last + " of " + view.total + " pipelines" : "";
    document.getElementById("prev").disabled = view.offset === 0;
    document.getElementById("next").disabled = last >= view.total;
    showError(null);
  } catch (err) {
    showError("cannot load the state: " + err.message);
  }
}

async function refresh(key) {
  const card = cards.get(key);
  if (!card) return;
  const [account, region, ...rest] = key.split("/");
  try {
    const p = await getJson("/pipeline", { account, region, name: rest.join("/") });
    const fresh = renderPipeline(p);
    if (cards.get(key) === card) {
      card.replaceWith(fresh);
      cards.set(key, fresh);
    }
  } catch (err) {
    stale = true; // deleted, most likely: the next state load drops it
  }
}

async function flush() {
  if (flushing) return;
  flushing = true;
  try {
    const keys = [...dirty];
    dirty.clear();
    await Promise.all(keys.map(refresh));
    if (stale && Date.now() - lastState > POLL_MS / 2) await loadState();
  } finally {
    flushing = false;
  }
}

function listen() {
  const live = document.getElementById("live");
  if (!window.EventSource) {
    live.textContent = "polling";
    return;
  }
  const source = new EventSource(url("/events"));
  source.onopen = () => { live.textContent = "live"; };
  source.onerror = () => { live.textContent = "reconnecting…"; };
  source.onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (event.at > view.now) {
      view.now = event.at;
      renderClock();
    }
    const key = keyOf(event.account, event.region, event.pipeline);
    if (cards.has(key)) dirty.add(key);
    else stale = true;
  };
  source.addEventListener("lagged", () => { stale = true; });
}

document.getElementById("advance").addEventListener("submit", async (submit) => {
  submit.preventDefault();
  const seconds = Number(document.getElementById("advance-seconds").value);
  const headers = { "content-type": "application/json" };
  if (token) headers.authorization = "Bearer " + token;
  try {
    const answer = await fetch("/_pipesim/clock/advance",
      { method: "POST", headers, body: JSON.stringify({ seconds }) });
    const body = await answer.json();
    if (!answer.ok) throw new Error(body.error || answer.statusText);
    showError(null);
  } catch (err) {
    showError("cannot advance the clock: " + err.message);
  }
  await loadState();
});

let typing;
document.getElementById("filter").addEventListener("input", (input) => {
  clearTimeout(typing);
  typing = setTimeout(() => { view.q = input.target.value; view.offset = 0; loadState(); }, 250);
});
document.getElementById("prev").addEventListener("click", () => {
  view.offset = Math.max(0, view.offset - view.limit);
  loadState();
});
document.getElementById("next").addEventListener("click", () => {
  view.offset += view.limit;
  loadState();
});

setInterval(flush, FLUSH_MS);
setInterval(() => { if (Date.now() - lastState >= POLL_MS) loadState(); }, POLL_MS / 4);
loadState().then(listen);
