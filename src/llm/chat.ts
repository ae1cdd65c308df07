import OpenAI from 'openai';
import { z } from 'zod';
import type { Logger } from '../log.ts';
import type { TokenBudget } from './budget.ts';
import { maxTokensField } from './settings.ts';
import type { UsageCounters } from './usage.ts';

/** Why a call produced no text. `sent` says whether a request went out (and may have cost tokens). */
export type ChatFailure =
  | 'budget' // the daily budget cannot cover the call: nothing sent
  | 'cooldown' // the API failed moments ago: nothing sent
  | 'timeout'
  | 'throttled' // HTTP 429 after the SDK's retries
  | 'error' // any other HTTP or connection failure
  | 'bad-response'; // an answer without the fields the Chat Completions format promises

export type ChatOutcome =
  | { ok: true; text: string; tokens: number }
  | { ok: false; reason: ChatFailure; sent: boolean };

export interface ChatRequest {
  /** For logs and counters: which feature asked. */
  purpose: 'tldr' | 'why' | 'ask';
  /** Our instructions. */
  system: string;
  /** The outside text (papers, the question), already delimited and capped by prompts.ts. */
  user: string;
  /** Cap on the completion, which also bounds the call's cost. */
  maxTokens: number;
}

/** The part of a Chat Completions response we rely on, checked: compatible servers vary. */
const completionSchema = z.object({
  choices: z
    .array(z.object({ message: z.object({ content: z.string().nullable().optional() }) }))
    .min(1, 'no choices'),
  usage: z
    .object({
      prompt_tokens: z.number().nonnegative(),
      completion_tokens: z.number().nonnegative().optional(),
      total_tokens: z.number().nonnegative(),
    })
    .nullish(),
});

/** Rough tokens for text we send, for the budget's reservation (English runs ~4 characters a token; this errs high). */
export const estimateTokens = (text: string): number => Math.ceil(text.length / 3.5) + 8;

export interface ChatDeps {
  client: OpenAI;
  model: string;
  baseURL: string;
  budget: TokenBudget;
  usage: UsageCounters;
  log: Logger;
  now: () => Date;
  /** After a failure that suggests the API is down or refusing us, skip calls this long. */
  cooldownMs: number;
}

/**
 * Sends one Chat Completions request under the budget and the cool-down, and never throws:
 * every failure becomes an outcome the caller degrades on (no TL;DR, "unavailable right now").
 */
export class ChatRunner {
  private coolUntil = 0;
  private readonly capField: 'max_tokens' | 'max_completion_tokens';

  constructor(private readonly deps: ChatDeps) {
    this.capField = maxTokensField(deps.baseURL);
  }

  get model(): string {
    return this.deps.model;
  }

  /** Whether calls are being skipped after a recent failure. */
  coolingDown(): boolean {
    return this.deps.now().getTime() < this.coolUntil;
  }

  async complete(req: ChatRequest): Promise<ChatOutcome> {
    const { client, model, budget, usage, log } = this.deps;
    if (this.coolingDown()) {
      usage.add('cooldown_skips');
      return { ok: false, reason: 'cooldown', sent: false };
    }
    let reservation;
    try {
      reservation = await budget.reserve(estimateTokens(req.system + req.user) + req.maxTokens);
    } catch (err) {
      log.warn({ err: (err as Error).message, purpose: req.purpose }, 'llm: cannot read the token budget; not calling the model');
      return { ok: false, reason: 'budget', sent: false };
    }
    if (!reservation) {
      usage.add('budget_refusals');
      log.info({ purpose: req.purpose, limit: budget.dailyLimit }, 'llm: daily token budget spent; skipping the call');
      return { ok: false, reason: 'budget', sent: false };
    }
    usage.add('chat_requests');
    let raw: unknown;
    try {
      raw = await client.chat.completions.create({
        model,
        messages: [
          { role: 'system', content: req.system },
          { role: 'user', content: req.user },
        ],
        ...(this.capField === 'max_tokens' ? { max_tokens: req.maxTokens } : { max_completion_tokens: req.maxTokens }),
      });
    } catch (err) {
      // A failed call reports no usage, and an API that is down bills nothing: record nothing.
      reservation.release();
      return this.failed(err, req);
    }
    const parsed = completionSchema.safeParse(raw);
    if (!parsed.success) {
      reservation.release();
      usage.add('chat_errors');
      log.warn({ purpose: req.purpose, problem: parsed.error.issues[0]?.message }, 'llm: the chat answer is not in the Chat Completions format');
      return { ok: false, reason: 'bad-response', sent: true };
    }
    const text = (parsed.data.choices[0]!.message.content ?? '').trim();
    const reported = parsed.data.usage;
    // Some compatible servers omit usage: then count our estimate, so the budget still holds.
    const prompt = reported?.prompt_tokens ?? estimateTokens(req.system + req.user);
    const completion = reported?.completion_tokens ?? (reported ? reported.total_tokens - reported.prompt_tokens : estimateTokens(text));
    const total = reported?.total_tokens ?? prompt + completion;
    usage.add('prompt_tokens', prompt);
    usage.add('completion_tokens', Math.max(0, completion));
    try {
      await reservation.settle(total);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'llm: cannot record token use in the budget');
    }
    if (!text) return { ok: false, reason: 'bad-response', sent: true };
    return { ok: true, text, tokens: total };
  }

  private failed(err: unknown, req: ChatRequest): ChatOutcome {
    const { usage, log, now, cooldownMs } = this.deps;
    let reason: ChatFailure = 'error';
    let coolDown = true;
    if (err instanceof OpenAI.APIConnectionTimeoutError) {
      reason = 'timeout';
      usage.add('chat_timeouts');
    } else if (err instanceof OpenAI.RateLimitError) {
      reason = 'throttled';
      usage.add('chat_throttled');
    } else {
      usage.add('chat_errors');
      // A request the API found wrong (too long, bad parameter) says nothing about the next one.
      if (err instanceof OpenAI.BadRequestError || err instanceof OpenAI.UnprocessableEntityError) coolDown = false;
    }
    if (coolDown) this.coolUntil = now().getTime() + cooldownMs;
    const status = err instanceof OpenAI.APIError ? err.status : undefined;
    const hint =
      status === 404
        ? 'check PAPERFEED_LLM_MODEL, and that OPENAI_BASE_URL ends in /v1'
        : status === 401 || status === 403
          ? 'check OPENAI_API_KEY'
          : undefined;
    log.warn(
      { purpose: req.purpose, reason, status, err: (err as Error).message, coolDownMs: coolDown ? cooldownMs : 0, ...(hint ? { hint } : {}) },
      'llm: the model call failed; going on without it',
    );
    return { ok: false, reason, sent: true };
  }
}
