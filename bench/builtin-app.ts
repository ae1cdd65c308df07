// A fresh App in a temporary data dir with the built-in embedder, offline and silent: what the
// quality benches measure the product's own paths on.
import { join } from 'node:path';
import { loadConfig } from '../src/config/config.ts';
import { createLogger } from '../src/log.ts';
import type { App } from '../src/service/app.ts';
import { openApp } from '../src/service/open-app.ts';

export function openBuiltinApp(dir: string): Promise<App> {
  const config = loadConfig({}, {
    PAPERFEED_DATA_DIR: join(dir, 'data'),
    PAPERFEED_EMBEDDINGS: 'builtin',
    PAPERFEED_OFFLINE: 'true',
    PAPERFEED_LOG_LEVEL: 'silent',
  });
  return openApp(config, { log: createLogger('silent') });
}
