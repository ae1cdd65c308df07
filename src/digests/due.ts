// Which subscriptions are due a digest now: the planner of the service's digest job reads this.
import type { RecommendApp } from '../recommend/app-parts.ts';
import type { Recipient } from '../recommend/index.ts';
import { localClock, minutesOf } from './clock.ts';
import { listSubscriptions, type DigestSubscription } from './subscriptions.ts';

export interface DueDigest {
  subscription: DigestSubscription;
  /** The local day this digest is for. */
  localDate: string;
}

/** Subscriptions whose digest is due at `now`: enabled, local time reached, local day not done. */
export function dueAt(subs: readonly DigestSubscription[], now: Date): DueDigest[] {
  const out: DueDigest[] = [];
  for (const s of subs) {
    if (!s.enabled) continue;
    const local = localClock(now, s.timeZone);
    if (local.minutes >= minutesOf(s.time) && local.date !== s.doneDate) out.push({ subscription: s, localDate: local.date });
  }
  return out;
}

export async function dueDigests(app: RecommendApp, platform: Recipient['platform'], now: Date): Promise<DueDigest[]> {
  return dueAt(await listSubscriptions(app, platform), now);
}
