// Stage (projector) and host pages: poll the stage state once a second and run the timer
// locally between polls, from the server's elapsed time.

const root = document.getElementById("stage") || document.getElementById("host");
const text = JSON.parse(document.getElementById("stage-text").textContent);
let state = null;
let receivedAt = 0;

function el(id) {
  return document.getElementById(id);
}

function clock(seconds) {
  const sign = seconds < 0 ? "−" : "";
  const s = Math.abs(Math.round(seconds));
  return `${sign}${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function renderTimer() {
  if (!state) return;
  const timer = state.timer;
  const target = el("stage-timer") || el("host-timer");
  let elapsed = timer.elapsed;
  if (timer.running) elapsed += (Date.now() - receivedAt) / 1000;
  const left = timer.duration - elapsed;
  // Before the pitch starts the clock shows the time the team will have, dimmed (a lone dash
  // read as a white bar on the projector).
  target.textContent = timer.phase === "idle" ? clock(timer.pitch ?? timer.duration) : clock(left);
  target.dataset.phase = timer.phase;
  target.classList.toggle("overtime", timer.phase !== "idle" && left < 0);
  target.classList.toggle("last-minute", timer.phase !== "idle" && left >= 0 && left < 60);
  const phase = el("stage-phase");
  if (phase) phase.textContent = `${text[timer.phase] || ""}${timer.phase !== "idle" && !timer.running ? ` (${text.paused})` : ""}`;
}

function renderReveal(reveal) {
  const box = el("stage-reveal") || el("host-reveal");
  box.replaceChildren();
  if (!reveal) return;
  if (!reveal.complete) {
    const p = document.createElement("p");
    p.textContent = text.waiting.replace("{done}", reveal.submitted).replace("{total}", reveal.assigned);
    box.append(p);
    return;
  }
  const list = document.createElement("ul");
  list.className = "reveal-judges";
  for (const judge of reveal.judges) {
    const li = document.createElement("li");
    li.textContent = `${judge.name}: ${judge.total.toFixed(2)}`;
    if (judge.dropped) {
      li.classList.add("dropped");
      li.title = text.dropped;
    }
    list.append(li);
  }
  const final = document.createElement("p");
  final.className = "reveal-final";
  final.innerHTML = "";
  final.append(`${text.final}: `);
  const strong = document.createElement("strong");
  strong.textContent = reveal.final.toFixed(2);
  final.append(strong);
  box.append(list, final);
}

function render() {
  const current = state.current;
  const title = el("stage-title") || el("host-current");
  title.textContent = current ? current.title : text.none;
  const team = el("stage-team");
  if (team) team.textContent = current ? [current.team, current.track, current.members.join(", ")].filter(Boolean).join(" · ") : "";
  const position = el("stage-position");
  if (position) position.textContent = current && current.position ? `#${current.position}` : "";
  renderReveal(current ? current.reveal : null);
  root.dataset.revealed = String(Boolean(current && current.reveal && current.reveal.complete));
  renderTimer();
  fitStage();
}

// The projector shows everything at once: when a long title, many members or many judges
// would push the final score off the bottom, everything is scaled down (--fit) until it fits.
// Worked out again only when what is shown or the window changes, not on every poll.
let fittedFor = "";

function fitStage(force = false) {
  if (root.id !== "stage") return;
  const key = JSON.stringify([state && state.current, window.innerWidth, window.innerHeight]);
  if (key === fittedFor && !force) return;
  fittedFor = key;
  let fit = 1;
  root.style.setProperty("--fit", "1");
  while (root.scrollHeight > root.clientHeight + 1 && fit > 0.4) {
    fit = Math.round((fit - 0.05) * 100) / 100;
    root.style.setProperty("--fit", String(fit));
  }
}

window.addEventListener("resize", () => fitStage(true));

async function poll() {
  try {
    const response = await fetch(root.dataset.stateUrl, { cache: "no-store", headers: { Accept: "application/json" } });
    if (response.ok) {
      state = await response.json();
      receivedAt = Date.now();
      render();
    }
  } catch {
    // keep showing the last state; the next poll retries
  }
}

poll();
setInterval(poll, 1000);
setInterval(renderTimer, 250);
