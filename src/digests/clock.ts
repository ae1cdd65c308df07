/**
 * Local wall-clock time in an IANA time zone, by Intl (no time zone tables of our own): what
 * decides whether a recipient's digest is due.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

let knownZones: Map<string, string> | undefined;

/** Intl's list of zone names, by lower case: to restore "america/new_york" to "America/New_York". */
function spelling(name: string): string | undefined {
  knownZones ??= new Map(Intl.supportedValuesOf('timeZone').map((z) => [z.toLowerCase(), z]));
  return knownZones.get(name.toLowerCase());
}

/**
 * The name of a time zone Intl knows, in its usual spelling ("america/new_york" →
 * "America/New_York"; "Asia/Kolkata" stays as written even where ICU's canonical name is older),
 * or undefined. Offsets such as "+02:00" are refused: they ignore daylight saving time.
 */
export function canonicalTimeZone(name: string): string | undefined {
  const s = name.trim();
  if (!s || s.length > 64 || /^[+-]\d/.test(s)) return undefined;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: s }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
  return spelling(s) ?? (resolved.toLowerCase() === s.toLowerCase() ? resolved : s);
}

export interface LocalClock {
  /** Local date, YYYY-MM-DD. */
  date: string;
  /** Minutes since local midnight. */
  minutes: number;
}

export function localClock(now: Date, timeZone: string): LocalClock {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(now)) parts[p.type] = p.value;
  return { date: `${parts.year}-${parts.month}-${parts.day}`, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

/** "08:30" → 510. */
export function minutesOf(time: string): number {
  const [h, m] = time.split(':');
  return Number(h) * 60 + Number(m);
}

export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** The weekday of a local date (YYYY-MM-DD). */
export function weekdayOf(date: string): Weekday {
  return WEEKDAYS[new Date(`${date}T12:00:00Z`).getUTCDay()]!;
}

/** Whole days from local date a to local date b. */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T12:00:00Z`) - Date.parse(`${a}T12:00:00Z`)) / 86_400_000);
}
