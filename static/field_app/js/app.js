// The offline delivery app for Petugas Lembaga (issue 8). Plain ES modules, no build step: this entry module
// routes between the screens (screens/*.js) and starts the app.
//
// Screens (location.hash): #/masuk, #/putaran, #/putaran/<round>, #/catat/<entitlement>, #/perbaiki/<uuid>,
// #/antrean, #/akun. Everything the worker needs in the field is in IndexedDB (db.js); records are queued there
// with their client_uuid and sent by sync.js (through header.js). Every sentence comes translated from the
// server (config.js, i18n.js).

import * as api from './api.js';
import { config } from './config.js';
import * as db from './db.js';
import { refreshCounts, syncer, syncNow, updateNet } from './header.js';
import { onRefresh, setRouter } from './router.js';
import { showTokenExpired } from './session.js';
import { online, state, token, tokenExpired } from './state.js';
import { showAccount } from './screens/account.js';
import * as cardScan from './screens/card_scan.js';
import * as households from './screens/households.js';
import * as login from './screens/login.js';
import { renderQueue, showQueue } from './screens/queue.js';
import * as record from './screens/record.js';
import { showRounds } from './screens/rounds.js';
import { $ } from './ui.js';

async function route() {
  cardScan.closeScanner();
  const hash = location.hash || '#/putaran';
  if (!state.auth || hash === '#/masuk') {
    login.showLogin();
    return;
  }
  $('#tabbar').hidden = false;
  $('#sync-row').hidden = false;
  let match;
  if ((match = hash.match(/^#\/putaran\/(\d+)$/))) await households.showHouseholds(Number(match[1]));
  else if ((match = hash.match(/^#\/catat\/(\d+)$/))) await record.showRecord(Number(match[1]));
  else if ((match = hash.match(/^#\/perbaiki\/([0-9a-f-]{36})$/))) {
    const stored = await db.get('records', match[1]);
    if (stored && stored.status === 'rejected') await record.showRecord(stored.payload.entitlement, stored.client_uuid);
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
  $('#sync-btn').addEventListener('click', () => { syncer.failures = 0; syncNow(); });
  login.bind();
  households.bind();
  record.bind();
  cardScan.bind();
}

async function start() {
  api.configure(config);
  setRouter(route);
  onRefresh('queue', renderQueue);
  onRefresh('households', households.renderHouseholds);
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
    showTokenExpired();
  }
  await refreshCounts();
  await route();
  document.body.dataset.ready = '1';
  if (online() && token()) syncNow({ quiet: true });
}

start();
