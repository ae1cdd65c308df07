import { EventEmitter } from 'node:events';
import type BetterSqlite3 from 'better-sqlite3';
import type { KeyvEntry, KeyvStoreAdapter, StoredData } from 'keyv';
import { openDatabase } from './sqlite-schema.ts';

/** The kv file's own schema (a separate file from the paper store, with its own migrations). */
export const KV_MIGRATIONS: readonly string[] = [
  // v1
  `
  CREATE TABLE keyv (
    key     TEXT PRIMARY KEY,
    value   TEXT NOT NULL,
    expires INTEGER              -- epoch ms, NULL for no expiry
  );
  CREATE INDEX keyv_expires ON keyv(expires) WHERE expires IS NOT NULL;
  `,
  // v2: no schema change. Deleted rows are overwritten from now on (secure_delete); reaching this
  // step vacuums the file once, so rows deleted before leave its free pages too.
  `SELECT 1;`,
];

/** PRAGMA application_id of kv files ("pfkv"), distinct from the paper store's. */
export const KV_APPLICATION_ID = 0x70666b76;

export interface KeyvSqliteOptions {
  /** SQLite file; created with its directory when missing. */
  file: string;
  /** Rows fetched per step of `iterator()`. */
  iterationLimit?: number;
  /** Milliseconds since the epoch; tests pass a fake clock. Defaults to Date.now, which keyv also uses. */
  now?: () => number;
}

/**
 * A keyv v5 storage adapter on better-sqlite3, so keyv state shares the native SQLite binding of the
 * paper store instead of pulling in @keyv/sqlite's sqlite3. Keyv hands over keys already prefixed with
 * `namespace:` and values already serialized (with their own `expires`); the `expires` column repeats
 * the expiry so that expired rows are skipped and purged in SQL.
 */
export class KeyvBetterSqlite extends EventEmitter implements KeyvStoreAdapter {
  /** keyv reads `opts.dialect` to decide the adapter can iterate. */
  readonly opts: { dialect: 'sqlite'; url: string; table: 'keyv'; iterationLimit: number };
  /** Set by keyv to its namespace; scopes clear() and iterator(). */
  namespace?: string | undefined;
  private readonly db: BetterSqlite3.Database;
  private readonly now: () => number;
  private readonly q;

  constructor(options: KeyvSqliteOptions) {
    super();
    this.db = openDatabase(options.file, {
      migrations: KV_MIGRATIONS,
      applicationId: KV_APPLICATION_ID,
      kind: 'kv store',
      secureDelete: true,
    });
    // Looked up on each call, so fake timers installed later (tests) reach the adapter as they reach keyv.
    this.now = options.now ?? (() => Date.now());
    this.opts = {
      dialect: 'sqlite',
      url: `sqlite://${this.db.name}`,
      table: 'keyv',
      iterationLimit: options.iterationLimit ?? 100,
    };
    const db = this.db;
    const live = '(expires IS NULL OR expires > ?)';
    this.q = {
      get: db.prepare<[string], Row>(`SELECT key, value, expires FROM keyv WHERE key = ?`),
      getMany: db.prepare<[string], Row>(
        `SELECT key, value, expires FROM keyv WHERE key IN (SELECT value FROM json_each(?))`,
      ),
      set: db.prepare<[string, string, number | null]>(
        `INSERT INTO keyv (key, value, expires) VALUES (?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires = excluded.expires`,
      ),
      delete: db.prepare<[string]>(`DELETE FROM keyv WHERE key = ?`),
      swap: db.prepare<[string, number | null, string, string]>(`UPDATE keyv SET value = ?, expires = ? WHERE key = ? AND value = ?`),
      insertNew: db.prepare<[string, string, number | null]>(`INSERT INTO keyv (key, value, expires) VALUES (?, ?, ?) ON CONFLICT(key) DO NOTHING`),
      // Keys of a namespace are the range ['ns:', 'ns;'): exact, index-friendly, and immune to LIKE wildcards.
      clearRange: db.prepare<[string, string]>(`DELETE FROM keyv WHERE key >= ? AND key < ?`),
      clearAll: db.prepare(`DELETE FROM keyv`),
      page: db.prepare<[string, string, string, number, number], { key: string; value: string }>(
        `SELECT key, value FROM keyv WHERE key > ? AND key >= ? AND key < ? AND ${live} ORDER BY key LIMIT ?`,
      ),
      pageAll: db.prepare<[string, number, number], { key: string; value: string }>(
        `SELECT key, value FROM keyv WHERE key > ? AND ${live} ORDER BY key LIMIT ?`,
      ),
      purge: db.prepare<[number]>(`DELETE FROM keyv WHERE expires IS NOT NULL AND expires <= ?`),
    };
    this.q.purge.run(this.now());
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    return this.live(this.q.get.get(key), this.now()) as StoredData<Value> | undefined;
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    const now = this.now();
    const found = new Map<string, string>();
    for (const r of this.q.getMany.all(JSON.stringify(keys))) {
      const value = this.live(r, now);
      if (value !== undefined) found.set(r.key, value);
    }
    return keys.map((k) => found.get(k) as StoredData<Value | undefined>);
  }

  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    this.q.set.run(key, toText(value), expiresAt(this.now(), ttl));
    return true;
  }

  async setMany(entries: KeyvEntry[]): Promise<void> {
    const now = this.now();
    this.db.transaction(() => {
      for (const { key, value, ttl } of entries) this.q.set.run(key, toText(value), expiresAt(now, ttl));
    })();
  }

  /**
   * Writes `next` only if the stored text is still `expected` (undefined: no live row), in one
   * statement, so it is atomic against other processes on the file (see kv-cas.ts).
   */
  compareAndSet(key: string, expected: string | undefined, next: string, ttlMs: number | undefined): boolean {
    const now = this.now();
    if (expected !== undefined) return this.q.swap.run(next, expiresAt(now, ttlMs), key, expected).changes > 0;
    // An expired row counts as absent: purge it first (the insert then still loses to a live writer).
    this.live(this.q.get.get(key), now);
    return this.q.insertNew.run(key, next, expiresAt(now, ttlMs)).changes > 0;
  }

  async delete(key: string): Promise<boolean> {
    // An expired row is already gone as far as readers can tell: deleting it reports false.
    return this.live(this.q.get.get(key), this.now()) !== undefined && this.q.delete.run(key).changes > 0;
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    const now = this.now();
    return this.db.transaction(() => {
      let any = false;
      for (const key of keys) {
        if (this.live(this.q.get.get(key), now) !== undefined && this.q.delete.run(key).changes > 0) any = true;
      }
      return any;
    })();
  }

  async has(key: string): Promise<boolean> {
    return this.live(this.q.get.get(key), this.now()) !== undefined;
  }

  async hasMany(keys: string[]): Promise<boolean[]> {
    const now = this.now();
    return keys.map((k) => this.live(this.q.get.get(k), now) !== undefined);
  }

  /** Without a namespace clear() empties the table, as keyv's other adapters do. */
  async clear(): Promise<void> {
    if (this.namespace) this.q.clearRange.run(...namespaceRange(this.namespace));
    else this.q.clearAll.run();
  }

  /**
   * [key, serialized value] pairs of a namespace (or of the whole table), in key order. Pages by key
   * so that no cursor stays open on the connection while the consumer awaits between items.
   */
  async *iterator<Value>(namespace?: string): AsyncGenerator<Array<string | Awaited<Value> | undefined>, void> {
    const range = namespace ? namespaceRange(namespace) : undefined;
    const limit = this.opts.iterationLimit;
    for (let after = ''; ; ) {
      const rows = range
        ? this.q.page.all(after, range[0], range[1], this.now(), limit)
        : this.q.pageAll.all(after, this.now(), limit);
      for (const r of rows) yield [r.key, r.value as Awaited<Value>];
      if (rows.length < limit) return;
      after = rows[rows.length - 1]!.key;
    }
  }

  /**
   * Copies the WAL into the file and truncates it: with secure_delete the file then holds zeros
   * where deleted rows were, and the WAL no longer holds their older page images. A no-op (false)
   * while another connection still reads an older snapshot.
   */
  checkpoint(): boolean {
    const [r] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
    return r?.busy === 0;
  }

  async disconnect(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** The row's value while it lives; an expired row is deleted on sight so the table does not keep it. */
  private live(row: Row | undefined, now: number): string | undefined {
    if (row === undefined) return undefined;
    if (row.expires !== null && row.expires <= now) {
      this.q.delete.run(row.key);
      return undefined;
    }
    return row.value;
  }
}

interface Row {
  key: string;
  value: string;
  expires: number | null;
}

function namespaceRange(namespace: string): [string, string] {
  // ';' is the character right after ':', so every 'ns:…' key sorts inside [ns:, ns;).
  return [`${namespace}:`, `${namespace};`];
}

function expiresAt(now: number, ttl: number | undefined): number | null {
  return typeof ttl === 'number' && Number.isFinite(ttl) && ttl > 0 ? now + ttl : null;
}

/** keyv serializes before calling the store; anything else means serialization was switched off. */
function toText(value: unknown): string {
  if (typeof value !== 'string') {
    throw new TypeError('KeyvBetterSqlite stores serialized text: keep keyv\'s default serialize option');
  }
  return value;
}
