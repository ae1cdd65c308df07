// Which process builds the next generation of a data dir's index. Two builds at once would share
// the staging directory, and each would replace the other's fit: so one process builds, and the
// others keep serving what they have and take its generation up once it is live. A process
// writing many papers (a CLI ingest) holds the lock for its whole run, so a serve following its
// writes leaves the refit to it rather than building from a half-written corpus.
// A directory lock (proper-lockfile) whose mtime is refreshed while held: a holder that exits
// frees it at once. The holder writes its pid and host into the lock directory, so a process on
// the same host takes over at once from a holder that is gone (killed -9: an ingest run again
// right after it was killed built no index, since the dead holder seemed to be building one);
// from another host, a holder is taken for dead one lock lease (PAPERFEED_LOCK_TTL_MS) after its
// last refresh.
import fs from 'node:fs';
import { readFile, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import lockfile from 'proper-lockfile';
import { z } from 'zod';
import type { Logger } from '../log.ts';

/** How often a process waiting for the lock tries again. */
const WAIT_STEP_MS = 1_000;
/** The holder's record, inside the lock directory: it goes with the directory. */
const OWNER_FILE = 'owner.json';
const ownerSchema = z.object({ pid: z.number().int().positive(), host: z.string() });
/**
 * The file system proper-lockfile works through. The owner record is written as the directory is
 * made, before proper-lockfile reads the mtime it then keeps refreshing (a file written into the
 * directory later changes that mtime, which proper-lockfile takes for another process's).
 * proper-lockfile removes its directory with rmdir, which the record would refuse: these remove
 * it whole (a release, a stale lock's takeover, the removal at exit).
 */
const lockFs = {
  ...fs,
  mkdir: (path: string, cb: (err: NodeJS.ErrnoException | null) => void) =>
    fs.mkdir(path, (err) => {
      if (!err) {
        try {
          fs.writeFileSync(join(path, OWNER_FILE), JSON.stringify({ pid: process.pid, host: hostname() }));
        } catch {
          // Without the record, others take this holder for dead only a lease after it stops refreshing.
        }
      }
      cb(err);
    }),
  rmdir: (path: string, cb: (err: NodeJS.ErrnoException | null) => void) => fs.rm(path, { recursive: true, force: true }, cb),
  rmdirSync: (path: string) => fs.rmSync(path, { recursive: true, force: true }),
};

export interface BuildLock {
  /** Takes the lock unless another process holds it; true when this process holds it (again). */
  tryHold(): Promise<boolean>;
  /** Waits until this process holds it. */
  hold(signal?: AbortSignal): Promise<void>;
  /** Gives back one hold; the lock is freed with the last. */
  release(): Promise<void>;
}

/** `leaseMs`: a holder whose lock went unrefreshed this long is taken for dead. */
export function buildLock(dataDir: string, leaseMs: number, log: Logger): BuildLock {
  const lockPath = join(dataDir, 'index.build.lock');
  const options = { lockfilePath: lockPath, realpath: false, stale: leaseMs, fs: lockFs };
  let holds = 0;
  let unlock: (() => Promise<void>) | undefined;
  const take = async (): Promise<boolean> => {
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
    return true;
  };
  /** The holder was a process of this host that is gone: its pid is recorded and no longer runs. */
  const holderGone = async (): Promise<number | undefined> => {
    const owner = ownerSchema.safeParse(await readFile(join(lockPath, OWNER_FILE), 'utf8').then(JSON.parse, () => undefined));
    if (!owner.success || owner.data.host !== hostname() || running(owner.data.pid)) return undefined;
    return owner.data.pid;
  };
  const self: BuildLock = {
    async tryHold() {
      if (holds > 0) {
        holds += 1;
        return true;
      }
      let taken = await take();
      const gone = taken ? undefined : await holderGone();
      if (gone !== undefined) {
        // Aged past the lease, the lock is proper-lockfile's to take over as stale.
        await utimes(lockPath, 0, 0).catch(() => {});
        taken = await take();
        if (taken) log.info({ pid: gone }, 'took over the index build lock from a process that is gone');
      }
      if (!taken) return false;
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
  };
  return self;
}

/** Whether a process with this pid runs (EPERM: it does, as another user). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
