import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type Keyv from 'keyv';
import type { Config } from '../config/config.ts';
import { type IndexAccess, openCorpus } from '../corpus/corpus.ts';
import { llmEnabled } from '../llm/settings.ts';
import type { Logger } from '../log.ts';
import { createSearchService } from '../search/indexed-search.ts';
import { createKv, disconnectKvs } from '../store/kv.ts';
import type { PaperStore } from '../store/paper-store.ts';
import { openPostgresStore } from '../store/postgres-store.ts';
import { openSqliteStore } from '../store/sqlite-store.ts';
import type { App } from './app.ts';

export const STORE_FILE = 'papers.sqlite';

export interface OpenOptions {
  log: Logger;
  /** Open even when the index was built with another provider (only `reindex` wants this). */
  forReindex?: boolean;
  /** How this process uses the vector index (CorpusDeps.indexAccess). */
  indexAccess?: IndexAccess;
}

/** Opens store, embedder and indexes for one process; the caller closes the App. */
export async function openApp(config: Config, opts: OpenOptions): Promise<App> {
  const { log } = opts;
  await mkdir(config.dataDir, { recursive: true });
  // postgres:// → the shared store every replica uses; otherwise one SQLite file in the data dir.
  const store = config.PAPERFEED_DATABASE_URL
    ? await openPostgresStore(config.PAPERFEED_DATABASE_URL, { log })
    : await openSqliteStore(join(config.dataDir, STORE_FILE), { log });
  try {
    return await assemble(config, store, opts);
  } catch (err) {
    await store.close();
    throw err;
  }
}

async function assemble(config: Config, store: PaperStore, opts: OpenOptions): Promise<App> {
  const { log } = opts;
  const corpus = await openCorpus({ config, store, log, forReindex: opts.forReindex === true, ...(opts.indexAccess ? { indexAccess: opts.indexAccess } : {}) });
  const kvs = new Map<string, Keyv>();
  const kv = (namespace: string): Keyv => {
    let opened = kvs.get(namespace);
    if (!opened) {
      opened = createKv(config.PAPERFEED_KV_URL, config.dataDir, namespace);
      kvs.set(namespace, opened);
    }
    return opened;
  };
  // The language-model features, and with them the openai client (150 modules), are loaded only when
  // configured: every other process, a cold `similar` first, would load them for nothing.
  const llm = llmEnabled(config) ? (await import('../llm/llm.ts')).lazyLlm(config, { log, store, kv }) : () => undefined;

  const app: App = {
    config,
    log,
    store,
    corpus,
    get embedder() {
      return corpus.current().embedder;
    },
    search: createSearchService({
      store,
      generation: corpus.current,
      defaultMode: config.PAPERFEED_SEARCH_MODE,
      lexicalWeight: config.PAPERFEED_HYBRID_LEXICAL_WEIGHT,
      batchSize: config.PAPERFEED_EMBED_BATCH,
    }),
    get llm() {
      return llm();
    },
    kv,
    async syncIndex(o = {}) {
      const progress = o.onProgress ? { onProgress: o.onProgress } : {};
      const synced = o.changes ? await corpus.applyChanges(o.changes, progress) : await corpus.follow(progress);
      const rebuilt = synced.rebuild ? await synced.rebuild : { embedded: 0 };
      return { embedded: synced.embedded + rebuilt.embedded };
    },
    reindex: () => corpus.reindex(),
    // Loaded when used: it reaches every store of user state (outbox, locks, profiles).
    forgetRecipient: async (recipient) => (await import('./forget.ts')).forgetRecipient(app, recipient),
    async close() {
      await disconnectKvs(config.PAPERFEED_KV_URL, [...kvs.values()]);
      await corpus.close();
      await store.close();
    },
  };
  return app;
}
