import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  builtinDimension,
  createBuiltinProvider,
  DEFAULT_BUILTIN_PARAMS,
  deserializeBuiltin,
  embedBuiltin,
  fitBuiltin,
  fitBuiltinAsync,
  serializeBuiltin,
  sparseBuiltin,
} from '../embeddings/builtin.ts';
import { dot, sparseDot } from '../embeddings/provider.ts';
import { halfSplitTask, loadSampleCorpus, scoreDense, scoreRetrieval } from '../bench/retrieval-eval.ts';
import { encodeState } from '../embeddings/builtin-codec.ts';
import { contentTerms, lightStem, termFrequencies } from '../embeddings/text-features.ts';

// ~30 real papers spread over the sample corpus (every 14th), so topics differ as in real use.
const papers = loadSampleCorpus(join(import.meta.dirname, '..', 'data'))
  .filter((_, i) => i % 14 === 0)
  .slice(0, 30);
const task = halfSplitTask(papers);
const state = fitBuiltin(task.docs);
const provider = createBuiltinProvider(state);
const norm = (v: Float32Array) => Math.sqrt(dot(v, v));

describe('built-in text features', () => {
  it('stems common inflections together and drops stop words', () => {
    expect(lightStem('networks')).toBe(lightStem('network'));
    expect(lightStem('training')).toBe(lightStem('trained'));
    expect(lightStem('studies')).toBe(lightStem('study'));
    expect(lightStem('loss')).toBe('loss');
    expect(contentTerms('The Transformers are trained on the data', false)).toEqual(['transformers', 'trained', 'data']);
  });

  it('counts title words titleWeight times in a text laid out as title, blank line, abstract', () => {
    const opts = { stem: true, bigramWeight: 0.5, titleWeight: 2 };
    const tf = termFrequencies('Graph Networks\n\nWe study graph models.', opts);
    expect(tf.get('graph')).toBeCloseTo(1 + Math.log(3), 12);
    expect(tf.get('network')).toBeCloseTo(1 + Math.log(2), 12);
    expect(tf.get('model')).toBe(1);
    expect(tf.get('graph\u0001network')).toBeCloseTo((1 + Math.log(2)) * 0.5, 12);
    // No pair spans the end of the title.
    expect(tf.has('network\u0001study')).toBe(false);
    // A text without a blank line (a query) is all body.
    expect(termFrequencies('Graph Networks. We study graph models.', opts).get('network')).toBe(1);
  });
});

describe('built-in provider', () => {
  it('has the configured dimension and a model name carrying the fit fingerprint', () => {
    expect(papers).toHaveLength(30);
    expect(provider.id).toBe('builtin');
    expect(provider.dimension).toBe(builtinDimension(DEFAULT_BUILTIN_PARAMS));
    expect(provider.model).toContain(state.fingerprint);
    expect(state.fingerprint).toMatch(/^[0-9a-f]{10}$/);
    expect(provider.key).toBe(`builtin:${provider.model}:${provider.dimension}`);
  });

  it('gives deterministic unit vectors, also for empty text and words never seen when fitting', async () => {
    const texts = [task.docs[0]!, '', 'the of and', 'zyxquorp flembic glarnification', 'Qwen3-Omni 235B'];
    const a = await provider.embed(texts);
    const b = await provider.embed(texts);
    for (let i = 0; i < texts.length; i++) {
      expect(a[i]!.length).toBe(provider.dimension);
      expect(norm(a[i]!)).toBeCloseTo(1, 5);
      expect(Array.from(a[i]!)).toEqual(Array.from(b[i]!));
    }
    // Unseen words still carry meaning: the same rare words find each other.
    const [q, same, other] = await provider.embed([
      'zyxquorp flembic glarnification',
      'a glarnification of zyxquorp',
      task.docs[3]!,
    ]);
    expect(dot(q!, same!)).toBeGreaterThan(dot(q!, other!) + 0.3);
  });

  it("ranks a paper's own first half first for its second half", async () => {
    const docs = await provider.embed(task.docs);
    const queries = await provider.embed(task.queries);
    const scores = scoreDense(docs, queries);
    expect(scores.recallAt1).toBeGreaterThanOrEqual(0.85);
    expect(scores.recallAt10).toBe(1);
  });

  it('gives unit sparse vectors of the same weights, at least as good as the dense ones they are compressed into', async () => {
    const docs = provider.sparse!(task.docs);
    const queries = task.queries.map((q) => sparseBuiltin(state, q));
    for (const v of [...docs, ...provider.sparse!(['', 'the of and'])]) expect(sparseDot(v, v)).toBeCloseTo(1, 9);
    const sparse = scoreRetrieval(docs.length, (q, d) => sparseDot(queries[q]!, docs[d]!));
    const dense = scoreDense(await provider.embed(task.docs), await provider.embed(task.queries));
    expect(sparse.recallAt1).toBeGreaterThanOrEqual(dense.recallAt1);
    expect(sparse.recallAt10).toBe(1);
    // Texts with no shared term are orthogonal, not merely far apart.
    expect(sparseDot(sparseBuiltin(state, 'zyxquorp flembic'), docs[0]!)).toBe(0);
  });

  it('fits the same state from a stream as from an array', async () => {
    async function* stream() {
      yield* task.docs;
    }
    const streamed = await fitBuiltinAsync(stream());
    expect(streamed.fingerprint).toBe(state.fingerprint);
  });

  it('round-trips through serialization with the same vectors and fingerprint', async () => {
    const blob = serializeBuiltin(state);
    const back = await deserializeBuiltin(blob);
    expect(back.fingerprint).toBe(state.fingerprint);
    expect(back.docCount).toBe(30);
    expect(Array.from(embedBuiltin(back, task.queries[5]!))).toEqual(Array.from(embedBuiltin(state, task.queries[5]!)));
    // A copy at an odd byte offset (as read from a larger buffer) decodes too.
    const shifted = new Uint8Array(blob.length + 1);
    shifted.set(blob, 1);
    expect((await deserializeBuiltin(shifted.subarray(1))).fingerprint).toBe(state.fingerprint);
  });

  it('reads a state saved before titles were weighted as one fitted with title weight 1', async () => {
    const old = fitBuiltin(task.docs, { ...DEFAULT_BUILTIN_PARAMS, titleWeight: 1 });
    const { titleWeight: _, ...savedParams } = old.params;
    const back = await deserializeBuiltin(encodeState({ ...old, params: savedParams as typeof old.params }));
    expect(back.params.titleWeight).toBe(1);
    expect(Array.from(embedBuiltin(back, task.docs[2]!))).toEqual(Array.from(embedBuiltin(old, task.docs[2]!)));
  });

  it('refuses a corrupt blob with a clear error', async () => {
    const blob = serializeBuiltin(state);
    const flipped = Buffer.from(blob);
    flipped[Math.floor(flipped.length / 2)]! ^= 0xff;
    await expect(deserializeBuiltin(flipped)).rejects.toThrow(/corrupt built-in embedding state.*checksum mismatch/);
    await expect(deserializeBuiltin(blob.subarray(0, blob.length - 10))).rejects.toThrow(/corrupt built-in embedding state/);
    await expect(deserializeBuiltin(Buffer.from('hello world, not a state at all, really not'))).rejects.toThrow(/bad magic/);
    await expect(deserializeBuiltin(Buffer.alloc(0))).rejects.toThrow(/corrupt built-in embedding state/);
  });

  it('decodes a stored state without holding the event loop: the tables inflate in the thread pool', async () => {
    let turned = false;
    const decoding = deserializeBuiltin(serializeBuiltin(state));
    setImmediate(() => (turned = true));
    expect((await decoding).fingerprint).toBe(state.fingerprint);
    expect(turned).toBe(true);
  });

  it('changes its fingerprint (and so its key) when fitted on another corpus or with other parameters', () => {
    const other = fitBuiltin(task.docs.slice(0, 20));
    expect(other.fingerprint).not.toBe(state.fingerprint);
    expect(createBuiltinProvider(other).key).not.toBe(provider.key);
    const refit = fitBuiltin(task.docs);
    expect(refit.fingerprint).toBe(state.fingerprint);
    const wider = fitBuiltin(task.docs, { ...DEFAULT_BUILTIN_PARAMS, hashDimension: 256 });
    expect(wider.fingerprint).not.toBe(state.fingerprint);
    expect(createBuiltinProvider(wider).dimension).toBe(256 + DEFAULT_BUILTIN_PARAMS.lsaDimension);
  });

  it('works unfitted (empty corpus): plain hashed term vectors', async () => {
    const empty = createBuiltinProvider(fitBuiltin([]));
    const [a, b, c] = await empty.embed([task.docs[0]!, task.queries[0]!, task.queries[1]!]);
    expect(norm(a!)).toBeCloseTo(1, 5);
    expect(dot(a!, b!)).toBeGreaterThan(dot(a!, c!));
  });

  it('rejects invalid parameters', () => {
    expect(() => fitBuiltin([], { ...DEFAULT_BUILTIN_PARAMS, hashDimension: 0 })).toThrow(/hashDimension/);
  });
});
