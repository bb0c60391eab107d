// Ranking screen: server-sent events push the ranking whenever a score changes; the stream
// ends every ~25 s and EventSource reconnects. If EventSource is unavailable or keeps failing,
// the page polls the JSON every 2 s instead.

const root = document.getElementById("screen");
const text = JSON.parse(document.getElementById("screen-text").textContent);
let version = Number(root.dataset.version);
let pollTimer = null;
let failures = 0;

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
    const response = await fetch(root.dataset.jsonUrl, { cache: "no-store", headers: { Accept: "application/json" } });
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
  const source = new EventSource(root.dataset.eventsUrl);
  source.addEventListener("ranking", (event) => {
    failures = 0;
    render(JSON.parse(event.data));
  });
  source.addEventListener("error", () => {
    failures += 1;
    if (failures > 5) {
      source.close();
      startPolling();
    }
  });
}

render(JSON.parse(document.getElementById("screen-data").textContent));
startEvents();
