// Indonesian formats: 17 Agustus 2025 14.30 WIB (domain.md), in the Asia/Jakarta zone.

const dateTime = new Intl.DateTimeFormat('id-ID', {
  day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false,
  timeZone: 'Asia/Jakarta',
});
const monthYear = new Intl.DateTimeFormat('id-ID', { month: 'long', year: 'numeric', timeZone: 'Asia/Jakarta' });

export function when(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const parts = Object.fromEntries(dateTime.formatToParts(date).map((p) => [p.type, p.value]));
  return `${parts.day} ${parts.month} ${parts.year} ${parts.hour}.${parts.minute} WIB`;
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

export function plural(n, word) {
  return `${n.toLocaleString('id-ID')} ${word}`;
}
