/**
 * When a subscription's digest is due: daily at its local time, or weekly on its local weekday at
 * that time. A weekly digest goes out at most once in any 7 days, even when its day is changed
 * after this week's went out. Serve's planner (src/service/digest-outbox.ts) reads this.
 */
import type { RecommendApp } from '../recommend/app-parts.ts';
import type { Recipient } from '../recommend/recipient.ts';
import { daysBetween, localClock, minutesOf, weekdayOf, type LocalClock } from './clock.ts';
import { listSubscriptions, type DigestSubscription } from './subscriptions.ts';

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

export interface DueSubscription {
  subscription: DigestSubscription;
  /** The local day this digest is for. */
  localDate: string;
}

/** Subscriptions whose digest is due at `now`: enabled, their day and local time reached, not done. */
export function dueSubscriptions(subs: readonly DigestSubscription[], now: Date): DueSubscription[] {
  const out: DueSubscription[] = [];
  for (const s of subs) {
    if (!s.enabled) continue;
    const local = localClock(now, s.timeZone);
    if (dueOn(s, local)) out.push({ subscription: s, localDate: local.date });
  }
  return out;
}

export async function dueOf(app: RecommendApp, platform: Recipient['platform'], now: Date): Promise<DueSubscription[]> {
  return dueSubscriptions(await listSubscriptions(app, platform), now);
}
