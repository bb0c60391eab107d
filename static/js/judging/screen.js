// Ranking screen: server-sent events bring the ranking whenever a score changes. Each event
// response is short (the server answers at once and ends it with `retry:`), and EventSource
// reconnects by itself with Last-Event-ID, so no server worker is held by a screen. The
// "error" event that every reconnect fires is normal; only a closed source (an HTTP error, a
// sign-out) falls back to polling the JSON every 2 s, revalidated by its ETag.

const root = document.getElementById("screen");
const text = JSON.parse(document.getElementById("screen-text").textContent);
let version = Number(root.dataset.version);
let pollTimer = null;

// Fitting the screen. Rows shrink to fit the window, but not below MIN_ROW (in --u, 1 % of
// the picture's height: 4.4 is 48 px at 1080p, 32 px at 720p), which is still readable from
// the back of a hall; a longer ranking is shown a page at a time, turning every
// data-page-seconds, with "page 2/4" in the corner. Shrinking 60 rows onto one 720 px screen
// would make them 11 px high: unreadable, so paging it is.
const MIN_ROW = 4.4;
const MAX_ROW = 7;
const PAGE_MS = (Number(root.dataset.pageSeconds) || 10) * 1000;
let page = 0;
let pages = 1;
let perPage = Infinity;
let pageTimer = null;

function unit() {
  return Math.min(window.innerHeight, window.innerWidth * 0.5625) / 100;
}

function showPage() {
  const rows = document.getElementById("screen-rows").rows;
  for (let i = 0; i < rows.length; i++) rows[i].hidden = Math.floor(i / perPage) !== page;
  root.dataset.page = String(page + 1);
  root.dataset.pages = String(pages);
  document.getElementById("screen-page").textContent =
    pages > 1 ? text.page.replace("{page}", page + 1).replace("{pages}", pages) : "";
}

function layout() {
  const table = root.querySelector(".screen-table");
  const body = document.getElementById("screen-rows");
  const count = body.rows.length;
  const u = unit();
  const margin = 2 * u;
  const room = window.innerHeight - body.getBoundingClientRect().top - margin;
  if (count === 0 || room / count >= MIN_ROW * u) {
    pages = 1;
    perPage = Math.max(count, 1);
  } else {
    pages = Math.ceil(count / Math.max(1, Math.floor(room / (MIN_ROW * u))));
    perPage = Math.ceil(count / pages); // even pages: 20 + 20 + 20, not 23 + 23 + 14
  }
  page = Math.min(page, pages - 1);
  let row = Math.floor(Math.min(MAX_ROW * u, room / perPage));
  table.style.setProperty("--row", `${row}px`);
  showPage();
  // Borders and rounding can add a pixel a row: measure, and take it off if it spills over.
  for (let tries = 0; tries < 4 && count > 0; tries++) {
    const visible = [...body.rows].filter((tr) => !tr.hidden);
    const over = visible[visible.length - 1].getBoundingClientRect().bottom - (window.innerHeight - margin / 2);
    if (over <= 0) break;
    row -= Math.ceil(over / visible.length) + 1;
    table.style.setProperty("--row", `${row}px`);
  }
  if (pages > 1 && !pageTimer) {
    pageTimer = setInterval(() => {
      page = (page + 1) % pages;
      showPage();
    }, PAGE_MS);
  } else if (pages === 1 && pageTimer) {
    clearInterval(pageTimer);
    pageTimer = null;
  }
}

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
    // An entry not every assigned judge has scored yet says so next to its title, which the
    // ellipsis shortens instead (snapshots frozen before the mark existed lack the fields).
    if (row.incomplete) {
      tr.dataset.incomplete = `${row.submitted}/${row.assigned}`;
      const title = document.createElement("span");
      title.className = "screen-entry-title";
      title.textContent = row.title;
      const mark = document.createElement("span");
      mark.className = "screen-incomplete";
      mark.textContent = text.incomplete.replace("{submitted}", row.submitted).replace("{assigned}", row.assigned);
      const entry = document.createElement("div");
      entry.className = "screen-entry";
      entry.append(title, " ", mark);
      tr.cells[1].replaceChildren(entry);
    }
    if (row.tie) tr.lastChild.append(` (${text.tie})`);
    body.append(tr);
  }
  layout();
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
window.addEventListener("resize", layout);
startEvents();
