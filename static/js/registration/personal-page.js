// The participant's personal page (#15): kept on the phone for the door, and the event's times
// in the visitor's own timezone.
//
// Offline: registers the page's own service worker (js/registration/service-worker.js, served
// by /r/<token>/sw.js, scope: this page only) and says so on the page once the copy is kept.
// A page the server marks `drop` (the registration is no longer active) unregisters the worker
// and deletes its copy, even when the worker did not serve this load; so does the participant's
// "remove the saved copy" button. Opened from the copy, the page says so and since when.
//
// Timezone: the event's start and end are in <time datetime> elements, shown in the event's
// timezone by the server; when the browser's timezone shows them differently, a line under
// them gives them in the visitor's time (Intl.DateTimeFormat, the page's language). Without
// JavaScript the event's time is still there.

const config = JSON.parse(document.getElementById("personal-page-config").textContent);
// The worker's cache for this page (the name service-worker.js gives it).
const cacheName = `huiwu-personal-page:${config.scope}`;

async function forgetCopy() {
  const registration = await navigator.serviceWorker.getRegistration(config.scope);
  if (registration && new URL(registration.scope).pathname === config.scope) {
    await registration.unregister();
  }
  if ("caches" in window) await caches.delete(cacheName);
}

async function keepForOffline() {
  if (!("serviceWorker" in navigator)) return;
  try {
    if (config.offlineCopy === "drop") {
      await forgetCopy();
      return;
    }
    await navigator.serviceWorker.register(config.worker, { scope: config.scope });
    // Ready once a worker is active, which is after it has kept its copy of this page.
    await navigator.serviceWorker.ready;
    const note = document.getElementById("offline-ready");
    if (note) note.hidden = false;
    document.getElementById("device-copy").hidden = false;
    document.body.dataset.offlineReady = "1";
  } catch (error) {
    console.warn("the page will not open offline:", error);
  }
}

// "Sign out" of a device that is not one's own (there is no sign-in to end): the copy and the
// worker go; the next visit to the page keeps them again.
async function removeFromDevice(event) {
  event.currentTarget.disabled = true;
  await forgetCopy();
  for (const id of ["offline-ready", "device-copy"]) {
    const element = document.getElementById(id);
    if (element) element.hidden = true;
  }
  document.getElementById("device-copy-removed").hidden = false;
  delete document.body.dataset.offlineReady;
}

// Says so when the page on screen is the kept copy: the browser is offline, or the page was
// rendered well before this load (the network was too slow, the worker answered with the copy).
function showSavedCopy() {
  const note = document.getElementById("saved-copy");
  const renderedAt = new Date(note.dataset.renderedAt);
  if (Number.isNaN(renderedAt.valueOf())) return;
  const stale = Date.now() - renderedAt.valueOf() > 2 * 60 * 1000;
  if (navigator.onLine && !stale) return;
  const language = document.documentElement.lang || undefined;
  const when = new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "short" })
    .format(renderedAt);
  note.textContent = note.dataset.template.replace("{when}", when);
  note.hidden = false;
}

function showVisitorTime() {
  const line = document.getElementById("visitor-time");
  if (!line || typeof Intl === "undefined") return;
  const visitorZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const eventZone = line.dataset.eventZone;
  if (!visitorZone || !eventZone) return;
  const [start, end] = Array.from(
    document.querySelectorAll("#event-time time[datetime]"),
    (element) => new Date(element.getAttribute("datetime")),
  );
  if (!start || !end || Number.isNaN(start.valueOf()) || Number.isNaN(end.valueOf())) return;
  const language = document.documentElement.lang || undefined;
  let inEvent;
  let inVisitor;
  try {
    const options = { dateStyle: "medium", timeStyle: "short" };
    inEvent = new Intl.DateTimeFormat(language, { ...options, timeZone: eventZone });
    inVisitor = new Intl.DateTimeFormat(language, { ...options, timeZone: visitorZone });
  } catch {
    return; // a timezone this browser does not know
  }
  // Compared as shown, so another name for the same zone (Asia/Chongqing) adds no line.
  if ([start, end].every((date) => inEvent.format(date) === inVisitor.format(date))) return;
  // Written like the event's line above (formatRange would shorten it, differently per language).
  const when = `${inVisitor.format(start)} – ${inVisitor.format(end)}`;
  line.textContent = line.dataset.template.replace("{zone}", visitorZone).replace("{when}", when);
  line.hidden = false;
}

document.getElementById("device-copy-forget").addEventListener("click", removeFromDevice);
showSavedCopy();
showVisitorTime();
keepForOffline();
