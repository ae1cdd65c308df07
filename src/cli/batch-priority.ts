// A batch command (ingest, reindex) shares the machine with a `serve` answering people: at 1M
// papers a CLI reindex kept both cores busy for 14 minutes and serve's /healthz p99 went to 141 ms,
// its event loop waiting for a core rather than working. A lower CPU priority lets serve run first
// whenever it has work and costs the batch nothing on an otherwise idle machine.
import { getPriority, setPriority } from 'node:os';
import type { Logger } from '../log.ts';

/**
 * Lowers this thread's CPU priority to `nice` (0: leave it). Called before any worker starts:
 * on Linux the nice value is per thread and threads inherit their creator's, so the embedding
 * and index-build workers run at it too.
 */
export function runAsBatch(nice: number, log: Logger): void {
  if (nice === 0) return;
  try {
    setPriority(Math.max(getPriority(), nice));
    log.debug({ nice: getPriority() }, 'running as a batch job at a lower CPU priority');
  } catch (err) {
    log.debug({ err: (err as Error).message }, 'could not lower the CPU priority');
  }
}
