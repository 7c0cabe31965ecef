// The worker's open rounds (#/putaran), refreshed from the server when online, and a round's households
// downloaded to the phone.

import * as api from '../api.js';
import * as db from '../db.js';
import * as fmt from '../format.js';
import { t, tn } from '../i18n.js';
import { currentScreen } from '../router.js';
import { authExpired } from '../session.js';
import { online, state, token } from '../state.js';
import { photoWaiting } from '../sync.js';
import { $, el, icon, showScreen } from '../ui.js';

function roundStatus(status) {
  if (status === 'approved') return t('round_approved');
  if (status === 'distributing') return t('round_distributing');
  return status;
}

export async function showRounds() {
  showScreen('rounds');
  await renderRounds();
  if (online() && token()) {
    try {
      const fresh = await api.rounds(token());
      const known = new Map((await db.all('rounds')).map((r) => [r.id, r]));
      const ids = new Set(fresh.map((r) => r.id));
      for (const old of known.values()) {
        if (!ids.has(old.id)) await forgetRound(old.id);
      }
      for (const r of fresh) {
        const previous = known.get(r.id) || {};
        await db.put('rounds', {
          id: r.id, name: r.name, institution: r.institution, period: r.period, package: r.package,
          status: r.status, entitled: r.entitled, delivered: r.delivered,
          downloaded_at: previous.downloaded_at || null, household_count: previous.household_count || 0,
        });
      }
      if (currentScreen() === 'rounds') await renderRounds();
    } catch (err) {
      if (err instanceof api.AuthError) authExpired();
    }
  }
}

/** A round no longer open (closed, or no longer this worker's): its households and settled records go. */
async function forgetRound(roundId) {
  await db.removeRound(roundId);
  // A photo still to upload keeps its record (the server takes it after the round closes too).
  const settled = (await db.all('records')).filter((r) => r.round_id === roundId && (r.status === 'synced' || r.status === 'duplicate') && !photoWaiting(r));
  for (const record of settled) await db.remove('records', record.client_uuid);
}

async function renderRounds() {
  const rounds = (await db.all('rounds')).sort((a, b) => (b.period || '').localeCompare(a.period || '') || a.id - b.id);
  const list = $('#rounds-list');
  const note = $('#rounds-note');
  note.textContent = state.auth ? `${state.auth.name} · ${(state.auth.institutions || []).join(', ')}` : '';
  if (!rounds.length) {
    list.replaceChildren(el('div', { class: 'fa-empty' }, online() ? t('no_open_rounds') : t('no_data_on_device')));
    return;
  }
  list.replaceChildren(...rounds.map((r) => el('a', { class: 'fa-item', href: `#/putaran/${r.id}`, dataset: { round: r.id } },
    el('div', { class: 'fa-item-main' },
      el('div', { class: 'fa-item-title' }, r.name),
      el('div', { class: 'fa-item-sub' }, `${r.institution} · ${fmt.period(r.period)} · ${r.package}`),
      el('div', { class: 'fa-item-sub' }, r.downloaded_at
        ? tn('round_stored', r.household_count, { n: fmt.number(r.household_count), when: fmt.when(r.downloaded_at) })
        : t('round_not_downloaded')),
      el('span', { class: `badge fa-status ${r.status === 'distributing' ? 'text-bg-success' : 'text-bg-secondary'}` }, roundStatus(r.status))),
    icon('chevron-right'))));
}

/** Stores a round's entitled households on the device: only what the round needs (no full NIK, no health data). */
export async function downloadRound(round) {
  const rows = await api.entitlements(token(), round.id);
  let cards = new Map();
  if (!rows.some((r) => r.card_token && r.card_code)) {
    cards = new Map((await api.cards(token(), round.id)).map((c) => [c.entitlement, c]));
  }
  const households = rows.map((r) => ({
    id: r.id,
    round_id: round.id,
    household_id: r.household_id,
    head_name: r.head_name || '',
    head_nik_masked: r.head_nik_masked || '',
    address: r.address || '',
    rt: r.rt,
    rw: r.rw,
    kelurahan: r.kelurahan || '',
    delivered_at: r.delivered_at || null,
    card_token: r.card_token || cards.get(r.id)?.card_token || '',
    card_code: r.card_code || cards.get(r.id)?.card_code || '',
    members: (r.members || []).map((m) => ({ id: m.id, full_name: m.full_name, relationship: m.relationship })),
  }));
  await db.replaceHouseholds(round.id, households);
  const updated = { ...round, downloaded_at: new Date().toISOString(), household_count: households.length };
  await db.put('rounds', updated);
  return updated;
}
