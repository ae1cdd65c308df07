// Exact nearest-neighbour search by a full scan: the reference that HNSW results are measured
// against (benchmarks, tests), and a fine index in its own right for a few thousand papers.
import {
  assertCompatibleVector,
  type Hit,
  type IndexInfo,
  type VectorIndex,
  type VectorUseOptions,
} from './vector-index.ts';
import { dotAt, normalized } from '../vector-math.ts';

/** A row of a packed matrix and its inner product with the query. */
export interface RowHit {
  row: number;
  score: number;
}

/**
 * The k rows of `matrix` (row-major, `dimension` floats per row, `rows` rows) with the largest
 * inner product with `query`, best first; ties go to the lower row. For unit vectors the inner
 * product is the cosine similarity. `accept` filters rows before they compete for the top k.
 */
export function exactTopK(
  matrix: Float32Array,
  dimension: number,
  rows: number,
  query: Float32Array,
  k: number,
  accept?: (row: number) => boolean,
): RowHit[] {
  if (k <= 0 || rows <= 0) return [];
  const top = Math.min(k, rows);
  const bestRows = new Int32Array(top).fill(-1);
  const bestScores = new Float64Array(top).fill(-Infinity);
  let filled = 0;
  for (let r = 0; r < rows; r++) {
    if (accept && !accept(r)) continue;
    const s = dotAt(matrix, r * dimension, query, 0, dimension);
    if (filled === top && s <= bestScores[top - 1]!) continue;
    let p = filled < top ? filled++ : top - 1;
    while (p > 0 && bestScores[p - 1]! < s) {
      bestScores[p] = bestScores[p - 1]!;
      bestRows[p] = bestRows[p - 1]!;
      p--;
    }
    bestScores[p] = s;
    bestRows[p] = r;
  }
  const out: RowHit[] = [];
  for (let i = 0; i < filled; i++) out.push({ row: bestRows[i]!, score: bestScores[i]! });
  return out;
}

/**
 * exactTopK for many queries at once (`queries` packed like `matrix`). Rows are scanned in
 * cache-sized blocks against every query, so the matrix streams from memory once rather than
 * once per query: the way to compute ground truth over a large matrix.
 */
export function exactTopKBatch(
  matrix: Float32Array,
  dimension: number,
  rows: number,
  queries: Float32Array,
  queryCount: number,
  k: number,
): RowHit[][] {
  const top = Math.max(0, Math.min(k, rows));
  const bestRows = new Int32Array(queryCount * top).fill(-1);
  const bestScores = new Float64Array(queryCount * top).fill(-Infinity);
  const filled = new Int32Array(queryCount);
  const block = Math.max(1, Math.floor((256 * 1024) / (dimension * 4)));
  for (let start = 0; start < rows && top > 0; start += block) {
    const end = Math.min(rows, start + block);
    for (let q = 0; q < queryCount; q++) {
      const qo = q * dimension;
      const base = q * top;
      for (let r = start; r < end; r++) {
        const s = dotAt(matrix, r * dimension, queries, qo, dimension);
        const n = filled[q]!;
        if (n === top && s <= bestScores[base + top - 1]!) continue;
        let p = n < top ? (filled[q] = n + 1) - 1 : top - 1;
        while (p > 0 && bestScores[base + p - 1]! < s) {
          bestScores[base + p] = bestScores[base + p - 1]!;
          bestRows[base + p] = bestRows[base + p - 1]!;
          p--;
        }
        bestScores[base + p] = s;
        bestRows[base + p] = r;
      }
    }
  }
  const out: RowHit[][] = [];
  for (let q = 0; q < queryCount; q++) {
    const hits: RowHit[] = [];
    for (let i = 0; i < filled[q]!; i++) hits.push({ row: bestRows[q * top + i]!, score: bestScores[q * top + i]! });
    out.push(hits);
  }
  return out;
}

export { normalized } from '../vector-math.ts';

/**
 * An in-memory VectorIndex with exact answers. Vectors live in one packed, growable
 * Float32Array; a removed row is filled by the last row so the scan never sees holes.
 * Nothing is persisted: `save()` does nothing.
 */
export class BruteForceIndex implements VectorIndex {
  readonly providerKey: string;
  readonly dimension: number;
  private matrix: Float32Array;
  private ids: string[] = [];
  private rowOf = new Map<string, number>();
  private corpusChecksum: string | undefined;

  constructor(opts: { providerKey: string; dimension: number; initialCapacity?: number }) {
    this.providerKey = opts.providerKey;
    this.dimension = opts.dimension;
    this.matrix = new Float32Array(Math.max(1, opts.initialCapacity ?? 256) * opts.dimension);
  }

  info(): IndexInfo {
    return {
      providerKey: this.providerKey,
      dimension: this.dimension,
      count: this.ids.length,
      ...(this.corpusChecksum === undefined ? {} : { corpusChecksum: this.corpusChecksum }),
    };
  }

  setCorpusChecksum(checksum: string): void {
    this.corpusChecksum = checksum;
  }

  has(id: string): boolean {
    return this.rowOf.has(id);
  }

  upsert(items: { id: string; vector: Float32Array }[], opts?: VectorUseOptions): void {
    for (const item of items) assertCompatibleVector(this, item.vector, opts);
    for (const { id, vector } of items) {
      let row = this.rowOf.get(id);
      if (row === undefined) {
        row = this.ids.length;
        this.ensureCapacity(row + 1);
        this.ids.push(id);
        this.rowOf.set(id, row);
      }
      this.matrix.set(normalized(vector), row * this.dimension);
    }
  }

  remove(id: string): void {
    const row = this.rowOf.get(id);
    if (row === undefined) return;
    const last = this.ids.length - 1;
    if (row !== last) {
      const d = this.dimension;
      this.matrix.copyWithin(row * d, last * d, (last + 1) * d);
      const moved = this.ids[last]!;
      this.ids[row] = moved;
      this.rowOf.set(moved, row);
    }
    this.ids.pop();
    this.rowOf.delete(id);
  }

  search(vector: Float32Array, k: number, accept?: (id: string) => boolean, opts?: VectorUseOptions): Hit[] {
    assertCompatibleVector(this, vector, opts);
    const ids = this.ids;
    const hits = exactTopK(
      this.matrix,
      this.dimension,
      ids.length,
      normalized(vector),
      k,
      accept && ((row) => accept(ids[row]!)),
    );
    return hits.map((h) => ({ id: ids[h.row]!, score: h.score }));
  }

  async save(): Promise<void> {}

  private ensureCapacity(rows: number): void {
    if (rows * this.dimension <= this.matrix.length) return;
    const next = new Float32Array(Math.max(rows, (this.matrix.length / this.dimension) * 2) * this.dimension);
    next.set(this.matrix);
    this.matrix = next;
  }
}
