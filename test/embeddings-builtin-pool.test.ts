import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBuiltinProvider, embedBuiltin, fitBuiltin } from '../embeddings/builtin.ts';
import { fitBuiltinOffThread } from '../embeddings/builtin-fit-thread.ts';
import { loadSampleCorpus } from '../bench/retrieval-eval.ts';
import { contentHash, embeddingText } from '../src/papers/normalize.ts';
import { embedInBulk } from '../src/pipeline/embed.ts';
import { openSqliteStore, type SqlitePaperStore } from '../src/store/sqlite-store.ts';

const sample = loadSampleCorpus(join(import.meta.dirname, '..', 'data'));
const texts = sample.map((d) => `${d.title}\n\n${d.abstract}`);
const state = fitBuiltin(texts);
const provider = createBuiltinProvider(state);

describe('built-in embedding on worker threads', () => {
  it('gives exactly the vectors embed() gives, in order, across concurrent batches', async () => {
    const pool = provider.pool!(2);
    try {
      const some = texts.slice(0, 60);
      const batches = await Promise.all([pool.embed(some.slice(0, 25)), pool.embed(some.slice(25, 40)), pool.embed(some.slice(40))]);
      const got = batches.flat();
      expect(got).toHaveLength(60);
      got.forEach((v, i) => expect([...v]).toEqual([...embedBuiltin(state, some[i]!)]));
    } finally {
      await pool.close();
    }
  });

  it('rejects work after close', async () => {
    const pool = provider.pool!(1);
    await pool.close();
    await expect(pool.embed(['a text'])).rejects.toThrow(/closed/);
  });
});

describe('embedInBulk', () => {
  let dir: string;
  let store: SqlitePaperStore;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paperfeed-bulk-embed-'));
    store = await openSqliteStore(join(dir, 'papers.sqlite'));
    // The sample recombined into more papers than the in-thread limit, some with the same text.
    const inputs = Array.from({ length: 5_200 }, (_, n) => {
      const a = sample[n % sample.length]!;
      const b = sample[(n * 7) % sample.length]!;
      return {
        rawId: `2401.${String(n).padStart(5, '0')}`,
        title: n % 100 === 99 ? 'Same title' : `${a.title} ${n}`,
        abstract: n % 100 === 99 ? 'Same abstract.' : `${a.abstract.slice(0, 300)} ${b.abstract.slice(300, 600)}`,
        source: 'jsonl' as const,
      };
    });
    for (let i = 0; i < inputs.length; i += 1_000) await store.upsertPapers(inputs.slice(i, i + 1_000));
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('embeds every missing paper on workers and caches the vectors embed() would give', async () => {
    const missingIds = await store.idsMissingVectors(provider.key);
    expect(missingIds).toHaveLength(5_200);
    const missing = await store.getPapers(missingIds);
    // One text cached since the ids were listed (another process embedded it): handed on, not embedded.
    const late = missing.findLast((p) => p.title !== 'Same title')!;
    const lateVector = new Float32Array(provider.dimension).fill(0.25);
    await store.putCachedVectors(provider.key, [{ contentHash: contentHash(late), vector: lateVector }]);
    const progress: number[] = [];
    const delivered = new Map<string, number>();
    const embedded = await embedInBulk(store, provider, missingIds, {
      threads: 2,
      onProgress: (done) => progress.push(done),
      onVectors: (vectors) => {
        for (const { paperId, vector } of vectors) {
          delivered.set(paperId, (delivered.get(paperId) ?? 0) + 1);
          if (paperId === late.id) expect(vector).toEqual(lateVector);
        }
      },
    });
    const distinct = new Set(missing.map((p) => contentHash(p))).size;
    // Papers sharing a text, even in different batches, share one embedding.
    expect(embedded).toBe(distinct - 1);
    expect(delivered.get(late.id)).toBe(1);
    expect(distinct).toBeLessThan(5_200);
    expect(progress.at(-1)).toBe(5_200);
    // Every paper's vector is handed on once, whether embedded, shared or already cached.
    expect(delivered.size).toBe(5_200);
    expect([...delivered.values()].every((n) => n === 1)).toBe(true);
    expect(await store.idsMissingVectors(provider.key)).toHaveLength(0);
    const some = missing.filter((_, i) => i % 397 === 0);
    const cached = await store.getCachedVectors(provider.key, some.map((p) => contentHash(p)));
    for (const p of some) expect([...cached.get(contentHash(p))!]).toEqual([...embedBuiltin(state, embeddingText(p))]);
  });
});

describe('fitting on a worker thread', () => {
  it('fits exactly what fitBuiltin fits, with several chunks in flight', async () => {
    // More texts than two chunks of the fit's messages, so reading overlaps adding.
    const many = Array.from({ length: 1_300 }, (_, i) => `${texts[i % texts.length]!} ${i % 7 === 0 ? `extra${i}` : ''}`);
    const offThread = await fitBuiltinOffThread(many);
    expect(offThread.fingerprint).toBe(fitBuiltin(many).fingerprint);
    expect(offThread.docCount).toBe(1_300);
  });
});

describe('embedInBulk stopped midway', () => {
  it('stops its workers and rejects with the abort, keeping the batches already cached', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paperfeed-bulk-abort-'));
    const store = await openSqliteStore(join(dir, 'papers.sqlite'));
    try {
      const inputs = Array.from({ length: 6_000 }, (_, n) => ({
        rawId: `2402.${String(n).padStart(5, '0')}`,
        title: `${sample[n % sample.length]!.title} ${n}`,
        abstract: `${sample[(n * 3) % sample.length]!.abstract} ${n}`,
        source: 'jsonl' as const,
      }));
      for (let i = 0; i < inputs.length; i += 1_000) await store.upsertPapers(inputs.slice(i, i + 1_000));
      const missing = await store.idsMissingVectors(provider.key);
      const stop = new AbortController();
      const run = embedInBulk(store, provider, missing, {
        threads: 2,
        signal: stop.signal,
        onVectors: () => stop.abort(new Error('stopped by the test')),
      });
      await expect(run).rejects.toThrow('stopped by the test');
      const left = (await store.idsMissingVectors(provider.key)).length;
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThan(6_000);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
