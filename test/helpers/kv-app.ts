/**
 * A RecommendDeps with only what profile storage uses (config, log, kv), on the kv named by `url`
 * (the default SQLite file in `dataDir` when undefined), opened the way the App opens it.
 */
import type Keyv from 'keyv';
import { loadConfig } from '../../src/config/config.ts';
import type { RecommendDeps } from '../../src/recommend/deps.ts';
import { createKv, disconnectKvs } from '../../src/store/kv.ts';
import { silentLog } from './silent-log.ts';

export function kvOnlyApp(url: string | undefined, dataDir: string, wrap: (kv: Keyv) => Keyv = (kv) => kv): { app: RecommendDeps; close(): Promise<void> } {
  const kvs = new Map<string, Keyv>();
  const app = {
    config: loadConfig({ PAPERFEED_DATA_DIR: dataDir }),
    log: silentLog,
    kv(namespace: string) {
      let kv = kvs.get(namespace);
      if (!kv) kvs.set(namespace, (kv = wrap(createKv(url, dataDir, namespace))));
      return kv;
    },
  } as unknown as RecommendDeps;
  return { app, close: () => disconnectKvs(url, [...kvs.values()]) };
}
