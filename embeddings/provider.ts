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

export function l2normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const n = Math.sqrt(s);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] = v[i]! / n;
  return v;
}

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
