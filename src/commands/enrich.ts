/**
 * The language model's notes on picked papers (issue 8): a one-sentence TL;DR per card, and a
 * "why this matters to you" line tying the paper to the recipient's topics, put before the
 * embedding-based reasons. Optional in every way: without a model, with the API failing or the
 * budget spent, the reply comes back as it was (with whatever notes could be had).
 */
import type { Llm } from '../llm/index.ts';
import type { Paper } from '../papers/paper.ts';
import type { RecommendDeps } from '../recommend/deps.ts';
import { listTopics, type PicksResult, type Recipient } from '../recommend/index.ts';
import type { EnrichDeps } from './deps.ts';
import type { PaperCard, Reply } from './reply.ts';

/** Why-line requests in flight at once (as many as the TL;DRs use). */
const WHY_CONCURRENCY = 4;

/** Each paper's why-line, where the model gave one. */
async function whyLines(app: RecommendDeps, llm: Llm, recipient: Recipient, papers: readonly Paper[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let topics: string[];
  try {
    topics = (await listTopics(app, recipient)).map((t) => t.text);
  } catch (err) {
    app.log.warn({ err: (err as Error).message }, 'cannot read topics for "why this matters"; using the embedding reasons');
    return out;
  }
  // No topics (a new or seed-only profile): nothing to tie the paper to, and no request is made.
  if (topics.length === 0) return out;
  let next = 0;
  const worker = async () => {
    while (next < papers.length) {
      const paper = papers[next++]!;
      const line = await llm.whyForYou(paper, topics);
      if (line) out.set(paper.id, line);
    }
  };
  await Promise.all(Array.from({ length: Math.min(WHY_CONCURRENCY, papers.length) }, worker));
  return out;
}

function withNotes(card: PaperCard, tldr: string | undefined, why: string | undefined): PaperCard {
  return { ...card, ...(tldr ? { tldr } : {}), why: why ? [why, ...card.why] : card.why };
}

/**
 * `reply` (built by picksReply from `res`) with TL;DRs and why-lines on its cards. Never throws and
 * never fails a digest: anything that goes wrong leaves the cards as they were.
 */
export async function enrichPicks(app: EnrichDeps, res: PicksResult, reply: Reply): Promise<Reply> {
  if (reply.cards.length === 0 || res.picks.length === 0) return reply;
  try {
    const { llm } = app;
    if (!llm) return reply;
    const papers = res.picks.map((p) => p.paper);
    const [tldrs, lines] = await Promise.all([llm.tldrs(papers), whyLines(app, llm, res.recipient, papers)]);
    return { ...reply, cards: reply.cards.map((c) => withNotes(c, tldrs.get(c.paperId), lines.get(c.paperId))) };
  } catch (err) {
    app.log.warn({ err: (err as Error).message }, 'language-model notes failed; the picks go out without them');
    return reply;
  }
}
