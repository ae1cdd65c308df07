/**
 * Atomic read-modify-write of one keyv entry, across processes, on every kv backend: read the
 * stored (serialized) text, compute the new value, and write it only if the stored text is still
 * the one read (compare-and-set); otherwise read again and redo the change. Replicas share Redis or
 * PostgreSQL and the CLI runs beside `serve` on one SQLite file, so an in-process lock alone would
 * let the last writer silently drop the other's change.
 *
 * Comparing the whole stored text (not a version field) needs no schema of our own and works on
 * records written before this existed; an A→B→A change in between is harmless, since the change
 * is then computed from exactly what is stored.
 */
import type Keyv from 'keyv';

/** What is stored under a key: its serialized text (undefined when absent) and its live value. */
export interface StoredEntry {
  text: string | undefined;
  /** undefined when absent or expired. */
  value: unknown;
}

/** The one backend-specific piece: a conditional write on the stored text. */
interface CasBackend {
  /** The stored text under the full store key, undefined when absent. */
  read(storeKey: string): Promise<string | undefined>;
  /** Writes `next` when the stored text is still `expected` (undefined: absent); false when it is not. */
  swap(storeKey: string, expected: string | undefined, next: string, ttlMs: number | undefined): Promise<boolean>;
}

/** What a change decides: write `value` (with an optional expiry), or leave the entry as it is. */
export type CasDecision<R> = { write: true; value: unknown; ttlMs?: number; result: R } | { write: false; result: R };

/** Another writer won this many times in a row: give up loudly instead of spinning. */
export const CAS_MAX_ATTEMPTS = 100;

export class CasConflictError extends Error {
  override name = 'CasConflictError';
}

/**
 * Reads `key`, lets `change` decide from the current value, and writes atomically; when another
 * process wrote in between, `change` runs again on the fresh value (so it must not have side
 * effects beyond its return value).
 */
export async function updateEntry<R>(kv: Keyv, key: string, change: (current: StoredEntry) => CasDecision<R> | Promise<CasDecision<R>>): Promise<R> {
  const backend = casBackend(kv);
  const storeKey = storeKeyOf(kv, key);
  for (let attempt = 1; ; attempt++) {
    const text = await backend.read(storeKey);
    const decision = await change({ text, value: await liveValue(kv, text) });
    if (!decision.write) return decision.result;
    const ttl = decision.ttlMs !== undefined && decision.ttlMs > 0 ? decision.ttlMs : undefined;
    const next = await kv.serialize!({ value: decision.value, expires: ttl === undefined ? undefined : Date.now() + ttl });
    if (await backend.swap(storeKey, text, next as string, ttl)) return decision.result;
    if (attempt >= CAS_MAX_ATTEMPTS) {
      throw new CasConflictError(`kv key "${key}" was changed by other writers ${attempt} times in a row; gave up`);
    }
    // A short random pause spreads out writers that collided.
    await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 * attempt)));
  }
}

/** The stored entry of `key`, read the way updateEntry reads it. */
export async function readEntry(kv: Keyv, key: string): Promise<StoredEntry> {
  const text = await casBackend(kv).read(storeKeyOf(kv, key));
  return { text, value: await liveValue(kv, text) };
}

async function liveValue(kv: Keyv, text: string | undefined): Promise<unknown> {
  if (text === undefined) return undefined;
  const data = (await kv.deserialize!(text)) as { value?: unknown; expires?: number } | undefined;
  if (!data || (typeof data.expires === 'number' && data.expires <= Date.now())) return undefined;
  return data.value;
}

/** keyv prefixes keys with `namespace:` itself, except for @keyv/redis, whose adapter prefixes `namespace::`. */
function storeKeyOf(kv: Keyv, key: string): string {
  const store = kv.store as RedisLike;
  if (typeof store.createKeyPrefix === 'function') return store.createKeyPrefix(key, store.namespace);
  return kv.namespace ? `${kv.namespace}:${key}` : key;
}

interface RedisLike {
  namespace?: string;
  createKeyPrefix(key: string, namespace: string | undefined): string;
  getClient(): Promise<{ get(key: string): Promise<string | null>; eval(script: string, opts: { keys: string[]; arguments: string[] }): Promise<unknown> }>;
}

interface PostgresLike {
  opts: { dialect?: string; schema?: string; table?: string };
  query(sql: string, values?: unknown[]): Promise<Array<Record<string, unknown>>>;
}

interface SqliteLike {
  get(key: string): Promise<string | undefined>;
  compareAndSet(key: string, expected: string | undefined, next: string, ttlMs: number | undefined): boolean;
}

// KEYS[1]; ARGV: has-expected (0/1), expected, next, ttl ms (0: none).
const REDIS_CAS = `
local cur = redis.call('GET', KEYS[1])
if (ARGV[1] == '0' and cur == false) or (ARGV[1] == '1' and cur == ARGV[2]) then
  if tonumber(ARGV[4]) > 0 then redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4]) else redis.call('SET', KEYS[1], ARGV[3]) end
  return 1
end
return 0`;

const backends = new WeakMap<object, CasBackend>();

function casBackend(kv: Keyv): CasBackend {
  const store = kv.store as object;
  let b = backends.get(store);
  if (!b) {
    b = makeBackend(kv, store);
    backends.set(store, b);
  }
  return b;
}

function makeBackend(kv: Keyv, store: object): CasBackend {
  if ('compareAndSet' in store) {
    const s = store as SqliteLike;
    return { read: (k) => s.get(k), swap: async (k, e, n, ttl) => s.compareAndSet(k, e, n, ttl) };
  }
  if ('getClient' in store && 'createKeyPrefix' in store) {
    const s = store as RedisLike;
    return {
      async read(k) {
        return (await (await s.getClient()).get(k)) ?? undefined;
      },
      async swap(k, expected, next, ttl) {
        const args = [expected === undefined ? '0' : '1', expected ?? '', next, String(ttl ?? 0)];
        return Number(await (await s.getClient()).eval(REDIS_CAS, { keys: [k], arguments: args })) === 1;
      },
    };
  }
  const pg = store as Partial<PostgresLike>;
  if (pg.opts?.dialect === 'postgres' && typeof pg.query === 'function') {
    const s = pg as PostgresLike;
    // @keyv/postgres keeps expiry inside the serialized value (keyv checks it on read).
    const table = `${quoteIdent(s.opts.schema ?? 'public')}.${quoteIdent(s.opts.table ?? 'keyv')}`;
    return {
      async read(k) {
        const rows = await s.query(`SELECT value FROM ${table} WHERE key = $1`, [k]);
        return rows[0]?.value as string | undefined;
      },
      async swap(k, expected, next) {
        const rows =
          expected === undefined
            ? await s.query(`INSERT INTO ${table} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING key`, [k, next])
            : await s.query(`UPDATE ${table} SET value = $1 WHERE key = $2 AND value = $3 RETURNING key`, [next, k, expected]);
        return rows.length > 0;
      },
    };
  }
  if (store instanceof Map) {
    // An in-memory store lives in one process, and nothing awaits between the check and the write.
    const m = store as Map<string, unknown>;
    return {
      read: async (k) => m.get(k) as string | undefined,
      async swap(k, expected, next) {
        if (m.get(k) !== expected) return false;
        m.set(k, next);
        return true;
      },
    };
  }
  throw new Error(`no atomic update for this kv store (${store.constructor.name}, namespace ${kv.namespace ?? '(none)'})`);
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
