// Embedding providers: retrieval quality on the sample corpus without hand labels (index title +
// first half of each abstract, query with the second half; exact cosine search) and embedding
// throughput on this machine. A plain sparse TF-IDF baseline is measured the same way.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bench, Figure } from './figures.ts';
import { timeMs } from './figures.ts';
import { createBuiltinProvider, DEFAULT_BUILTIN_PARAMS, fitBuiltin, type BuiltinParams } from '../embeddings/builtin.ts';
import { makeTinyModel, TINY_MODEL_ID } from '../scripts/make-tiny-model.ts';
import type { EmbeddingProvider } from '../embeddings/provider.ts';
import { halfSplitTask, loadSampleCorpus, type RetrievalScores, type RetrievalTask, scoreDense, scoreRetrieval } from './retrieval-eval.ts';
import { createTransformersProvider } from '../embeddings/transformers.ts';

const BENCH = 'embeddings';
const dataDir = resolve(fileURLToPath(new URL('..', import.meta.url)), 'data');

/**
 * The reference: sparse TF-IDF as commonly configured (scikit-learn's TfidfVectorizer defaults:
 * lowercase, tokens of 2+ word characters, no stop words, raw tf, smooth idf, L2 norm), idf fitted
 * on what is indexed, exact cosine. `sublinear` swaps raw tf for 1 + ln tf (TfidfVectorizer's
 * sublinear_tf=True), the strongest plain variant here (scikit-learn's English stop words add
 * nothing on top; stemming is not part of a plain TfidfVectorizer, and idf fitted on the queries
 * too would use what an index cannot see).
 */
function sparseTfidfBaseline(task: RetrievalTask, sublinear: boolean): RetrievalScores {
  const tokens = (t: string) => {
    const m = new Map<string, number>();
    for (const w of t.toLowerCase().match(/\b\w\w+\b/gu) ?? []) m.set(w, (m.get(w) ?? 0) + 1);
    return m;
  };
  const df = new Map<string, number>();
  for (const d of task.docs) for (const w of tokens(d).keys()) df.set(w, (df.get(w) ?? 0) + 1);
  const n = task.docs.length;
  const vec = (t: string) => {
    const v = new Map<string, number>();
    let s = 0;
    for (const [w, c] of tokens(t)) {
      const x = (sublinear ? 1 + Math.log(c) : c) * (Math.log((n + 1) / ((df.get(w) ?? 0) + 1)) + 1);
      v.set(w, x);
      s += x * x;
    }
    const norm = Math.sqrt(s) || 1;
    for (const [w, x] of v) v.set(w, x / norm);
    return v;
  };
  const docs = task.docs.map(vec);
  const queries = task.queries.map(vec);
  return scoreRetrieval(n, (q, d) => {
    let s = 0;
    for (const [w, x] of queries[q]!) s += x * (docs[d]!.get(w) ?? 0);
    return s;
  });
}

function qualityFigures(name: string, r: RetrievalScores, note: string): Figure[] {
  return [
    { bench: BENCH, metric: `${name} recall@1`, value: r.recallAt1, unit: 'ratio', note },
    { bench: BENCH, metric: `${name} recall@10`, value: r.recallAt10, unit: 'ratio' },
    { bench: BENCH, metric: `${name} MRR@10`, value: r.mrrAt10, unit: 'ratio' },
  ];
}

async function quality(provider: EmbeddingProvider, task: RetrievalTask): Promise<RetrievalScores> {
  return scoreDense(await provider.embed(task.docs), await provider.embed(task.queries));
}

/** Papers per second embedding full title + abstract texts, best of `rounds`. */
async function throughput(provider: EmbeddingProvider, texts: string[], rounds: number): Promise<number> {
  await provider.embed(texts.slice(0, 8)); // warm-up (JIT, first session run)
  let best = Infinity;
  for (let i = 0; i < rounds; i++) best = Math.min(best, await timeMs(() => provider.embed(texts)));
  return texts.length / (best / 1000);
}

const bench: Bench = async ({ quick }) => {
  const papers = loadSampleCorpus(dataDir);
  const task = halfSplitTask(papers);
  const fullTexts = papers.map((p) => `${p.title}\n\n${p.abstract}`);
  const rounds = quick ? 1 : 3;
  const figures: Figure[] = [];
  const corpusNote = `${papers.length} papers from data/, index title + first half, query second half`;

  figures.push(...qualityFigures('sparse TF-IDF baseline', sparseTfidfBaseline(task, false), `${corpusNote}; sparse, exact cosine, raw tf`));
  figures.push(...qualityFigures('sparse TF-IDF sublinear-tf baseline', sparseTfidfBaseline(task, true), 'tf = 1 + ln count, otherwise the same'));

  // The built-in provider is fitted on what is indexed (the stored corpus), never on the queries.
  const variants: [string, BuiltinParams][] = [
    ['builtin (default)', DEFAULT_BUILTIN_PARAMS],
    ...(quick
      ? []
      : ([
          ['builtin hashed only 512-d', { ...DEFAULT_BUILTIN_PARAMS, lsaDimension: 0, hashDimension: 512 }],
          ['builtin + bigrams', { ...DEFAULT_BUILTIN_PARAMS, bigramWeight: 0.3 }],
          ['builtin no title weight', { ...DEFAULT_BUILTIN_PARAMS, titleWeight: 1 }],
          ['builtin no stemming', { ...DEFAULT_BUILTIN_PARAMS, stem: false }],
        ] as [string, BuiltinParams][])),
  ];
  let builtin: EmbeddingProvider | undefined;
  for (const [name, params] of variants) {
    let state!: ReturnType<typeof fitBuiltin>;
    const fitMs = await timeMs(() => {
      state = fitBuiltin(task.docs, params);
    });
    const provider = createBuiltinProvider(state);
    builtin ??= provider;
    const dims = `${provider.dimension}-d (LSA ${params.lsaDimension} + hashed ${params.hashDimension}), stem ${params.stem}, bigrams ${params.bigramWeight}, title ×${params.titleWeight}`;
    figures.push(...qualityFigures(name, await quality(provider, task), dims));
    if (name === 'builtin (default)') {
      figures.push({ bench: BENCH, metric: 'builtin fit time', value: fitMs, unit: 'ms', note: `${task.docs.length} docs` });
    }
  }
  // The reversed split (index title + second half, query first half) for the default and the
  // baselines: a change tuned to one split would show here.
  const reversed = halfSplitTask(papers, { reversed: true });
  const reversedNote = 'index title + second half, query first half';
  figures.push(
    ...qualityFigures('sparse TF-IDF baseline (reversed)', sparseTfidfBaseline(reversed, false), reversedNote),
    ...qualityFigures('sparse TF-IDF sublinear-tf baseline (reversed)', sparseTfidfBaseline(reversed, true), reversedNote),
    ...qualityFigures('builtin (default) (reversed)', await quality(createBuiltinProvider(fitBuiltin(reversed.docs)), reversed), reversedNote),
  );
  figures.push({
    bench: BENCH,
    metric: 'builtin throughput',
    value: await throughput(builtin!, fullTexts, rounds),
    unit: 'papers/s',
    note: 'title + full abstract, one thread',
  });

  // The generated tiny model through the real transformers.js pipeline: random weights, so its
  // quality is a floor, not a claim; its throughput shows the pipeline's overhead.
  const dir = mkdtempSync(join(tmpdir(), 'paperfeed-bench-'));
  try {
    makeTinyModel(join(dir, 'models'));
    const tiny = await createTransformersProvider({
      model: TINY_MODEL_ID,
      modelDir: join(dir, 'models'),
      cacheDir: join(dir, 'cache'),
      offline: true,
      batchSize: 32,
    });
    try {
      figures.push(...qualityFigures('tiny transformers', await quality(tiny, task), `${tiny.dimension}-d generated model, random weights`));
      figures.push({
        bench: BENCH,
        metric: 'tiny transformers throughput',
        value: await throughput(tiny, fullTexts, rounds),
        unit: 'papers/s',
        note: 'batch 32, onnxruntime CPU on this machine',
      });
    } finally {
      await tiny.close?.();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
};

export default bench;
