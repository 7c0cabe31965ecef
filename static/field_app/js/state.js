// What the app holds in memory while it runs. What must survive a reload lives in IndexedDB (db.js): the token
// and who holds it ('meta'), the rounds, their households, and the queue of records.

export const PAGE = 50;

export const state = {
  auth: null,
  authExpired: false,
  round: null,
  households: [],
  records: [],
  limit: PAGE,
  form: null,
  photo: null,
  photoUrl: null,
  stopScan: null,
  lastSync: null,
};

export function online() {
  return navigator.onLine;
}

/** The device token, while it is valid as far as the app knows. */
export function token() {
  return state.auth && !state.authExpired ? state.auth.token : null;
}

export function tokenExpired(auth) {
  return !auth || !auth.token || (auth.expires_at && new Date(auth.expires_at).getTime() <= Date.now());
}
