/**
 * What pruning a superseded fit costs PostgreSQL: the paper store's one DELETE over the shared
 * `vectors` table (schema v1-v4), against a DROP TABLE of a table holding only that key's vectors.
 * For each: time, WAL written (pg_wal_lsn_diff around it), and for the DELETE also the VACUUM it
 * leaves behind (its dead rows and TOAST chunks are cleaned later, at a cost of their own), and how
 * long a query's cache write of a row the DELETE has already taken (`INSERT ... ON CONFLICT`, one
 * row of the doomed key) waits, and a read of that key, both sent while the DELETE runs.
 *
 * A CHECKPOINT before each step makes the WAL figure include the full-page images a server with
 * full_page_writes=on writes at the first change of each page after a checkpoint (printed: the
 * throwaway test cluster turns them off).
 *
 *   PAPERFEED_TEST_PG_URL=postgres://… node bin/run-ts.js bench/pg-vector-prune.ts [--rows 200000] [--runs 3]
 *
 * Works in a database of its own, created and dropped on that server.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { openPgPool, type PgPool, type PgQueryable } from '../src/store/postgres-client.ts';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '200000' }, runs: { type: 'string', default: '3' } } });
const ROWS = Number(values.rows);
const RUNS = Number(values.runs);
const DIM = 512;
const FILL_BATCH = 2_000;
const url = process.env.PAPERFEED_TEST_PG_URL;
if (!url) throw new Error('set PAPERFEED_TEST_PG_URL to a PostgreSQL server this bench may create a database on');

const VECTOR_COLUMNS = `(provider_key TEXT NOT NULL, content_hash TEXT COLLATE "C" NOT NULL, dim INTEGER NOT NULL,
  vector BYTEA NOT NULL, PRIMARY KEY (provider_key, content_hash))`;
const hashOf = (i: number) => `h${String(i).padStart(8, '0')}`;

interface Step {
  ms: number;
  walBytes: number;
}
interface Run {
  delete: Step;
  vacuum: Step;
  drop: Step;
  /** How long the cache write of a row already deleted, and a read of the key, took while the DELETE ran. */
  writeWaitMs: number;
  readMs: number;
}

async function measured(db: PgPool, text: string, params: unknown[] = []): Promise<Step> {
  await db.query('CHECKPOINT').catch(() => {});
  const before = await lsn(db);
  const t0 = performance.now();
  await db.query(text, params);
  const ms = performance.now() - t0;
  return { ms, walBytes: await walSince(db, before) };
}

/** Waits until another connection is executing a statement starting with `prefix`. */
async function running(db: PgQueryable, prefix: string): Promise<void> {
  for (;;) {
    const { rows } = await db.query(
      `SELECT 1 FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND query LIKE $1 || '%'`,
      [prefix],
    );
    if (rows.length > 0) return;
    await sleep(5);
  }
}

const lsn = async (db: PgQueryable) => (await db.query<{ l: string }>(`SELECT pg_current_wal_lsn()::text AS l`)).rows[0]!.l;
const walSince = async (db: PgQueryable, from: string) =>
  Number((await db.query<{ b: string }>(`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn) AS b`, [from])).rows[0]!.b);

/** Random floats: incompressible, so each vector is stored out of line in TOAST as a real one is. */
async function fill(db: PgPool, table: string, key: string, rows: number): Promise<void> {
  for (let i = 0; i < rows; i += FILL_BATCH) {
    const n = Math.min(FILL_BATCH, rows - i);
    const hashes = Array.from({ length: n }, (_, j) => hashOf(i + j));
    await db.query(
      `INSERT INTO ${table} SELECT $1, h, ${DIM}, v FROM unnest($2::text[], $3::bytea[]) AS t(h, v)`,
      [key, hashes, hashes.map(() => randomBytes(DIM * 4))],
    );
  }
}

const timed = async (db: PgQueryable, text: string, params: unknown[]) => {
  const t0 = performance.now();
  await db.query(text, params);
  return performance.now() - t0;
};

/** Waits until an uncommitted DELETE has marked the row (its xmax set, the row still visible to others), or committed. */
async function taken(db: PgQueryable, hash: string): Promise<void> {
  for (;;) {
    const { rows } = await db.query<{ xmax: string }>(`SELECT xmax::text FROM vectors WHERE provider_key = 'old:fit:512' AND content_hash = $1`, [hash]);
    if (!rows[0] || rows[0].xmax !== '0') return;
    await sleep(2);
  }
}

async function oneRun(db: PgPool): Promise<Run> {
  await db.query(`DROP TABLE IF EXISTS papers, vectors, vectors_old`);
  await db.query(`CREATE TABLE papers (id TEXT COLLATE "C" PRIMARY KEY, content_hash TEXT COLLATE "C" NOT NULL)`);
  await db.query(`CREATE TABLE vectors ${VECTOR_COLUMNS}`);
  await db.query(`CREATE TABLE vectors_old ${VECTOR_COLUMNS}`);
  await db.query(`INSERT INTO papers SELECT 'p' || i, 'h' || lpad(i::text, 8, '0') FROM generate_series(0, $1 - 1) i`, [ROWS]);
  await fill(db, 'vectors', 'old:fit:512', ROWS);
  await fill(db, 'vectors', 'new:fit:512', 1_000);
  await db.query(`INSERT INTO vectors_old SELECT * FROM vectors WHERE provider_key = 'old:fit:512'`);
  await db.query(`VACUUM ANALYZE papers, vectors, vectors_old`);

  // The store's prune (postgres-store.ts before schema v5), with a query's cache write and read sent meanwhile.
  const del = measured(
    db,
    `DELETE FROM vectors v WHERE NOT (v.provider_key = ANY($1::text[]))
       OR NOT EXISTS (SELECT 1 FROM papers p WHERE p.content_hash = v.content_hash)`,
    [['new:fit:512']],
  );
  await running(db, 'DELETE FROM vectors');
  const read = timed(db, `SELECT content_hash, vector FROM vectors WHERE provider_key = 'old:fit:512' AND content_hash = ANY($1::text[])`, [[hashOf(1), hashOf(ROWS - 1)]]);
  // A row the DELETE has taken (it holds the row until it commits): the first in the table, once marked.
  await taken(db, hashOf(0));
  const write = timed(
    db,
    `INSERT INTO vectors (provider_key, content_hash, dim, vector) VALUES ('old:fit:512', $1, ${DIM}, $2)
     ON CONFLICT (provider_key, content_hash) DO UPDATE SET dim = excluded.dim, vector = excluded.vector`,
    [hashOf(0), randomBytes(DIM * 4)],
  );
  const [deleteStep, writeWaitMs, readMs] = await Promise.all([del, write, read]);
  const vacuum = await measured(db, `VACUUM vectors`);
  const drop = await measured(db, `DROP TABLE vectors_old`);
  return { delete: deleteStep, vacuum, drop, writeWaitMs, readMs };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const admin = await openPgPool(url, { max: 1 });
const name = `pf_bench_prune_${randomBytes(4).toString('hex')}`;
await admin.query(`CREATE DATABASE ${name}`);
const dbUrl = new URL(url);
dbUrl.pathname = `/${name}`;
// The DELETE, the cache write, the read and the watch for the DELETE run at once.
const db = await openPgPool(dbUrl.toString(), { max: 4 });
try {
  const fpw = (await db.query<{ full_page_writes: string }>(`SHOW full_page_writes`)).rows[0]!.full_page_writes;
  console.log(`${ROWS} vectors of ${DIM} floats under one key, ${RUNS} runs, full_page_writes=${fpw}`);
  const runs: Run[] = [];
  for (let r = 0; r < RUNS; r++) {
    const run = await oneRun(db);
    runs.push(run);
    console.log(
      `run ${r + 1}: DELETE ${s(run.delete.ms)} ${mb(run.delete.walBytes)} WAL, then VACUUM ${s(run.vacuum.ms)} ${mb(run.vacuum.walBytes)}; ` +
        `DROP TABLE ${s(run.drop.ms)} ${mb(run.drop.walBytes)}; during the DELETE a cache write waited ${s(run.writeWaitMs)}, a read took ${s(run.readMs)}`,
    );
  }
  const m = (f: (r: Run) => number) => median(runs.map(f));
  console.log(
    `median: DELETE ${s(m((r) => r.delete.ms))} ${mb(m((r) => r.delete.walBytes))} WAL + VACUUM ${s(m((r) => r.vacuum.ms))} ${mb(m((r) => r.vacuum.walBytes))}; ` +
      `DROP TABLE ${s(m((r) => r.drop.ms))} ${mb(m((r) => r.drop.walBytes))}; cache write during the DELETE ${s(m((r) => r.writeWaitMs))}, read ${s(m((r) => r.readMs))}`,
  );
} finally {
  await db.end();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
