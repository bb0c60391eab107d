// The check-in JSON API (/api/events/<slug>/checkin/...), as the scanner page uses it.
// A NetworkError means "no usable answer": the page then works offline. An ApiError is a
// real answer from the server (4xx with {"error", "message"}) and is shown as such.

export class NetworkError extends Error {}

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.code = body && body.error;
    this.body = body;
  }
}

export function createApi({ base, csrfToken, timeoutMs = 4000, fetchImpl = globalThis.fetch }) {
  const root = base.endsWith("/") ? base : `${base}/`;

  async function call(method, path, { query, body, timeout = timeoutMs } = {}) {
    let url = root + path;
    if (query) url += `?${new URLSearchParams(query)}`;
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET" && csrfToken) headers["X-CSRFToken"] = csrfToken;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeout);
    let response;
    try {
      response = await fetchImpl(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "same-origin",
        cache: "no-store",
        signal: controller.signal,
      });
    } catch (error) {
      throw new NetworkError(error && error.message ? error.message : "network");
    } finally {
      clearTimeout(timer);
    }
    let payload = null;
    try {
      payload = await response.json();
    } catch {
      payload = null;
    }
    // 5xx, a proxy's HTML error page or a login redirect: not an answer about the scan.
    if (response.status >= 500 || payload === null) throw new NetworkError(`HTTP ${response.status}`);
    if (!response.ok) throw new ApiError(response.status, payload);
    return payload;
  }

  return {
    redeem: (scan) => call("POST", "redeem", { body: scan }),
    undo: (checkinId, station) => call("POST", "undo", { body: { checkin_id: checkinId, station } }),
    search: (listId, q) => call("GET", "search", { query: { list_id: listId, q } }),
    offlineData: (listId) => call("GET", "offline", { query: { list_id: listId }, timeout: 15000 }),
    sync: (station, scans) => call("POST", "sync", { body: { station, scans }, timeout: 15000 }),
    stats: (listId) => call("GET", "stats", { query: { list_id: listId } }),
  };
}
