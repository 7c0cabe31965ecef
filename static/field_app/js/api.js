// The aid API over fetch, with the device token. Errors are sorted into what the app must do about them:
// AuthError (sign in again), NetworkError (retry later), HttpError (the server said no; its body in either
// error shape, read by errors.js).

import { errorText } from './errors.js';

export class AuthError extends Error {}
export class NetworkError extends Error {}
export class HttpError extends Error {
  constructor(status, body) {
    super(errorText(body) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

const TIMEOUT_MS = 30000;
let urls = {};
let language = null;

export function configure(config) {
  urls = config.urls;
  language = config.language || null;
}

async function request(url, { method = 'GET', token = null, body = undefined, form = undefined } = {}) {
  const headers = { Accept: 'application/json' };
  // Requests carry no cookie (credentials: 'omit'): the server answers in the app's language by this header.
  if (language) headers['Accept-Language'] = language;
  // A FormData body sets its own multipart Content-Type (with the boundary).
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Token ${token}`;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: form !== undefined ? form : (body === undefined ? undefined : JSON.stringify(body)),
      credentials: 'omit',
      cache: 'no-store',
      signal: controller.signal,
    });
  } catch (error) {
    throw new NetworkError(error && error.name === 'AbortError' ? 'timeout' : 'offline');
  } finally {
    clearTimeout(timer);
  }
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch (error) {
    if (response.ok) throw new NetworkError('bad_body');
  }
  if (response.status === 401 && token) throw new AuthError(errorText(data));
  if (response.status >= 500) throw new NetworkError(`HTTP ${response.status}`);
  if (!response.ok) throw new HttpError(response.status, data);
  return data;
}

export function obtainToken(username, password, deviceName) {
  return request(urls.token, { method: 'POST', body: { username, password, device_name: deviceName } });
}

export function me(token) {
  return request(urls.me, { token });
}

export function revoke(token) {
  return request(urls.logout, { method: 'POST', token, body: {} });
}

export function rounds(token) {
  return request(urls.rounds, { token });
}

/** Every entitled household of a round, following the cursor pages. */
export async function entitlements(token, roundId) {
  let url = `${urls.rounds}${roundId}/entitlements/`;
  const rows = [];
  while (url) {
    const page = await request(url, { token });
    rows.push(...page.results);
    url = page.next;
  }
  return rows;
}

export function cards(token, roundId) {
  return request(urls.cards.replace('{id}', String(roundId)), { token });
}

export function sendBatch(token, items) {
  return request(urls.batch, { method: 'POST', token, body: { items } });
}

/** The proof photo of a delivery the server already has (by its client_uuid): 201 stored, 200 it had one. */
export function uploadPhoto(token, clientUuid, blob) {
  const base = urls.photo || urls.batch.replace(/batch\/$/, '{uuid}/photo/');
  const form = new FormData();
  form.append('photo', blob, `${clientUuid}.jpg`);
  return request(base.replace('{uuid}', encodeURIComponent(clientUuid)), { method: 'POST', token, form });
}
