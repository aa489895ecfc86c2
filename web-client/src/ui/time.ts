// Date and time display. Times are shown in the signed-in user's time zone (from /api/me), not
// the browser's, so a clinician travelling or a shared clinic workstation still shows clinic
// time consistently with the rest of the record.

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = timeZone + JSON.stringify(options);
  let f = formatters.get(key);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(undefined, { ...options, timeZone });
    } catch {
      // An unknown zone name from the server must not break the page: fall back to the browser's.
      f = new Intl.DateTimeFormat(undefined, options);
    }
    formatters.set(key, f);
  }
  return f;
}

function dayKey(d: Date, timeZone: string): string {
  return formatter(timeZone, { year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

/** "14:05" today, "Mon 3 Mar, 14:05" otherwise (year added when it is not this year). */
export function messageTime(iso: string, timeZone: string, now = new Date()): string {
  const d = new Date(iso);
  if (dayKey(d, timeZone) === dayKey(now, timeZone)) {
    return formatter(timeZone, { hour: 'numeric', minute: '2-digit' }).format(d);
  }
  const sameYear =
    formatter(timeZone, { year: 'numeric' }).format(d) === formatter(timeZone, { year: 'numeric' }).format(now);
  return formatter(timeZone, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: sameYear ? undefined : 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  }).format(d);
}

/** "Mon 3 Mar 2025, 14:05" — for dosing sessions and anything scheduled. */
export function dateTime(iso: string, timeZone: string): string {
  return formatter(timeZone, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  }).format(new Date(iso));
}

/** "3 Mar" — chart axis ticks. */
export function shortDate(ms: number, timeZone: string): string {
  return formatter(timeZone, { day: 'numeric', month: 'short' }).format(new Date(ms));
}

/** "just now", "4 min ago", "2 h 5 min ago", "3 days ago": how long an alert has waited. */
export function age(iso: string, now = Date.now()): string {
  const minutes = Math.max(0, Math.floor((now - new Date(iso).getTime()) / 60000));
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h ago` : `${hours} h ${minutes % 60} min ago`;
  const days = Math.floor(hours / 24);
  return days === 1 ? '1 day ago' : `${days} days ago`;
}
