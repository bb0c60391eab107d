// The judging JSON API as the tablet uses it. A NetworkError means "no usable answer" (offline,
// timeout, 5xx): the save stays queued. A SessionError (signed out: 401, or the page's CSRF
// token no longer valid) also keeps it queued until the judge signs in again. An ApiError is
// the server's real refusal of the save (4xx).

export class NetworkError extends Error {}

export class SessionError extends NetworkError {}

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.code = body && body.error;
  }
}

export function createApi({ base, csrfToken, timeoutMs = 8000 }) {
  const root = base.endsWith("/") ? base : `${base}/`;

  async function call(method, path, body) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET") headers["X-CSRFToken"] = csrfToken;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let response;
    try {
      response = await fetch(root + path, {
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
  }

  return {
    save: (entryId, item) =>
      call("POST", `sheets/${entryId}`, {
        client_id: item.client_id,
        action: item.action,
        values: item.values,
        comment: item.comment,
      }),
    progress: () => call("GET", ""),
  };
}
