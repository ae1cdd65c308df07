/**
 * Job locks: exactly one replica runs each scheduled job. A lock has an expiry (a replica that
 * dies or hangs loses it) and a fencing token that grows with every acquisition, so work stamped
 * with an older token is known to belong to a holder that lost the lock.
 *
 * Backends: Redis (SET NX PX), PostgreSQL (session advisory lock; the session ends when the
 * replica dies or stops renewing), or, for one machine, a lease row in the service's SQLite file.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

export interface Lease {
  readonly name: string;
  readonly owner: string;
  readonly fence: number;
  /** Pushes the expiry out again; false when the lock was lost meanwhile (stop working). */
  extend(): Promise<boolean>;
  release(): Promise<void>;
}

export interface JobLocks {
  readonly kind: 'sqlite' | 'redis' | 'postgres';
  /** The lock if nobody else holds it; undefined (at once, no waiting) otherwise. */
  tryAcquire(name: string, ttlMs: number): Promise<Lease | undefined>;
  close(): Promise<void>;
}

/** A replica's name in locks and outbox claims: readable in logs, unique per process start. */
export function replicaId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/** Which lock backend a configuration uses (see PAPERFEED_LOCK_URL). */
export function lockUrlOf(config: {
  PAPERFEED_LOCK_URL?: string | undefined;
  PAPERFEED_DATABASE_URL?: string | undefined;
  PAPERFEED_KV_URL?: string | undefined;
}): string | undefined {
  if (config.PAPERFEED_LOCK_URL) return config.PAPERFEED_LOCK_URL;
  if (config.PAPERFEED_DATABASE_URL) return config.PAPERFEED_DATABASE_URL;
  const kv = config.PAPERFEED_KV_URL?.trim();
  if (kv && /^(redis|rediss|postgres|postgresql):\/\//i.test(kv)) return kv;
  return undefined;
}
