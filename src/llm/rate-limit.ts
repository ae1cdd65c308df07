import type Keyv from 'keyv';
import { updateEntry, type CasDecision } from '../store/kv-cas.ts';

/** kv namespace of per-user request times. */
export const RATE_NAMESPACE = 'llm-rate';
const HOUR_MS = 3600_000;

export type RateDecision = { ok: true; stamp: number } | { ok: false; retryAfterMs: number; limit: number };

/**
 * A per-user limit of model calls per rolling hour (a sliding window of request times, kept in kv
 * so that a restart does not hand out a fresh allowance). Each take or refund is one atomic
 * read-modify-write of the user's entry, so replicas sharing the kv cannot both take the last slot.
 */
export class UserRateLimit {
  constructor(
    private readonly kv: Keyv,
    readonly perHour: number,
    private readonly now: () => Date,
  ) {}

  private recent(raw: unknown, at: number): number[] {
    const stamps = Array.isArray(raw) ? raw.filter((t): t is number => typeof t === 'number' && Number.isFinite(t)) : [];
    return stamps.filter((t) => t > at - HOUR_MS && t <= at).sort((a, b) => a - b);
  }

  /** Takes one slot for the user, or says how long until one frees up. */
  take(user: string): Promise<RateDecision> {
    return updateEntry(this.kv, user, ({ value }): CasDecision<RateDecision> => {
      const at = this.now().getTime();
      const stamps = this.recent(value, at);
      if (stamps.length >= this.perHour) {
        const oldest = stamps[stamps.length - this.perHour];
        const retryAfterMs = this.perHour === 0 || oldest === undefined ? HOUR_MS : oldest + HOUR_MS - at;
        return { write: false, result: { ok: false, retryAfterMs: Math.max(1, retryAfterMs), limit: this.perHour } };
      }
      stamps.push(at);
      return { write: true, value: stamps, ttlMs: HOUR_MS, result: { ok: true, stamp: at } };
    });
  }

  /** Gives back a slot whose call was never sent (budget spent, API cooling down). */
  refund(user: string, stamp: number): Promise<void> {
    return updateEntry(this.kv, user, ({ value }): CasDecision<void> => {
      const stamps = this.recent(value, this.now().getTime());
      const i = stamps.lastIndexOf(stamp);
      if (i < 0) return { write: false, result: undefined };
      stamps.splice(i, 1);
      return { write: true, value: stamps, ttlMs: HOUR_MS, result: undefined };
    });
  }
}
