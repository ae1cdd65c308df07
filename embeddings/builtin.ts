// The built-in embedding provider: needs no model download, and is fitted on the stored corpus.
//
// A text becomes TF-IDF weights over hashed terms (stemmed words, title words counted more;
// optionally word pairs), then a dense vector of two parts, each L2-normalized:
//   - LSA: the weights projected on the corpus's top latent directions (truncated SVD of the
//     corpus's TF-IDF matrix): topical similarity, robust to wording;
//   - hashed TF-IDF: the weights signed-feature-hashed into a fixed dimension: exact-term
//     similarity, including words never seen when fitting (model names, new jargon).
// The cosine of two vectors is then lsaWeight·cos_LSA + (1 − lsaWeight)·cos_hashed.
import { z } from 'zod';
import { l2norm, l2normalize } from '../src/vector-math.ts';
import { type EmbeddingProvider, providerKey, type SparseVector } from './provider.ts';
import { fitLsa, type SparseRows } from './lsa.ts';
import { type FeatureOptions, termFrequencies } from './text-features.ts';
import { decodeState, encodeState, stateFingerprint } from './builtin-codec.ts';
import { rng } from './rng.ts';
import { createBuiltinEmbedPool } from './builtin-embed-pool.ts';

export interface BuiltinParams extends FeatureOptions {
  /** Dimensions of the hashed TF-IDF part. */
  hashDimension: number;
  /** Dimensions of the LSA part (latent directions kept). */
  lsaDimension: number;
  /** Share of the cosine that comes from the LSA part, 0..1. */
  lsaWeight: number;
  /** Positions each term is hashed to (sparse random projection); 2 gives lighter-tailed noise than 1. */
  hashesPerTerm: number;
  /** IDF factor for terms absent from the fitted corpus: they match no stored paper, so mostly add noise. */
  unseenWeight: number;
  /** Terms are counted per hash bucket: 2^bucketBits buckets. */
  bucketBits: number;
  /** LSA vocabulary: terms in at least minDf documents, at most maxVocab of the most frequent. */
  minDf: number;
  maxVocab: number;
  /** The SVD is fitted on at most this many documents (a seeded uniform sample of the corpus). */
  maxFitDocs: number;
}

export const DEFAULT_BUILTIN_PARAMS: BuiltinParams = {
  hashDimension: 384,
  lsaDimension: 128,
  lsaWeight: 0.5,
  hashesPerTerm: 2,
  unseenWeight: 0.3,
  bucketBits: 20,
  minDf: 1,
  maxVocab: 30_000,
  maxFitDocs: 10_000,
  stem: true,
  bigramWeight: 0,
  titleWeight: 2,
};

export const builtinParamsSchema = z.object({
  hashDimension: z.number().int().min(16).max(8_192),
  lsaDimension: z.number().int().min(0).max(1_024),
  lsaWeight: z.number().min(0).max(1),
  hashesPerTerm: z.number().int().min(1).max(16),
  unseenWeight: z.number().min(0).max(1),
  bucketBits: z.number().int().min(8).max(26),
  minDf: z.number().int().min(1),
  maxVocab: z.number().int().min(0).max(1_000_000),
  maxFitDocs: z.number().int().min(1),
  stem: z.boolean(),
  bigramWeight: z.number().min(0).max(10),
  // States saved before titles were weighted were fitted and embed with weight 1.
  titleWeight: z.number().min(1).max(10).default(1),
});

/** The fitted state. */
export interface BuiltinState {
  params: BuiltinParams;
  docCount: number;
  /** Document frequency per hash bucket. */
  df: Uint32Array;
  /** LSA vocabulary: bucket ids, ascending. */
  vocab: Uint32Array;
  /** vocab.length × lsaDimension, row-major; zero columns past the corpus's rank. */
  loadings: Float32Array;
  /** Short hash of the serialized state: identifies the vector space. */
  fingerprint: string;
}

export function builtinDimension(params: BuiltinParams): number {
  return params.hashDimension + params.lsaDimension;
}

// 32-bit FNV-1a with a seed, then murmur3's finalizer so that every bit is well mixed.
function hash32(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix(h);
}

function fmix(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const SEED_BUCKET = 0x1b873593;
const SEED_LSA = 0x2545f491;

/** Term frequencies keyed by hash bucket (terms that share a bucket add up). */
function bucketFrequencies(text: string, params: BuiltinParams): Map<number, number> {
  const out = new Map<number, number>();
  const shift = 32 - params.bucketBits;
  for (const [term, tf] of termFrequencies(text, params)) {
    const b = hash32(term, SEED_BUCKET) >>> shift;
    out.set(b, (out.get(b) ?? 0) + tf);
  }
  return out;
}

function idf(docCount: number, df: number): number {
  return Math.log((docCount + 1) / (df + 1)) + 1;
}


/** Accumulates the corpus text by text (it may be streamed from the store), then fits. */
export class BuiltinFitter {
  private readonly df: Uint32Array;
  private docCount = 0;
  // Reservoir of documents for the SVD, as bucket → tf lists.
  private readonly sample: { buckets: Uint32Array; tfs: Float32Array }[] = [];
  private readonly random = rng(SEED_LSA);

  constructor(private readonly params: BuiltinParams = DEFAULT_BUILTIN_PARAMS) {
    const parsed = builtinParamsSchema.safeParse(params);
    if (!parsed.success) {
      throw new Error(`invalid built-in embedding parameters: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    this.df = new Uint32Array(2 ** params.bucketBits);
  }

  add(text: string): void {
    const tf = bucketFrequencies(text, this.params);
    for (const b of tf.keys()) this.df[b]!++;
    this.docCount++;
    const doc = { buckets: Uint32Array.from(tf.keys()), tfs: Float32Array.from(tf.values()) };
    if (this.sample.length < this.params.maxFitDocs) this.sample.push(doc);
    else {
      const j = Math.floor(this.random() * this.docCount);
      if (j < this.params.maxFitDocs) this.sample[j] = doc;
    }
  }

  finish(): BuiltinState {
    const { params, df, docCount } = this;
    const vocab = lsaVocabulary(df, params);
    const col = new Map<number, number>();
    vocab.forEach((b, i) => col.set(b, i));
    const loadings = new Float32Array(vocab.length * params.lsaDimension);
    if (params.lsaDimension > 0 && vocab.length > 0) {
      const fit = fitLsa(tfidfRows(this.sample, col, df, docCount, vocab.length), params.lsaDimension, SEED_LSA);
      for (let r = 0; r < vocab.length; r++) {
        for (let j = 0; j < fit.rank; j++) loadings[r * params.lsaDimension + j] = fit.loadings[r * fit.rank + j]!;
      }
    }
    const state = { params: { ...params }, docCount, df: df.slice(), vocab, loadings };
    return { ...state, fingerprint: stateFingerprint(state) };
  }
}

function lsaVocabulary(df: Uint32Array, params: BuiltinParams): Uint32Array {
  const eligible: number[] = [];
  for (let b = 0; b < df.length; b++) if (df[b]! >= params.minDf) eligible.push(b);
  eligible.sort((a, b) => df[b]! - df[a]! || a - b);
  return Uint32Array.from(eligible.slice(0, params.maxVocab)).sort();
}

/** Unit-length TF-IDF rows restricted to the LSA vocabulary (norm taken over all terms). */
function tfidfRows(
  docs: { buckets: Uint32Array; tfs: Float32Array }[],
  col: Map<number, number>,
  df: Uint32Array,
  docCount: number,
  cols: number,
): SparseRows {
  const offsets = new Uint32Array(docs.length + 1);
  const indices: number[] = [];
  const values: number[] = [];
  docs.forEach((d, r) => {
    let norm = 0;
    const w = new Float64Array(d.buckets.length);
    for (let i = 0; i < d.buckets.length; i++) {
      w[i] = d.tfs[i]! * idf(docCount, df[d.buckets[i]!]!);
      norm += w[i]! ** 2;
    }
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < d.buckets.length; i++) {
      const c = col.get(d.buckets[i]!);
      if (c !== undefined) {
        indices.push(c);
        values.push(w[i]! / norm);
      }
    }
    offsets[r + 1] = indices.length;
  });
  return { rows: docs.length, cols, offsets, indices: Uint32Array.from(indices), values: Float32Array.from(values) };
}

/** Fits the state on a corpus of texts (title + abstract of each stored paper). */
export function fitBuiltin(texts: Iterable<string>, params: BuiltinParams = DEFAULT_BUILTIN_PARAMS): BuiltinState {
  const fitter = new BuiltinFitter(params);
  for (const t of texts) fitter.add(t);
  return fitter.finish();
}

/** The same for a streamed corpus. */
export async function fitBuiltinAsync(
  texts: AsyncIterable<string> | Iterable<string>,
  params: BuiltinParams = DEFAULT_BUILTIN_PARAMS,
): Promise<BuiltinState> {
  const fitter = new BuiltinFitter(params);
  for await (const t of texts) fitter.add(t);
  return fitter.finish();
}

export function serializeBuiltin(state: BuiltinState): Buffer {
  return encodeState(state);
}

/** Reads a serialized state back; a truncated, altered or foreign blob is a clear error. */
export async function deserializeBuiltin(buf: Uint8Array): Promise<BuiltinState> {
  const state = await decodeState(buf, builtinParamsSchema);
  return { ...state, fingerprint: stateFingerprint(state) };
}

// A text without a single content word (empty, only stop words or digits) still gets a unit vector.
const NO_TERMS = new Map([[0xffffffff, 1]]);

const vocabIndex = new WeakMap<BuiltinState, Map<number, number>>();

function vocabRows(state: BuiltinState): Map<number, number> {
  let m = vocabIndex.get(state);
  if (!m) {
    m = new Map();
    state.vocab.forEach((b, i) => m!.set(b, i));
    vocabIndex.set(state, m);
  }
  return m;
}

/** TF-IDF weight per hash bucket of a text's terms: what both the dense and the sparse vectors are made of. */
function bucketWeights(state: BuiltinState, text: string): Map<number, number> {
  const { params, df, docCount } = state;
  const tfs = bucketFrequencies(text, params);
  const out = new Map<number, number>();
  for (const [b, tf] of tfs.size > 0 ? tfs : NO_TERMS) {
    const d = df[b] ?? 0;
    out.set(b, tf * idf(docCount, d) * (d === 0 ? params.unseenWeight : 1));
  }
  return out;
}

/** Embeds one text into the state's dense space, unit length. */
export function embedBuiltin(state: BuiltinState, text: string): Float32Array {
  const { params, loadings } = state;
  const k = params.lsaDimension;
  const out = new Float32Array(k + params.hashDimension);
  const lsa = out.subarray(0, k);
  const hashed = out.subarray(k);
  const rows = vocabRows(state);
  for (const [b, w] of bucketWeights(state, text)) {
    let h = b;
    for (let j = 0; j < params.hashesPerTerm; j++) {
      h = fmix(h + 0x9e3779b9);
      hashed[(h >>> 1) % params.hashDimension]! += h & 1 ? w : -w;
    }
    const r = rows.get(b);
    if (r !== undefined) for (let j = 0; j < k; j++) lsa[j]! += w * loadings[r * k + j]!;
  }
  const hashedNorm = l2norm(hashed);
  const lsaNorm = l2norm(lsa);
  // With no LSA signal (unfitted state, only unknown words) the hashed part carries the whole vector.
  const a = lsaNorm > 0 ? params.lsaWeight : 0;
  if (hashedNorm > 0) scale(hashed, Math.sqrt(1 - a) / hashedNorm);
  if (lsaNorm > 0) scale(lsa, Math.sqrt(a) / lsaNorm);
  return l2normalize(out);
}

/**
 * The same TF-IDF weights as a unit sparse vector, before they are hashed down and projected:
 * exact-term similarity without the dense vector's compression noise (which costs about 0.015
 * recall@1 on bench/quality.bench.ts). Cheap enough to rescore a few dozen candidates per query.
 */
export function sparseBuiltin(state: BuiltinState, text: string): SparseVector {
  const weights = bucketWeights(state, text);
  let norm = 0;
  for (const w of weights.values()) norm += w * w;
  norm = Math.sqrt(norm);
  for (const [b, w] of weights) weights.set(b, w / norm);
  return weights;
}

function scale(v: Float32Array, f: number): void {
  for (let i = 0; i < v.length; i++) v[i]! *= f;
}

export function builtinModelName(state: BuiltinState): string {
  return `tfidf-lsa-v1-${state.fingerprint}`;
}

/** Human summary for logs: "built-in TF-IDF + LSA (512-d, fit 1a2b3c4d5e on 425 papers, loaded)". */
export function describeBuiltin(state: BuiltinState, note?: string): string {
  const extra = note ? `, ${note}` : '';
  const papers = `${state.docCount} paper${state.docCount === 1 ? '' : 's'}`;
  return `built-in TF-IDF + LSA (${builtinDimension(state.params)}-d, fit ${state.fingerprint} on ${papers}${extra})`;
}

/**
 * Whether the corpus has outgrown the fit: IDF and latent directions from a much smaller corpus
 * (or none, on a fresh install) describe the stored papers poorly. Refitting changes the
 * fingerprint, so everything is re-embedded (cheap for this provider).
 */
export function builtinNeedsRefit(state: Pick<BuiltinState, 'docCount'>, corpusSize: number): boolean {
  return corpusSize >= 2 * state.docCount + 50;
}

export function createBuiltinProvider(state: BuiltinState): EmbeddingProvider {
  const model = builtinModelName(state);
  const dimension = builtinDimension(state.params);
  return {
    id: 'builtin',
    model,
    dimension,
    key: providerKey('builtin', model, dimension),
    async embed(texts: string[]) {
      return texts.map((t) => embedBuiltin(state, t));
    },
    sparse: (texts) => texts.map((t) => sparseBuiltin(state, t)),
    pool: (threads) => createBuiltinEmbedPool(state, threads),
  };
}
