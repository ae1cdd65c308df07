// A batch command (ingest, reindex) shares the machine with a `serve` answering people: at 1M
// papers a CLI reindex kept both cores busy for 14 minutes and serve's /healthz p99 went to 141 ms,
// its event loop waiting for a core rather than working. A lower CPU priority lets serve run first
// whenever it has work and costs the batch nothing on an otherwise idle machine.
import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import type { Logger } from '../log.ts';

/**
 * Lowers the CPU priority of this process to `nice` (0: leave it). On Linux the nice value belongs
 * to each thread: the threads already running (libuv's pool, V8's helpers) are lowered one by one,
 * and the embedding and index-build workers started later inherit it from this thread.
 */
export function runAsBatch(nice: number, log: Logger): void {
  if (nice === 0) return;
  try {
    const threads = process.platform === 'linux' ? readdirSync('/proc/self/task').map(Number) : [0];
    for (const tid of threads) setPriority(tid, Math.max(getPriority(tid), nice));
    // The least nice of them, read back: what the test checks.
    log.debug({ nice: Math.min(...threads.map((tid) => getPriority(tid))), threads: threads.length }, 'running as a batch job at a lower CPU priority');
  } catch (err) {
    log.debug({ err: (err as Error).message }, 'could not lower the CPU priority');
  }
}
