import type Keyv from 'keyv';
import { updateEntry, type CasDecision } from '../store/kv-cas.ts';
import type { UsageCounters } from './usage.ts';

/** kv namespace of the daily spend (one record per UTC day). */
export const BUDGET_NAMESPACE = 'llm-budget';
/** A day's record is kept a little past the day, then the kv store expires it. */
const DAY_RECORD_TTL_MS = 3 * 24 * 3600_000;

const utcDay = (d: Date): string => d.toISOString().slice(0, 10);

export interface Reservation {
  /** Records what the call really used (from the API's usage) and frees the reservation. */
  settle(tokensUsed: number): Promise<void>;
  /** Frees the reservation when no tokens were used. */
  release(): void;
}

/**
 * The whole service's daily token budget. Spend is persisted per UTC day in kv, so restarts do
 * not reset it. A call first reserves its worst case (prompt estimate + completion cap) so that
 * concurrent calls cannot together overshoot; it then settles with the actual usage.
 * Each recorded spend is an atomic update of the day's record; two processes sharing a kv store
 * may still each start a call that the other has not counted yet, overshooting by at most one
 * call each.
 */
export class TokenBudget {
  private reserved = 0;

  constructor(
    private readonly kv: Keyv,
    readonly dailyLimit: number,
    private readonly now: () => Date,
    private readonly usage?: UsageCounters,
  ) {
    usage?.set('budget_daily_limit', dailyLimit);
  }

  private key(): string {
    return `tokens:${utcDay(this.now())}`;
  }

  /** Tokens recorded as spent today (UTC). */
  async spentToday(): Promise<number> {
    const raw: unknown = await this.kv.get(this.key());
    const spent = typeof raw === 'number' && Number.isFinite(raw) && raw >= 0 ? raw : 0;
    this.usage?.set('budget_spent_today', spent);
    return spent;
  }

  /** A reservation when `estimate` more tokens fit in today's budget, else undefined. */
  async reserve(estimate: number): Promise<Reservation | undefined> {
    const spent = await this.spentToday();
    if (spent + this.reserved + estimate > this.dailyLimit) return undefined;
    this.reserved += estimate;
    let open = true;
    const free = () => {
      if (open) this.reserved -= estimate;
      open = false;
    };
    return {
      settle: async (used) => {
        free();
        if (used > 0) await this.record(used);
      },
      release: free,
    };
  }

  /** Adds tokens to today's spend: one atomic read-modify-write, so no replica's spend is lost. */
  async record(tokens: number): Promise<void> {
    const spent = await updateEntry(this.kv, this.key(), ({ value }): CasDecision<number> => {
      const total = (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0) + tokens;
      return { write: true, value: total, ttlMs: DAY_RECORD_TTL_MS, result: total };
    });
    this.usage?.set('budget_spent_today', spent);
  }
}
