import type Keyv from 'keyv';
import type { EmbeddingProvider } from '../../embeddings/provider.ts';
import type { Config } from '../config/config.ts';
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
  readonly embedder: EmbeddingProvider;
  readonly search: SearchService;
  /** keyv for user and channel state, one namespace per kind of record. */
  kv(namespace: string): Keyv;
  /** Embeds papers that have no vector yet and brings the indexes in step with the store. */
  syncIndex(opts?: { onProgress?: (done: number, total: number) => void }): Promise<{ embedded: number }>;
  /** Re-embeds everything with the configured provider (refitting the built-in one) and rebuilds the index. */
  reindex(): Promise<{ papers: number; embedded: number; provider: string }>;
  close(): Promise<void>;
}
