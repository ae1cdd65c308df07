import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contentHash } from '../src/papers/normalize.ts';
import { titleId } from '../src/papers/ids.ts';
import { PAPER_COLUMNS, paperToRow } from '../src/store/paper-rows.ts';
import { MIGRATIONS, openDatabase, SCHEMA_VERSION, StoreOpenError } from '../src/store/sqlite-schema.ts';
import { openSqliteStore } from '../src/store/sqlite-store.ts';

const NOW = new Date('2025-03-01T10:00:00.000Z');
/** The papers columns before schema v4 added the DOI. */
const V1_COLUMNS = PAPER_COLUMNS.replace('doi, ', '');
const insertV1 = (db: Database.Database) => db.prepare(`INSERT INTO papers (${V1_COLUMNS}) VALUES (${V1_COLUMNS.replace(/(\w+)/g, '@$1')})`);
const rowV1 = (p: Parameters<typeof paperToRow>[0]) => {
  const { doi: _doi, ...row } = paperToRow(p);
  return row;
};
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'paperfeed-open-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `open`, expecting a StoreOpenError, and returns it. */
async function openError(open: () => unknown): Promise<StoreOpenError> {
  try {
    await open();
  } catch (err) {
    expect(err).toBeInstanceOf(StoreOpenError);
    return err as StoreOpenError;
  }
  throw new Error('expected the open to fail');
}

describe('opening', () => {
  it('creates the directory and sets WAL, foreign keys and the schema version', async () => {
    const file = join(dir, 'nested', 'deeper', 'papers.sqlite');
    const store = await openSqliteStore(file);
    await store.close();
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    raw.close();
  });

  it('keeps papers, aliases, vectors and meta across a reopen', async () => {
    const file = join(dir, 'papers.sqlite');
    const title = 'Persistent Homology for Transformers';
    let store = await openSqliteStore(file);
    await store.upsertPapers([{ title, abstract: 'Short.', source: 'hf-page' }], NOW);
    await store.upsertPapers(
      [{ rawId: '2503.00042', title, abstract: 'The full abstract.', source: 'arxiv-atom' }],
      NOW,
    );
    const paper = (await store.getPaper('2503.00042'))!;
    await store.putCachedVectors('k', [{ contentHash: contentHash(paper), vector: Float32Array.from([0.5, -0.25]) }]);
    await store.setMeta('index.checksum', 'abc');
    const checksum = await store.corpusChecksum();
    await store.close();

    store = await openSqliteStore(file);
    try {
      expect(await store.getPaper(titleId(title))).toEqual(paper);
      expect(await store.corpusChecksum()).toBe(checksum);
      expect(await store.getMeta('index.checksum')).toBe('abc');
      const vectors = [];
      for await (const v of store.paperVectors('k')) vectors.push(v);
      expect(vectors.map((v) => [v.paperId, Array.from(v.vector)])).toEqual([['2503.00042', [0.5, -0.25]]]);
    } finally {
      await store.close();
    }
  });

  it('refuses a file that is not a SQLite database, naming it and leaving it untouched', async () => {
    const file = join(dir, 'papers.sqlite');
    const bytes = Buffer.from('{"this": "is a JSON file that someone named papers.sqlite"}\n'.repeat(200));
    writeFileSync(file, bytes);
    const err = await openError(() => openSqliteStore(file));
    expect(err.message).toBe(`${file} is not a SQLite database; it was left untouched`);
    expect(err.file).toBe(file);
    expect(readFileSync(file).equals(bytes)).toBe(true);
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it('refuses a SQLite database that belongs to something else', async () => {
    const file = join(dir, 'papers.sqlite');
    const foreign = new Database(file);
    foreign.exec(`CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);
                  INSERT INTO customers (name) VALUES ('x')`);
    foreign.close();
    const bytes = readFileSync(file);
    const err = await openError(() => openSqliteStore(file));
    expect(err.message).toMatch(/is a SQLite database, but not a paperfeed paper store/);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('refuses a store written by a newer paperfeed', async () => {
    const file = join(dir, 'papers.sqlite');
    await (await openSqliteStore(file)).close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    const err = await openError(() => openSqliteStore(file));
    expect(err.message).toMatch(new RegExp(`schema v${SCHEMA_VERSION + 1}, newer than this paperfeed`));
  });
});

describe('migrations', () => {
  it('upgrades an existing file step by step and keeps its data', async () => {
    const file = join(dir, 'papers.sqlite');
    const store = await openSqliteStore(file);
    await store.upsertPapers([{ rawId: '2503.00001', title: 'Kept', abstract: 'Kept.', source: 'jsonl' }], NOW);
    await store.close();

    const next = [...MIGRATIONS, `ALTER TABLE papers ADD COLUMN note TEXT`, `CREATE TABLE extra (x INTEGER)`];
    const db = openDatabase(file, { migrations: next });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 2);
    expect(db.prepare(`SELECT id, note FROM papers`).all()).toEqual([{ id: '2503.00001', note: null }]);
    db.close();
  });

  it('indexes the papers of a v2 file for lexical search when it is upgraded to v3', async () => {
    const file = join(dir, 'papers.sqlite');
    const old = openDatabase(file, { migrations: MIGRATIONS.slice(0, 2) });
    const insert = insertV1(old);
    for (const [id, title] of [['2503.00001', 'Otters use tools'], ['2503.00002', 'Sea otters and kelp forests']] as const) {
      insert.run(rowV1({ id, title, abstract: `${title}, observed.`, authors: [], sources: ['jsonl'], firstSeen: NOW.toISOString(), updatedAt: NOW.toISOString() }));
    }
    old.close();

    const store = await openSqliteStore(file);
    expect((await store.searchLexical('otters', 5)).map((h) => h.id)).toEqual(['2503.00001', '2503.00002']);
    expect((await store.searchLexical('kelp', 5)).map((h) => h.id)).toEqual(['2503.00002']);
    // The upgrade filled the statistics too: writes after it keep them right.
    await store.removePaper('2503.00002');
    await store.upsertPapers([{ rawId: '2503.00003', title: 'Kelp', abstract: 'Kelp grows.', source: 'jsonl' }], NOW);
    expect((await store.searchLexical('kelp otters', 5)).map((h) => h.id)).toEqual(['2503.00003', '2503.00001']);
    await store.close();
  });

  it('gives the papers of a v3 file a DOI column when it is upgraded to v4, filled by later merges', async () => {
    const file = join(dir, 'papers.sqlite');
    const old = openDatabase(file, { migrations: MIGRATIONS.slice(0, 3) });
    insertV1(old).run(rowV1({ id: '2503.00001', arxivId: '2503.00001', title: 'Otters use tools', abstract: 'Observed.', authors: [], sources: ['jsonl'], firstSeen: NOW.toISOString(), updatedAt: NOW.toISOString() }));
    old.close();

    const store = await openSqliteStore(file);
    const before = await store.getPaper('2503.00001');
    expect(before?.title).toBe('Otters use tools');
    expect(before).not.toHaveProperty('doi');
    expect(await store.findByDois(['10.1000/otters'])).toEqual(new Map());
    const result = await store.upsertPapers([{ rawId: '2503.00001', title: 'Otters use tools', abstract: 'Observed.', doi: 'https://doi.org/10.1000/OTTERS', source: 'arxiv-oai' }], NOW);
    expect(result.merged).toEqual(['2503.00001']);
    expect((await store.getPaper('2503.00001'))?.doi).toBe('10.1000/otters');
    expect(await store.findByDois(['10.1000/otters'])).toEqual(new Map([['10.1000/otters', '2503.00001']]));
    await store.close();
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(raw.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'papers' AND name = 'papers_doi'`).pluck().get()).toBe('papers_doi');
    raw.close();
  });

  it('keeps the vectors of a v5 file where they are at v6, gives new keys tables of their own and drops the old one whole', async () => {
    const file = join(dir, 'papers.sqlite');
    const old = openDatabase(file, { migrations: MIGRATIONS.slice(0, 5) });
    const paper = { id: '2503.00001', arxivId: '2503.00001', title: 'Otters use tools', abstract: 'Observed.', authors: [], sources: ['jsonl' as const], firstSeen: NOW.toISOString(), updatedAt: NOW.toISOString() };
    old.prepare(`INSERT INTO papers (${PAPER_COLUMNS}) VALUES (${PAPER_COLUMNS.replace(/(\w+)/g, '@$1')})`).run(paperToRow(paper));
    const put = old.prepare(`INSERT INTO vectors (provider_key, content_hash, dim, vector) VALUES (?, ?, 2, ?)`);
    const blob = Buffer.from(Float32Array.of(0.6, 0.8).buffer);
    const hash = contentHash(paper);
    put.run('old:a:2', hash, blob);
    put.run('old:b:2', hash, blob);
    for (let i = 0; i < 1_200; i++) put.run('old:a:2', `h${i}`, blob);
    old.close();

    const store = await openSqliteStore(file);
    const tables = () => {
      const raw = new Database(file, { readonly: true });
      try {
        return raw.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'vectors%' ORDER BY name`).pluck().all() as string[];
      } finally {
        raw.close();
      }
    };
    try {
      expect((await store.getCachedVectors('old:a:2', [hash, 'h0'])).size).toBe(2);
      expect((await store.stats()).vectors).toEqual({ 'old:a:2': 1, 'old:b:2': 1 });
      await store.putCachedVectors('new:c:2', [{ contentHash: hash, vector: Float32Array.of(1, 0) }]);
      const [legacy, own] = tables();
      expect(legacy).toBe('vectors');
      expect(own).toMatch(/^vectors_[0-9a-f]{12}$/);
      // A key leaving the shared table while another stays: deleted a page at a time, the table kept.
      expect(await store.pruneVectors(['old:b:2', 'new:c:2'])).toBe(1_201);
      expect((await store.getCachedVectors('old:a:2', [hash])).size).toBe(0);
      expect((await store.getCachedVectors('old:b:2', [hash])).size).toBe(1);
      expect(tables()).toEqual(['vectors', own]);
      // None of its keys kept: dropped whole.
      expect(await store.pruneVectors(['new:c:2'])).toBe(1);
      expect(tables()).toEqual([own]);
      expect(await store.getCachedVectors('new:c:2', [hash])).toEqual(new Map([[hash, Float32Array.of(1, 0)]]));
      expect((await store.stats()).vectors).toEqual({ 'new:c:2': 1 });
      // And a superseded key of its own table goes with its table.
      await store.putCachedVectors('new:d:2', [{ contentHash: hash, vector: Float32Array.of(0, 1) }]);
      expect(await store.pruneVectors(['new:d:2'])).toBe(1);
      expect(tables()).toHaveLength(1);
      expect(tables()).not.toContain(own);
      expect((await store.stats()).vectors).toEqual({ 'new:d:2': 1 });
    } finally {
      await store.close();
    }
  });

  it('gives a new file pages that hold several vectors each', async () => {
    const file = join(dir, 'papers.sqlite');
    await (await openSqliteStore(file)).close();
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('page_size', { simple: true })).toBe(16_384);
    raw.close();
  });

  it('leaves the previous version in place when a step fails', async () => {
    const file = join(dir, 'papers.sqlite');
    await (await openSqliteStore(file)).close();
    const broken = [...MIGRATIONS, `CREATE TABLE fine (x INTEGER); THIS IS NOT SQL`];
    const err = await openError(() => openDatabase(file, { migrations: broken }));
    expect(err.message).toContain(file);
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(raw.prepare(`SELECT name FROM sqlite_master WHERE name = 'fine'`).all()).toEqual([]);
    raw.close();
    await (await openSqliteStore(file)).close();
  });
});
