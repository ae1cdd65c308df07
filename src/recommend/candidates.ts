import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { embeddingText } from '../papers/normalize.ts';
import type { Paper } from '../papers/paper.ts';
import type { RecommendDeps } from './deps.ts';
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
  | { kind: 'date'; date: string; since: string; until: string }
  /** A weekly digest: papers first seen in the last `days` days, whatever the last digest. */
  | { kind: 'last-days'; days: number; since: string; until: string };

/**
 * The window for a digest at `now`:
 * - with a date D: papers published on D or first seen on D (UTC);
 * - with lastDays N (a weekly digest): papers first seen in the last N days;
 * - otherwise papers first seen since the last digest (at most MAX_LOOKBACK_DAYS back);
 * - for a first digest, those first seen in the last FIRST_DIGEST_HOURS hours.
 */
export function candidateWindow(now: Date, lastDigest: string | undefined, date?: string, lastDays?: number): CandidateWindow {
  const until = now.toISOString();
  if (lastDays !== undefined && !date) {
    return { kind: 'last-days', days: lastDays, since: new Date(now.getTime() - lastDays * 24 * HOUR_MS).toISOString(), until };
  }
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

/**
 * Most papers one window offers a digest. A day of arXiv cs.* is one to two thousand papers; a
 * window holding more is a bulk load or a backfill (the whole corpus "first seen" today), where
 * embedding and ranking all of it would cost minutes and gigabytes for one digest: the most
 * recently seen papers stand in for the day.
 */
export const MAX_WINDOW_PAPERS = 5_000;

/** The window's papers from the store, at most `limit` (the most recently seen first). */
export async function windowPapers(app: RecommendDeps, w: CandidateWindow, limit = MAX_WINDOW_PAPERS): Promise<Paper[]> {
  const seen = await app.store.listPapers({ seenSince: w.since, seenBefore: w.until, limit });
  const byId = new Map(seen.map((p) => [p.id, p]));
  if (w.kind === 'date') for (const p of await app.store.listPapers({ published: w.date, limit })) byId.set(p.id, p);
  const papers = [...byId.values()];
  if (papers.length < limit) return papers;
  app.log.info({ limit, window: w.kind }, 'the digest window holds more papers than a day (a bulk load?); ranking the most recently seen');
  return papers.slice(0, limit);
}

/** Sparse TF-IDF vectors of texts, when the embedder has them (the built-in one): features of the learned model. */
export function sparseOf(app: Pick<RecommendDeps, 'embedder'>, texts: string[]): (Candidate['sparse'])[] {
  return app.embedder.sparse && texts.length > 0 ? app.embedder.sparse(texts) : texts.map(() => undefined);
}

/** Texts given sparse vectors at a time by withVectors (a few ms of work). */
const SPARSE_SLICE = 100;

/** Papers with their current vectors (and sparse vectors); a paper that cannot be embedded is left out (and logged). */
export async function withVectors(app: RecommendDeps, papers: Paper[]): Promise<Candidate[]> {
  if (papers.length === 0) return [];
  const vectors = await app.search.vectorsFor(papers);
  const out: Candidate[] = [];
  for (const paper of papers) {
    const vector = vectors.get(paper.id);
    if (vector) out.push({ paper, vector });
  }
  // A full window is thousands of texts: made a slice at a time, so a service answers meanwhile.
  for (let i = 0; i < out.length; i += SPARSE_SLICE) {
    const slice = out.slice(i, i + SPARSE_SLICE);
    sparseOf(app, slice.map((c) => embeddingText(c.paper))).forEach((v, j) => (slice[j]!.sparse = v));
    await yieldToLoop();
  }
  if (out.length < papers.length) app.log.warn({ missing: papers.length - out.length }, 'candidates without a vector were skipped');
  return out;
}
