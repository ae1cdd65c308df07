import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BruteForceIndex } from '../src/index/brute-force.ts';
import { buildShardedIndex, startShardBuild } from '../src/index/build-shards.ts';
import { DEFAULT_HNSW_PARAMS } from '../src/index/hnsw-index.ts';
import {
  createShardedIndex,
  loadShardedIndex,
  MANIFEST_FILE,
  shardDir,
  ShardedIndex,
  shardOf,
} from '../src/index/sharded-index.ts';
import { IndexMismatchError } from '../src/index/vector-index.ts';
import { unitVectors } from './helpers/vectors.ts';

const KEY = 'transformers:Xenova/all-MiniLM-L6-v2:32';
const DIM = 32;
const idOf = (i: number) => `2401.${String(i).padStart(5, '0')}`;
const items = (n: number, seed = 1) => unitVectors(n, DIM, seed).map((vector, i) => ({ id: idOf(i), vector }));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paperfeed-shards-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function loadOk(): Promise<ShardedIndex> {
  const r = await loadShardedIndex(dir, { providerKey: KEY, dimension: DIM });
  if (!r.ok) throw new Error(`expected a usable index, got ${r.reason}: ${r.message}`);
  return r.index;
}

const readdirSafe = (d: string) => {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
};

const build = (n: number, shards: number, extra: { threads?: number; workersFrom?: number; expected?: number } = {}) =>
  buildShardedIndex(items(n), { dir, providerKey: KEY, dimension: DIM, params: DEFAULT_HNSW_PARAMS, shards, corpusChecksum: 'sum-1', ...extra });

describe('shardOf', () => {
  it('puts an id in the same shard every time and spreads ids evenly', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4_000; i++) {
      const s = shardOf(idOf(i), 4);
      expect(shardOf(idOf(i), 4)).toBe(s);
      counts[s]!++;
    }
    for (const c of counts) expect(c).toBeGreaterThan(850);
  });
});

describe('ShardedIndex', () => {
  it('answers like an exact scan across shards, and keeps ids, deletes and filters per shard', () => {
    const index = createShardedIndex({ dir, providerKey: KEY, dimension: DIM, shards: 3 });
    const exact = new BruteForceIndex({ providerKey: KEY, dimension: DIM });
    const data = items(900);
    index.upsert(data);
    exact.upsert(data);
    expect(index.shards.map((s) => s.info().count).every((c) => c > 200)).toBe(true);
    expect(index.info().count).toBe(900);
    index.remove(idOf(5));
    exact.remove(idOf(5));
    expect(index.has(idOf(5))).toBe(false);
    expect(index.has(idOf(6))).toBe(true);
    expect(new Set(index.ids()).size).toBe(899);

    const accept = (id: string) => Number(id.slice(5)) % 7 === 0;
    let agree = 0;
    for (const q of unitVectors(30, DIM, 99)) {
      const got = index.search(q, 10).map((h) => h.id);
      expect(got).toHaveLength(10);
      const want = exact.search(q, 10).map((h) => h.id);
      agree += got.filter((id) => want.includes(id)).length;
      const filtered = index.search(q, 5, accept);
      expect(filtered).toHaveLength(5);
      expect(filtered.every((h) => accept(h.id))).toBe(true);
      expect(filtered.map((h) => h.score)).toEqual([...filtered.map((h) => h.score)].sort((a, b) => b - a));
    }
    expect(agree / 300).toBeGreaterThan(0.97);
    expect(index.search(data[5]!.vector, 900).map((h) => h.id)).not.toContain(idOf(5));
  });

  it('refuses vectors of another provider in every shard', () => {
    const index = createShardedIndex({ dir, providerKey: KEY, dimension: DIM, shards: 2 });
    expect(() => index.upsert(items(3), { providerKey: 'builtin:x:32' })).toThrow(IndexMismatchError);
    expect(() => index.search(unitVectors(1, 16, 1)[0]!, 3)).toThrow(IndexMismatchError);
  });

  it('saves every shard and the manifest, and loads the set back', async () => {
    const index = createShardedIndex({ dir, providerKey: KEY, dimension: DIM, shards: 2 });
    index.upsert(items(300));
    index.setCorpusChecksum('sum-1');
    await index.save();
    expect((await readdir(dir)).sort()).toEqual(['shard-0', 'shard-1', MANIFEST_FILE]);
    const loaded = await loadOk();
    expect(loaded.info()).toEqual({ providerKey: KEY, dimension: DIM, count: 300, corpusChecksum: 'sum-1' });
    const q = unitVectors(1, DIM, 5)[0]!;
    expect(loaded.search(q, 10)).toEqual(index.search(q, 10));
  });

  it('reads as stale when the shards were saved at different syncs (an interrupted save)', async () => {
    const index = createShardedIndex({ dir, providerKey: KEY, dimension: DIM, shards: 2 });
    index.upsert(items(100));
    index.setCorpusChecksum('sum-1');
    await index.save();
    index.shards[1]!.setCorpusChecksum('sum-2');
    await index.shards[1]!.save();
    const loaded = await loadOk();
    expect(loaded.info().count).toBe(100);
    expect(loaded.info().corpusChecksum).toBeUndefined();
  });

  it('a save writes only the shards that changed, and the set loads back in step', async () => {
    const index = createShardedIndex({ dir, providerKey: KEY, dimension: DIM, shards: 4 });
    index.upsert(items(400));
    index.setCorpusChecksum('sum-1');
    await index.save();
    expect(index.saves).toEqual({ shardWrites: 4, manifestWrites: 1 });
    const files = index.shards.map((s) => s.graphFile);

    index.upsert([{ id: 'new-one', vector: unitVectors(1, DIM, 77)[0]! }]);
    index.setCorpusChecksum('sum-2');
    await index.save();
    expect(index.saves).toEqual({ shardWrites: 5, manifestWrites: 2 });
    const touched = shardOf('new-one', 4);
    index.shards.forEach((s, i) => (i === touched ? expect(s.graphFile).not.toBe(files[i]) : expect(s.graphFile).toBe(files[i])));
    await index.save();
    expect(index.saves).toEqual({ shardWrites: 5, manifestWrites: 2 });

    const loaded = await loadOk();
    expect(loaded.info()).toEqual({ providerKey: KEY, dimension: DIM, count: 401, corpusChecksum: 'sum-2' });
    expect(loaded.has('new-one')).toBe(true);
  });

  it('says what is wrong with a damaged set, and reports an index of the unsharded layout as missing', async () => {
    const expected = { providerKey: KEY, dimension: DIM };
    expect(await loadShardedIndex(dir, expected)).toMatchObject({ ok: false, reason: 'missing' });

    const index = createShardedIndex({ dir, providerKey: KEY, dimension: DIM, shards: 2 });
    index.upsert(items(50));
    await index.save();
    expect(await loadShardedIndex(dir, { providerKey: 'builtin:x:32', dimension: DIM })).toMatchObject({
      ok: false,
      reason: 'provider-mismatch',
      indexProvider: KEY,
    });

    await rm(shardDir(dir, 1), { recursive: true });
    const r = await loadShardedIndex(dir, expected);
    expect(r).toMatchObject({ ok: false, reason: 'corrupt' });
    expect(!r.ok && r.message).toContain('shard 1 of 2 is missing');

    await writeFile(join(dir, MANIFEST_FILE), '{"format":"paperfeed-hnsw-shards","version":1,"shards":0}');
    const bad = await loadShardedIndex(dir, expected);
    expect(!bad.ok && bad.message).toMatch(/shards\.json: shards: .*>=1/);
    await writeFile(join(dir, MANIFEST_FILE), '{not json');
    expect(await loadShardedIndex(dir, expected)).toMatchObject({ ok: false, reason: 'corrupt' });
  });

  it('a save replaces what an earlier layout or a larger set left in the directory', async () => {
    await writeFile(join(dir, 'index.json'), '{}');
    await writeFile(join(dir, 'hnsw-abc.bin'), 'old graph');
    await mkdir(shardDir(dir, 5));
    const index = createShardedIndex({ dir, providerKey: KEY, dimension: DIM, shards: 2 });
    index.upsert(items(20));
    await index.save();
    expect((await readdir(dir)).sort()).toEqual(['shard-0', 'shard-1', MANIFEST_FILE]);
    expect(JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8'))).toMatchObject({ shards: 2, providerKey: KEY });
  });
});

describe('buildShardedIndex', () => {
  it('builds shards in worker threads into the same graphs as a build in this thread', async () => {
    const inWorkers = await build(2_000, 2, { threads: 2, workersFrom: 0 });
    const workerResults = unitVectors(20, DIM, 7).map((q) => inWorkers.search(q, 10));
    expect(inWorkers.info()).toEqual({ providerKey: KEY, dimension: DIM, count: 2_000, corpusChecksum: 'sum-1' });

    const here = await build(2_000, 2, { threads: 1 });
    expect(unitVectors(20, DIM, 7).map((q) => here.search(q, 10))).toEqual(workerResults);
    // What was saved is what a later process loads.
    expect(unitVectors(20, DIM, 7).map((q) => inWorkers.search(q, 10))).toEqual(workerResults);
    const loaded = await loadOk();
    expect(unitVectors(20, DIM, 7).map((q) => loaded.search(q, 10))).toEqual(workerResults);
  });

  it('builds the same graphs when the shard workers take vectors while they are still being added', async () => {
    const here = await build(2_000, 2, { threads: 1 });
    const expected = unitVectors(20, DIM, 7).map((q) => here.search(q, 10));
    const streamed = await build(2_000, 2, { workersFrom: 0, expected: 2_000 });
    expect(streamed.info()).toEqual({ providerKey: KEY, dimension: DIM, count: 2_000, corpusChecksum: 'sum-1' });
    expect(unitVectors(20, DIM, 7).map((q) => streamed.search(q, 10))).toEqual(expected);
    const loaded = await loadOk();
    expect(unitVectors(20, DIM, 7).map((q) => loaded.search(q, 10))).toEqual(expected);
  });

  it('rejects a vector of the wrong dimension by id, before anything is written', async () => {
    const bad = [...items(3), { id: 'bad-one', vector: new Float32Array(8).fill(0.5) }];
    await expect(
      buildShardedIndex(bad, { dir, providerKey: KEY, dimension: DIM, params: DEFAULT_HNSW_PARAMS, shards: 2 }),
    ).rejects.toThrow('vector for bad-one has 8 dimensions, 32 expected');
    expect(await readdir(dir)).toEqual([]);
  });

  it('an abort while the workers save waits for their saves, commits nothing, and the process lives on', async () => {
    // Ending a worker in the middle of hnswlib-node's asynchronous save aborted the whole process
    // (a vitest fork died in CI). The graphs are large enough that the save takes a while.
    const dim = 128;
    const n = 4_000;
    const build = await startShardBuild({ dir, providerKey: KEY, dimension: dim, params: DEFAULT_HNSW_PARAMS, shards: 2, workersFrom: 0, expected: n });
    for (const [i, vector] of unitVectors(n, dim, 3).entries()) await build.add(idOf(i), vector);
    const finishing = build.finish();
    finishing.catch(() => {});
    // Abort as soon as a graph file is being written.
    const writing = () => [0, 1].some((s) => readdirSafe(shardDir(dir, s)).some((f) => f.endsWith('.bin.tmp')));
    while (!writing()) await nextTurn();
    await build.abort();
    await expect(finishing).rejects.toThrow(/aborted|exited/);
    expect(await loadShardedIndex(dir, { providerKey: KEY, dimension: dim })).toMatchObject({ ok: false, reason: 'missing' });
  });

  it('reports a worker that fails, naming the shard, and leaves no index that looks usable', async () => {
    await build(100, 2);
    expect((await loadOk()).info().count).toBe(100);
    const zero = items(50).map((it, i) => (i === 7 ? { ...it, vector: new Float32Array(DIM) } : it));
    await expect(
      buildShardedIndex(zero, { dir, providerKey: KEY, dimension: DIM, params: DEFAULT_HNSW_PARAMS, shards: 2, threads: 2, workersFrom: 0 }),
    ).rejects.toThrow(/building index shard .*shard-\d failed: .*zero length/);
    expect(await loadShardedIndex(dir, { providerKey: KEY, dimension: DIM })).toMatchObject({ ok: false, reason: 'missing' });
  });
});
