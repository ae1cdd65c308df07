/**
 * Counters of language-model use, as a flat record of numbers so that /metrics can print them as
 * they are (prefixing `paperfeed_llm_`). In-process: they start at zero with every process; the
 * day's spend that the budget enforces lives in the kv store (see budget.ts).
 */
export const USAGE_COUNTERS = [
  /** Chat completion requests sent (SDK retries of one call count once). */
  'chat_requests',
  /** ...of which failed: HTTP errors, refused connections, malformed answers. */
  'chat_errors',
  /** ...of which timed out (after the SDK's retries). */
  'chat_timeouts',
  /** ...of which the API answered 429 (after the SDK's retries). */
  'chat_throttled',
  'prompt_tokens',
  'completion_tokens',
  /** Calls not made because the daily token budget was spent. */
  'budget_refusals',
  /** Calls not made because the API failed a moment ago (cool-down). */
  'cooldown_skips',
  'embedding_requests',
  'embedding_errors',
  'embedding_tokens',
  'tldr_generated',
  'tldr_cache_hits',
  /** Papers left without a TL;DR (budget, failure, cool-down). */
  'tldr_skipped',
  'why_generated',
  'why_cache_hits',
  'why_skipped',
  'ask_answered',
  'ask_nothing_relevant',
  'ask_unavailable',
  'ask_rate_limited',
  /** Citations the model made to papers it was not given, removed from answers. */
  'ask_dropped_citations',
] as const;

/** Gauges: last known values, not running sums. */
export const USAGE_GAUGES = ['budget_spent_today', 'budget_daily_limit'] as const;

export type UsageCounter = (typeof USAGE_COUNTERS)[number];
export type UsageGauge = (typeof USAGE_GAUGES)[number];
export type UsageSnapshot = Record<UsageCounter | UsageGauge, number>;

export class UsageCounters {
  private readonly values = new Map<string, number>();

  add(name: UsageCounter, n = 1): void {
    this.values.set(name, (this.values.get(name) ?? 0) + n);
  }

  set(name: UsageGauge, value: number): void {
    this.values.set(name, value);
  }

  /** A copy with every counter present (zero when never touched). */
  snapshot(): UsageSnapshot {
    const out = {} as UsageSnapshot;
    for (const name of [...USAGE_COUNTERS, ...USAGE_GAUGES]) out[name] = this.values.get(name) ?? 0;
    return out;
  }
}

/** The process's counters: what createLlm and the OpenAI embeddings provider count into by default. */
export const processUsage = new UsageCounters();

/** For /metrics: this process's language-model usage so far. */
export function llmUsageSnapshot(): UsageSnapshot {
  return processUsage.snapshot();
}
