// HNSW build parameters measured on a real corpus's vectors rather than synthetic ones: how long
// one shard takes to build and what recall@10 and query latency it then reaches, for several
// (M, efConstruction) pairs, against an exact scan of the same vectors. What chooses the defaults
// a large corpus is built with (src/corpus/index-files.ts).
//
//   node bin/run-ts.js bench/hnsw-params.ts <data dir of a corpus bench run> [shard size, default 250000]
//
// Reads the vectors of the live index's provider from papers.sqlite (read-only), builds one shard
// of `shard size` vectors per pair, two at a time in worker threads (one core each), and asks 200
// held-out vectors of the same corpus (like a new day's papers) at several efSearch values.
// PAPERFEED_BENCH_HNSW_PAIRS=16/200,32/80 chooses the pairs.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { buildShardedIndex } from '../src/index/build-shards.ts';
import { loadShardedIndex } from '../src/index/sharded-index.ts';
import type { ExactSlice } from './exact-worker.ts';
import { median, percentile } from './figures.ts';

const here = dirname(fileURLToPath(import.meta.url));
const RUN_TS = join(here, '..', 'bin', 'run-ts.js');
const EXACT_WORKER = join(here, 'exact-worker.ts');
const [dataDir, sizeArg] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: bench/hnsw-params.ts <data dir> [shard size]');
const SIZE = Number(sizeArg ?? 250_000);
const QUERIES = 200;
const K = 10;
const EF_SEARCH = [50, 100, 200];
const PAIRS = (process.env.PAPERFEED_BENCH_HNSW_PAIRS ?? '16/200,32/80,16/100,24/60')
  .split(',')
  .map((p) => p.split('/').map(Number) as [number, number]);

const manifest = JSON.parse(readFileSync(join(dataDir, 'index', 'shards.json'), 'utf8')) as { providerKey: string; dimension: number };
const dim = manifest.dimension;
const db = new Database(join(dataDir, 'papers.sqlite'), { readonly: true });
// Each key's vectors are in the table vector_tables names (src/store/sqlite-vectors.ts).
const table = db.prepare<[string], string>('SELECT name FROM vector_tables WHERE provider_key = ?').pluck().get(manifest.providerKey);
if (!table) throw new Error(`${dataDir}: the store has no vectors of ${manifest.providerKey}`);
const rows = db
  .prepare(`SELECT vector FROM ${table} WHERE provider_key = ? LIMIT ?`)
  .raw()
  .iterate(manifest.providerKey, SIZE + QUERIES) as IterableIterator<[Buffer]>;
const matrix = new Float32Array(new SharedArrayBuffer(SIZE * dim * 4));
const queries = new Float32Array(QUERIES * dim);
let n = 0;
for (const [blob] of rows) {
  const v = new Float32Array(blob.buffer, blob.byteOffset, dim);
  if (n < SIZE) matrix.set(v, n * dim);
  else queries.set(v, (n - SIZE) * dim);
  n++;
}
db.close();
if (n < SIZE + QUERIES) throw new Error(`${dataDir}: only ${n} vectors of ${manifest.providerKey}, need ${SIZE + QUERIES}`);
console.log(`${SIZE} vectors (${dim}-d, ${manifest.providerKey}), ${QUERIES} held-out queries`);

/** Exact top-10 rows per query, the queries split across two worker threads. */
async function exactTruth(): Promise<Int32Array[]> {
  const half = Math.ceil(QUERIES / 2);
  const slices = [0, half].map((from) => {
    const job: ExactSlice = { matrix, dimension: dim, rows: SIZE, queries: queries.slice(from * dim, Math.min(QUERIES, from + half) * dim), k: K };
    return new Promise<Int32Array[]>((resolve, reject) => {
      const w = new Worker(RUN_TS, { argv: [EXACT_WORKER], workerData: job });
      w.once('message', resolve);
      w.once('error', reject);
      w.once('exit', (code) => reject(new Error(`exact-scan worker exited with code ${code}`)));
    });
  });
  return (await Promise.all(slices)).flat();
}

const t0 = performance.now();
const truth = await exactTruth();
console.log(`exact ground truth: ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const vectorsOf = function* () {
  for (let r = 0; r < SIZE; r++) yield { id: String(r), vector: matrix.subarray(r * dim, (r + 1) * dim) };
};

async function measure([m, efConstruction]: [number, number]): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'pf-hnsw-params-'));
  try {
    const started = performance.now();
    const opts = { dir, providerKey: manifest.providerKey, dimension: dim, params: { m, efConstruction, efSearch: 100 }, shards: 1, threads: 1, expected: SIZE };
    await buildShardedIndex(vectorsOf(), opts);
    const buildS = (performance.now() - started) / 1000;
    const loaded = await loadShardedIndex(dir, { providerKey: manifest.providerKey, dimension: dim });
    if (!loaded.ok) throw new Error(loaded.message);
    const lines: string[] = [];
    for (const ef of EF_SEARCH) {
      loaded.index.setEfSearch(ef);
      const times: number[] = [];
      let found = 0;
      for (let q = 0; q < QUERIES; q++) {
        const t = performance.now();
        const hits = loaded.index.search(queries.subarray(q * dim, (q + 1) * dim), K);
        times.push(performance.now() - t);
        const want = new Set(truth[q]);
        found += hits.filter((h) => want.has(Number(h.id))).length;
      }
      lines.push(
        `M=${m} efC=${efConstruction}: build ${buildS.toFixed(0)} s (${(SIZE / buildS).toFixed(0)}/s on one core), ` +
          `efSearch ${ef}: recall@10 ${(found / (QUERIES * K)).toFixed(3)}, query p50/p99 ${median(times).toFixed(2)}/${percentile(times, 99).toFixed(2)} ms`,
      );
    }
    return lines;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Two builds at once, one per core, so each pair's build time is one core's.
for (let i = 0; i < PAIRS.length; i += 2) {
  const results = await Promise.all(PAIRS.slice(i, i + 2).map(measure));
  for (const line of results.flat()) console.log(line);
}
