// Finding a household by its card: the QR through the camera (scanner.js), or the code printed under the QR,
// typed where the browser has no detector or no camera ("Ketik kode kartu" is always there), matched offline
// against the round's card list on the device.

import * as scanner from '../scanner.js';
import { t } from '../i18n.js';
import { state } from '../state.js';
import { $, setAlert } from '../ui.js';

/** The card sheet: the camera where the browser can scan (typing stays below it), or typing only. */
async function openScanner({ typeOnly = false } = {}) {
  $('#toast').hidden = true;
  $('#scanner').hidden = false;
  setAlert($('#scanner-error'), '');
  $('#scanner-code').value = '';
  const video = $('#scanner-video');
  const note = $('#scanner-note');
  const canScan = !typeOnly && (await scanner.canScan());
  $('#scanner-title').textContent = canScan ? t('scan_title') : t('card_type_code');
  if (canScan) {
    note.textContent = t('scan_point_camera');
    video.hidden = false;
    try {
      state.stopScan = await scanner.start(video, (text) => findCard(text));
    } catch (err) {
      video.hidden = true;
      note.textContent = t('scan_no_camera');
    }
  } else {
    video.hidden = true;
    note.textContent = typeOnly ? t('card_type_code_note') : t('scan_unsupported');
    $('#scanner-code').focus();
  }
}

export function closeScanner() {
  if (state.stopScan) state.stopScan();
  state.stopScan = null;
  $('#scanner-video').hidden = true;
  $('#scanner').hidden = true;
}

/** A scanned QR (the card token) or a typed text (the code under the QR, or a token typed or pasted). */
function findCard(text) {
  const typed = (text || '').trim();
  if (!typed) {
    setAlert($('#scanner-error'), t('card_code_required'));
    return;
  }
  const code = scanner.cardCodeFrom(typed);
  const token = code ? '' : scanner.tokenFrom(typed);
  const household = code
    ? state.households.find((h) => h.card_code === code)
    : state.households.find((h) => h.card_token && h.card_token === token);
  if (!household) {
    const known = state.households.some((h) => (code ? h.card_code : h.card_token));
    let problem = t('card_not_in_round');
    if (!known) problem = t('card_codes_not_downloaded');
    else if (!code && scanner.looksLikeCardCode(typed)) problem = t('card_code_invalid', { typed: typed.slice(0, 20) });
    setAlert($('#scanner-error'), problem);
    return;
  }
  closeScanner();
  location.hash = `#/catat/${household.id}`;
}

export function bind() {
  $('#scan-btn').addEventListener('click', () => openScanner());
  $('#type-code-btn').addEventListener('click', () => openScanner({ typeOnly: true }));
  $('#scanner-close').addEventListener('click', closeScanner);
  $('#scanner-form').addEventListener('submit', (event) => { event.preventDefault(); findCard($('#scanner-code').value); });
}
