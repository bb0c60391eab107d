// The check-in JSON API (/api/events/<slug>/checkin/...), as the scanner page uses it; calls
// and their errors as every page makes them (../lib/api.js).

import { createApiClient } from "../lib/api.js";

export function createCheckinApi({ base, csrfToken }) {
  // A door cannot wait long for an answer: after 4 s the page decides offline.
  const call = createApiClient({ base, csrfToken, timeoutMs: 4000 });
  return {
    redeem: (scan) => call("POST", "redeem", { body: scan }),
    undo: (checkinId, station) => call("POST", "undo", { body: { checkin_id: checkinId, station } }),
    search: (listId, q) => call("GET", "search", { query: { list_id: listId, q } }),
    offlineData: (listId) => call("GET", "offline", { query: { list_id: listId }, timeout: 15000 }),
    sync: (station, scans) => call("POST", "sync", { body: { station, scans }, timeout: 15000 }),
    stats: (listId) => call("GET", "stats", { query: { list_id: listId } }),
  };
}
