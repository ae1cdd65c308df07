// The offline evaluation's own yardstick, independent of paperfeed's embedder: a plain TF-IDF
// (scikit-learn style: word tokens, sublinear tf, smoothed idf, unit rows), groups of related
// papers found by spherical k-means on it, and the baselines (cosine, Rocchio, a linear SVM on
// TF-IDF trained ups vs the rest as arxiv-sanity-lite does).
import { rng } from '../embeddings/rng.ts';
import { sparseDot, type SparseVector } from '../embeddings/provider.ts';
import { decision, trainLinearSvm, type Example } from '../src/recommend/learn.ts';

const STOP = new Set(
  ('a an and are as at be by for from has have in is it its of on or that the this to was were which with we our ' +
    'these this those their they can also such than then into over using use used based via while both more most ' +
    'new show shows model models method methods approach paper propose proposed results performance tasks task data ' +
    'however not but all each other only one two three large across significantly existing work first through during ' +
    'without within well further between achieve achieves demonstrate different including make making may'
  ).split(/\s+/),
);

const tokens = (text: string): string[] => (text.toLowerCase().match(/[a-z][a-z0-9]+/g) ?? []).filter((t) => !STOP.has(t));

export interface TfIdf {
  vocab: Map<string, number>;
  terms: string[];
  rows: SparseVector[];
  embed(text: string): SparseVector;
}

export function fitTfIdf(texts: readonly string[]): TfIdf {
  const vocab = new Map<string, number>();
  const terms: string[] = [];
  const df: number[] = [];
  const counts = texts.map((t) => {
    const c = new Map<number, number>();
    for (const w of tokens(t)) {
      let id = vocab.get(w);
      if (id === undefined) {
        id = terms.push(w) - 1;
        vocab.set(w, id);
        df.push(0);
      }
      c.set(id, (c.get(id) ?? 0) + 1);
    }
    for (const id of c.keys()) df[id]!++;
    return c;
  });
  const n = texts.length;
  const idf = df.map((d) => Math.log((1 + n) / (1 + d)) + 1);
  const weigh = (c: Map<number, number>): SparseVector => {
    const out: SparseVector = new Map();
    let norm = 0;
    for (const [id, tf] of c) {
      const w = (1 + Math.log(tf)) * idf[id]!;
      out.set(id, w);
      norm += w * w;
    }
    norm = Math.sqrt(norm) || 1;
    for (const [id, w] of out) out.set(id, w / norm);
    return out;
  };
  const embed = (text: string) => {
    const c = new Map<number, number>();
    for (const w of tokens(text)) {
      const id = vocab.get(w);
      if (id !== undefined) c.set(id, (c.get(id) ?? 0) + 1);
    }
    return weigh(c);
  };
  return { vocab, terms, rows: counts.map(weigh), embed };
}

function meanOf(rows: readonly SparseVector[], weights?: readonly number[]): SparseVector {
  const out: SparseVector = new Map();
  rows.forEach((r, i) => {
    const f = (weights?.[i] ?? 1) / rows.length;
    for (const [k, v] of r) out.set(k, (out.get(k) ?? 0) + f * v);
  });
  let norm = 0;
  for (const v of out.values()) norm += v * v;
  norm = Math.sqrt(norm) || 1;
  for (const [k, v] of out) out.set(k, v / norm);
  return out;
}

export interface Group {
  label: string;
  members: number[];
}

/**
 * Groups of related papers: spherical k-means (seeded k-means++) on the TF-IDF rows, keeping the
 * most cohesive clusters of a usable size. Each group is labelled by its centroid's two heaviest
 * terms, which is what its topic user types.
 */
export function findGroups(tf: TfIdf, count: number, seed = 13): Group[] {
  const rows = tf.rows;
  const k = 30;
  const rand = rng(seed);
  const centroids: SparseVector[] = [rows[Math.floor(rand() * rows.length)]!];
  while (centroids.length < k) {
    const d = rows.map((r) => 1 - Math.max(...centroids.map((c) => sparseDot(r, c))));
    const total = d.reduce((a, b) => a + b, 0);
    let x = rand() * total;
    let i = 0;
    while (i < d.length - 1 && (x -= d[i]!) > 0) i++;
    centroids.push(rows[i]!);
  }
  let assign: number[] = [];
  for (let iter = 0; iter < 25; iter++) {
    assign = rows.map((r) => {
      let best = 0;
      let bestSim = -Infinity;
      centroids.forEach((c, j) => {
        const s = sparseDot(r, c);
        if (s > bestSim) [best, bestSim] = [j, s];
      });
      return best;
    });
    for (let j = 0; j < k; j++) {
      const members = rows.filter((_, i) => assign[i] === j);
      if (members.length > 0) centroids[j] = meanOf(members);
    }
  }
  const clusters = centroids.map((c, j) => {
    const members = assign.flatMap((a, i) => (a === j ? [i] : []));
    const cohesion = members.reduce((s, i) => s + sparseDot(rows[i]!, c), 0) / Math.max(1, members.length);
    const top = [...c].sort((a, b) => b[1] - a[1]).slice(0, 2).map(([id]) => tf.terms[id]!);
    return { label: top.join(' '), members, cohesion };
  });
  return clusters
    .filter((c) => c.members.length >= 12 && c.members.length <= 60)
    .sort((a, b) => b.cohesion - a.cohesion)
    .slice(0, count)
    .map(({ label, members }) => ({ label, members }));
}

/** Indices of the top k papers by score, never one of `exclude`. */
export function topK(scores: readonly number[], k: number, exclude: ReadonlySet<number>): number[] {
  return scores
    .map((s, i) => ({ s, i }))
    .filter((x) => !exclude.has(x.i))
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .slice(0, k)
    .map((x) => x.i);
}

export const cosineScores = (tf: TfIdf, query: SparseVector): number[] => tf.rows.map((r) => sparseDot(r, query));

/** Rocchio with no query text: 0.75 · mean(ups) − 0.15 · mean(downs) (the textbook β and γ). */
export function rocchioScores(tf: TfIdf, ups: number[], downs: number[]): number[] {
  const q: SparseVector = new Map();
  const add = (rows: number[], f: number) => {
    for (const i of rows) for (const [k, v] of tf.rows[i]!) q.set(k, (q.get(k) ?? 0) + (f / rows.length) * v);
  };
  add(ups, 0.75);
  if (downs.length) add(downs, -0.15);
  return cosineScores(tf, q);
}

/** arxiv-sanity-lite: LinearSVC(class_weight='balanced', C=0.01) on TF-IDF, the liked papers vs every other paper. */
export function svmScores(tf: TfIdf, positives: SparseVector[], upIndices: ReadonlySet<number>): number[] {
  const none = new Float32Array(0);
  const examples: Example[] = [
    ...positives.map((x) => ({ x: { sparse: x, dense: none }, y: 1 as const })),
    ...tf.rows.flatMap((x, i) => (upIndices.has(i) ? [] : [{ x: { sparse: x, dense: none }, y: -1 as const }])),
  ];
  const model = trainLinearSvm(examples, { c: 0.01, denseScale: 0, epochs: 50 });
  return tf.rows.map((x) => (model ? decision(model, { sparse: x, dense: none }) : 0));
}

/**
 * A stronger baseline than the issue's, to show what pseudo-relevance feedback alone gives on the
 * bench's TF-IDF: Rocchio expansion of the query by its `depth` best hits (q + 0.75 · mean of
 * them; thumbs-down papers, when given, at −0.15 · their mean), never counting `exclude`.
 */
export function prfScores(tf: TfIdf, ups: readonly SparseVector[], downs: readonly SparseVector[], exclude: ReadonlySet<number>, depth = 5): number[] {
  const q: SparseVector = new Map();
  const add = (rows: readonly SparseVector[], f: number) => {
    for (const r of rows) for (const [k, v] of r) q.set(k, (q.get(k) ?? 0) + (f / rows.length) * v);
  };
  add(ups, 1);
  if (downs.length) add(downs, -0.15);
  const top = topK(cosineScores(tf, q), depth, exclude).map((i) => tf.rows[i]!);
  add(top, 0.75);
  return cosineScores(tf, q);
}
