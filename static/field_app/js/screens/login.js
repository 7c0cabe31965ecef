// Signing in (#/masuk), the "not for your role" screen, and logging out (from the account screen).

import * as api from '../api.js';
import * as db from '../db.js';
import { errorText } from '../errors.js';
import { refreshCounts, syncer, syncNow } from '../header.js';
import { t, tn } from '../i18n.js';
import { go } from '../router.js';
import { online, state, token } from '../state.js';
import { $, setAlert, showScreen, toast } from '../ui.js';

function deviceName() {
  const platform = (navigator.userAgentData && navigator.userAgentData.platform) || '';
  return `${t('device_name')}${platform ? ` · ${platform}` : ''}`.slice(0, 100);
}

export function showLogin() {
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
    setAlert(error, t('login_fill_in'));
    return;
  }
  if (!online()) {
    setAlert(error, t('login_needs_connection'));
    return;
  }
  const button = $('#login-submit');
  button.disabled = true;
  try {
    const issued = await api.obtainToken(username, password, deviceName());
    const me = await api.me(issued.token);
    if (!me.is_field_worker) {
      await api.revoke(issued.token).catch(() => {});
      $('#denied-text').textContent = t('denied_role', { role: me.role_label });
      showScreen('denied');
      return;
    }
    const { others, owner } = await unsyncedByOthers(me.username);
    if (others.length) {
      await api.revoke(issued.token).catch(() => {});
      setAlert(error, tn('unsynced_of_other_worker', others.length, { n: others.length, owner }));
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
      setAlert(error, t('login_locked'));
    } else if (err instanceof api.HttpError) {
      setAlert(error, errorText(err.body) || t('login_wrong'));
    } else {
      setAlert(error, t('server_unreachable'));
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
  if (unsynced) lost.push(tn('logout_records_lost', unsynced, { n: unsynced }));
  if (photos) lost.push(tn('logout_photos_lost', photos, { n: photos }));
  setAlert(warning, lost.join(' '));
  $('#logout-confirm').textContent = unsynced || photos ? t('logout_anyway') : t('logout');
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
  toast(t('logged_out'));
  go('#/masuk');
}

export function bind() {
  $('#login-form').addEventListener('submit', onLogin);
  $('#login-offline').addEventListener('click', () => { location.hash = '#/putaran'; });
  $('#denied-retry').addEventListener('click', () => { $('#login-password').value = ''; showLogin(); });
  $('#logout-btn').addEventListener('click', openLogout);
  $('#logout-cancel').addEventListener('click', () => { $('#logout-modal').hidden = true; });
  $('#logout-confirm').addEventListener('click', logout);
  $('#logout-sync').addEventListener('click', async () => { $('#logout-modal').hidden = true; await syncNow(); openLogout(); });
}
