import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config, type EnvOverrides } from '../../src/config/config.ts';
import { createLlm } from '../../src/llm/llm.ts';
import { createLogger } from '../../src/log.ts';
import { ingest } from '../../src/pipeline/ingest.ts';
import type { App } from '../../src/service/app.ts';
import { openApp } from '../../src/service/open-app.ts';
import { readFileSource } from '../../src/sources/files.ts';

const DATA = new URL('../../data/', import.meta.url).pathname;

export interface SampleApp extends App {
  dataDir: string;
  /** Closes the app and deletes its data directory. */
  dispose(): Promise<void>;
}

/**
 * A real App on a fresh temp data dir, with the sample corpus (data/) ingested and embedded by
 * the built-in provider. Offline, so no test ever reaches for the model hub.
 */
export async function openSampleApp(opts: { env?: EnvOverrides; ingestSample?: boolean } = {}): Promise<SampleApp> {
  const dataDir = await mkdtemp(join(tmpdir(), 'paperfeed-test-'));
  const config = loadConfig({}, {
    PAPERFEED_DATA_DIR: dataDir,
    PAPERFEED_EMBEDDINGS: 'builtin',
    PAPERFEED_OFFLINE: 'true',
    PAPERFEED_MODEL_DIR: join(dataDir, 'models'),
    PAPERFEED_MODEL_CACHE_DIR: join(dataDir, 'model-cache'),
    PAPERFEED_LOG_LEVEL: 'silent',
    ...opts.env,
  });
  const app = await openApp(config, { log: createLogger(config.PAPERFEED_LOG_LEVEL) });
  if (opts.ingestSample !== false) await ingest(app, [readFileSource(DATA)]);
  // Extend the app object itself: copying it would freeze getters such as `embedder`.
  return Object.assign(app, {
    dataDir,
    async dispose() {
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  });
}

/**
 * The same stores and indexes under another configuration, with a language model of its own built
 * from it: a new cool-down and new counters each call (the App's own LLM is built once).
 */
export function withLlmConfig(app: App, config: Config): App {
  const llm = createLlm(config, { log: app.log, store: app.store, kv: (ns) => app.kv(ns) });
  // A view over the app, not a copy: a copy would freeze getters such as `embedder`.
  return Object.create(app, { config: { value: config }, llm: { value: llm } }) as App;
}
