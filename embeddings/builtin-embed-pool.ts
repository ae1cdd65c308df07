// Worker threads that embed with one built-in fit: text → vector is pure CPU, so a bulk run (a
// new generation over a whole corpus) uses every core and keeps off the event loop. The fitted
// state is sent to each worker once; batches go to whichever worker is free.
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../src/ts-worker.ts';
import { builtinDimension, type BuiltinState } from './builtin.ts';
import type { EmbedPool } from './provider.ts';

const WORKER_FILE = fileURLToPath(new URL('./builtin-embed-worker.ts', import.meta.url));

type Reply = { id: number; packed: Float32Array } | { id: number; error: string };
interface Task {
  id: number;
  texts: string[];
  resolve(v: Float32Array[]): void;
  reject(e: Error): void;
}

export function createBuiltinEmbedPool(state: BuiltinState, threads: number): EmbedPool {
  const dim = builtinDimension(state.params);
  const queue: Task[] = [];
  const idle: Worker[] = [];
  const running = new Map<Worker, Task>();
  let nextId = 0;
  let failure: Error | undefined;
  let closed = false;

  const fail = (err: Error) => {
    failure ??= err;
    for (const t of [...running.values(), ...queue.splice(0)]) t.reject(failure);
    running.clear();
  };
  const dispatch = () => {
    while (idle.length > 0 && queue.length > 0) {
      const worker = idle.pop()!;
      const task = queue.shift()!;
      running.set(worker, task);
      worker.postMessage({ id: task.id, texts: task.texts });
    }
  };

  const attach = (worker: Worker) => {
    worker.on('message', (r: Reply) => {
      const task = running.get(worker);
      running.delete(worker);
      idle.push(worker);
      if (!task || task.id !== r.id) return fail(new Error('an embedding worker answered a batch it was not given'));
      if ('error' in r) return fail(new Error(`embedding in a worker failed: ${r.error}`));
      task.resolve(Array.from({ length: task.texts.length }, (_, i) => r.packed.subarray(i * dim, (i + 1) * dim)));
      dispatch();
    });
    worker.on('error', (e) => fail(new Error(`an embedding worker failed: ${e.message}`)));
    worker.on('exit', (code) => {
      if (!closed) fail(new Error(`an embedding worker exited (code ${code}) before the pool was closed`));
    });
    idle.push(worker);
  };
  // Batches queue until the workers have started; each takes work as soon as it is up.
  const count = Math.max(1, threads);
  const live: Worker[] = [];
  const starting = Array.from({ length: count }, () =>
    startTsWorker(WORKER_FILE, state).then((worker) => {
      live.push(worker);
      if (closed) return;
      attach(worker);
      dispatch();
    }),
  );
  Promise.all(starting).catch((err: Error) => fail(err));

  return {
    threads: count,
    embed(texts) {
      if (failure) return Promise.reject(failure);
      if (closed) return Promise.reject(new Error('the embedding pool is closed'));
      return new Promise((resolve, reject) => {
        queue.push({ id: nextId++, texts, resolve, reject });
        dispatch();
      });
    },
    async close() {
      closed = true;
      fail(new Error('the embedding pool is closed'));
      // Every start has ended (a failed one left nothing running) before the workers are ended.
      await Promise.allSettled(starting);
      await Promise.all(live.map((w) => w.terminate()));
    },
  };
}
