/** Dot product; four accumulators let the JIT overlap the multiply-adds (about 1.5× faster). */
export function dot(a: Float32Array, b: Float32Array): number {
  const n = a.length;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += a[i]! * b[i]!;
    s1 += a[i + 1]! * b[i + 1]!;
    s2 += a[i + 2]! * b[i + 2]!;
    s3 += a[i + 3]! * b[i + 3]!;
  }
  for (; i < n; i++) s0 += a[i]! * b[i]!;
  return s0 + s1 + s2 + s3;
}

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
  const { dim, data } = m;
  for (let k = 0; k < m.rows; k++) {
    const o = k * dim;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let i = 0;
    for (; i + 3 < dim; i += 4) {
      s0 += v[i]! * data[o + i]!;
      s1 += v[i + 1]! * data[o + i + 1]!;
      s2 += v[i + 2]! * data[o + i + 2]!;
      s3 += v[i + 3]! * data[o + i + 3]!;
    }
    for (; i < dim; i++) s0 += v[i]! * data[o + i]!;
    out[k] = s0 + s1 + s2 + s3;
  }
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
