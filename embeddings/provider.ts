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
  close?(): Promise<void>;
}

export function providerKey(id: string, model: string, dimension: number): string {
  return `${id}:${model}:${dimension}`;
}

export { dot, l2normalize } from '../src/index/vector-math.ts';
