// Reciprocal rank fusion: merges rankings whose scores are not comparable (BM25 and cosine)
// by rank alone. Cormack, Clarke & Büttcher (SIGIR 2009) found k = 60 a robust constant.
import type { Hit } from './vector-index.ts';

export interface RrfOptions {
  /** Damping constant: larger values flatten the advantage of the very top ranks. */
  k?: number;
  /** One non-negative weight per ranking (default 1 each). */
  weights?: number[];
  /** Keep only the best `limit` fused hits. */
  limit?: number;
}

/**
 * Fused score of an id = Σ weight_i / (k + rank_i), over the rankings that contain it, with
 * rank_i its 1-based position in ranking i. An id listed twice in one ranking counts once,
 * at its first (best) position.
 * Best first; equal scores are ordered by id so the output does not depend on input order.
 */
export function rrf(rankings: Hit[][], opts: RrfOptions = {}): Hit[] {
  const k = opts.k ?? 60;
  if (!Number.isFinite(k) || k < 0) throw new RangeError(`rrf: k must be a finite number >= 0, got ${k}`);
  const weights = opts.weights ?? rankings.map(() => 1);
  if (weights.length !== rankings.length) {
    throw new RangeError(`rrf: ${weights.length} weights given for ${rankings.length} rankings`);
  }
  for (const w of weights) {
    if (!Number.isFinite(w) || w < 0) throw new RangeError(`rrf: weights must be finite and >= 0, got ${w}`);
  }

  const fused = new Map<string, number>();
  rankings.forEach((ranking, i) => {
    const weight = weights[i]!;
    const seen = new Set<string>();
    ranking.forEach(({ id }, position) => {
      if (seen.has(id)) return;
      seen.add(id);
      fused.set(id, (fused.get(id) ?? 0) + weight / (k + position + 1));
    });
  });

  const out = [...fused].map(([id, score]) => ({ id, score }));
  out.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return opts.limit === undefined ? out : out.slice(0, Math.max(0, opts.limit));
}
