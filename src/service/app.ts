import type Keyv from 'keyv';
import type { EmbeddingProvider } from '../../embeddings/provider.ts';
import type { Config } from '../config/config.ts';
import type { Corpus, CorpusChanges } from '../corpus/corpus.ts';
import type { Logger } from '../log.ts';
import type { SearchService } from '../search/search-service.ts';
import type { PaperStore } from '../store/paper-store.ts';

/**
 * Everything a command needs, opened once per process: the CLI, the bots, the scheduler and the
 * HTTP API all work on one App.
 */
export interface App {
  readonly config: Config;
  readonly log: Logger;
  readonly store: PaperStore;
  /** The live generation's embedder (the corpus owner may replace it; read it when needed). */
  readonly embedder: EmbeddingProvider;
  readonly search: SearchService;
  /** The owner of the embedder and the vector index: generations, sync, follow, reindex. */
  readonly corpus: Corpus;
  /** keyv for user and channel state, one namespace per kind of record. */
  kv(namespace: string): Keyv;
  /**
   * Brings the index in step after the store changed: with `changes` (ids an ingest upserted and
   * renamed away) only those are touched; without, the store is compared as a whole (corpus.follow).
   * Waits for a new generation the change started (a built-in refit); queries never wait for it.
   */
  syncIndex(opts?: { onProgress?: (done: number, total: number) => void; changes?: CorpusChanges }): Promise<{ embedded: number }>;
  /** Re-embeds everything with the configured provider (refitting the built-in one) and rebuilds the index. */
  reindex(): Promise<{ papers: number; embedded: number; provider: string }>;
  close(): Promise<void>;
}
