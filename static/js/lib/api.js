// The one way our pages call Huiwu's JSON APIs (check-in scanner, judging tablet). Every call
// ends in an answer or in one of three errors, and the pages act on the kind:
//   NetworkError — no usable answer (no network, timeout, 5xx, a proxy's HTML page or a login
//                  redirect): work offline, keep what is queued and try again later;
//   SessionError — the staff member or judge is signed out (401), or the page's CSRF token
//                  no longer belongs to the session: an answer, so the network works, but
//                  nothing is sent until they sign in again;
//   ApiError     — the server's real refusal (4xx with {"error", "message"}), shown as such.

export class NetworkError extends Error {}

export class SessionError extends Error {}

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.code = body && body.error;
  }
}

// `call(method, path, {query, body, timeout})` under `base`; writes carry the CSRF token.
export function createApiClient({ base, csrfToken, timeoutMs }) {
  const root = base.endsWith("/") ? base : `${base}/`;

  return async function call(method, path, { query, body, timeout = timeoutMs } = {}) {
    let url = root + path;
    if (query) url += `?${new URLSearchParams(query)}`;
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET" && csrfToken) headers["X-CSRFToken"] = csrfToken;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeout);
    let response;
    try {
      response = await fetch(url, {
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
    if (response.status >= 500 || payload === null) throw new NetworkError(`HTTP ${response.status}`);
    if (response.status === 401 || payload.error === "csrf") throw new SessionError(payload.message || "");
    if (!response.ok) throw new ApiError(response.status, payload);
    return payload;
  };
}
