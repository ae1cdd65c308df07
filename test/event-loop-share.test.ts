/**
 * Work a serving process does beside its requests lets the event loop run: applying changes to the
 * live index and the SQLite corpus checksum come back to the loop between slices (a timer
 * scheduled before them fires before they finish), and give what the unsliced path gives.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddingProvider } from '../embeddings/provider.ts';
import { applyChanges, type Generation } from '../src/corpus/generation.ts';
import { createShardedIndex } from '../src/index/sharded-index.ts';
import { contentHash } from '../src/papers/normalize.ts';
import type { PaperInput } from '../src/papers/paper.ts';
import { ChecksumReader } from '../src/store/sqlite-checksum.ts';
import { openSqliteStore, type SqlitePaperStore } from '../src/store/sqlite-store.ts';
import { unitVectors } from './helpers/vectors.ts';

const DIM = 32;
const PAPERS = 1_500;
const arxiv = (n: number): PaperInput => ({
  rawId: `2501.${String(n).padStart(5, '0')}`,
  title: `Paper number ${n}`,
  abstract: `Abstract of paper ${n}, on topic ${n % 17}.`,
  source: 'arxiv-atom',
});

/** Vectors by text, so that the same text always gets the same vector. */
function textEmbedder(): EmbeddingProvider {
  const seed = (text: string) => [...text].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
  return {
    id: 'text-seeded',
    model: 'test',
    dimension: DIM,
    key: `text-seeded:test:${DIM}`,
    embed: async (texts) => texts.map((t) => unitVectors(1, DIM, seed(t))[0]!),
  };
}

/** Resolves with whether a timer set before `work` started had fired by the time it finished. */
async function timerFiredDuring<T>(work: () => Promise<T>): Promise<{ fired: boolean; result: T }> {
  let fired = false;
  setTimeout(() => (fired = true), 0);
  const result = await work();
  return { fired, result };
}

let dir: string;
let store: SqlitePaperStore;
let ids: string[];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paperfeed-loop-'));
  store = await openSqliteStore(join(dir, 'papers.sqlite'));
  const inputs = Array.from({ length: PAPERS }, (_, i) => arxiv(i + 1));
  const { added } = await store.upsertPapers(inputs);
  ids = added;
});
afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('applying changes to a live index', () => {
  it('lets a timer run before it is done, and indexes what one upsert of every vector does', async () => {
    const embedder = textEmbedder();
    const gen: Generation = { embedder, index: createShardedIndex({ dir: join(dir, 'sliced'), providerKey: embedder.key, dimension: DIM, shards: 2 }) };
    const { fired, result } = await timerFiredDuring(() => applyChanges(store, gen, { upserted: ids, removed: [] }, { batchSize: 64 }));
    expect(fired).toBe(true);
    expect(result).toEqual({ embedded: PAPERS, indexed: PAPERS, removed: 0 });

    // The unsliced path: every vector (now in the cache) in one upsert.
    const papers = await store.getPapers(ids);
    const cached = await store.getCachedVectors(embedder.key, papers.map((p) => contentHash(p)));
    const whole = createShardedIndex({ dir: join(dir, 'whole'), providerKey: embedder.key, dimension: DIM, shards: 2 });
    whole.upsert(papers.map((p) => ({ id: p.id, vector: cached.get(contentHash(p))! })));
    expect(gen.index.ids().sort()).toEqual(whole.ids().sort());
    for (const p of papers.slice(0, 50)) {
      const vector = cached.get(contentHash(p))!;
      expect(gen.index.search(vector, 1)[0]?.id).toBe(p.id);
      expect(whole.search(vector, 1)[0]?.id).toBe(p.id);
    }
  });
});

describe('SQLite corpus checksum', () => {
  it('read in slices lets a timer run, gives the one-pass checksum, and stays on its snapshot while papers are written', async () => {
    const db = new Database(join(dir, 'papers.sqlite'));
    const sliced = new ChecksumReader(db, { pageSize: 100, sliceMs: 0 });
    const onePass = new ChecksumReader(db, { pageSize: 1_000_000, sliceMs: Number.POSITIVE_INFINITY });
    try {
      const whole = await onePass.read();
      expect(whole.computed).toBe(true);

      const { fired, result } = await timerFiredDuring(() => sliced.read());
      expect(fired).toBe(true);
      expect(result).toEqual(whole);

      // A paper written while the sliced read waits between pages is not in what it read.
      let written: Promise<unknown> | undefined;
      setImmediate(() => (written = store.upsertPapers([arxiv(PAPERS + 1)])));
      const during = await sliced.read();
      await written;
      expect(written).toBeDefined();
      expect(during).toEqual(whole);
      const after = await onePass.read();
      expect(after.head).toBeGreaterThan(whole.head);
      expect(after.checksum).not.toBe(whole.checksum);
      expect(await store.corpusChecksum()).toBe(after.checksum);
    } finally {
      sliced.close();
      onePass.close();
      db.close();
    }
  });
});

describe('SQLite paper count', () => {
  it('is read once per state of the store: after a write of this connection or of another one it is read again', async () => {
    const before = await store.count();
    expect(await store.count()).toBe(before);
    await store.upsertPapers([arxiv(PAPERS + 2)]);
    expect(await store.count()).toBe(before + 1);
    const other = await openSqliteStore(join(dir, 'papers.sqlite'));
    try {
      await other.upsertPapers([arxiv(PAPERS + 3), arxiv(PAPERS + 4)]);
    } finally {
      await other.close();
    }
    expect(await store.count()).toBe(before + 3);
  });
});
