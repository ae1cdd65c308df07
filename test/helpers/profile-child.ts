/**
 * Child process for the cross-process profile tests: opens the kv named by KV_URL (SQLite in
 * DATA_DIR when unset) the way the App does, says "ready", waits for GO_FILE so that every child
 * starts at once, then adds KEYWORDS keywords "<TAG> <n>" to one user's profile, one
 * read-modify-write each, through the production profile code. READ_DELAY_MS makes every read of
 * the store that much slower (a loaded disk or a distant server), which widens the window between
 * a read and the write that follows it.
 */
import { existsSync } from 'node:fs';
import type Keyv from 'keyv';
import { loadConfig } from '../../src/config/config.ts';
import type { RecommendApp } from '../../src/recommend/app-parts.ts';
import { addKeyword } from '../../src/recommend/index.ts';
import { createKv, disconnectKvs } from '../../src/store/kv.ts';
import { silentLog } from './silent-log.ts';

const env = process.env;
const url = env.KV_URL || undefined;
const kvs = new Map<string, Keyv>();
const app = {
  config: loadConfig({ PAPERFEED_DATA_DIR: env.DATA_DIR! }),
  log: silentLog,
  kv(namespace: string) {
    let kv = kvs.get(namespace);
    if (!kv) kvs.set(namespace, (kv = slowReads(createKv(url, env.DATA_DIR!, namespace))));
    return kv;
  },
} as unknown as RecommendApp;

function slowReads(kv: Keyv): Keyv {
  const delay = Number(env.READ_DELAY_MS ?? 0);
  const store = kv.store as { get(key: string): Promise<unknown> };
  const get = store.get.bind(store);
  store.get = async (key) => {
    const value = await get(key);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    return value;
  };
  return kv;
}

const user = { kind: 'user', platform: 'cli', id: env.USER_ID! } as const;
// Connects before the start signal, so all children race on the writes, not on startup.
await app.kv('profiles').get('warm-up');
process.stdout.write('ready\n');
while (!existsSync(env.GO_FILE!)) await new Promise((r) => setTimeout(r, 10));
for (let i = 0; i < Number(env.KEYWORDS); i++) await addKeyword(app, user, `${env.TAG} ${i}`);
await disconnectKvs(url, [...kvs.values()]);
process.stdout.write('done\n');
