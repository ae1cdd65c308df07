import { join } from 'node:path';
import type { EmbeddingProvider } from '../../embeddings/provider.ts';
import { createHnswIndex, type HnswIndex, type HnswParams, loadHnswIndex } from '../index/hnsw-index.ts';
import { LexicalIndex } from '../index/lexical-index.ts';
import type { Logger } from '../log.ts';
import type { Paper } from '../papers/paper.ts';
import { embedPapers, type Progress } from '../pipeline/embed.ts';
import type { PaperStore } from '../store/paper-store.ts';

/** What a query filter needs to know about a paper without a store round trip. */
export interface PaperFacts {
  /** Published date, else the day it was first seen (YYYY-MM-DD). */
  date: string;
  sources: readonly string[];
}

const factsOf = (p: Paper): PaperFacts => ({ date: p.published ?? p.firstSeen.slice(0, 10), sources: p.sources });

export interface IndexDeps {
  dir: string;
  store: PaperStore;
  embedder: EmbeddingProvider;
  params: HnswParams;
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
    public vectors: HnswIndex,
    public readonly lexical: LexicalIndex,
    public readonly facts: Map<string, PaperFacts>,
  ) {}

  /**
   * Loads the saved vector index and checks it against the store. `onMismatch` decides what to
   * do when it was built with another provider: rebuild, or refuse (the error names both).
   */
  static async open(deps: IndexDeps, onMismatch: 'rebuild' | 'refuse'): Promise<PaperIndexes> {
    const { store, embedder, log } = deps;
    const lexical = new LexicalIndex();
    const facts = new Map<string, PaperFacts>();
    const pageSize = 2_000;
    for (let offset = 0; ; offset += pageSize) {
      const page = await store.listPapers({ limit: pageSize, offset });
      lexical.upsertMany(page);
      for (const p of page) facts.set(p.id, factsOf(p));
      if (page.length < pageSize) break;
    }

    const loaded = await loadHnswIndex(deps.dir, { providerKey: embedder.key, dimension: embedder.dimension }, { efSearch: deps.params.efSearch });
    const indexes = new PaperIndexes(deps, loaded.ok ? loaded.index : emptyIndex(deps), lexical, facts);
    if (loaded.ok) {
      const checksum = await store.corpusChecksum();
      if (loaded.index.info().corpusChecksum === checksum) return indexes;
      log.warn({ dir: deps.dir }, 'vector index is behind the store (an interrupted run?); rebuilding it from stored vectors');
    } else if (loaded.reason === 'provider-mismatch') {
      if (onMismatch === 'refuse') throw new ProviderMismatchError(loaded.message);
      log.info({ from: loaded.indexProvider, to: loaded.expectedProvider }, 'rebuilding the vector index for the current embedder');
    } else if (loaded.reason === 'missing') {
      if (facts.size > 0) log.info({ dir: deps.dir }, 'no vector index yet; building it from the store');
    } else {
      log.warn({ reason: loaded.reason }, `${loaded.message}; rebuilding it from the store`);
    }
    await indexes.rebuild();
    return indexes;
  }

  /** Re-creates the vector index from scratch from the stored vectors (embedding what is missing). */
  async rebuild(onProgress?: Progress): Promise<{ embedded: number }> {
    const { store, embedder } = this.deps;
    const embedded = await this.embedMissing(onProgress);
    const index = emptyIndex(this.deps);
    let batch: { id: string; vector: Float32Array }[] = [];
    for await (const { paperId, vector } of store.paperVectors(embedder.key)) {
      batch.push({ id: paperId, vector });
      if (batch.length === 1_000) {
        index.upsert(batch, { providerKey: embedder.key });
        batch = [];
      }
    }
    if (batch.length) index.upsert(batch, { providerKey: embedder.key });
    index.setCorpusChecksum(await store.corpusChecksum());
    await index.save();
    this.vectors = index;
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

    // The lexical index and the facts follow the same live set.
    const changedIds = new Set(changed.map((c) => c.id));
    const pageSize = 2_000;
    const seen = new Set<string>();
    for (let offset = 0; ; offset += pageSize) {
      const page = await store.listPapers({ limit: pageSize, offset });
      for (const p of page) {
        seen.add(p.id);
        if (changedIds.has(p.id) || !this.lexical.has(p.id)) this.lexical.upsert(p);
        this.facts.set(p.id, factsOf(p));
      }
      if (page.length < pageSize) break;
    }
    for (const id of [...this.facts.keys()]) {
      if (!seen.has(id)) {
        this.facts.delete(id);
        this.lexical.remove(id);
      }
    }
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

function emptyIndex(deps: IndexDeps): HnswIndex {
  return createHnswIndex({
    dir: deps.dir,
    providerKey: deps.embedder.key,
    dimension: deps.embedder.dimension,
    m: deps.params.m,
    efConstruction: deps.params.efConstruction,
    efSearch: deps.params.efSearch,
  });
}

export const indexDir = (dataDir: string): string => join(dataDir, 'index');
