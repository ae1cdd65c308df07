/**
 * A linear classifier trained per recipient: L2-regularized L2-loss linear SVM solved by dual
 * coordinate descent (Hsieh et al. 2008, LIBLINEAR's default solver). Pure: no I/O, no clock, no
 * randomness beyond a seeded visiting order, so the same examples always give the same model.
 *
 * Why this solver: it converges in a handful of passes on a few hundred examples (milliseconds),
 * has no learning rate to tune, and each pass only touches the features an example has, so sparse
 * TF-IDF rows with a few hundred terms each stay cheap.
 *
 * A row is the concatenation [sparse TF-IDF weights ; denseScale · dense vector ; 1 (bias)].
 */
import type { SparseVector } from '../../embeddings/provider.ts';
import { rng } from '../../embeddings/rng.ts';

export interface FeatureRow {
  /** Unit sparse TF-IDF vector (built-in embedder), when the embedder has one. */
  sparse?: SparseVector | undefined;
  /** Unit dense embedding. */
  dense: Float32Array;
}

export interface Example {
  x: FeatureRow;
  y: 1 | -1;
  /** Scales this example's cost (default 1): a "not for me" counts less than a thumbs-down. */
  weight?: number;
}

export interface LinearModel {
  sparse: Map<number, number>;
  dense: Float64Array;
  denseScale: number;
  bias: number;
}

export interface TrainOptions {
  /** Cost C: lower = smoother model. Classes are balanced on top of it. */
  c: number;
  /** Weight of the dense part of each row against the sparse part. */
  denseScale: number;
  epochs: number;
  seed?: number;
}

/** w · x, bias included. */
export function decision(m: LinearModel, x: FeatureRow): number {
  let s = m.bias;
  if (x.sparse && m.sparse.size > 0) {
    for (const [k, v] of x.sparse) {
      const w = m.sparse.get(k);
      if (w !== undefined) s += w * v;
    }
  }
  if (m.denseScale !== 0) {
    let d = 0;
    const n = Math.min(m.dense.length, x.dense.length);
    for (let i = 0; i < n; i++) d += m.dense[i]! * x.dense[i]!;
    s += m.denseScale * d;
  }
  return s;
}

/** A row with its sparse features renumbered into a dense weight array (training only: array access, not hashing). */
interface CompiledRow {
  idx: Int32Array;
  val: Float64Array;
  dense: Float32Array;
}

function compile(examples: readonly Example[]): { rows: CompiledRow[]; features: number[] } {
  const slot = new Map<number, number>();
  const features: number[] = [];
  const rows = examples.map((e) => {
    const entries = e.x.sparse ? [...e.x.sparse] : [];
    const idx = new Int32Array(entries.length);
    const val = new Float64Array(entries.length);
    entries.forEach(([k, v], j) => {
      let i = slot.get(k);
      if (i === undefined) {
        i = features.push(k) - 1;
        slot.set(k, i);
      }
      idx[j] = i;
      val[j] = v;
    });
    return { idx, val, dense: e.x.dense };
  });
  return { rows, features };
}

/**
 * Trains on labelled rows. With no positive or no negative example there is nothing to separate,
 * and the result is undefined.
 */
export function trainLinearSvm(examples: readonly Example[], opts: TrainOptions): LinearModel | undefined {
  const pos = examples.filter((e) => e.y > 0).length;
  const neg = examples.length - pos;
  if (pos === 0 || neg === 0) return undefined;
  const dim = examples[0]!.x.dense.length;
  const { rows, features } = compile(examples);
  const ws = new Float64Array(features.length);
  const wd = new Float64Array(dim);
  const ds = opts.denseScale;
  let bias = 0;
  const n = examples.length;
  // Balanced classes: each class carries half the total cost, however few examples it has.
  const classCost = { pos: (opts.c * n) / (2 * pos), neg: (opts.c * n) / (2 * neg) };
  const diag = new Float64Array(n);
  const q = new Float64Array(n);
  const alpha = new Float64Array(n);
  rows.forEach((r, i) => {
    const e = examples[i]!;
    const c = (e.y > 0 ? classCost.pos : classCost.neg) * (e.weight ?? 1);
    diag[i] = 1 / (2 * c);
    let norm = 1; // the bias feature
    for (let j = 0; j < r.val.length; j++) norm += r.val[j]! * r.val[j]!;
    let d = 0;
    for (let j = 0; j < r.dense.length; j++) d += r.dense[j]! * r.dense[j]!;
    q[i] = norm + ds * ds * d + diag[i]!;
  });
  const margin = (r: CompiledRow): number => {
    let s = bias;
    for (let j = 0; j < r.idx.length; j++) s += ws[r.idx[j]!]! * r.val[j]!;
    if (ds !== 0) {
      let d = 0;
      for (let j = 0; j < r.dense.length; j++) d += wd[j]! * r.dense[j]!;
      s += ds * d;
    }
    return s;
  };
  const order = Array.from({ length: n }, (_, i) => i);
  const rand = rng(opts.seed ?? 1);
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    let maxChange = 0;
    for (const i of order) {
      const y = examples[i]!.y;
      const r = rows[i]!;
      const g = y * margin(r) - 1 + diag[i]! * alpha[i]!;
      const projected = alpha[i] === 0 ? Math.min(g, 0) : g;
      if (projected === 0) continue;
      const next = Math.max(alpha[i]! - g / q[i]!, 0);
      const delta = next - alpha[i]!;
      if (delta === 0) continue;
      alpha[i] = next;
      const f = delta * y;
      bias += f;
      for (let j = 0; j < r.idx.length; j++) ws[r.idx[j]!]! += f * r.val[j]!;
      if (ds !== 0) for (let j = 0; j < r.dense.length; j++) wd[j]! += f * ds * r.dense[j]!;
      maxChange = Math.max(maxChange, Math.abs(projected));
    }
    if (maxChange < 1e-3) break;
  }
  const sparse = new Map<number, number>();
  features.forEach((k, i) => {
    if (ws[i] !== 0) sparse.set(k, ws[i]!);
  });
  return { sparse, dense: wd, denseScale: ds, bias };
}
