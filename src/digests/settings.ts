/**
 * `digest on|off|time HH:MM|timezone TZ` for users and `channel digest ...` for channels: the
 * platform-neutral settings behind the chat commands.
 */
import { UserError } from '../errors.ts';
import type { RecommendDeps } from '../recommend/deps.ts';
import type { Recipient } from '../recommend/index.ts';
import { dueOn } from './cadence.ts';
import { canonicalTimeZone, localClock, minutesOf, weekdayOf, type Weekday } from './clock.ts';
import { loadSubscription, updateSubscription, type DigestSubscription, type SubscriptionDefaults } from './subscriptions.ts';

export type DigestChange =
  | { op: 'on' | 'off' }
  | { op: 'time'; time: string }
  | { op: 'timezone'; timeZone: string }
  /** Daily again, or weekly on a local weekday (both turn the digest on). */
  | { op: 'daily' }
  | { op: 'weekly'; day: Weekday };

export interface DigestStatus {
  recipient: Recipient;
  enabled: boolean;
  time: string;
  timeZone: string;
  /** Weekly on this day; absent: daily. */
  weekday?: Weekday;
  /** When the next digest goes out (ISO, to the minute), if enabled. */
  next?: string;
  /** Set when paperfeed turned delivery off itself (e.g. the bot was removed from the channel). */
  disabledReason?: string;
}

/** Configured defaults for new subscriptions (PAPERFEED_DIGEST_TIME / _TIMEZONE). */
export function digestDefaults(app: RecommendDeps): SubscriptionDefaults {
  return { time: app.config.PAPERFEED_DIGEST_TIME, timeZone: app.config.PAPERFEED_DIGEST_TIMEZONE };
}

export function checkTimeZone(name: string): string {
  const tz = canonicalTimeZone(name);
  if (!tz) throw new UserError(`'${name.slice(0, 64)}' is not a time zone; use an IANA name like America/New_York or Europe/Berlin`);
  return tz;
}

const QUARTER_MS = 15 * 60_000;

/**
 * The next delivery instant of a subscription, found by stepping local minutes (DST-safe). A
 * weekly one skips the other days by quarter hours: every zone's offset is a whole number of
 * quarter hours, so a quarter-hour step never jumps past a local midnight.
 */
export function nextDigest(s: DigestSubscription, now: Date): Date | undefined {
  if (!s.enabled) return undefined;
  const start = Math.floor(now.getTime() / 60_000) * 60_000;
  // At most two days ahead (daily) or eight (weekly).
  const end = start + (s.weekday ? 8 * 24 + 1 : 49) * 3_600_000;
  for (let t = start; t <= end; ) {
    const local = localClock(new Date(t), s.timeZone);
    if (dueOn(s, local)) return new Date(t);
    t = s.weekday && weekdayOf(local.date) !== s.weekday ? Math.floor(t / QUARTER_MS) * QUARTER_MS + QUARTER_MS : t + 60_000;
  }
  return undefined;
}

/**
 * A changed schedule never delivers for a local day whose time has already passed: turning a
 * digest on at 10:00 for 08:00 starts tomorrow, not right now.
 */
function settle(s: DigestSubscription, now: Date): void {
  if (!s.enabled) return;
  const local = localClock(now, s.timeZone);
  if (local.minutes >= minutesOf(s.time) && (!s.weekday || weekdayOf(local.date) === s.weekday)) s.doneDate = local.date;
  delete s.failures;
}

function statusOf(r: Recipient, s: DigestSubscription, now: Date): DigestStatus {
  const next = nextDigest(s, now);
  return {
    recipient: r,
    enabled: s.enabled,
    time: s.time,
    timeZone: s.timeZone,
    ...(s.weekday ? { weekday: s.weekday } : {}),
    ...(next ? { next: next.toISOString() } : {}),
    ...(s.disabledReason ? { disabledReason: s.disabledReason } : {}),
  };
}

export async function digestStatus(app: RecommendDeps, r: Recipient, now: Date): Promise<DigestStatus> {
  const { value } = await loadSubscription(app, r, digestDefaults(app), now);
  return statusOf(r, value, now);
}

/**
 * Changes a recipient's digest. Setting a time also turns the digest on. `timeZoneHint` (the
 * platform's idea of the user's zone) fills in the zone when a digest is first turned on.
 */
export async function changeDigest(
  app: RecommendDeps,
  r: Recipient,
  change: DigestChange,
  opts: { now: Date; timeZoneHint?: string },
): Promise<DigestStatus> {
  const timeZone = change.op === 'timezone' ? checkTimeZone(change.timeZone) : undefined;
  const hint = opts.timeZoneHint ? canonicalTimeZone(opts.timeZoneHint) : undefined;
  const { value } = await updateSubscription(app, r, digestDefaults(app), opts.now, (s) => {
    const fresh = !s.enabled && s.doneDate === undefined && !s.disabledReason;
    switch (change.op) {
      case 'on':
        s.enabled = true;
        if (fresh && hint) s.timeZone = hint;
        break;
      case 'off':
        s.enabled = false;
        break;
      case 'time':
        s.time = change.time;
        if (fresh && hint) s.timeZone = hint;
        s.enabled = true;
        break;
      case 'timezone':
        s.timeZone = timeZone!;
        break;
      case 'daily':
        delete s.weekday;
        s.enabled = true;
        break;
      case 'weekly':
        // From daily, the last daily digest does not hold back the first weekly one.
        if (!s.weekday) delete s.doneDate;
        s.weekday = change.day;
        if (fresh && hint) s.timeZone = hint;
        s.enabled = true;
        break;
    }
    delete s.disabledReason;
    settle(s, opts.now);
  });
  return statusOf(r, value, opts.now);
}
