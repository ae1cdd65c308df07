/**
 * The data dir's index-build lock held by another process: refused while that process lives,
 * free at once when it exits or is killed -9 (its pid, recorded in the lock, is gone), and one
 * lease after a holder of another host stops refreshing it.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLock } from '../src/corpus/build-lock.ts';
import { startChild } from './helpers/child.ts';
import { silentLog } from './helpers/silent-log.ts';

/** proper-lockfile's shortest staleness. */
const LEASE_MS = 2_000;
let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'paperfeed-build-lock-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe.concurrent('the index-build lock of a data dir', () => {
  it('is refused while another process holds it, and free at once after that process is killed -9', async () => {
    const dataDir = await mkdtemp(join(root, 'killed-'));
    const holder = startChild('test/helpers/build-lock-holder.ts', [dataDir, String(LEASE_MS)], {});
    await holder.waitFor(/HELD/);
    const lock = buildLock(dataDir, LEASE_MS, silentLog);
    expect(await lock.tryHold()).toBe(false);
    // Alive, it keeps the lock fresh past a lease (and never takes it for lost).
    await new Promise((r) => setTimeout(r, 2 * LEASE_MS + 500));
    expect(await lock.tryHold()).toBe(false);
    expect(holder.stdout()).toBe('HELD\n');

    // Refreshed within the last second, so not stale: before, refused for a lease (30 s by
    // default), and an ingest run again at once built no index.
    expect(await holder.kill9()).toBe('SIGKILL');
    expect(await lock.tryHold()).toBe(true);
    // Held here now: another process is refused.
    const other = startChild('test/helpers/build-lock-holder.ts', [dataDir, String(LEASE_MS), 'exit'], {});
    expect(await other.exited).toBe(0);
    expect(other.stdout()).toBe('REFUSED\n');
    await lock.release();
  });

  it('held by a process of another host: free one lease after it stopped refreshing it', async () => {
    const dataDir = await mkdtemp(join(root, 'other-host-'));
    const holder = startChild('test/helpers/build-lock-holder.ts', [dataDir, String(LEASE_MS)], {});
    await holder.waitFor(/HELD/);
    // The same record as another machine sharing the data dir would leave: its pid means nothing here.
    const record = join(dataDir, 'index.build.lock', 'owner.json');
    const owner = JSON.parse(await readFile(record, 'utf8')) as { pid: number; host: string };
    await writeFile(record, JSON.stringify({ ...owner, host: `not-${owner.host}` }));
    expect(await holder.kill9()).toBe('SIGKILL');
    const lock = buildLock(dataDir, LEASE_MS, silentLog);
    expect(await lock.tryHold()).toBe(false);
    // proper-lockfile's first mtime may be up to a second ahead (it probes the precision with it).
    await new Promise((r) => setTimeout(r, LEASE_MS + 1_200));
    expect(await lock.tryHold()).toBe(true);
    await lock.release();
  });

  it('is free at once when its holder exits without releasing it', async () => {
    const dataDir = await mkdtemp(join(root, 'exited-'));
    const holder = startChild('test/helpers/build-lock-holder.ts', [dataDir, '60000', 'exit'], {});
    expect(await holder.exited).toBe(0);
    expect(holder.stdout()).toBe('HELD\n');
    const lock = buildLock(dataDir, 60_000, silentLog);
    expect(await lock.tryHold()).toBe(true);
    await lock.release();
  });
});
