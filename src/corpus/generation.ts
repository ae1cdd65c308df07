// A generation: one embedder and the vector index built with it. Queries read one generation and
// use both halves of it, so a query never meets an index of another fit. The functions here build
// a generation from the store and keep one in step with changes, a chunk at a time.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { EmbeddingProvider } from '../../embeddings/provider.ts';
import { startShardBuild } from '../index/build-shards.ts';
import type { HnswParams } from '../index/hnsw-index.ts';
import type { ShardedIndex } from '../index/sharded-index.ts';
import type { Logger } from '../log.ts';
import type { Paper } from '../papers/paper.ts';
import { embedInBulk, embedPapers, type Progress } from '../pipeline/embed.ts';
import type { PaperStore } from '../store/paper-store.ts';
import { loopSlices } from '../loop-slices.ts';
import { shardCount } from './index-files.ts';

export interface Generation {
  readonly embedder: EmbeddingProvider;
  readonly index: ShardedIndex;
}

/** Ids whose paper was added or changed, and ids that left the store (renamed or removed). */
export interface CorpusChanges {
  upserted: readonly string[];
  removed: readonly string[];
  /**
   * The store's corpus checksum before these changes were made. When the index was not in step
   * with it, someone else wrote too, and the whole store is compared instead.
   */
  since?: string;
}

export interface IndexSettings {
  params: HnswParams;
  /** Graphs the index is split into at a build; `auto` picks by corpus size and cores. */
  shards: number | 'auto';
  batchSize: number;
}

/** What bringing a generation in step did, in counts (never timings). */
export interface ApplyCounts {
  /** Papers whose text had to be embedded (vector cache misses). */
  embedded: number;
  /** Vectors added to or replaced in the index. */
  indexed: number;
  /** Papers taken out of the index. */
  removed: number;
}

/** Inserts into a live index between two checks of the time slice (an insert: 0.1-1 ms). */
const INSERT_STEP = 8;
/**
 * Papers handled per step when embedding or applying changes: hashing, cache lookup and reads of
 * this many take a few tens of milliseconds, then the event loop runs.
 */
const PAPER_CHUNK = 256;

async function indexInChunks(gen: Generation, items: { id: string; vector: Float32Array }[]): Promise<void> {
  // Reads the shard graphs these writes touch when the index was opened without them.
  await gen.index.prepare(items.map((i) => i.id));
  const slices = loopSlices();
  for (let i = 0; i < items.length; i += INSERT_STEP) {
    gen.index.upsert(items.slice(i, i + INSERT_STEP), { providerKey: gen.embedder.key });
    await slices.pause();
  }
}

/** Embeds these papers (cache first) and puts their vectors in the generation's index. */
async function indexPapers(store: PaperStore, gen: Generation, papers: Paper[], opts: { batchSize: number; onProgress?: Progress }) {
  const { vectors, embedded } = await embedPapers(store, gen.embedder, papers, opts);
  await indexInChunks(gen, [...vectors].map(([id, vector]) => ({ id, vector })));
  return { embedded, indexed: vectors.size };
}

/** Touches only the changed ids: reads, embeds and indexes those papers, removes the ones gone. */
export async function applyChanges(
  store: PaperStore,
  gen: Generation,
  changes: CorpusChanges,
  opts: { batchSize: number; onProgress?: Progress },
): Promise<ApplyCounts> {
  const ids = [...new Set(changes.upserted)];
  const counts: ApplyCounts = { embedded: 0, indexed: 0, removed: 0 };
  const gone = new Set(changes.removed);
  for (let i = 0; i < ids.length; i += PAPER_CHUNK) {
    const slice = ids.slice(i, i + PAPER_CHUNK);
    const papers = await store.getPapers(slice);
    const found = new Set(papers.map((p) => p.id));
    for (const id of slice) if (!found.has(id)) gone.add(id);
    const r = await indexPapers(store, gen, papers, opts);
    counts.embedded += r.embedded;
    counts.indexed += r.indexed;
    await yieldToLoop();
  }
  const removing = [...gone].filter((id) => gen.index.has(id));
  await gen.index.prepare(removing);
  for (const id of removing) gen.index.remove(id);
  counts.removed += removing.length;
  return counts;
}

/**
 * Brings the generation in step with the store without knowing what changed: embeds papers with
 * no vector, adds stored vectors the index lacks, drops ids the store no longer has. A pass over
 * every stored vector: for a store written by another process, until a change feed says what moved.
 */
export async function reconcile(
  store: PaperStore,
  gen: Generation,
  opts: { batchSize: number; onProgress?: Progress },
): Promise<ApplyCounts & { changedIds: Set<string> }> {
  const missing = await store.idsMissingVectors(gen.embedder.key);
  const counts: ApplyCounts = { embedded: 0, indexed: 0, removed: 0 };
  for (let i = 0; i < missing.length; i += PAPER_CHUNK) {
    const r = await indexPapers(store, gen, await store.getPapers(missing.slice(i, i + PAPER_CHUNK)), opts);
    counts.embedded += r.embedded;
    counts.indexed += r.indexed;
  }
  const live = new Set<string>();
  let batch: { id: string; vector: Float32Array }[] = [];
  for await (const { paperId, vector } of store.paperVectors(gen.embedder.key)) {
    live.add(paperId);
    if (!gen.index.has(paperId)) batch.push({ id: paperId, vector });
    if (batch.length >= PAPER_CHUNK) {
      await indexInChunks(gen, batch);
      counts.indexed += batch.length;
      batch = [];
    }
  }
  await indexInChunks(gen, batch);
  counts.indexed += batch.length;
  const removing = gen.index.ids().filter((id) => !live.has(id));
  await gen.index.prepare(removing);
  for (const id of removing) gen.index.remove(id);
  counts.removed += removing.length;
  return { ...counts, changedIds: new Set(missing) };
}

/**
 * A complete generation for this embedder in `dir`: embeds what the vector cache lacks, then
 * builds the index from the stored vectors (in worker threads when large, in short chunks when
 * not). Nothing here touches the live index.
 */
export async function buildGeneration(
  store: PaperStore,
  embedder: EmbeddingProvider,
  dir: string,
  settings: IndexSettings,
  log: Logger,
  opts: { onProgress?: Progress; signal?: AbortSignal } = {},
): Promise<{ generation: Generation; embedded: number }> {
  const { onProgress, signal } = opts;
  const started = Date.now();
  const corpusChecksum = await store.corpusChecksum();
  const papers = await store.count();
  const shards = shardCount(settings.shards, papers);
  // The shards are built while the papers are embedded (the build takes each step's vectors as
  // soon as they are cached): embedding and graph inserts keep every core busy between them.
  const build = await startShardBuild({
    dir,
    providerKey: embedder.key,
    dimension: embedder.dimension,
    params: settings.params,
    shards,
    corpusChecksum,
    expected: papers,
  });
  let embedded = 0;
  try {
    // Every paper stored now either misses a vector (embedded below) or has one (added first).
    const missing = await store.idsMissingVectors(embedder.key);
    const toEmbed = new Set(missing);
    // The stores let the event loop run between pages of this stream; an add only buffers or posts.
    for await (const { paperId, vector } of store.paperVectors(embedder.key)) {
      if (toEmbed.has(paperId)) continue;
      await build.add(paperId, vector);
      signal?.throwIfAborted();
    }
    embedded = await embedInBulk(store, embedder, missing, {
      batchSize: settings.batchSize,
      ...(onProgress ? { onProgress } : {}),
      ...(signal ? { signal } : {}),
      onVectors: async (vectors) => {
        for (const { paperId, vector } of vectors) await build.add(paperId, vector);
      },
    });
    signal?.throwIfAborted();
    if (embedded > 0) log.info({ embedded, ms: Date.now() - started }, 'papers embedded for the new generation');
  } catch (err) {
    await build.abort();
    throw err;
  }
  const index = await build.finish();
  if (papers > 0) log.info({ papers, shards, ms: Date.now() - started }, 'vector index built');
  return { generation: { embedder, index }, embedded };
}
