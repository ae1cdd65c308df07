/**
 * The PostgreSQL store's vector cache. Each provider key's vectors live in a table of their own,
 * named in vector_tables (schema v5), so that a superseded fit is dropped whole, as in the SQLite
 * store (sqlite-vectors.ts). The one DELETE over the shared table that pruned before held each row
 * it took until it committed, so a query's cache write of one of them waited out the rest of it,
 * and left every page to VACUUM. For 200k vectors (bench/pg-vector-prune.ts, medians of 3): with
 * the server's defaults (fsync, full_page_writes) the DELETE took 3.5 s and wrote 478 MB of WAL (a
 * full image of each TOAST page it touched), its VACUUM 11.8 s and 35 MB more, a cache write
 * waited 3.1 s; a DROP TABLE took 0.4 s and wrote 0.1 MB. (Without either: 2.0 s and 34 MB, 1.4 s
 * and 16 MB, 1.7 s; 0.06 s.)
 *
 * Tables, not LIST partitions of `vectors`: creating or dropping a partition locks the parent
 * ACCESS EXCLUSIVE, so every reader of every key would wait on a prune or on a new fit's first
 * write (ATTACH, and DETACH CONCURRENTLY, lock it less, but the latter cannot run in a transaction
 * with the registry's change), and a store from before v5 holds a plain `vectors` that cannot
 * become a partitioned one without copying it. A table of its own is locked only for its own key,
 * whose readers are the processes still on the superseded fit.
 *
 * Stores from before v5 keep their vectors in the shared table `vectors`, registered for every key
 * it held. It is dropped whole once none of its keys is kept; a key leaving it while another stays
 * is deleted a page at a time.
 *
 * Another process may drop a table between the look-up of its name and its use (PostgreSQL
 * resolves a name at each statement, whatever the isolation level): that is "relation does not
 * exist", and the look-up is made again (the key then has no table, or a new one).
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { withTransaction, type PgPool, type PgQueryable } from './postgres-client.ts';

/** One table's columns, those of v1's shared `vectors`: one set of statements serves every table. */
const VECTOR_COLUMNS = `(
    provider_key TEXT NOT NULL,
    content_hash TEXT COLLATE "C" NOT NULL,
    dim          INTEGER NOT NULL,
    vector       BYTEA NOT NULL,
    PRIMARY KEY (provider_key, content_hash)
  )`;
/** Rows per statement of a read or write of many hashes. */
const BATCH = 1_000;
/** Vectors deleted per transaction when a key leaves the shared table while another stays (about 10 ms each). */
const PRUNE_PAGE = 1_000;
/** Cached vectors checked per step for a paper that still uses them (an index probe each). */
const ORPHAN_PAGE = 5_000;
/**
 * How long a DROP TABLE waits for its lock before giving up for a while: queries of the doomed
 * key queue behind a waiting DROP, so a session left idle in a transaction on that table must not
 * hold them up for longer than this.
 */
const DROP_LOCK_TIMEOUT = '2s';
const DROP_ATTEMPTS = 5;
/** Look-ups made again after a table vanished under a statement: each means another prune dropped the key's table. */
const GONE_ATTEMPTS = 3;

type VectorRow = { content_hash: string; dim: number; vector: Buffer };

/**
 * One page of a pass over the papers ($2 after, $3 limit) with each one's vector in table t under
 * key $1, or null where it has none. The page is a keyset read of papers alone; each of its papers
 * then looks up its vector (the LATERAL subquery with a LIMIT cannot be flattened into a join).
 * As a plain join, a key's table not analyzed yet (the one a bulk load just filled, which a
 * rebuild then reads) was scanned whole and sorted for every page: a pass over 100k papers took
 * 17.7 s against 1.7 s.
 */
export const papersPageSql = (t: string): string =>
  `WITH page AS MATERIALIZED (SELECT id, content_hash FROM papers WHERE id > $2 ORDER BY id LIMIT $3)
   SELECT page.id, v.dim, v.vector FROM page
   LEFT JOIN LATERAL (SELECT dim, vector FROM ${t} v WHERE v.provider_key = $1 AND v.content_hash = page.content_hash LIMIT 1) v ON true
   ORDER BY page.id`;

export class PgVectors {
  constructor(private readonly pool: PgPool) {}

  /** The cached vectors of these content hashes under the key. */
  async get(key: string, hashes: readonly string[]): Promise<VectorRow[]> {
    const out: VectorRow[] = [];
    for (let i = 0; i < hashes.length; i += BATCH) {
      const chunk = hashes.slice(i, i + BATCH);
      const rows = await this.reading(key, async (t) => {
        if (!t) return [];
        const { rows } = await this.pool.query<VectorRow>(
          `SELECT content_hash, dim, vector FROM ${t} WHERE provider_key = $1 AND content_hash = ANY($2::text[])`,
          [key, chunk],
        );
        return rows;
      });
      out.push(...rows);
    }
    return out;
  }

  /** In one transaction, one row per hash; the key's table is made with its first vectors. */
  async put(key: string, rows: readonly { contentHash: string; dim: number; blob: Buffer }[]): Promise<void> {
    await retryIfGone(() =>
      withTransaction(this.pool, async (tx) => {
        const t = (await tableOf(tx, key)) ?? (await create(tx, key));
        for (let i = 0; i < rows.length; i += BATCH) {
          const chunk = rows.slice(i, i + BATCH);
          await tx.query(
            `INSERT INTO ${t} (provider_key, content_hash, dim, vector)
             SELECT $1, h, d, v FROM unnest($2::text[], $3::int[], $4::bytea[]) AS t(h, d, v)
             ON CONFLICT (provider_key, content_hash) DO UPDATE SET dim = excluded.dim, vector = excluded.vector`,
            [key, chunk.map((r) => r.contentHash), chunk.map((r) => r.dim), chunk.map((r) => r.blob)],
          );
        }
      }),
    );
  }

  /** The next `limit` papers after `after` (by id), each with its vector under the key or null (papersPageSql). */
  papersPage(key: string, after: string, limit: number): Promise<{ id: string; dim: number | null; vector: Buffer | null }[]> {
    return this.reading(key, async (t) => {
      if (!t) return [];
      const { rows } = await this.pool.query<{ id: string; dim: number | null; vector: Buffer | null }>(papersPageSql(t), [key, after, limit]);
      return rows;
    });
  }

  /** Ids of the papers whose current text has no vector under the key, newest first. */
  missing(key: string): Promise<string[]> {
    return this.reading(key, async (t) => {
      const lacking = t ? `WHERE NOT EXISTS (SELECT 1 FROM ${t} v WHERE v.provider_key = $1 AND v.content_hash = p.content_hash)` : '';
      const { rows } = await this.pool.query<{ id: string }>(`SELECT id FROM papers p ${lacking} ORDER BY first_seen DESC, id`, t ? [key] : []);
      return rows.map((r) => r.id);
    });
  }

  /** Per key: live papers whose current text has a vector (not the size of the cache). */
  async covered(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const { key } of await this.registered()) {
      const n = await this.reading(key, async (t) => {
        if (!t) return undefined;
        const { rows } = await this.pool.query<{ n: string }>(
          `SELECT count(*) AS n FROM papers p WHERE EXISTS (SELECT 1 FROM ${t} v WHERE v.provider_key = $1 AND v.content_hash = p.content_hash)`,
          [key],
        );
        return Number(rows[0]!.n);
      });
      if (n !== undefined) out[key] = n;
    }
    return out;
  }

  /** Deletes the vectors of every key not kept, and those of kept keys that no paper's text has any more. */
  async prune(keep: readonly string[]): Promise<number> {
    const tables = new Map<string, string[]>();
    for (const { key, name } of await this.registered()) tables.set(name, [...(tables.get(name) ?? []), key]);
    let pruned = 0;
    for (const [name, keys] of tables) {
      if (keys.every((k) => !keep.includes(k))) pruned += await this.dropTable(name, keep);
      else for (const key of keys.filter((k) => !keep.includes(k))) pruned += await this.deleteKey(name, key);
    }
    for (const key of keep) {
      const t = await tableOf(this.pool, key);
      if (t) pruned += await this.deleteOrphans(t, key);
    }
    return pruned;
  }

  private async registered(): Promise<{ key: string; name: string }[]> {
    const { rows } = await this.pool.query<{ key: string; name: string }>(
      `SELECT provider_key AS key, name FROM vector_tables ORDER BY provider_key COLLATE "C"`,
    );
    return rows;
  }

  /** The key's table and a read of it; looked up again if another process dropped the table meanwhile. */
  private reading<T>(key: string, read: (table: string | undefined) => Promise<T>): Promise<T> {
    return retryIfGone(async () => read(await tableOf(this.pool, key)));
  }

  /**
   * Drops a table whole with its keys' names, in one transaction; checked again inside it (its
   * registry rows locked, so two prunes never drop one table twice): nothing happens if the
   * table is gone or one of its keys is kept now. Returns its row count.
   */
  private async dropTable(name: string, keep: readonly string[]): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await withTransaction(this.pool, async (tx) => {
          await tx.query(`SET LOCAL lock_timeout = '${DROP_LOCK_TIMEOUT}'`);
          const keys = await tx.query<{ k: string }>(`SELECT provider_key AS k FROM vector_tables WHERE name = $1 FOR UPDATE`, [name]);
          const exists = await tx.query(`SELECT to_regclass($1) IS NOT NULL AS e`, [name]);
          if (!exists.rows[0]!.e || keys.rows.some((r) => keep.includes(r.k))) return 0;
          const { rows } = await tx.query<{ n: string }>(`SELECT count(*) AS n FROM ${name}`);
          await tx.query(`DELETE FROM vector_tables WHERE name = $1`, [name]);
          await tx.query(`DROP TABLE ${name}`);
          return Number(rows[0]!.n);
        });
      } catch (err) {
        if (pgCode(err) !== LOCK_NOT_AVAILABLE || attempt === DROP_ATTEMPTS) throw err;
        await sleep(1_000);
      }
    }
  }

  /** A key leaving the shared table of an older store, a page per transaction, so no other write waits long. */
  private async deleteKey(table: string, key: string): Promise<number> {
    await this.pool.query(`DELETE FROM vector_tables WHERE provider_key = $1`, [key]);
    let deleted = 0;
    for (let n = -1; n !== 0; ) {
      const done = await this.pool
        .query(
          `DELETE FROM ${table} WHERE provider_key = $1 AND content_hash IN
             (SELECT content_hash FROM ${table} WHERE provider_key = $1 LIMIT $2)`,
          [key, PRUNE_PAGE],
        )
        .catch(ifGone(() => ({ rowCount: 0 })));
      n = done.rowCount ?? 0;
      deleted += n;
    }
    return deleted;
  }

  /**
   * Texts no paper has any more: few, after a rename or removal. Found a page of the key's vectors
   * at a time by reading (papers_content_hash answers each), and deleted only when some were,
   * checked again in the delete (a paper may have come back). Stops if the table is dropped meanwhile.
   */
  private async deleteOrphans(table: string, key: string): Promise<number> {
    let deleted = 0;
    for (let after = ''; ; ) {
      const page = await this.pool
        .query<{ h: string; used: boolean }>(
          `SELECT v.content_hash AS h, EXISTS (SELECT 1 FROM papers p WHERE p.content_hash = v.content_hash) AS used
             FROM ${table} v WHERE v.provider_key = $1 AND v.content_hash > $2 ORDER BY v.content_hash LIMIT $3`,
          [key, after, ORPHAN_PAGE],
        )
        .catch(ifGone(() => ({ rows: [] as { h: string; used: boolean }[] })));
      if (page.rows.length === 0) return deleted;
      after = page.rows.at(-1)!.h;
      const orphans = page.rows.filter((r) => !r.used).map((r) => r.h);
      if (orphans.length === 0) continue;
      const done = await this.pool
        .query(
          `DELETE FROM ${table} v WHERE v.provider_key = $1 AND v.content_hash = ANY($2::text[])
             AND NOT EXISTS (SELECT 1 FROM papers p WHERE p.content_hash = v.content_hash)`,
          [key, orphans],
        )
        .catch(ifGone(() => ({ rowCount: 0 })));
      deleted += done.rowCount ?? 0;
    }
  }
}

async function tableOf(db: PgQueryable, key: string): Promise<string | undefined> {
  const { rows } = await db.query<{ name: string }>(`SELECT name FROM vector_tables WHERE provider_key = $1`, [key]);
  return rows[0]?.name;
}

/**
 * Names the key's new table and makes it, in the caller's transaction: no other process sees the
 * name before the table. Another process naming one for the same key at once wins or loses on the
 * registry's primary key (ON CONFLICT waits for its commit); the loser uses the winner's table.
 */
async function create(tx: PgQueryable, key: string): Promise<string> {
  // Random, never derived from the key: a name cannot collide with one in use or just dropped.
  const name = `vectors_${randomBytes(6).toString('hex')}`;
  const won = await tx.query(
    `INSERT INTO vector_tables (provider_key, name) VALUES ($1, $2) ON CONFLICT (provider_key) DO NOTHING RETURNING name`,
    [key, name],
  );
  if (won.rows.length === 0) return (await tableOf(tx, key))!;
  await tx.query(`CREATE TABLE ${name} ${VECTOR_COLUMNS}`);
  return name;
}

const UNDEFINED_TABLE = '42P01';
const LOCK_NOT_AVAILABLE = '55P03';
const pgCode = (err: unknown): string | undefined => (err as { code?: string }).code;

async function retryIfGone<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (pgCode(err) !== UNDEFINED_TABLE || attempt === GONE_ATTEMPTS) throw err;
    }
  }
}

/** A catch handler: the table was dropped by another process, which is the answer `none` stands for. */
const ifGone =
  <T>(none: () => T) =>
  (err: unknown): T => {
    if (pgCode(err) === UNDEFINED_TABLE) return none();
    throw err;
  };
