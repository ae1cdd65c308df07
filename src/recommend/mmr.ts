import { dot } from './vectors.ts';

/**
 * Maximal marginal relevance (Carbonell & Goldstein 1998): repeatedly take the item maximizing
 * λ·score − (1−λ)·(highest similarity to an item already taken). λ = 1 is plain top-k.
 * Items must come sorted by score, best first (ties then keep that order).
 */
export function mmrSelect<T extends { score: number; vector: Float32Array }>(items: readonly T[], n: number, lambda: number): T[] {
  const chosen: T[] = [];
  const taken = new Uint8Array(items.length);
  const maxSim = new Float64Array(items.length).fill(-Infinity);
  while (chosen.length < Math.min(n, items.length)) {
    let best = -1;
    let bestValue = -Infinity;
    for (let i = 0; i < items.length; i++) {
      if (taken[i]) continue;
      const redundancy = chosen.length === 0 ? 0 : maxSim[i]!;
      const value = lambda * items[i]!.score - (1 - lambda) * redundancy;
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    }
    if (best < 0) break;
    taken[best] = 1;
    const pick = items[best]!;
    chosen.push(pick);
    for (let i = 0; i < items.length; i++) {
      if (!taken[i]) maxSim[i] = Math.max(maxSim[i]!, dot(items[i]!.vector, pick.vector));
    }
  }
  return chosen;
}

/** Mean cosine similarity over all pairs: how redundant a list of picks is. */
export function meanPairwiseSimilarity(vectors: readonly Float32Array[]): number {
  let total = 0;
  let pairs = 0;
  for (let i = 0; i < vectors.length; i++) {
    for (let j = i + 1; j < vectors.length; j++) {
      total += dot(vectors[i]!, vectors[j]!);
      pairs++;
    }
  }
  return pairs === 0 ? 0 : total / pairs;
}
