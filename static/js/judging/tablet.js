// The judge's tablet: one entry at a time, one control per criterion, live weighted total.
// Every change is saved as a draft (debounced) through an outbox in IndexedDB, so drafts and
// submissions survive a network drop and are sent, in order, when it returns. Each save has a
// client id; the server stores a resent save only once.

import { ApiError, NetworkError, SessionError } from "../lib/api.js";
import { createJudgingApi } from "./api.js";
import { openOutbox } from "./store.js";

const DEBOUNCE_MS = 600;
const RETRY_MS = 3000;

const root = document.getElementById("tablet");
const data = JSON.parse(document.getElementById("tablet-data").textContent);
const text = JSON.parse(document.getElementById("tablet-text").textContent);
const api = createJudgingApi({ base: data.api, csrfToken: root.dataset.csrf });
const criteria = data.criteria;
const entries = new Map(data.entries.map((entry) => [entry.id, entry]));
let current = Number(root.dataset.focus) || data.entries[0].id;
let outbox = null;
let seq = Date.now();
let debounce = null;
let flushing = false;
let flushAgain = false;
let retryTimer = null;

function newClientId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function sheetKey(entryId) {
  return `${data.round.id}:${entryId}`;
}

function total(values) {
  let sum = 0;
  for (const c of criteria) {
    const value = values[c.id] ?? values[String(c.id)];
    if (value === undefined || value === null) continue;
    sum += (c.weight * (value - c.min)) / (c.max - c.min);
  }
  return sum;
}

function format(number) {
  return (Math.round(number * 100) / 100).toFixed(2);
}

function $(selector) {
  return root.querySelector(selector);
}

// --- rendering -------------------------------------------------------------------------

function renderList() {
  const list = $("#entry-list");
  list.replaceChildren();
  for (const entry of entries.values()) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = `entry-pick status-${entry.sheet.status}`;
    button.dataset.entry = entry.id;
    if (entry.id === current) button.setAttribute("aria-current", "true");
    const mark = entry.sheet.status === "submitted" ? "✔" : entry.sheet.status === "draft" ? "✎" : "○";
    button.textContent = `${mark} ${entry.title}`;
    button.addEventListener("click", () => {
      show(entry.id);
      // The list was drawn anew: keep the keyboard where it was.
      const toggle = $("#entry-toggle");
      if (toggle.offsetParent === null) {
        $(".entry-pick[aria-current='true']").focus();
      } else {
        setListOpen(false);
        toggle.focus();
      }
    });
    item.append(button);
    list.append(item);
  }
  const done = [...entries.values()].filter((e) => e.sheet.status === "submitted").length;
  $("#progress").textContent = text.progress.replace("{done}", done).replace("{total}", entries.size);
  $("#entry-position").textContent = `${[...entries.keys()].indexOf(current) + 1}/${entries.size}`;
}

// On a narrow screen the entry list folds behind a button; beside the sheet (wide screens)
// CSS shows it whatever the button says.
function setListOpen(open) {
  $(".tablet-list").dataset.open = String(open);
  $("#entry-toggle").setAttribute("aria-expanded", String(open));
}

function renderMaterials(entry) {
  $("#entry-title").textContent = entry.title;
  $("#entry-meta").textContent = [entry.team, entry.track].filter(Boolean).join(" · ");
  $("#entry-summary").textContent = entry.summary || "";
  const members = $("#entry-members");
  members.replaceChildren();
  for (const m of entry.members) {
    const li = document.createElement("li");
    li.textContent = `${m.name}${m.latin && m.latin !== m.name ? ` (${m.latin})` : ""} · ${m.country}${m.leader ? ` · ${text.leader}` : ""}`;
    members.append(li);
  }
  const links = $("#entry-links");
  links.replaceChildren();
  if (entry.deck) links.append(link(entry.deck, text.deck));
  if (entry.video) links.append(link(entry.video, text.video));
}

function link(href, label) {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = label;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  a.setAttribute("role", "button");
  a.className = "secondary outline";
  return a;
}

function valueOf(entry, criterion) {
  return entry.sheet.values[criterion.id] ?? entry.sheet.values[String(criterion.id)];
}

function bandOf(criterion, value) {
  if (value === undefined || value === null) return null;
  return criterion.levels.find((level) => level.low <= value && value <= level.high) || null;
}

function withLang(element, lang) {
  if (lang) element.lang = lang === "zh" ? "zh-CN" : lang;
  return element;
}

// One criterion: its name, the rubric's bands as buttons (a tap sets the band's score), the
// slider with − and + to fine-tune, what the current score's band says, and the whole rubric
// one tap away (a <details>, never a hover).
function renderCriterion(c, entry, locked) {
  const value = valueOf(entry, c);
  const row = document.createElement("div");
  row.className = "criterion";
  row.dataset.criterion = c.id;
  const label = document.createElement("label");
  label.htmlFor = `criterion-${c.id}`;
  const name = withLang(document.createElement("span"), c.nameLang);
  name.textContent = c.name;
  label.append(name, " ");
  const small = document.createElement("small");
  small.textContent = `${text.weight} ${c.weight} · ${c.min}–${c.max}`;
  label.append(small);
  row.append(label);
  if (c.levels.length) {
    const bands = document.createElement("div");
    bands.className = "bands";
    bands.dataset.count = String(c.levels.length);
    bands.setAttribute("role", "group");
    bands.setAttribute("aria-label", text.bandsOf.replace("{name}", c.name));
    for (const level of c.levels) {
      const band = document.createElement("button");
      band.type = "button";
      band.className = "band";
      band.dataset.low = level.low;
      band.dataset.high = level.high;
      band.disabled = locked;
      const range = document.createElement("span");
      range.className = "band-range numbers";
      range.textContent = level.band;
      band.append(range);
      if (level.title) {
        const title = withLang(document.createElement("span"), level.lang);
        title.className = "band-title";
        title.textContent = level.title;
        band.append(title);
      }
      band.addEventListener("click", () => setScore(c, level.target));
      bands.append(band);
    }
    row.append(bands);
  }
  const minus = stepButton("−", c, -1);
  const plus = stepButton("+", c, 1);
  const range = document.createElement("input");
  range.type = "range";
  range.id = `criterion-${c.id}`;
  range.min = c.min;
  range.max = c.max;
  range.step = c.step;
  range.value = value ?? c.min;
  range.disabled = locked;
  range.dataset.set = value === undefined || value === null ? "" : "1";
  const output = document.createElement("output");
  output.className = "criterion-value";
  output.htmlFor = range.id;
  output.textContent = value === undefined || value === null ? "–" : String(value);
  range.addEventListener("input", () => {
    range.dataset.set = "1";
    changed(c, Number(range.value));
  });
  const controls = document.createElement("div");
  controls.className = "criterion-controls";
  controls.append(minus, range, plus, output);
  row.append(controls);
  if (c.levels.length) {
    const meaning = document.createElement("p");
    meaning.className = "band-meaning";
    row.append(meaning);
  }
  if (c.description || c.levels.length) row.append(rubricDetails(c));
  showBand(c, value);
  return row;
}

function rubricDetails(c) {
  const details = document.createElement("details");
  details.className = "rubric";
  const summary = document.createElement("summary");
  summary.textContent = text.rubric;
  details.append(summary);
  if (c.description) {
    const p = withLang(document.createElement("p"), c.descriptionLang);
    p.textContent = c.description;
    details.append(p);
  }
  if (c.levels.length) {
    const list = document.createElement("dl");
    for (const level of c.levels) {
      const dt = document.createElement("dt");
      dt.textContent = level.title ? `${level.band} · ${level.title}` : level.band;
      const dd = withLang(document.createElement("dd"), level.lang);
      dd.textContent = level.descriptor;
      list.append(dt, dd);
    }
    details.append(list);
  }
  return details;
}

// Marks the band the score falls in and says what it means in the rubric's words.
function showBand(c, value, row = null) {
  const box = row || root.querySelector(`[data-criterion="${c.id}"]`);
  if (!box || !c.levels.length) return;
  const band = bandOf(c, value);
  for (const button of box.querySelectorAll(".band")) {
    const on = band !== null && Number(button.dataset.low) === band.low && Number(button.dataset.high) === band.high;
    button.setAttribute("aria-pressed", String(on));
  }
  const meaning = box.querySelector(".band-meaning");
  if (meaning) {
    meaning.textContent = band ? (band.title ? `${band.title}: ${band.descriptor}` : band.descriptor) : "";
    if (band && band.lang) withLang(meaning, band.lang);
    meaning.hidden = !band;
  }
}

function setScore(criterion, value) {
  const range = root.querySelector(`#criterion-${criterion.id}`);
  range.value = value;
  range.dataset.set = "1";
  changed(criterion, Number(value));
}

function renderScores(entry) {
  const locked = entry.sheet.status === "submitted";
  const box = $("#criteria");
  box.replaceChildren();
  for (const c of criteria) {
    const row = renderCriterion(c, entry, locked);
    box.append(row);
    showBand(c, valueOf(entry, c), row);
  }
  const comment = $("#comment");
  comment.value = entry.sheet.comment || "";
  comment.disabled = locked;
  $("#submit").disabled = locked;
  $("#locked-note").hidden = !locked;
  renderTotal(entry);
}

function stepButton(symbol, criterion, direction) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "step secondary";
  button.textContent = symbol;
  button.setAttribute("aria-label", `${criterion.name} ${symbol}`);
  button.disabled = entries.get(current).sheet.status === "submitted";
  button.addEventListener("click", () => {
    const entry = entries.get(current);
    const now = entry.sheet.values[criterion.id] ?? entry.sheet.values[String(criterion.id)];
    const base = now === undefined || now === null ? (direction > 0 ? criterion.min - criterion.step : criterion.min) : now;
    const next = Math.min(criterion.max, Math.max(criterion.min, base + direction * criterion.step));
    setScore(criterion, Math.round(next * 1e6) / 1e6);
  });
  return button;
}

function renderTotal(entry) {
  const scored = criteria.filter((c) => (entry.sheet.values[c.id] ?? entry.sheet.values[String(c.id)]) != null).length;
  $("#total").textContent = format(total(entry.sheet.values));
  $("#scored-criteria").textContent = text.criteriaScored.replace("{done}", scored).replace("{total}", criteria.length);
}

function setStatus(message, kind = "info") {
  const status = $("#save-status");
  status.textContent = message;
  status.dataset.kind = kind;
}

async function renderPending() {
  const pending = outbox ? (await outbox.all()).length : 0;
  const badge = $("#pending");
  badge.hidden = pending === 0;
  badge.textContent = text.pending.replace("{n}", pending);
  root.dataset.pending = String(pending);
}

function show(entryId) {
  if (debounce) {
    clearTimeout(debounce);
    debounce = null;
    queueSave(current, "draft");
  }
  current = entryId;
  root.dataset.view = "sheet";
  $("#all-done").hidden = true;
  $("#flow-note").hidden = true;
  const entry = entries.get(entryId);
  renderMaterials(entry);
  renderScores(entry);
  renderList();
  root.dataset.entry = String(entryId);
  const url = `${root.dataset.entryBase}${entryId}`;
  if (window.location.pathname !== url) history.replaceState(null, "", url);
  window.scrollTo({ top: 0 });
}

// --- changes and saving ----------------------------------------------------------------

function changed(criterion, value) {
  const entry = entries.get(current);
  if (entry.sheet.status === "submitted") return;
  entry.sheet.values[criterion.id] = value;
  const output = root.querySelector(`[data-criterion="${criterion.id}"] output`);
  if (output) output.textContent = String(value);
  showBand(criterion, value);
  if (entry.sheet.status === "new") entry.sheet.status = "draft";
  renderTotal(entry);
  scheduleDraft();
}

function scheduleDraft() {
  setStatus(text.editing);
  if (debounce) clearTimeout(debounce);
  const entryId = current;
  debounce = setTimeout(() => {
    debounce = null;
    queueSave(entryId, "draft");
  }, DEBOUNCE_MS);
}

async function queueSave(entryId, action) {
  const entry = entries.get(entryId);
  const item = {
    client_id: newClientId(),
    sheet: sheetKey(entryId),
    entry_id: entryId,
    round_id: data.round.id,
    action,
    values: { ...entry.sheet.values },
    comment: entry.sheet.comment || "",
    seq: ++seq,
  };
  await outbox.put(item);
  await renderPending();
  flush();
}

async function flush() {
  if (flushing) {
    flushAgain = true;
    return;
  }
  flushing = true;
  try {
    do {
      flushAgain = false;
      const items = (await outbox.all()).filter((item) => item.round_id === data.round.id);
      for (const item of items) {
        try {
          const answer = await api.save(item.entry_id, item);
          await outbox.remove(item.client_id);
          acknowledge(item, answer);
        } catch (error) {
          if (error instanceof NetworkError || error instanceof SessionError) {
            setStatus(error instanceof SessionError ? error.message : text.offline, "offline");
            root.dataset.online = "false";
            scheduleRetry();
            return;
          }
          await outbox.remove(item.client_id);
          refused(item, error);
        }
        await renderPending();
      }
    } while (flushAgain);
    root.dataset.online = "true";
    if (!debounce) setStatus(text.saved, "ok");
  } finally {
    flushing = false;
    await renderPending();
  }
}

function acknowledge(item, answer) {
  const entry = entries.get(item.entry_id);
  if (!entry) return;
  entry.sheet.version = answer.version;
  if (answer.status === "submitted") {
    entry.sheet.status = "submitted";
    if (item.entry_id === current) renderScores(entry);
  }
  renderList();
}

function refused(item, error) {
  const entry = entries.get(item.entry_id);
  if (error instanceof ApiError && error.code === "locked" && entry) {
    entry.sheet.status = "submitted";
    if (item.entry_id === current) renderScores(entry);
  } else if (item.action === "submit" && entry && entry.sheet.status === "submitted") {
    // The server refused the submission (e.g. incomplete): unlock so the judge can fix it.
    entry.sheet.status = "draft";
    if (item.entry_id === current) renderScores(entry);
  }
  setStatus(error.message, "error");
  renderList();
}

function scheduleRetry() {
  if (retryTimer) return;
  retryTimer = setTimeout(() => {
    retryTimer = null;
    flush();
  }, RETRY_MS);
}

async function submitCurrent() {
  const entry = entries.get(current);
  const missing = criteria.filter((c) => valueOf(entry, c) == null);
  if (missing.length) {
    setStatus(text.incomplete.replace("{names}", missing.map((c) => c.name).join(", ")), "error");
    return;
  }
  if (!window.confirm(text.confirmSubmit)) return;
  if (debounce) {
    clearTimeout(debounce);
    debounce = null;
  }
  entry.sheet.status = "submitted";
  renderScores(entry);
  renderList();
  setStatus(text.submitting);
  const submitted = current;
  await queueSave(submitted, "submit");
  moveOn(submitted);
}

// After a submission the sheet moves to the next entry not submitted yet (after this one, then
// from the top); when there is none, it says so and shows what the judge submitted.
function nextUnsubmitted(fromId) {
  const ids = [...entries.keys()];
  const from = ids.indexOf(fromId);
  for (let k = 1; k <= ids.length; k += 1) {
    const id = ids[(from + k) % ids.length];
    if (entries.get(id).sheet.status !== "submitted") return id;
  }
  return null;
}

function moveOn(submittedId) {
  if (current !== submittedId) return; // the judge already went elsewhere
  const title = entries.get(submittedId).title;
  const next = nextUnsubmitted(submittedId);
  if (next === null) {
    showDone();
    return;
  }
  show(next);
  const left = [...entries.values()].filter((e) => e.sheet.status !== "submitted").length;
  const note = $("#flow-note");
  note.textContent = text.movedOn.replace("{title}", title).replace("{left}", left);
  note.hidden = false;
  $("#entry-title").focus({ preventScroll: true });
}

function showDone() {
  root.dataset.view = "done";
  const panel = $("#all-done");
  const list = $("#done-list");
  list.replaceChildren();
  for (const entry of entries.values()) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "entry-pick status-submitted";
    const title = document.createElement("span");
    title.textContent = entry.title;
    const score = document.createElement("strong");
    score.className = "numbers";
    score.textContent = format(total(entry.sheet.values));
    button.append(title, score);
    button.addEventListener("click", () => show(entry.id));
    item.append(button);
    list.append(item);
  }
  $("#done-count").textContent = text.allDone.replace("{n}", entries.size);
  panel.hidden = false;
  renderList();
  window.scrollTo({ top: 0 });
  $("#done-count").focus({ preventScroll: true });
}

function allSubmitted() {
  return [...entries.values()].every((e) => e.sheet.status === "submitted");
}

// --- start -----------------------------------------------------------------------------

async function start() {
  outbox = await openOutbox();
  // Unsent saves from an earlier visit win over what the server sent with the page.
  for (const item of await outbox.all()) {
    const entry = entries.get(item.entry_id);
    if (!entry || item.round_id !== data.round.id) continue;
    entry.sheet.values = { ...item.values };
    entry.sheet.comment = item.comment;
    entry.sheet.status = item.action === "submit" ? "submitted" : "draft";
  }
  $("#comment").addEventListener("input", (event) => {
    const entry = entries.get(current);
    if (entry.sheet.status === "submitted") return;
    entry.sheet.comment = event.target.value;
    scheduleDraft();
  });
  $("#submit").addEventListener("click", submitCurrent);
  $("#previous").addEventListener("click", () => step(-1));
  $("#next").addEventListener("click", () => step(1));
  $("#entry-toggle").addEventListener("click", () => setListOpen($(".tablet-list").dataset.open !== "true"));
  window.addEventListener("online", () => flush());
  window.addEventListener("offline", () => setStatus(text.offline, "offline"));
  $("#done-back").addEventListener("click", () => show(current));
  if (root.dataset.explicit !== "true" && allSubmitted()) {
    show(entries.has(current) ? current : data.entries[0].id);
    showDone();
  } else {
    show(entries.has(current) ? current : data.entries[0].id);
  }
  root.dataset.ready = "true";
  await renderPending();
  flush();
}

function step(offset) {
  const ids = [...entries.keys()];
  const index = ids.indexOf(current) + offset;
  if (index >= 0 && index < ids.length) show(ids[index]);
}

start();
