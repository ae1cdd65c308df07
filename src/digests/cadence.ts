/**
 * When a subscription's digest is due: daily at its local time, or weekly on its local weekday at
 * that time. A weekly digest goes out at most once in any 7 days, even when its day is changed
 * after this week's went out. due.ts (serve's digest planner) and nextDigest read this.
 */
import { daysBetween, minutesOf, weekdayOf, type LocalClock } from './clock.ts';
import type { DigestSubscription } from './subscriptions.ts';

export type Cadence = 'daily' | 'weekly';

export const cadenceOf = (s: Pick<DigestSubscription, 'weekday'>): Cadence => (s.weekday ? 'weekly' : 'daily');

/** A weekly digest's candidates: papers first seen in the last 7 days (a daily one: since the last digest). */
export const WEEKLY_LOOKBACK_DAYS = 7;

/** Whether the subscription's digest is due at this local clock (enabled or not is the caller's check). */
export function dueOn(s: Pick<DigestSubscription, 'time' | 'weekday' | 'doneDate'>, local: LocalClock): boolean {
  if (local.minutes < minutesOf(s.time) || local.date === s.doneDate) return false;
  if (!s.weekday) return true;
  return weekdayOf(local.date) === s.weekday && (s.doneDate === undefined || daysBetween(s.doneDate, local.date) >= 7);
}
