// Sending the queue: batches to the aid batch endpoint, when the connection returns and on "Sinkronkan", with
// exponential backoff on failures. A record keeps its client_uuid for ever, so a batch cut off half-way and sent
// again creates nothing twice (the server answers "duplicate" for what it already has).

import * as api from './api.js';
import * as db from './db.js';
import { errorText } from './errors.js';
import { t } from './i18n.js';

const BATCH_SIZE = 100;
const BASE_DELAY_MS = 2000;
const MAX_DELAY_MS = 5 * 60 * 1000;

/** What the server said about one item → the record's new state on the device. */
export function applyResult(record, result) {
  const now = new Date().toISOString();
  const next = { ...record, last_attempt_at: now };
  if (result.status === 'created' || result.status === 'duplicate') {
    next.status = 'synced';
    next.server_id = result.id;
    next.synced_at = now;
    next.problem = null;
    return next;
  }
  if (result.code === 'already_delivered') {
    next.status = 'duplicate';
    next.problem = {
      code: result.code,
      detail: result.detail,
      fields: result.fields || null,
      delivered_by: result.delivered_by || '',
      delivered_at: result.delivered_at || null,
    };
    return next;
  }
  next.status = 'rejected';
  // `detail` a sentence (or, from an older server, an object of field errors); `fields` the field messages.
  next.problem = { code: result.code || 'invalid', detail: result.detail, fields: result.fields || null };
  return next;
}

/** Whether a record holds a proof photo not yet on the server (and not refused by it). */
export function photoWaiting(record) {
  return Boolean(record.photo) && record.payload.kind === 'delivered'
    && record.status !== 'duplicate' && record.photo_status !== 'uploaded' && record.photo_status !== 'rejected';
}

/** The server's words for a refused photo (400: `{"fields": {"photo": [...]}}`, or `{"photo": [...]}` before). */
function photoProblem(error) {
  return errorText(error.body) || t('photo_refused_http', { status: error.status });
}

export class Syncer {
  constructor({ token, onAuthExpired, onChange }) {
    this.token = token;
    this.onAuthExpired = onAuthExpired;
    this.onChange = onChange;
    this.running = null;
    this.failures = 0;
    this.timer = null;
    this.nextAttemptAt = null;
    this.lastError = null;
  }

  /** Sends everything waiting; resolves with a summary. One run at a time. */
  run() {
    if (!this.running) {
      this.running = this._run().finally(() => { this.running = null; this.onChange(); });
    }
    return this.running;
  }

  cancelRetry() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.nextAttemptAt = null;
  }

  _scheduleRetry() {
    this.failures += 1;
    const delay = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (this.failures - 1));
    const jittered = Math.round(delay * (0.8 + Math.random() * 0.4));
    this.cancelRetry();
    this.nextAttemptAt = Date.now() + jittered;
    this.timer = setTimeout(() => { this.timer = null; this.nextAttemptAt = null; this.run(); }, jittered);
  }

  async _run() {
    const summary = { sent: 0, synced: 0, duplicate: 0, rejected: 0, photos: 0, photosRejected: 0, error: null };
    const token = this.token();
    if (!token) {
      summary.error = 'auth';
      return summary;
    }
    this.cancelRetry();
    this.onChange();
    let pending = await db.byIndex('records', 'status', 'pending');
    pending.sort((a, b) => a.created_at.localeCompare(b.created_at));
    while (pending.length) {
      const batch = pending.slice(0, BATCH_SIZE);
      pending = pending.slice(BATCH_SIZE);
      // Marked before sending: such a record may already be on the server, so it is no longer editable.
      await db.putMany('records', batch.map((r) => ({ ...r, sent_once: true })));
      let answer;
      try {
        answer = await api.sendBatch(token, batch.map((r) => r.payload));
      } catch (error) {
        if (error instanceof api.AuthError) {
          summary.error = 'auth';
          this.lastError = 'auth';
          this.onAuthExpired(error.message);
          return summary;
        }
        if (error instanceof api.NetworkError || (error instanceof api.HttpError && error.status === 429)) {
          summary.error = 'network';
          this.lastError = 'network';
          this._scheduleRetry();
          return summary;
        }
        // The whole batch refused (e.g. malformed): keep the records waiting, and say so.
        summary.error = 'server';
        this.lastError = 'server';
        this._scheduleRetry();
        return summary;
      }
      const updated = [];
      (answer.results || []).forEach((result) => {
        const record = batch[result.index];
        if (!record || (result.client_uuid && result.client_uuid !== record.client_uuid)) return;
        const next = applyResult({ ...record, sent_once: true }, result);
        summary[next.status] += 1;
        updated.push(next);
      });
      summary.sent += batch.length;
      await db.putMany('records', updated);
      this.onChange();
    }
    if (!(await this._uploadPhotos(token, summary))) return summary;
    this.failures = 0;
    this.lastError = null;
    return summary;
  }

  /**
   * Proof photos of records the server has (synced: created or replayed), one request each. Uploaded → the Blob
   * leaves the phone; 400 → refused, with the server's message; offline/5xx → kept, retried with the backoff.
   * Resolves false when the run must stop (retry scheduled, or the token expired).
   */
  async _uploadPhotos(token, summary) {
    const waiting = (await db.byIndex('records', 'status', 'synced')).filter(photoWaiting);
    waiting.sort((a, b) => a.created_at.localeCompare(b.created_at));
    for (const record of waiting) {
      const now = new Date().toISOString();
      try {
        await api.uploadPhoto(token, record.client_uuid, record.photo);
      } catch (error) {
        if (error instanceof api.AuthError) {
          summary.error = 'auth';
          this.lastError = 'auth';
          this.onAuthExpired(error.message);
          return false;
        }
        if (error instanceof api.HttpError && error.status !== 429) {
          const current = (await db.get('records', record.client_uuid)) || record;
          await db.put('records', { ...current, photo_status: 'rejected', photo_problem: photoProblem(error), photo_attempt_at: now });
          summary.photosRejected += 1;
          this.onChange();
          continue;
        }
        summary.error = 'network';
        this.lastError = 'network';
        this._scheduleRetry();
        return false;
      }
      // The record may have changed while the photo was on its way: write onto the stored one.
      const current = (await db.get('records', record.client_uuid)) || record;
      await db.put('records', { ...current, photo: null, photo_status: 'uploaded', photo_problem: null, photo_uploaded_at: now });
      summary.photos += 1;
      this.onChange();
    }
    return true;
  }
}
