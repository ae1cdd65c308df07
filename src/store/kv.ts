import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { Keyv } from 'keyv';
import { KeyvBetterSqlite } from './keyv-sqlite.ts';

// The server adapters load on demand (their CommonJS builds, so createKv stays synchronous): their
// clients cost ~0.4 s of startup that the default SQLite setup never needs.
const require = createRequire(import.meta.url);
const loadRedis = () => require('@keyv/redis') as typeof import('@keyv/redis');
const loadPostgres = () => require('@keyv/postgres') as typeof import('@keyv/postgres');

/** Default kv file inside the data dir: separate from the paper store, so each file has one schema. */
export const KV_FILE = 'kv.sqlite';

const REDIS_CONNECT_TIMEOUT_MS = 10_000;

/** PAPERFEED_KV_URL names a store paperfeed cannot use. */
export class KvConfigError extends Error {
  override name = 'KvConfigError';
}

/**
 * The keyv store for user and channel state, chosen by PAPERFEED_KV_URL:
 * unset or `sqlite://<path>` → SQLite via better-sqlite3 (default `<dataDir>/kv.sqlite`; a relative
 * path resolves against the working directory, like the other path settings);
 * `redis://`, `rediss://` → @keyv/redis; `postgres://`, `postgresql://` → @keyv/postgres.
 * Store failures throw instead of being swallowed into `undefined`/`false`: lost user state must show.
 */
export function createKv(url: string | undefined, dataDir: string, namespace: string): Keyv {
  const spec = url?.trim() ?? '';
  if (spec === '' || spec.startsWith('sqlite://')) {
    const path = spec.slice('sqlite://'.length);
    const file = path === '' ? join(dataDir, KV_FILE) : isAbsolute(path) ? path : resolve(path);
    return new Keyv({ store: new KeyvBetterSqlite({ file }), namespace, throwOnErrors: true });
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(spec)?.[1]?.toLowerCase();
  switch (scheme) {
    case 'redis':
    case 'rediss':
      // A bounded connect: an unreachable server fails the call instead of retrying forever.
      return loadRedis().createKeyv(spec, {
        namespace,
        throwOnErrors: true,
        connectionTimeout: REDIS_CONNECT_TIMEOUT_MS,
      });
    case 'postgres':
    case 'postgresql':
      pgUsers.set(spec, (pgUsers.get(spec) ?? 0) + 1);
      return new Keyv({ store: new (loadPostgres().KeyvPostgres)({ uri: spec }), namespace, throwOnErrors: true });
    default:
      throw new KvConfigError(
        `PAPERFEED_KV_URL: unsupported store "${redact(spec)}"; ` +
          'use sqlite://<path> (or leave it unset), redis://, rediss://, postgres:// or postgresql://',
      );
  }
}

// @keyv/postgres keeps one pool per process, shared by every namespace and every App using the
// same URL: it may be ended only when the last of its users closes.
const pgUsers = new Map<string, number>();

/** Closes the keyv instances an App created from one URL. */
export async function disconnectKvs(url: string | undefined, kvs: Keyv[]): Promise<void> {
  const spec = url?.trim() ?? '';
  if (!/^postgres(ql)?:/i.test(spec)) {
    await Promise.all(kvs.map((kv) => kv.disconnect()));
    return;
  }
  const left = (pgUsers.get(spec) ?? 0) - kvs.length;
  if (left > 0) {
    pgUsers.set(spec, left);
    return;
  }
  pgUsers.delete(spec);
  await kvs[0]?.disconnect();
}

/**
 * After deletions that must not be readable afterwards (forget-me): on SQLite, moves the zeroed
 * pages into the file and empties the WAL; server stores need nothing here. False when a reader
 * in another process kept the WAL from being emptied (its next checkpoint does it).
 */
export function checkpointKv(kv: Keyv): boolean {
  return kv.store instanceof KeyvBetterSqlite ? kv.store.checkpoint() : true;
}

/** Error messages may be logged: never echo a password from the URL. */
function redact(url: string): string {
  return url.replace(/\/\/([^/@]*)@/, '//***@');
}
