// Relative score fusion: merges rankings whose scores live on different scales (BM25 and cosine)
// by rescaling each to 0..1 first, then summing with weights. Unlike reciprocal rank fusion it
// keeps how far ahead a hit is, not only its place: on the sample corpus (bench/quality.bench.ts)
// it beat rank fusion, which came out no better than the dense ranking alone.
import { byScoreThenId, type Hit } from './vector-index.ts';

export interface ScoredRanking {
  /** Best first. An id listed twice counts once, at its first (best) position. */
  hits: Hit[];
  /** Non-negative weight of this ranking in the sum. */
  weight: number;
  /**
   * The score that means no evidence at all (BM25: 0, nothing matched). Left out for scores with
   * no such point (cosines of unrelated texts are not 0 for every embedder): the ranking's lowest
   * score then maps to 0.
   */
  zero?: number;
}

/**
 * Fused score of an id = Σ weight_i · (score_i − zero_i) / (best_i − zero_i) over the rankings
 * that contain it, so each ranking's best hit adds its full weight. A ranking whose hits all
 * score alike gives each of them its full weight. Best first; equal scores are ordered by id so
 * the output does not depend on input order. `limit` keeps only the best hits.
 */
export function relativeScoreFusion(rankings: ScoredRanking[], opts: { limit?: number } = {}): Hit[] {
  const fused = new Map<string, number>();
  for (const { hits, weight, zero } of rankings) {
    if (!Number.isFinite(weight) || weight < 0) throw new RangeError(`fusion: weights must be finite and >= 0, got ${weight}`);
    if (hits.length === 0) continue;
    const best = hits.reduce((m, h) => Math.max(m, h.score), -Infinity);
    const floor = zero ?? hits.reduce((m, h) => Math.min(m, h.score), Infinity);
    const range = best - floor;
    const seen = new Set<string>();
    for (const { id, score } of hits) {
      if (seen.has(id)) continue;
      seen.add(id);
      const scaled = range > 0 ? (score - floor) / range : 1;
      fused.set(id, (fused.get(id) ?? 0) + weight * scaled);
    }
  }
  const out = [...fused].map(([id, score]) => ({ id, score }));
  out.sort(byScoreThenId);
  return opts.limit === undefined ? out : out.slice(0, Math.max(0, opts.limit));
}
