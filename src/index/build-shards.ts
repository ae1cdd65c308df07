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
import { createHnswIndex, type HnswIndex, type HnswParams, loadHnswIndex } from './hnsw-index.ts';
import { checkShardCount, commitShards, MANIFEST_FILE, shardDir, shardOf, type ShardedIndex } from './sharded-index.ts';
import { startTsWorker } from '../ts-worker.ts';

/** One shard's settings: what a build worker starts with. */
export interface ShardSpec {
  dir: string;
  providerKey: string;
  dimension: number;
  params: HnswParams;
  seed: number;
  corpusChecksum?: string;
  /** Vectors the graph is sized for at start (it grows past that if needed). */
  capacity: number;
}

/** One shard's input: its settings and its vectors. */
export interface ShardJob extends ShardSpec {
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
  /**
   * Vectors the caller expects to add. At workersFrom or more, every shard's worker starts at
   * once and inserts while vectors still arrive (a caller that embeds as it adds keeps both
   * going), instead of after the last one.
   */
  expected?: number;
}

/** A build under way: add every vector, then finish (which builds what is left, saves and commits). */
export interface ShardBuild {
  add(id: string, vector: Float32Array): Promise<void> | void;
  finish(): Promise<ShardedIndex>;
  /** Stops any worker; nothing is committed. */
  abort(): Promise<void>;
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
  const build = await startShardBuild(opts);
  try {
    let added = 0;
    for await (const { id, vector } of vectors) {
      await build.add(id, vector);
      // Any iterable may run without a macrotask between items: let requests through now and then.
      if (++added % IN_THREAD_ROWS ** 2 === 0) await yieldToLoop();
    }
  } catch (err) {
    await build.abort();
    throw err;
  }
  return build.finish();
}

/** Starts a build (see buildShardedIndex): vectors are routed to their shard as they are added. */
export async function startShardBuild(opts: BuildShardsOptions): Promise<ShardBuild> {
  checkShardCount(opts.shards);
  const workersFrom = opts.workersFrom ?? WORKERS_FROM;
  const streaming = opts.expected !== undefined && opts.expected >= workersFrom;
  const jobs = Array.from({ length: opts.shards }, (_, i): ShardJob => ({
    dir: shardDir(opts.dir, i),
    providerKey: opts.providerKey,
    dimension: opts.dimension,
    params: opts.params,
    seed: (opts.seed ?? 100) + i,
    ...(opts.corpusChecksum === undefined ? {} : { corpusChecksum: opts.corpusChecksum }),
    // Shards get about the same share: ids hash uniformly.
    capacity: streaming ? Math.ceil((opts.expected! / opts.shards) * 1.1) + CHUNK_ROWS : 1,
    ids: [],
    chunks: [],
  }));
  if (streaming) await rm(join(opts.dir, MANIFEST_FILE), { force: true });
  // Streaming: every shard's worker from the start, each sent its rows a full chunk at a time.
  const workers = streaming ? await settleAll(jobs.map((job) => startWorker(specOf(job))), (w) => w.stop()) : undefined;
  const sent = jobs.map(() => 0);
  let total = 0;
  let aborted = false;
  const abort = async () => {
    aborted = true;
    if (workers) await Promise.all(workers.map((w) => w.stop()));
  };
  // A worker stopped while saving has finished its save: what it saved must not be committed.
  const unlessAborted = () => {
    if (aborted) throw new Error(`the index build in ${opts.dir} was aborted`);
  };
  return {
    add(id, vector) {
      if (vector.length !== opts.dimension) {
        throw new RangeError(`vector for ${id} has ${vector.length} dimensions, ${opts.dimension} expected`);
      }
      const s = shardOf(id, opts.shards);
      const job = jobs[s]!;
      const row = job.ids.length % CHUNK_ROWS;
      if (row === 0) job.chunks.push(new Float32Array(CHUNK_ROWS * opts.dimension));
      job.chunks.at(-1)!.set(vector, row * opts.dimension);
      job.ids.push(id);
      total++;
      if (workers && row === CHUNK_ROWS - 1) {
        workers[s]!.send(job.ids.slice(sent[s]), job.chunks.pop()!);
        sent[s] = job.ids.length;
        return workers[s]!.room();
      }
    },
    async finish() {
      try {
        if (workers) {
          // The last, partly filled chunk of each shard, then each worker saves.
          jobs.forEach((job, s) => {
            const rows = job.ids.length - sent[s]!;
            if (rows > 0) workers[s]!.send(job.ids.slice(sent[s]), job.chunks.pop()!.slice(0, rows * opts.dimension));
          });
          const shards = await settleAll(workers.map(async (w, s) => {
            await w.done();
            unlessAborted();
            return loadBuilt(jobs[s]!);
          }));
          unlessAborted();
          return await commitShards(opts.dir, shards);
        }
        await rm(join(opts.dir, MANIFEST_FILE), { force: true });
        const threads = Math.max(1, Math.min(opts.threads ?? availableParallelism(), opts.shards));
        // Even one shard goes to a worker when large: the build then never holds up this thread.
        const shards = total >= workersFrom
          ? await runPooled(jobs, threads, async (job) => {
              const worker = await startWorker(specOf(job, Math.max(1, job.ids.length)));
              job.chunks.forEach((chunk, c) => {
                const ids = job.ids.slice(c * CHUNK_ROWS, (c + 1) * CHUNK_ROWS);
                worker.send(ids, chunk.length === ids.length * opts.dimension ? chunk : chunk.slice(0, ids.length * opts.dimension));
              });
              await worker.done();
              return loadBuilt(job);
            })
          : await runPooled(jobs, 1, async (job) => {
              const shard = await buildShard({ ...job, capacity: Math.max(1, job.ids.length) }, IN_THREAD_ROWS);
              await shard.save();
              return shard;
            });
        return await commitShards(opts.dir, shards);
      } catch (err) {
        await abort();
        throw err;
      }
    },
    abort,
  };
}

function specOf(job: ShardJob, capacity = job.capacity): ShardSpec {
  const { ids: _ids, chunks: _chunks, ...spec } = job;
  return { ...spec, capacity };
}

/** The last built shard's read: the next waits for it (see loadBuilt). */
let reading: Promise<unknown> = Promise.resolve();

/**
 * A shard a worker saved, loaded in this thread, one at a time in the process: a build runs
 * beside a generation that serves queries, and concurrent graph reads take every core from its
 * event loop (see loadShardedIndex's `oneAtATime`).
 */
async function loadBuilt(job: ShardJob): Promise<HnswIndex> {
  const turn = reading.then(() => loadHnswIndex(job.dir, job, { efSearch: job.params.efSearch }));
  reading = turn.catch(() => undefined);
  const loaded = await turn;
  if (!loaded.ok) throw new Error(`a build worker saved an unusable shard: ${loaded.message}`);
  return loaded.index;
}

/**
 * Like Promise.all, but only once every promise has settled: no worker writes after the caller
 * moves on. On a failure, `release` is called on each value that did arrive.
 */
async function settleAll<T>(promises: Promise<T>[], release?: (value: T) => Promise<void>): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failure = settled.find((s) => s.status === 'rejected');
  if (failure) {
    if (release) await Promise.all(settled.flatMap((s) => (s.status === 'fulfilled' ? [release(s.value)] : [])));
    throw failure.reason;
  }
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

/**
 * Builds one shard in this thread (also the body of a build worker). Not saved. With `yieldEvery`
 * it lets the event loop run after every that many inserts.
 */
export async function buildShard(job: ShardJob, yieldEvery = CHUNK_ROWS): Promise<HnswIndex> {
  const index = createHnswIndex({ ...job.params, dir: job.dir, providerKey: job.providerKey, dimension: job.dimension, initialCapacity: job.capacity, seed: job.seed });
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

const WORKER_FILE = fileURLToPath(new URL('./shard-build-worker.ts', import.meta.url));

/**
 * Chunks a build worker may hold not yet inserted. Without a bound, vectors embedded faster than
 * the graphs take them queued up in the workers: at 1M papers the bulk ingest peaked at 7.5 GB.
 */
const MAX_QUEUED_CHUNKS = 4;

interface ShardWorker {
  /** Rows to insert: their ids and their vectors packed in one array (moved, not copied). */
  send(ids: string[], vectors: Float32Array): void;
  /** Resolves once the worker holds fewer than MAX_QUEUED_CHUNKS chunks it has not inserted (or has stopped). */
  room(): Promise<void>;
  /** Ends the input: resolves once the worker has inserted everything and saved the shard. */
  done(): Promise<void>;
  stop(): Promise<void>;
}

async function startWorker(spec: ShardSpec): Promise<ShardWorker> {
  const worker = await startTsWorker(WORKER_FILE, spec);
  let settled = false;
  let queued = 0;
  let waiting: (() => void)[] = [];
  const wake = () => {
    const woken = waiting;
    waiting = [];
    for (const w of woken) w();
  };
  const result = new Promise<void>((resolve, reject) => {
    worker.on('message', (m: { inserted: true } | { ok: true } | { ok: false; message: string }) => {
      if ('inserted' in m) {
        queued--;
        if (queued < MAX_QUEUED_CHUNKS) wake();
        return;
      }
      settled = true;
      if (m.ok) resolve();
      else reject(new Error(`building index shard ${spec.dir} failed: ${m.message}`));
    });
    worker.once('error', (err) => {
      settled = true;
      reject(new Error(`building index shard ${spec.dir} failed: ${err.message}`));
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the build worker for index shard ${spec.dir} exited (code ${code}) before finishing`));
    });
  });
  // Awaited by done(); a failure before then must not count as unhandled. A waiting sender goes on
  // once the worker has stopped (what it sends then is lost; done() reports the failure).
  result.catch(() => {}).finally(wake);
  worker.once('exit', wake);
  let saving = false;
  return {
    send(ids, vectors) {
      queued++;
      worker.postMessage({ ids, vectors }, [vectors.buffer as ArrayBuffer]);
    },
    room() {
      if (queued < MAX_QUEUED_CHUNKS || settled) return Promise.resolve();
      return new Promise<void>((resolve) => waiting.push(resolve));
    },
    async done() {
      worker.postMessage({ end: true });
      saving = true;
      try {
        await result;
      } finally {
        await worker.terminate();
      }
    },
    async stop() {
      // Ending a worker while hnswlib-node's asynchronous save is in flight aborts the whole
      // process (its completion throws into the torn-down thread: "FATAL ERROR:
      // Error::ThrowAsJavaScriptException napi_throw"). A save is bounded, so it is waited for;
      // while only inserting, the worker can be ended at once.
      if (saving) await result.catch(() => {});
      await worker.terminate();
    },
  };
}
