// Worker threads that run TypeScript sources, the way scripts do: through bin/run-ts.js (tsx).
//
// A worker is handed out only once its module has loaded and said so. Loading goes through tsx's
// module hooks, and a start was seen to hang for good there (Node 20.20, the 1M-paper corpus
// bench: two of four shard builders idle for 40 minutes, loaded hooks thread, no error and no
// exit). A start that does not report within the limit is therefore ended and made again, so a
// bulk build is delayed by it, never stopped.
import { parentPort, Worker } from 'node:worker_threads';

const RUN_TS = new URL('../bin/run-ts.js', import.meta.url);
const READY = '__paperfeed_worker_ready__';
/** A start normally takes 1–6 s on a loaded 2-core machine (tsx transpiles on first use). */
export const READY_TIMEOUT_MS = 60_000;
const ATTEMPTS = 3;


/**
 * Starts `file` (an absolute path to a .ts module) in a worker thread with `workerData`, and
 * resolves once the module has called reportReady(). Tried up to three times when a start hangs;
 * an error or exit before ready fails at once (that is a bug in the module, not a hang).
 */
export async function startTsWorker(file: string, workerData: unknown, opts: { readyTimeoutMs?: number } = {}): Promise<Worker> {
  const limit = opts.readyTimeoutMs ?? READY_TIMEOUT_MS;
  for (let attempt = 1; ; attempt++) {
    const worker = new Worker(RUN_TS, { argv: [file], workerData });
    const outcome = await new Promise<'ready' | 'hung' | Error>((resolve) => {
      const timer = setTimeout(() => resolve('hung'), limit);
      const done = (r: 'ready' | Error) => {
        clearTimeout(timer);
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        resolve(r);
      };
      // Anything else first is the module's own report of a failure at load.
      const onMessage = (m: unknown) => done(m === READY ? 'ready' : new Error(`worker ${file} failed while starting: ${JSON.stringify(m).slice(0, 2_000)}`));
      const onError = (err: Error) => done(new Error(`worker ${file} failed while starting: ${err.message}`));
      const onExit = (code: number) => done(new Error(`worker ${file} exited (code ${code}) while starting`));
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    });
    if (outcome === 'ready') return worker;
    await worker.terminate();
    if (outcome instanceof Error) throw outcome;
    if (attempt >= ATTEMPTS) throw new Error(`worker ${file} did not start within ${limit / 1000} s (${attempt} tries)`);
  }
}

/** Called by a worker module once its imports have loaded: startTsWorker hands the worker out then. */
export function reportReady(): void {
  parentPort?.postMessage(READY);
}
