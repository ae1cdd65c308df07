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

  describe('a daily increment into a saved set', () => {
    const fresh = (n: number, seed: number, prefix = '2511') => unitVectors(n, DIM, seed).map((vector, i) => ({ id: `${prefix}.${String(i).padStart(5, '0')}`, vector }));
    /** Each shard directory's files with their mtimes: what a save rewrote shows here. */
    const onDisk = async () => {
      const shards: Record<string, string[]> = {};
      for (const name of (await readdir(dir)).filter((n) => n.startsWith('shard-')).sort()) {
        shards[name] = (await readdir(join(dir, name))).sort();
      }
      return shards;
    };
    const manifest = async () => JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as { version: number; shards: number; hashed?: number; graphFiles: string[] };
    const deferred = async () => {
      const r = await loadShardedIndex(dir, { providerKey: KEY, dimension: DIM }, { deferGraph: true });
      if (!r.ok) throw new Error(r.message);
      return r.index;
    };
    const savedSet = async () => {
      const built = await build(400, 4);
      expect(built.hashed).toBe(4);
      expect(await manifest()).toMatchObject({ version: 1 });
      expect((await manifest()).hashed).toBeUndefined();
    };

    it('puts new papers in an open shard, reading and writing no hashed shard, and a restart sees everything', async () => {
      await savedSet();
      const before = await onDisk();
      const index = await deferred();
      expect(index.shards.map((s) => s.loaded)).toEqual([false, false, false, false]);
      expect(index.info()).toMatchObject({ count: 400, corpusChecksum: 'sum-1' });
      expect(index.has(idOf(7))).toBe(true);
      expect(() => index.search(items(1)[0]!.vector, 3)).toThrow(/not loaded/);

      const day = fresh(30, 5);
      await index.prepare(day.map((d) => d.id));
      index.upsert(day);
      index.setCorpusChecksum('sum-2');
      await index.save();
      expect(index.shards.map((s) => s.loaded)).toEqual([false, false, false, false, true]);
      expect(index.saves).toEqual({ shardWrites: 1, manifestWrites: 1 });
      const after = await onDisk();
      expect(Object.keys(after)).toEqual(['shard-0', 'shard-1', 'shard-2', 'shard-3', 'shard-4']);
      for (const name of Object.keys(before)) expect(after[name]).toEqual(before[name]);
      // Version 2: a release that routes only by hash reads this set as unusable and rebuilds it.
      expect(await manifest()).toMatchObject({ version: 2, shards: 5, hashed: 4 });

      const loaded = await loadOk();
      expect(loaded.info()).toEqual({ providerKey: KEY, dimension: DIM, count: 430, corpusChecksum: 'sum-2' });
      expect(loaded.shards[4]!.ids().sort()).toEqual(day.map((d) => d.id).sort());
      const exact = new BruteForceIndex({ providerKey: KEY, dimension: DIM });
      exact.upsert([...items(400), ...day]);
      for (const q of [day[3]!.vector, items(400)[9]!.vector, ...unitVectors(5, DIM, 123)]) {
        expect(loaded.search(q, 5).map((h) => h.id)).toEqual(exact.search(q, 5).map((h) => h.id));
      }
    });

    it('a second day reads only the open shard and the shards of the papers it replaces or removes', async () => {
      await savedSet();
      const first = await deferred();
      const day1 = fresh(20, 5);
      await first.prepare(day1.map((d) => d.id));
      first.upsert(day1);
      first.setCorpusChecksum('sum-2');
      await first.save();
      const before = await onDisk();

      const index = await deferred();
      const replaced = { id: idOf(11), vector: unitVectors(1, DIM, 321)[0]! };
      const removed = idOf(12);
      const day2 = [...fresh(20, 6, '2512'), replaced];
      await index.prepare([...day2.map((d) => d.id), removed]);
      const touched = new Set([4, shardOf(replaced.id, 4), shardOf(removed, 4)]);
      expect(index.shards.map((s, i) => s.loaded)).toEqual([0, 1, 2, 3, 4].map((i) => touched.has(i)));
      index.upsert(day2);
      index.remove(removed);
      index.setCorpusChecksum('sum-3');
      await index.save();
      expect(index.saves.shardWrites).toBe(touched.size);
      const after = await onDisk();
      for (const [name, files] of Object.entries(before)) {
        if (touched.has(Number(name.slice(6)))) expect(after[name]).not.toEqual(files);
        else expect(after[name]).toEqual(files);
      }

      const loaded = await loadOk();
      expect(loaded.info()).toMatchObject({ count: 400 + 20 + 20 - 1, corpusChecksum: 'sum-3' });
      expect(loaded.shards).toHaveLength(5);
      expect(loaded.has(removed)).toBe(false);
      expect(loaded.search(replaced.vector, 1)[0]).toMatchObject({ id: replaced.id });
      expect(loaded.shards[shardOf(replaced.id, 4)]!.has(replaced.id)).toBe(true);
    });

    it('opens the next shard when the open one is full, and a restart routes every id to the shard holding it', async () => {
      await savedSet();
      const r = await loadShardedIndex(dir, { providerKey: KEY, dimension: DIM }, { deferGraph: true, openShardCap: 10 });
      if (!r.ok) throw new Error(r.message);
      const index = r.index;
      const days = [fresh(10, 5, '2601'), fresh(10, 6, '2602'), fresh(5, 7, '2603')];
      for (const day of days) {
        await index.prepare(day.map((d) => d.id));
        index.upsert(day);
      }
      expect(index.shards.map((s) => s.info().count).slice(4)).toEqual([10, 10, 5]);
      index.setCorpusChecksum('sum-2');
      await index.save();
      expect(await manifest()).toMatchObject({ shards: 7, hashed: 4 });

      const again = await loadShardedIndex(dir, { providerKey: KEY, dimension: DIM }, { deferGraph: true, openShardCap: 10 });
      if (!again.ok) throw new Error(again.message);
      const replaced = { id: days[1]![4]!.id, vector: unitVectors(1, DIM, 999)[0]! };
      await again.index.prepare([replaced.id]);
      expect(again.index.shards.map((s) => s.loaded)).toEqual([false, false, false, false, false, true, false]);
      again.index.upsert([replaced]);
      expect(again.index.info().count).toBe(425);
      expect(again.index.shards[5]!.info().count).toBe(10);
    });

    it('an interrupted save (open shard written, manifest not) leaves the set as it was, read as stale by checksum', async () => {
      await savedSet();
      const index = await deferred();
      index.upsert(fresh(10, 5));
      index.setCorpusChecksum('sum-2');
      await index.shards[4]!.save();
      const loaded = await loadOk();
      expect(loaded.shards).toHaveLength(4);
      expect(loaded.info()).toMatchObject({ count: 400, corpusChecksum: 'sum-1' });
    });

    it('says a deferred graph is unusable when it is read, naming the file', async () => {
      await savedSet();
      const index = await deferred();
      const target = shardOf(idOf(3), 4);
      const graph = join(shardDir(dir, target), (await manifest()).graphFiles[target]!);
      const bytes = await readFile(graph);
      bytes[300]! ^= 0xff; // inside the first vector: only the checksum can tell
      await writeFile(graph, bytes);
      await expect(index.prepare([idOf(3)])).rejects.toThrow(/unusable: graph file .*does not match its checksum/);
    });
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

  it('holds a fast sender back while a streaming worker has chunks to insert, and loses none', async () => {
    // 8 chunks of 4,096 rows into one shard: the sender outruns the graph, so some add() must wait.
    const n = 8 * 4_096;
    const dim = 4;
    const params = { m: 4, efConstruction: 10, efSearch: 10 };
    const build = await startShardBuild({ dir, providerKey: KEY, dimension: dim, params, shards: 1, workersFrom: 0, expected: n });
    let heldBack = 0;
    for (const [i, vector] of unitVectors(n, dim, 5).entries()) {
      const pending = build.add(idOf(i), vector);
      if (!pending) continue;
      let done = false;
      void pending.then(() => (done = true));
      await Promise.resolve();
      if (!done) heldBack++;
      await pending;
    }
    const index = await build.finish();
    expect(heldBack).toBeGreaterThan(0);
    expect(index.info().count).toBe(n);
    expect(index.has(idOf(0)) && index.has(idOf(n - 1))).toBe(true);
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
