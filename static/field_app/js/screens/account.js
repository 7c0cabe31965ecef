// Who is signed in on this phone, and until when the device token holds (#/akun). Logging out: login.js.

import * as fmt from '../format.js';
import { t } from '../i18n.js';
import { state, tokenExpired } from '../state.js';
import { $, el, showScreen } from '../ui.js';

export function showAccount() {
  showScreen('account');
  const a = state.auth;
  $('#account-info').replaceChildren(
    el('div', { class: 'fa-item-title' }, a.name),
    el('div', { class: 'fa-item-sub' }, `${a.username} · ${a.role_label}`),
    el('div', { class: 'fa-item-sub' }, (a.institutions || []).join(', ')),
    el('div', { class: 'fa-item-sub' }, state.authExpired || tokenExpired(a)
      ? t('token_no_longer_valid')
      : t('token_valid_until', { when: fmt.when(a.expires_at) })),
  );
}
