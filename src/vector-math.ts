// The vector arithmetic every part shares: embedders normalize, indexes and the recommender score.

/**
 * Inner product of n floats of `a` from offset ao with n floats of `b` from offset bo. Four
 * accumulators let the JIT overlap the multiply-adds; exact scans and ranking spend their time here.
 */
export function dotAt(a: Float32Array, ao: number, b: Float32Array, bo: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += a[ao + i]! * b[bo + i]!;
    s1 += a[ao + i + 1]! * b[bo + i + 1]!;
    s2 += a[ao + i + 2]! * b[bo + i + 2]!;
    s3 += a[ao + i + 3]! * b[bo + i + 3]!;
  }
  for (; i < n; i++) s0 += a[ao + i]! * b[bo + i]!;
  return s0 + s1 + s2 + s3;
}

/** Inner product of two vectors of one length (the cosine, for unit vectors). */
export function dot(a: Float32Array, b: Float32Array): number {
  return dotAt(a, 0, b, 0, a.length);
}

export function l2norm(v: Float32Array): number {
  return Math.sqrt(dotAt(v, 0, v, 0, v.length));
}

/** Scales v to unit length in place (a zero vector stays zero) and returns it. */
export function l2normalize(v: Float32Array): Float32Array {
  const n = l2norm(v);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] = v[i]! / n;
  return v;
}

/** A unit-length copy of v. */
export function normalized(v: Float32Array): Float32Array {
  return l2normalize(Float32Array.from(v));
}
