// Truncated SVD of a sparse document-term matrix by randomized range finding (Halko, Martinsson &
// Tropp 2011): a few passes over the nonzeros plus small dense algebra, so fitting stays linear in
// the corpus size. Returns the top right singular vectors: term loadings of the latent dimensions.
import { rng } from './rng.ts';

/** Documents as sparse rows over columns 0..cols-1 (flat arrays, row r spans offsets[r]..offsets[r+1]). */
export interface SparseRows {
  rows: number;
  cols: number;
  offsets: Uint32Array;
  indices: Uint32Array;
  values: Float32Array;
}

export interface LsaFit {
  /** Latent dimensions actually found (≤ requested; fewer when the corpus has lower rank). */
  rank: number;
  /** cols × rank, row-major: column c's loading on each latent dimension. */
  loadings: Float32Array;
  singularValues: Float64Array;
}


/** X·M for dense M (cols × l, row-major) → rows × l. */
function mulRight(X: SparseRows, M: Float64Array, l: number): Float64Array {
  const out = new Float64Array(X.rows * l);
  for (let r = 0; r < X.rows; r++) {
    const o = r * l;
    for (let p = X.offsets[r]!; p < X.offsets[r + 1]!; p++) {
      const v = X.values[p]!;
      const m = X.indices[p]! * l;
      for (let j = 0; j < l; j++) out[o + j]! += v * M[m + j]!;
    }
  }
  return out;
}

/** Xᵀ·Q for dense Q (rows × l) → cols × l. */
function mulLeftT(X: SparseRows, Q: Float64Array, l: number): Float64Array {
  const out = new Float64Array(X.cols * l);
  for (let r = 0; r < X.rows; r++) {
    const q = r * l;
    for (let p = X.offsets[r]!; p < X.offsets[r + 1]!; p++) {
      const v = X.values[p]!;
      const o = X.indices[p]! * l;
      for (let j = 0; j < l; j++) out[o + j]! += v * Q[q + j]!;
    }
  }
  return out;
}

/**
 * Orthonormalizes the columns of A (n × l, row-major) in place by modified Gram-Schmidt; a second
 * pass restores orthogonality lost to rounding where it matters (the final basis).
 */
function orthonormalize(A: Float64Array, n: number, l: number, passes = 1): void {
  // Work column-major so that every dot product and update runs over contiguous memory.
  const cols = Array.from({ length: l }, (_, j) => {
    const c = new Float64Array(n);
    for (let r = 0; r < n; r++) c[r] = A[r * l + j]!;
    return c;
  });
  for (let pass = 0; pass < passes; pass++) {
    for (let j = 0; j < l; j++) {
      const cj = cols[j]!;
      for (let i = 0; i < j; i++) {
        const ci = cols[i]!;
        let d = 0;
        for (let r = 0; r < n; r++) d += ci[r]! * cj[r]!;
        if (d !== 0) for (let r = 0; r < n; r++) cj[r]! -= d * ci[r]!;
      }
      let s = 0;
      for (let r = 0; r < n; r++) s += cj[r]! * cj[r]!;
      const norm = Math.sqrt(s);
      // A column in the span of the previous ones carries no new direction: zero it.
      const inv = norm > 1e-10 ? 1 / norm : 0;
      for (let r = 0; r < n; r++) cj[r]! *= inv;
    }
  }
  for (let j = 0; j < l; j++) {
    const c = cols[j]!;
    for (let r = 0; r < n; r++) A[r * l + j] = c[r]!;
  }
}

/** Eigen-decomposition of a small symmetric matrix (cyclic Jacobi); eigenvalues descending. */
export function symmetricEigen(S: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(S);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let total = 0;
  for (let i = 0; i < n * n; i++) total += a[i]! ** 2;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i * n + j]! ** 2;
    if (off <= total * 1e-24) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y * n + y]! - a[x * n + x]!);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = a[src * n + src]!;
    for (let k = 0; k < n; k++) vectors[k * n + dst] = v[k * n + src]!;
  });
  return { values, vectors };
}

/**
 * Top-`k` right singular vectors of X. `oversample` extra directions and `powerIters` passes
 * sharpen the estimate of the leading subspace; the seed fixes the random start.
 */
export function fitLsa(X: SparseRows, k: number, seed: number, oversample = 10, powerIters = 2): LsaFit {
  const l = Math.min(k + oversample, X.rows, X.cols);
  if (l === 0) return { rank: 0, loadings: new Float32Array(0), singularValues: new Float64Array(0) };
  const next = rng(seed);
  const omega = new Float64Array(X.cols * l);
  for (let i = 0; i < omega.length; i++) omega[i] = next() * 2 - 1;
  let Q = mulRight(X, omega, l);
  orthonormalize(Q, X.rows, l);
  for (let it = 0; it < powerIters; it++) {
    const Z = mulLeftT(X, Q, l);
    orthonormalize(Z, X.cols, l);
    Q = mulRight(X, Z, l);
    orthonormalize(Q, X.rows, l, it === powerIters - 1 ? 2 : 1);
  }
  // B = Qᵀ X (l × cols) is kept transposed as Z = Xᵀ Q; B Bᵀ = Zᵀ Z is small.
  const Z = mulLeftT(X, Q, l);
  const C = new Float64Array(l * l);
  for (let c = 0; c < X.cols; c++) {
    const o = c * l;
    for (let i = 0; i < l; i++) {
      const zi = Z[o + i]!;
      if (zi === 0) continue;
      for (let j = i; j < l; j++) C[i * l + j]! += zi * Z[o + j]!;
    }
  }
  for (let i = 0; i < l; i++) for (let j = 0; j < i; j++) C[i * l + j] = C[j * l + i]!;
  const { values, vectors } = symmetricEigen(C, l);
  const top = values.reduce((m, x) => Math.max(m, x), 0);
  let rank = 0;
  while (rank < Math.min(k, l) && values[rank]! > top * 1e-10) rank++;
  // V = Z W Σ⁻¹: right singular vectors; the sign of each is fixed (largest loading positive) for reproducibility.
  const loadings = new Float32Array(X.cols * rank);
  const singularValues = new Float64Array(rank);
  for (let j = 0; j < rank; j++) {
    const sigma = Math.sqrt(values[j]!);
    singularValues[j] = sigma;
    let best = 0;
    const col = new Float64Array(X.cols);
    for (let c = 0; c < X.cols; c++) {
      let s = 0;
      for (let i = 0; i < l; i++) s += Z[c * l + i]! * vectors[i * l + j]!;
      col[c] = s / sigma;
      if (Math.abs(col[c]!) > Math.abs(best)) best = col[c]!;
    }
    const sign = best < 0 ? -1 : 1;
    for (let c = 0; c < X.cols; c++) loadings[c * rank + j] = sign * col[c]!;
  }
  return { rank, loadings, singularValues };
}
