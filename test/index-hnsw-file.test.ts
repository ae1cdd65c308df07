/**
 * An index opened `fromFile` (src/index/hnsw-graph-file.ts) answers every search exactly as the same
 * graph loaded into hnswlib-node does: same ids in the same order, same scores, with deleted papers,
 * accept filters, every k and efSearch; it refuses writes, and a damaged graph file is named.
 */
import { open, readFile, rm, stat, truncate, utimes } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildShardedIndex } from '../src/index/build-shards.ts';
import hnswlib from 'hnswlib-node';
import { GraphFileError, GraphFileSearcher, readGraphLayout } from '../src/index/hnsw-graph-file.ts';
import { createHnswIndex, type HnswIndex, loadHnswIndex, ReadOnlyIndexError, SIDECAR_FILE } from '../src/index/hnsw-index.ts';
import { loadShardedIndex } from '../src/index/sharded-index.ts';
import type { Hit } from '../src/index/vector-index.ts';
import { unitVectors } from './helpers/vectors.ts';

const KEY = 'builtin:fp-file:48';
const DIM = 48;
const idOf = (i: number) => `2401.${String(i).padStart(5, '0')}`;

let dir: string;
const opened: { close(): void }[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paperfeed-hnsw-file-'));
});
afterEach(async () => {
  for (const index of opened.splice(0)) index.close();
  await rm(dir, { recursive: true, force: true });
});

/** Saves a graph of `n` random unit vectors (every `removeEvery`-th removed), and returns it loaded both ways. */
async function saved(n: number, opts: { removeEvery?: number; m?: number } = {}) {
  const index = createHnswIndex({ dir, providerKey: KEY, dimension: DIM, m: opts.m ?? 8, efConstruction: 60, efSearch: 40 });
  index.upsert(unitVectors(n, DIM, 7).map((vector, i) => ({ id: idOf(i), vector })));
  if (opts.removeEvery) for (let i = 0; i < n; i += opts.removeEvery) index.remove(idOf(i));
  await index.save();
  return { memory: await load(false), file: await load(true) };
}

async function load(fromFile: boolean): Promise<HnswIndex> {
  const r = await loadHnswIndex(dir, { providerKey: KEY, dimension: DIM }, { fromFile });
  if (!r.ok) throw new Error(`expected a usable index, got ${r.reason}: ${r.message}`);
  opened.push(r.index);
  return r.index;
}

function expectSameHits(actual: Hit[], expected: Hit[]): void {
  expect(actual.map((h) => h.id)).toEqual(expected.map((h) => h.id));
  actual.forEach((h, i) => expect(Math.abs(h.score - expected[i]!.score)).toBeLessThan(1e-6));
}

const graphPath = async () => join(dir, (JSON.parse(await readFile(join(dir, SIDECAR_FILE), 'utf8')) as { graphFile: string }).graphFile);

describe('an HNSW index queried from its graph file', () => {
  it('returns exactly what the in-memory search returns, with removed papers, for many queries, k and efSearch', async () => {
    const { memory, file } = await saved(3_000, { removeEvery: 17 });
    expect(file.info()).toEqual(memory.info());
    const queries = [...unitVectors(40, DIM, 99), ...unitVectors(3_000, DIM, 7).filter((_, i) => i % 300 === 1)];
    let compared = 0;
    for (const ef of [10, 40, 150]) {
      memory.setEfSearch(ef);
      file.setEfSearch(ef);
      for (const q of queries) {
        for (const k of [1, 5, 10, 60]) {
          const expected = memory.search(q, k);
          expect(expected).toHaveLength(k);
          expectSameHits(file.search(q, k), expected);
          compared++;
        }
      }
    }
    expect(compared).toBe(3 * 50 * 4);
    // A stored vector finds itself first (and a removed one is never returned).
    expect(file.search(unitVectors(3_000, DIM, 7)[301]!, 1)[0]!.id).toBe(idOf(301));
    expect(file.search(unitVectors(3_000, DIM, 7)[17]!, 50).map((h) => h.id)).not.toContain(idOf(17));
  });

  it('matches with no removals (hnswlib then uses its bare search) and on a graph with many levels', async () => {
    const { memory, file } = await saved(2_500, { m: 3 });
    for (const q of unitVectors(40, DIM, 5)) for (const k of [1, 10, 100]) expectSameHits(file.search(q, k), memory.search(q, k));
  });

  it('honours an accept filter as the in-memory search does, including one so narrow the graph search runs dry', async () => {
    const { memory, file } = await saved(3_000, { removeEvery: 11 });
    const queries = unitVectors(30, DIM, 42);
    const filters: [string, (id: string) => boolean][] = [
      ['every third', (id) => Number(id.slice(5)) % 3 === 0],
      ['a hundred', (id) => Number(id.slice(5)) < 100],
      ['seven', (id) => Number(id.slice(5)) % 431 === 5],
    ];
    for (const [, accept] of filters) {
      for (const q of queries) {
        for (const k of [1, 10, 40]) {
          const expected = memory.search(q, k, accept);
          expect(expected.every((h) => accept(h.id))).toBe(true);
          expectSameHits(file.search(q, k, accept), expected);
        }
      }
    }
    // The narrowest filter returns all it can: 6 of its 7 (idOf(1298) was removed).
    expect(file.search(queries[0]!, 40, filters[2]![1])).toHaveLength(6);
  });

  it('searchKnn equals hnswlib-node on the same file, before any fallback: labels, distances, a filter that leaves fewer than k', async () => {
    await saved(2_000, { removeEvery: 13 });
    const path = await graphPath();
    const native = new hnswlib.HierarchicalNSW('cosine', DIM);
    await native.readIndex(path);
    const layout = await readGraphLayout(path, DIM, 2_000);
    if (!layout.ok) throw new Error(layout.problem);
    const searcher = new GraphFileSearcher(path, layout.layout, true);
    opened.push(searcher);
    const filters = [undefined, (label: number) => label % 5 === 0, (label: number) => label % 97 === 3];
    for (const ef of [10, 64]) {
      native.setEf(ef);
      searcher.setEf(ef);
      for (const q of unitVectors(30, DIM, 8)) {
        for (const filter of filters) {
          const query = Array.from(q);
          const want = filter ? native.searchKnn(query, 30, filter) : native.searchKnn(query, 30);
          const got = searcher.searchKnn(query, 30, filter);
          expect(got.neighbors).toEqual(want.neighbors);
          got.distances.forEach((d, i) => expect(Math.abs(d - want.distances[i]!)).toBeLessThan(1e-6));
        }
      }
    }
  });

  it('a sharded index opened from its files answers as the loaded one does', async () => {
    const items = unitVectors(2_000, DIM, 3).map((vector, i) => ({ id: idOf(i), vector }));
    await buildShardedIndex(items, { dir, providerKey: KEY, dimension: DIM, params: { m: 8, efConstruction: 60, efSearch: 50 }, shards: 3, corpusChecksum: 'sum-1', threads: 1 });
    const loaded = await Promise.all(
      [false, true].map(async (fromFile) => {
        const r = await loadShardedIndex(dir, { providerKey: KEY, dimension: DIM }, { fromFile });
        if (!r.ok) throw new Error(r.message);
        opened.push(r.index);
        return r.index;
      }),
    );
    const [memory, file] = loaded as [typeof loaded[0], typeof loaded[0]];
    expect(file.info()).toEqual(memory.info());
    const accept = (id: string) => !id.endsWith('7');
    for (const q of unitVectors(25, DIM, 11)) {
      expectSameHits(file.search(q, 10), memory.search(q, 10));
      expectSameHits(file.search(q, 25, accept), memory.search(q, 25, accept));
    }
  });

  it('refuses changes, naming the index as read-only', async () => {
    const { file } = await saved(300);
    expect(() => file.upsert([{ id: 'new', vector: unitVectors(1, DIM, 1)[0]! }])).toThrow(ReadOnlyIndexError);
    expect(() => file.remove(idOf(1))).toThrow(/read-only/);
    expect(file.has(idOf(1))).toBe(true);
  });

  it('a truncated graph file is refused at open, naming the file', async () => {
    await saved(500);
    const path = await graphPath();
    const { size } = await stat(path);
    await truncate(path, size - 3_000);
    const r = await loadHnswIndex(dir, { providerKey: KEY, dimension: DIM }, { fromFile: true });
    expect(r).toMatchObject({ ok: false, reason: 'corrupt' });
    expect(!r.ok && r.message).toContain(path);
  });

  it('a graph file damaged or cut short after its checks gives an error naming the file, not a wrong answer', async () => {
    const { file } = await saved(1_000, { removeEvery: 9 });
    const path = await graphPath();
    const { size, mtimeMs } = await stat(path);
    // A link of the bottom layer pointing past the last element, the size and mtime left as saved.
    const header = Buffer.alloc(96);
    const handle = await open(path, 'r+');
    await handle.read(header, 0, 96, 0);
    const perElement = Number(header.readBigUInt64LE(24));
    const entry = header.readUInt32LE(52);
    const bad = Buffer.alloc(4);
    bad.writeUInt32LE(4_000_000);
    for (let id = 0; id < 1_000; id++) {
      const count = Buffer.alloc(2);
      await handle.read(count, 0, 2, 96 + id * perElement);
      if (count.readUInt16LE(0) > 0) await handle.write(bad, 0, 4, 96 + id * perElement + 4);
    }
    await handle.close();
    // The sidecar compares whole milliseconds; half a millisecond past keeps a float's rounding off them.
    const asSaved = (Math.trunc(mtimeMs) + 0.5) / 1000;
    await utimes(path, asSaved, asSaved);
    expect((await stat(path)).size).toBe(size);
    const damaged = await load(true);
    const q = unitVectors(1, DIM, 77)[0]!;
    expect(() => damaged.search(q, 5)).toThrow(GraphFileError);
    expect(() => damaged.search(q, 5)).toThrow(path);
    expect(entry).toBeLessThan(1_000);

    // Cut short under an open index: the records it has not read yet are missing.
    await truncate(path, 96 + 10 * perElement);
    expect(() => file.search(q, 5)).toThrow(path);
  });
});
