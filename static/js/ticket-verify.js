// Offline verification of Huiwu ticket codes, same rules as app/documents/tickets.py:
// "HW1" + BASE32(event_id:u32 | registration_id:u32 | serial:u16 | HMAC-SHA256[:10]).
// Needs WebCrypto (globalThis.crypto.subtle): browsers on https/localhost, Node >= 19.

const PREFIX = "HW1";
const PAYLOAD_BYTES = 10;
const TAG_BYTES = 10;
const RAW_BYTES = PAYLOAD_BYTES + TAG_BYTES;
export const CODE_LENGTH = PREFIX.length + (RAW_BYTES * 8) / 5;
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const BODY_RE = new RegExp(`^[A-Z2-7]{${CODE_LENGTH - PREFIX.length}}$`);
const MIN_KEY_BYTES = 16;
// Ids are at most 2**31 - 1 (the database's integer): a code claiming more is malformed.
const MAX_ID = 0x7fffffff;

function decodeBase32(text) {
  const out = new Uint8Array((text.length * 5) / 8);
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (const char of text) {
    buffer = (buffer << 5) | ALPHABET.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (buffer >> bits) & 0xff;
    }
  }
  return out;
}

function decodeCode(code) {
  if (typeof code !== "string" || code.length !== CODE_LENGTH || !code.startsWith(PREFIX)) {
    return null;
  }
  const body = code.slice(PREFIX.length);
  if (!BODY_RE.test(body)) return null;
  const raw = decodeBase32(body);
  const view = new DataView(raw.buffer);
  return view.getUint32(0) > MAX_ID || view.getUint32(4) > MAX_ID ? null : raw;
}

function toKeyBytes(keyBytes) {
  if (keyBytes instanceof Uint8Array) return keyBytes;
  if (keyBytes instanceof ArrayBuffer) return new Uint8Array(keyBytes);
  throw new TypeError("ticket key must be a Uint8Array or ArrayBuffer");
}

/** Return the event id a well-formed code claims, UNVERIFIED (to pick the key), or null. */
export function peekEventId(code) {
  const raw = decodeCode(code);
  return raw === null ? null : new DataView(raw.buffer).getUint32(0);
}

/** Resolve to {eventId, registrationId, serial} for a genuine code, null for anything else. */
export async function verifyTicketCode(keyBytes, code) {
  const key = toKeyBytes(keyBytes);
  if (key.length < MIN_KEY_BYTES) throw new RangeError("ticket key too short");
  const raw = decodeCode(code);
  if (raw === null) return null;
  const payload = raw.slice(0, PAYLOAD_BYTES);
  const message = new Uint8Array(PREFIX.length + PAYLOAD_BYTES);
  message.set(new TextEncoder().encode(PREFIX), 0);
  message.set(payload, PREFIX.length);
  const cryptoKey = await globalThis.crypto.subtle.importKey(
    "raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await globalThis.crypto.subtle.sign("HMAC", cryptoKey, message));
  // Constant time: look at every byte whatever the first difference.
  let difference = 0;
  for (let i = 0; i < TAG_BYTES; i++) difference |= mac[i] ^ raw[PAYLOAD_BYTES + i];
  if (difference !== 0) return null;
  const view = new DataView(payload.buffer);
  return {
    eventId: view.getUint32(0),
    registrationId: view.getUint32(4),
    serial: view.getUint16(8),
  };
}
