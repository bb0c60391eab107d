// Ranking screen: server-sent events bring the ranking whenever a score changes. Each event
// response is short (the server answers at once and ends it with `retry:`), and EventSource
// reconnects by itself with Last-Event-ID, so no server worker is held by a screen. The
// "error" event that every reconnect fires is normal; only a closed source (an HTTP error, a
// sign-out) falls back to polling the JSON every 2 s, revalidated by its ETag.

const root = document.getElementById("screen");
const text = JSON.parse(document.getElementById("screen-text").textContent);
let version = Number(root.dataset.version);
let pollTimer = null;

function render(data) {
  version = data.version;
  root.dataset.version = String(version);
  root.dataset.state = data.state;
  document.getElementById("screen-state").textContent = text[data.state] || "";
  const body = document.getElementById("screen-rows");
  body.replaceChildren();
  for (const row of data.rows) {
    const tr = document.createElement("tr");
    tr.dataset.entry = row.entry_id;
    for (const value of [row.rank ?? "–", row.title, row.track, row.score === null ? "–" : row.score.toFixed(2)]) {
      const td = document.createElement("td");
      td.textContent = String(value);
      tr.append(td);
    }
    if (row.tie) tr.lastChild.append(` (${text.tie})`);
    body.append(tr);
  }
  window.dispatchEvent(new CustomEvent("ranking-updated", { detail: data }));
}

async function poll() {
  try {
    const response = await fetch(root.dataset.jsonUrl, { cache: "no-cache", headers: { Accept: "application/json" } });
    if (response.ok) {
      const data = await response.json();
      if (data.version !== version) render(data);
    }
  } catch {
    // try again on the next tick
  }
}

function startPolling() {
  root.dataset.transport = "poll";
  if (!pollTimer) pollTimer = setInterval(poll, 2000);
}

function startEvents() {
  if (!("EventSource" in window)) {
    startPolling();
    return;
  }
  root.dataset.transport = "sse";
  const url = new URL(root.dataset.eventsUrl, window.location.href);
  url.searchParams.set("since", String(version));
  const source = new EventSource(url);
  source.addEventListener("ranking", (event) => {
    render(JSON.parse(event.data));
  });
  source.addEventListener("error", () => {
    if (source.readyState === EventSource.CLOSED) startPolling();
  });
}

render(JSON.parse(document.getElementById("screen-data").textContent));
startEvents();
