import { readFile, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.ts';
import { MANIFEST_FILE } from '../src/index/sharded-index.ts';
import { indexDir, shardCount } from '../src/corpus/index-files.ts';
import { openApp } from '../src/service/open-app.ts';
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

  it('filters by date and source in every mode, the dense one exactly as a filtered full ranking', async () => {
    const ids: string[] = [];
    for await (const page of app.store.iteratePapers()) ids.push(...page.map((p) => p.id));
    const facts = await app.store.paperFacts(ids);
    const dates = [...facts.values()].map((f) => f.date).sort();
    const since = dates[Math.floor(dates.length * 0.8)]!;
    const passes = (id: string) => facts.get(id)!.date >= since;
    const paper = ids[33]!;
    const all = (await app.search.similar(paper, { k: ids.length, mode: 'dense' })).results.map((r) => r.paper.id);
    const dense = (await app.search.similar(paper, { k: 5, mode: 'dense', filter: { since } })).results.map((r) => r.paper.id);
    expect(dense).toEqual(all.filter(passes).slice(0, 5));
    for (const mode of ['lexical', 'hybrid'] as const) {
      const got = (await app.search.similar(paper, { k: 5, mode, filter: { since } })).results.map((r) => r.paper.id);
      expect(got.length, mode).toBeGreaterThan(0);
      expect(got.every(passes), mode).toBe(true);
      expect(got, mode).not.toContain(paper);
    }
    for (const mode of ['dense', 'lexical', 'hybrid'] as const) {
      expect((await app.search.similar(paper, { k: 5, mode, filter: { source: 'no-such-source' } })).results, mode).toEqual([]);
    }
  });

  it('refuses an arXiv id that is not stored, naming it', async () => {
    await expect(app.search.similar('arXiv:2401.99999')).rejects.toThrow(/2401\.99999 is not in the store/);
  });
});

describe('the sample corpus in a vector index of several shards', () => {
  let one: SampleApp;
  let three: SampleApp;
  beforeAll(async () => {
    [one, three] = await Promise.all([openSampleApp(), openSampleApp({ env: { PAPERFEED_HNSW_SHARDS: '3' } })]);
  });
  afterAll(async () => {
    await Promise.all([one?.dispose(), three?.dispose()]);
  });

  it('splits the papers over the configured shards and answers like one graph', async () => {
    const manifest = JSON.parse(await readFile(join(indexDir(three.dataDir), MANIFEST_FILE), 'utf8')) as { shards: number };
    expect(manifest.shards).toBe(3);
    const papers = await three.store.listPapers({ limit: 12, offset: 40 });
    for (const p of papers) {
      const want = (await one.search.similar(p.id, { k: 8, mode: 'dense' })).results.map((r) => r.paper.id);
      const got = (await three.search.similar(p.id, { k: 8, mode: 'dense' })).results.map((r) => r.paper.id);
      expect(got).toEqual(want);
    }
  });

  it('keeps its shard count through a reindex, and rebuilds a set that lost a shard', async () => {
    await three.reindex();
    await rm(join(indexDir(three.dataDir), 'shard-2'), { recursive: true });
    const lines: string[] = [];
    const reopened = await openApp(loadConfig({}, { PAPERFEED_DATA_DIR: three.dataDir, PAPERFEED_EMBEDDINGS: 'builtin', PAPERFEED_OFFLINE: 'true', PAPERFEED_HNSW_SHARDS: '3' }), {
      log: pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }),
    });
    try {
      expect(lines.join('\n')).toMatch(/shard 2 of 3 is missing.*rebuilding it from the store/);
      const manifest = JSON.parse(await readFile(join(indexDir(three.dataDir), MANIFEST_FILE), 'utf8')) as { shards: number };
      expect(manifest.shards).toBe(3);
      expect((await reopened.search.similar((await reopened.store.listPapers({ limit: 1 }))[0]!.id, { k: 5 })).results).toHaveLength(5);
    } finally {
      await reopened.close();
    }
  });

  it('auto keeps one graph for a small corpus, and for a large one a shard per core and per 250k papers', () => {
    expect(shardCount('auto', 425)).toBe(1);
    expect(shardCount('auto', 150_000)).toBe(availableParallelism());
    expect(shardCount('auto', 2_000_000)).toBe(Math.min(16, Math.max(availableParallelism(), 8)));
    expect(shardCount('auto', 100_000_000)).toBe(16);
    expect(shardCount(4, 10)).toBe(4);
  });
});
