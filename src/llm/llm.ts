import type Keyv from 'keyv';
import type OpenAI from 'openai';
import type { Logger } from '../log.ts';
import type { Paper } from '../papers/paper.ts';
import type { PaperStore } from '../store/paper-store.ts';
import { BUDGET_NAMESPACE, TokenBudget } from './budget.ts';
import { ChatRunner } from './chat.ts';
import { createOpenAiClient, describeEndpoint } from './client.ts';
import { RATE_NAMESPACE, UserRateLimit } from './rate-limit.ts';
import { type LlmConfig, llmEnabled, OPENAI_DEFAULT_BASE_URL } from './settings.ts';
import { createTldrs } from './tldr.ts';
import { processUsage, type UsageCounters, type UsageSnapshot } from './usage.ts';
import { createWhyForYou, WHY_NAMESPACE } from './why.ts';

/** How long calls are skipped after the API timed out, throttled us or failed. */
export const DEFAULT_COOLDOWN_MS = 60_000;
const DEFAULT_CONCURRENCY = 4;

/** The optional language-model features; exists only when a key or a compatible server is configured. */
export interface Llm {
  /** The chat model, e.g. gpt-4o-mini. */
  readonly model: string;
  /** One-sentence TL;DRs by paper id; papers without one are absent. Cached in the store; never throws. */
  tldrs(papers: readonly Paper[]): Promise<Map<string, string>>;
  /** A short line tying the paper to these topics, or undefined (show the embedding reason). Never throws. */
  whyForYou(paper: Paper, topics: readonly string[]): Promise<string | undefined>;
  /** What `ask` sends through; budget and cool-down are enforced there. */
  readonly chat: ChatRunner;
  /** Per-user limit on `ask`. */
  readonly rate: UserRateLimit;
  readonly usage: UsageCounters;
}

export interface LlmDeps {
  log: Logger;
  store: Pick<PaperStore, 'getSummaries' | 'putSummary'>;
  kv(namespace: string): Keyv;
  /** Counters to add to (default: the process's, which /metrics reads). */
  usage?: UsageCounters;
  now?: () => Date;
  cooldownMs?: number;
  concurrency?: number;
  /** A ready client (tests); by default one is built from the config. */
  client?: OpenAI;
}

/**
 * The language-model features for this configuration, or undefined when they are off (neither
 * OPENAI_API_KEY nor OPENAI_BASE_URL set): then no client is built and no request is ever sent.
 */
export function createLlm(config: LlmConfig, deps: LlmDeps): Llm | undefined {
  if (!llmEnabled(config)) return undefined;
  const now = deps.now ?? (() => new Date());
  const usage = deps.usage ?? processUsage;
  const client = deps.client ?? createOpenAiClient(config, deps.log);
  const model = config.PAPERFEED_LLM_MODEL;
  const budget = new TokenBudget(deps.kv(BUDGET_NAMESPACE), config.PAPERFEED_LLM_DAILY_TOKEN_BUDGET, now, usage);
  const chat = new ChatRunner({
    client,
    model,
    baseURL: config.OPENAI_BASE_URL ?? OPENAI_DEFAULT_BASE_URL,
    budget,
    usage,
    log: deps.log,
    now,
    cooldownMs: deps.cooldownMs ?? DEFAULT_COOLDOWN_MS,
  });
  deps.log.info(
    { model, endpoint: describeEndpoint(config), dailyTokenBudget: budget.dailyLimit },
    'llm: language-model features on',
  );
  return {
    model,
    tldrs: createTldrs({
      chat,
      store: deps.store,
      usage,
      log: deps.log,
      now,
      concurrency: deps.concurrency ?? DEFAULT_CONCURRENCY,
    }),
    whyForYou: createWhyForYou({ chat, kv: deps.kv(WHY_NAMESPACE), usage, log: deps.log }),
    chat,
    rate: new UserRateLimit(deps.kv(RATE_NAMESPACE), config.PAPERFEED_LLM_USER_RATE_PER_HOUR, now),
    usage,
  };
}

/**
 * The features built on first use, then the same instance for every caller (one cool-down, one set
 * of counters); the composition root owns one. Nothing is built, nor any kv opened, until a
 * feature is asked for.
 */
export function lazyLlm(config: LlmConfig, deps: LlmDeps): () => Llm | undefined {
  let built: { llm: Llm | undefined } | undefined;
  return () => (built ??= { llm: createLlm(config, deps) }).llm;
}

/** For /metrics: the counters of this process (zeros when the features are off). */
export function llmUsage(llm: Llm | undefined): UsageSnapshot {
  return (llm?.usage ?? processUsage).snapshot();
}
