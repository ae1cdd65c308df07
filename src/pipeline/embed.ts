import { availableParallelism } from 'node:os';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { EmbeddingProvider } from '../../embeddings/provider.ts';
import { contentHash, embeddingText } from '../papers/normalize.ts';
import type { Paper } from '../papers/paper.ts';
import type { PaperStore } from '../store/paper-store.ts';

export type Progress = (done: number, total: number) => void;

/**
 * Vectors for these papers under the provider: cached ones come from the store by content hash,
 * the rest are embedded in batches and cached, so unchanged text is never embedded twice. The
 * event loop runs between batches: a long embedding run never holds up a serving process.
 */
export async function embedPapers(
  store: PaperStore,
  provider: EmbeddingProvider,
  papers: Paper[],
  /** cacheIfFree: a query's embedding, cached only if no other process is writing the store (putCachedVectors). */
  opts: { batchSize?: number; onProgress?: Progress; cacheIfFree?: boolean } = {},
): Promise<{ vectors: Map<string, Float32Array>; embedded: number }> {
  const hashes = papers.map((p) => contentHash(p));
  const cached = await store.getCachedVectors(provider.key, [...new Set(hashes)]);
  const vectors = new Map<string, Float32Array>();
  const todo = new Map<string, Paper>();
  papers.forEach((p, i) => {
    const hit = cached.get(hashes[i]!);
    if (hit) vectors.set(p.id, hit);
    else todo.set(hashes[i]!, p);
  });
  const pending = [...todo.entries()];
  const batchSize = opts.batchSize ?? 32;
  const fresh = new Map<string, Float32Array>();
  opts.onProgress?.(0, pending.length);
  for (let i = 0; i < pending.length; i += batchSize) {
    if (i > 0) await yieldToLoop();
    const batch = pending.slice(i, i + batchSize);
    const out = await provider.embed(batch.map(([, p]) => embeddingText(p)));
    const entries = batch.map(([hash], j) => ({ contentHash: hash, vector: out[j]! }));
    // Cache each batch as it completes: an interrupted run keeps what it already paid for.
    await store.putCachedVectors(provider.key, entries, { ifFree: opts.cacheIfFree === true });
    for (const e of entries) fresh.set(e.contentHash, e.vector);
    opts.onProgress?.(Math.min(i + batchSize, pending.length), pending.length);
  }
  papers.forEach((p, i) => {
    const v = fresh.get(hashes[i]!);
    if (v) vectors.set(p.id, v);
  });
  return { vectors, embedded: pending.length };
}

/** Below this many texts a bulk run embeds in this thread: starting workers costs about a second. */
export const POOL_FROM = 5_000;
/** Texts per worker batch: large enough that messaging is noise, small enough to cache often. */
const POOL_BATCH = 2_000;
/** Papers embedded in this thread between two yields to the event loop. */
const IN_THREAD_CHUNK = 256;

/** One worker batch: distinct texts by content hash, and the papers that share each text. */
interface BulkBatch {
  texts: [hash: string, text: string][];
  papers: Map<string, string[]>;
  /** Papers read for this batch, including those whose vector was cached meanwhile. */
  count: number;
}

/**
 * Embeds the papers with these ids, known to miss a cached vector (a new generation over a whole
 * corpus), and caches the vectors; returns how many texts were embedded. With a provider that has
 * a pool and enough papers, batches run on worker threads, one per core, while this thread writes
 * the finished ones, each batch in its own transaction (an interrupted run keeps what it paid for).
 * Papers are read from the store a batch at a time, just before their batch is sent: holding a
 * whole corpus's papers and texts at once cost gigabytes at a million papers.
 */
export async function embedInBulk(
  store: PaperStore,
  provider: EmbeddingProvider,
  ids: readonly string[],
  opts: {
    batchSize?: number;
    threads?: number;
    /** Papers done of the ids given. */
    onProgress?: Progress;
    signal?: AbortSignal;
    /** Each step's vectors by paper, once they are cached. */
    onVectors?: (vectors: { paperId: string; vector: Float32Array }[]) => Promise<void> | void;
  } = {},
): Promise<number> {
  const { onProgress, signal, onVectors } = opts;
  const threads = opts.threads ?? availableParallelism();
  if (!provider.pool || ids.length < POOL_FROM || threads < 1) {
    let embedded = 0;
    for (let i = 0; i < ids.length; i += IN_THREAD_CHUNK) {
      signal?.throwIfAborted();
      const papers = await store.getPapers(ids.slice(i, i + IN_THREAD_CHUNK));
      const step = await embedPapers(store, provider, papers, opts.batchSize === undefined ? {} : { batchSize: opts.batchSize });
      embedded += step.embedded;
      await onVectors?.([...step.vectors].map(([paperId, vector]) => ({ paperId, vector })));
      onProgress?.(Math.min(i + IN_THREAD_CHUNK, ids.length), ids.length);
      await yieldToLoop();
    }
    return embedded;
  }
  // Texts already sent to a worker and not yet cached: a paper with the same text joins that batch.
  const sentTexts = new Map<string, string[]>();
  let read = 0;
  /** The next batch: its papers read, texts cached since the ids were listed handed on at once. */
  const nextBatch = async (): Promise<BulkBatch | undefined> => {
    if (read >= ids.length) return undefined;
    const slice = ids.slice(read, read + POOL_BATCH);
    read += slice.length;
    const papers = await store.getPapers(slice);
    const hashes = papers.map((p) => contentHash(p));
    const cached = await store.getCachedVectors(provider.key, [...new Set(hashes)]);
    const batch: BulkBatch = { texts: [], papers: new Map(), count: slice.length };
    const ready: { paperId: string; vector: Float32Array }[] = [];
    papers.forEach((p, i) => {
      const hash = hashes[i]!;
      const vector = cached.get(hash);
      if (vector) return void ready.push({ paperId: p.id, vector });
      const waiting = sentTexts.get(hash) ?? batch.papers.get(hash);
      if (waiting) return void waiting.push(p.id);
      batch.texts.push([hash, embeddingText(p)]);
      batch.papers.set(hash, [p.id]);
    });
    if (ready.length > 0) await onVectors?.(ready);
    return batch;
  };
  const pool = provider.pool(threads);
  try {
    // Every worker busy and one batch more queued, in order: the writes here keep up with them.
    const inFlight: { batch: BulkBatch; vectors: Promise<Float32Array[]> }[] = [];
    let embedded = 0;
    let done = 0;
    onProgress?.(0, ids.length);
    for (;;) {
      while (inFlight.length <= pool.threads) {
        const batch = await nextBatch();
        if (!batch) break;
        const vectors = batch.texts.length > 0 ? pool.embed(batch.texts.map(([, t]) => t)) : Promise.resolve([]);
        // Awaited in turn below; batches rejected by a close after a failure must not count as unhandled.
        vectors.catch(() => {});
        for (const [hash, paperIds] of batch.papers) sentTexts.set(hash, paperIds);
        inFlight.push({ batch, vectors });
      }
      const next = inFlight.shift();
      if (!next) break;
      const vectors = await next.vectors;
      signal?.throwIfAborted();
      const entries = vectors.map((vector, j) => ({ contentHash: next.batch.texts[j]![0], vector }));
      await store.putCachedVectors(provider.key, entries);
      for (const e of entries) sentTexts.delete(e.contentHash);
      await onVectors?.(entries.flatMap((e) => next.batch.papers.get(e.contentHash)!.map((paperId) => ({ paperId, vector: e.vector }))));
      embedded += entries.length;
      done += next.batch.count;
      onProgress?.(done, ids.length);
    }
    return embedded;
  } finally {
    await pool.close();
  }
}
