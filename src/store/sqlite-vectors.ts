/**
 * The SQLite store's vector cache. Each provider key's vectors live in a table of their own, named
 * in vector_tables (schema v6), so that a superseded fit is dropped whole. Deleting one row by row
 * wrote each 16 KB page to the WAL again for every vector taken from it (3.7 GB for 200k vectors,
 * 23 s), and the checkpoints flushing that at 1M stalled another process's reads for seconds; a
 * DROP TABLE frees the pages without writing them (0.2 MB, 0.1 s for 200k; 1 s at 1M). A large
 * table is dropped by a worker thread on a connection of its own, so a service's event loop never
 * waits on it.
 *
 * Stores from before v6 keep their vectors in the shared table `vectors`, registered for every key
 * it held. It is dropped whole once none of its keys is kept; a key leaving it while another stays
 * is deleted a page at a time, as all pruning was before.
 */
import { randomBytes } from 'node:crypto';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type BetterSqlite3 from 'better-sqlite3';
import { startTsWorker } from '../ts-worker.ts';

/** One table's columns, those of v1's shared `vectors`: one set of statements serves every table. */
const VECTOR_COLUMNS = `(
    provider_key TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    dim          INTEGER NOT NULL,
    vector       BLOB NOT NULL,
    PRIMARY KEY (provider_key, content_hash)
  )`;
/** Tables with more rows than this are dropped by a worker thread (about 100 ms of DROP TABLE at 200k). */
const DROP_INLINE_MAX_ROWS = 20_000;
/** Vectors deleted per step when a key leaves the shared table while another stays (a few ms each). */
const PRUNE_PAGE = 500;
/** Cached vectors checked per step for a paper that still uses them (an index seek each: ~10 ms a step). */
const ORPHAN_PAGE = 5_000;

/**
 * One page of a pass over the papers with a vector in table t (parameters: key, after, limit).
 * CROSS JOIN keeps papers the outer loop, read in id order from `after` on: left to itself,
 * SQLite's planner put the key's whole vector table outside and sorted it for every page, so a
 * pass over the corpus was quadratic (79.9 s at 100k against 1.1 s).
 */
export const papersPageSql = (t: string): string =>
  `SELECT p.id, v.dim, v.vector FROM papers p CROSS JOIN ${t} v ON v.provider_key = ? AND v.content_hash = p.content_hash
   WHERE p.id > ? ORDER BY p.id LIMIT ?`;

type VectorRow = { content_hash: string; dim: number; vector: Buffer };
/** Runs one write (one transaction or statement) once the write lock is free, off the busy handler (SqliteStore). */
export type WhenLockFree = <R>(write: () => R) => Promise<R>;

export class SqliteVectors {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  private readonly tableOf;

  constructor(
    private readonly db: BetterSqlite3.Database,
    // Each write of a prune waits for the lock this way: a prune is several, and serve runs one after a rebuild.
    private readonly whenLockFree: WhenLockFree,
  ) {
    this.tableOf = db.prepare<[string], string>(`SELECT name FROM vector_tables WHERE provider_key = ?`).pluck();
  }

  /** The cached vectors of these content hashes (a JSON array) under the key. */
  get(key: string, hashesJson: string): VectorRow[] {
    return this.reading(key, (t) =>
      t ? this.sql<VectorRow>(`SELECT content_hash, dim, vector FROM ${t} WHERE provider_key = ? AND content_hash IN (SELECT value FROM json_each(?))`).all(key, hashesJson) : [],
    );
  }

  /** Inside the caller's write transaction: the key's table is made with its first vectors. */
  put(key: string, rows: readonly { contentHash: string; dim: number; blob: Buffer }[]): void {
    const t = this.tableOf.get(key) ?? this.create(key);
    const insert = this.sql(`INSERT OR REPLACE INTO ${t} (provider_key, content_hash, dim, vector) VALUES (?, ?, ?, ?)`);
    for (const r of rows) insert.run(key, r.contentHash, r.dim, r.blob);
  }

  /** Papers after `after` (by id) with a vector under the key, and that vector. */
  papersPage(key: string, after: string, limit: number): { id: string; dim: number; vector: Buffer }[] {
    return this.reading(key, (t) => (t ? this.sql<{ id: string; dim: number; vector: Buffer }>(papersPageSql(t)).all(key, after, limit) : []));
  }

  /** Papers with ids in (after, end] whose current text has no vector under the key, with when each was first seen. */
  missing(key: string, after: string, end: string): [id: string, firstSeen: string][] {
    return this.reading(key, (t) => {
      const lacking = t ? `AND NOT EXISTS (SELECT 1 FROM ${t} v WHERE v.provider_key = ? AND v.content_hash = p.content_hash)` : '';
      return this.sql<[string, string]>(`SELECT p.id, p.first_seen FROM papers p WHERE p.id > ? AND p.id <= ? ${lacking}`, true).all(after, end, ...(t ? [key] : []));
    });
  }

  /** Per key: live papers whose current text has a vector (not the size of the cache). */
  covered(): Record<string, number> {
    return this.db.transaction(() => {
      const out: Record<string, number> = {};
      for (const { key, name } of this.registered()) {
        out[key] = this.sql(`SELECT count(*) FROM papers p WHERE EXISTS (SELECT 1 FROM ${name} v WHERE v.provider_key = ? AND v.content_hash = p.content_hash)`)
          .pluck()
          .get(key) as number;
      }
      return out;
    })();
  }

  /** Deletes the vectors of every key not kept, and those of kept keys that no paper's text has any more. */
  async prune(keep: readonly string[]): Promise<number> {
    const tables = new Map<string, string[]>();
    for (const { key, name } of this.registered()) tables.set(name, [...(tables.get(name) ?? []), key]);
    let pruned = 0;
    for (const [name, keys] of tables) {
      if (keys.every((k) => !keep.includes(k))) {
        pruned += await this.dropTable(name, keep);
        // Statements naming that table (`vectors` is not a whole word of `vectors_…`).
        const names = new RegExp(`\\b${name}\\b`);
        for (const id of this.statements.keys()) if (names.test(id)) this.statements.delete(id);
      } else for (const key of keys.filter((k) => !keep.includes(k))) pruned += await this.deleteKey(name, key);
    }
    for (const key of keep) {
      const t = this.tableOf.get(key);
      if (t) pruned += await this.deleteOrphans(t, key);
    }
    return pruned;
  }

  private registered(): { key: string; name: string }[] {
    return this.sql<{ key: string; name: string }>(`SELECT provider_key AS key, name FROM vector_tables ORDER BY provider_key`).all();
  }

  private create(key: string): string {
    // Random, never derived from the key: a name cannot collide with one in use or just dropped.
    const name = `vectors_${randomBytes(6).toString('hex')}`;
    this.db.exec(`CREATE TABLE ${name} ${VECTOR_COLUMNS}`);
    this.sql(`INSERT INTO vector_tables (provider_key, name) VALUES (?, ?)`).run(key, name);
    return name;
  }

  /**
   * The key's table and the read, in one snapshot: a table dropped by another connection meanwhile
   * stays readable to the end of the read (and is no longer named after it).
   */
  private reading<T>(key: string, read: (table: string | undefined) => T): T {
    return this.db.transaction(() => read(this.tableOf.get(key)))();
  }

  private async dropTable(name: string, keep: readonly string[]): Promise<number> {
    // The rowid span bounds the row count without reading the table: each of min and max alone is
    // one seek, where both in one SELECT scan the whole table (14 s at 1M, under load).
    const span = this.sql(`SELECT coalesce((SELECT max(rowid) FROM ${name}) - (SELECT min(rowid) FROM ${name}) + 1, 0)`).pluck().get() as number;
    if (span <= DROP_INLINE_MAX_ROWS || this.db.memory) return this.whenLockFree(() => dropVectorTable(this.db, name, keep));
    const worker = await startTsWorker(new URL('./sqlite-drop-worker.ts', import.meta.url).pathname, { file: this.db.name, name, keep });
    try {
      const reply = await new Promise<{ ok: true; dropped: number } | { ok: false; message: string }>((resolve, reject) => {
        worker.once('message', resolve).once('error', reject).once('exit', (code) => reject(new Error(`the vector table drop worker exited (code ${code})`)));
        worker.postMessage('drop');
      });
      if (!reply.ok) throw new Error(`dropping vector table ${name} failed: ${reply.message}`);
      return reply.dropped;
    } finally {
      await worker.terminate();
    }
  }

  /** A key leaving the shared table of an older store, a page at a time with the event loop free between pages. */
  private async deleteKey(table: string, key: string): Promise<number> {
    await this.whenLockFree(() => this.sql(`DELETE FROM vector_tables WHERE provider_key = ?`).run(key));
    const page = this.sql(`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE provider_key = ? LIMIT ?)`);
    let deleted = 0;
    for (let n = -1; n !== 0; await yieldToLoop()) {
      n = (await this.whenLockFree(() => page.run(key, PRUNE_PAGE))).changes;
      deleted += n;
    }
    return deleted;
  }

  /**
   * Texts no paper has any more: few, after a rename or removal. Found a page of the key's vectors
   * at a time by reading (no lock held, so another process's writes never wait on it), and deleted
   * only when some were, checked again in the write (a paper may have come back).
   */
  private async deleteOrphans(table: string, key: string): Promise<number> {
    const page = this.sql<{ h: string; used: number }>(
      `SELECT v.content_hash AS h, EXISTS (SELECT 1 FROM papers p WHERE p.content_hash = v.content_hash) AS used
         FROM ${table} v WHERE v.provider_key = ? AND v.content_hash > ? ORDER BY v.content_hash LIMIT ?`,
    );
    const deleteOrphans = this.sql(
      `DELETE FROM ${table} WHERE provider_key = ? AND content_hash IN (SELECT value FROM json_each(?))
         AND NOT EXISTS (SELECT 1 FROM papers p WHERE p.content_hash = ${table}.content_hash)`,
    );
    let deleted = 0;
    for (let after = ''; ; await yieldToLoop()) {
      const rows = page.all(key, after, ORPHAN_PAGE);
      if (rows.length === 0) return deleted;
      after = rows.at(-1)!.h;
      const orphans = rows.filter((r) => !r.used).map((r) => r.h);
      if (orphans.length > 0) deleted += (await this.whenLockFree(() => deleteOrphans.run(key, JSON.stringify(orphans)))).changes;
    }
  }

  private sql<T = unknown>(text: string, raw = false): BetterSqlite3.Statement<unknown[], T> {
    const id = raw ? `raw:${text}` : text;
    let s = this.statements.get(id);
    if (!s) {
      s = this.db.prepare(text);
      if (raw) s.raw();
      this.statements.set(id, s);
    }
    return s as BetterSqlite3.Statement<unknown[], T>;
  }
}

/**
 * Drops a vector table whole, with its keys' names, in one write transaction; checked again inside
 * it: nothing happens if the table is gone or one of its keys is kept now. Returns its row count,
 * counted before the write lock is taken (a count reads the whole table: 2.9 s at 1M beside a
 * rebuild, which other processes' writes need not wait out).
 */
export function dropVectorTable(db: BetterSqlite3.Database, name: string, keep: readonly string[]): number {
  const exists = () => db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name) !== undefined;
  if (!exists()) return 0;
  const rows = db.prepare<[], number>(`SELECT count(*) FROM ${name}`).pluck().get()!;
  return db
    .transaction(() => {
      const keys = db.prepare<[string], string>(`SELECT provider_key FROM vector_tables WHERE name = ?`).pluck().all(name);
      if (!exists() || keys.some((k) => keep.includes(k))) return 0;
      db.prepare(`DELETE FROM vector_tables WHERE name = ?`).run(name);
      db.exec(`DROP TABLE ${name}`);
      return rows;
    })
    .immediate();
}
