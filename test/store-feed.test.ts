/**
 * Full-store passes, the change feed, vector pruning and paper facts on both stores (one suite
 * per backend): what another process needs to follow this store cheaply.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentHash } from '../src/papers/normalize.ts';
import type { PaperInput } from '../src/papers/paper.ts';
import type { PaperStore } from '../src/store/paper-store.ts';
import { openPostgresStore } from '../src/store/postgres-store.ts';
import { openSqliteStore } from '../src/store/sqlite-store.ts';
import { CHANGES_PAGE } from '../src/store/write-log.ts';
import { announceSkip, freshPgDatabase, PG_URL, type TestDatabase } from './helpers/servers.ts';

if (!PG_URL) announceSkip('PostgreSQL change feed and pruning', 'PAPERFEED_TEST_PG_URL');

const NOW = new Date('2025-03-01T08:00:00.000Z');
const arxiv = (n: number, extra: Partial<PaperInput> = {}): PaperInput => ({
  rawId: `2501.${String(n).padStart(5, '0')}`,
  title: `Paper number ${n}`,
  abstract: `Abstract of paper ${n}.`,
  source: 'arxiv-atom',
  ...extra,
});

let dir: string;
let pgDb: TestDatabase | undefined;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paperfeed-feed-'));
  if (PG_URL) pgDb = await freshPgDatabase('feed');
});
afterAll(async () => {
  await pgDb?.drop();
  await rm(dir, { recursive: true, force: true });
});

const backends = [
  { name: 'sqlite', skip: false, open: () => openSqliteStore(join(dir, 'papers.sqlite')) },
  { name: 'postgresql', skip: !PG_URL, open: () => openPostgresStore(pgDb!.url) },
];

for (const backend of backends) {
  describe.skipIf(backend.skip)(`store passes and feed on ${backend.name}`, () => {
    let store: PaperStore;
    beforeAll(async () => {
      store = await backend.open();
    });
    afterAll(async () => {
      await store?.close();
    });

    const everything = async (cursor: string) => {
      const upserted: string[] = [];
      const removed: string[] = [];
      for (;;) {
        const batch = await store.changesSince(cursor);
        if (batch.upserted.length === 0 && batch.removed.length === 0) return { cursor, upserted, removed };
        upserted.push(...batch.upserted);
        removed.push(...batch.removed);
        cursor = batch.cursor;
      }
    };

    it('iterates every paper once, in id order, in pages of the asked size', async () => {
      const inputs = Array.from({ length: 23 }, (_, i) => arxiv(i));
      await store.upsertPapers(inputs.reverse(), NOW);
      const pages: string[][] = [];
      for await (const page of store.iteratePapers({ pageSize: 5 })) pages.push(page.map((p) => p.id));
      expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 5, 3]);
      expect(pages.flat()).toEqual(Array.from({ length: 23 }, (_, i) => `2501.${String(i).padStart(5, '0')}`));
      const whole: string[] = [];
      for await (const page of store.iteratePapers()) whole.push(...page.map((p) => p.id));
      expect(whole).toEqual(pages.flat());
      await expect(async () => {
        for await (const _ of store.iteratePapers({ pageSize: 0 })) void _;
      }).rejects.toThrow(/pageSize/);
    });

    it('reports adds, merges, renames and removals after a cursor, each id once with its last state', async () => {
      const start = await store.changesSince(undefined);
      expect(start.upserted).toEqual([]);
      expect(start.removed).toEqual([]);
      // Unchanged papers are not changes.
      await store.upsertPapers([arxiv(1), arxiv(2)], NOW);
      expect(await store.changesSince(start.cursor)).toEqual({ cursor: start.cursor, upserted: [], removed: [] });

      await store.upsertPapers([arxiv(1, { abstract: 'Abstract of paper 1, now longer and revised.' }), arxiv(100)], NOW);
      const { added } = await store.upsertPapers([{ title: 'Known by title first', abstract: 'Short.', source: 'hf-page' }], NOW);
      await store.upsertPapers([arxiv(200, { title: 'Known by title first', abstract: 'Short.' })], NOW);
      await store.removePaper('2501.00002');
      await store.upsertPapers([arxiv(100, { abstract: 'Abstract of paper 100, changed again to be longer.' })], NOW);

      const seen = await everything(start.cursor);
      expect(seen.upserted).toEqual(['2501.00001', '2501.00200', '2501.00100']);
      expect(seen.removed).toEqual([added[0], '2501.00002']);
      // Following from the new cursor: nothing more until the next write.
      expect(await store.changesSince(seen.cursor)).toEqual({ cursor: seen.cursor, upserted: [], removed: [] });
      // A removed id that comes back is an upsert again.
      await store.upsertPapers([arxiv(2)], NOW);
      expect(await store.changesSince(seen.cursor)).toMatchObject({ upserted: ['2501.00002'], removed: [] });
      await expect(store.changesSince('not-a-cursor')).rejects.toThrow(/cursor/);
    });

    it('pages a long feed: at most `limit` (default CHANGES_PAGE) changes per call', async () => {
      const start = await store.changesSince(undefined);
      await store.upsertPapers(Array.from({ length: 12 }, (_, i) => arxiv(10_000 + i)), NOW);
      const first = await store.changesSince(start.cursor, 5);
      const second = await store.changesSince(first.cursor, 5);
      const third = await store.changesSince(second.cursor, 5);
      expect([first, second, third].map((b) => b.upserted.length)).toEqual([5, 5, 2]);
      expect(new Set([...first.upserted, ...second.upserted, ...third.upserted]).size).toBe(12);
      expect((await store.changesSince(start.cursor)).upserted).toHaveLength(12);
      await expect(store.changesSince(start.cursor, CHANGES_PAGE + 1)).rejects.toThrow(/limit/);
    });

    it('prunes vectors of other providers and of texts no paper has', async () => {
      const [a, b] = await store.getPapers(['2501.00001', '2501.00003']);
      const live = [contentHash(a!), contentHash(b!)];
      const stale = contentHash({ title: 'gone', abstract: 'nobody has this text' });
      const v = Float32Array.of(1, 0, 0);
      await store.putCachedVectors('new:fit:3', [...live, stale].map((contentHash) => ({ contentHash, vector: v })));
      await store.putCachedVectors('old:fit:3', live.map((contentHash) => ({ contentHash, vector: v })));
      expect(await store.pruneVectors(['new:fit:3'])).toBe(3);
      expect([...(await store.getCachedVectors('new:fit:3', [...live, stale])).keys()].sort()).toEqual([...live].sort());
      expect((await store.getCachedVectors('old:fit:3', live)).size).toBe(0);
      expect(await store.pruneVectors(['new:fit:3'])).toBe(0);
      await expect(store.pruneVectors([])).rejects.toThrow(/at least one provider key/);
      expect((await store.getCachedVectors('new:fit:3', live)).size).toBe(2);
      // A whole superseded fit, more than one deletion page, under two old keys.
      const many = Array.from({ length: 1_200 }, (_, i) => ({ contentHash: `h${i}`, vector: v }));
      await store.putCachedVectors('older:fit:3', many);
      await store.putCachedVectors('oldest:fit:3', many.slice(0, 700));
      expect(await store.pruneVectors(['new:fit:3'])).toBe(1_900);
      expect((await store.getCachedVectors('older:fit:3', ['h0', 'h1199'])).size).toBe(0);
      expect((await store.getCachedVectors('new:fit:3', live)).size).toBe(2);
      // Texts no paper has, under the kept key, over more than one page of the SQLite store's check.
      await store.putCachedVectors('new:fit:3', Array.from({ length: 12_000 }, (_, i) => ({ contentHash: `o${i}`, vector: v })));
      expect(await store.pruneVectors(['new:fit:3'])).toBe(12_000);
      expect((await store.getCachedVectors('new:fit:3', live)).size).toBe(2);
    });

    it('records its corpus checksum for the next process, until any paper write', async () => {
      const written = await store.corpusChecksum();
      const other = await backend.open();
      try {
        expect(await other.corpusChecksum()).toBe(written);
        // What another process finds recorded at the current write counter is what it answers, with no pass over the store:
        const recorded = await other.getMeta('corpus-checksum');
        expect(recorded).toMatch(/^\d+:[0-9a-f]{32}$/);
        await other.setMeta('corpus-checksum', recorded!.replace(/[0-9a-f]{32}$/, 'f'.repeat(32)));
        const third = await backend.open();
        expect(await third.corpusChecksum()).toBe('f'.repeat(32));
        await third.close();
        // A paper write moves the counter: every process computes the checksum again, and agrees.
        await other.upsertPapers([arxiv(900)], NOW);
        const after = await store.corpusChecksum();
        expect(after).not.toBe(written);
        expect(after).not.toBe('f'.repeat(32));
        expect(await other.corpusChecksum()).toBe(after);
        await other.removePaper('2501.00900');
        expect(await store.corpusChecksum()).toBe(written);
      } finally {
        await other.close();
      }
    });

    it('answers the facts query filters need for a few ids', async () => {
      await store.upsertPapers([arxiv(300, { published: '2024-02-03', source: 'hf-api' })], NOW);
      const facts = await store.paperFacts(['2501.00300', '2501.00003', 'missing']);
      expect(facts.get('2501.00300')).toEqual({ date: '2024-02-03', sources: ['hf-api'] });
      expect(facts.get('2501.00003')).toEqual({ date: '2025-03-01', sources: ['arxiv-atom'] });
      expect(facts.has('missing')).toBe(false);
    });
  });
}
