// The personal page's service worker (#15): keeps a copy of one participant's page, so that it
// opens at the door without a network and shows the entrance QR code (inline in the page).
//
// Served by /r/<token>/sw.js with its scope the page itself (/r/<token>), which puts
// `self.PERSONAL_PAGE = {version, page, assets, header}` in front of this file. It keeps the
// page and the static files the page loads in one cache named for the page, and nothing else:
// every other request (the badge, the calendar file, the edit form, any other page) goes to the
// network as if there were no worker.
//
// The page is network first, so an online visit always shows the current registration (and
// refreshes the copy); the copy when the network fails, answers 5xx or 429, or is slower than a
// door can wait. The page's `header` says what to do with what it sent: keep it, refetch a clean
// copy (this one carried a one-time message), or drop the copy (the registration is no longer
// active). A 404 or 410 (the link was revoked, anonymized or expired) drops the copy and
// unregisters the worker.

// (`version` is not read: it is there so that a changed file changes this script.)
const { page, assets, header } = self.PERSONAL_PAGE;
const CACHE = `huiwu-personal-page:${page}`;
const PAGE_TIMEOUT_MS = 4000;
const assetPaths = new Set(assets.map((url) => new URL(url, self.location.href).pathname));
const pageUrl = new URL(page, self.location.href).href;

function timeout(ms) {
  return new Promise((_resolve, reject) => setTimeout(() => reject(new Error("timeout")), ms));
}

async function forget() {
  await caches.delete(CACHE);
  await self.registration.unregister();
}

// Acts on what the server said about the page it sent, and returns the response untouched.
// `later` (a fetch event's waitUntil) takes the cache work off the path of the page shown.
async function remember(response, later = (work) => work) {
  if (response.status === 404 || response.status === 410) {
    await later(forget());
    return response;
  }
  if (!response.ok || response.redirected) return response;
  const decision = response.headers.get(header);
  if (decision === "keep") {
    const cache = await caches.open(CACHE);
    await later(cache.put(pageUrl, response.clone()));
  } else if (decision === "drop") {
    await later(forget());
  } else if (decision === "refetch") {
    // This rendering consumed its one-time message: the next one is clean.
    await later(refetchPage().catch(() => undefined));
  }
  return response;
}

async function refetchPage() {
  const response = await fetch(pageUrl, { credentials: "same-origin", cache: "no-store" });
  // Another `refetch` is not followed (no loop): only a clean page is kept.
  if (response.headers.get(header) === "refetch") return;
  await remember(response);
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await Promise.all(assets.map((url) => cache.add(new Request(url, { cache: "reload" }))));
    // The visit that registered the worker was not served by it: the copy is made here.
    await refetchPage();
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    // Files an older version kept and this one does not use.
    const cache = await caches.open(CACHE);
    for (const request of await cache.keys()) {
      const url = new URL(request.url);
      if (url.href !== pageUrl && !assetPaths.has(url.pathname)) await cache.delete(request);
    }
    await self.clients.claim();
  })());
});

async function personalPage(event) {
  const later = (work) => {
    event.waitUntil(work);
  };
  const network = fetch(event.request).then((response) => remember(response, later));
  event.waitUntil(network.catch(() => undefined));
  try {
    const response = await Promise.race([network, timeout(PAGE_TIMEOUT_MS)]);
    // The page, a redirect, or the link's end (404, 410: the copy is gone by now).
    if (response.status < 400 || response.status === 404 || response.status === 410) {
      return response;
    }
  } catch {
    // no network, or too slow: the copy below
  }
  // Also for a refusal that says nothing about the registration: a 5xx, or 429 when a whole
  // venue's Wi-Fi (one address) has used up the link pages' rate limit.
  const copy = await caches.match(pageUrl, { cacheName: CACHE });
  return copy || network;
}

async function asset(request) {
  const copy = await caches.match(request, { cacheName: CACHE, ignoreSearch: true });
  if (copy) return copy;
  return fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === new URL(pageUrl).pathname) {
    event.respondWith(personalPage(event));
  } else if (assetPaths.has(url.pathname)) {
    event.respondWith(asset(request));
  }
});
