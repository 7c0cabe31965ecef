// Dates as the portal writes them: 17 Agustus 2025 14.30 WIB, in the Asia/Jakarta zone; month names and
// numbers in the language of the portal's switch (i18n.js).

import { LOCALE } from './i18n.js';

const dateTime = new Intl.DateTimeFormat(LOCALE, {
  day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false,
  timeZone: 'Asia/Jakarta',
});
const monthYear = new Intl.DateTimeFormat(LOCALE, { month: 'long', year: 'numeric', timeZone: 'Asia/Jakarta' });

export function when(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const parts = Object.fromEntries(dateTime.formatToParts(date).map((p) => [p.type, p.value]));
  return `${parts.day} ${parts.month} ${parts.year} ${parts.hour}.${parts.minute} WIB`;
}

/** A time of day on the device's clock, 14.30.05. */
export function time(ms) {
  const at = new Date(ms).toLocaleTimeString('id-ID', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  return at.replace(/:/g, '.');
}

export function period(isoDate) {
  if (!isoDate) return '';
  return monthYear.format(new Date(`${isoDate}T12:00:00+07:00`));
}

/** The value of a datetime-local input for a Date, in the device's own zone. */
export function localInputValue(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function rtRw(h) {
  return `RT ${String(h.rt).padStart(3, '0')} / RW ${String(h.rw).padStart(3, '0')}`;
}

export function number(n) {
  return n.toLocaleString(LOCALE);
}
