import { createHash } from 'node:crypto';
import { mkdtemp, open, readdir, readFile, rm, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BruteForceIndex } from '../src/index/brute-force.ts';
import {
  createHnswIndex,
  DEFAULT_HNSW_PARAMS,
  HnswIndex,
  IndexBusyError,
  loadHnswIndex,
  SIDECAR_FILE,
} from '../src/index/hnsw-index.ts';
import { IndexMismatchError } from '../src/index/vector-index.ts';
import { unitVectors as vectors } from './helpers/vectors.ts';

const KEY = 'transformers:Xenova/all-MiniLM-L6-v2:32';
const OTHER_KEY = 'builtin:fp-1234:32';
const DIM = 32;

const idOf = (i: number) => `2401.${String(i).padStart(5, '0')}`;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Rewrites the saved index in `dir` the way a release before the label file saved it. */
async function toVersion1(): Promise<Record<string, unknown>> {
  const { labelsFile, labelCount, labelsBytes, labelsSha256, ...rest } = JSON.parse(await readFile(join(dir, SIDECAR_FILE), 'utf8')) as Record<string, unknown>;
  expect([labelCount, labelsBytes, labelsSha256].every((v) => v !== undefined)).toBe(true);
  const ids = (await readFile(join(dir, labelsFile as string), 'utf8')).split('\n').slice(0, -1);
  const sidecar = { ...rest, version: 1, labels: ids };
  await writeFile(join(dir, SIDECAR_FILE), JSON.stringify(sidecar));
  await rm(join(dir, labelsFile as string));
  return sidecar;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paperfeed-hnsw-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function filled(n: number, seed = 1, extra: Partial<Parameters<typeof createHnswIndex>[0]> = {}) {
  const index = createHnswIndex({ dir, providerKey: KEY, dimension: DIM, ...extra });
  const vs = vectors(n, DIM, seed);
  index.upsert(vs.map((vector, i) => ({ id: idOf(i), vector })));
  return { index, vs };
}

async function loadOk(): Promise<HnswIndex> {
  const r = await loadHnswIndex(dir, { providerKey: KEY, dimension: DIM });
  if (!r.ok) throw new Error(`expected a usable index, got ${r.reason}: ${r.message}`);
  return r.index;
}

describe('HnswIndex persistence', () => {
  it('loads what it saved and answers the same queries the same way', async () => {
    const { index } = filled(600);
    index.setCorpusChecksum('sha256:abc');
    index.remove(idOf(3));
    await index.save();
    const loaded = await loadOk();

    expect(loaded.info()).toEqual({ providerKey: KEY, dimension: DIM, count: 599, corpusChecksum: 'sha256:abc' });
    expect(loaded.params).toEqual(DEFAULT_HNSW_PARAMS);
    for (const q of vectors(25, DIM, 99)) {
      expect(loaded.search(q, 10)).toEqual(index.search(q, 10));
    }
    // The loaded index keeps working: adds and saves again.
    loaded.upsert([{ id: 'new', vector: vectors(1, DIM, 5)[0]! }]);
    await loaded.save();
    expect((await loadOk()).has('new')).toBe(true);
  });

  it('a loaded index, searched first, still knows every id it loaded: an update replaces, a remove removes', async () => {
    const { index, vs } = filled(200);
    await index.save();
    const loaded = await loadOk();
    expect(loaded.search(vs[7]!, 1)[0]!.id).toBe(idOf(7));
    expect(loaded.has(idOf(7))).toBe(true);
    // idOf(7) takes idOf(9)'s vector: the same label is updated, no second entry appears.
    loaded.upsert([{ id: idOf(7), vector: vs[9]! }]);
    expect(loaded.info().count).toBe(200);
    expect(loaded.search(vs[9]!, 2).map((h) => h.id).sort()).toEqual([idOf(7), idOf(9)].sort());
    loaded.remove(idOf(9));
    expect(loaded.has(idOf(9))).toBe(false);
    expect(loaded.info().count).toBe(199);
    expect(loaded.ids()).toHaveLength(199);
  });

  it('keeps exactly one graph file, one label file and no temp files after repeated saves', async () => {
    const { index } = filled(50);
    await index.save();
    // What a save interrupted before its sidecar was replaced leaves: the saved set still loads.
    await writeFile(join(dir, 'labels-zz-00000000.txt'), 'half\n');
    await writeFile(join(dir, 'labels-zz-00000001.txt.tmp'), 'ha');
    expect((await loadOk()).info().count).toBe(50);
    index.upsert([{ id: 'x', vector: vectors(1, DIM, 7)[0]! }]);
    await index.save();
    const files = (await readdir(dir)).sort();
    expect(files).toHaveLength(3);
    expect(files).toContain(SIDECAR_FILE);
    const sidecar = JSON.parse(await readFile(join(dir, SIDECAR_FILE), 'utf8')) as { graphFile: string; labelsFile: string };
    expect(files).toContain(sidecar.graphFile);
    expect(files).toContain(sidecar.labelsFile);
    const ids = (await readFile(join(dir, sidecar.labelsFile), 'utf8')).split('\n');
    expect(ids).toEqual([...Array.from({ length: 50 }, (_, i) => idOf(i)), 'x', '']);
  });

  it('refuses to save an id with a newline, naming it, and leaves the saved files as they were', async () => {
    const { index } = filled(20);
    await index.save();
    const before = await readFile(join(dir, SIDECAR_FILE), 'utf8');
    index.upsert([{ id: 'bad\nid', vector: vectors(1, DIM, 7)[0]! }]);
    await expect(index.save()).rejects.toThrow(/"bad\\nid" contains a newline/);
    expect(await readFile(join(dir, SIDECAR_FILE), 'utf8')).toBe(before);
    expect((await loadOk()).info().count).toBe(20);
  });

  it('loads an old sidecar with the labels inside it, in every open mode, and a save writes the label file', async () => {
    const { index } = filled(200);
    index.remove(idOf(7));
    await index.save();
    await toVersion1();
    const v1 = await readFile(join(dir, SIDECAR_FILE), 'utf8');
    expect(JSON.parse(v1)).toMatchObject({ version: 1 });
    const qs = vectors(10, DIM, 42);
    for (const opts of [{}, { deferGraph: true }, { fromFile: true }]) {
      const r = await loadHnswIndex(dir, { providerKey: KEY, dimension: DIM }, opts);
      if (!r.ok) throw new Error(r.message);
      await r.index.load();
      expect(r.index.info().count).toBe(199);
      expect(r.index.holds(idOf(7))).toBe(true);
      // Ids only: a graph searched in place computes scores in JS, equal to float precision.
      for (const q of qs) expect(r.index.search(q, 5).map((h) => h.id)).toEqual(index.search(q, 5).map((h) => h.id));
      r.index.close();
    }
    const old = await loadOk();
    old.upsert([{ id: 'new', vector: vectors(1, DIM, 5)[0]! }]);
    await old.save();
    const saved = JSON.parse(await readFile(join(dir, SIDECAR_FILE), 'utf8')) as Record<string, unknown>;
    expect(saved).toMatchObject({ version: 2, labelCount: 201 });
    expect(saved.labels).toBeUndefined();
    const again = await loadOk();
    expect(again.has('new')).toBe(true);
    expect(again.has(idOf(7))).toBe(false);
    expect(again.ids()).toEqual(old.ids());
  });

  it('refuses changes while a save is in flight, and accepts them after', async () => {
    const { index } = filled(200);
    const saving = index.save();
    expect(() => index.upsert([{ id: 'late', vector: vectors(1, DIM, 8)[0]! }])).toThrow(IndexBusyError);
    expect(() => index.remove(idOf(1))).toThrow(IndexBusyError);
    expect(index.search(vectors(1, DIM, 9)[0]!, 3)).toHaveLength(3);
    await saving;
    index.upsert([{ id: 'late', vector: vectors(1, DIM, 8)[0]! }]);
    expect(index.has('late')).toBe(true);
  });
});

describe('loadHnswIndex on bad or absent files', () => {
  it('says missing for an empty or absent directory', async () => {
    expect((await loadHnswIndex(dir, { providerKey: KEY, dimension: DIM })).ok).toBe(false);
    const r = await loadHnswIndex(join(dir, 'nope'), { providerKey: KEY, dimension: DIM });
    expect(r).toMatchObject({ ok: false, reason: 'missing' });
  });

  async function savedPair() {
    const { index } = filled(300);
    await index.save();
    const sidecar = JSON.parse(await readFile(join(dir, SIDECAR_FILE), 'utf8')) as Record<string, unknown>;
    return { sidecar, graph: join(dir, sidecar.graphFile as string) };
  }

  const expectCorrupt = async (pattern: RegExp) => {
    const r = await loadHnswIndex(dir, { providerKey: KEY, dimension: DIM });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe('corrupt');
    expect(r.message).toMatch(pattern);
  };

  it('says corrupt for a sidecar that is not JSON or not the expected shape', async () => {
    await savedPair();
    await writeFile(join(dir, SIDECAR_FILE), '{"format": "paperfeed-hnsw", "vers');
    await expectCorrupt(/not valid JSON/);
    await writeFile(join(dir, SIDECAR_FILE), JSON.stringify({ format: 'paperfeed-hnsw', version: 1 }));
    await expectCorrupt(/providerKey/);
  });

  it('says corrupt for a truncated graph file', async () => {
    const { graph } = await savedPair();
    const { size } = await stat(graph);
    await truncate(graph, size - 100);
    await expectCorrupt(/truncated/);
  });

  it('says corrupt for a graph file whose bytes changed but whose size did not', async () => {
    const { graph } = await savedPair();
    const handle = await open(graph, 'r+');
    await handle.write(Buffer.from([0xff, 0xee, 0xdd, 0xcc]), 0, 4, 2000);
    await handle.close();
    // A write moves the mtime; within the clock tick of the save it might not, so it is moved here.
    const later = new Date(Date.now() + 1_000);
    await utimes(graph, later, later);
    await expectCorrupt(/checksum/);
  });

  it('hashes a graph file at load only when its size or mtime differ from what its sidecar recorded', async () => {
    const { sidecar, graph } = await savedPair();
    // A sidecar whose recorded hash is wrong: untouched (same size and mtime), the graph is not re-hashed...
    await writeFile(join(dir, SIDECAR_FILE), JSON.stringify({ ...sidecar, graphSha256: '0'.repeat(64) }));
    expect(await loadHnswIndex(dir, { providerKey: KEY, dimension: DIM })).toMatchObject({ ok: true });
    // ...touched, it is, and the mismatch is found.
    const later = new Date(Date.now() + 1_000);
    await utimes(graph, later, later);
    await expectCorrupt(/checksum/);
  });

  it('says corrupt when the graph file named by the sidecar is gone', async () => {
    const { graph } = await savedPair();
    await rm(graph);
    await expectCorrupt(/missing/);
  });

  it('says corrupt when the label map of an old sidecar disagrees with the graph, has repeats or a non-string', async () => {
    await savedPair();
    const sidecar = await toVersion1();
    const labels = sidecar.labels as string[];
    await writeFile(join(dir, SIDECAR_FILE), JSON.stringify({ ...sidecar, labels: labels.slice(0, -1) }));
    await expectCorrupt(/label map has 299/);
    await writeFile(join(dir, SIDECAR_FILE), JSON.stringify({ ...sidecar, labels: [...labels.slice(0, -1), labels[0]] }));
    await expectCorrupt(/index\.json: label map has duplicate/);
    await writeFile(join(dir, SIDECAR_FILE), JSON.stringify({ ...sidecar, labels: [...labels.slice(0, -1), 7] }));
    await expectCorrupt(/labels\.299: not a string/);
  });

  it('says corrupt, naming the label file, when it is missing, truncated, changed or disagrees with the graph', async () => {
    const { sidecar } = await savedPair();
    const labelsPath = join(dir, sidecar.labelsFile as string);
    const original = await readFile(labelsPath);
    await rm(labelsPath);
    await expectCorrupt(new RegExp(`label file .*${sidecar.labelsFile as string} is missing`));
    await writeFile(labelsPath, original.subarray(0, original.length - 3));
    await expectCorrupt(/label file .* has \d+ bytes, \d+ expected \(truncated/);
    const changed = Buffer.from(original);
    changed[5] = changed[5] === 0x31 ? 0x32 : 0x31;
    await writeFile(labelsPath, changed);
    await expectCorrupt(/label file .* does not match its checksum/);
    // A label file that matches its checksum but not the count or the graph.
    const fewer = Buffer.from(original.toString('utf8').split('\n').slice(1).join('\n'));
    await writeFile(labelsPath, fewer);
    const recorded = { ...sidecar, labelsBytes: fewer.length, labelsSha256: sha256(fewer) };
    await writeFile(join(dir, SIDECAR_FILE), JSON.stringify(recorded));
    await expectCorrupt(/holds 299 ids, 300 expected/);
    await writeFile(join(dir, SIDECAR_FILE), JSON.stringify({ ...recorded, labelCount: 299 }));
    await expectCorrupt(/label map has 299/);
  });

  it('finds repeated ids in a label file that matches its checksum at a write-only or a full open', async () => {
    const { sidecar } = await savedPair();
    const labelsPath = join(dir, sidecar.labelsFile as string);
    const ids = (await readFile(labelsPath, 'utf8')).split('\n');
    const repeated = Buffer.from([...ids.slice(0, -2), ids[0], ''].join('\n'));
    await writeFile(labelsPath, repeated);
    await writeFile(join(dir, SIDECAR_FILE), JSON.stringify({ ...sidecar, labelsBytes: repeated.length, labelsSha256: sha256(repeated) }));
    const deferred = await loadHnswIndex(dir, { providerKey: KEY, dimension: DIM }, { deferGraph: true });
    expect(deferred).toMatchObject({ ok: false, reason: 'corrupt' });
    if (!deferred.ok) expect(deferred.message).toContain(`${sidecar.labelsFile as string}: label map has duplicate paper ids`);
    const full = await loadHnswIndex(dir, { providerKey: KEY, dimension: DIM });
    expect(full).toMatchObject({ ok: false, reason: 'corrupt' });
    if (!full.ok) expect(full.message).toContain(`${sidecar.labelsFile as string}: label map has duplicate paper ids`);
  });

  it('says provider-mismatch, naming both providers, for an index built by another provider', async () => {
    await savedPair();
    const r = await loadHnswIndex(dir, { providerKey: OTHER_KEY, dimension: DIM });
    expect(r).toMatchObject({ ok: false, reason: 'provider-mismatch', indexProvider: KEY, expectedProvider: OTHER_KEY });
    if (r.ok) return;
    expect(r.message).toContain(KEY);
    expect(r.message).toContain(OTHER_KEY);
    expect(r.message).toContain('paperfeed reindex');
  });
});

describe('HnswIndex refuses vectors from another provider', () => {
  it('throws on a vector of the wrong dimension, for upsert and search', () => {
    const { index } = filled(10);
    const wrong = vectors(1, DIM * 2, 3)[0]!;
    expect(() => index.upsert([{ id: 'w', vector: wrong }])).toThrow(IndexMismatchError);
    expect(() => index.search(wrong, 3)).toThrow(/64-dimensional.*paperfeed reindex/);
    expect(index.has('w')).toBe(false);
  });

  it('names both providers when the caller says which provider made the vector', () => {
    const { index, vs } = filled(10);
    const call = () => index.search(vs[0]!, 3, undefined, { providerKey: OTHER_KEY });
    expect(call).toThrow(IndexMismatchError);
    expect(call).toThrow(KEY);
    expect(call).toThrow(OTHER_KEY);
    expect(call).toThrow('run `paperfeed reindex` to re-embed everything with the configured provider');
    expect(() => index.upsert([{ id: 'z', vector: vs[0]! }], { providerKey: OTHER_KEY })).toThrow(OTHER_KEY);
    expect(index.search(vs[0]!, 1, undefined, { providerKey: KEY })[0]!.id).toBe(idOf(0));
  });

  it('rejects zero and non-finite vectors', () => {
    const { index } = filled(5);
    expect(() => index.search(new Float32Array(DIM), 3)).toThrow(TypeError);
    const nan = new Float32Array(DIM).fill(Number.NaN);
    expect(() => index.upsert([{ id: 'n', vector: nan }])).toThrow(TypeError);
  });
});

describe('HnswIndex updates', () => {
  it('replaces the vector of an id that is upserted again', () => {
    const [v1, v2] = vectors(2, DIM, 42) as [Float32Array, Float32Array];
    const { index } = filled(100);
    index.upsert([{ id: 'p', vector: v1 }]);
    expect(index.search(v1, 1)[0]).toMatchObject({ id: 'p' });
    index.upsert([{ id: 'p', vector: v2 }]);
    expect(index.info().count).toBe(101);
    const top = index.search(v2, 1)[0]!;
    expect(top.id).toBe('p');
    expect(top.score).toBeCloseTo(1, 5);
    const cos = v1.reduce((s, x, i) => s + x * v2[i]!, 0);
    const asOld = index.search(v1, 101).find((h) => h.id === 'p')!;
    expect(asOld.score).toBeCloseTo(cos, 5);
  });

  it('never returns a removed id, also after a reload, and can add it back', async () => {
    const { index, vs } = filled(300);
    const removed = [0, 5, 77, 150, 299].map(idOf);
    for (const id of removed) index.remove(id);
    index.remove(removed[0]!); // twice is harmless
    index.remove('never-added');
    expect(index.info().count).toBe(295);
    const check = (ix: HnswIndex) => {
      for (const v of [vs[0]!, vs[5]!, vs[77]!, ...vectors(10, DIM, 4)]) {
        const hits = ix.search(v, 1000);
        expect(hits).toHaveLength(295);
        expect(hits.some((h) => removed.includes(h.id))).toBe(false);
      }
      for (const id of removed) expect(ix.has(id)).toBe(false);
    };
    check(index);
    await index.save();
    const loaded = await loadOk();
    check(loaded);
    loaded.upsert([{ id: removed[1]!, vector: vs[5]! }]);
    expect(loaded.has(removed[1]!)).toBe(true);
    expect(loaded.search(vs[5]!, 1)[0]!.id).toBe(removed[1]);
    expect(loaded.info().count).toBe(296);
  });

  it('grows past its initial capacity', () => {
    const { index, vs } = filled(1000, 6, { initialCapacity: 16 });
    expect(index.capacity).toBeGreaterThanOrEqual(1000);
    expect(index.info().count).toBe(1000);
    for (const i of [0, 15, 16, 17, 500, 999]) expect(index.search(vs[i]!, 1)[0]!.id).toBe(idOf(i));
  });

  it('returns every live item, best first, when k exceeds the count', () => {
    const { index } = filled(40);
    index.remove(idOf(2));
    const hits = index.search(vectors(1, DIM, 11)[0]!, 500);
    expect(hits).toHaveLength(39);
    for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
    expect(index.search(vectors(1, DIM, 11)[0]!, 0)).toEqual([]);
    expect(createHnswIndex({ dir, providerKey: KEY, dimension: DIM }).search(vectors(1, DIM, 1)[0]!, 5)).toEqual([]);
  });
});

describe('HnswIndex filtered search', () => {
  it('keeps k results when only 10% of ids pass, equal to the exact filtered top k', () => {
    const n = 1500;
    const { index, vs } = filled(n, 21);
    const exact = new BruteForceIndex({ providerKey: KEY, dimension: DIM });
    exact.upsert(vs.map((vector, i) => ({ id: idOf(i), vector })));
    const accept = (id: string) => Number(id.slice(5)) % 10 === 3;
    for (const q of vectors(20, DIM, 77)) {
      const hits = index.search(q, 10, accept);
      expect(hits).toHaveLength(10);
      expect(hits.every((h) => accept(h.id))).toBe(true);
      const expected = exact.search(q, 10, accept);
      expect(hits.map((h) => h.id)).toEqual(expected.map((h) => h.id));
      hits.forEach((h, i) => expect(h.score).toBeCloseTo(expected[i]!.score, 4));
    }
  });

  it('returns every accepted live id when fewer than k pass, and no deleted one', () => {
    const { index, vs } = filled(800, 22);
    const wanted = new Set([3, 400, 401, 799].map(idOf));
    index.remove(idOf(401));
    const hits = index.search(vs[0]!, 10, (id) => wanted.has(id));
    expect(hits.map((h) => h.id).sort()).toEqual([3, 400, 799].map(idOf));
  });

  it('passes an error thrown by the filter to the caller instead of crashing', () => {
    const { index, vs } = filled(100);
    expect(() =>
      index.search(vs[0]!, 5, () => {
        throw new Error('filter broke');
      }),
    ).toThrow('filter broke');
    expect(index.search(vs[0]!, 5)).toHaveLength(5);
  });
});

describe('HnswIndex quality', () => {
  it('finds at least 95% of the exact top 10 on random vectors with default parameters', () => {
    const dim = 64;
    const data = vectors(3000, dim, 1234);
    const index = createHnswIndex({ dir, providerKey: 'test:random:64', dimension: dim });
    const exact = new BruteForceIndex({ providerKey: 'test:random:64', dimension: dim });
    const items = data.map((vector, i) => ({ id: idOf(i), vector }));
    index.upsert(items);
    exact.upsert(items);
    let found = 0;
    const queries = vectors(200, dim, 4321);
    for (const q of queries) {
      const truth = new Set(exact.search(q, 10).map((h) => h.id));
      found += index.search(q, 10).filter((h) => truth.has(h.id)).length;
    }
    expect(found / (queries.length * 10)).toBeGreaterThanOrEqual(0.95);
  });
});
