/**
 * The per-recipient learned model: what the recipient said they want (topic phrases, seed papers,
 * thumbs-up) against what they turned down and a sample of the day's other papers, on the
 * features the store already has (sparse TF-IDF weights of the built-in embedder and the dense
 * vector). Pure: ranking trains it on every call, in milliseconds.
 *
 * With only a topic phrase or one seed there is little to learn from, so the day's few best
 * matches of the explicit anchors join as weaker positives (pseudo-relevance feedback): the model
 * then learns the vocabulary a field shares rather than the phrase's own words only.
 */
import { fnv1a } from '../fnv1a.ts';
import { decision, trainLinearSvm, type Example, type FeatureRow, type LinearModel } from './learn.ts';

export interface LearnTuning {
  /** SVM cost C (classes balanced on top). */
  svmC: number;
  /** Weight of the dense vector against the sparse TF-IDF part of a row. */
  svmDenseScale: number;
  svmEpochs: number;
  /** How many of the day's best anchor matches join as pseudo-positives (at most feedbackShare of the pool). */
  feedbackDepth: number;
  /** A small pool lends few pseudo-positives: they must stay the clear best, not a third of the day. */
  feedbackShare: number;
  /** Training rounds: each after the first takes its pseudo-positives from the previous model's best. */
  feedbackRounds: number;
  /** Their cost relative to an explicit positive. */
  feedbackCost: number;
  /** At most this many of the day's other papers serve as negatives. */
  negativeSample: number;
  /** Cost of an explicit thumbs-down relative to a sampled paper. */
  dislikedCost: number;
}

export interface Labelled {
  x: FeatureRow;
  /** Cost multiplier (a topic's weight, half for "not for me"). */
  weight: number;
}

export interface PoolRow {
  id: string;
  x: FeatureRow;
  /** Similarity to the explicit anchors, less that to disliked papers: picks the pseudo-positives. */
  anchor: number;
}

export function fitRecipientModel(
  positives: readonly Labelled[],
  negatives: readonly Labelled[],
  pool: readonly PoolRow[],
  t: LearnTuning,
): LinearModel | undefined {
  if (positives.length === 0) return undefined;
  let result: LinearModel | undefined;
  let rank = pool.map((r) => r.anchor);
  const depth = Math.min(t.feedbackDepth, Math.floor(pool.length * t.feedbackShare));
  for (let round = 0; round < Math.max(1, t.feedbackRounds); round++) {
    const order = pool.map((r, i) => ({ r, s: rank[i]! })).sort((a, b) => b.s - a.s || a.r.id.localeCompare(b.r.id));
    const pseudo = order.slice(0, depth).filter((x) => round > 0 || x.s > 0).map((x) => x.r);
    const pseudoIds = new Set(pseudo.map((r) => r.id));
    const sample = pool
      .filter((r) => !pseudoIds.has(r.id))
      // By a hash of the id: a sample that is the same on every run and for every recipient.
      .map((r) => ({ r, h: fnv1a(r.id) }))
      .sort((a, b) => a.h - b.h)
      .slice(0, t.negativeSample)
      .map(({ r }) => r);
    const examples: Example[] = [
      ...positives.map((p) => ({ x: p.x, y: 1 as const, weight: p.weight })),
      ...pseudo.map((r) => ({ x: r.x, y: 1 as const, weight: t.feedbackCost })),
      ...negatives.map((n) => ({ x: n.x, y: -1 as const, weight: n.weight * t.dislikedCost })),
      ...sample.map((r) => ({ x: r.x, y: -1 as const })),
    ];
    const model = trainLinearSvm(examples, { c: t.svmC, denseScale: t.svmDenseScale, epochs: t.svmEpochs });
    if (!model) return result;
    result = model;
    rank = pool.map((r) => decision(model, r.x));
  }
  return result;
}
