// The example app: sign in with the implicit flow, keep the token for the session, draw 30 days.
"use strict";

const CLIENT_ID = "local-dev";
const DAYS = 30;
const METRICS = ["heart_beat", "step", "sleep"];
const SESSION_EXPIRED = 20007;
const SVG_NS = "http://www.w3.org/2000/svg";
const store = window.sessionStorage;
const $ = (id) => document.getElementById(id);

function mockBase() {
  const asked = new URLSearchParams(location.search).get("mock");
  if (asked) store.setItem("mock", asked.replace(/\/+$/, ""));
  return store.getItem("mock") || "http://127.0.0.1:8080";
}

function callbackUri() {
  return `${location.origin}/callback`;
}

function randomState() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function signIn() {
  const state = randomState();
  store.setItem("state", state);
  const query = new URLSearchParams({
    response_type: "token",
    client_id: CLIENT_ID,
    redirect_uri: callbackUri(),
    scope: "daily",
    state,
  });
  location.assign(`${mockBase()}/oauth/authorize?${query}`);
}

// The page documents the token in the query; `cudis-mock serve --token-in fragment` puts it after `#`.
function takeCallback() {
  const query = new URLSearchParams(location.search);
  const fragment = new URLSearchParams(location.hash.slice(1));
  const answer = query.has("access_token") || query.has("error") ? query : fragment;
  const expected = store.getItem("state");
  store.removeItem("state");
  if (!expected || answer.get("state") !== expected) {
    return "The sign-in answer does not carry the state this app sent; sign in again.";
  }
  if (answer.has("error")) {
    return `Sign-in failed: ${answer.get("error")} (${answer.get("error_description") || "no description"}).`;
  }
  const token = answer.get("access_token");
  if (!token) return "The sign-in answer has no access_token.";
  store.setItem("token", token);
  store.setItem("scope", answer.get("scope") || "");
  const lifetime = Number(answer.get("expires_in"));
  if (lifetime > 0) store.setItem("expires_at", String(Date.now() + lifetime * 1000));
  return "";
}

function signOut(expired) {
  for (const key of ["token", "scope", "expires_at"]) store.removeItem(key);
  render(expired);
}

function show(id, visible) {
  $(id).hidden = !visible;
}

function problem(text) {
  $("problem").textContent = text;
  show("problem", Boolean(text));
}

function render(expired) {
  const token = store.getItem("token");
  $("mock").textContent = mockBase();
  show("signed-out", !token);
  show("expired", Boolean(expired));
  show("signed-in", Boolean(token));
  show("charts", Boolean(token));
  if (!token) return;
  $("client").textContent = CLIENT_ID;
  $("token").textContent = `${token.slice(0, 4)}…`;
  $("scope").textContent = store.getItem("scope") || "(none)";
  const expiresAt = Number(store.getItem("expires_at"));
  $("expires").textContent = expiresAt ? `, expires ${new Date(expiresAt).toLocaleDateString()}` : "";
  load(token);
}

async function query(metric, token, start, end) {
  const url = `${mockBase()}/partner/v1/query/${metric}?startTime=${start}&endTime=${end}`;
  const response = await fetch(url, {
    headers: { Authorization: `Bearer ${token}`, "Cudis-Client-Id": CLIENT_ID },
  });
  return response.json();
}

async function load(token) {
  problem("");
  for (const metric of METRICS) $(`panel-${metric}`).querySelector(".status").textContent = "loading…";
  const end = Math.floor(Date.now() / 1000);
  const start = end - DAYS * 86400;
  let answers;
  try {
    answers = await Promise.all(METRICS.map((metric) => query(metric, token, start, end)));
  } catch (error) {
    problem(`Could not reach the mock at ${mockBase()} (${error.message}). Is it running, and does it allow this origin (--cors-origins)?`);
    return;
  }
  if (answers.some((answer) => answer.code === SESSION_EXPIRED)) {
    signOut(true);
    return;
  }
  METRICS.forEach((metric, i) => draw(metric, answers[i]));
}

function el(tag, attrs, parent, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

// Drawn at the width the chart has on screen, so labels keep their size on a phone.
function frame(panel, items, top) {
  const box = panel.querySelector(".chart");
  box.replaceChildren();
  const width = Math.max(260, Math.round(box.clientWidth || 320));
  const height = 180;
  const pad = { left: 40, right: 8, top: 8, bottom: 22 };
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, role: "img" }, box);
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const y = (v) => pad.top + plotH - (v / top) * plotH;
  for (let i = 0; i <= 3; i++) {
    const v = Math.round((top * i) / 3);
    el("line", { class: "grid", x1: pad.left, x2: width - pad.right, y1: y(v), y2: y(v) }, svg);
    el("text", { class: "tick", x: pad.left - 4, y: y(v) + 4, "text-anchor": "end" }, svg, String(v));
  }
  const slot = plotW / Math.max(1, items.length);
  const x = (i) => pad.left + i * slot;
  if (items.length) {
    el("text", { class: "tick", x: pad.left, y: height - 6 }, svg, items[0].date);
    el("text", { class: "tick", x: width - pad.right, y: height - 6, "text-anchor": "end" }, svg, items[items.length - 1].date);
  }
  return { svg, x, y, slot };
}

function draw(metric, answer) {
  const panel = $(`panel-${metric}`);
  panel.querySelector(".status").textContent = `code ${answer.code}`;
  if (answer.code !== 200) {
    panel.querySelector(".summary").textContent = answer.msg;
    panel.querySelector(".chart").replaceChildren();
    return;
  }
  const data = answer.data;
  const items = data.list;
  panel.querySelector(".status").textContent = `code ${answer.code} · ${items.length} days`;
  if (metric === "heart_beat") {
    panel.querySelector(".summary").textContent = `average ${data.average} bpm, ${data.minimum} to ${data.maximum}`;
    const top = Math.max(60, ...items.map((d) => d.maxY)) * 1.1;
    const { svg, x, y, slot } = frame(panel, items, Math.ceil(top / 10) * 10);
    const upper = items.map((d, i) => `${x(i) + slot / 2},${y(d.maxY)}`);
    const lower = items.map((d, i) => `${x(i) + slot / 2},${y(d.minY)}`).reverse();
    if (items.length) el("polygon", { class: "hr-band", points: [...upper, ...lower].join(" ") }, svg);
  } else if (metric === "step") {
    panel.querySelector(".summary").textContent = `${data.countStep.toLocaleString()} steps in all`;
    const top = Math.max(1000, ...items.map((d) => d.y)) * 1.1;
    const { svg, x, y, slot } = frame(panel, items, Math.ceil(top / 1000) * 1000);
    items.forEach((d, i) => {
      el("rect", { class: "step-bar", x: x(i) + slot * 0.15, width: slot * 0.7, y: y(d.y), height: y(0) - y(d.y) }, svg);
    });
  } else {
    panel.querySelector(".summary").textContent =
      `${data.sumDuration} min a night: deep ${data.deepRatio}%, light ${data.shallowRatio}%, awake ${data.awakeRatio}%`;
    const total = (d) => d.deepY + d.shallowY + d.awakeY;
    const top = Math.max(60, ...items.map(total)) * 1.1;
    const { svg, x, y, slot } = frame(panel, items, Math.ceil(top / 60) * 60);
    items.forEach((d, i) => {
      let base = 0;
      for (const [stage, value] of [["deep", d.deepY], ["shallow", d.shallowY], ["awake", d.awakeY]]) {
        el("rect", { class: `sleep-${stage}`, x: x(i) + slot * 0.15, width: slot * 0.7, y: y(base + value), height: y(base) - y(base + value) }, svg);
        base += value;
      }
    });
  }
}

function start() {
  if (location.pathname.replace(/\/+$/, "") === "/callback") {
    const failed = takeCallback();
    if (failed) store.setItem("problem", failed);
    location.replace("/"); // the token leaves the address bar and the history
    return;
  }
  mockBase();
  $("sign-in").addEventListener("click", signIn);
  $("sign-out").addEventListener("click", () => signOut(false));
  $("refresh").addEventListener("click", () => render(false));
  render(false);
  const failed = store.getItem("problem");
  store.removeItem("problem");
  if (failed) problem(failed);
}

start();
