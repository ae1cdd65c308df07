import type { Logger } from '../log.ts';
import { contentHash } from '../papers/normalize.ts';
import type { Paper } from '../papers/paper.ts';
import type { PaperStore } from '../store/paper-store.ts';
import type { ChatRunner } from './chat.ts';
import { oneLine, tldrPrompt } from './prompts.ts';
import type { UsageCounters } from './usage.ts';

export interface TldrDeps {
  chat: ChatRunner;
  store: Pick<PaperStore, 'getSummaries' | 'putSummary'>;
  usage: UsageCounters;
  log: Logger;
  now: () => Date;
  /** Requests in flight at once. */
  concurrency: number;
}

/**
 * One-sentence TL;DRs, generated once per text and model and cached in the store (so never paid
 * for twice, across restarts too). Never throws: papers whose TL;DR could not be had are absent
 * from the result, and a digest goes out without them.
 */
export function createTldrs(deps: TldrDeps): (papers: readonly Paper[]) => Promise<Map<string, string>> {
  const { chat, store, usage, log } = deps;
  const model = chat.model;
  /** Two digests asking for the same new paper at once share one request. */
  const inFlight = new Map<string, Promise<string | undefined>>();

  const generate = async (paper: Paper, hash: string): Promise<string | undefined> => {
    const outcome = await chat.complete({ purpose: 'tldr', ...tldrPrompt(paper) });
    if (!outcome.ok) return undefined;
    const text = oneLine(outcome.text);
    if (!text) return undefined;
    usage.add('tldr_generated');
    try {
      await store.putSummary({ paperId: paper.id, contentHash: hash, model, text, createdAt: deps.now().toISOString() });
    } catch (err) {
      // Paid for already: use it now even though it could not be kept.
      log.warn({ err: (err as Error).message, paper: paper.id }, 'llm: cannot cache a TL;DR');
    }
    return text;
  };

  const once = (paper: Paper, hash: string): Promise<string | undefined> => {
    let pending = inFlight.get(hash);
    if (!pending) {
      pending = generate(paper, hash).finally(() => inFlight.delete(hash));
      inFlight.set(hash, pending);
    }
    return pending;
  };

  return async (papers) => {
    const out = new Map<string, string>();
    try {
      const hashes = new Map(papers.map((p) => [p.id, contentHash(p)]));
      const cached = await store.getSummaries(model, [...new Set(hashes.values())]);
      const todo = new Map<string, Paper>();
      for (const p of papers) {
        const hit = cached.get(hashes.get(p.id)!);
        if (hit) {
          out.set(p.id, hit.text);
          usage.add('tldr_cache_hits');
        } else todo.set(p.id, p);
      }
      const queue = [...todo.values()];
      // No early stop is needed here: after a timeout or an API error the runner cools down, and
      // once the budget is spent it refuses, so the remaining papers are skipped without requests.
      let next = 0;
      const worker = async () => {
        while (next < queue.length) {
          const paper = queue[next++]!;
          const text = await once(paper, hashes.get(paper.id)!);
          if (text) out.set(paper.id, text);
          else usage.add('tldr_skipped');
        }
      };
      await Promise.all(Array.from({ length: Math.min(deps.concurrency, queue.length) }, worker));
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'llm: TL;DRs failed; the digest goes out without them');
    }
    return out;
  };
}
