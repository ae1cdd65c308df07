/**
 * Child process for the cross-process profile tests: opens the kv named by KV_URL (SQLite in
 * DATA_DIR when unset) the way the App does, says "ready", waits for GO_FILE so that every child
 * starts at once, then adds KEYWORDS keywords "<TAG> <n>" to one user's profile, one
 * read-modify-write each, through the production profile code. READ_DELAY_MS slows the keyv
 * adapter's get (as a loaded disk would): SQLite answers in microseconds, too fast for two
 * processes' reads and writes to interleave often enough otherwise; the servers' round trips do
 * that by themselves.
 */
import { existsSync } from 'node:fs';
import type Keyv from 'keyv';
import { addKeyword } from '../../src/recommend/index.ts';
import { kvOnlyApp } from './kv-app.ts';

const env = process.env;
const url = env.KV_URL || undefined;

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

const { app, close } = kvOnlyApp(url, env.DATA_DIR!, slowReads);
const user = { kind: 'user', platform: 'cli', id: env.USER_ID! } as const;
// Connects before the start signal, so all children race on the writes, not on startup.
await app.kv('profiles').get('warm-up');
process.stdout.write('ready\n');
while (!existsSync(env.GO_FILE!)) await new Promise((r) => setTimeout(r, 10));
for (let i = 0; i < Number(env.KEYWORDS); i++) await addKeyword(app, user, `${env.TAG} ${i}`);
await close();
process.stdout.write('done\n');
