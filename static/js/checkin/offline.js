// Local answers when the server cannot be reached: the same verdicts as the server's redeem,
// from the list's offline data (signing key, revocations, people) and what this device saw.

import { peekEventId, verifyTicketCode } from "../ticket-verify.js";

export function base64ToBytes(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

// The offline answer carries the event id and the admitted categories at its top level
// (null: every category); a "list" object, when present, may carry them and the time window.
function eventIdOf(data) {
  if (data.event_id != null) return data.event_id;
  return data.list && data.list.event_id != null ? data.list.event_id : null;
}

function admittedCategoryIds(data) {
  if (Array.isArray(data.admitted_category_ids)) return data.admitted_category_ids;
  const ids = data.list && data.list.category_ids;
  return Array.isArray(ids) && ids.length ? ids : null;
}

function registrationView(id, person, categories) {
  const category = (categories && categories[String(person.category_id)]) || {};
  return {
    id,
    native_name: person.native_name,
    latin_name: person.latin_name,
    organization: person.organization,
    category: category.name || "",
    category_color: category.color || null,
  };
}

/**
 * Decide a scan offline. `data` is the GET offline answer; `seenLookup(registrationId)` gives
 * what this device recorded for the person ({at, station}) or null. Resolves to a redeem-like answer with
 * `offline: true`; `message` is left to the page (it has the translated strings).
 */
export async function decideOffline(data, code, { seenLookup = async () => null, now = new Date(), keyBytes = null } = {}) {
  const answer = (status, registration = null, firstCheckin = null) => ({
    status, registration, first_checkin: firstCheckin, checkin_id: null, offline: true,
  });
  const list = data.list || {};
  const eventId = eventIdOf(data);
  const key = keyBytes || base64ToBytes(data.key);
  const claims = await verifyTicketCode(key, code);
  if (claims === null) {
    const claimed = peekEventId(code);
    return answer(claimed !== null && eventId != null && claimed !== eventId
      ? "wrong_event" : "invalid");
  }
  if (eventId != null && claims.eventId !== eventId) return answer("wrong_event");
  const id = claims.registrationId;
  const person = (data.people || {})[String(id)];
  if (!person) return answer("invalid");
  const registration = registrationView(id, person, data.categories);
  const revoked = (data.revocations || []).some(
    ([rid, serial]) => rid === id && serial === claims.serial);
  if (revoked || claims.serial !== person.serial
      || person.state === "cancelled" || person.state === "rejected") {
    return answer("revoked", registration);
  }
  if (person.state !== "confirmed") return answer("not_confirmed", registration);
  const allowed = admittedCategoryIds(data);
  if (allowed && !allowed.includes(person.category_id)) return answer("wrong_list", registration);
  if ((list.starts_at && now < new Date(list.starts_at)) || (list.ends_at && now >= new Date(list.ends_at))) {
    return answer("outside_window", registration);
  }
  const seenEntry = await seenLookup(id);
  if (seenEntry) return answer("already_checked_in", registration, seenEntry);
  if ((data.checked_in || []).includes(id)) return answer("already_checked_in", registration);
  return answer("ok", registration);
}

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function encodeBase32(bytes) {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(buffer >> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * The current code of a person from the offline data, so that a guest found by the manual
 * search can be checked in (and queued) exactly like a scanned badge when offline.
 */
export async function codeForPerson(data, registrationId) {
  const person = (data.people || {})[String(registrationId)];
  const eventId = eventIdOf(data);
  if (!person || eventId == null) return null;
  const payload = new Uint8Array(10);
  const view = new DataView(payload.buffer);
  view.setUint32(0, eventId);
  view.setUint32(4, Number(registrationId));
  view.setUint16(8, person.serial);
  const message = new Uint8Array(3 + payload.length);
  message.set(new TextEncoder().encode("HW1"), 0);
  message.set(payload, 3);
  const key = await crypto.subtle.importKey(
    "raw", base64ToBytes(data.key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, message));
  const raw = new Uint8Array(20);
  raw.set(payload, 0);
  raw.set(mac.slice(0, 10), 10);
  return `HW1${encodeBase32(raw)}`;
}

/**
 * People of the offline data whose name or organization contains `query` (case-insensitive),
 * among the categories the list admits (as the server's search).
 */
export function searchOffline(data, query, limit = 20) {
  const needle = query.trim().toLocaleLowerCase();
  if (!needle) return [];
  const allowed = admittedCategoryIds(data);
  const found = [];
  for (const [id, person] of Object.entries(data.people || {})) {
    if (allowed && !allowed.includes(person.category_id)) continue;
    const haystack = [person.native_name, person.latin_name, person.organization]
      .filter(Boolean).join("\n").toLocaleLowerCase();
    if (haystack.includes(needle)) {
      const category = (data.categories || {})[String(person.category_id)] || {};
      found.push({
        id: Number(id),
        native_name: person.native_name,
        latin_name: person.latin_name,
        organization: person.organization,
        category: category.name || "",
        state: person.state,
        checked_in_at: null,
        ticket_code: null,
      });
      if (found.length >= limit) break;
    }
  }
  return found;
}
