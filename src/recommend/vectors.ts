import type { SparseVector } from '../../embeddings/provider.ts';
import { dotAt } from '../vector-math.ts';
export { dot } from '../vector-math.ts';

/** Rows packed in one array, so one candidate is compared with every row in a tight loop. */
export interface PackedRows {
  rows: number;
  dim: number;
  data: Float32Array;
}

export function pack(vectors: readonly Float32Array[]): PackedRows {
  const dim = vectors[0]?.length ?? 0;
  const data = new Float32Array(vectors.length * dim);
  vectors.forEach((v, k) => data.set(v, k * dim));
  return { rows: vectors.length, dim, data };
}

/** out[k] = v · row k. */
export function dotRows(v: Float32Array, m: PackedRows, out: Float64Array): void {
  for (let k = 0; k < m.rows; k++) out[k] = dotAt(v, 0, m.data, k * m.dim, m.dim);
}

/** Weighted mean of unit vectors, re-normalized (a Rocchio centroid). Undefined for no input. */
export function centroid(vectors: readonly Float32Array[], weights?: readonly number[]): Float32Array | undefined {
  const first = vectors[0];
  if (!first) return undefined;
  const out = new Float32Array(first.length);
  vectors.forEach((v, i) => {
    const w = weights?.[i] ?? 1;
    for (let d = 0; d < out.length; d++) out[d]! += w * v[d]!;
  });
  let norm = 0;
  for (let d = 0; d < out.length; d++) norm += out[d]! * out[d]!;
  if (norm === 0) return undefined;
  const inv = 1 / Math.sqrt(norm);
  for (let d = 0; d < out.length; d++) out[d]! *= inv;
  return out;
}

/** Mean of unit sparse vectors, re-normalized; undefined when any is missing (no sparse features). */
export function sparseCentroid(vectors: readonly (SparseVector | undefined)[]): SparseVector | undefined {
  if (vectors.length === 0 || vectors.some((v) => v === undefined)) return undefined;
  const out: SparseVector = new Map();
  for (const v of vectors as SparseVector[]) for (const [k, x] of v) out.set(k, (out.get(k) ?? 0) + x);
  let norm = 0;
  for (const x of out.values()) norm += x * x;
  if (norm === 0) return undefined;
  const inv = 1 / Math.sqrt(norm);
  for (const [k, x] of out) out.set(k, x * inv);
  return out;
}

/** Sum of vectors (for mean-similarity-to-everyone in one pass). */
export function sum(vectors: readonly Float32Array[], dim: number): Float32Array {
  const out = new Float32Array(dim);
  for (const v of vectors) for (let d = 0; d < dim; d++) out[d]! += v[d]!;
  return out;
}

/** Vectors are kept in keyv as base64 of their float32 bytes: compact and exact. */
export function encodeVector(v: Float32Array): string {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
}

export function decodeVector(s: string): Float32Array | undefined {
  const bytes = Buffer.from(s, 'base64');
  if (bytes.length === 0 || bytes.length % 4 !== 0) return undefined;
  // Copy: Buffer's pool offset may not be 4-byte aligned.
  const out = new Float32Array(bytes.length / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
