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
