import { createHash } from 'node:crypto';
import type Keyv from 'keyv';
import type { Logger } from '../log.ts';
import { contentHash } from '../papers/normalize.ts';
import type { Paper } from '../papers/paper.ts';
import type { ChatRunner } from './chat.ts';
import { clean, NO_LINK, oneLine, PROMPT_LIMITS, whyPrompt } from './prompts.ts';
import type { UsageCounters } from './usage.ts';

/** kv namespace of generated "why this matters to you" lines. */
export const WHY_NAMESPACE = 'llm-why';
/** Topics change; a line about old topics should not live forever. */
const WHY_TTL_MS = 30 * 24 * 3600_000;

export interface WhyDeps {
  chat: ChatRunner;
  kv: Keyv;
  usage: UsageCounters;
  log: Logger;
}

/** The topics as the prompt sees them: cleaned, de-duplicated, sorted, capped. */
function topicList(topics: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const t of topics) {
    const c = clean(t, PROMPT_LIMITS.topic);
    if (c) seen.add(c);
  }
  return [...seen].sort().slice(0, PROMPT_LIMITS.topics);
}

/**
 * The part of a why-line's cache key that stands for the reader's topics (the key is
 * `<model>:<content hash>:<topics key>`): forget-me finds a reader's cached lines by it.
 */
export function whyTopicsKey(topics: readonly string[]): string | undefined {
  const list = topicList(topics);
  return list.length ? createHash('sha256').update(list.join('\n')).digest('hex').slice(0, 16) : undefined;
}

/**
 * A short line tying the paper to the reader's topics, or undefined: when the model is
 * unavailable, the budget is spent, the topics are empty or the paper relates to none of them.
 * The caller then shows the embedding-based reason. Cached per text, model and topic set (the
 * "no link" answer too), so the same digest line is not paid for twice. Never throws.
 */
export function createWhyForYou(deps: WhyDeps): (paper: Paper, topics: readonly string[]) => Promise<string | undefined> {
  const { chat, kv, usage, log } = deps;
  return async (paper, topics) => {
    const list = topicList(topics);
    const topicsHash = whyTopicsKey(topics);
    if (topicsHash === undefined) return undefined;
    try {
      const key = `${chat.model}:${contentHash(paper)}:${topicsHash}`;
      const cached: unknown = await kv.get(key);
      if (typeof cached === 'string') {
        usage.add('why_cache_hits');
        return cached || undefined;
      }
      const outcome = await chat.complete({ purpose: 'why', ...whyPrompt(paper, list) });
      if (!outcome.ok) {
        usage.add('why_skipped');
        return undefined;
      }
      const line = oneLine(outcome.text, 200);
      const none = line === '' || line.replace(/[.\s]/g, '').toUpperCase() === NO_LINK;
      await kv.set(key, none ? '' : line, WHY_TTL_MS);
      usage.add('why_generated');
      return none ? undefined : line;
    } catch (err) {
      log.warn({ err: (err as Error).message, paper: paper.id }, 'llm: "why this matters" failed; using the embedding reason');
      return undefined;
    }
  };
}
