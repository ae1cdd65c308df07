import type Keyv from 'keyv';
import type { EmbeddingProvider } from '../../embeddings/provider.ts';
import type { Config } from '../config/config.ts';
import type { Logger } from '../log.ts';
import type { SearchService } from '../search/search-service.ts';
import type { PaperStore } from '../store/paper-store.ts';

/**
 * What the recommender works on (profiles in kv, papers in the store, vectors through search), so
 * tests, the digests and the bots hand over just these; the service's App has them all.
 */
export interface RecommendDeps {
  readonly config: Config;
  readonly log: Logger;
  readonly store: PaperStore;
  /** The live generation's embedder (read it when needed: the corpus owner may replace it). */
  readonly embedder: EmbeddingProvider;
  readonly search: SearchService;
  /** keyv for user and channel state, one namespace per kind of record. */
  kv(namespace: string): Keyv;
}
