// The outbox (#/antrean): the records on the phone grouped by state, with fixing, discarding, and the state of
// each proof photo.

import { REASONS } from '../config.js';
import * as db from '../db.js';
import { problemText } from '../errors.js';
import * as fmt from '../format.js';
import { refreshCounts } from '../header.js';
import { t } from '../i18n.js';
import { $, el, icon, showScreen, toast } from '../ui.js';

// [status, title key, tone], in the order shown.
const GROUPS = [
  ['rejected', 'group_rejected', 'danger'],
  ['pending', 'group_pending', 'warning'],
  ['duplicate', 'delivered_by_other_worker', 'danger'],
  ['synced', 'group_synced', 'success'],
];

export async function showQueue() {
  showScreen('queue');
  await renderQueue();
}

function recordItem(r) {
  const d = r.display || {};
  const p = r.payload;
  const what = p.kind === 'delivered'
    ? t('delivered_to', { recipient: d.recipient || '-' })
    : t('undelivered_reason', { reason: REASONS[p.reason] || p.reason });
  const actions = [];
  if (r.status === 'rejected') {
    actions.push(el('a', { class: 'btn btn-sm btn-primary', href: `#/perbaiki/${r.client_uuid}` }, icon('pencil'), ` ${t('fix')}`));
  }
  if (r.photo && r.photo_status === 'rejected') {
    actions.push(el('button', {
      type: 'button', class: 'btn btn-sm btn-outline-secondary', dataset: { testid: 'photo-discard' },
      onclick: () => discardPhoto(r),
    }, icon('trash'), ` ${t('photo_discard')}`));
  }
  if (r.status === 'rejected' || r.status === 'duplicate') {
    actions.push(el('button', {
      type: 'button', class: 'btn btn-sm btn-outline-secondary',
      onclick: () => discard(r),
    }, icon('trash'), ` ${r.status === 'duplicate' ? t('remove_from_list') : t('record_discard')}`));
  }
  return el('div', { class: `fa-item fa-record fa-record-${r.status}`, dataset: { uuid: r.client_uuid, status: r.status, testid: 'record' } },
    el('div', { class: 'fa-item-main' },
      el('div', { class: 'fa-item-title' }, d.head_name || t('entitlement_n', { id: p.entitlement })),
      el('div', { class: 'fa-item-sub' }, `${d.address || ''}${d.rt ? ` · ${fmt.rtRw(d)}` : ''}`),
      el('div', { class: 'fa-item-sub' }, `${what} · ${fmt.when(p.delivered_at)}`),
      p.notes ? el('div', { class: 'fa-item-sub fst-italic' }, p.notes) : null,
      photoLine(r),
      r.problem ? el('div', { class: 'fa-problem text-danger', dataset: { testid: 'problem' } }, problemText(r.problem)) : null,
      actions.length ? el('div', { class: 'fa-actions' }, ...actions) : null));
}

function photoLine(r) {
  if (r.photo_status === 'uploaded') {
    return el('div', { class: 'fa-item-sub text-success', dataset: { testid: 'photo-state', state: 'uploaded' } }, icon('camera'), ` ${t('photo_sent')}`);
  }
  if (!r.photo) return null;
  if (r.photo_status === 'rejected') {
    return el('div', { class: 'fa-problem text-danger', dataset: { testid: 'photo-state', state: 'rejected' } },
      icon('camera'), ` ${t('photo_rejected', { problem: r.photo_problem || '' })}`);
  }
  return el('div', { class: 'fa-item-sub', dataset: { testid: 'photo-state', state: 'pending' } }, icon('camera'),
    ` ${r.status === 'synced' ? t('photo_waiting_upload') : t('photo_kept_on_device')}`);
}

export async function renderQueue() {
  const records = (await db.all('records')).sort((a, b) => b.created_at.localeCompare(a.created_at));
  const list = $('#queue-list');
  const counts = Object.fromEntries(GROUPS.map(([status]) => [status, records.filter((r) => r.status === status).length]));
  $('#queue-note').textContent = records.length
    ? t('queue_counts', { pending: counts.pending, rejected: counts.rejected, synced: counts.synced })
    : t('queue_empty');
  const sections = GROUPS.filter(([status]) => counts[status]).map(([status, title, tone]) => el('section', { class: 'mb-3', dataset: { group: status } },
    el('h2', { class: `h6 fa-group text-${tone}` }, `${t(title)} (${counts[status]})`),
    ...records.filter((r) => r.status === status).slice(0, status === 'synced' ? 100 : undefined).map(recordItem)));
  list.replaceChildren(...sections);
}

async function discardPhoto(record) {
  const current = await db.get('records', record.client_uuid);
  if (current) await db.put('records', { ...current, photo: null });
  toast(t('photo_discarded'));
  await refreshCounts();
  renderQueue();
}

async function discard(record) {
  await db.remove('records', record.client_uuid);
  toast(t('record_discarded'));
  await refreshCounts();
  renderQueue();
}
