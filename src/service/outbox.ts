/**
 * The digest outbox: one row per (recipient, local date), moving pending → sending → sent (or
 * failed after repeated errors). Because the row exists before anything is sent and is marked
 * sent right after, a crash or restart never skips a digest and never sends one twice, except
 * the single message that was in flight at the instant of the crash.
 */
import { RECIPIENT_PLATFORMS, type Recipient } from '../recommend/recipient.ts';

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';
export const OUTBOX_STATUSES: readonly OutboxStatus[] = ['pending', 'sending', 'sent', 'failed'];

/** One digest: who gets it and for which local day. */
export interface DigestRef {
  recipient: Recipient;
  /** YYYY-MM-DD in the recipient's (or the schedule's) time zone. */
  date: string;
}

export interface OutboxEntry extends DigestRef {
  /** `<platform>:<kind>:<id>`: a user subscribed on two platforms gets two digests. */
  key: string;
  status: OutboxStatus;
  attempts: number;
  lastError?: string;
  sentAt?: string;
}

/**
 * Who is sending: the replica (owner) and the fencing token of the digest job's lock. An entry
 * left `sending` under an older token belongs to a holder that lost the lock (it crashed), so a
 * newer holder may take it over at once instead of waiting for it to go stale.
 */
export interface Claimant {
  owner: string;
  fence: number;
}

export interface ClaimOptions {
  /** A `sending` entry untouched this long is taken over whatever its fence (a holder on another lock backend). */
  staleMs: number;
  /** Only entries for these platforms: one whose bot is not running here stays pending for a replica that has it. */
  platforms: readonly string[];
}

export interface ReleaseOptions {
  /** Why the attempt failed; absent when work is only handed back (shutdown). */
  error?: string;
  maxAttempts: number;
  /** Earliest next attempt after a failure. */
  retryAfterMs: number;
}

export interface Outbox {
  /** Adds the digests not in the outbox yet (whatever their status); returns how many were new. */
  enqueue(items: readonly DigestRef[], now: Date): Promise<number>;
  /**
   * Atomically claims the oldest deliverable entry: pending and due, or sending under an older
   * fence, or sending and unclaimed for `staleMs`.
   */
  claimNext(claimant: Claimant, now: Date, opts: ClaimOptions): Promise<OutboxEntry | undefined>;
  /** Marks a claimed entry sent; false when the claim was lost (another holder took it over). */
  markSent(entry: OutboxEntry, claimant: Claimant, now: Date): Promise<boolean>;
  /** Hands a claimed entry back: pending again (counting a failure when `error` is set), or failed after maxAttempts. */
  release(entry: OutboxEntry, claimant: Claimant, now: Date, opts: ReleaseOptions): Promise<OutboxStatus>;
  get(ref: DigestRef): Promise<OutboxEntry | undefined>;
  list(filter?: { date?: string; status?: OutboxStatus }): Promise<OutboxEntry[]>;
  counts(): Promise<Record<OutboxStatus, number>>;
  /** Forgets finished entries created before this instant. */
  prune(before: Date): Promise<number>;
  /** Deletes every entry of a recipient, on every platform and in any status (forget-me); returns how many. */
  forget(r: Pick<Recipient, 'kind' | 'id'>): Promise<number>;
  close(): Promise<void>;
}

export function outboxKey(r: Recipient): string {
  return `${r.platform}:${r.kind}:${r.id.trim()}`;
}

/** The outbox keys a recipient can have: one per platform. */
export function outboxKeysOf(r: Pick<Recipient, 'kind' | 'id'>): string[] {
  return RECIPIENT_PLATFORMS.map((platform) => outboxKey({ ...r, platform }));
}

/** A row as both backends store it. */
export interface OutboxRow {
  key: string;
  digest_date: string;
  recipient: string;
  status: OutboxStatus;
  attempts: number;
  last_error: string | null;
  sent_at: string | null;
}

export function rowToEntry(r: OutboxRow): OutboxEntry {
  const e: OutboxEntry = {
    key: r.key,
    date: r.digest_date,
    recipient: JSON.parse(r.recipient) as Recipient,
    status: r.status,
    attempts: Number(r.attempts),
  };
  if (r.last_error !== null) e.lastError = r.last_error;
  if (r.sent_at !== null) e.sentAt = r.sent_at;
  return e;
}

export function emptyCounts(): Record<OutboxStatus, number> {
  return { pending: 0, sending: 0, sent: 0, failed: 0 };
}

/** Errors can be long (HTML error pages): keep enough to act on. */
export function clipError(error: string): string {
  return error.length > 1_000 ? `${error.slice(0, 1_000)}…` : error;
}
