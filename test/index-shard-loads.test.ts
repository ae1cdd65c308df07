// Shard graphs are read one at a time where a process serves queries meanwhile (a generation taken
// up beside the live one, shards a build worker saved): concurrent reads took every core from a
// busy event loop. loadHnswIndex is wrapped, not replaced, to count the reads in flight.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildShardedIndex } from '../src/index/build-shards.ts';
import { DEFAULT_HNSW_PARAMS } from '../src/index/hnsw-index.ts';
import { createShardedIndex, loadShardedIndex, shardDir } from '../src/index/sharded-index.ts';
import { unitVectors } from './helpers/vectors.ts';

const reads = vi.hoisted(() => ({ inFlight: 0, most: 0 }));
vi.mock('../src/index/hnsw-index.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/index/hnsw-index.ts')>();
  return {
    ...real,
    loadHnswIndex: async (...args: Parameters<typeof real.loadHnswIndex>) => {
      reads.most = Math.max(reads.most, ++reads.inFlight);
      try {
        return await real.loadHnswIndex(...args);
      } finally {
        reads.inFlight--;
      }
    },
  };
});

const KEY = 'transformers:Xenova/all-MiniLM-L6-v2:32';
const DIM = 32;
const expected = { providerKey: KEY, dimension: DIM };
const items = (n: number) => unitVectors(n, DIM, 3).map((vector, i) => ({ id: `2402.${String(i).padStart(5, '0')}`, vector }));
const queries = unitVectors(10, DIM, 9);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paperfeed-shard-loads-'));
  reads.most = 0;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('shard loads beside a serving generation', () => {
  it('oneAtATime reads the shards one after another into the same index; a start reads them all at once', async () => {
    const index = createShardedIndex({ dir, providerKey: KEY, dimension: DIM, shards: 4 });
    index.upsert(items(400));
    index.setCorpusChecksum('sum-1');
    await index.save();

    const atOnce = await loadShardedIndex(dir, expected);
    expect(reads.most).toBe(4);
    reads.most = 0;
    const inTurn = await loadShardedIndex(dir, expected, { oneAtATime: true });
    expect(reads.most).toBe(1);
    if (!atOnce.ok || !inTurn.ok) throw new Error('expected both loads to succeed');
    expect(inTurn.index.info()).toEqual({ providerKey: KEY, dimension: DIM, count: 400, corpusChecksum: 'sum-1' });
    expect(queries.map((q) => inTurn.index.search(q, 10))).toEqual(queries.map((q) => atOnce.index.search(q, 10)));
  });

  it('oneAtATime stops at a damaged shard and names it', async () => {
    const index = createShardedIndex({ dir, providerKey: KEY, dimension: DIM, shards: 4 });
    index.upsert(items(200));
    await index.save();
    await rm(shardDir(dir, 2), { recursive: true });
    const r = await loadShardedIndex(dir, expected, { oneAtATime: true });
    expect(!r.ok && r.message).toContain('shard 2 of 4 is missing');
  });

  it('a build reads back the shards its workers saved one at a time', async () => {
    const built = await buildShardedIndex(items(2_000), {
      dir, providerKey: KEY, dimension: DIM, params: DEFAULT_HNSW_PARAMS, shards: 4, corpusChecksum: 'sum-1', workersFrom: 0, expected: 2_000,
    });
    expect(built.info()).toMatchObject({ count: 2_000 });
    expect(reads.most).toBe(1);
  });
});
