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
  opts: { batchSize?: number; onProgress?: Progress } = {},
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
    await store.putCachedVectors(provider.key, entries);
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

/**
 * Embeds papers known to miss a cached vector (a new generation over a whole corpus) and caches
 * the vectors; returns how many texts were embedded. With a provider that has a pool and enough
 * papers, batches run on worker threads, one per core, while this thread writes the finished
 * ones, each batch in its own transaction (an interrupted run keeps what it paid for).
 */
export async function embedInBulk(
  store: PaperStore,
  provider: EmbeddingProvider,
  papers: Paper[],
  opts: {
    batchSize?: number;
    threads?: number;
    onProgress?: Progress;
    signal?: AbortSignal;
    /** Each step's vectors by paper, once they are cached. */
    onVectors?: (vectors: { paperId: string; vector: Float32Array }[]) => Promise<void> | void;
  } = {},
): Promise<number> {
  const { onProgress, signal, onVectors } = opts;
  const threads = opts.threads ?? availableParallelism();
  if (!provider.pool || papers.length < POOL_FROM || threads < 1) {
    let embedded = 0;
    for (let i = 0; i < papers.length; i += IN_THREAD_CHUNK) {
      signal?.throwIfAborted();
      const step = await embedPapers(store, provider, papers.slice(i, i + IN_THREAD_CHUNK), {
        ...(opts.batchSize === undefined ? {} : { batchSize: opts.batchSize }),
        ...(onProgress ? { onProgress: (done: number) => onProgress(i + done, papers.length) } : {}),
      });
      embedded += step.embedded;
      await onVectors?.([...step.vectors].map(([paperId, vector]) => ({ paperId, vector })));
      await yieldToLoop();
    }
    return embedded;
  }
  // Papers with the same text share one vector.
  const texts = new Map<string, string>();
  const ids = new Map<string, string[]>();
  for (const p of papers) {
    const hash = contentHash(p);
    texts.set(hash, embeddingText(p));
    const same = ids.get(hash);
    if (same) same.push(p.id);
    else ids.set(hash, [p.id]);
  }
  const pending = [...texts];
  const pool = provider.pool(threads);
  try {
    // Every worker busy and one batch more queued, in order: the writes here keep up with them.
    const inFlight: Promise<Float32Array[]>[] = [];
    let sent = 0;
    let done = 0;
    const send = () => {
      const batch = pending.slice(sent, sent + POOL_BATCH);
      const vectors = pool.embed(batch.map(([, t]) => t));
      // Awaited in turn below; batches rejected by a close after a failure must not count as unhandled.
      vectors.catch(() => {});
      inFlight.push(vectors);
      sent += batch.length;
    };
    onProgress?.(0, pending.length);
    while (done < pending.length) {
      while (sent < pending.length && inFlight.length <= pool.threads) send();
      const vectors = await inFlight.shift()!;
      signal?.throwIfAborted();
      const entries = vectors.map((vector, j) => ({ contentHash: pending[done + j]![0], vector }));
      await store.putCachedVectors(provider.key, entries);
      await onVectors?.(entries.flatMap((e) => ids.get(e.contentHash)!.map((paperId) => ({ paperId, vector: e.vector }))));
      done += vectors.length;
      onProgress?.(done, pending.length);
    }
    return pending.length;
  } finally {
    await pool.close();
  }
}
