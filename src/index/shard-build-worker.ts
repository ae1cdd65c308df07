// Worker thread body of build-shards.ts: builds one shard from the rows it is sent, as they
// arrive, and saves it when the input ends; the main thread loads the saved shard (native graphs
// cannot cross threads).
import { parentPort, workerData } from 'node:worker_threads';
import { createHnswIndex } from './hnsw-index.ts';
import type { ShardSpec } from './build-shards.ts';
import { reportReady } from '../ts-worker.ts';

const port = parentPort!;
const spec = workerData as ShardSpec;
const fail = (err: unknown) => {
  port.postMessage({ ok: false, message: (err as Error).stack ?? String(err) });
  port.close();
};
try {
  const index = createHnswIndex({ ...spec.params, dir: spec.dir, providerKey: spec.providerKey, dimension: spec.dimension, initialCapacity: spec.capacity, seed: spec.seed });
  const dim = spec.dimension;
  port.on('message', (m: { ids: string[]; vectors: Float32Array } | { end: true }) => {
    try {
      if ('ids' in m) {
        index.upsert(m.ids.map((id, r) => ({ id, vector: m.vectors.subarray(r * dim, (r + 1) * dim) })), { providerKey: spec.providerKey });
        // The sender holds back its next chunks until this one is in (build-shards.ts MAX_QUEUED_CHUNKS).
        port.postMessage({ inserted: true });
        return;
      }
      if (spec.corpusChecksum !== undefined) index.setCorpusChecksum(spec.corpusChecksum);
      void index.save().then(() => {
        port.postMessage({ ok: true });
        port.close();
      }, fail);
    } catch (err) {
      fail(err);
    }
  });
  reportReady();
} catch (err) {
  fail(err);
}
