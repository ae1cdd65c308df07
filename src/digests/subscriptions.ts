/**
 * Digest subscriptions in keyv: one record per recipient and platform (a user subscribed on Slack
 * and on Discord gets two digests, one in each place), plus an index of keys, since not every keyv
 * store can list its keys.
 */
import { z } from 'zod';
import { deleteRecord, loadRecord, updateRecord, updateStoredRecord, type RecordKind } from '../recommend/kv-record.ts';
import type { RecommendDeps } from '../recommend/deps.ts';
import { RECIPIENT_PLATFORMS, type Recipient } from '../recommend/recipient.ts';
import { WEEKDAYS } from './clock.ts';

export const DIGESTS_NAMESPACE = 'digests';
const INDEX_KEY = 'index';

const iso = z.iso.datetime({ offset: true });
const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

const subscriptionSchema = z.object({
  v: z.literal(1),
  platform: z.enum(RECIPIENT_PLATFORMS),
  kind: z.enum(['user', 'channel']),
  id: z.string().min(1).max(200),
  enabled: z.boolean(),
  /** Local time, HH:MM. */
  time: z.string().regex(/^\d{2}:\d{2}$/),
  /**
   * Set: a weekly digest on this local weekday, taking the week's best. Absent: daily (every
   * subscription stored before cadences reads as daily).
   */
  weekday: z.enum(WEEKDAYS).optional(),
  /** IANA time zone, canonical (checked with Intl before it is stored). */
  timeZone: z.string().min(1).max(64),
  /** The local day whose digest is done (sent, empty, or given up on): at most one per local day. */
  doneDate: localDate.optional(),
  /** Failed attempts on one local day; after a few the day is given up. */
  failures: z.object({ date: localDate, count: z.number().int().min(1) }).optional(),
  /** Why delivery was turned off by paperfeed (a dead channel), for `digest` to report. */
  disabledReason: z.string().max(500).optional(),
  updatedAt: iso,
});

export type DigestSubscription = z.infer<typeof subscriptionSchema>;

export interface SubscriptionDefaults {
  time: string;
  timeZone: string;
}

export function subscriptionKey(r: Pick<Recipient, 'platform' | 'kind' | 'id'>): string {
  return `sub:${r.platform}:${r.kind}:${r.id.trim()}`;
}

export function recipientOf(s: DigestSubscription): Recipient {
  return { kind: s.kind, platform: s.platform, id: s.id };
}

const describe = (e: z.ZodError): string => e.issues.map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`).join('; ');

function subscriptionKind(r: Recipient, defaults: SubscriptionDefaults): RecordKind<DigestSubscription> {
  return {
    namespace: DIGESTS_NAMESPACE,
    parse(raw) {
      const p = subscriptionSchema.safeParse(raw);
      return p.success ? { value: p.data } : { problem: describe(p.error) };
    },
    empty: (now) => ({
      v: 1,
      platform: r.platform,
      kind: r.kind,
      id: r.id.trim(),
      enabled: false,
      time: defaults.time,
      timeZone: defaults.timeZone,
      updatedAt: now.toISOString(),
    }),
  };
}

const indexKind: RecordKind<string[]> = {
  namespace: DIGESTS_NAMESPACE,
  parse(raw) {
    const p = z.array(z.string().min(1)).safeParse(raw);
    return p.success ? { value: p.data } : { problem: describe(p.error) };
  },
  empty: () => [],
};

/** The stored subscription, or the defaults (not stored) when there is none. */
export async function loadSubscription(
  app: RecommendDeps,
  r: Recipient,
  defaults: SubscriptionDefaults,
  now: Date,
): Promise<{ value: DigestSubscription; stored: boolean; problem?: string }> {
  return loadRecord(app, subscriptionKind(r, defaults), subscriptionKey(r), now);
}

/** Changes (or creates) a subscription under its key's lock; returns the stored record. */
export async function updateSubscription<R>(
  app: RecommendDeps,
  r: Recipient,
  defaults: SubscriptionDefaults,
  now: Date,
  change: (s: DigestSubscription) => R,
): Promise<{ result: R; value: DigestSubscription }> {
  const key = subscriptionKey(r);
  // Indexed first: an index entry without a record is skipped, a record without one would never be delivered.
  await updateRecord(app, indexKind, INDEX_KEY, now, (keys) => {
    if (!keys.includes(key)) keys.push(key);
  });
  const { result, value } = await updateRecord(app, subscriptionKind(r, defaults), key, now, (s) => {
    const out = change(s);
    s.updatedAt = now.toISOString();
    return out;
  });
  return { result, value };
}

/**
 * Like updateSubscription, but only for a subscription that still exists (checked in the same
 * atomic step): delivery bookkeeping must not bring back a recipient who ran forget-me meanwhile.
 * Returns whether it existed.
 */
export async function updateStoredSubscription(
  app: RecommendDeps,
  r: Recipient,
  defaults: SubscriptionDefaults,
  now: Date,
  change: (s: DigestSubscription) => void,
): Promise<boolean> {
  const out = await updateStoredRecord(app, subscriptionKind(r, defaults), subscriptionKey(r), now, (s) => {
    change(s);
    s.updatedAt = now.toISOString();
  });
  return out !== undefined;
}

/** Every stored subscription (of one platform, when given); unreadable ones are logged and skipped. */
export async function listSubscriptions(app: RecommendDeps, platform?: Recipient['platform']): Promise<DigestSubscription[]> {
  const { value: keys } = await loadRecord(app, indexKind, INDEX_KEY, new Date());
  const prefix = platform ? `sub:${platform}:` : 'sub:';
  const kv = app.kv(DIGESTS_NAMESPACE);
  const out: DigestSubscription[] = [];
  for (const key of keys) {
    if (!key.startsWith(prefix)) continue;
    const raw: unknown = await kv.get(key);
    if (raw === undefined) continue;
    const p = subscriptionSchema.safeParse(raw);
    if (p.success) out.push(p.data);
    else app.log.warn({ namespace: DIGESTS_NAMESPACE, key, problem: describe(p.error) }, 'unreadable digest subscription skipped');
  }
  return out;
}

/** Deletes a recipient's subscriptions on every platform (forget-me); returns what existed. */
export async function deleteSubscriptions(app: RecommendDeps, r: Pick<Recipient, 'kind' | 'id'>): Promise<string[]> {
  const keys = RECIPIENT_PLATFORMS.map((platform) => subscriptionKey({ ...r, platform }));
  const deleted: string[] = [];
  for (const key of keys) deleted.push(...(await deleteRecord(app, DIGESTS_NAMESPACE, key)));
  await updateRecord(app, indexKind, INDEX_KEY, new Date(), (index) => {
    for (let i = index.length - 1; i >= 0; i--) if (keys.includes(index[i]!)) index.splice(i, 1);
  });
  return deleted;
}
