// The app's sentences, translated by the server (field_app/texts.py) in the language of the portal's switch.
// Placeholders are Django's: %(name)s. A sentence with a count has two forms, {one, other}, chosen by the
// language's plural rule.

import { config } from './config.js';

const STRINGS = config.strings || {};

/** The BCP 47 locale of dates and numbers (id-ID, en-GB). */
export const LOCALE = config.locale || 'id-ID';

const plurals = new Intl.PluralRules(LOCALE);

function fill(text, values) {
  return text.replace(/%\((\w+)\)s/g, (match, name) => (name in values ? String(values[name]) : match));
}

function lookup(key) {
  if (!Object.prototype.hasOwnProperty.call(STRINGS, key)) {
    console.warn(`field app: no text "${key}"`);
    return key;
  }
  return STRINGS[key];
}

/** t('key', {name: value}): the sentence with its placeholders filled. */
export function t(key, values = {}) {
  const text = lookup(key);
  return fill(typeof text === 'string' ? text : text.other, values);
}

/** tn('key', n, {name: value}): the form of the sentence for the count n. */
export function tn(key, n, values = {}) {
  const text = lookup(key);
  if (typeof text === 'string') return fill(text, values);
  return fill(plurals.select(n) === 'one' ? text.one : text.other, values);
}
