/**
 * The paper store contract, one suite run on every backend (SQLite, PostgreSQL): upsert, dedupe and
 * merge, renames and aliases, atomic batches, listing, removal, stats, meta and summaries.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PaperInput } from '../src/papers/paper.ts';
import { titleId } from '../src/papers/ids.ts';
import type { PaperStore } from '../src/store/paper-store.ts';
import { StoreInputError } from '../src/store/store-input.ts';
import { storeBackends, type OpenedStore } from './helpers/store-backends.ts';

const DAY1 = new Date('2025-01-10T08:00:00.000Z');
const DAY2 = new Date('2025-01-11T08:00:00.000Z');
const DAY3 = new Date('2025-01-12T08:00:00.000Z');

const TITLE = 'Scaling Laws for Sparse Mixtures';
/** As the HF daily page lists it: no id, short teaser, upvotes and organization. */
const hfItem: PaperInput = {
  title: TITLE,
  abstract: 'We study sparse mixtures.',
  source: 'hf-page',
  upvotes: 12,
  organization: 'Example Lab',
  authorCount: 4,
};
/** The same paper from the arXiv API: id (with version, as a URL), full abstract, authors. */
const arxivItem: PaperInput = {
  rawId: 'http://arxiv.org/abs/2501.01234v2',
  title: 'Scaling laws for sparse  mixtures',
  abstract: 'We study sparse mixtures of experts and derive scaling laws for their loss as a function of size.',
  authors: ['Ada Lovelace', 'Alan Turing', 'Grace Hopper', 'Edsger Dijkstra'],
  source: 'arxiv-atom',
  published: '2025-01-09',
  categories: ['cs.LG', 'cs.CL'],
};
const other = (n: number, extra: Partial<PaperInput> = {}): PaperInput => ({
  rawId: `2501.0${1000 + n}`,
  title: `Unrelated paper number ${n}`,
  abstract: `Abstract of unrelated paper ${n}.`,
  authors: [`Author ${n}`],
  source: 'arxiv-rss',
  ...extra,
});

for (const backend of storeBackends('papers')) {
  describe.skipIf(backend.skip)(`paper store on ${backend.name}`, () => {
    let opened: OpenedStore;
    let store: PaperStore;

    beforeEach(async () => {
      opened = await backend.open();
      store = opened.store;
    });
    afterEach(async () => {
      await opened.destroy();
    });

    describe('upsert and read', () => {
      it('stores normalized papers and reads them back', async () => {
        const result = await store.upsertPapers([arxivItem, other(1)], DAY1);
        expect(result).toEqual({ added: ['2501.01234', '2501.01001'], merged: [], unchanged: [], renamed: [] });
        const p = await store.getPaper('2501.01234');
        expect(p).toEqual({
          id: '2501.01234',
          arxivId: '2501.01234',
          title: 'Scaling laws for sparse mixtures',
          abstract: arxivItem.abstract,
          authors: arxivItem.authors,
          absUrl: 'https://arxiv.org/abs/2501.01234',
          pdfUrl: 'https://arxiv.org/pdf/2501.01234',
          published: '2025-01-09',
          sources: ['arxiv-atom'],
          categories: ['cs.LG', 'cs.CL'],
          firstSeen: DAY1.toISOString(),
          updatedAt: DAY1.toISOString(),
        });
        expect(await store.count()).toBe(2);
      });

      it('resolves versioned ids, arXiv: prefixes and URLs', async () => {
        await store.upsertPapers([arxivItem], DAY1);
        for (const ref of ['2501.01234v7', 'arXiv:2501.01234', 'https://arxiv.org/pdf/2501.01234v2', ' 2501.01234 ']) {
          expect((await store.getPaper(ref))?.id, ref).toBe('2501.01234');
        }
        expect(await store.getPaper('2501.99999')).toBeUndefined();
      });

      it('getPapers keeps the order asked for and skips unknown ids', async () => {
        await store.upsertPapers([other(1), other(2), other(3)], DAY1);
        const got = await store.getPapers(['2501.01003', 'nope', '2501.01001', 'arXiv:2501.01003v2']);
        expect(got.map((p) => p.id)).toEqual(['2501.01003', '2501.01001']);
      });

      it('findByTitle matches the normalized title', async () => {
        await store.upsertPapers([arxivItem, other(1)], DAY1);
        expect((await store.findByTitle('  SCALING laws: for sparse mixtures! '))?.id).toBe('2501.01234');
        expect(await store.findByTitle('Scaling laws for dense mixtures')).toBeUndefined();
      });

      it('keeps a DOI in its bare lower-case form and finds papers by it, in batches on the server', async () => {
        const result = await store.upsertPapers(
          [
            { ...arxivItem, doi: 'https://doi.org/10.1145/3571730.ABC' },
            other(1, { doi: 'doi:10.48550/arXiv.2501.01001' }),
            other(2),
            // A title-only paper (no arXiv id) with a DOI: found by it all the same.
            { title: 'A Journal Paper', abstract: 'Only in a journal.', source: 'jsonl', doi: '10.1007/S00453-020-00001-X' },
          ],
          DAY1,
        );
        expect(result.added).toHaveLength(4);
        expect((await store.getPaper('2501.01234'))?.doi).toBe('10.1145/3571730.abc');
        expect(await store.getPaper('2501.01002')).not.toHaveProperty('doi');
        const journal = titleId('A Journal Paper');
        const found = await store.findByDois([
          '10.1145/3571730.ABC',
          'https://dx.doi.org/10.1007/s00453-020-00001-x',
          '10.48550/arxiv.2501.01001',
          '10.9999/not-stored',
          'not a doi',
        ]);
        expect(found).toEqual(
          new Map([
            ['10.1145/3571730.abc', '2501.01234'],
            ['10.1007/s00453-020-00001-x', journal],
            ['10.48550/arxiv.2501.01001', '2501.01001'],
          ]),
        );
        expect(await store.findByDois([])).toEqual(new Map());
        // More DOIs than one server round trip takes: all answered.
        const many = Array.from({ length: 2_500 }, (_, i) => `10.5555/filler.${i}`);
        expect((await store.findByDois([...many, '10.1145/3571730.abc'])).get('10.1145/3571730.abc')).toBe('2501.01234');
      });

      it('a merge keeps a known DOI and fills a missing one; a rename carries it', async () => {
        await store.upsertPapers([{ ...hfItem, doi: '10.1000/first' }, other(1)], DAY1);
        // The arXiv copy renames the title-only paper and brings another DOI: the first one stays.
        const renamed = await store.upsertPapers([{ ...arxivItem, doi: '10.1000/second' }], DAY2);
        expect(renamed.renamed).toEqual([{ from: titleId(TITLE), to: '2501.01234' }]);
        expect((await store.getPaper('2501.01234'))?.doi).toBe('10.1000/first');
        expect(await store.findByDois(['10.1000/first', '10.1000/second'])).toEqual(new Map([['10.1000/first', '2501.01234']]));
        // A copy without a DOI changes nothing; one with a DOI fills a paper that had none.
        expect((await store.upsertPapers([arxivItem], DAY2)).unchanged).toEqual(['2501.01234']);
        expect((await store.upsertPapers([other(1, { doi: '10.1000/late' })], DAY3)).merged).toEqual(['2501.01001']);
        expect((await store.getPaper('2501.01001'))?.doi).toBe('10.1000/late');
        expect((await store.listPapers({ seenSince: DAY1.toISOString() })).map((p) => p.doi).sort()).toEqual(['10.1000/first', '10.1000/late']);
      });

      it('rejects a DOI that is none, naming it, and writes nothing', async () => {
        await expect(store.upsertPapers([other(1), other(2, { doi: 'ISBN 978-3-16-148410-0' })], DAY1)).rejects.toThrow(
          /item 1 \(2501\.01002\) is invalid \(doi: doi "ISBN 978-3-16-148410-0" is not a DOI/,
        );
        expect(await store.count()).toBe(0);
      });

      it('re-ingesting the same data changes nothing', async () => {
        const batch = [hfItem, arxivItem, other(1), other(2, { authorCount: 1 })];
        const first = await store.upsertPapers(batch, DAY1);
        expect(first.added).toHaveLength(3);
        const before = await store.listPapers();
        const again = await store.upsertPapers(batch, DAY2);
        expect(again.added).toEqual([]);
        expect(again.merged).toEqual([]);
        expect(again.renamed).toEqual([]);
        expect([...again.unchanged].sort()).toEqual(['2501.01001', '2501.01002', '2501.01234']);
        expect(await store.listPapers()).toEqual(before);
      });
    });

    describe('dedupe', () => {
      it('merges a title-only HF item with the later arXiv item: renamed, alias kept, richest fields win', async () => {
        const first = await store.upsertPapers([hfItem], DAY1);
        const tid = titleId(TITLE);
        expect(first.added).toEqual([tid]);

        const second = await store.upsertPapers([arxivItem], DAY2);
        expect(second).toEqual({
          added: [],
          merged: ['2501.01234'],
          unchanged: [],
          renamed: [{ from: tid, to: '2501.01234' }],
        });
        expect(await store.count()).toBe(1);

        const p = await store.getPaper(tid);
        expect(p).toMatchObject({
          id: '2501.01234',
          arxivId: '2501.01234',
          abstract: arxivItem.abstract,
          authors: arxivItem.authors,
          sources: ['hf-page', 'arxiv-atom'],
          upvotes: 12,
          organization: 'Example Lab',
          published: '2025-01-09',
          absUrl: 'https://arxiv.org/abs/2501.01234',
          firstSeen: DAY1.toISOString(),
          updatedAt: DAY2.toISOString(),
        });
        expect(p?.authorCount).toBeUndefined(); // 4 listed authors make the count redundant

        // The HF page lists it again the next day: it lands on the same paper, nothing new.
        const third = await store.upsertPapers([{ ...hfItem, upvotes: 30 }], DAY3);
        expect(third).toEqual({ added: [], merged: ['2501.01234'], unchanged: [], renamed: [] });
        expect((await store.getPaper('2501.01234'))?.upvotes).toBe(30);
        expect(await store.count()).toBe(1);
      });

      it('handles duplicates inside one batch the same way', async () => {
        const result = await store.upsertPapers(
          [hfItem, arxivItem, { ...hfItem, source: 'hf-api' }, { ...arxivItem, rawId: '2501.01234v1' }],
          DAY1,
        );
        expect(result).toEqual({ added: ['2501.01234'], merged: [], unchanged: [], renamed: [] });
        expect(await store.count()).toBe(1);
        const p = await store.getPaper('2501.01234');
        expect(p?.sources).toEqual(['hf-page', 'arxiv-atom', 'hf-api']);
        expect(p?.upvotes).toBe(12);
        expect((await store.getPaper(titleId(TITLE)))?.id).toBe('2501.01234');
      });

      it('keeps two arXiv papers that share a title apart', async () => {
        const twin = { ...arxivItem, rawId: '2502.05555', abstract: 'A different paper with the same title.' };
        const result = await store.upsertPapers([arxivItem, twin], DAY1);
        expect(result.added).toEqual(['2501.01234', '2502.05555']);
        expect(await store.count()).toBe(2);
      });

      it('finds a paper by its earlier title after the title changed', async () => {
        await store.upsertPapers([{ ...arxivItem, title: 'Sparse mixtures' }], DAY1);
        await store.upsertPapers([{ ...arxivItem, title: 'Sparse mixtures: scaling laws revisited' }], DAY2);
        const p = await store.getPaper('2501.01234');
        expect(p?.title).toBe('Sparse mixtures: scaling laws revisited');
        // An HF item under the old title still lands on this paper.
        const r = await store.upsertPapers([{ ...hfItem, title: 'Sparse Mixtures' }], DAY3);
        expect(r.added).toEqual([]);
        expect(r.merged).toEqual(['2501.01234']);
        expect((await store.findByTitle('sparse mixtures'))?.id).toBe('2501.01234');
      });

      it('keeps first_seen on merge and bumps updated_at only on change', async () => {
        await store.upsertPapers([other(1)], DAY1);
        await store.upsertPapers([other(1)], DAY2);
        expect(await store.getPaper('2501.01001')).toMatchObject({
          firstSeen: DAY1.toISOString(),
          updatedAt: DAY1.toISOString(),
        });
        await store.upsertPapers([{ ...other(1), upvotes: 5, source: 'hf-api' }], DAY3);
        expect(await store.getPaper('2501.01001')).toMatchObject({
          firstSeen: DAY1.toISOString(),
          updatedAt: DAY3.toISOString(),
          sources: ['arxiv-rss', 'hf-api'],
        });
      });
    });

    describe('atomicity', () => {
      it('rejects a batch with an invalid item before writing any of it', async () => {
        await store.upsertPapers([other(1)], DAY1);
        const bad = { ...other(3), abstract: '   ' };
        await expect(store.upsertPapers([other(2), { ...other(1), upvotes: 9 }, bad], DAY2)).rejects.toThrow(
          /item 2 \(2501\.01003\) is invalid \(abstract: abstract is empty\)/,
        );
        await expect(store.upsertPapers([other(2), { title: '', abstract: 'x', source: 'hf-page' }], DAY2)).rejects.toThrow(
          /item 1 .*title is empty.*nothing was written/,
        );
        await expect(store.upsertPapers([other(2), { title: 'x' } as PaperInput], DAY2)).rejects.toBeInstanceOf(
          StoreInputError,
        );
        expect(await store.count()).toBe(1);
        expect((await store.getPaper('2501.01001'))?.upvotes).toBeUndefined();
      });

      it('rolls the whole batch back when a write fails halfway', async () => {
        await store.upsertPapers([other(1)], DAY1);
        const checksum = await store.corpusChecksum();
        // A real failure inside the database, raised by a trigger another connection installs.
        await opened.poison();
        const batch = [{ ...other(1), upvotes: 7 }, other(2), hfItem, arxivItem, { ...other(4), title: 'Poison' }];
        await expect(store.upsertPapers(batch, DAY2)).rejects.toThrow(/poisoned/);
        expect(await store.count()).toBe(1);
        expect((await store.getPaper('2501.01001'))?.upvotes).toBeUndefined();
        expect(await store.getPaper(titleId(TITLE))).toBeUndefined();
        expect(await store.corpusChecksum()).toBe(checksum);
      });
    });

    describe('listPapers', () => {
      beforeEach(async () => {
        await store.upsertPapers([other(1, { published: '2025-01-08' }), other(2, { published: '2025-01-09' })], DAY1);
        await store.upsertPapers([other(3, { published: '2025-01-09', source: 'hf-api' }), hfItem], DAY2);
        await store.upsertPapers([other(4, { published: '2025-01-10' })], DAY3);
      });
      it('orders by first seen, newest first, then id', async () => {
        expect(ids(await store.listPapers())).toEqual([
          '2501.01004',
          '2501.01003',
          titleId(TITLE),
          '2501.01001',
          '2501.01002',
        ]);
      });

      it('filters by first-seen window, publication date and source', async () => {
        expect(ids(await store.listPapers({ seenSince: DAY2.toISOString() }))).toEqual([
          '2501.01004',
          '2501.01003',
          titleId(TITLE),
        ]);
        expect(ids(await store.listPapers({ seenSince: '2025-01-11', seenBefore: '2025-01-12T00:00:00+00:00' }))).toEqual(
          ['2501.01003', titleId(TITLE)],
        );
        expect(ids(await store.listPapers({ published: '2025-01-09' }))).toEqual(['2501.01003', '2501.01002']);
        expect(ids(await store.listPapers({ publishedSince: '2025-01-09' }))).toEqual([
          '2501.01004',
          '2501.01003',
          '2501.01002',
        ]);
        expect(ids(await store.listPapers({ source: 'hf-page' }))).toEqual([titleId(TITLE)]);
        expect(ids(await store.listPapers({ source: 'arxiv-rss', limit: 2, offset: 1 }))).toEqual([
          '2501.01001',
          '2501.01002',
        ]);
      });

      it('names a bad query', async () => {
        await expect(store.listPapers({ seenSince: 'yesterday' })).rejects.toThrow(/seenSince: not an ISO date-time/);
        await expect(store.listPapers({ limit: -1 })).rejects.toThrow(/limit/);
      });
    });

    describe('removePaper', () => {
      it('forgets the paper and its aliases; ingesting it again brings it back as new', async () => {
        await store.upsertPapers([hfItem, other(1)], DAY1);
        await store.upsertPapers([arxivItem], DAY2);
        const tid = titleId(TITLE);
        expect(await store.removePaper('arXiv:2501.01234v2')).toBe(true);
        expect(await store.removePaper('2501.01234')).toBe(false);
        expect(await store.getPaper('2501.01234')).toBeUndefined();
        expect(await store.getPaper(tid)).toBeUndefined();
        expect(await store.findByTitle(TITLE)).toBeUndefined();
        expect(ids(await store.listPapers())).toEqual(['2501.01001']);
        expect(await store.count()).toBe(1);

        const again = await store.upsertPapers([arxivItem], DAY3);
        expect(again.added).toEqual(['2501.01234']);
        expect(await store.getPaper('2501.01234')).toMatchObject({
          firstSeen: DAY3.toISOString(),
          sources: ['arxiv-atom'],
        });
      });
    });

    describe('stats and meta', () => {
      it('counts papers per source and the newest first-seen time', async () => {
        await store.upsertPapers([hfItem, other(1)], DAY1);
        await store.upsertPapers([arxivItem, other(2)], DAY2);
        expect(await store.stats()).toEqual({
          papers: 3,
          bySource: { 'arxiv-atom': 1, 'arxiv-rss': 2, 'hf-page': 1 },
          vectors: {},
          newestSeen: DAY2.toISOString(),
        });
      });

      it('keeps metadata values', async () => {
        expect(await store.getMeta('index.checksum')).toBeUndefined();
        await store.setMeta('index.checksum', 'abc');
        await store.setMeta('index.checksum', 'def');
        expect(await store.getMeta('index.checksum')).toBe('def');
      });

      it('keeps language-model summaries, the newest per text and model', async () => {
        const summary = { paperId: '2403.05555', contentHash: 'h1', model: 'm', text: 'TL;DR.', createdAt: DAY1.toISOString() };
        await store.putSummary(summary);
        await store.putSummary({ ...summary, text: 'Newer.' });
        const got = await store.getSummaries('m', ['h1', 'h2']);
        expect(got.get('h1')?.text).toBe('Newer.');
        expect(got.has('h2')).toBe(false);
        expect((await store.getSummaries('other-model', ['h1'])).size).toBe(0);
        await expect(store.putSummary({ ...summary, text: ' ' })).rejects.toThrow(/text is empty/);
      });
    });

    describe('two connections', () => {
      it('two writers at once (two replicas) never store one paper twice', async () => {
        const second = await opened.connect();
        try {
          const items = (n: number, tag: string): PaperInput[] =>
            Array.from({ length: n }, (_, i) => ({ title: `Concurrent paper ${i}`, abstract: `seen by ${tag}`, source: 'jsonl' as const }));
          const before = await store.count();
          await Promise.all([store.upsertPapers(items(40, 'a')), second.upsertPapers(items(40, 'b')), store.upsertPapers(items(40, 'c'))]);
          expect(await store.count()).toBe(before + 40);
          // The other connection sees the same checksum (the corpus version moved for both).
          expect(await second.corpusChecksum()).toBe(await store.corpusChecksum());
        } finally {
          await second.close();
        }
      });
    });
  });
}

function ids(ps: { id: string }[]): string[] {
  return ps.map((p) => p.id);
}
