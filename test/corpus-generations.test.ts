/**
 * The corpus owner: a refit of the built-in embedder (forced by an ingest that outgrows its fit)
 * and a reindex each build a new generation beside the live one while queries keep being answered
 * through the real HTTP API of serve; /readyz tells the truth throughout; a small upsert touches
 * only the changed ids, and the save writes only the shards they live in.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config/config.ts';
import { createLogger } from '../src/log.ts';
import { openApp, STORE_FILE } from '../src/service/open-app.ts';
import { savedGeneration, shardOf } from '../src/index/sharded-index.ts';
import type { PaperInput } from '../src/papers/paper.ts';
import { ingest } from '../src/pipeline/ingest.ts';
import { startService, type RunningService } from '../src/service/serve.ts';
import { readFileSource } from '../src/sources/files.ts';
import { collectSource } from '../src/sources/source.ts';
import { openSqliteStore } from '../src/store/sqlite-store.ts';
import { openSampleApp, type SampleApp } from './helpers/sample-app.ts';

const DATA = new URL('../data/', import.meta.url).pathname;
const SAMPLE_FILE = new URL('../data/003_e6b82b24773b7471.txt', import.meta.url).pathname;

interface Observed {
  similar: number[];
  readyz: { status: number; index: string; rebuild?: string }[];
  /** Queries answered while the owner reported a generation being built. */
  duringRebuild: number;
}

/** A real logger at info level whose lines the test reads back. */
function logged() {
  const lines: string[] = [];
  return { lines, log: pino({ level: 'info' }, { write: (l: string) => void lines.push(l) }) };
}

/** Asks /api/similar and /readyz in a loop until stopped; records every answer. */
function queryLoop(app: SampleApp, base: string, ids: string[]) {
  const seen: Observed = { similar: [], readyz: [], duringRebuild: 0 };
  let running = true;
  const done = (async () => {
    for (let i = 0; running; i++) {
      const rebuilding = app.corpus.status().rebuilding !== undefined;
      const res = await fetch(`${base}/api/similar?q=${encodeURIComponent(ids[i % ids.length]!)}&k=5`);
      const body = (await res.json()) as { results?: unknown[] };
      seen.similar.push(res.status === 200 && body.results?.length === 5 ? 200 : res.status || -1);
      if (rebuilding && app.corpus.status().rebuilding) seen.duringRebuild++;
      const ready = await fetch(`${base}/readyz`);
      const checks = ((await ready.json()) as { checks: { index: string; rebuild?: string } }).checks;
      seen.readyz.push({ status: ready.status, index: checks.index, ...(checks.rebuild ? { rebuild: checks.rebuild } : {}) });
    }
  })();
  return {
    seen,
    async stop() {
      running = false;
      await done;
      return seen;
    },
  };
}

describe('generations under load, through serve', () => {
  let app: SampleApp;
  let svc: RunningService;
  let ids: string[];

  beforeAll(async () => {
    app = await openSampleApp({
      ingestSample: false,
      env: { PAPERFEED_SAMPLE_DIR: SAMPLE_FILE, PAPERFEED_API_PORT: '0', PAPERFEED_INDEX_FOLLOW_SECONDS: '0' },
    });
    svc = await startService(app, { print: () => {} });
    await svc.startup;
    ids = (await app.store.listPapers({ limit: 26 })).map((p) => p.id);
    expect(ids).toHaveLength(26);
  });
  afterAll(async () => {
    await svc?.stop();
    await app?.dispose();
  });

  it('an ingest that outgrows the built-in fit: a new generation is built beside the live one, no query fails', async () => {
    const before = app.embedder.key;
    const loop = queryLoop(app, svc.url!, ids);
    const report = await ingest(app, [readFileSource(DATA)]);
    const seen = await loop.stop();

    expect(app.embedder.key).not.toBe(before);
    const papers = await app.store.count();
    expect(papers).toBe(425);
    // The live fit (made on no papers) was outgrown: the new papers went to the new generation
    // only, and everything was embedded once, by the new fit.
    expect(report.embedded).toBe(papers);
    expect(seen.similar.length).toBeGreaterThan(0);
    expect(seen.similar.filter((s) => s !== 200)).toEqual([]);
    // The event loop kept answering while the new generation was being built.
    expect(seen.duringRebuild).toBeGreaterThan(0);
    expect(seen.readyz.every((r) => r.status === 200)).toBe(true);
    // While building, /readyz says so and names the generation that answers queries, the old one.
    const rebuilding = seen.readyz.filter((r) => r.rebuild);
    expect(rebuilding.length).toBeGreaterThan(0);
    for (const r of rebuilding) expect(r.rebuild).toMatch(/^in progress \(refit, since /);

    const ready = (await (await fetch(`${svc.url}/readyz`)).json()) as { checks: Record<string, string> };
    expect(ready.checks.index).toBe(`ok (${app.embedder.key}, ${papers} vectors)`);
    expect(ready.checks.rebuild).toBeUndefined();
    expect((await app.store.stats()).vectors[app.embedder.key]).toBe(papers);
  });

  it('reindex: one new generation, the real count embedded, no query fails meanwhile', async () => {
    const before = app.embedder.key;
    const papers = await app.store.count();
    const loop = queryLoop(app, svc.url!, ids);
    const r = await app.reindex();
    const seen = await loop.stop();

    // The sample's fit is refitted on the same corpus: the same state, so everything is cached.
    expect(r).toEqual({ papers, embedded: 0, provider: before });
    expect(seen.similar.filter((s) => s !== 200)).toEqual([]);
    expect(seen.readyz.every((x) => x.status === 200)).toBe(true);
    for (const x of seen.readyz.filter((y) => y.rebuild)) expect(x.rebuild).toMatch(/^in progress \(reindex, since /);
    expect(app.corpus.current().index.info().count).toBe(papers);
  });
});

describe('/readyz over a stored corpus with no index yet', () => {
  it('is not ready while a first bulk load is still being indexed, then ready', async () => {
    const empty = join(await mkdtemp(join(tmpdir(), 'paperfeed-empty-')), 'none.jsonl');
    await writeFile(empty, '');
    const app = await openSampleApp({ ingestSample: false, env: { PAPERFEED_SAMPLE_DIR: empty, PAPERFEED_API_PORT: '0', PAPERFEED_INDEX_FOLLOW_SECONDS: '0' } });
    const svc = await startService(app, { print: () => {} });
    try {
      await svc.startup;
      const readyz = async () => {
        const res = await fetch(`${svc.url}/readyz`);
        return { status: res.status, checks: ((await res.json()) as { checks: Record<string, string> }).checks };
      };
      expect((await readyz()).status).toBe(200);
      // Another process stores the whole sample; this one has not indexed any of it yet.
      const other = await openSqliteStore(join(app.dataDir, STORE_FILE));
      try {
        await other.upsertPapers((await collectSource(readFileSource(DATA))).papers);
      } finally {
        await other.close();
      }
      expect(await readyz()).toMatchObject({ status: 503, checks: { index: 'not built yet (0 of 425 papers indexed)' } });
      await (await app.corpus.follow()).rebuild;
      const after = await readyz();
      expect(after.status).toBe(200);
      expect(after.checks.index).toMatch(/^ok \(builtin:.*, 425 vectors\)$/);
    } finally {
      await svc.stop();
      await app.dispose();
    }
  });
});

describe('applyChanges', () => {
  let app: SampleApp;
  beforeAll(async () => {
    app = await openSampleApp({ env: { PAPERFEED_HNSW_SHARDS: '4' } });
  });
  afterAll(async () => {
    await app?.dispose();
  });

  const input = (id: string, title: string, abstract: string): PaperInput => ({
    rawId: id,
    title,
    abstract,
    source: 'jsonl',
    published: '2025-02-01',
  });

  it('touches only the changed ids and saves only the shards they live in', async () => {
    const total = await app.store.count();
    const [old] = await app.store.listPapers({ limit: 1, offset: 10 });
    const result = await app.store.upsertPapers([
      input('2502.00001', 'Sparse attention for long documents', 'We route each token to a few blocks of keys.'),
      input('2502.00002', 'Optimal transport between point clouds', 'An entropic solver with guarantees.'),
      { ...input(old!.id, old!.title, `${old!.abstract} A new paragraph on limitations.`), published: old!.published ?? '2024-01-01' },
    ]);
    expect(result.added).toHaveLength(2);
    expect(result.merged).toEqual([old!.id]);
    const changed = [...result.added, ...result.merged];

    const synced = await app.corpus.applyChanges({ upserted: changed, removed: [] });
    expect(synced).toMatchObject({ embedded: 3, indexed: 3, removed: 0 });
    // The new papers went to the open shard (shard 4), the changed one stayed in its hash shard.
    const index = app.corpus.current().index;
    expect(index.shards).toHaveLength(5);
    expect(result.added.every((id) => index.shards[4]!.has(id))).toBe(true);
    expect(index.shards[shardOf(old!.id, 4)]!.has(old!.id)).toBe(true);
    expect(synced.shardsSaved).toBe(2);
    expect(synced.rebuild).toBeUndefined();
    expect(app.corpus.current().index.info()).toMatchObject({ count: total + 2, corpusChecksum: await app.store.corpusChecksum() });

    const hits = await app.search.similar('Sparse attention for long documents', { k: 3, mode: 'dense' });
    expect(hits.query).toMatchObject({ kind: 'paper', paper: { id: '2502.00001' } });
  });

  it('a title-only paper matched to its arXiv id later: the old id leaves the index, the new one enters', async () => {
    const title = 'Quantized adapters for small language models';
    const first = await app.store.upsertPapers([{ title, abstract: 'Adapters in four bits.', source: 'hf-page' }]);
    await app.corpus.applyChanges({ upserted: first.added, removed: [] });
    const tid = first.added[0]!;
    expect(app.corpus.current().index.has(tid)).toBe(true);

    const second = await app.store.upsertPapers([input('2502.00077', title, 'Adapters in four bits.')]);
    expect(second.renamed).toEqual([{ from: tid, to: '2502.00077' }]);
    const synced = await app.corpus.applyChanges({ upserted: second.renamed.map((r) => r.to), removed: second.renamed.map((r) => r.from) });
    // Same text: the vector comes from the cache.
    expect(synced).toMatchObject({ embedded: 0, indexed: 1, removed: 1 });
    expect(app.corpus.current().index.has(tid)).toBe(false);
    expect(app.corpus.current().index.has('2502.00077')).toBe(true);
  });

  it('follows what another writer stored through the change feed, touching only those ids', async () => {
    // The first follow compares the whole store once and notes where the feed stands.
    expect(await app.corpus.follow()).toMatchObject({ embedded: 0, indexed: 0, removed: 0 });
    // Another process (here: another connection to the same file) stores two papers and removes one.
    const other = await openSqliteStore(join(app.dataDir, STORE_FILE));
    const [gone] = await app.store.listPapers({ limit: 1, offset: 20 });
    try {
      await other.upsertPapers([
        input('2502.00101', 'Mixture of experts routing under load', 'Balanced routing for sparse experts.'),
        input('2502.00102', 'Contrastive pretraining for tables', 'Rows and columns as views.'),
      ]);
      expect(await other.removePaper(gone!.id)).toBe(true);
    } finally {
      await other.close();
    }
    // No corpus scan: neither the whole vector table nor the papers lacking vectors are read.
    const scans = [vi.spyOn(app.store, 'paperVectors'), vi.spyOn(app.store, 'idsMissingVectors')];
    const synced = await app.corpus.follow();
    for (const scan of scans) {
      expect(scan).not.toHaveBeenCalled();
      scan.mockRestore();
    }
    expect(synced).toMatchObject({ embedded: 2, indexed: 2, removed: 1 });
    const index = app.corpus.current().index;
    expect(index.has('2502.00101') && index.has('2502.00102')).toBe(true);
    expect(index.has(gone!.id)).toBe(false);
    expect(index.info()).toMatchObject({ count: await app.store.count(), corpusChecksum: await app.store.corpusChecksum() });
    // Caught up: the next follow finds nothing to do.
    expect(await app.corpus.follow()).toMatchObject({ embedded: 0, indexed: 0, removed: 0, shardsSaved: 0 });
    // This process's own ingest is in the feed too, but already applied: follow does not redo it.
    const own = await app.store.upsertPapers([input('2502.00103', 'Retrieval heads in long context', 'Which heads copy.')]);
    expect(await app.corpus.applyChanges({ upserted: own.added, removed: [] })).toMatchObject({ indexed: 1 });
    expect(await app.corpus.follow()).toMatchObject({ embedded: 0, indexed: 0, removed: 0, shardsSaved: 0 });
  });

  it('with nothing changed, nothing is written', async () => {
    const synced = await app.corpus.applyChanges({ upserted: [], removed: [] });
    expect(synced).toMatchObject({ embedded: 0, indexed: 0, removed: 0, shardsSaved: 0 });
  });
});

describe('close during a refit', () => {
  it('abandons the new generation; the next start serves the last one at once, refits beside it, then serves every paper', async () => {
    const app = await openSampleApp({ ingestSample: false });
    const dataDir = app.dataDir;
    try {
      const { papers } = await collectSource(readFileSource(DATA));
      const result = await app.store.upsertPapers(papers);
      const synced = await app.corpus.applyChanges({ upserted: result.added, removed: [] });
      expect(synced.rebuild).toBeDefined();
      expect(app.corpus.status().rebuilding?.reason).toBe('refit');
      const before = app.embedder.key;
      await app.close();
      await expect(synced.rebuild).rejects.toThrow();
      expect(app.embedder.key).toBe(before);

      const reopened = await openApp(loadConfig({}, { PAPERFEED_DATA_DIR: dataDir, PAPERFEED_EMBEDDINGS: 'builtin', PAPERFEED_OFFLINE: 'true' }), {
        log: createLogger('silent'),
      });
      try {
        // Before: the start refitted, then built the whole index, before its first answer.
        expect(reopened.corpus.status()).toMatchObject({ generation: { provider: before, vectors: 0 }, rebuilding: { reason: 'refit' } });
        await (await reopened.corpus.follow()).rebuild;
        expect(reopened.embedder.key).not.toBe(before);
        expect(reopened.corpus.status().generation).toEqual({ provider: reopened.embedder.key, vectors: 425 });
        const [paper] = await reopened.store.listPapers({ limit: 1, offset: 5 });
        expect((await reopened.search.similar(paper!.id, { k: 5 })).results).toHaveLength(5);
      } finally {
        await reopened.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('reindex over an outgrown built-in fit', () => {
  it('fits the corpus once, in the new generation, not also at open', async () => {
    const app = await openSampleApp({ ingestSample: false });
    const dataDir = app.dataDir;
    try {
      const before = app.embedder.key;
      // Stored beside the owner: the fit made on the empty store is now far outgrown.
      const { papers } = await collectSource(readFileSource(DATA));
      await app.store.upsertPapers(papers);
      await app.close();
      const config = loadConfig({}, { PAPERFEED_DATA_DIR: dataDir, PAPERFEED_EMBEDDINGS: 'builtin', PAPERFEED_OFFLINE: 'true' });
      const { lines, log } = logged();
      const refits = () => lines.filter((l) => l.includes('refitted now'));

      const reindexing = await openApp(config, { log, forReindex: true });
      let provider: string;
      try {
        expect(reindexing.embedder.key).toBe(before);
        expect(refits()).toEqual([]);
        const r = await reindexing.reindex();
        expect(r.papers).toBe(425);
        expect(r.provider).not.toBe(before);
        provider = r.provider;
      } finally {
        await reindexing.close();
      }
      // The fit reindex made is the stored one: the next start loads it as it is.
      const reopened = await openApp(config, { log });
      try {
        expect(reopened.embedder.key).toBe(provider);
        expect(refits()).toEqual([]);
      } finally {
        await reopened.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('a start with no usable index over an outgrown built-in fit', () => {
  it('builds one generation, with a fresh fit, and a restart loads both as they are', async () => {
    const sample = await openSampleApp();
    const { config, dataDir } = sample;
    const before = sample.embedder.key;
    // 480 papers stored beside the sample's 425: its fit is outgrown (builtinNeedsRefit: 2x + 50).
    await sample.store.upsertPapers(Array.from({ length: 480 }, (_, i): PaperInput => ({ rawId: `2505.${String(i + 1).padStart(5, '0')}`, title: `Routing study ${i}`, abstract: `Variant ${i} of expert routing, on benchmark ${i % 23}.`, source: 'jsonl' })));
    await sample.close();
    await rm(join(dataDir, 'index'), { recursive: true, force: true });
    const { lines, log } = logged();
    const app = await openApp(config, { log });
    try {
      // Not the stored fit, then a refit beside it: that would build the whole index twice.
      expect(app.embedder.key).not.toBe(before);
      expect(app.corpus.current().index.info()).toMatchObject({ count: 905, corpusChecksum: await app.store.corpusChecksum() });
      expect(app.corpus.status().rebuilding).toBeUndefined();
      expect(lines.filter((l) => l.includes('building a new corpus generation'))).toHaveLength(1);
    } finally {
      await app.close();
    }
    const reopened = logged();
    const again = await openApp(config, { log: reopened.log });
    try {
      expect(again.embedder.key).toBe(app.embedder.key);
      expect(reopened.lines.filter((l) => /building|refit/.test(l))).toEqual([]);
    } finally {
      await again.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('a daily ingest by a process that only writes the index (the CLI ingest)', () => {
  it('reads and rewrites no hashed shard, a restart sees the day, and a reindex folds the open shard back', async () => {
    const sample = await openSampleApp({ env: { PAPERFEED_HNSW_SHARDS: '4' } });
    const { config, dataDir, log } = sample;
    const total = await sample.store.count();
    await sample.close();
    const dir = join(dataDir, 'index');
    const graphs = async () => Promise.all([0, 1, 2, 3, 4].map(async (i) => (await readdir(join(dir, `shard-${i}`)).catch(() => [])).sort()));
    try {
      const before = await graphs();
      expect(before[4]).toEqual([]);
      const day = join(dataDir, 'day.jsonl');
      const ids = ['2511.00001', '2511.00002', '2511.00003'];
      await writeFile(day, ids.map((id, i) => JSON.stringify({ id, title: `Spectral pruning of attention heads, part ${i + 1}`, abstract: `We prune heads by the spectrum of their attention maps (study ${i + 1}).` })).join('\n'));

      const writer = await openApp(config, { log, indexAccess: 'write-only' });
      try {
        const report = await ingest(writer, [readFileSource(day)]);
        expect(report.added).toBe(3);
        const index = writer.corpus.current().index;
        expect(index.shards.map((s) => s.loaded)).toEqual([false, false, false, false, true]);
        expect(index.info().count).toBe(total + 3);
      } finally {
        await writer.close();
      }
      const after = await graphs();
      expect(after.slice(0, 4)).toEqual(before.slice(0, 4));
      expect(after[4]!.some((f) => f.endsWith('.bin'))).toBe(true);

      const app = await openApp(config, { log });
      try {
        const index = app.corpus.current().index;
        expect(index.info()).toMatchObject({ count: total + 3, corpusChecksum: await app.store.corpusChecksum() });
        const hits = await app.search.similar('2511.00002', { k: 3, mode: 'dense' });
        expect(hits.results.map((h) => h.paper.id)).toEqual(expect.arrayContaining(['2511.00001', '2511.00003']));

        await app.reindex();
        const rebuilt = app.corpus.current().index;
        expect(rebuilt.shards).toHaveLength(4);
        expect(rebuilt.hashed).toBe(4);
        expect(rebuilt.info().count).toBe(total + 3);
        for (const id of ids) expect(rebuilt.shards[shardOf(id, 4)]!.has(id)).toBe(true);
        const manifest = JSON.parse(await readFile(join(dir, 'shards.json'), 'utf8')) as { shards: number; hashed?: number };
        expect(manifest).toMatchObject({ shards: 4 });
        expect(manifest.hashed).toBeUndefined();
        expect(await readdir(dir)).not.toContain('shard-4');
      } finally {
        await app.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('an index behind the store (another process wrote since, or a run stopped between storing and indexing)', () => {
  const day = Array.from({ length: 20 }, (_, i): PaperInput => ({
    rawId: `2611.${String(i + 1).padStart(5, '0')}`,
    title: `Late paper ${i} on routing sparse experts`,
    abstract: `We route tokens to ${i + 2} experts and report the load balance on benchmark ${i}.`,
    source: 'jsonl',
    published: '2026-11-01',
  }));
  const building = (lines: string[]) => lines.filter((l) => /building|rebuilding/.test(l));

  it('is served as saved, not rebuilt: a one-shot query answers from it, and serve brings it in step with only what it lacks', async () => {
    const sample = await openSampleApp();
    const { config, dataDir } = sample;
    await sample.close();
    const other = await openSqliteStore(join(dataDir, STORE_FILE));
    await other.upsertPapers(day);
    await other.close();
    const saved = await savedGeneration(join(dataDir, 'index'));
    try {
      // Before: both opens rebuilt the whole index from stored vectors first (84 s at 100k).
      const once = logged();
      const oneQuery = await openApp(config, { log: once.log, indexAccess: 'one-query' });
      try {
        expect(building(once.lines)).toEqual([]);
        expect(oneQuery.corpus.current().index.info().count).toBe(425);
        // The stored paper is found through its text, the lexical half.
        expect((await oneQuery.search.similar('2611.00003', { k: 3 })).results).toHaveLength(3);
      } finally {
        await oneQuery.close();
      }
      expect(await savedGeneration(join(dataDir, 'index'))).toEqual(saved);

      const served = logged();
      const serving = await openApp(config, { log: served.log });
      try {
        expect(building(served.lines)).toEqual([]);
        // Embedded: the day's papers but those the query above cached a vector for.
        const followed = await serving.corpus.follow();
        expect(followed).toMatchObject({ indexed: 20, removed: 0 });
        expect(followed.embedded).toBeGreaterThan(0);
        expect(serving.corpus.current().index.info()).toMatchObject({ count: 445, corpusChecksum: await serving.store.corpusChecksum() });
        expect(await savedGeneration(join(dataDir, 'index'))).toEqual(saved);
      } finally {
        await serving.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('a prune that fails after the swap', () => {
  it('the new generation is live, the rebuild succeeds, the failure is logged, and the next rebuild prunes', async () => {
    const sample = await openSampleApp();
    const { config, dataDir } = sample;
    await sample.close();
    const { lines, log } = logged();
    const app = await openApp(config, { log });
    try {
      const papers = await app.store.count();
      // As PostgreSQL answers a drop that cannot get its lock (another session idle in a transaction).
      const prune = vi.spyOn(app.store, 'pruneVectors').mockRejectedValueOnce(new Error('canceling statement due to lock timeout'));
      const r = await app.reindex();
      expect(r).toMatchObject({ papers });
      expect(app.corpus.current().index.info().count).toBe(papers);
      expect(lines.filter((l) => l.includes('could not drop cached vectors')).map((l) => JSON.parse(l).err)).toEqual(['canceling statement due to lock timeout']);
      await app.reindex();
      expect(prune).toHaveBeenCalledTimes(2);
      expect(await prune.mock.results[1]!.value).toBeGreaterThanOrEqual(0);
    } finally {
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('a reindex by another process beside a running one (a CLI reindex beside serve)', () => {
  const paper = (id: string, title: string): PaperInput => ({ rawId: id, title, abstract: `${title}: a study of the idea.`, source: 'jsonl', published: '2025-03-01' });

  it('the running process takes up the new generation and its fit, then saves on top of it, never over it', async () => {
    const sample = await openSampleApp();
    const { config, dataDir, log } = sample;
    await sample.close();
    const manifestPath = join(dataDir, 'index', 'shards.json');
    const manifest = async () => JSON.parse(await readFile(manifestPath, 'utf8')) as { generation?: string; providerKey: string; graphFiles: string[] };
    const serving = await openApp(config, { log });
    try {
      const before = serving.embedder.key;
      const loadedGeneration = serving.corpus.current().index.generation;
      expect((await manifest()).generation).toBe(loadedGeneration);
      // Another process stores two papers (the running one has not followed yet), another reindexes:
      // a fresh fit of the grown corpus, so a new provider key as well as a new graph.
      const other = await openSqliteStore(join(dataDir, STORE_FILE));
      await other.upsertPapers([paper('2503.00001', 'Tokenizer-free language models'), paper('2503.00002', 'Diffusion policies for manipulation')]);
      await other.close();
      const reindexing = await openApp(config, { log, forReindex: true });
      const reindexed = await reindexing.reindex().finally(() => reindexing.close());
      expect(reindexed.provider).not.toBe(before);
      const swapped = await manifest();
      expect(swapped.generation).not.toBe(loadedGeneration);

      // Its next follow takes up that generation, with the fit it was built with.
      await serving.corpus.follow();
      const live = serving.corpus.current();
      expect(live.index.generation).toBe(swapped.generation);
      expect(live.embedder.key).toBe(reindexed.provider);
      expect(live.index.info()).toMatchObject({ count: 427, corpusChecksum: await serving.store.corpusChecksum() });
      const hits = await serving.search.similar('2503.00001', { k: 3, mode: 'dense' });
      expect(hits.results).toHaveLength(3);

      // A change after it is saved into that generation: the reindex's graph files stay.
      const day = await serving.store.upsertPapers([paper('2503.00003', 'Sparse autoencoders for vision models')]);
      expect((await serving.corpus.applyChanges({ upserted: day.added, removed: [] })).shardsSaved).toBeGreaterThan(0);
      const saved = await manifest();
      expect(saved.generation).toBe(swapped.generation);
      expect(saved.graphFiles.slice(0, swapped.graphFiles.length)).toEqual(swapped.graphFiles);
    } finally {
      await serving.close();
    }
    // The next start uses the saved index as it is: no rebuild.
    const { lines, log: reopenLog } = logged();
    const reopened = await openApp(config, { log: reopenLog });
    try {
      expect(reopened.corpus.current().index.info()).toMatchObject({ count: 428, corpusChecksum: await reopened.store.corpusChecksum() });
      expect(lines.filter((l) => /rebuild|building/.test(l))).toEqual([]);
    } finally {
      await reopened.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('a generation it cannot load (another provider): it keeps serving its own, writes nothing, and /readyz-facing status says why', async () => {
    const sample = await openSampleApp();
    const { config, dataDir, log } = sample;
    await sample.close();
    const manifestPath = join(dataDir, 'index', 'shards.json');
    const { lines, log: servingLog } = logged();
    const serving = await openApp(config, { log: servingLog });
    const warnings = () => lines.filter((l) => l.includes('another process replaced the vector index'));
    try {
      // What a reindex with another embedder leaves: a set of another provider and generation.
      const reindexing = await openApp(config, { log, forReindex: true });
      await reindexing.reindex().finally(() => reindexing.close());
      const foreign = { ...JSON.parse(await readFile(manifestPath, 'utf8')), providerKey: 'openai:text-embedding-3-small:512', generation: 'someone-else' };
      await writeFile(manifestPath, JSON.stringify(foreign));
      const files = async () => (await readdir(join(dataDir, 'index'), { recursive: true })).sort();
      const onDisk = await files();

      const day = await serving.store.upsertPapers([paper('2503.00009', 'Retrieval for code models')]);
      const synced = await serving.corpus.applyChanges({ upserted: day.added, removed: [] });
      expect(synced).toMatchObject({ indexed: 1, shardsSaved: 0 });
      expect(serving.corpus.current().index.has('2503.00009')).toBe(true);
      expect(serving.corpus.status().replaced).toMatch(/openai:text-embedding-3-small:512/);
      expect(await files()).toEqual(onDisk);
      expect(JSON.parse(await readFile(manifestPath, 'utf8'))).toEqual(foreign);
      // Said once: later changes and follows do not try to load that set again.
      expect(warnings()).toHaveLength(1);
      await serving.corpus.follow();
      expect(warnings()).toHaveLength(1);
      expect(JSON.parse(await readFile(manifestPath, 'utf8'))).toEqual(foreign);
    } finally {
      await serving.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('one builder per data dir (a CLI ingest or reindex beside serve)', () => {
  const paper = (i: number): PaperInput => ({
    rawId: `2504.${String(i).padStart(5, '0')}`,
    title: `Study ${i} of sparse routing in model ${i % 41}`,
    abstract: `We examine variant ${i} of mixture routing with ${i % 17} experts and report results on benchmark ${i % 23}.`,
    source: 'jsonl',
    published: '2025-04-01',
  });
  /** Enough new papers that the sample's fit (425 papers) is outgrown (builtinNeedsRefit: 2x + 50). */
  const outgrowing = Array.from({ length: 480 }, (_, i) => paper(i + 1));
  const building = (lines: string[]) => lines.filter((l) => l.includes('building a new corpus generation'));

  it('serve following an ingest that outgrows the fit leaves the refit to the ingest, then takes its generation up', async () => {
    const sample = await openSampleApp();
    const { config, dataDir } = sample;
    await sample.close();
    const served = logged();
    const serving = await openApp(config, { log: served.log });
    try {
      const before = serving.corpus.current();
      const writing = logged();
      const writer = await openApp(config, { log: writing.log, indexAccess: 'write-only' });
      const stored = await writer.store.upsertPapers(outgrowing);
      expect(stored.added).toHaveLength(480);

      // Serve follows the half-written corpus: it is outgrown, but the ingest holds the build.
      const followed = await serving.corpus.follow();
      await followed.rebuild;
      expect(serving.corpus.status().rebuilding).toMatchObject({ reason: 'refit', elsewhere: true });
      expect(serving.corpus.current()).toBe(before);
      expect(building(served.lines)).toEqual([]);
      expect((await serving.search.similar(before.index.ids()[0]!, { k: 3, mode: 'dense' })).results).toHaveLength(3);

      // The ingest ends: it refits and swaps in one generation of the whole corpus.
      const synced = await writer.syncIndex({ changes: { upserted: stored.added, removed: [] } });
      await writer.close();
      expect(synced.embedded).toBe(905);
      expect(building(writing.lines)).toHaveLength(1);

      await serving.corpus.follow();
      const live = serving.corpus.current();
      expect(live.embedder.key).not.toBe(before.embedder.key);
      expect(live.index.info()).toMatchObject({ count: 905, corpusChecksum: await serving.store.corpusChecksum() });
      expect(serving.corpus.status().rebuilding).toBeUndefined();
      expect(building(served.lines)).toEqual([]);
      expect(served.lines.filter((l) => l.includes('took up the corpus generation'))).toHaveLength(1);
    } finally {
      await serving.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('an ingest that stops without building: the next follow of serve refits itself', async () => {
    const sample = await openSampleApp();
    const { config, dataDir, log } = sample;
    await sample.close();
    const served = logged();
    const serving = await openApp(config, { log: served.log });
    try {
      const writer = await openApp(config, { log, indexAccess: 'write-only' });
      await writer.store.upsertPapers(outgrowing);
      await (await serving.corpus.follow()).rebuild;
      expect(serving.corpus.status().rebuilding).toMatchObject({ elsewhere: true });
      await writer.close();

      // No new change since: the follow tries the refit again now that nobody holds the build.
      const followed = await serving.corpus.follow();
      expect(followed.rebuild).toBeDefined();
      expect(await followed.rebuild).toEqual({ embedded: 905 });
      expect(building(served.lines)).toHaveLength(1);
      expect(serving.corpus.current().index.info()).toMatchObject({ count: 905, corpusChecksum: await serving.store.corpusChecksum() });
      expect(serving.corpus.status().rebuilding).toBeUndefined();
    } finally {
      await serving.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('serve started while an ingest is under way opens at once on the saved index and its fit, and leaves the refit to the ingest', async () => {
    const sample = await openSampleApp();
    const { config, dataDir } = sample;
    await sample.close();
    const writer = await openApp(config, { log: logged().log, indexAccess: 'write-only' });
    const fitBefore = writer.corpus.current().embedder.key;
    const stored = await writer.store.upsertPapers(outgrowing);
    // Before: serve refitted the half-written corpus at open, stored that fit under the ingest, and
    // then waited, not listening, for the whole ingest to build (its index no longer matched).
    const served = logged();
    const serving = await openApp(config, { log: served.log });
    try {
      expect(served.lines.filter((l) => /waiting for it|refitted now|building a new corpus generation/.test(l))).toEqual([]);
      expect(serving.corpus.current().embedder.key).toBe(fitBefore);
      expect(serving.corpus.current().index.info().count).toBe(425);
      // A paper stored but not indexed yet is still found (its text, the lexical half).
      expect((await serving.search.similar('2504.00008', { k: 3 })).results).toHaveLength(3);
      await (await serving.corpus.follow()).rebuild;
      expect(serving.corpus.status().rebuilding).toMatchObject({ reason: 'refit', elsewhere: true });

      const synced = await writer.syncIndex({ changes: { upserted: stored.added, removed: [] } });
      await writer.close();
      expect(synced.embedded).toBe(905);
      await serving.corpus.follow();
      expect(serving.corpus.current().index.info()).toMatchObject({ count: 905, corpusChecksum: await serving.store.corpusChecksum() });
      expect(serving.corpus.current().embedder.key).not.toBe(fitBefore);
      expect(building(served.lines)).toEqual([]);
    } finally {
      await serving.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('a start with no usable index waits for the builder, then loads its generation with the fit stored beside it', async () => {
    const sample = await openSampleApp();
    const { config, dataDir } = sample;
    await sample.close();
    const writer = await openApp(config, { log: logged().log, indexAccess: 'write-only' });
    const stored = await writer.store.upsertPapers(outgrowing);
    await rm(join(dataDir, 'index'), { recursive: true, force: true });
    const served = logged();
    const starting = openApp(config, { log: served.log });
    try {
      await vi.waitFor(() => expect(served.lines.some((l) => l.includes('waiting for it'))).toBe(true), { timeout: 20_000 });
      await writer.syncIndex({ changes: { upserted: stored.added, removed: [] } });
      const built = writer.corpus.current().embedder.key;
      await writer.close();
      const serving = await starting;
      try {
        expect(serving.corpus.current().embedder.key).toBe(built);
        expect(serving.corpus.current().index.info()).toMatchObject({ count: 905, corpusChecksum: await serving.store.corpusChecksum() });
        expect(building(served.lines)).toEqual([]);
      } finally {
        await serving.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('two reindexes at once build one after the other, and a restart loads the last as it is', async () => {
    const sample = await openSampleApp();
    const { config, dataDir } = sample;
    const day = await sample.store.upsertPapers(outgrowing.slice(0, 20));
    await sample.close();
    const first = logged();
    const second = logged();
    const a = await openApp(config, { log: first.log, forReindex: true });
    const b = await openApp(config, { log: second.log, forReindex: true });
    try {
      const [ra, rb] = await Promise.all([a.reindex(), b.reindex()]);
      expect(ra).toMatchObject({ papers: 425 + day.added.length });
      expect(rb).toMatchObject({ papers: 425 + day.added.length });
      // One of them waited for the other's build.
      expect([...first.lines, ...second.lines].filter((l) => l.includes('waiting for it'))).toHaveLength(1);
    } finally {
      await a.close();
      await b.close();
    }
    const reopened = logged();
    const app = await openApp(config, { log: reopened.log });
    try {
      expect(app.corpus.current().index.info()).toMatchObject({ count: 445, corpusChecksum: await app.store.corpusChecksum() });
      expect(reopened.lines.filter((l) => /rebuild|building/.test(l))).toEqual([]);
    } finally {
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
