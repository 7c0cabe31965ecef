// Finding a household by its card: the QR through the camera (scanner.js), or the code typed where the browser
// has no detector or no camera.

import * as scanner from '../scanner.js';
import { t } from '../i18n.js';
import { state } from '../state.js';
import { $, setAlert } from '../ui.js';

async function openScanner() {
  $('#toast').hidden = true;
  $('#scanner').hidden = false;
  setAlert($('#scanner-error'), '');
  $('#scanner-code').value = '';
  const video = $('#scanner-video');
  const note = $('#scanner-note');
  if (await scanner.canScan()) {
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
    note.textContent = t('scan_unsupported');
  }
}

export function closeScanner() {
  if (state.stopScan) state.stopScan();
  state.stopScan = null;
  $('#scanner-video').hidden = true;
  $('#scanner').hidden = true;
}

function findCard(text) {
  const code = scanner.tokenFrom(text);
  if (!code) {
    setAlert($('#scanner-error'), t('card_code_required'));
    return;
  }
  const household = state.households.find((h) => h.card_token && h.card_token === code);
  if (!household) {
    const hasTokens = state.households.some((h) => h.card_token);
    setAlert($('#scanner-error'), hasTokens ? t('card_not_in_round') : t('card_codes_not_downloaded'));
    return;
  }
  closeScanner();
  location.hash = `#/catat/${household.id}`;
}

export function bind() {
  $('#scan-btn').addEventListener('click', openScanner);
  $('#scanner-close').addEventListener('click', closeScanner);
  $('#scanner-form').addEventListener('submit', (event) => { event.preventDefault(); findCard($('#scanner-code').value); });
}
