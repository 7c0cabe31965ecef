// A round's households (#/putaran/<round>): search by name, RT or address, filter by done / not yet, and the
// state of each (from the server, or from the records on the phone).

import * as api from '../api.js';
import { REASONS } from '../config.js';
import * as db from '../db.js';
import * as fmt from '../format.js';
import { t, tn } from '../i18n.js';
import { authExpired } from '../session.js';
import { online, PAGE, state, token } from '../state.js';
import { $, $$, el, icon, showScreen, toast } from '../ui.js';
import { downloadRound } from './rounds.js';

export async function showHouseholds(roundId) {
  let round = await db.get('rounds', roundId);
  if (!round) {
    location.hash = '#/putaran';
    return;
  }
  state.round = round;
  state.limit = PAGE;
  showScreen('households');
  $('#hh-title').textContent = round.name;
  await loadHouseholds();
  renderHouseholds();
  if (online() && token()) {
    $('#hh-summary').textContent = t('downloading_households');
    try {
      round = await downloadRound(round);
      if (state.round && state.round.id === round.id) {
        state.round = round;
        await loadHouseholds();
        renderHouseholds();
      }
    } catch (err) {
      if (err instanceof api.AuthError) authExpired();
      else toast(t('households_not_updated'), 'warning');
      renderHouseholds();
    }
  }
}

async function loadHouseholds() {
  state.households = (await db.byIndex('households', 'round_id', state.round.id)).sort((a, b) =>
    (a.kelurahan || '').localeCompare(b.kelurahan || '') || a.rt - b.rt || a.address.localeCompare(b.address) || a.id - b.id);
  state.records = await db.all('records');
}

/** The latest record on the device for each entitlement. */
function recordsByEntitlement() {
  const map = new Map();
  state.records
    .slice()
    .sort((a, b) => a.created_at.localeCompare(b.created_at))
    .forEach((r) => map.set(r.payload.entitlement, r));
  return map;
}

function householdStatus(h, record) {
  if (h.delivered_at) return { done: true, label: t('hh_delivered_at', { when: fmt.when(h.delivered_at) }), kind: 'success' };
  if (record && record.payload.kind === 'delivered') {
    if (record.status === 'pending') return { done: true, label: t('hh_recorded_pending'), kind: 'warning' };
    if (record.status === 'synced') return { done: true, label: t('hh_delivered_sent'), kind: 'success' };
    if (record.status === 'duplicate') return { done: true, label: t('delivered_by_other_worker'), kind: 'danger' };
    if (record.status === 'rejected') return { done: false, label: t('hh_rejected'), kind: 'danger' };
  }
  if (record && record.payload.kind === 'undelivered' && record.status !== 'rejected') {
    return { done: false, label: t('undelivered_reason', { reason: REASONS[record.payload.reason] || '' }), kind: 'secondary' };
  }
  return { done: false, label: t('hh_not_yet'), kind: 'light' };
}

function matches(h, query) {
  if (!query) return true;
  const q = query.toLowerCase().trim();
  const rt = q.match(/^(?:rt\.?\s*)?0*(\d{1,3})$/);
  if (rt && Number(rt[1]) === Number(h.rt)) return true;
  const rtRw = q.match(/^rt\.?\s*0*(\d{1,3})\s*\/?\s*(?:rw\.?\s*)?0*(\d{1,3})$/);
  if (rtRw && Number(rtRw[1]) === Number(h.rt) && Number(rtRw[2]) === Number(h.rw)) return true;
  if (h.head_name.toLowerCase().includes(q) || h.address.toLowerCase().includes(q)) return true;
  return h.members.some((m) => m.full_name.toLowerCase().includes(q));
}

export function renderHouseholds() {
  if (!state.round) return;
  const query = $('#hh-search').value;
  const filter = ($('input[name=hh-filter]:checked') || {}).value || 'todo';
  const records = recordsByEntitlement();
  const rows = state.households.map((h) => ({ h, status: householdStatus(h, records.get(h.id)) }));
  const done = rows.filter((r) => r.status.done).length;
  const round = state.round;
  $('#hh-summary').textContent = round.downloaded_at
    ? tn('hh_summary', rows.length, {
      done, total: rows.length,
      state: round.status === 'distributing' ? t('hh_round_distributing') : t('hh_round_not_started'),
    })
    : t('hh_not_downloaded');
  const shown = rows.filter((r) => matches(r.h, query)
    && (filter === 'all' || (filter === 'done' ? r.status.done : !r.status.done)));
  const list = $('#hh-list');
  if (!shown.length) {
    list.replaceChildren(el('div', { class: 'fa-empty' }, state.households.length ? t('hh_no_match') : t('hh_none')));
  } else {
    list.replaceChildren(...shown.slice(0, state.limit).map(({ h, status }) => el('a', {
      class: 'fa-item', href: `#/catat/${h.id}`, dataset: { entitlement: h.id, testid: 'household' },
    },
    el('div', { class: 'fa-item-main' },
      el('div', { class: 'fa-item-title' }, h.head_name || t('no_head')),
      el('div', { class: 'fa-item-sub fa-mono' }, h.head_nik_masked),
      el('div', { class: 'fa-item-sub' }, `${h.address} · ${fmt.rtRw(h)}`),
      el('span', { class: `badge text-bg-${status.kind} fa-status` }, status.label)),
    icon('chevron-right'))));
  }
  $('#hh-more').hidden = shown.length <= state.limit;
}

export function bind() {
  $('#hh-search').addEventListener('input', () => { state.limit = PAGE; renderHouseholds(); });
  $$('input[name=hh-filter]').forEach((input) => input.addEventListener('change', renderHouseholds));
  $('#hh-more').addEventListener('click', () => { state.limit += PAGE; renderHouseholds(); });
}
