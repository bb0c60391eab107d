// The scanner's service worker: keeps the scanner page and the files it runs on, so that the
// page can be opened or reloaded at a door without a network. The list data and the queued
// scans are in IndexedDB (store.js); API answers are never cached, they always go to the
// network and the page decides what to do without one.
//
// Served by /manage/<slug>/checkin/service-worker.js (scope: that event's check-in pages),
// which puts `self.SCANNER_CACHE = {version, assets, integrity}` in front of this file. A new
// version (any of the assets changed) installs a new worker, which drops the old copies.
//
// The venue's Wi-Fi is crowded, so installing downloads nothing the device already has: each
// file is taken from the previous version's copies if unchanged, else from the browser's HTTP
// cache (what the page itself loaded a moment ago), and only then from the network. The file's
// SHA-256 (`integrity`) decides whether a copy is current, so a stale HTTP-cache entry is never
// kept whatever the static files' cache headers say.

const { version, assets, integrity = {} } = self.SCANNER_CACHE;
const ASSETS = `huiwu-scanner-assets-${version}`;
const PAGES = "huiwu-scanner-pages";
const PAGE_TIMEOUT_MS = 4000;
const SCANNER_PAGE = /\/checkin\/\d+\/scan$/;
const assetPaths = new Set(assets.map((url) => new URL(url, self.location.href).pathname));

function isScannerPage(url) {
  return url.origin === self.location.origin && SCANNER_PAGE.test(url.pathname);
}

function timeout(ms) {
  return new Promise((_resolve, reject) => setTimeout(() => reject(new Error("timeout")), ms));
}

async function digestOf(response) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", await response.arrayBuffer()));
  return `sha256-${btoa(String.fromCharCode(...digest))}`;
}

async function keepAsset(cache, url) {
  const checksum = integrity[url];
  if (checksum) {
    const earlier = await caches.match(url);
    if (earlier && (await digestOf(earlier.clone())) === checksum) {
      await cache.put(url, earlier);
      return "kept";
    }
    try {
      // force-cache: any stored response, however old; the checksum refuses an outdated one.
      const stored = await fetch(new Request(url, { cache: "force-cache", integrity: checksum }));
      if (stored.ok) {
        await cache.put(url, stored);
        return "http-cache";
      }
    } catch {
      // not the current file (or no copy and no network): from the server below
    }
  }
  // Unchecked, as a proxy that rewrites files would otherwise keep the scanner from installing.
  const fresh = await fetch(new Request(url, { cache: "reload" }));
  if (!fresh.ok) throw new Error(`${url}: ${fresh.status}`);
  await cache.put(url, fresh);
  return "network";
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(ASSETS);
    await Promise.all(assets.map((url) => keepAsset(cache, url)));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("huiwu-scanner-assets-") && name !== ASSETS) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

async function savePage(cache, key, response) {
  // A sign-in page after a redirect, or an error page, is not the scanner.
  if (response.ok && !response.redirected) await cache.put(key, response.clone());
  return response;
}

// Network first, so an online page is always current (and its copy refreshed); the copy when
// the network fails, answers 5xx or takes longer than a door can wait.
async function scannerPage(event) {
  const cache = await caches.open(PAGES);
  const key = event.request.url;
  const network = fetch(event.request).then((response) => savePage(cache, key, response));
  event.waitUntil(network.catch(() => undefined));
  try {
    const response = await Promise.race([network, timeout(PAGE_TIMEOUT_MS)]);
    if (response.status < 500) return response;
  } catch {
    // no network, or too slow: the copy below
  }
  const copy = (await cache.match(key)) || (await cache.match(key, { ignoreSearch: true }));
  return copy || network;
}

async function asset(request) {
  const cache = await caches.open(ASSETS);
  const copy = await cache.match(request);
  if (copy) return copy;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && isScannerPage(url)) event.respondWith(scannerPage(event));
  else if (assetPaths.has(url.pathname)) event.respondWith(asset(request));
  // Anything else, the API above all, goes to the network as if there were no worker.
});

// The page that registered the worker was loaded before the worker existed: it asks for its
// own copy to be made, and hears back whether there is one.
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "keep-page") return;
  const url = new URL(data.url, self.location.href);
  const reply = (ok) => event.ports[0] && event.ports[0].postMessage({ ok });
  if (!isScannerPage(url)) {
    reply(false);
    return;
  }
  event.waitUntil((async () => {
    try {
      const response = await fetch(url.href, { credentials: "same-origin", cache: "no-store" });
      await savePage(await caches.open(PAGES), url.href, response);
      reply(response.ok && !response.redirected);
    } catch {
      reply(false);
    }
  })());
});
