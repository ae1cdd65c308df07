/**
 * The PostgreSQL paper store against a real server, checked against the SQLite store: the same
 * inputs must give the same papers, aliases, vectors and corpus checksum. What each store must do
 * on its own (the contract) is in store-papers, store-vectors and store-feed, run on both.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { titleId } from '../src/papers/ids.ts';
import type { PaperInput } from '../src/papers/paper.ts';
import type { PaperStore } from '../src/store/paper-store.ts';
import { migratePg, openPgPool } from '../src/store/postgres-client.ts';
import { openPostgresStore, PG_MIGRATIONS } from '../src/store/postgres-store.ts';
import { openSqliteStore } from '../src/store/sqlite-store.ts';
import { readPaperFiles } from '../src/sources/files.ts';
import { announceSkip, freshPgDatabase, PG_URL, type TestDatabase } from './helpers/servers.ts';

const DATA = new URL('../data/', import.meta.url).pathname;
if (!PG_URL) announceSkip('PostgreSQL paper store tests', 'PAPERFEED_TEST_PG_URL');

const T0 = new Date('2025-03-01T08:00:00.000Z');
const T1 = new Date('2025-03-02T08:00:00.000Z');

/** A title-only paper, then the same paper with its arXiv id (a rename), an alternative title, and a second version. */
const renameScenario: PaperInput[][] = [
  [
    { title: 'Sparse Mixtures of Experts at Scale', abstract: 'We study routing.', source: 'hf-page', authorCount: 3 },
    { title: 'A Paper Nobody Renames', abstract: 'Stays under its title id.', source: 'hf-page' },
  ],
  [
    {
      rawId: 'https://arxiv.org/abs/2403.01234v2',
      title: 'Sparse mixtures of experts at scale',
      abstract: 'We study routing, at scale.',
      authors: ['A. Author', 'B. Author', 'C. Author'],
      source: 'arxiv-atom',
      published: '2024-03-02',
      categories: ['cs.LG'],
      doi: 'https://doi.org/10.1000/Sparse.Moe',
    },
  ],
  [
    // The same arXiv paper twice in one batch, once with an upvote count: merged into one.
    { rawId: '2403.05555', title: 'Routing Is All You Need', abstract: 'Short.', source: 'arxiv-rss' },
    { rawId: 'arXiv:2403.05555v3', title: 'Routing is all you need!', abstract: 'A longer abstract.', source: 'hf-api', upvotes: 12, doi: 'doi:10.1000/ROUTING' },
    // Another arXiv paper that shares a title: a different paper, not a merge.
    { rawId: '2403.07777', title: 'Routing Is All You Need', abstract: 'Different work.', source: 'arxiv-atom' },
  ],
];

describe.skipIf(!PG_URL)('PostgreSQL paper store (same behaviour as SQLite)', () => {
  let db: TestDatabase;
  let dir: string;
  let pg: PaperStore;
  let lite: PaperStore;
  let sample: PaperInput[];

  beforeAll(async () => {
    db = await freshPgDatabase('store');
    dir = await mkdtemp(join(tmpdir(), 'paperfeed-pg-store-'));
    pg = await openPostgresStore(db.url);
    lite = await openSqliteStore(join(dir, 'papers.sqlite'));
    // Two sample files: enough duplicates across and within files to exercise every merge path.
    sample = [
      ...(await readPaperFiles(join(DATA, '003_e6b82b24773b7471.txt'))).papers,
      ...(await readPaperFiles(join(DATA, '004_ff361a05fd18feef.txt'))).papers,
    ];
  });

  afterAll(async () => {
    await pg?.close();
    await lite?.close();
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('stores the sample corpus exactly as SQLite does, batch results included', async () => {
    // Fresh papers, a re-ingest (unchanged), and changed copies (merged).
    const outcomes: number[][] = [];
    const changed = sample.slice(0, 5).map((p) => ({ ...p, upvotes: (p.upvotes ?? 0) + 7 }));
    for (const [i, batch] of [sample.slice(0, 40), sample.slice(40), sample.slice(10, 60), changed].entries()) {
      const now = new Date(T0.getTime() + i * 60_000);
      const result = await pg.upsertPapers(batch, now);
      expect(result).toEqual(await lite.upsertPapers(batch, now));
      outcomes.push([result.added.length, result.merged.length, result.unchanged.length]);
    }
    expect(outcomes).toEqual([[40, 0, 0], [26, 0, 0], [0, 0, 50], [0, 5, 0]]);
    expect(await pg.count()).toBe(await lite.count());
    expect(await pg.listPapers()).toEqual(await lite.listPapers());
    expect(await pg.stats()).toEqual(await lite.stats());
    expect(await pg.corpusChecksum()).toBe(await lite.corpusChecksum());
  });

  it('follows renames, aliases and same-title arXiv papers the same way', async () => {
    for (const [i, batch] of renameScenario.entries()) {
      const now = new Date(T1.getTime() + i * 60_000);
      expect(await pg.upsertPapers(batch, now)).toEqual(await lite.upsertPapers(batch, now));
    }
    const renamed = await pg.getPaper('2403.01234');
    expect(renamed?.arxivId).toBe('2403.01234');
    // DOIs travel with renames and merges inside a batch, as in SQLite.
    expect(renamed?.doi).toBe('10.1000/sparse.moe');
    const dois = ['10.1000/sparse.moe', '10.1000/routing'];
    expect(await pg.findByDois(dois)).toEqual(await lite.findByDois(dois));
    expect((await pg.findByDois(dois)).get('10.1000/routing')).toBe('2403.05555');
    for (const ref of [
      '2403.01234',
      'arXiv:2403.01234v1',
      'https://arxiv.org/abs/2403.01234',
      (await lite.findByTitle('Sparse Mixtures of Experts at Scale'))!.id,
      '2403.05555',
      '2403.07777',
      'no-such-paper',
    ]) {
      expect(await pg.getPaper(ref), ref).toEqual(await lite.getPaper(ref));
    }
    // The title id the paper was first stored under still resolves (an alias), to the renamed paper.
    const before = await lite.listPapers({ seenSince: T1.toISOString() });
    for (const p of before) expect(await pg.getPaper(p.id)).toEqual(p);
    expect(await pg.findByTitle('routing is all you need')).toEqual(await lite.findByTitle('routing is all you need'));
    expect(await pg.getPapers(['2403.05555', '2403.07777', '2403.05555v2', 'missing'])).toEqual(
      await lite.getPapers(['2403.05555', '2403.07777', '2403.05555v2', 'missing']),
    );
    expect(await pg.listPapers({ source: 'arxiv-atom' })).toEqual(await lite.listPapers({ source: 'arxiv-atom' }));
    expect(await pg.listPapers({ publishedSince: '2024-01-01', limit: 5, offset: 1 })).toEqual(
      await lite.listPapers({ publishedSince: '2024-01-01', limit: 5, offset: 1 }),
    );
    expect(await pg.corpusChecksum()).toBe(await lite.corpusChecksum());
  });

  it('stores a batch holding renames, aliases and repeated updates of one paper exactly as SQLite does', async () => {
    // PostgreSQL writes a batch's runs of inserts, updates and aliases one statement each: one batch
    // with all the rename scenario's steps (renamed under other ids), and one paper changed three times.
    const steps = renameScenario.flat().map((p) => ({ ...p, title: `${p.title} (one batch)`, ...(p.rawId ? { rawId: p.rawId.replace('2403.', '2404.') } : {}) }));
    const repeated = [1, 2, 3].map((n) => ({ ...steps[0]!, abstract: `Revision ${n}.`, upvotes: n }));
    const batch = [...steps, ...repeated, ...sample.slice(0, 3).map((p) => ({ ...p, upvotes: (p.upvotes ?? 0) + 1 }))];
    const now = new Date(T1.getTime() + 3_600_000);
    expect(await pg.upsertPapers(batch, now)).toEqual(await lite.upsertPapers(batch, now));
    expect(await pg.listPapers({ seenSince: now.toISOString() })).toEqual(await lite.listPapers({ seenSince: now.toISOString() }));
    for (const ref of ['2404.01234', '2404.05555', '2404.07777', titleId('Sparse Mixtures of Experts at Scale (one batch)')]) {
      expect(await pg.getPaper(ref), ref).toEqual(await lite.getPaper(ref));
    }
    expect(await pg.listPapers()).toEqual(await lite.listPapers());
    expect(await pg.corpusChecksum()).toBe(await lite.corpusChecksum());
    // Same ranking. (The scores differ slightly after one paper changed several times in one batch,
    // with or without batched statements: the corpus statistics of the two backends disagree there.)
    const ids = (hits: { id: string }[]) => hits.map((h) => h.id);
    expect(ids(await pg.searchLexical('routing one batch', 10))).toEqual(ids(await lite.searchLexical('routing one batch', 10)));
  });

  it('caches vectors by content hash and reports which papers still need one', async () => {
    const key = 'test:provider:4';
    const missingIds = await pg.idsMissingVectors(key);
    expect(missingIds).toEqual(await lite.idsMissingVectors(key));
    const missing = await pg.getPapers(missingIds);
    const { contentHash } = await import('../src/papers/normalize.ts');
    const entries = missing.slice(0, 7).map((p, i) => ({ contentHash: contentHash(p), vector: new Float32Array([i, 0.5, -1, 2.25]) }));
    await pg.putCachedVectors(key, entries);
    await lite.putCachedVectors(key, entries);
    const got = await pg.getCachedVectors(key, entries.map((e) => e.contentHash).concat('nope'));
    expect([...got.keys()].sort()).toEqual(entries.map((e) => e.contentHash).sort());
    expect(got.get(entries[3]!.contentHash)).toEqual(new Float32Array([3, 0.5, -1, 2.25]));
    const vectorsOf = async (s: PaperStore) => {
      const out: [string, number[]][] = [];
      for await (const v of s.paperVectors(key)) out.push([v.paperId, [...v.vector]]);
      return out;
    };
    expect(await vectorsOf(pg)).toEqual(await vectorsOf(lite));
    expect((await pg.idsMissingVectors(key)).length).toBe(missing.length - 7);
    await expect(pg.putCachedVectors(key, [{ contentHash: 'x', vector: new Float32Array([NaN]) }])).rejects.toThrow(/NaN/);
  });

  it('removes papers with their aliases; the checksum moves and matches SQLite again', async () => {
    const before = await pg.corpusChecksum();
    expect(await pg.removePaper('arXiv:2403.01234')).toBe(true);
    expect(await lite.removePaper('arXiv:2403.01234')).toBe(true);
    expect(await pg.removePaper('2403.01234')).toBe(false);
    expect(await pg.corpusChecksum()).not.toBe(before);
    expect(await pg.corpusChecksum()).toBe(await lite.corpusChecksum());
    expect(await pg.findByTitle('Sparse Mixtures of Experts at Scale')).toBeUndefined();
  });

  it('an unreachable server is a clear error naming it, without the password', async () => {
    const err = await openPostgresStore('postgres://paperfeed:s3cret@127.0.0.1:1/nowhere').catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/cannot connect to PostgreSQL at postgres:\/\/paperfeed:\*\*\*@127\.0\.0\.1:1\/nowhere: .*ECONNREFUSED/);
    expect((err as Error).message).not.toContain('s3cret');
  });
});

describe.skipIf(!PG_URL)('PostgreSQL lexical index against FTS5', () => {
  let db: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    db = await freshPgDatabase('lexical_upgrade');
    dir = await mkdtemp(join(tmpdir(), 'paperfeed-pg-lexical-'));
  });
  afterAll(async () => {
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('indexes the papers of a v2 schema at the upgrade, then ranks exactly as SQLite FTS5 does', async () => {
    const sample = (await readPaperFiles(join(DATA, '003_e6b82b24773b7471.txt'))).papers;
    // A v2 store holding the first half of the sample, upgraded by opening it with this version.
    const pool = await openPgPool(db.url, { max: 1 });
    await migratePg(pool, 'papers', PG_MIGRATIONS.slice(0, 2));
    await pool.end();
    const T = new Date('2025-03-01T08:00:00.000Z');
    const half = sample.slice(0, 20);
    const lite = await openSqliteStore(join(dir, 'papers.sqlite'));
    await lite.upsertPapers(half, T);
    const pool2 = await openPgPool(db.url, { max: 1 });
    const { PAPER_COLUMNS, paperToRow } = await import('../src/store/paper-rows.ts');
    // A v2 schema has no DOI column (v4 added it).
    const cols = PAPER_COLUMNS.split(', ').filter((c) => c !== 'doi');
    for await (const page of lite.iteratePapers()) {
      for (const p of page) {
        const row = paperToRow(p) as unknown as Record<string, unknown>;
        await pool2.query(`INSERT INTO papers (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`, cols.map((c) => row[c]));
      }
    }
    await pool2.end();
    const pg = await openPostgresStore(db.url);
    try {
      await pg.upsertPapers(sample.slice(20), T);
      await lite.upsertPapers(sample.slice(20), T);
      for (const p of sample.slice(0, 40)) {
        for (const text of [p.title, `${p.title}\n\n${p.abstract}`, p.abstract.split(' ').slice(0, 6).join(' ')]) {
          const [a, b] = [await pg.searchLexical(text, 10), await lite.searchLexical(text, 10)];
          expect(a.map((h) => h.id), text).toEqual(b.map((h) => h.id));
          a.forEach((h, i) => expect(h.score).toBeCloseTo(b[i]!.score, 6));
        }
      }
    } finally {
      await pg.close();
      await lite.close();
    }
  });
});

describe.skipIf(!PG_URL)('PostgreSQL upgrade to the DOI column', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await freshPgDatabase('doi_upgrade');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('gives the papers of a v3 schema a DOI column and its index, filled by later merges', async () => {
    const pool = await openPgPool(db.url, { max: 1 });
    try {
      await migratePg(pool, 'papers', PG_MIGRATIONS.slice(0, 3));
      const { PAPER_COLUMNS, paperToRow } = await import('../src/store/paper-rows.ts');
      const cols = PAPER_COLUMNS.split(', ').filter((c) => c !== 'doi');
      const row = paperToRow({ id: '2503.00001', arxivId: '2503.00001', title: 'Otters use tools', abstract: 'Observed.', authors: [], sources: ['jsonl'], firstSeen: T0.toISOString(), updatedAt: T0.toISOString() }) as unknown as Record<string, unknown>;
      await pool.query(`INSERT INTO papers (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`, cols.map((c) => row[c]));
    } finally {
      await pool.end();
    }
    const pg = await openPostgresStore(db.url);
    try {
      expect(await pg.getPaper('2503.00001')).not.toHaveProperty('doi');
      expect(await pg.findByDois(['10.1000/otters'])).toEqual(new Map());
      const result = await pg.upsertPapers([{ rawId: '2503.00001', title: 'Otters use tools', abstract: 'Observed.', doi: 'doi:10.1000/OTTERS', source: 'arxiv-oai' }], T1);
      expect(result.merged).toEqual(['2503.00001']);
      expect((await pg.getPaper('2503.00001'))?.doi).toBe('10.1000/otters');
      expect(await pg.findByDois(['10.1000/otters'])).toEqual(new Map([['10.1000/otters', '2503.00001']]));
    } finally {
      await pg.close();
    }
    const check = await openPgPool(db.url, { max: 1 });
    try {
      const { rows } = await check.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE tablename = 'papers' AND indexname = 'papers_doi'`);
      expect(rows).toEqual([{ indexname: 'papers_doi' }]);
      const version = await check.query<{ version: number }>(`SELECT version FROM paperfeed_schema WHERE component = 'papers'`);
      expect(version.rows[0]!.version).toBe(PG_MIGRATIONS.length);
    } finally {
      await check.end();
    }
  });
});
