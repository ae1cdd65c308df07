// Worker thread of the index bench: the exact top-10 rows for a slice of the queries, over a
// matrix shared with the main thread (SharedArrayBuffer), so ground truth uses every core.
import { parentPort, workerData } from 'node:worker_threads';
import { exactTopKBatch } from '../src/index/brute-force.ts';

export interface ExactSlice {
  matrix: Float32Array;
  dimension: number;
  rows: number;
  /** Only this slice's queries, packed. */
  queries: Float32Array;
  k: number;
}

const job = workerData as ExactSlice;
const count = job.queries.length / job.dimension;
const hits = exactTopKBatch(job.matrix, job.dimension, job.rows, job.queries, count, job.k);
parentPort!.postMessage(hits.map((h) => Int32Array.from(h, (x) => x.row)));
