import type Keyv from 'keyv';
import type { EmbeddingProvider } from '../../embeddings/provider.ts';
import type { ForgetResult } from '../commands/deps.ts';
import type { Config } from '../config/config.ts';
import type { Corpus, CorpusChanges } from '../corpus/corpus.ts';
import type { Llm } from '../llm/index.ts';
import type { Logger } from '../log.ts';
import type { Recipient } from '../recommend/index.ts';
import type { SearchService } from '../search/search-service.ts';
import type { PaperStore } from '../store/paper-store.ts';

/**
 * Everything opened once per process, as one plain record assembled in open-app.ts: the CLI, the
 * bots, the scheduler and the HTTP API all work on one App. Lower layers never import it: each
 * declares the parts it uses (CommandDeps, RecommendDeps, IngestDeps, SearchDeps, LlmDeps), which
 * the App has.
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
  /**
   * The language-model features (built on first use, then one instance: one cool-down, one set of
   * counters), or undefined when no model is configured.
   */
  readonly llm: Llm | undefined;
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
  /** Forget-me (forget.ts), with the configured outbox opened for the call. */
  forgetRecipient(recipient: Recipient): Promise<ForgetResult>;
  close(): Promise<void>;
}
