/**
 * The PostgreSQL store's vector tables (postgres-vectors.ts) against a real server: the upgrade
 * from schema v4's shared table, and replicas racing on one key's table. What every store must do
 * with vectors (the contract) is in store-vectors and store-feed, run on both backends.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contentHash } from '../src/papers/normalize.ts';
import type { PaperStore } from '../src/store/paper-store.ts';
import { PAPER_COLUMNS, paperToRow } from '../src/store/paper-rows.ts';
import { migratePg, openPgPool, type PgPool, type PgQueryable } from '../src/store/postgres-client.ts';
import { openPostgresStore, PG_MIGRATIONS } from '../src/store/postgres-store.ts';
import { PgVectors } from '../src/store/postgres-vectors.ts';
import { announceSkip, freshPgDatabase, PG_URL, type TestDatabase } from './helpers/servers.ts';

if (!PG_URL) announceSkip('PostgreSQL vector tables', 'PAPERFEED_TEST_PG_URL');

const NOW = new Date('2025-03-01T08:00:00.000Z');
const paper = { id: '2503.00001', arxivId: '2503.00001', title: 'Otters use tools', abstract: 'Observed.', authors: [], sources: ['jsonl' as const], firstSeen: NOW.toISOString(), updatedAt: NOW.toISOString() };
const hash = contentHash(paper);
const blob = (...xs: number[]) => Buffer.from(Float32Array.from(xs).buffer);

describe.skipIf(!PG_URL)('PostgreSQL vector tables', () => {
  let db: TestDatabase;
  let raw: PgPool;
  const stores: PaperStore[] = [];
  const open = async () => {
    const store = await openPostgresStore(db.url, { maxConnections: 3 });
    stores.push(store);
    return store;
  };
  const tables = async () =>
    (await raw.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'vectors%' ORDER BY tablename`)).rows.map((r) => r.t);
  /** A new store's `vectors` (from v1) stays, empty. */
  const ownTables = async () => (await tables()).filter((t) => t !== 'vectors');
  const registry = async () =>
    (await raw.query<{ k: string; n: string }>(`SELECT provider_key AS k, name AS n FROM vector_tables ORDER BY provider_key`)).rows.map((r) => `${r.k}=${r.n}`);

  beforeEach(async () => {
    db = await freshPgDatabase('vectors');
    raw = await openPgPool(db.url, { max: 2 });
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    await raw?.end();
    await db?.drop();
  });

  it('keeps the vectors of a v4 schema where they are at v5, gives new keys tables of their own and drops the old one whole', async () => {
    await migratePg(raw, 'papers', PG_MIGRATIONS.slice(0, 4));
    const row = paperToRow(paper) as unknown as Record<string, unknown>;
    const cols = PAPER_COLUMNS.split(', ');
    await raw.query(`INSERT INTO papers (${PAPER_COLUMNS}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`, cols.map((c) => row[c]));
    const put = (key: string, h: string) => raw.query(`INSERT INTO vectors (provider_key, content_hash, dim, vector) VALUES ($1, $2, 2, $3)`, [key, h, blob(0.6, 0.8)]);
    await put('old:a:2', hash);
    await put('old:b:2', hash);
    await raw.query(`INSERT INTO vectors SELECT 'old:a:2', 'h' || i, 2, $1 FROM generate_series(0, 1199) i`, [blob(0.6, 0.8)]);

    const store = await open();
    expect(await registry()).toEqual(['old:a:2=vectors', 'old:b:2=vectors']);
    expect((await store.getCachedVectors('old:a:2', [hash, 'h0'])).size).toBe(2);
    expect((await store.stats()).vectors).toEqual({ 'old:a:2': 1, 'old:b:2': 1 });
    await store.putCachedVectors('new:c:2', [{ contentHash: hash, vector: Float32Array.of(1, 0) }]);
    const [legacy, own] = await tables();
    expect(legacy).toBe('vectors');
    expect(own).toMatch(/^vectors_[0-9a-f]{12}$/);
    // A key leaving the shared table while another stays: deleted a page at a time, the table kept.
    expect(await store.pruneVectors(['old:b:2', 'new:c:2'])).toBe(1_201);
    expect((await store.getCachedVectors('old:a:2', [hash])).size).toBe(0);
    expect((await store.getCachedVectors('old:b:2', [hash])).size).toBe(1);
    expect(await tables()).toEqual(['vectors', own]);
    expect(await registry()).toEqual(['new:c:2=' + own, 'old:b:2=vectors']);
    // None of its keys kept: dropped whole.
    expect(await store.pruneVectors(['new:c:2'])).toBe(1);
    expect(await tables()).toEqual([own]);
    expect(await store.getCachedVectors('new:c:2', [hash])).toEqual(new Map([[hash, Float32Array.of(1, 0)]]));
    expect((await store.stats()).vectors).toEqual({ 'new:c:2': 1 });
    // And a superseded key of its own table goes with its table.
    await store.putCachedVectors('new:d:2', [{ contentHash: hash, vector: Float32Array.of(0, 1) }]);
    expect(await store.pruneVectors(['new:d:2'])).toBe(1);
    expect(await tables()).toHaveLength(1);
    expect(await tables()).not.toContain(own);
    expect((await store.stats()).vectors).toEqual({ 'new:d:2': 1 });
    expect((await raw.query(`SELECT version FROM paperfeed_schema WHERE component = 'papers'`)).rows[0]).toEqual({ version: PG_MIGRATIONS.length });
  });

  it('gives a new key one table when replicas write it at once, and keeps every write', async () => {
    const replicas = [await open(), await open(), await open()];
    const keys = ['k:1:2', 'k:2:2', 'k:3:2'];
    await Promise.all(
      keys.flatMap((key) => replicas.map((r, i) => r.putCachedVectors(key, [{ contentHash: `h${i}`, vector: Float32Array.of(i, 1) }]))),
    );
    expect(await ownTables()).toHaveLength(keys.length);
    expect((await registry()).map((e) => e.split('=')[0])).toEqual(keys);
    for (const key of keys) expect((await replicas[0]!.getCachedVectors(key, ['h0', 'h1', 'h2'])).size).toBe(3);
  });

  it('answers as if the key had no vectors when another process drops its table between the look-up and the read', async () => {
    const store = await open();
    const other = await open();
    await store.putCachedVectors('old:fit:2', [{ contentHash: 'h0', vector: Float32Array.of(1, 0) }]);
    await store.putCachedVectors('new:fit:2', [{ contentHash: 'h0', vector: Float32Array.of(0, 1) }]);
    // The other process prunes right after this one has read the old key's table name.
    const vectors = new PgVectors(afterLookup(raw, () => other.pruneVectors(['new:fit:2'])));
    expect(await vectors.get('old:fit:2', ['h0'])).toEqual([]);
    expect(await ownTables()).toHaveLength(1);
    // A write of the key whose table went meanwhile makes it a new one.
    const writer = new PgVectors(afterLookup(raw, () => other.pruneVectors(['new:fit:2'])));
    await store.putCachedVectors('old:fit:2', [{ contentHash: 'h0', vector: Float32Array.of(1, 0) }]);
    await writer.put('old:fit:2', [{ contentHash: 'h1', dim: 2, blob: blob(1, 0) }]);
    expect((await store.getCachedVectors('old:fit:2', ['h0', 'h1'])).size).toBe(1);
    expect(await ownTables()).toHaveLength(2);
  });

  it('keeps pruning vectors no paper uses, a page at a time, in a key\'s own table', async () => {
    const store = await open();
    await store.upsertPapers([{ rawId: '2503.00001', title: 'Otters use tools', abstract: 'Observed.', source: 'jsonl' }], NOW);
    const [stored] = await store.listPapers();
    const used = contentHash(stored!);
    await store.putCachedVectors('k:1:2', [used, ...Array.from({ length: 12_000 }, (_, i) => `gone${i}`)].map((h) => ({ contentHash: h, vector: Float32Array.of(1, 0) })));
    expect(await store.pruneVectors(['k:1:2'])).toBe(12_000);
    expect([...(await store.getCachedVectors('k:1:2', [used, 'gone0'])).keys()]).toEqual([used]);
    expect(await ownTables()).toHaveLength(1);
  });
});

/**
 * The pool, with `hook` run once right after the first look-up of a table name (on the pool or
 * on a connection of it), before its answer is used.
 */
function afterLookup(pool: PgPool, hook: () => Promise<unknown>): PgPool {
  let done = false;
  const wrap = <Q extends PgQueryable>(q: Q): Q =>
    new Proxy(q, {
      get(target, prop, receiver) {
        if (prop !== 'query') return Reflect.get(target, prop, receiver);
        return async (text: string, values?: unknown[]) => {
          const result = await target.query(text, values);
          if (!done && text.startsWith('SELECT name FROM vector_tables')) {
            done = true;
            await hook();
          }
          return result;
        };
      },
    });
  return new Proxy(wrap(pool), {
    get(target, prop, receiver) {
      if (prop === 'connect') return async () => wrap(await pool.connect());
      return Reflect.get(target, prop, receiver);
    },
  });
}
