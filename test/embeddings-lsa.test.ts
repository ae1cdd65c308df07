import { describe, expect, it } from 'vitest';
import { fitLsa, type SparseRows, symmetricEigen } from '../embeddings/lsa.ts';

/** Dense row-major matrix → sparse rows. */
function sparse(rows: number[][]): SparseRows {
  const offsets = new Uint32Array(rows.length + 1);
  const indices: number[] = [];
  const values: number[] = [];
  rows.forEach((r, i) => {
    r.forEach((v, j) => {
      if (v !== 0) {
        indices.push(j);
        values.push(v);
      }
    });
    offsets[i + 1] = indices.length;
  });
  return { rows: rows.length, cols: rows[0]!.length, offsets, indices: Uint32Array.from(indices), values: Float32Array.from(values) };
}

describe('symmetricEigen', () => {
  it('diagonalizes a symmetric matrix: A v = λ v, eigenvalues descending', () => {
    const n = 4;
    const A = Float64Array.from([4, 1, 0, 2, 1, 3, 1, 0, 0, 1, 2, 1, 2, 0, 1, 5]);
    const { values, vectors } = symmetricEigen(A, n);
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let k = 0; k < n; k++) av += A[i * n + k]! * vectors[k * n + j]!;
        expect(av).toBeCloseTo(values[j]! * vectors[i * n + j]!, 9);
      }
      if (j > 0) expect(values[j]!).toBeLessThanOrEqual(values[j - 1]!);
    }
    const trace = 4 + 3 + 2 + 5;
    expect(values.reduce((s, x) => s + x, 0)).toBeCloseTo(trace, 9);
  });
});

describe('fitLsa', () => {
  it('recovers the exact singular subspace of a low-rank matrix', () => {
    // Rank 2 by construction: rows mix two term profiles.
    const p = [1, 2, 0, 0, 3, 0];
    const q = [0, 0, 1, 4, 0, 2];
    const rows = [
      [1, 0],
      [0, 1],
      [2, 1],
      [1, 3],
      [0.5, 0.5],
    ].map(([a, b]) => p.map((x, j) => a! * x + b! * q[j]!));
    const fit = fitLsa(sparse(rows), 4, 7);
    expect(fit.rank).toBe(2);
    // Every row lies in the span of the loadings: projecting and lifting back loses nothing.
    for (const r of rows) {
      const z = [0, 1].map((k) => r.reduce((s, x, j) => s + x * fit.loadings[j * fit.rank + k]!, 0));
      const back = r.map((_, j) => z[0]! * fit.loadings[j * fit.rank]! + z[1]! * fit.loadings[j * fit.rank + 1]!);
      back.forEach((x, j) => expect(x).toBeCloseTo(r[j]!, 4));
    }
    // Loadings are orthonormal columns.
    for (let a = 0; a < 2; a++) {
      for (let b = 0; b < 2; b++) {
        let s = 0;
        for (let j = 0; j < 6; j++) s += fit.loadings[j * 2 + a]! * fit.loadings[j * 2 + b]!;
        expect(s).toBeCloseTo(a === b ? 1 : 0, 5);
      }
    }
    expect(fit.singularValues[0]!).toBeGreaterThan(fit.singularValues[1]!);
  });

  it('is reproducible for a seed and handles an empty corpus', () => {
    const X = sparse([
      [1, 0, 2],
      [0, 3, 1],
      [1, 1, 0],
    ]);
    expect(Array.from(fitLsa(X, 2, 1).loadings)).toEqual(Array.from(fitLsa(X, 2, 1).loadings));
    const empty: SparseRows = { rows: 0, cols: 3, offsets: new Uint32Array(1), indices: new Uint32Array(0), values: new Float32Array(0) };
    expect(fitLsa(empty, 2, 1).rank).toBe(0);
  });
});
