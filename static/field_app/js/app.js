// The offline delivery app for Petugas Lembaga (issue 8). Plain ES modules, no build step.
//
// Screens (location.hash): #/masuk, #/putaran, #/putaran/<round>, #/catat/<entitlement>, #/perbaiki/<uuid>,
// #/antrean, #/akun. Everything the worker needs in the field is in IndexedDB (db.js); records are queued there
// with their client_uuid and sent by sync.js.

import * as api from './api.js';
import * as db from './db.js';
import * as fmt from './format.js';
import * as scanner from './scanner.js';
import { downscale } from './photo.js';
import { Syncer, photoWaiting } from './sync.js';
import { $, $$, el, icon, setAlert, showScreen, toast } from './ui.js';

const config = JSON.parse(document.getElementById('fa-config').textContent);
const REASONS = Object.fromEntries(config.reasons);
const PAGE = 50;

const state = {
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

const syncer = new Syncer({
  token: () => (state.auth && !state.authExpired ? state.auth.token : null),
  onAuthExpired: () => authExpired(),
  onChange: () => refreshCounts(),
});

// ------------------------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------------------------

function newUuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function online() {
  return navigator.onLine;
}

function token() {
  return state.auth && !state.authExpired ? state.auth.token : null;
}

function relationship(code) {
  return config.relationships[String(code)] || '';
}

function tokenExpired(auth) {
  return !auth || !auth.token || (auth.expires_at && new Date(auth.expires_at).getTime() <= Date.now());
}

function detailText(detail) {
  if (!detail) return '';
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) return detail.map(detailText).filter(Boolean).join(' ');
  return Object.entries(detail)
    .filter(([key]) => key !== 'code')
    .map(([, value]) => detailText(value))
    .filter(Boolean)
    .join(' ');
}

function problemText(problem) {
  if (!problem) return '';
  if (problem.code === 'already_delivered') {
    const who = problem.delivered_by || 'petugas lain';
    return `Sudah diserahkan oleh ${who} pada ${fmt.when(problem.delivered_at)}.`;
  }
  if (problem.code === 'not_found') return 'Keluarga ini tidak lagi terdaftar di putaran lembaga Anda.';
  return detailText(problem.detail) || 'Ditolak server.';
}

function deviceName() {
  const platform = (navigator.userAgentData && navigator.userAgentData.platform) || '';
  return `Aplikasi lapangan${platform ? ` · ${platform}` : ''}`.slice(0, 100);
}

// ------------------------------------------------------------------------------------------------------------
// Header: connection, waiting count, sync
// ------------------------------------------------------------------------------------------------------------

function updateNet() {
  const badge = $('#net-badge');
  badge.textContent = online() ? 'Terhubung' : 'Tanpa koneksi';
  badge.className = `badge fa-net ${online() ? 'fa-net-on' : 'fa-net-off'}`;
}

async function refreshCounts() {
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
  if (syncer.running) notes.push('Mengirim…');
  else if (syncer.nextAttemptAt && (pending || photos)) {
    const at = new Date(syncer.nextAttemptAt).toLocaleTimeString('id-ID', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
    notes.push(`Gagal terkirim, dicoba lagi ${at.replace(/:/g, '.')}`);
  }
  if (rejected) notes.push(`${rejected} perlu diperbaiki`);
  if (duplicate) notes.push(`${duplicate} sudah diserahkan petugas lain`);
  if (!notes.length && state.lastSync) notes.push(`Sinkron terakhir ${fmt.when(state.lastSync)}`);
  $('#sync-note').textContent = notes.join(' · ');
  $('#sync-btn').disabled = Boolean(syncer.running);
  return { pending, rejected, duplicate, photos };
}

async function syncNow({ quiet = false } = {}) {
  if (!online()) {
    if (!quiet) toast('Tidak ada koneksi. Catatan tetap tersimpan dan dikirim saat koneksi kembali.', 'warning');
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
  if (!quiet || summary.sent || summary.photos || summary.photosRejected) {
    if (summary.error === 'network' || summary.error === 'server') {
      toast('Sinkron gagal: server tidak dapat dihubungi. Dicoba lagi otomatis.', 'warning');
    } else if (summary.error !== 'auth') {
      const parts = summary.sent ? [`Terkirim: ${summary.synced}`] : [];
      if (summary.duplicate) parts.push(`sudah diserahkan petugas lain: ${summary.duplicate}`);
      if (summary.rejected) parts.push(`ditolak: ${summary.rejected}`);
      if (summary.photos) parts.push(`foto terunggah: ${summary.photos}`);
      if (summary.photosRejected) parts.push(`foto ditolak: ${summary.photosRejected}`);
      toast(parts.length ? parts.join(' · ') : 'Tidak ada catatan yang menunggu.',
        summary.rejected || summary.duplicate || summary.photosRejected ? 'warning' : 'success');
    }
  }
  const screen = currentScreen();
  if (screen === 'queue') renderQueue();
  if (screen === 'households') renderHouseholds();
  return summary;
}

function currentScreen() {
  const visible = $$('[data-screen]').find((s) => !s.hidden);
  return visible ? visible.dataset.screen : null;
}

// ------------------------------------------------------------------------------------------------------------
// Signing in and out
// ------------------------------------------------------------------------------------------------------------

async function authExpired() {
  state.authExpired = true;
  if (state.auth) {
    state.auth = { ...state.auth, token: null };
    await db.put('meta', state.auth);
  }
  const banner = $('#auth-banner');
  banner.replaceChildren(
    el('strong', {}, 'Sesi masuk berakhir. '),
    'Masuk lagi untuk mengirim catatan; catatan di perangkat tetap tersimpan. ',
    el('a', { href: '#/masuk', class: 'alert-link' }, 'Masuk lagi'),
  );
  banner.hidden = false;
  if (currentScreen() !== 'record') go('#/masuk');
}

/** Goes to a screen; renders it even when the hash is already that one (no hashchange then). */
function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function showLogin() {
  showScreen('login');
  $('#tabbar').hidden = !state.auth;
  $('#sync-row').hidden = !state.auth;
  $('#login-offline').hidden = !state.auth;
  const username = $('#login-username');
  if (!username.value) username.value = (state.auth && state.auth.username) || document.body.dataset.username || '';
  (username.value ? $('#login-password') : username).focus();
}

async function unsyncedByOthers(username) {
  const records = await db.all('records');
  const waiting = records.filter((r) => r.status === 'pending' || r.status === 'rejected');
  const others = waiting.filter((r) => r.username !== username);
  return { others, owner: others.length ? others[0].username : null };
}

async function onLogin(event) {
  event.preventDefault();
  const error = $('#login-error');
  setAlert(error, '');
  const username = $('#login-username').value.trim();
  const password = $('#login-password').value;
  if (!username || !password) {
    setAlert(error, 'Isi nama pengguna dan kata sandi.');
    return;
  }
  if (!online()) {
    setAlert(error, 'Masuk memerlukan koneksi internet. Coba lagi saat ada sinyal.');
    return;
  }
  const button = $('#login-submit');
  button.disabled = true;
  try {
    const issued = await api.obtainToken(username, password, deviceName());
    const me = await api.me(issued.token);
    if (!me.is_field_worker) {
      await api.revoke(issued.token).catch(() => {});
      $('#denied-text').textContent = `Anda masuk sebagai ${me.role_label}. Aplikasi lapangan hanya untuk Petugas Lembaga yang mencatat penyerahan bantuan.`;
      showScreen('denied');
      return;
    }
    const { others, owner } = await unsyncedByOthers(me.username);
    if (others.length) {
      await api.revoke(issued.token).catch(() => {});
      setAlert(error, `Masih ada ${others.length} catatan belum tersinkron milik ${owner}. Masuk sebagai ${owner} untuk mengirimnya, atau keluar lewat menu Akun untuk menghapusnya.`);
      return;
    }
    if (state.auth && state.auth.username !== me.username) {
      // Another worker on this phone: nothing of the previous one stays.
      await db.clear(['rounds', 'households', 'records']);
    }
    state.auth = {
      key: 'auth',
      token: issued.token,
      expires_at: issued.expires_at,
      username: me.username,
      name: me.name,
      role_label: me.role_label,
      institutions: me.institutions,
      signed_in_at: new Date().toISOString(),
    };
    await db.put('meta', state.auth);
    state.authExpired = false;
    $('#auth-banner').hidden = true;
    $('#login-password').value = '';
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
    go('#/putaran');
    syncNow({ quiet: true });
  } catch (err) {
    if (err instanceof api.HttpError && err.status === 429) {
      setAlert(error, 'Terlalu banyak percobaan gagal. Akun dikunci sementara; coba lagi dalam 15 menit.');
    } else if (err instanceof api.HttpError) {
      setAlert(error, (err.body && err.body.detail) || 'Nama pengguna atau kata sandi salah.');
    } else {
      setAlert(error, 'Server tidak dapat dihubungi. Periksa koneksi lalu coba lagi.');
    }
  } finally {
    button.disabled = false;
  }
}

async function openLogout() {
  const { pending, rejected, photos } = await refreshCounts();
  const unsynced = pending + rejected;
  const warning = $('#logout-warning');
  const lost = [];
  if (unsynced) lost.push(`${unsynced} catatan belum tersinkron akan hilang.`);
  if (photos) lost.push(`${photos} foto belum terunggah akan hilang.`);
  setAlert(warning, lost.join(' '));
  $('#logout-confirm').textContent = unsynced || photos ? 'Tetap keluar dan hapus catatan' : 'Keluar';
  $('#logout-sync').hidden = !((unsynced && pending) || photos) || !(online() && token());
  $('#toast').hidden = true;
  $('#logout-modal').hidden = false;
}

async function logout() {
  $('#logout-modal').hidden = true;
  const current = token();
  if (current && online()) await api.revoke(current).catch(() => {});
  await db.clear(db.STORES);
  syncer.cancelRetry();
  state.auth = null;
  state.authExpired = false;
  state.round = null;
  state.households = [];
  state.records = [];
  state.lastSync = null;
  $('#auth-banner').hidden = true;
  $('#login-username').value = '';
  await refreshCounts();
  toast('Anda sudah keluar. Data di perangkat ini sudah dihapus.');
  go('#/masuk');
}

// ------------------------------------------------------------------------------------------------------------
// Rounds
// ------------------------------------------------------------------------------------------------------------

const ROUND_STATUS = { approved: 'Disetujui · belum mulai', distributing: 'Sedang disalurkan' };

async function showRounds() {
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
    list.replaceChildren(el('div', { class: 'fa-empty' }, online()
      ? 'Belum ada putaran terbuka untuk lembaga Anda.'
      : 'Belum ada data di perangkat. Buka aplikasi sekali saat ada sinyal.'));
    return;
  }
  list.replaceChildren(...rounds.map((r) => el('a', { class: 'fa-item', href: `#/putaran/${r.id}`, dataset: { round: r.id } },
    el('div', { class: 'fa-item-main' },
      el('div', { class: 'fa-item-title' }, r.name),
      el('div', { class: 'fa-item-sub' }, `${r.institution} · ${fmt.period(r.period)} · ${r.package}`),
      el('div', { class: 'fa-item-sub' }, r.downloaded_at
        ? `Tersimpan di perangkat: ${fmt.plural(r.household_count, 'keluarga')} (diperbarui ${fmt.when(r.downloaded_at)})`
        : 'Belum diunduh ke perangkat'),
      el('span', { class: `badge fa-status ${r.status === 'distributing' ? 'text-bg-success' : 'text-bg-secondary'}` }, ROUND_STATUS[r.status] || r.status)),
    icon('chevron-right'))));
}

/** Stores a round's entitled households on the device: only what the round needs (no full NIK, no health data). */
async function downloadRound(round) {
  const rows = await api.entitlements(token(), round.id);
  let cards = new Map();
  if (!rows.some((r) => r.card_token)) {
    cards = new Map((await api.cards(token(), round.id)).map((c) => [c.entitlement, c.card_token]));
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
    card_token: r.card_token || cards.get(r.id) || '',
    members: (r.members || []).map((m) => ({ id: m.id, full_name: m.full_name, relationship: m.relationship })),
  }));
  await db.replaceHouseholds(round.id, households);
  const updated = { ...round, downloaded_at: new Date().toISOString(), household_count: households.length };
  await db.put('rounds', updated);
  return updated;
}

// ------------------------------------------------------------------------------------------------------------
// Households of a round
// ------------------------------------------------------------------------------------------------------------

async function showHouseholds(roundId) {
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
    $('#hh-summary').textContent = 'Mengunduh data keluarga…';
    try {
      round = await downloadRound(round);
      if (state.round && state.round.id === round.id) {
        state.round = round;
        await loadHouseholds();
        renderHouseholds();
      }
    } catch (err) {
      if (err instanceof api.AuthError) authExpired();
      else toast('Data keluarga tidak dapat diperbarui; memakai data di perangkat.', 'warning');
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
  if (h.delivered_at) return { done: true, label: `Sudah diserahkan · ${fmt.when(h.delivered_at)}`, kind: 'success' };
  if (record && record.payload.kind === 'delivered') {
    if (record.status === 'pending') return { done: true, label: 'Tercatat · menunggu sinkron', kind: 'warning' };
    if (record.status === 'synced') return { done: true, label: 'Diserahkan · terkirim', kind: 'success' };
    if (record.status === 'duplicate') return { done: true, label: 'Sudah diserahkan petugas lain', kind: 'danger' };
    if (record.status === 'rejected') return { done: false, label: 'Ditolak · perlu diperbaiki', kind: 'danger' };
  }
  if (record && record.payload.kind === 'undelivered' && record.status !== 'rejected') {
    return { done: false, label: `Tidak tersalurkan: ${REASONS[record.payload.reason] || ''}`, kind: 'secondary' };
  }
  return { done: false, label: 'Belum', kind: 'light' };
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

function renderHouseholds() {
  if (!state.round) return;
  const query = $('#hh-search').value;
  const filter = ($('input[name=hh-filter]:checked') || {}).value || 'todo';
  const records = recordsByEntitlement();
  const rows = state.households.map((h) => ({ h, status: householdStatus(h, records.get(h.id)) }));
  const done = rows.filter((r) => r.status.done).length;
  const round = state.round;
  $('#hh-summary').textContent = round.downloaded_at
    ? `${done} dari ${rows.length} keluarga sudah menerima · ${round.status === 'distributing' ? 'sedang disalurkan' : 'belum mulai disalurkan'}`
    : 'Data keluarga putaran ini belum ada di perangkat. Buka putaran ini sekali saat ada sinyal.';
  const shown = rows.filter((r) => matches(r.h, query)
    && (filter === 'all' || (filter === 'done' ? r.status.done : !r.status.done)));
  const list = $('#hh-list');
  if (!shown.length) {
    list.replaceChildren(el('div', { class: 'fa-empty' }, state.households.length
      ? 'Tidak ada keluarga yang cocok.' : 'Belum ada data keluarga.'));
  } else {
    list.replaceChildren(...shown.slice(0, state.limit).map(({ h, status }) => el('a', {
      class: 'fa-item', href: `#/catat/${h.id}`, dataset: { entitlement: h.id, testid: 'household' },
    },
    el('div', { class: 'fa-item-main' },
      el('div', { class: 'fa-item-title' }, h.head_name || 'Tanpa kepala keluarga'),
      el('div', { class: 'fa-item-sub fa-mono' }, h.head_nik_masked),
      el('div', { class: 'fa-item-sub' }, `${h.address} · ${fmt.rtRw(h)}`),
      el('span', { class: `badge text-bg-${status.kind} fa-status` }, status.label)),
    icon('chevron-right'))));
  }
  $('#hh-more').hidden = shown.length <= state.limit;
}

// ------------------------------------------------------------------------------------------------------------
// Recording a delivery or a visit without handover
// ------------------------------------------------------------------------------------------------------------

function kind() {
  return $('input[name=kind]:checked').value;
}

function toggleKind() {
  const delivered = kind() === 'delivered';
  $('#delivered-fields').hidden = !delivered;
  $('#undelivered-fields').hidden = delivered;
}

function toggleProxy() {
  const choice = $('input[name=recipient]:checked');
  $('#proxy-fields').hidden = !(choice && choice.value === 'proxy');
}

function clearPhoto() {
  if (state.photoUrl) URL.revokeObjectURL(state.photoUrl);
  state.photo = null;
  state.photoUrl = null;
  $('#photo-preview').hidden = true;
  $('#photo-preview').removeAttribute('src');
  $('#photo-input').value = '';
}

function setPhoto(blob) {
  clearPhoto();
  $('#photo-remove').hidden = !blob;
  $('#photo-label-text').textContent = blob ? 'Ganti foto' : 'Ambil foto';
  if (!blob) return;
  state.photo = blob;
  state.photoUrl = URL.createObjectURL(blob);
  $('#photo-preview').src = state.photoUrl;
  $('#photo-preview').hidden = false;
}

async function onPhoto() {
  const file = $('#photo-input').files[0];
  if (!file) return;
  try {
    const { blob } = await downscale(file);
    const input = $('#photo-input');
    setPhoto(blob);
    input.value = '';
  } catch (err) {
    clearPhoto();
    toast('Foto tidak dapat dibaca. Coba ambil ulang.', 'warning');
  }
}

async function showRecord(entitlementId, editUuid = null) {
  const household = await db.get('households', entitlementId);
  if (!household) {
    location.hash = '#/putaran';
    return;
  }
  const round = await db.get('rounds', household.round_id);
  const records = (await db.byIndex('records', 'entitlement', entitlementId)).sort((a, b) => a.created_at.localeCompare(b.created_at));
  const editing = editUuid ? records.find((r) => r.client_uuid === editUuid) : null;
  state.form = { household, round, editing };
  $('#toast').hidden = true;
  showScreen('record');
  $('#record-back').href = `#/putaran/${household.round_id}`;
  $('#record-household').replaceChildren(
    el('div', { class: 'fa-item-title' }, household.head_name || 'Tanpa kepala keluarga'),
    el('div', { class: 'fa-item-sub fa-mono' }, `NIK ${household.head_nik_masked}`),
    el('div', { class: 'fa-item-sub' }, household.address),
    el('div', { class: 'fa-item-sub' }, `${fmt.rtRw(household)} · ${household.kelurahan}`),
  );
  // Warnings that stop a second handover.
  const delivered = records.find((r) => r.payload.kind === 'delivered' && r.status !== 'rejected');
  let blocked = '';
  if (!editing) {
    if (delivered && delivered.status === 'duplicate') blocked = problemText(delivered.problem);
    else if (household.delivered_at) blocked = `Keluarga ini sudah menerima paket pada ${fmt.when(household.delivered_at)}.`;
    else if (delivered) blocked = `Penyerahan untuk keluarga ini sudah tercatat di perangkat (${fmt.when(delivered.payload.delivered_at)}).`;
    else if (round && round.status !== 'distributing') blocked = 'Putaran ini belum mulai disalurkan; penyerahan belum dapat dicatat.';
  }
  setAlert($('#record-warning'), blocked);
  setAlert($('#record-error'), editing && editing.problem ? `Ditolak server: ${problemText(editing.problem)} Perbaiki lalu simpan untuk mengirim ulang.` : '');
  $('#record-form').hidden = Boolean(blocked);

  // Recipients: the household's members, or a proxy.
  const options = household.members.map((m) => el('label', { class: 'fa-option' },
    el('input', { type: 'radio', name: 'recipient', value: String(m.id), class: 'form-check-input' }),
    el('span', {}, m.full_name, el('small', { class: 'text-secondary' }, ` · ${relationship(m.relationship)}`))));
  options.push(el('label', { class: 'fa-option' },
    el('input', { type: 'radio', name: 'recipient', value: 'proxy', class: 'form-check-input' }),
    el('span', {}, 'Diwakilkan (penerima kuasa)')));
  $('#recipient-options').replaceChildren(...options);
  $$('input[name=recipient]').forEach((input) => input.addEventListener('change', toggleProxy));

  const reason = $('#reason');
  reason.replaceChildren(el('option', { value: '' }, 'Pilih alasan…'), ...config.reasons.map(([value, label]) => el('option', { value }, label)));

  const p = editing ? editing.payload : null;
  $(`#kind-${p ? p.kind : 'delivered'}`).checked = true;
  const head = household.members.find((m) => Number(m.relationship) === 1);
  const recipientValue = p ? (p.recipient_member ? String(p.recipient_member) : (p.kind === 'delivered' ? 'proxy' : '')) : (head ? String(head.id) : '');
  const radio = recipientValue && $(`input[name=recipient][value="${recipientValue}"]`);
  if (radio) radio.checked = true;
  $('#proxy-name').value = p ? p.proxy_name || '' : '';
  $('#proxy-relation').value = p ? p.proxy_relation || '' : '';
  reason.value = p && p.reason ? p.reason : '';
  $('#when').value = fmt.localInputValue(p ? new Date(p.delivered_at) : new Date());
  $('#notes').value = p ? p.notes || '' : '';
  setPhoto(editing ? editing.photo || null : null);
  toggleKind();
  toggleProxy();
}

function validate() {
  const errors = [];
  const payloadKind = kind();
  const when = $('#when').value ? new Date($('#when').value) : null;
  if (!when || Number.isNaN(when.getTime())) errors.push('Isi waktu.');
  else if (when.getTime() > Date.now() + 5 * 60 * 1000) errors.push('Waktu tidak boleh di masa depan.');
  const notes = $('#notes').value.trim();
  if (notes.length > 500) errors.push('Catatan paling banyak 500 karakter.');
  const payload = { kind: payloadKind, delivered_at: when && !Number.isNaN(when.getTime()) ? when.toISOString() : null, notes };
  let recipientLabel = '';
  if (payloadKind === 'delivered') {
    const choice = $('input[name=recipient]:checked');
    if (!choice) errors.push('Pilih penerima.');
    else if (choice.value === 'proxy') {
      payload.recipient_member = null;
      payload.proxy_name = $('#proxy-name').value.trim();
      payload.proxy_relation = $('#proxy-relation').value.trim();
      if (!payload.proxy_name || !payload.proxy_relation) errors.push('Isi nama dan hubungan penerima kuasa.');
      recipientLabel = `${payload.proxy_name} (${payload.proxy_relation}, kuasa)`;
    } else {
      payload.recipient_member = Number(choice.value);
      payload.proxy_name = '';
      payload.proxy_relation = '';
      const member = state.form.household.members.find((m) => m.id === payload.recipient_member);
      recipientLabel = member ? member.full_name : '';
    }
  } else {
    payload.reason = $('#reason').value;
    if (!payload.reason) errors.push('Pilih alasan tidak tersalurkan.');
  }
  return { errors, payload, recipientLabel };
}

async function onSave(event) {
  event.preventDefault();
  const { errors, payload, recipientLabel } = validate();
  if (errors.length) {
    setAlert($('#record-error'), errors.join(' '));
    return;
  }
  const { household, editing } = state.form;
  const clientUuid = editing ? editing.client_uuid : newUuid();
  const record = {
    ...(editing || {}),
    client_uuid: clientUuid,
    username: state.auth.username,
    round_id: household.round_id,
    created_at: editing ? editing.created_at : new Date().toISOString(),
    updated_at: new Date().toISOString(),
    status: 'pending',
    problem: null,
    payload: { client_uuid: clientUuid, entitlement: household.id, ...payload },
    photo: payload.kind === 'delivered' ? state.photo : null,
    photo_status: payload.kind === 'delivered' && state.photo ? 'pending' : null,
    photo_problem: null,
    display: {
      head_name: household.head_name,
      address: household.address,
      rt: household.rt,
      rw: household.rw,
      recipient: recipientLabel,
    },
  };
  await db.put('records', record);
  clearPhoto();
  await refreshCounts();
  toast(payload.kind === 'delivered' ? 'Penyerahan tersimpan di perangkat.' : 'Kunjungan tersimpan di perangkat.');
  location.hash = `#/putaran/${household.round_id}`;
  if (online()) syncNow({ quiet: true });
}

// ------------------------------------------------------------------------------------------------------------
// Queue
// ------------------------------------------------------------------------------------------------------------

const GROUPS = [
  ['rejected', 'Perlu diperbaiki', 'danger'],
  ['pending', 'Menunggu sinkron', 'warning'],
  ['duplicate', 'Sudah diserahkan petugas lain', 'danger'],
  ['synced', 'Terkirim', 'success'],
];

async function showQueue() {
  showScreen('queue');
  await renderQueue();
}

function recordItem(r) {
  const d = r.display || {};
  const p = r.payload;
  const what = p.kind === 'delivered'
    ? `Diserahkan kepada ${d.recipient || '-'}`
    : `Tidak tersalurkan: ${REASONS[p.reason] || p.reason}`;
  const actions = [];
  if (r.status === 'rejected') {
    actions.push(el('a', { class: 'btn btn-sm btn-primary', href: `#/perbaiki/${r.client_uuid}` }, icon('pencil'), ' Perbaiki'));
  }
  if (r.photo && r.photo_status === 'rejected') {
    actions.push(el('button', {
      type: 'button', class: 'btn btn-sm btn-outline-secondary', dataset: { testid: 'photo-discard' },
      onclick: () => discardPhoto(r),
    }, icon('trash'), ' Hapus foto'));
  }
  if (r.status === 'rejected' || r.status === 'duplicate') {
    actions.push(el('button', {
      type: 'button', class: 'btn btn-sm btn-outline-secondary',
      onclick: () => discard(r),
    }, icon('trash'), r.status === 'duplicate' ? ' Hapus dari daftar' : ' Hapus catatan'));
  }
  return el('div', { class: `fa-item fa-record fa-record-${r.status}`, dataset: { uuid: r.client_uuid, status: r.status, testid: 'record' } },
    el('div', { class: 'fa-item-main' },
      el('div', { class: 'fa-item-title' }, d.head_name || `Hak #${p.entitlement}`),
      el('div', { class: 'fa-item-sub' }, `${d.address || ''}${d.rt ? ` · ${fmt.rtRw(d)}` : ''}`),
      el('div', { class: 'fa-item-sub' }, `${what} · ${fmt.when(p.delivered_at)}`),
      p.notes ? el('div', { class: 'fa-item-sub fst-italic' }, p.notes) : null,
      photoLine(r),
      r.problem ? el('div', { class: `fa-problem text-${r.status === 'duplicate' ? 'danger' : 'danger'}`, dataset: { testid: 'problem' } }, problemText(r.problem)) : null,
      actions.length ? el('div', { class: 'fa-actions' }, ...actions) : null));
}

function photoLine(r) {
  if (r.photo_status === 'uploaded') {
    return el('div', { class: 'fa-item-sub text-success', dataset: { testid: 'photo-state', state: 'uploaded' } }, icon('camera'), ' Foto terkirim');
  }
  if (!r.photo) return null;
  if (r.photo_status === 'rejected') {
    return el('div', { class: 'fa-problem text-danger', dataset: { testid: 'photo-state', state: 'rejected' } },
      icon('camera'), ` Foto ditolak server: ${r.photo_problem || ''}`);
  }
  return el('div', { class: 'fa-item-sub', dataset: { testid: 'photo-state', state: 'pending' } }, icon('camera'),
    r.status === 'synced' ? ' Foto menunggu diunggah' : ' Foto tersimpan di perangkat, dikirim setelah catatan');
}

async function renderQueue() {
  const records = (await db.all('records')).sort((a, b) => b.created_at.localeCompare(a.created_at));
  const list = $('#queue-list');
  const counts = Object.fromEntries(GROUPS.map(([status]) => [status, records.filter((r) => r.status === status).length]));
  $('#queue-note').textContent = records.length
    ? `Menunggu: ${counts.pending} · perlu diperbaiki: ${counts.rejected} · terkirim: ${counts.synced}`
    : 'Belum ada catatan di perangkat ini.';
  const sections = GROUPS.filter(([status]) => counts[status]).map(([status, title, tone]) => el('section', { class: 'mb-3', dataset: { group: status } },
    el('h2', { class: `h6 fa-group text-${tone}` }, `${title} (${counts[status]})`),
    ...records.filter((r) => r.status === status).slice(0, status === 'synced' ? 100 : undefined).map(recordItem)));
  list.replaceChildren(...sections);
}

async function discardPhoto(record) {
  const current = await db.get('records', record.client_uuid);
  if (current) await db.put('records', { ...current, photo: null });
  toast('Foto dihapus dari perangkat.');
  await refreshCounts();
  renderQueue();
}

async function discard(record) {
  await db.remove('records', record.client_uuid);
  toast('Catatan dihapus dari perangkat.');
  await refreshCounts();
  renderQueue();
}

// ------------------------------------------------------------------------------------------------------------
// Account
// ------------------------------------------------------------------------------------------------------------

function showAccount() {
  showScreen('account');
  const a = state.auth;
  $('#account-info').replaceChildren(
    el('div', { class: 'fa-item-title' }, a.name),
    el('div', { class: 'fa-item-sub' }, `${a.username} · ${a.role_label}`),
    el('div', { class: 'fa-item-sub' }, (a.institutions || []).join(', ')),
    el('div', { class: 'fa-item-sub' }, state.authExpired || tokenExpired(a)
      ? 'Token perangkat sudah tidak berlaku: masuk lagi saat ada sinyal.'
      : `Token perangkat berlaku sampai ${fmt.when(a.expires_at)}`),
  );
}

// ------------------------------------------------------------------------------------------------------------
// Scanning a household card
// ------------------------------------------------------------------------------------------------------------

async function openScanner() {
  $('#toast').hidden = true;
  $('#scanner').hidden = false;
  setAlert($('#scanner-error'), '');
  $('#scanner-code').value = '';
  const video = $('#scanner-video');
  const note = $('#scanner-note');
  if (await scanner.canScan()) {
    note.textContent = 'Arahkan kamera ke kode QR pada kartu keluarga.';
    video.hidden = false;
    try {
      state.stopScan = await scanner.start(video, (text) => findCard(text));
    } catch (err) {
      video.hidden = true;
      note.textContent = 'Kamera tidak dapat dibuka. Ketik kode kartu, atau cari nama di daftar.';
    }
  } else {
    video.hidden = true;
    note.textContent = 'Peramban ini tidak dapat memindai QR. Ketik kode kartu, atau cari nama di daftar.';
  }
}

function closeScanner() {
  if (state.stopScan) state.stopScan();
  state.stopScan = null;
  $('#scanner-video').hidden = true;
  $('#scanner').hidden = true;
}

function findCard(text) {
  const code = scanner.tokenFrom(text);
  if (!code) {
    setAlert($('#scanner-error'), 'Isi kode kartu.');
    return;
  }
  const household = state.households.find((h) => h.card_token && h.card_token === code);
  if (!household) {
    const hasTokens = state.households.some((h) => h.card_token);
    setAlert($('#scanner-error'), hasTokens
      ? 'Kartu ini tidak terdaftar di putaran ini.'
      : 'Kode kartu putaran ini belum diunduh. Buka putaran sekali saat ada sinyal.');
    return;
  }
  closeScanner();
  location.hash = `#/catat/${household.id}`;
}

// ------------------------------------------------------------------------------------------------------------
// Routing and start
// ------------------------------------------------------------------------------------------------------------

async function route() {
  closeScanner();
  const hash = location.hash || '#/putaran';
  if (!state.auth || hash === '#/masuk') {
    showLogin();
    return;
  }
  $('#tabbar').hidden = false;
  $('#sync-row').hidden = false;
  let match;
  if ((match = hash.match(/^#\/putaran\/(\d+)$/))) await showHouseholds(Number(match[1]));
  else if ((match = hash.match(/^#\/catat\/(\d+)$/))) await showRecord(Number(match[1]));
  else if ((match = hash.match(/^#\/perbaiki\/([0-9a-f-]{36})$/))) {
    const record = await db.get('records', match[1]);
    if (record && record.status === 'rejected') await showRecord(record.payload.entitlement, record.client_uuid);
    else location.hash = '#/antrean';
  } else if (hash === '#/antrean') await showQueue();
  else if (hash === '#/akun') showAccount();
  else await showRounds();
}

function bind() {
  window.addEventListener('hashchange', route);
  window.addEventListener('online', () => {
    updateNet();
    syncer.failures = 0;
    syncNow({ quiet: true });
  });
  window.addEventListener('offline', () => { updateNet(); refreshCounts(); });
  // Back to the app after a while (phones often miss the `online` event while asleep).
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && online() && token() && !syncer.running) syncNow({ quiet: true });
  });
  $('#login-form').addEventListener('submit', onLogin);
  $('#login-offline').addEventListener('click', () => { location.hash = '#/putaran'; });
  $('#denied-retry').addEventListener('click', () => { $('#login-password').value = ''; showLogin(); });
  $('#sync-btn').addEventListener('click', () => { syncer.failures = 0; syncNow(); });
  $('#hh-search').addEventListener('input', () => { state.limit = PAGE; renderHouseholds(); });
  $$('input[name=hh-filter]').forEach((input) => input.addEventListener('change', renderHouseholds));
  $('#hh-more').addEventListener('click', () => { state.limit += PAGE; renderHouseholds(); });
  $$('input[name=kind]').forEach((input) => input.addEventListener('change', toggleKind));
  $('#photo-input').addEventListener('change', onPhoto);
  $('#photo-remove').addEventListener('click', () => setPhoto(null));
  $('#record-form').addEventListener('submit', onSave);
  $('#scan-btn').addEventListener('click', openScanner);
  $('#scanner-close').addEventListener('click', closeScanner);
  $('#scanner-form').addEventListener('submit', (event) => { event.preventDefault(); findCard($('#scanner-code').value); });
  $('#logout-btn').addEventListener('click', openLogout);
  $('#logout-cancel').addEventListener('click', () => { $('#logout-modal').hidden = true; });
  $('#logout-confirm').addEventListener('click', logout);
  $('#logout-sync').addEventListener('click', async () => { $('#logout-modal').hidden = true; await syncNow(); openLogout(); });
}

async function start() {
  api.configure(config);
  bind();
  updateNet();
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register(config.urls.sw, { scope: config.urls.scope }).catch(() => {});
  }
  state.auth = (await db.get('meta', 'auth')) || null;
  const sync = await db.get('meta', 'sync');
  state.lastSync = sync ? sync.last_sync_at : null;
  if (state.auth && tokenExpired(state.auth)) {
    state.authExpired = true;
    $('#auth-banner').replaceChildren(
      el('strong', {}, 'Token perangkat sudah tidak berlaku. '),
      'Catatan tetap tersimpan; masuk lagi saat ada sinyal untuk mengirimnya. ',
      el('a', { href: '#/masuk', class: 'alert-link' }, 'Masuk lagi'),
    );
    $('#auth-banner').hidden = false;
  }
  await refreshCounts();
  await route();
  document.body.dataset.ready = '1';
  if (online() && token()) syncNow({ quiet: true });
}

start();
