// What the tablet keeps on the device (IndexedDB) so that no score is lost when the network
// drops: `outbox` holds saves not yet acknowledged by the server, by client id, in the order
// they were made (`seq`). Drafts of a sheet replace its older unsent drafts; submissions stay
// until the server has answered them.

import { openDatabase, promised } from "../lib/indexeddb.js";

const DB_NAME = "huiwu-judging";
const DB_VERSION = 1;

function createStores(db) {
  if (!db.objectStoreNames.contains("outbox")) {
    db.createObjectStore("outbox", { keyPath: "client_id" }).createIndex("sheet", "sheet");
  }
}

export async function openOutbox(name = DB_NAME) {
  const database = await openDatabase(name, DB_VERSION, createStores);
  const run = (mode, work) => database.run("outbox", mode, work);
  return {
    // Queue a save; an unsent draft of the same sheet is replaced by a newer one.
    put: (item) =>
      run("readwrite", async (store) => {
        if (item.action === "draft") {
          const older = await promised(store.index("sheet").getAll(item.sheet));
          for (const row of older) {
            if (row.action === "draft" && !row.sending) store.delete(row.client_id);
          }
        }
        store.put(item);
      }),
    remove: (clientId) => run("readwrite", (store) => promised(store.delete(clientId))),
    all: async () => {
      const rows = await run("readonly", (store) => promised(store.getAll()));
      return rows.sort((a, b) => a.seq - b.seq);
    },
    close: database.close,
  };
}
