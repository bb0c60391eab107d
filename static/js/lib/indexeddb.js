// The one way our pages keep data on the device (check-in scanner, judging tablet): IndexedDB's
// requests and transactions as promises. A page's store module names its database, its object
// stores and what it keeps in them.
//
// Written here rather than taken from the `idb` package: this is all of IndexedDB the pages
// use, and a vendored library would be one more file for the scanner's service worker to keep.

export function promised(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function finished(transaction) {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onabort = () => reject(transaction.error);
    transaction.onerror = () => reject(transaction.error);
  });
}

// Open (or create, or upgrade) database `name`; `upgrade(db)` creates the object stores and
// indexes it does not have yet.
export async function openDatabase(name, version, upgrade) {
  const request = indexedDB.open(name, version);
  request.onupgradeneeded = () => upgrade(request.result);
  const db = await promised(request);
  return {
    // `work(store)` in one transaction on one object store; its result once the transaction
    // has committed (a failed transaction rejects).
    async run(storeName, mode, work) {
      const transaction = db.transaction(storeName, mode);
      const result = await work(transaction.objectStore(storeName));
      await finished(transaction);
      return result;
    },
    close: () => db.close(),
  };
}
