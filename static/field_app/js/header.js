// The header: connection badge, how many records and photos wait, and syncing (the one Syncer of the app).

import * as db from './db.js';
import * as fmt from './format.js';
import { t } from './i18n.js';
import { refreshCurrent } from './router.js';
import { authExpired } from './session.js';
import { online, state, token, tokenExpired } from './state.js';
import { Syncer, photoWaiting } from './sync.js';
import { $, toast } from './ui.js';

export const syncer = new Syncer({
  token,
  onAuthExpired: () => authExpired(),
  onChange: () => refreshCounts(),
});

export function updateNet() {
  const badge = $('#net-badge');
  badge.textContent = online() ? t('online') : t('offline');
  badge.className = `badge fa-net ${online() ? 'fa-net-on' : 'fa-net-off'}`;
}

export async function refreshCounts() {
  const records = await db.all('records');
  const count = (status) => records.filter((r) => r.status === status).length;
  const [pending, rejected, duplicate] = [count('pending'), count('rejected'), count('duplicate')];
  // Photos not on the server yet: with a record still waiting, or uploaded after it (sync.js).
  const photos = records.filter(photoWaiting).length;
  $('#pending-count').textContent = String(pending);
  $('#photo-pending-count').textContent = String(photos);
  $('#photo-pending-label').hidden = photos === 0;
  const tab = $('#tab-pending');
  tab.textContent = String(pending + rejected);
  tab.hidden = pending + rejected === 0;
  const notes = [];
  if (syncer.running) notes.push(t('sending'));
  else if (syncer.nextAttemptAt && (pending || photos)) notes.push(t('retry_at', { time: fmt.time(syncer.nextAttemptAt) }));
  if (rejected) notes.push(t('n_to_fix', { n: rejected }));
  if (duplicate) notes.push(t('n_delivered_by_others', { n: duplicate }));
  if (!notes.length && state.lastSync) notes.push(t('last_sync', { when: fmt.when(state.lastSync) }));
  $('#sync-note').textContent = notes.join(' · ');
  $('#sync-btn').disabled = Boolean(syncer.running);
  return { pending, rejected, duplicate, photos };
}

function summaryToast(summary) {
  if (summary.error === 'network' || summary.error === 'server') {
    toast(t('sync_failed'), 'warning');
    return;
  }
  if (summary.error === 'auth') return;
  const parts = summary.sent ? [t('sent_n', { n: summary.synced })] : [];
  if (summary.duplicate) parts.push(t('delivered_by_others_n', { n: summary.duplicate }));
  if (summary.rejected) parts.push(t('rejected_n', { n: summary.rejected }));
  if (summary.photos) parts.push(t('photos_uploaded_n', { n: summary.photos }));
  if (summary.photosRejected) parts.push(t('photos_rejected_n', { n: summary.photosRejected }));
  toast(parts.length ? parts.join(' · ') : t('nothing_waiting'),
    summary.rejected || summary.duplicate || summary.photosRejected ? 'warning' : 'success');
}

export async function syncNow({ quiet = false } = {}) {
  if (!online()) {
    if (!quiet) toast(t('no_connection'), 'warning');
    return null;
  }
  if (state.auth && !state.authExpired && tokenExpired(state.auth)) {
    authExpired();
    return null;
  }
  if (!token()) {
    if (!quiet) authExpired();
    return null;
  }
  const summary = await syncer.run();
  if ((summary.sent || summary.photos) && !summary.error) {
    state.lastSync = new Date().toISOString();
    await db.put('meta', { key: 'sync', last_sync_at: state.lastSync });
  }
  await refreshCounts();
  if (!quiet || summary.sent || summary.photos || summary.photosRejected) summaryToast(summary);
  refreshCurrent();
  return summary;
}
