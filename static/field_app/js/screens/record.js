// Recording a delivery, or a visit without handover (#/catat/<entitlement>), and fixing a refused record
// (#/perbaiki/<uuid>, same client_uuid). Saved on the phone first; sent by the header's syncer.

import { config, relationship } from '../config.js';
import * as db from '../db.js';
import { problemText } from '../errors.js';
import * as fmt from '../format.js';
import { refreshCounts, syncNow } from '../header.js';
import { t } from '../i18n.js';
import { downscale } from '../photo.js';
import { online, state } from '../state.js';
import { $, $$, el, setAlert, showScreen, toast } from '../ui.js';

// The relationship code of the head of the family in the aid API's member lists.
const HEAD = 1;
const FUTURE_SLACK_MS = 5 * 60 * 1000;

function newUuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

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
  $('#photo-label-text').textContent = blob ? t('photo_replace') : t('photo_take');
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
    toast(t('photo_unreadable'), 'warning');
  }
}

export async function showRecord(entitlementId, editUuid = null) {
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
    el('div', { class: 'fa-item-title' }, household.head_name || t('no_head')),
    el('div', { class: 'fa-item-sub fa-mono' }, t('nik', { nik: household.head_nik_masked })),
    el('div', { class: 'fa-item-sub' }, household.address),
    el('div', { class: 'fa-item-sub' }, `${fmt.rtRw(household)} · ${household.kelurahan}`),
  );
  // Warnings that stop a second handover.
  const delivered = records.find((r) => r.payload.kind === 'delivered' && r.status !== 'rejected');
  let blocked = '';
  if (!editing) {
    if (delivered && delivered.status === 'duplicate') blocked = problemText(delivered.problem);
    else if (household.delivered_at) blocked = t('already_received_at', { when: fmt.when(household.delivered_at) });
    else if (delivered) blocked = t('already_recorded_here', { when: fmt.when(delivered.payload.delivered_at) });
    else if (round && round.status !== 'distributing') blocked = t('round_not_started');
  }
  setAlert($('#record-warning'), blocked);
  setAlert($('#record-error'), editing && editing.problem ? t('rejected_fix_and_resend', { problem: problemText(editing.problem) }) : '');
  $('#record-form').hidden = Boolean(blocked);

  // Recipients: the household's members, or a proxy.
  const options = household.members.map((m) => el('label', { class: 'fa-option' },
    el('input', { type: 'radio', name: 'recipient', value: String(m.id), class: 'form-check-input' }),
    el('span', {}, m.full_name, el('small', { class: 'text-secondary' }, ` · ${relationship(m.relationship)}`))));
  options.push(el('label', { class: 'fa-option' },
    el('input', { type: 'radio', name: 'recipient', value: 'proxy', class: 'form-check-input' }),
    el('span', {}, t('recipient_proxy'))));
  $('#recipient-options').replaceChildren(...options);
  $$('input[name=recipient]').forEach((input) => input.addEventListener('change', toggleProxy));

  const reason = $('#reason');
  reason.replaceChildren(el('option', { value: '' }, t('choose_reason')), ...config.reasons.map(([value, label]) => el('option', { value }, label)));

  const p = editing ? editing.payload : null;
  $(`#kind-${p ? p.kind : 'delivered'}`).checked = true;
  const head = household.members.find((m) => Number(m.relationship) === HEAD);
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
  if (!when || Number.isNaN(when.getTime())) errors.push(t('time_required'));
  else if (when.getTime() > Date.now() + FUTURE_SLACK_MS) errors.push(t('time_in_future'));
  const notes = $('#notes').value.trim();
  if (notes.length > 500) errors.push(t('notes_too_long'));
  const payload = { kind: payloadKind, delivered_at: when && !Number.isNaN(when.getTime()) ? when.toISOString() : null, notes };
  let recipientLabel = '';
  if (payloadKind === 'delivered') {
    const choice = $('input[name=recipient]:checked');
    if (!choice) errors.push(t('recipient_required'));
    else if (choice.value === 'proxy') {
      payload.recipient_member = null;
      payload.proxy_name = $('#proxy-name').value.trim();
      payload.proxy_relation = $('#proxy-relation').value.trim();
      if (!payload.proxy_name || !payload.proxy_relation) errors.push(t('proxy_required'));
      recipientLabel = t('proxy_label', { name: payload.proxy_name, relation: payload.proxy_relation });
    } else {
      payload.recipient_member = Number(choice.value);
      payload.proxy_name = '';
      payload.proxy_relation = '';
      const member = state.form.household.members.find((m) => m.id === payload.recipient_member);
      recipientLabel = member ? member.full_name : '';
    }
  } else {
    payload.reason = $('#reason').value;
    if (!payload.reason) errors.push(t('reason_required'));
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
  toast(payload.kind === 'delivered' ? t('delivery_saved') : t('visit_saved'));
  location.hash = `#/putaran/${household.round_id}`;
  if (online()) syncNow({ quiet: true });
}

export function bind() {
  $$('input[name=kind]').forEach((input) => input.addEventListener('change', toggleKind));
  $('#photo-input').addEventListener('change', onPhoto);
  $('#photo-remove').addEventListener('click', () => setPhoto(null));
  $('#record-form').addEventListener('submit', onSave);
}
