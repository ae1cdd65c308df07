import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSampleApp, type SampleApp } from './helpers/sample-app.ts';

describe('the sample corpus through the whole pipeline', () => {
  let app: SampleApp;
  beforeAll(async () => {
    app = await openSampleApp();
  });
  afterAll(async () => {
    await app?.dispose();
  });

  it('stores 425 distinct papers, each with a vector in the index', async () => {
    expect(await app.store.count()).toBe(425);
    expect(app.embedder.id).toBe('builtin');
    const stats = await app.store.stats();
    expect(stats.vectors[app.embedder.key]).toBe(425);
  });

  it('finds a paper from its own title, and never returns the query paper in `similar`', async () => {
    const [paper] = await app.store.listPapers({ limit: 1, offset: 17 });
    const hits = await app.search.searchText(paper!.title, { k: 5 });
    expect(hits[0]!.paper.id).toBe(paper!.id);
    const { query, results } = await app.search.similar(paper!.title, { k: 5 });
    expect(query.kind).toBe('paper');
    expect(results).toHaveLength(5);
    expect(results.map((r) => r.paper.id)).not.toContain(paper!.id);
  });

  it('refuses an arXiv id that is not stored, naming it', async () => {
    await expect(app.search.similar('arXiv:2401.99999')).rejects.toThrow(/2401\.99999 is not in the store/);
  });
});
