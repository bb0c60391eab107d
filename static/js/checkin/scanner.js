// The check-in scanner page: camera, keyboard wedge and manual search feed one queue of scans;
// each gets one full-screen answer. Online, the server decides (redeem); offline, the page
// decides from the list's offline data and queues the scan for upload (sync). A service worker
// keeps the page itself, so it also opens without a network. A staff session that ended is not
// "offline": the server answers 401 (or refuses the page's CSRF token, which belonged to the
// ended session), the page says so and keeps its queue until sign-in.

import { ApiError, NetworkError, SessionError } from "../lib/api.js";
import { createCheckinApi } from "./api.js";
import { createOverlay, describeAnswer } from "./answer.js";
import { createCamera } from "./camera.js";
import { formatClock, makeTranslator } from "./i18n.js";
import { codeForPerson, decideOffline, searchOffline } from "./offline.js";
import { createSounds } from "./sound.js";
import { openStore } from "./store.js";
import { attachWedge } from "./wedge.js";

const STATION_KEY = "huiwu.checkin.station";
const UNDO_WINDOW_MS = 5 * 60 * 1000;
const SYNC_BATCH = 100;

const config = JSON.parse(document.getElementById("checkin-config").textContent);
const t = makeTranslator(config.strings);
const $ = (id) => document.getElementById(id);

const station = (config.station || localStorage.getItem(STATION_KEY) || "").trim();
if (!station) {
  location.replace(config.chooserUrl);
  throw new Error("no station name");
}
localStorage.setItem(STATION_KEY, station);
// The chooser selects this list again next time on this device (choose.js).
localStorage.setItem(`huiwu.checkin.list.${config.slug}`, String(config.listId));

const listId = config.listId;
const api = createCheckinApi({ base: config.apiBase, csrfToken: config.csrfToken });
const sounds = createSounds();
const clock = (iso) => formatClock(iso, config.timezone, config.locale);

const state = {
  online: navigator.onLine !== false,
  data: null,
  store: null,
  last: null, // {checkinId | nonce, name, at}
  stats: null,
  queueLength: 0,
  chain: Promise.resolve(),
  syncing: false,
  searchOpen: false,
  signedOut: false,
};

// ---- answer overlay and the wedge field --------------------------------------------------

const wedgeInput = $("wedge-input");
const overlay = createOverlay($("answer"), {
  holdMs: config.holdMs || 2500,
  onHide: () => wedge.refocus(),
});
const wedge = attachWedge(wedgeInput, {
  onCode: (code) => submitCode(code),
  pauseMs: config.pauseMs || 300,
  canTakeFocus: () => !state.searchOpen,
});

function notice(text) {
  const element = $("notice");
  element.textContent = text;
  element.hidden = !text;
}

function currentKind() {
  const checked = document.querySelector('input[name="kind"]:checked');
  return checked ? checked.value : "entry";
}

function showAnswer(result, kind) {
  const view = describeAnswer(result, { t, timeZone: config.timezone, locale: config.locale, kind });
  const color = result.registration ? result.registration.category_color : null;
  overlay.show(view, { color });
  sounds.play(view.colour);
  document.body.dataset.lastStatus = result.status;
}

// ---- signed out ---------------------------------------------------------------------------

function isSignedOut(error) {
  return error instanceof SessionError;
}

function setSignedOut(signedOut) {
  state.signedOut = signedOut;
  $("signed-out-banner").hidden = !signedOut;
  document.body.classList.toggle("is-signed-out", signedOut);
  if (signedOut) {
    document.body.dataset.signedOut = "1";
    // A 401 is an answer: the network works, this is no reason to show "offline".
    if (!state.online) setOnline(true);
  } else {
    delete document.body.dataset.signedOut;
  }
}

// ---- online / offline --------------------------------------------------------------------

function setOnline(online) {
  const changed = state.online !== online;
  state.online = online;
  $("offline-banner").hidden = online;
  document.body.classList.toggle("is-offline", !online);
  if (changed && online) {
    syncQueue();
    refreshOfflineData();
  }
}

function networkUsable() {
  return state.online && navigator.onLine !== false;
}

async function updateQueueLength() {
  state.queueLength = state.store ? await state.store.queueLength(listId) : 0;
  $("queue-count").textContent = String(state.queueLength);
  $("queue-status").hidden = state.queueLength === 0;
  renderCounters();
}

// ---- scanning ----------------------------------------------------------------------------

function submitCode(code) {
  // One scan at a time, in the order they came, so answers never overtake each other.
  state.chain = state.chain.then(() => processCode(code)).catch((error) => {
    console.error(error);
    showAnswer({ status: "error", registration: null }, "entry");
  });
  return state.chain;
}

async function processCode(code) {
  const kind = currentKind();
  const scan = {
    code: code.slice(0, 200),
    list_id: listId,
    station,
    nonce: crypto.randomUUID(),
    scanned_at: new Date().toISOString(),
    kind,
  };
  let result = null;
  if (networkUsable()) {
    try {
      result = await api.redeem(scan);
      setOnline(true);
      setSignedOut(false);
    } catch (error) {
      if (isSignedOut(error)) {
        // Not decided here either: the staff member signs in again, and the scan is repeated.
        setSignedOut(true);
        showAnswer({ status: "signed_out", registration: null }, kind);
        return;
      }
      if (error instanceof ApiError) {
        showAnswer({ status: error.code || "error", message: error.message, registration: null }, kind);
        return;
      }
      if (!(error instanceof NetworkError)) throw error;
      setOnline(false);
    }
  }
  if (result) {
    await rememberOnline(result, scan);
  } else {
    result = await decideLocally(scan);
  }
  showAnswer(result, kind);
}

function nameOf(registration) {
  return registration ? registration.native_name || registration.latin_name || "" : "";
}

async function rememberOnline(result, scan) {
  const person = result.registration;
  if (!person || !state.store) return;
  if (result.status === "ok" && scan.kind === "entry") {
    await state.store.markSeen(listId, person.id, { at: scan.scanned_at, station });
    setLastCheckin({ checkinId: result.checkin_id, registrationId: person.id, name: nameOf(person) });
    if (state.stats) state.stats.checked_in += 1;
    renderCounters();
  } else if (result.status === "ok" && scan.kind === "exit") {
    await state.store.forgetSeen(listId, person.id);
  } else if (result.status === "already_checked_in" && result.first_checkin) {
    await state.store.markSeen(listId, person.id, result.first_checkin);
  }
}

async function decideLocally(scan) {
  if (!state.data) return { status: "no_offline_data", registration: null, offline: true };
  const seenLookup = (id) => state.store.seen(listId, id);
  const result = await decideOffline(state.data, scan.code, { seenLookup });
  const person = result.registration;
  if (scan.kind === "exit" && person) {
    if (result.status === "ok" || result.status === "already_checked_in") {
      await state.store.enqueue(scan);
      await state.store.forgetSeen(listId, person.id);
      await updateQueueLength();
      return { ...result, status: "ok", first_checkin: null };
    }
    return result;
  }
  if (result.status === "ok") {
    await state.store.enqueue(scan);
    await state.store.markSeen(listId, person.id, { at: scan.scanned_at, station });
    setLastCheckin({ nonce: scan.nonce, registrationId: person.id, name: nameOf(person) });
    await updateQueueLength();
  }
  return result;
}

// ---- upload of the offline queue ---------------------------------------------------------

async function syncQueue() {
  if (state.syncing || !state.store || !networkUsable()) return;
  state.syncing = true;
  let uploaded = 0;
  let conflicts = 0;
  let refused = 0;
  try {
    for (;;) {
      const scans = (await state.store.queued(listId)).slice(0, SYNC_BATCH);
      if (!scans.length) break;
      const body = scans.map(({ code, list_id, nonce, scanned_at, kind }) =>
        ({ code, list_id, nonce, scanned_at, kind }));
      const answer = await api.sync(station, body);
      const results = answer.results || [];
      for (const item of results) {
        if (item.conflict || item.status === "already_checked_in") conflicts += 1;
        else if (item.status !== "ok") refused += 1;
        if (state.last && state.last.nonce === item.nonce && item.checkin_id) {
          state.last = { ...state.last, nonce: null, checkinId: item.checkin_id };
        }
      }
      const done = results.map((item) => item.nonce).filter(Boolean);
      if (!done.length) break;
      await state.store.dequeue(done);
      uploaded += done.length;
    }
    if (uploaded) {
      const parts = [t("%(n)d offline scans uploaded", { n: uploaded })];
      if (conflicts) parts.push(t("%(n)d conflicts reported to the organizer", { n: conflicts }));
      if (refused) parts.push(t("%(n)d refused by the server", { n: refused }));
      notice(parts.join(" · "));
      refreshStats();
    }
  } catch (error) {
    if (error instanceof NetworkError) setOnline(false);
    else if (isSignedOut(error)) setSignedOut(true); // the queue stays for after sign-in
    else if (error instanceof ApiError) notice(error.message);
    else throw error;
  } finally {
    state.syncing = false;
    await updateQueueLength();
  }
}

// ---- offline data and counters -----------------------------------------------------------

function withCategories(data) {
  return data.categories ? data : { ...data, categories: config.categories };
}

async function refreshOfflineData() {
  if (!networkUsable()) return;
  try {
    const data = withCategories(await api.offlineData(listId));
    state.data = data;
    if (state.store) await state.store.saveListData(listId, data);
    document.body.dataset.offlineReady = "1";
  } catch (error) {
    if (error instanceof NetworkError) setOnline(false);
    else if (isSignedOut(error)) setSignedOut(true);
  }
}

function renderCounters() {
  const stats = state.stats;
  $("counter-checked").textContent = stats ? String(stats.checked_in) : "–";
  $("counter-expected").textContent = stats ? String(stats.expected) : "–";
}

async function refreshStats() {
  if (navigator.onLine === false) {
    setOnline(false);
    return;
  }
  try {
    state.stats = await api.stats(listId);
    renderCounters();
    // A successful call is also how the page notices the network (or the session) is back.
    setOnline(true);
    setSignedOut(false);
  } catch (error) {
    if (error instanceof NetworkError) setOnline(false);
    else if (isSignedOut(error)) setSignedOut(true);
  }
}

// ---- undo --------------------------------------------------------------------------------

function setLastCheckin(entry) {
  state.last = { ...entry, at: Date.now() };
  renderUndo();
}

function renderUndo() {
  const button = $("undo-button");
  const last = state.last;
  const usable = last && Date.now() - last.at < UNDO_WINDOW_MS;
  button.hidden = !usable;
  if (usable) button.textContent = t("Undo check-in of %(name)s", { name: last.name });
}

async function undoLast() {
  const last = state.last;
  if (!last) return;
  if (last.nonce) {
    // Not uploaded yet: forget it on this device, the server never hears of it.
    const queued = await state.store.queued(listId);
    if (queued.some((scan) => scan.nonce === last.nonce)) {
      await state.store.dequeue([last.nonce]);
      await state.store.forgetSeen(listId, last.registrationId);
      state.last = null;
      renderUndo();
      await updateQueueLength();
      notice(t("Check-in undone"));
      return;
    }
  }
  if (!last.checkinId) return;
  try {
    await api.undo(last.checkinId, station);
    if (last.registrationId) await state.store.forgetSeen(listId, last.registrationId);
    state.last = null;
    notice(t("Check-in undone"));
    refreshStats();
    refreshOfflineData();
  } catch (error) {
    if (isSignedOut(error)) setSignedOut(true);
    else notice(error instanceof ApiError ? error.message : t("No connection: try again in a moment"));
  }
  renderUndo();
  wedge.refocus();
}

// ---- manual search -----------------------------------------------------------------------

let searchTimer = null;
let searchSerial = 0;

function openSearch(open) {
  state.searchOpen = open;
  $("search-panel").hidden = !open;
  $("search-toggle").setAttribute("aria-expanded", String(open));
  if (open) $("search-input").focus();
  else {
    $("search-input").value = "";
    $("search-results").replaceChildren();
    wedge.refocus();
  }
}

function renderResults(results, { offline }) {
  const list = $("search-results");
  if (!results.length) {
    const empty = document.createElement("li");
    empty.className = "search-empty";
    empty.textContent = t("No match");
    list.replaceChildren(empty);
    return;
  }
  list.replaceChildren(...results.map((person) => {
    const item = document.createElement("li");
    const who = document.createElement("div");
    who.className = "search-who";
    const name = document.createElement("strong");
    name.textContent = person.native_name;
    who.append(name);
    if (person.latin_name && person.latin_name !== person.native_name) {
      who.append(` ${person.latin_name}`);
    }
    const about = document.createElement("small");
    const bits = [person.organization, person.category];
    if (person.checked_in_at) bits.push(t("Checked in at %(time)s", { time: clock(person.checked_in_at) }));
    about.textContent = bits.filter(Boolean).join(" · ");
    who.append(document.createElement("br"), about);
    if (person.state && person.state !== "confirmed") {
      // Only a confirmed registration can come in: the others get their state and the reason
      // instead of a button that would only lead to a red screen.
      const badge = document.createElement("span");
      badge.className = `state state-${person.state} search-state`;
      badge.textContent = config.stateLabels[person.state] || person.state;
      const reason = document.createElement("small");
      reason.className = "search-reason";
      reason.textContent = config.stateReasons[person.state] || t("status:not_confirmed");
      who.append(document.createElement("br"), badge, " ", reason);
      item.dataset.state = person.state;
      item.append(who);
      return item;
    }
    const button = document.createElement("button");
    button.type = "button";
    button.className = "search-checkin";
    button.textContent = t("Check in");
    button.addEventListener("click", async () => {
      const code = person.ticket_code || (offline && state.data ? await codeForPerson(state.data, person.id) : null);
      if (!code) return;
      openSearch(false);
      submitCode(code);
    });
    item.append(who, button);
    return item;
  }));
}

async function runSearch() {
  const query = $("search-input").value.trim();
  const serial = ++searchSerial;
  if (query.length < 2) {
    $("search-results").replaceChildren();
    return;
  }
  let results = null;
  let offline = false;
  if (networkUsable()) {
    try {
      results = (await api.search(listId, query)).results || [];
    } catch (error) {
      if (error instanceof NetworkError) setOnline(false);
      else if (isSignedOut(error)) {
        setSignedOut(true);
        results = [];
      } else if (error instanceof ApiError) {
        notice(error.message);
        results = [];
      }
    }
  }
  if (results === null) {
    offline = true;
    results = state.data ? searchOffline(state.data, query) : [];
  }
  if (serial === searchSerial) renderResults(results, { offline });
}

// ---- camera ------------------------------------------------------------------------------

const camera = createCamera($("camera-video"), {
  onCode: (code) => submitCode(code),
  onError: () => notice(t("Camera not available")),
  libraryUrl: config.cameraLibraryUrl,
});

async function toggleCamera() {
  const box = $("camera-box");
  if (camera.running) {
    await camera.stop();
    box.classList.remove("is-running");
    $("camera-start").textContent = t("Start camera");
    $("camera-switch").hidden = true;
    $("camera-torch").hidden = true;
    return;
  }
  const button = $("camera-start");
  button.setAttribute("aria-busy", "true"); // the first start loads the decoder library
  button.disabled = true;
  try {
    await camera.start();
  } catch {
    return;
  } finally {
    button.removeAttribute("aria-busy");
    button.disabled = false;
  }
  box.classList.add("is-running");
  $("camera-start").textContent = t("Stop camera");
  $("camera-switch").hidden = (await camera.cameraCount()) < 2;
  $("camera-torch").hidden = !camera.torchSupported();
  document.body.dataset.camera = "running";
  wedge.refocus();
}

// ---- the page without a network ----------------------------------------------------------

// Registers the service worker and makes sure it holds a copy of this very page (the first
// load happened before the worker existed). Sets data-offline-shell once the copy exists.
async function keepPageForOffline() {
  if (!("serviceWorker" in navigator) || !config.serviceWorkerUrl) return;
  try {
    await navigator.serviceWorker.register(config.serviceWorkerUrl, {
      scope: config.serviceWorkerScope,
    });
    if (navigator.serviceWorker.controller) {
      // This load went through the worker: it kept the page on the way (or served its copy).
      document.body.dataset.offlineShell = "1";
      return;
    }
    const worker = (await navigator.serviceWorker.ready).active;
    const kept = await new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = (event) => resolve(Boolean(event.data && event.data.ok));
      worker.postMessage({ type: "keep-page", url: location.href }, [channel.port2]);
      setTimeout(() => resolve(false), 20000);
    });
    if (kept) document.body.dataset.offlineShell = "1";
  } catch (error) {
    console.warn("the page will not open offline:", error);
  }
}

// ---- start -------------------------------------------------------------------------------

async function start() {
  $("station-name").textContent = station;
  renderCounters();
  setOnline(state.online);
  try {
    state.store = await openStore();
    const saved = await state.store.loadListData(listId);
    state.data = saved ? withCategories(saved) : null;
  } catch (error) {
    console.error(error);
  }
  await updateQueueLength();

  $("undo-button").addEventListener("click", undoLast);
  $("search-toggle").addEventListener("click", () => openSearch(!state.searchOpen));
  $("search-close").addEventListener("click", () => openSearch(false));
  $("search-input").addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(runSearch, 250);
  });
  $("search-input").addEventListener("keydown", (event) => {
    if (event.key === "Escape") openSearch(false);
  });
  $("camera-start").addEventListener("click", toggleCamera);
  $("camera-switch").addEventListener("click", async () => {
    await camera.switchCamera();
    $("camera-torch").hidden = !camera.torchSupported();
  });
  $("camera-torch").addEventListener("click", async () => {
    const on = await camera.toggleTorch();
    $("camera-torch").setAttribute("aria-pressed", String(on));
  });
  $("manual-form").addEventListener("submit", (event) => {
    event.preventDefault();
    wedge.submitNow();
  });

  globalThis.addEventListener("online", () => {
    refreshStats().then(syncQueue);
  });
  globalThis.addEventListener("offline", () => setOnline(false));

  wedge.refocus();
  await Promise.all([refreshOfflineData(), refreshStats()]);
  await syncQueue();
  document.body.dataset.scannerReady = "1";
  keepPageForOffline();

  setInterval(refreshOfflineData, config.offlineRefreshMs || 150000);
  setInterval(refreshStats, config.statsMs || 10000);
  setInterval(() => {
    if (state.queueLength) syncQueue();
  }, config.syncRetryMs || 15000);
  setInterval(renderUndo, 5000);
}

start();
