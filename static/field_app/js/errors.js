// What the server said, in words. API error bodies come in the portal's one shape (core/api.py)
//   {"code": "...", "detail": "<sentence>", "fields": {"<field>": ["<message>", ...]}}
// and, from older servers or endpoints, in DRF's shapes: {"detail": "..."}, {"detail": {"<field>": [...]}},
// {"<field>": [...]} or {"non_field_errors": [...], "code": ...}. Both are read here, so the app works with
// either server.

import { config } from './config.js';
import * as fmt from './format.js';
import { t } from './i18n.js';

// Keys of an answer that are not messages (a batch item's or a 409's own fields).
const NOT_MESSAGES = new Set(['code', 'status', 'index', 'client_uuid', 'id', 'delivered_by', 'delivered_at', 'detail', 'fields']);

/** Every message in a nested detail (a string, a list, or an object of lists), in order. */
function messages(value) {
  if (value === null || value === undefined || value === '') return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(messages);
  if (typeof value === 'object') {
    return Object.entries(value).filter(([key]) => key !== 'code').flatMap(([, item]) => messages(item));
  }
  return [String(value)];
}

/** The sentence(s) of an error body (either shape); '' when it holds none. */
export function errorText(body) {
  if (body === null || body === undefined) return '';
  if (typeof body !== 'object' || Array.isArray(body)) return [...new Set(messages(body))].join(' ');
  const loose = Object.entries(body).filter(([key]) => !NOT_MESSAGES.has(key)).flatMap(([, value]) => messages(value));
  const specific = [...messages(body.fields), ...loose];
  const detail = messages(body.detail);
  // The new shape's detail only says "check the marked fields", or repeats the field messages: those say more.
  const general = specific.length
    ? detail.filter((m) => m !== config.invalid_detail && m !== specific.join(' '))
    : detail;
  return [...new Set([...general, ...specific])].join(' ');
}

/** Why the server refused a record (a batch item's answer, kept with the record). */
export function problemText(problem) {
  if (!problem) return '';
  if (problem.code === 'already_delivered') {
    const who = problem.delivered_by || t('another_worker');
    return t('already_delivered_by', { who, when: fmt.when(problem.delivered_at) });
  }
  if (problem.code === 'not_found') return t('not_in_round');
  return errorText({ detail: problem.detail, fields: problem.fields }) || t('rejected_by_server');
}
