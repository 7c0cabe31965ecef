// IndexedDB on the device: the worker's token, the rounds opened, their entitled households, and the records
// (deliveries and "tidak tersalurkan" visits) waiting to be sent. Nothing else is kept.

const NAME = 'kertapati-lapangan';
const VERSION = 1;
let dbPromise = null;

export const STORES = ['meta', 'rounds', 'households', 'records'];

function promisify(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export function open() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const request = indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore('meta', { keyPath: 'key' });
        db.createObjectStore('rounds', { keyPath: 'id' });
        const households = db.createObjectStore('households', { keyPath: 'id' });
        households.createIndex('round_id', 'round_id');
        const records = db.createObjectStore('records', { keyPath: 'client_uuid' });
        records.createIndex('status', 'status');
        records.createIndex('entitlement', 'payload.entitlement');
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  return dbPromise;
}

async function tx(stores, mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(stores, mode);
    let result;
    Promise.resolve(work(transaction)).then((value) => { result = value; }, reject);
    transaction.oncomplete = () => resolve(result);
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error || new Error('aborted'));
  });
}

export function get(store, key) {
  return tx([store], 'readonly', (t) => promisify(t.objectStore(store).get(key)));
}

export function put(store, value) {
  return tx([store], 'readwrite', (t) => promisify(t.objectStore(store).put(value)));
}

export function remove(store, key) {
  return tx([store], 'readwrite', (t) => promisify(t.objectStore(store).delete(key)));
}

export function all(store) {
  return tx([store], 'readonly', (t) => promisify(t.objectStore(store).getAll()));
}

export function byIndex(store, index, value) {
  return tx([store], 'readonly', (t) => promisify(t.objectStore(store).index(index).getAll(value)));
}

export function countByIndex(store, index, value) {
  return tx([store], 'readonly', (t) => promisify(t.objectStore(store).index(index).count(value)));
}

/** Replaces one round's households in one transaction (a half-written list is never left behind). */
export function replaceHouseholds(roundId, households) {
  return tx(['households'], 'readwrite', async (t) => {
    const store = t.objectStore('households');
    const keys = await promisify(store.index('round_id').getAllKeys(roundId));
    keys.forEach((key) => store.delete(key));
    households.forEach((h) => store.put(h));
  });
}

export function removeRound(roundId) {
  return tx(['rounds', 'households'], 'readwrite', async (t) => {
    t.objectStore('rounds').delete(roundId);
    const store = t.objectStore('households');
    const keys = await promisify(store.index('round_id').getAllKeys(roundId));
    keys.forEach((key) => store.delete(key));
  });
}

/** Several records updated together (one sync answer). */
export function putMany(store, values) {
  return tx([store], 'readwrite', (t) => { values.forEach((v) => t.objectStore(store).put(v)); });
}

export function clear(stores) {
  return tx(stores, 'readwrite', (t) => { stores.forEach((s) => t.objectStore(s).clear()); });
}
