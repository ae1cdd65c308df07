// Builds a sharded HNSW index from scratch, one worker thread per shard at a time on every core:
// hnswlib-node inserts on the calling thread only, so this is how a rebuild of a large corpus
// uses more than one core, and how a long build keeps off the event loop of a serving process.
// Small indexes are built in this thread (a worker costs a second to start), in short chunks
// that yield to the event loop between them.
import { rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { createHnswIndex, type HnswIndex, type HnswParams, loadHnswIndex } from './hnsw-index.ts';
import { checkShardCount, commitShards, MANIFEST_FILE, shardDir, shardOf, type ShardedIndex } from './sharded-index.ts';

/** One shard's input and where to save it: what a build worker receives. */
export interface ShardJob {
  dir: string;
  providerKey: string;
  dimension: number;
  params: HnswParams;
  seed: number;
  corpusChecksum?: string;
  ids: string[];
  /** The vectors of `ids`, in order, packed `dimension` floats per row across chunks. */
  chunks: Float32Array[];
}

export interface BuildShardsOptions {
  dir: string;
  providerKey: string;
  dimension: number;
  params: HnswParams;
  shards: number;
  corpusChecksum?: string;
  /** Worker threads at once; default: one per core. */
  threads?: number;
  /** Below this many vectors everything is built in this thread. */
  workersFrom?: number;
  seed?: number;
}

const CHUNK_ROWS = 4_096;
/** Inserts between two yields to the event loop in an in-thread build: a few milliseconds of work. */
const IN_THREAD_ROWS = 64;
export const WORKERS_FROM = 20_000;

/**
 * Builds every shard, saves it and commits the set in `dir`. The old manifest goes first: shards
 * of a rebuild cut short (possibly routed for another count) must read as no index, not as one.
 */
export async function buildShardedIndex(
  vectors: AsyncIterable<{ id: string; vector: Float32Array }> | Iterable<{ id: string; vector: Float32Array }>,
  opts: BuildShardsOptions,
): Promise<ShardedIndex> {
  checkShardCount(opts.shards);
  const jobs = Array.from({ length: opts.shards }, (_, i): ShardJob => ({
    dir: shardDir(opts.dir, i),
    providerKey: opts.providerKey,
    dimension: opts.dimension,
    params: opts.params,
    seed: (opts.seed ?? 100) + i,
    ...(opts.corpusChecksum === undefined ? {} : { corpusChecksum: opts.corpusChecksum }),
    ids: [],
    chunks: [],
  }));
  let total = 0;
  for await (const { id, vector } of vectors) {
    if (vector.length !== opts.dimension) {
      throw new RangeError(`vector for ${id} has ${vector.length} dimensions, ${opts.dimension} expected`);
    }
    const job = jobs[shardOf(id, opts.shards)]!;
    const row = job.ids.length % CHUNK_ROWS;
    if (row === 0) job.chunks.push(new Float32Array(CHUNK_ROWS * opts.dimension));
    job.chunks.at(-1)!.set(vector, row * opts.dimension);
    job.ids.push(id);
    // A store streams its pages without a macrotask in between: let requests through now and then.
    if (++total % IN_THREAD_ROWS ** 2 === 0) await yieldToLoop();
  }

  await rm(join(opts.dir, MANIFEST_FILE), { force: true });
  const threads = Math.max(1, Math.min(opts.threads ?? availableParallelism(), opts.shards));
  // Even one shard goes to a worker when large: the build then never holds up this thread.
  const inWorkers = total >= (opts.workersFrom ?? WORKERS_FROM);
  const shards = inWorkers
    ? await runPooled(jobs, threads, async (job) => {
        await buildInWorker(job);
        const loaded = await loadHnswIndex(job.dir, job, { efSearch: job.params.efSearch });
        if (!loaded.ok) throw new Error(`a build worker saved an unusable shard: ${loaded.message}`);
        return loaded.index;
      })
    : await runPooled(jobs, 1, async (job) => {
        const shard = await buildShard(job, IN_THREAD_ROWS);
        await shard.save();
        return shard;
      });
  return commitShards(opts.dir, shards);
}

/**
 * Builds one shard in this thread (also the body of a build worker). Not saved. With `yieldEvery`
 * it lets the event loop run after every that many inserts.
 */
export async function buildShard(job: ShardJob, yieldEvery = CHUNK_ROWS): Promise<HnswIndex> {
  const index = createHnswIndex({ ...job.params, dir: job.dir, providerKey: job.providerKey, dimension: job.dimension, initialCapacity: Math.max(1, job.ids.length), seed: job.seed });
  const dim = job.dimension;
  for (const [c, chunk] of job.chunks.entries()) {
    const first = c * CHUNK_ROWS;
    const rows = Math.min(CHUNK_ROWS, job.ids.length - first);
    for (let from = 0; from < rows; from += yieldEvery) {
      const batch = [];
      for (let r = from; r < Math.min(rows, from + yieldEvery); r++) batch.push({ id: job.ids[first + r]!, vector: chunk.subarray(r * dim, (r + 1) * dim) });
      index.upsert(batch, { providerKey: job.providerKey });
      if (yieldEvery < CHUNK_ROWS) await yieldToLoop();
    }
  }
  if (job.corpusChecksum !== undefined) index.setCorpusChecksum(job.corpusChecksum);
  return index;
}

async function runPooled<J, R>(jobs: J[], limit: number, run: (job: J) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(jobs.length);
  let next = 0;
  let failed = false;
  const lanes = Array.from({ length: Math.min(limit, jobs.length) }, async () => {
    while (next < jobs.length && !failed) {
      const i = next++;
      try {
        results[i] = await run(jobs[i]!);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  });
  // Every lane has stopped before a failure is reported: no worker writes after the caller moves on.
  const settled = await Promise.allSettled(lanes);
  const failure = settled.find((s) => s.status === 'rejected');
  if (failure) throw failure.reason;
  return results;
}

/** Workers run the TypeScript sources the way scripts do: through bin/run-ts.js (tsx). */
const RUN_TS = new URL('../../bin/run-ts.js', import.meta.url);
const WORKER_FILE = fileURLToPath(new URL('./shard-build-worker.ts', import.meta.url));

function buildInWorker(job: ShardJob): Promise<void> {
  return new Promise((resolve, reject) => {
    // The chunks move to the worker rather than being copied: at a million vectors they are gigabytes.
    const worker = new Worker(RUN_TS, {
      argv: [WORKER_FILE],
      workerData: job,
      transferList: job.chunks.map((c) => c.buffer as ArrayBuffer),
    });
    let done = false;
    worker.once('message', (m: { ok: true } | { ok: false; message: string }) => {
      done = true;
      if (m.ok) resolve();
      else reject(new Error(`building index shard ${job.dir} failed: ${m.message}`));
    });
    worker.once('error', (err) => {
      done = true;
      reject(new Error(`building index shard ${job.dir} failed: ${err.message}`));
    });
    worker.once('exit', (code) => {
      if (!done) reject(new Error(`the build worker for index shard ${job.dir} exited (code ${code}) before finishing`));
    });
  });
}
