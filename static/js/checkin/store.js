// What the scanner keeps on the device (IndexedDB), so that the door keeps working offline:
//   lists  — the offline data of a list (key, revocations, people, checked_in), by list id;
//   queue  — scans accepted offline and not yet uploaded, by nonce (upload order: scanned_at);
//   seen   — people this device let in on a list, "<list>:<registration>" → {at, station},
//            so a second scan of the same code answers "already checked in" even offline.

import { openDatabase, promised } from "../lib/indexeddb.js";

const DB_NAME = "huiwu-checkin";
const DB_VERSION = 1;

function createStores(db) {
  if (!db.objectStoreNames.contains("lists")) db.createObjectStore("lists");
  if (!db.objectStoreNames.contains("queue")) {
    db.createObjectStore("queue", { keyPath: "nonce" }).createIndex("list_id", "list_id");
  }
  if (!db.objectStoreNames.contains("seen")) db.createObjectStore("seen");
}

export async function openStore(name = DB_NAME) {
  const { run, close } = await openDatabase(name, DB_VERSION, createStores);
  return {
    saveListData: (listId, data) =>
      run("lists", "readwrite", (s) => promised(s.put({ data, savedAt: Date.now() }, listId))),
    loadListData: async (listId) => {
      const row = await run("lists", "readonly", (s) => promised(s.get(listId)));
      return row ? row.data : null;
    },
    enqueue: (scan) => run("queue", "readwrite", (s) => promised(s.put(scan))),
    dequeue: (nonces) =>
      run("queue", "readwrite", (s) => Promise.all(nonces.map((n) => promised(s.delete(n))))),
    queued: async (listId) => {
      const rows = await run("queue", "readonly", (s) => promised(s.index("list_id").getAll(listId)));
      return rows.sort((a, b) => (a.scanned_at < b.scanned_at ? -1 : 1));
    },
    queueLength: (listId) => run("queue", "readonly", (s) => promised(s.index("list_id").count(listId))),
    markSeen: (listId, registrationId, entry) =>
      run("seen", "readwrite", (s) => promised(s.put(entry, `${listId}:${registrationId}`))),
    forgetSeen: (listId, registrationId) =>
      run("seen", "readwrite", (s) => promised(s.delete(`${listId}:${registrationId}`))),
    seen: async (listId, registrationId) =>
      (await run("seen", "readonly", (s) => promised(s.get(`${listId}:${registrationId}`)))) || null,
    close,
  };
}
