// Which process builds the next generation of a data dir's index. Two builds at once would share
// the staging directory, and each would replace the other's fit: so one process builds, and the
// others keep serving what they have and take its generation up once it is live. A process
// writing many papers (a CLI ingest) holds the lock for its whole run, so a serve following its
// writes leaves the refit to it rather than building from a half-written corpus.
// A directory lock (proper-lockfile) whose mtime is refreshed while held: a holder killed -9
// frees it one lock lease (PAPERFEED_LOCK_TTL_MS) later, and one that exits frees it at once.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import lockfile from 'proper-lockfile';
import type { Logger } from '../log.ts';

/** How often a process waiting for the lock tries again. */
const WAIT_STEP_MS = 1_000;

export interface BuildLock {
  /** Takes the lock unless another process holds it; true when this process holds it (again). */
  tryHold(): Promise<boolean>;
  /** Waits until this process holds it. */
  hold(signal?: AbortSignal): Promise<void>;
  /** Gives back one hold; the lock is freed with the last. */
  release(): Promise<void>;
  /** Another live process holds it. */
  heldElsewhere(): Promise<boolean>;
}

/** `leaseMs`: a holder whose lock went unrefreshed this long is taken for dead. */
export function buildLock(dataDir: string, leaseMs: number, log: Logger): BuildLock {
  const options = { lockfilePath: join(dataDir, 'index.build.lock'), realpath: false, stale: leaseMs };
  let holds = 0;
  let unlock: (() => Promise<void>) | undefined;
  const self: BuildLock = {
    async tryHold() {
      if (holds > 0) {
        holds += 1;
        return true;
      }
      try {
        unlock = await lockfile.lock(dataDir, {
          ...options,
          retries: 0,
          // Only if this process's loop was held for a whole lease: another may be building too now.
          onCompromised: (err) => {
            log.warn({ err: err.message }, 'lost the index build lock; another process may build beside this one');
            unlock = undefined;
          },
        });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ELOCKED') return false;
        throw err;
      }
      holds = 1;
      return true;
    },
    async hold(signal) {
      let told = false;
      while (!(await self.tryHold())) {
        // A warning so that a CLI run (which logs warnings only) does not look hung.
        if (!told) log.warn('another process is building this data dir\'s index; waiting for it');
        told = true;
        await sleep(WAIT_STEP_MS, undefined, signal ? { signal } : {});
      }
    },
    async release() {
      if (holds === 0) return;
      holds -= 1;
      if (holds > 0) return;
      const held = unlock;
      unlock = undefined;
      await held?.().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'could not free the index build lock'));
    },
    async heldElsewhere() {
      return holds === 0 && (await lockfile.check(dataDir, options));
    },
  };
  return self;
}
