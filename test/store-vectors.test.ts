/**
 * The vector cache, paper vectors and the corpus checksum: part of the paper store contract, one
 * suite run on every backend (SQLite, PostgreSQL).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Paper, PaperInput } from '../src/papers/paper.ts';
import { contentHash } from '../src/papers/normalize.ts';
import type { PaperStore } from '../src/store/paper-store.ts';
import { openSqliteStore } from '../src/store/sqlite-store.ts';
import { papersPageSql as sqlitePageSql } from '../src/store/sqlite-vectors.ts';
import { papersPageSql as pgPageSql } from '../src/store/postgres-vectors.ts';
import { openPgPool } from '../src/store/postgres-client.ts';
import { openPostgresStore } from '../src/store/postgres-store.ts';
import { freshPgDatabase, PG_URL } from './helpers/servers.ts';
import { storeBackends, type OpenedStore } from './helpers/store-backends.ts';

const NOW = new Date('2025-02-01T09:00:00.000Z');
const KEY = 'builtin:hash-384';

const item = (n: number, extra: Partial<PaperInput> = {}): PaperInput => ({
  rawId: `2502.${String(n).padStart(5, '0')}`,
  title: `Paper ${n} on vectors`,
  abstract: `Abstract number ${n}.`,
  source: 'jsonl',
  ...extra,
});
/** A vector that differs per paper and uses values a lossy conversion would not round-trip. */
const vectorFor = (n: number, dim = 8): Float32Array =>
  Float32Array.from({ length: dim }, (_, i) => Math.fround((n + 1) * (i + 0.1) * (i % 2 ? -1 : 1) * 1e-3));

async function embedAll(store: PaperStore, papers: Paper[], key = KEY): Promise<Map<string, Float32Array>> {
  const byId = new Map<string, Float32Array>();
  const entries = papers.map((p) => {
    const vector = vectorFor(Number(p.id.split('.')[1]));
    byId.set(p.id, vector);
    return { contentHash: contentHash(p), vector };
  });
  await store.putCachedVectors(key, entries);
  return byId;
}

async function collect(iter: AsyncIterable<{ paperId: string; vector: Float32Array }>) {
  const out: { paperId: string; vector: Float32Array }[] = [];
  for await (const v of iter) out.push(v);
  return out;
}

for (const backend of storeBackends('vectors')) {
  describe.skipIf(backend.skip)(`vectors on ${backend.name}`, () => {
    let opened: OpenedStore;
    let store: PaperStore;
    beforeEach(async () => {
      opened = await backend.open();
      store = opened.store;
    });
    afterEach(async () => {
      await opened.destroy();
    });

    describe('vector cache', () => {
      it('round-trips floats exactly, also from a view at a byte offset', async () => {
        const special = Float32Array.from([0.1, -0, 3.4028234663852886e38, 1.401298464324817e-45, -1.5, 1 / 3]);
        const backing = new Float32Array(10);
        backing.set([9, 1.25, -2.5, 7.75], 3);
        const view = backing.subarray(4, 7); // byteOffset 16, three floats
        await store.putCachedVectors(KEY, [
          { contentHash: 'h-special', vector: special },
          { contentHash: 'h-view', vector: view },
        ]);
        const got = await store.getCachedVectors(KEY, ['h-view', 'h-special', 'h-missing']);
        expect([...got.keys()].sort()).toEqual(['h-special', 'h-view']);
        expect(Array.from(got.get('h-special')!)).toEqual(Array.from(special));
        expect(Object.is(got.get('h-special')![1], -0)).toBe(true);
        expect(Array.from(got.get('h-view')!)).toEqual([1.25, -2.5, 7.75]);
        // Another provider's cache is separate.
        expect((await store.getCachedVectors('other:model', ['h-view'])).size).toBe(0);
      });

      it('returns independent copies', async () => {
        await store.putCachedVectors(KEY, [{ contentHash: 'a', vector: Float32Array.from([1, 2]) }]);
        const first = (await store.getCachedVectors(KEY, ['a'])).get('a')!;
        first[0] = 99;
        expect(Array.from((await store.getCachedVectors(KEY, ['a'])).get('a')!)).toEqual([1, 2]);
      });

      it('looks up more hashes than one query chunk', async () => {
        const entries = Array.from({ length: 2_300 }, (_, i) => ({ contentHash: `h${i}`, vector: vectorFor(i, 2) }));
        await store.putCachedVectors(KEY, entries);
        const got = await store.getCachedVectors(KEY, entries.map((e) => e.contentHash));
        expect(got.size).toBe(2_300);
        expect(Array.from(got.get('h2299')!)).toEqual(Array.from(vectorFor(2299, 2)));
      });

      it('refuses vectors with NaN and writes none of the batch', async () => {
        const bad = Float32Array.from([1, Number.NaN]);
        await expect(
          store.putCachedVectors(KEY, [
            { contentHash: 'ok', vector: Float32Array.from([1, 2]) },
            { contentHash: 'bad', vector: bad },
          ]),
        ).rejects.toThrow(/entry 1 \(bad\) holds NaN/);
        expect((await store.getCachedVectors(KEY, ['ok'])).size).toBe(0);
      });
    });

    describe('paper vectors', () => {
      it('streams every paper that has a vector, in pages, while the store stays usable', async () => {
        const inputs = Array.from({ length: 2_345 }, (_, i) => item(i));
        await store.upsertPapers(inputs, NOW);
        const papers = await store.listPapers();
        const withVector = papers.filter((p) => Number(p.id.split('.')[1]) % 10 !== 3);
        const expected = await embedAll(store, withVector);

        const seen: string[] = [];
        for await (const { paperId, vector } of store.paperVectors(KEY)) {
          seen.push(paperId);
          expect(Array.from(vector)).toEqual(Array.from(expected.get(paperId)!));
          // Other statements between items: a held-open cursor would make better-sqlite3 refuse these (and hold a PG connection).
          if (seen.length % 500 === 0) expect((await store.getPaper(paperId))?.id).toBe(paperId);
        }
        expect(seen).toEqual([...expected.keys()].sort());
        expect(await collect(store.paperVectors('unknown:provider'))).toEqual([]);
      });

      it('lists papers whose current text has no vector, e.g. after an abstract changed', async () => {
        await store.upsertPapers([item(1), item(2), item(3)], NOW);
        await embedAll(store, await store.listPapers());
        expect(await store.idsMissingVectors(KEY)).toEqual([]);
        expect((await store.idsMissingVectors('other:model')).sort()).toEqual([
          '2502.00001',
          '2502.00002',
          '2502.00003',
        ]);

        const revised = item(2, { abstract: 'Abstract number 2, now with the full text of the revision.' });
        await store.upsertPapers([revised], NOW);
        expect(await store.idsMissingVectors(KEY)).toEqual(['2502.00002']);
        expect((await collect(store.paperVectors(KEY))).map((v) => v.paperId)).toEqual(['2502.00001', '2502.00003']);
        expect((await store.stats()).vectors).toEqual({ [KEY]: 2 });
      });

      it('drops a removed paper from the vectors and keeps its cached vector for a re-ingest', async () => {
        await store.upsertPapers([item(1), item(2)], NOW);
        await embedAll(store, await store.listPapers());
        await store.removePaper('2502.00001');
        expect((await collect(store.paperVectors(KEY))).map((v) => v.paperId)).toEqual(['2502.00002']);
        expect(await store.idsMissingVectors(KEY)).toEqual([]);
        await store.upsertPapers([item(1)], NOW);
        expect((await collect(store.paperVectors(KEY))).map((v) => v.paperId)).toEqual(['2502.00001', '2502.00002']);
      });
    });

    describe('corpusChecksum', () => {
      it('is stable while nothing changes and changes with content or membership', async () => {
        await store.upsertPapers([item(1), item(2)], NOW);
        const base = await store.corpusChecksum();
        expect(base).toMatch(/^[0-9a-f]{32}$/);
        expect(await store.corpusChecksum()).toBe(base);

        await store.upsertPapers([item(1), { ...item(2), upvotes: 3 }], NOW); // metadata only, same text
        await store.setMeta('x', 'y');
        await store.putCachedVectors(KEY, [{ contentHash: 'zz', vector: Float32Array.from([1]) }]);
        expect(await store.corpusChecksum()).toBe(base);

        await store.upsertPapers([item(2, { abstract: 'A revised abstract.' })], NOW);
        const revised = await store.corpusChecksum();
        expect(revised).not.toBe(base);

        await store.upsertPapers([item(3)], NOW);
        const grown = await store.corpusChecksum();
        expect(grown).not.toBe(revised);
        await store.removePaper('2502.00003');
        expect(await store.corpusChecksum()).toBe(revised);
      });

      it('depends on the corpus, not on the order it was ingested in', async () => {
        const inputs = Array.from({ length: 2_500 }, (_, i) => item(i)); // more than one checksum page
        await store.upsertPapers(inputs, NOW);
        const elsewhere = await backend.open();
        const other = elsewhere.store;
        try {
          await other.upsertPapers([...inputs].reverse().slice(0, 1_000), NOW);
          await other.upsertPapers([...inputs].reverse().slice(1_000), NOW);
          expect(await other.corpusChecksum()).toBe(await store.corpusChecksum());
          await other.removePaper('2502.02499');
          expect(await other.corpusChecksum()).not.toBe(await store.corpusChecksum());
        } finally {
          await elsewhere.destroy();
        }
      });

      it('notices a change committed by another connection to the same store', async () => {
        await store.upsertPapers([item(1)], NOW);
        const before = await store.corpusChecksum();
        const second = await opened.connect();
        try {
          await second.upsertPapers([item(2)], NOW);
          const after = await store.corpusChecksum();
          expect(after).not.toBe(before);
          expect(after).toBe(await second.corpusChecksum());
        } finally {
          await second.close();
        }
      });
    });
  });
}

/** A SQLite store and a second connection to its file, as another process writing it would hold. */
async function withOtherWriter(run: (store: PaperStore, other: Database.Database) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'paperfeed-other-writer-'));
  const file = join(dir, 'papers.sqlite');
  const store = await openSqliteStore(file);
  const other = new Database(file);
  try {
    await run(store, other);
  } finally {
    other.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

describe('a query\'s cache write while another process writes the SQLite store', () => {
  it('is skipped at once (ifFree) instead of waiting for the lock on the event loop; later ones land', () =>
    withOtherWriter(async (store, other) => {
      const entry = { contentHash: 'q', vector: vectorFor(1) };
      // Another process in the middle of a long write (a CLI ingest's batch, a prune).
      other.exec('BEGIN IMMEDIATE');
      // Without ifFree this waits busy_timeout (5 s) with the event loop held, then throws SQLITE_BUSY.
      await store.putCachedVectors(KEY, [entry], { ifFree: true });
      other.exec('COMMIT');
      expect((await store.getCachedVectors(KEY, ['q'])).size).toBe(0);
      await store.putCachedVectors(KEY, [entry], { ifFree: true });
      expect((await store.getCachedVectors(KEY, ['q'])).size).toBe(1);
    }));
});

describe('writes that must land while another process holds the SQLite store\'s write lock', () => {
  it('wait for it with the event loop turning, then land', () =>
    withOtherWriter(async (store, other) => {
      // Another process in the middle of a long write (a CLI backfill's batch).
      other.exec('BEGIN IMMEDIATE');
      const writes = Promise.all([
        store.putCachedVectors(KEY, [{ contentHash: 'a', vector: vectorFor(1) }]),
        store.upsertPapers([item(1)], NOW),
        store.setMeta('k', 'v'),
      ]);
      // SQLite's busy handler would hold the loop here until the lock is free: no timer could fire.
      let turns = 0;
      const ticking = setInterval(() => turns++, 5);
      await new Promise((r) => setTimeout(r, 150));
      clearInterval(ticking);
      expect(turns).toBeGreaterThan(5);
      expect(await store.getMeta('k')).toBeUndefined();
      other.exec('COMMIT');
      await writes;
      expect((await store.getCachedVectors(KEY, ['a'])).size).toBe(1);
      expect(await store.getMeta('k')).toBe('v');
      expect((await store.getPaper('2502.00001'))?.title).toBe('Paper 1 on vectors');
      // The waiting upsert is in the checksum read after it (this connection's own commits leave data_version as it is).
      const withPaper = await store.corpusChecksum();
      await store.upsertPapers([item(2)], NOW);
      expect(await store.corpusChecksum()).not.toBe(withPaper);
    }));

  it('a prune (several writes) waits for it with the event loop turning, then drops what it should', () =>
    withOtherWriter(async (store, other) => {
      await store.upsertPapers([item(1)], NOW);
      const used = { contentHash: contentHash((await store.getPaper('2502.00001'))!), vector: vectorFor(1) };
      // A superseded fit (small: dropped inline), and under the kept key a text no paper has any more.
      await store.putCachedVectors('old:fit:2', [used, { contentHash: 'gone', vector: vectorFor(2) }]);
      await store.putCachedVectors(KEY, [used, { contentHash: 'orphan', vector: vectorFor(3) }]);
      other.exec('BEGIN IMMEDIATE');
      const pruning = store.pruneVectors([KEY]);
      let turns = 0;
      const ticking = setInterval(() => turns++, 5);
      await new Promise((r) => setTimeout(r, 150));
      clearInterval(ticking);
      expect(turns).toBeGreaterThan(5);
      other.exec('COMMIT');
      expect(await pruning).toBe(3);
      expect((await store.getCachedVectors(KEY, [used.contentHash, 'orphan'])).size).toBe(1);
      expect((await store.getCachedVectors('old:fit:2', [used.contentHash])).size).toBe(0);
    }));
});

describe('pruning a superseded fit in the SQLite store', () => {
  it('drops a large table whole in a worker thread, with the event loop free, while readers of other keys go on', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'paperfeed-drop-'));
    const file = join(dir, 'papers.sqlite');
    const store = await openSqliteStore(file);
    try {
      const v = Float32Array.of(0.6, 0.8);
      // Over the size dropped inline: this one goes to the worker.
      await store.putCachedVectors('old:fit:2', Array.from({ length: 25_000 }, (_, i) => ({ contentHash: `h${i}`, vector: v })));
      await store.putCachedVectors('new:fit:2', [{ contentHash: 'h0', vector: v }]);
      let turns = 0;
      const ticker = setInterval(() => turns++, 1);
      const registered = () => {
        const raw = new Database(file, { readonly: true });
        try {
          return raw.prepare(`SELECT count(*) FROM vector_tables`).pluck().get();
        } finally {
          raw.close();
        }
      };
      const pruned = store.pruneVectors(['new:fit:2']);
      // Not dropped on this thread (an inline drop would be done by now), and the store answers meanwhile.
      expect(registered()).toBe(2);
      expect((await store.getCachedVectors('new:fit:2', ['h0'])).size).toBe(1);
      // The old fit, and h0 under the kept key, a text no paper has.
      expect(await pruned).toBe(25_000 + 1);
      clearInterval(ticker);
      expect(turns).toBeGreaterThan(0);
      expect((await store.getCachedVectors('old:fit:2', ['h0', 'h24999'])).size).toBe(0);
      expect(registered()).toBe(1);
      const raw = new Database(file, { readonly: true });
      try {
        expect(raw.prepare(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name LIKE 'vectors_%'`).pluck().get()).toBe(1);
      } finally {
        raw.close();
      }
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a pass over the stored paper vectors: papers are read in id order from where the last page ended', () => {
  // Before: the planners scanned the key's whole vector table and sorted it for every page, so a
  // pass over the corpus was quadratic (SQLite always; PostgreSQL while the table is not analyzed).
  const stored = async (store: PaperStore) => {
    await store.upsertPapers(Array.from({ length: 2_345 }, (_, i) => item(i)), NOW);
    await embedAll(store, await store.listPapers());
  };

  it('SQLite', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'paperfeed-vector-pass-'));
    const store = await openSqliteStore(join(dir, 'papers.sqlite'));
    try {
      await stored(store);
      const db = new Database(join(dir, 'papers.sqlite'), { readonly: true });
      try {
        const table = db.prepare('SELECT name FROM vector_tables WHERE provider_key = ?').pluck().get(KEY) as string;
        const plan = db.prepare(`EXPLAIN QUERY PLAN ${sqlitePageSql(table)}`).all(KEY, '2502.01000', 1_000) as { detail: string }[];
        expect(plan.map((s) => s.detail)).toEqual([
          expect.stringMatching(/^SEARCH p USING (COVERING )?INDEX \w+ \(id>\?\)$/),
          expect.stringMatching(/^SEARCH v USING INDEX \w+ \(provider_key=\? AND content_hash=\?\)$/),
        ]);
      } finally {
        db.close();
      }
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!PG_URL)('PostgreSQL, on a key table not analyzed yet: each vector is read once in the whole pass', async () => {
    const db = await freshPgDatabase('vector-pass');
    const store = await openPostgresStore(db.url, { maxConnections: 2 });
    const pool = await openPgPool(db.url, { max: 1 });
    try {
      await stored(store);
      const table = (await pool.query<{ name: string }>('SELECT name FROM vector_tables WHERE provider_key = $1', [KEY])).rows[0]!.name;
      // The pass's own pages, each run again under EXPLAIN ANALYZE to count the vector rows it read.
      const nodes = (n: PgPlan): PgPlan[] => [n, ...(n.Plans ?? []).flatMap(nodes)];
      let vectorRowsRead = 0;
      let after = '';
      for (;;) {
        const page = (await pool.query<{ id: string }>(pgPageSql(table), [KEY, after, 1_000])).rows;
        const explained = await pool.query<{ 'QUERY PLAN': [{ Plan: PgPlan }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${pgPageSql(table)}`, [KEY, after, 1_000]);
        for (const n of nodes(explained.rows[0]!['QUERY PLAN'][0].Plan)) {
          if (n['Relation Name'] === table) vectorRowsRead += n['Actual Rows']! * n['Actual Loops']!;
        }
        if (page.length < 1_000) break;
        after = page.at(-1)!.id;
      }
      expect(vectorRowsRead).toBe(2_345);
      expect((await collect(store.paperVectors(KEY))).length).toBe(2_345);
    } finally {
      await pool.end();
      await store.close();
      await db.drop();
    }
  });
});

interface PgPlan {
  'Node Type': string;
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Plans?: PgPlan[];
}
