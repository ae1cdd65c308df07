/** Date parsing shared by the sources; every result is an ISO date YYYY-MM-DD or undefined. */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** 1-12 for "Jan", "January", "Sept"; undefined otherwise. */
export function monthNumber(name: string): number | undefined {
  const i = MONTHS.indexOf(name.slice(0, 3).toLowerCase());
  return i >= 0 ? i + 1 : undefined;
}

/** The ISO date for a real calendar day (rejects Feb 30), else undefined. */
export function isoDate(year: number, month: number, day: number): string | undefined {
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  return d.toISOString().slice(0, 10);
}

/**
 * A listing that omits the year means the current year's date unless that lies in the future:
 * the most recent such day not after `now` (Feb 29 walks back to the last leap year).
 */
export function resolveYearless(month: number, day: number, now: Date): string | undefined {
  const today = now.toISOString().slice(0, 10);
  for (let year = now.getUTCFullYear(); year >= now.getUTCFullYear() - 8; year--) {
    const date = isoDate(year, month, day);
    if (date && date <= today) return date;
  }
  return undefined;
}

/** The calendar date written at the start of an ISO date or datetime, as written (no time-zone shift). */
export function dateOfIso(value: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])/.exec(value.trim());
  return m ? isoDate(Number(m[1]), Number(m[2]), Number(m[3])) : undefined;
}

/** The calendar date of an RFC 822 date ("Mon, 15 Jan 2024 00:00:00 -0500"), as written. */
export function dateOfRfc822(value: string): string | undefined {
  const m = /(\d{1,2})\s+([A-Za-z]{3,9})\s+(\d{4})/.exec(value);
  if (!m) return undefined;
  const month = monthNumber(m[2]!);
  return month ? isoDate(Number(m[3]), month, Number(m[1])) : undefined;
}

/** Today's date in UTC. */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}
