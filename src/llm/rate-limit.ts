import type Keyv from 'keyv';

/** kv namespace of per-user request times. */
export const RATE_NAMESPACE = 'llm-rate';
const HOUR_MS = 3600_000;

export type RateDecision = { ok: true; stamp: number } | { ok: false; retryAfterMs: number; limit: number };

/**
 * A per-user limit of model calls per rolling hour (a sliding window of request times, kept in kv
 * so that a restart does not hand out a fresh allowance). Serialized within the process.
 */
export class UserRateLimit {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly kv: Keyv,
    readonly perHour: number,
    private readonly now: () => Date,
  ) {}

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const step = this.chain.then(fn);
    this.chain = step.catch(() => undefined);
    return step;
  }

  private async recent(user: string, at: number): Promise<number[]> {
    const raw: unknown = await this.kv.get(user);
    const stamps = Array.isArray(raw) ? raw.filter((t): t is number => typeof t === 'number' && Number.isFinite(t)) : [];
    return stamps.filter((t) => t > at - HOUR_MS && t <= at).sort((a, b) => a - b);
  }

  /** Takes one slot for the user, or says how long until one frees up. */
  take(user: string): Promise<RateDecision> {
    return this.serial(async () => {
      const at = this.now().getTime();
      const stamps = await this.recent(user, at);
      if (stamps.length >= this.perHour) {
        const oldest = stamps[stamps.length - this.perHour];
        const retryAfterMs = this.perHour === 0 || oldest === undefined ? HOUR_MS : oldest + HOUR_MS - at;
        return { ok: false, retryAfterMs: Math.max(1, retryAfterMs), limit: this.perHour };
      }
      stamps.push(at);
      await this.kv.set(user, stamps, HOUR_MS);
      return { ok: true, stamp: at };
    });
  }

  /** Gives back a slot whose call was never sent (budget spent, API cooling down). */
  refund(user: string, stamp: number): Promise<void> {
    return this.serial(async () => {
      const at = this.now().getTime();
      const stamps = await this.recent(user, at);
      const i = stamps.lastIndexOf(stamp);
      if (i < 0) return;
      stamps.splice(i, 1);
      await this.kv.set(user, stamps, HOUR_MS);
    });
  }
}
