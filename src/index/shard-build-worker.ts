// Worker thread body of build-shards.ts: builds one shard from the vectors it was handed and
// saves it; the main thread loads the saved shard (native graphs cannot cross threads).
import { parentPort, workerData } from 'node:worker_threads';
import { buildShard, type ShardJob } from './build-shards.ts';

try {
  await (await buildShard(workerData as ShardJob)).save();
  parentPort!.postMessage({ ok: true });
} catch (err) {
  parentPort!.postMessage({ ok: false, message: (err as Error).stack ?? String(err) });
}
