// The one reading of a person's reference to a paper (search's similar, and the profile operations).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { titleId } from '../src/papers/ids.ts';
import { lookupPaper } from '../src/store/paper-lookup.ts';
import { openSqliteStore, type SqlitePaperStore } from '../src/store/sqlite-store.ts';

let dir: string;
let store: SqlitePaperStore;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paperfeed-lookup-'));
  store = await openSqliteStore(join(dir, 'papers.sqlite'));
  await store.upsertPapers([
    { rawId: '2401.00001', title: 'Routing Mixtures of Experts', abstract: 'A.', source: 'arxiv-atom' },
    { title: 'A Paper Known by Title Only', abstract: 'B.', source: 'hf-page' },
    { title: 'A Journal Paper', abstract: 'C.', source: 'jsonl', doi: '10.1000/Journal.1' },
  ]);
});
afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('lookupPaper', () => {
  it('finds a paper by arXiv id in any spelling, by paper id and by exact title', async () => {
    for (const ref of ['2401.00001', ' arXiv:2401.00001v3 ', 'https://arxiv.org/abs/2401.00001', 'https://huggingface.co/papers/2401.00001', 'routing mixtures of experts!']) {
      expect((await lookupPaper(store, ref)).paper?.id, ref).toBe('2401.00001');
    }
    const tid = titleId('A Paper Known by Title Only');
    expect(await lookupPaper(store, tid)).toMatchObject({ paper: { id: tid }, looksLikeId: true });
    expect(await lookupPaper(store, 'https://arxiv.org/abs/2401.00001')).toMatchObject({ looksLikeId: true, arxivId: '2401.00001' });
  });

  it('finds a paper by a DOI it carries in any spelling, and an arXiv paper by its arXiv DOI', async () => {
    const journal = titleId('A Journal Paper');
    for (const ref of ['10.1000/journal.1', 'doi:10.1000/JOURNAL.1', 'https://doi.org/10.1000/journal.1']) {
      expect(await lookupPaper(store, ref), ref).toMatchObject({ paper: { id: journal }, looksLikeId: true });
    }
    expect(await lookupPaper(store, 'https://doi.org/10.48550/arXiv.2401.00001')).toMatchObject({ paper: { id: '2401.00001' }, arxivId: '2401.00001' });
    expect(await lookupPaper(store, '10.1000/unknown')).toEqual({ paper: undefined, looksLikeId: true });
  });

  it('says what a reference that names nothing stored was: an arXiv id, another link, or words', async () => {
    expect(await lookupPaper(store, '2402.99999v2')).toEqual({ paper: undefined, looksLikeId: true, arxivId: '2402.99999' });
    expect(await lookupPaper(store, 'https://example.org/paper')).toEqual({ paper: undefined, looksLikeId: true });
    expect(await lookupPaper(store, 'sparse routing in transformers')).toEqual({ paper: undefined, looksLikeId: false });
  });
});
