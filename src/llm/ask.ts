import type { Config } from '../config/config.ts';
import { UserError } from '../errors.ts';
import { paperLink } from '../papers/links.ts';
import type { SearchService } from '../search/search-service.ts';
import type { ChatFailure } from './chat.ts';
import { checkCitations } from './citations.ts';
import type { Llm } from './llm.ts';
import { askPrompt, NO_ANSWER, PROMPT_LIMITS } from './prompts.ts';
import { processUsage } from './usage.ts';

export const ASK_DEFAULT_K = 5;
/** More papers would not fit the prompt's size cap with useful abstracts. */
export const ASK_MAX_K = 10;

export type AskStatus = 'answered' | 'nothing-relevant' | 'unavailable' | 'rate-limited';

export interface Citation {
  /** The number the answer uses: [n]. */
  n: number;
  paperId: string;
  title: string;
  url: string;
}

export interface AskSource extends Citation {
  /** Cosine of the paper to the question. */
  similarity: number;
}

export interface AskResult {
  status: AskStatus;
  /**
   * What to show: the model's answer with [n] markers (answered), else one plain sentence saying
   * what happened. Render `sources` under it in every status but nothing-relevant.
   */
  answer: string;
  /** The papers the answer cites, by n, each a retrieved paper. */
  citations: Citation[];
  /** The retrieved papers relevant enough to be given to the model, numbered as in the prompt, best first. */
  sources: AskSource[];
  /** Citation numbers the model made up (outside the given papers), removed from `answer`. */
  dropped: number[];
  /** unavailable: why ('off' when no model is configured). */
  reason?: 'off' | ChatFailure;
  /** rate-limited: when the user may ask again. */
  retryAfterMs?: number;
}

export interface AskOptions {
  /** Who asks (e.g. the chat recipient key): the per-user rate limit applies. Omit for the operator's CLI. */
  user?: string;
  /** Papers to retrieve (default 5, at most 10). */
  k?: number;
}

export type AskApp = { search: Pick<SearchService, 'searchText'>; config: Pick<Config, 'PAPERFEED_ASK_MIN_SIMILARITY'> };

const minutes = (ms: number) => Math.max(1, Math.ceil(ms / 60_000));

/**
 * Answers a question from the index: hybrid search for the top papers, then, only when the best
 * of them is similar enough to the question (PAPERFEED_ASK_MIN_SIMILARITY, a cosine), the model
 * answers from their titles and abstracts with numbered citations, which are checked against the
 * papers given. Nothing relevant enough: a plain "nothing found" with no model call. Throws only
 * a UserError for an empty question.
 */
export async function ask(app: AskApp, llm: Llm | undefined, question: string, opts: AskOptions = {}): Promise<AskResult> {
  const q = question.trim();
  if (!q) throw new UserError('ask a question, e.g. `ask how can diffusion models sample faster?`');
  const k = Math.min(ASK_MAX_K, Math.max(1, Math.trunc(opts.k ?? ASK_DEFAULT_K)));
  const usage = llm?.usage ?? processUsage;
  const floor = app.config.PAPERFEED_ASK_MIN_SIMILARITY;

  const retrieved = await app.search.searchText(q.slice(0, PROMPT_LIMITS.question), { k, mode: 'hybrid' });
  const relevant = retrieved.filter((r) => r.cosine !== undefined && r.cosine >= floor);
  const sources: AskSource[] = relevant.map((r, i) => ({
    n: i + 1,
    paperId: r.paper.id,
    title: r.paper.title,
    url: paperLink(r.paper),
    similarity: r.cosine!,
  }));
  const result = (status: AskStatus, answer: string, extra: Partial<AskResult> = {}): AskResult => ({
    status,
    answer,
    citations: [],
    sources,
    dropped: [],
    ...extra,
  });

  if (relevant.length === 0) {
    usage.add('ask_nothing_relevant');
    const best = retrieved.reduce<(typeof retrieved)[number] | undefined>(
      (b, r) => (r.cosine !== undefined && (b?.cosine === undefined || r.cosine > b.cosine) ? r : b),
      undefined,
    );
    const closest = best
      ? ` (the closest paper, "${best.paper.title}", has similarity ${best.cosine!.toFixed(2)}; answers need ${floor.toFixed(2)})`
      : '';
    return result('nothing-relevant', `Nothing in the index is relevant enough to answer that${closest}. Try other words, or search for the topic.`);
  }

  if (!llm) {
    usage.add('ask_unavailable');
    return result(
      'unavailable',
      'Answers need a language model and none is configured (set OPENAI_API_KEY or OPENAI_BASE_URL). These papers look relevant:',
      { reason: 'off' },
    );
  }

  let stamp: number | undefined;
  if (opts.user !== undefined) {
    const decision = await llm.rate.take(opts.user).catch(() => undefined);
    if (!decision) {
      usage.add('ask_unavailable');
      return result('unavailable', 'Answers are unavailable right now. These papers look relevant:', { reason: 'error' });
    }
    if (!decision.ok) {
      usage.add('ask_rate_limited');
      return result(
        'rate-limited',
        `You have asked ${decision.limit} question${decision.limit === 1 ? '' : 's'} in the past hour, the most allowed; ` +
          `try again in ${minutes(decision.retryAfterMs)} minute${minutes(decision.retryAfterMs) === 1 ? '' : 's'}. These papers look relevant:`,
        { retryAfterMs: decision.retryAfterMs },
      );
    }
    stamp = decision.stamp;
  }

  const outcome = await llm.chat.complete({ purpose: 'ask', ...askPrompt(q, relevant.map((r) => r.paper)) });
  if (!outcome.ok) {
    // Nothing was sent: the user keeps the slot.
    if (!outcome.sent && opts.user !== undefined && stamp !== undefined) await llm.rate.refund(opts.user, stamp).catch(() => undefined);
    usage.add('ask_unavailable');
    const why =
      outcome.reason === 'budget'
        ? "Answers are unavailable for the rest of the day: the language model's daily budget is spent."
        : 'Answers are unavailable right now: the language model is not responding. Try again in a few minutes.';
    return result('unavailable', `${why} These papers look relevant:`, { reason: outcome.reason });
  }

  const checked = checkCitations(outcome.text, sources.length);
  if (checked.dropped.length) usage.add('ask_dropped_citations', checked.dropped.length);
  if (outcome.text.includes(NO_ANSWER) || checked.text === '') {
    usage.add('ask_nothing_relevant');
    return result('nothing-relevant', "The papers found don't answer that question. These came closest:", { dropped: checked.dropped });
  }
  usage.add('ask_answered');
  return result('answered', checked.text, {
    citations: checked.cited.map((n) => {
      const { similarity: _, ...citation } = sources[n - 1]!;
      return citation;
    }),
    dropped: checked.dropped,
  });
}
