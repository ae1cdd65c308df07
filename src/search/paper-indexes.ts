import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { EmbeddingProvider } from '../../embeddings/provider.ts';
import { buildShardedIndex } from '../index/build-shards.ts';
import type { HnswParams } from '../index/hnsw-index.ts';
import { createShardedIndex, loadShardedIndex, type ShardedIndex } from '../index/sharded-index.ts';
import type { Logger } from '../log.ts';
import { embedPapers, type Progress } from '../pipeline/embed.ts';
import type { PaperStore } from '../store/paper-store.ts';

export interface IndexDeps {
  dir: string;
  store: PaperStore;
  embedder: EmbeddingProvider;
  params: HnswParams;
  /** Graphs the vector index is split into at a rebuild; `auto` picks by corpus size and cores. */
  shards: number | 'auto';
  log: Logger;
  batchSize: number;
}

/**
 * The vector index (HNSW, persisted) and the lexical index (BM25, in memory) kept in step with
 * the store. The store is the truth: any index that is missing, stale or damaged is rebuilt from
 * the stored vectors, never the other way round.
 */
export class PaperIndexes {
  private constructor(
    private readonly deps: IndexDeps,
    public vectors: ShardedIndex,
  ) {}

  /**
   * Loads the saved vector index and checks it against the store. `onMismatch` decides what to
   * do when it was built with another provider: rebuild, or refuse (the error names both).
   */
  static async open(deps: IndexDeps, onMismatch: 'rebuild' | 'refuse'): Promise<PaperIndexes> {
    const { store, embedder, log } = deps;
    const loaded = await loadShardedIndex(deps.dir, { providerKey: embedder.key, dimension: embedder.dimension }, { efSearch: deps.params.efSearch });
    const indexes = new PaperIndexes(deps, loaded.ok ? loaded.index : emptyIndex(deps));
    if (loaded.ok) {
      const checksum = await store.corpusChecksum();
      if (loaded.index.info().corpusChecksum === checksum) return indexes;
      log.warn({ dir: deps.dir }, 'vector index is behind the store (an interrupted run?); rebuilding it from stored vectors');
    } else if (loaded.reason === 'provider-mismatch') {
      if (onMismatch === 'refuse') throw new ProviderMismatchError(loaded.message);
      log.info({ from: loaded.indexProvider, to: loaded.expectedProvider }, 'rebuilding the vector index for the current embedder');
    } else if (loaded.reason === 'missing') {
      if ((await store.count()) > 0) log.info({ dir: deps.dir }, 'no vector index yet; building it from the store');
    } else {
      log.warn({ reason: loaded.reason }, `${loaded.message}; rebuilding it from the store`);
    }
    await indexes.rebuild();
    return indexes;
  }

  /** Re-creates the vector index from scratch from the stored vectors (embedding what is missing). */
  async rebuild(onProgress?: Progress): Promise<{ embedded: number }> {
    const { store, embedder, log } = this.deps;
    const embedded = await this.embedMissing(onProgress);
    const corpusChecksum = await store.corpusChecksum();
    const papers = await store.count();
    const shards = shardCount(this.deps.shards, papers);
    const started = Date.now();
    const stored = store.paperVectors(embedder.key);
    this.vectors = await buildShardedIndex(
      (async function* () {
        for await (const { paperId, vector } of stored) yield { id: paperId, vector };
      })(),
      { dir: this.deps.dir, providerKey: embedder.key, dimension: embedder.dimension, params: this.deps.params, shards, corpusChecksum },
    );
    if (papers > 0) log.info({ papers, shards, ms: Date.now() - started }, 'vector index built');
    return { embedded };
  }

  /**
   * Brings both indexes in step after the store changed: embeds new text, adds and replaces
   * changed papers, drops papers that left the store (renamed or removed), then saves.
   */
  async sync(onProgress?: Progress): Promise<{ embedded: number }> {
    const { store, embedder } = this.deps;
    const checksum = await store.corpusChecksum();
    if (this.vectors.info().corpusChecksum === checksum) return { embedded: 0 };
    const changed = await store.papersMissingVectors(embedder.key);
    const { vectors, embedded } = await embedPapers(store, embedder, changed, {
      batchSize: this.deps.batchSize,
      onProgress,
    });
    this.vectors.upsert([...vectors].map(([id, vector]) => ({ id, vector })), { providerKey: embedder.key });
    const live = new Set<string>();
    let batch: { id: string; vector: Float32Array }[] = [];
    for await (const { paperId, vector } of store.paperVectors(embedder.key)) {
      live.add(paperId);
      if (!this.vectors.has(paperId)) batch.push({ id: paperId, vector });
    }
    if (batch.length) this.vectors.upsert(batch, { providerKey: embedder.key });
    for (const id of this.vectors.ids()) if (!live.has(id)) this.vectors.remove(id);

    this.vectors.setCorpusChecksum(checksum);
    await this.vectors.save();
    return { embedded };
  }

  private async embedMissing(onProgress?: Progress): Promise<number> {
    const { store, embedder } = this.deps;
    const missing = await store.papersMissingVectors(embedder.key);
    if (missing.length === 0) return 0;
    const { embedded } = await embedPapers(store, embedder, missing, { batchSize: this.deps.batchSize, onProgress });
    return embedded;
  }
}

/** The configured provider differs from the one the saved index was built with. */
export class ProviderMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProviderMismatchError';
  }
}

function emptyIndex(deps: IndexDeps): ShardedIndex {
  return createShardedIndex({
    dir: deps.dir,
    providerKey: deps.embedder.key,
    dimension: deps.embedder.dimension,
    shards: 1,
    ...deps.params,
  });
}

/**
 * Shards for a rebuild. More shards build in parallel (one worker per core) and smaller graphs
 * reach a higher recall for the same build effort, but every query asks every shard. So `auto`
 * keeps one graph until a rebuild would take minutes, then uses at least one shard per core and
 * about SHARD_TARGET vectors per shard (bench/index.bench.ts measures 1M this way).
 */
export function shardCount(configured: number | 'auto', papers: number): number {
  if (configured !== 'auto') return configured;
  if (papers < AUTO_SHARDS_FROM) return 1;
  return Math.min(AUTO_MAX_SHARDS, Math.max(availableParallelism(), Math.ceil(papers / SHARD_TARGET)));
}
const AUTO_SHARDS_FROM = 100_000;
const SHARD_TARGET = 250_000;
const AUTO_MAX_SHARDS = 16;

export const indexDir = (dataDir: string): string => join(dataDir, 'index');
