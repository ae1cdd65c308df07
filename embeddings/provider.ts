/**
 * One interface for every embedding provider. `key` identifies the vector space: vectors from
 * two providers with different keys must never meet in one index.
 */
export interface EmbeddingProvider {
  /** Provider family: 'builtin', 'transformers', 'openai'. */
  readonly id: string;
  /** Model name (or the fitted state's fingerprint for the built-in provider). */
  readonly model: string;
  readonly dimension: number;
  /** `${id}:${model}:${dimension}`, recorded by the index and the vector cache. */
  readonly key: string;
  /** L2-normalized vectors, one per text, in order. */
  embed(texts: string[]): Promise<Float32Array[]>;
  /**
   * Unit-length sparse term vectors, one per text, when the provider has exact-term features
   * (the built-in one does; neural models do not). Hybrid search rescores candidates with them.
   */
  sparse?(texts: string[]): SparseVector[];
  close?(): Promise<void>;
}

/** Feature id → weight; only the features a text has. */
export type SparseVector = Map<number, number>;

/** Dot product of two sparse vectors (their cosine when both are unit length). */
export function sparseDot(a: SparseVector, b: SparseVector): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let s = 0;
  for (const [k, x] of small) s += x * (large.get(k) ?? 0);
  return s;
}

export function providerKey(id: string, model: string, dimension: number): string {
  return `${id}:${model}:${dimension}`;
}

export { dot, l2normalize } from '../src/vector-math.ts';
