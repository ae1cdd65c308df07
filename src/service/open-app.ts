import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type Keyv from 'keyv';
import { builtinNeedsRefit, createBuiltinProvider, deserializeBuiltin } from '../../embeddings/builtin.ts';
import { fitAndSaveBuiltin, selectProvider, type SelectDeps } from '../../embeddings/select.ts';
import type { Config } from '../config/config.ts';
import type { Logger } from '../log.ts';
import { embeddingText } from '../papers/normalize.ts';
import { createSearchService } from '../search/indexed-search.ts';
import { indexDir, PaperIndexes } from '../search/paper-indexes.ts';
import { createKv, disconnectKvs } from '../store/kv.ts';
import type { PaperStore } from '../store/paper-store.ts';
import { openPostgresStore } from '../store/postgres-store.ts';
import { openSqliteStore } from '../store/sqlite-store.ts';
import type { App } from './app.ts';

export const STORE_FILE = 'papers.sqlite';
/** Store meta key of the built-in embedder's fitted state (base64). */
const BUILTIN_STATE_KEY = 'embeddings.builtin.state';

export interface OpenOptions {
  log: Logger;
  /** Open even when the index was built with another provider (only `reindex` wants this). */
  forReindex?: boolean;
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
  const selectDeps: SelectDeps = {
    log,
    loadBuiltinState: async () => {
      const b64 = await store.getMeta(BUILTIN_STATE_KEY);
      return b64 ? Buffer.from(b64, 'base64') : undefined;
    },
    saveBuiltinState: (blob) => store.setMeta(BUILTIN_STATE_KEY, blob.toString('base64')),
    corpus: () => corpusTexts(store),
    corpusSize: () => store.count(),
    mayDownload: opts.forReindex === true || (await store.count()) === 0,
  };
  let embedder = await selectProvider(config, selectDeps);
  const indexDeps = () => ({
    dir: indexDir(config.dataDir),
    store,
    embedder,
    params: {
      m: config.PAPERFEED_HNSW_M,
      efConstruction: config.PAPERFEED_HNSW_EF_CONSTRUCTION,
      efSearch: config.PAPERFEED_HNSW_EF_SEARCH,
    },
    shards: config.PAPERFEED_HNSW_SHARDS,
    log,
    batchSize: config.PAPERFEED_EMBED_BATCH,
  });
  // Vectors of an older fit of our own built-in provider are ours to replace; vectors of another
  // provider are the user's choice to replace, with `paperfeed reindex`.
  let indexes = await PaperIndexes.open(indexDeps(), opts.forReindex || embedder.id === 'builtin' ? 'rebuild' : 'refuse');
  const kvs = new Map<string, Keyv>();

  // The size of the corpus the current built-in fit saw, read once per fit: the stored state is
  // megabytes, too much to decode on every sync.
  let fitted: { key: string; docCount: number | undefined } | undefined;
  /** The built-in provider is fitted on the corpus: when the corpus has outgrown its fit, refit. */
  const refitBuiltinIfOutgrown = async (): Promise<boolean> => {
    if (embedder.id !== 'builtin') return false;
    if (fitted?.key !== embedder.key) {
      const blob = await selectDeps.loadBuiltinState();
      fitted = { key: embedder.key, docCount: blob ? deserializeBuiltin(blob).docCount : undefined };
    }
    if (fitted.docCount !== undefined && !builtinNeedsRefit({ docCount: fitted.docCount }, await store.count())) return false;
    embedder = await selectProvider(config, selectDeps);
    indexes = await PaperIndexes.open(indexDeps(), 'rebuild');
    return true;
  };

  const app: App = {
    config,
    log,
    store,
    get embedder() {
      return embedder;
    },
    search: createSearchService({
      store,
      embedder: () => embedder,
      indexes: () => indexes,
      defaultMode: config.PAPERFEED_SEARCH_MODE,
      lexicalWeight: config.PAPERFEED_HYBRID_LEXICAL_WEIGHT,
      batchSize: config.PAPERFEED_EMBED_BATCH,
    }),
    kv(namespace) {
      let kv = kvs.get(namespace);
      if (!kv) {
        kv = createKv(config.PAPERFEED_KV_URL, config.dataDir, namespace);
        kvs.set(namespace, kv);
      }
      return kv;
    },
    async syncIndex(o = {}) {
      if (await refitBuiltinIfOutgrown()) return { embedded: await store.count() };
      return indexes.sync(o.onProgress);
    },
    async reindex() {
      // A reindex is the moment a provider may change: auto may now download the model.
      if (!opts.forReindex) embedder = await selectProvider(config, { ...selectDeps, mayDownload: true });
      if (embedder.id === 'builtin') embedder = createBuiltinProvider(await fitAndSaveBuiltin(selectDeps));
      indexes = await PaperIndexes.open(indexDeps(), 'rebuild');
      const { embedded } = await indexes.rebuild();
      return { papers: await store.count(), embedded, provider: embedder.key };
    },
    async close() {
      await disconnectKvs(config.PAPERFEED_KV_URL, [...kvs.values()]);
      await embedder.close?.();
      await store.close();
    },
  };
  return app;
}

async function* corpusTexts(store: PaperStore): AsyncIterable<string> {
  for await (const page of store.iteratePapers({ pageSize: 2_000 })) for (const p of page) yield embeddingText(p);
}
