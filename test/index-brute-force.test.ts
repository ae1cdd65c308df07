import { describe, expect, it } from 'vitest';
import { BruteForceIndex, exactTopK, exactTopKBatch, normalized } from '../src/index/brute-force.ts';
import { IndexMismatchError } from '../src/index/vector-index.ts';

function randomMatrix(rows: number, dim: number, seed: number): Float32Array {
  let s = seed;
  const m = new Float32Array(rows * dim);
  for (let i = 0; i < m.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    m[i] = s / 2147483648 - 0.5;
  }
  for (let r = 0; r < rows; r++) m.set(normalized(m.subarray(r * dim, (r + 1) * dim)), r * dim);
  return m;
}

/** The obvious O(n log n) reference: every score, sorted. */
function sortedScores(m: Float32Array, dim: number, rows: number, q: Float32Array) {
  const all = [];
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += m[r * dim + j]! * q[j]!;
    all.push({ row: r, score: s });
  }
  return all.sort((a, b) => b.score - a.score || a.row - b.row);
}

describe('exactTopK', () => {
  it('equals a full sort, for dimensions that are and are not multiples of four', () => {
    for (const dim of [8, 13]) {
      const m = randomMatrix(500, dim, 7 + dim);
      const q = normalized(randomMatrix(1, dim, 99));
      const got = exactTopK(m, dim, 500, q, 10);
      const want = sortedScores(m, dim, 500, q).slice(0, 10);
      expect(got.map((h) => h.row)).toEqual(want.map((h) => h.row));
      got.forEach((h, i) => expect(h.score).toBeCloseTo(want[i]!.score, 6));
    }
  });

  it('gives the same answers one query at a time and in a batch', () => {
    const dim = 13;
    const rows = 3000; // several scan blocks
    const m = randomMatrix(rows, dim, 5);
    const qs = randomMatrix(7, dim, 6);
    const batch = exactTopKBatch(m, dim, rows, qs, 7, 10);
    expect(batch).toHaveLength(7);
    for (let q = 0; q < 7; q++) {
      expect(batch[q]).toEqual(exactTopK(m, dim, rows, qs.subarray(q * dim, (q + 1) * dim), 10));
    }
    expect(exactTopKBatch(m, dim, 3, qs, 2, 10).map((hits) => hits.length)).toEqual([3, 3]);
  });

  it('filters rows and returns fewer than k when fewer pass', () => {
    const m = randomMatrix(100, 8, 3);
    const q = normalized(randomMatrix(1, 8, 4));
    const got = exactTopK(m, 8, 100, q, 10, (r) => r % 25 === 0);
    expect(got.map((h) => h.row).sort((a, b) => a - b)).toEqual([0, 25, 50, 75]);
    expect(exactTopK(m, 8, 100, q, 0)).toEqual([]);
  });
});

describe('BruteForceIndex', () => {
  it('adds, replaces and removes, filling the hole left by a removal', () => {
    const dim = 8;
    const m = randomMatrix(6, dim, 11);
    const row = (i: number) => m.slice(i * dim, (i + 1) * dim);
    const index = new BruteForceIndex({ providerKey: 'p:m:8', dimension: dim, initialCapacity: 2 });
    index.upsert([0, 1, 2, 3, 4].map((i) => ({ id: `id${i}`, vector: row(i) })));
    expect(index.info().count).toBe(5);
    index.remove('id1');
    expect(index.has('id1')).toBe(false);
    expect(index.search(row(4), 1)[0]!.id).toBe('id4');
    expect(index.search(row(1), 10).map((h) => h.id)).not.toContain('id1');
    index.upsert([{ id: 'id4', vector: row(5) }]);
    expect(index.search(row(5), 1)[0]).toMatchObject({ id: 'id4' });
    expect(index.search(row(5), 1)[0]!.score).toBeCloseTo(1, 6);
    expect(index.info().count).toBe(4);
  });

  it('refuses vectors of another dimension', () => {
    const index = new BruteForceIndex({ providerKey: 'p:m:8', dimension: 8 });
    expect(() => index.search(new Float32Array(4).fill(1), 1)).toThrow(IndexMismatchError);
  });
});
