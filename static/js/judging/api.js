// The judging JSON API as the tablet uses it; calls and their errors as every page makes them
// (../lib/api.js). A NetworkError or a SessionError keeps a save queued; an ApiError is the
// server's refusal of it.

import { createApiClient } from "../lib/api.js";

export function createJudgingApi({ base, csrfToken }) {
  const call = createApiClient({ base, csrfToken, timeoutMs: 8000 });
  return {
    save: (entryId, item) =>
      call("POST", `sheets/${entryId}`, {
        body: {
          client_id: item.client_id,
          action: item.action,
          values: item.values,
          comment: item.comment,
        },
      }),
    progress: () => call("GET", ""),
  };
}
