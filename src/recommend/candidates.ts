import { embeddingText } from '../papers/normalize.ts';
import type { Paper } from '../papers/paper.ts';
import type { RecommendApp } from './app-parts.ts';
import type { Candidate } from './rank-types.ts';

const HOUR_MS = 3_600_000;
/** A first digest looks back this far. */
export const FIRST_DIGEST_HOURS = 24;
/** A recipient back after a long pause gets the last week, not a month of backlog. */
export const MAX_LOOKBACK_DAYS = 7;

/** Which papers a digest considers. Times are ISO instants; `until` is exclusive. */
export type CandidateWindow =
  | { kind: 'since-last-digest'; since: string; until: string; capped: boolean }
  | { kind: 'first-digest'; since: string; until: string }
  | { kind: 'date'; date: string; since: string; until: string };

/**
 * The window for a digest at `now`:
 * - with a date D: papers published on D or first seen on D (UTC);
 * - otherwise papers first seen since the last digest (at most MAX_LOOKBACK_DAYS back);
 * - for a first digest, those first seen in the last FIRST_DIGEST_HOURS hours.
 */
export function candidateWindow(now: Date, lastDigest: string | undefined, date?: string): CandidateWindow {
  const until = now.toISOString();
  if (date) {
    const start = new Date(`${date}T00:00:00.000Z`);
    return { kind: 'date', date, since: start.toISOString(), until: new Date(start.getTime() + 24 * HOUR_MS).toISOString() };
  }
  if (!lastDigest) {
    return { kind: 'first-digest', since: new Date(now.getTime() - FIRST_DIGEST_HOURS * HOUR_MS).toISOString(), until };
  }
  const floor = new Date(now.getTime() - MAX_LOOKBACK_DAYS * 24 * HOUR_MS);
  const last = new Date(lastDigest);
  const capped = last < floor;
  return { kind: 'since-last-digest', since: (capped ? floor : last).toISOString(), until, capped };
}

/** The window's papers from the store. */
export async function windowPapers(app: RecommendApp, w: CandidateWindow): Promise<Paper[]> {
  const seen = await app.store.listPapers({ seenSince: w.since, seenBefore: w.until });
  if (w.kind !== 'date') return seen;
  const published = await app.store.listPapers({ published: w.date });
  const byId = new Map(seen.map((p) => [p.id, p]));
  for (const p of published) byId.set(p.id, p);
  return [...byId.values()];
}

/** Sparse TF-IDF vectors of texts, when the embedder has them (the built-in one): features of the learned model. */
export function sparseOf(app: Pick<RecommendApp, 'embedder'>, texts: string[]): (Candidate['sparse'])[] {
  return app.embedder.sparse && texts.length > 0 ? app.embedder.sparse(texts) : texts.map(() => undefined);
}

/** Papers with their current vectors (and sparse vectors); a paper that cannot be embedded is left out (and logged). */
export async function withVectors(app: RecommendApp, papers: Paper[]): Promise<Candidate[]> {
  if (papers.length === 0) return [];
  const vectors = await app.search.vectorsFor(papers);
  const out: Candidate[] = [];
  for (const paper of papers) {
    const vector = vectors.get(paper.id);
    if (vector) out.push({ paper, vector });
  }
  const sparse = sparseOf(app, out.map((c) => embeddingText(c.paper)));
  out.forEach((c, i) => (c.sparse = sparse[i]));
  if (out.length < papers.length) app.log.warn({ missing: papers.length - out.length }, 'candidates without a vector were skipped');
  return out;
}
