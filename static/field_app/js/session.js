// The device token running out: the queue stays on the phone, the worker is asked to sign in again.

import * as db from './db.js';
import { t } from './i18n.js';
import { currentScreen, go } from './router.js';
import { state } from './state.js';
import { $, el } from './ui.js';

function showBanner(title, text) {
  const banner = $('#auth-banner');
  banner.replaceChildren(
    el('strong', {}, `${title} `),
    `${text} `,
    el('a', { href: '#/masuk', class: 'alert-link' }, t('sign_in_again')),
  );
  banner.hidden = false;
}

/** The server refused the token (401), or it expired: drop it, keep everything else. */
export async function authExpired() {
  state.authExpired = true;
  if (state.auth) {
    state.auth = { ...state.auth, token: null };
    await db.put('meta', state.auth);
  }
  showBanner(t('session_ended'), t('session_ended_text'));
  if (currentScreen() !== 'record') go('#/masuk');
}

/** At start: the stored token's time is up. */
export function showTokenExpired() {
  showBanner(t('token_expired'), t('token_expired_text'));
}
