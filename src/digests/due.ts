// Which subscriptions are due a digest now: the planner of the service's digest job reads this.
import type { RecommendDeps } from '../recommend/deps.ts';
import type { Recipient } from '../recommend/index.ts';
import { dueOn } from './cadence.ts';
import { localClock } from './clock.ts';
import { listSubscriptions, type DigestSubscription } from './subscriptions.ts';

export interface DueDigest {
  subscription: DigestSubscription;
  /** The local day this digest is for. */
  localDate: string;
}

/** Subscriptions whose digest is due at `now`: enabled, their day (weekly) and local time reached, not done. */
export function dueAt(subs: readonly DigestSubscription[], now: Date): DueDigest[] {
  const out: DueDigest[] = [];
  for (const s of subs) {
    if (!s.enabled) continue;
    const local = localClock(now, s.timeZone);
    if (dueOn(s, local)) out.push({ subscription: s, localDate: local.date });
  }
  return out;
}

export async function dueDigests(app: RecommendDeps, platform: Recipient['platform'], now: Date): Promise<DueDigest[]> {
  return dueAt(await listSubscriptions(app, platform), now);
}
