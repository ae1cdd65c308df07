/**
 * An App opened with indexAccess 'one-query' (what the CLI's similar and search ask for) answers every query as
 * an App that loads its index does, and refuses to change the index it only reads.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ReadOnlyIndexError } from '../src/index/hnsw-index.ts';
import type { App } from '../src/service/app.ts';
import { openApp } from '../src/service/open-app.ts';
import { openSampleApp, type SampleApp } from './helpers/sample-app.ts';

describe('openApp indexAccess one-query', () => {
  let loaded: SampleApp | undefined;
  let reading: App | undefined;
  afterEach(async () => {
    await reading?.close();
    await loaded?.dispose();
    reading = loaded = undefined;
  });

  it('gives the same results for similar and search in every mode, and is read-only', async () => {
    loaded = await openSampleApp();
    reading = await openApp(loaded.config, { log: loaded.log, indexAccess: 'one-query' });
    const [paper] = await loaded.store.listPapers({ limit: 1 });
    const asked: [string, (app: App) => Promise<unknown>][] = [];
    for (const mode of ['hybrid', 'dense', 'lexical'] as const) {
      asked.push([`similar ${mode} by id`, async (app) => (await app.search.similar(paper!.id, { k: 8, mode })).results]);
      asked.push([`similar ${mode} by text`, async (app) => (await app.search.similar('graph neural networks for molecules', { k: 8, mode })).results]);
      asked.push([`search ${mode}`, (app) => app.search.searchText('optimal transport', { k: 5, mode })]);
    }
    asked.push(['similar since', async (app) => (await app.search.similar(paper!.id, { k: 5, filter: { since: '2024-01-01' } })).results]);
    for (const [what, ask] of asked) {
      const expected = (await ask(loaded)) as { paper: { id: string }; score: number }[];
      const got = (await ask(reading)) as typeof expected;
      expect(got.map((r) => r.paper.id), what).toEqual(expected.map((r) => r.paper.id));
      got.forEach((r, i) => expect(Math.abs(r.score - expected[i]!.score), what).toBeLessThan(1e-6));
    }
    const index = reading.corpus.current().index;
    expect(() => index.remove(paper!.id)).toThrow(ReadOnlyIndexError);
    expect(index.has(paper!.id)).toBe(true);
  });
});
