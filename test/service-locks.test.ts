/**
 * Job locks on every backend: one holder at a time, growing fencing tokens, renewal, release,
 * and expiry when the holder stops renewing (a crashed or hung replica).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobLocks } from '../src/service/locks.ts';
import { PostgresLocks } from '../src/service/locks-postgres.ts';
import { RedisLocks } from '../src/service/locks-redis.ts';
import { SqliteLocks } from '../src/service/locks-sqlite.ts';
import { migrateServicePg, openServiceDb } from '../src/service/service-db.ts';
import { openPgPool } from '../src/store/postgres-client.ts';
import { announceSkip, freshPgDatabase, freshRedisDb, PG_URL, REDIS_URL, type TestDatabase } from './helpers/servers.ts';

if (!PG_URL) announceSkip('PostgreSQL advisory job locks', 'PAPERFEED_TEST_PG_URL');
if (!REDIS_URL) announceSkip('Redis job locks', 'PAPERFEED_TEST_REDIS_URL');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Backend {
  name: string;
  skip: boolean;
  /** Two replicas' lock clients on one backend. */
  open(): Promise<{ a: JobLocks; b: JobLocks; close(): Promise<void> }>;
}

let dir: string;
let db: TestDatabase | undefined;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paperfeed-locks-'));
  if (PG_URL) db = await freshPgDatabase('locks');
});
afterAll(async () => {
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

const backends: Backend[] = [
  {
    name: 'sqlite (one machine)',
    skip: false,
    async open() {
      // Two connections to one file, as two processes on one machine would have.
      const d1 = openServiceDb(dir);
      const d2 = openServiceDb(dir);
      return {
        a: new SqliteLocks(d1, 'replica-a'),
        b: new SqliteLocks(d2, 'replica-b'),
        async close() {
          d1.close();
          d2.close();
        },
      };
    },
  },
  {
    name: 'redis',
    skip: !REDIS_URL,
    async open() {
      const url = await freshRedisDb(11);
      const a = await RedisLocks.open(url, 'replica-a');
      const b = await RedisLocks.open(url, 'replica-b');
      return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
    },
  },
  {
    name: 'postgres advisory',
    skip: !PG_URL,
    async open() {
      const pa = await openPgPool(db!.url, { max: 2 });
      const pb = await openPgPool(db!.url, { max: 2 });
      await migrateServicePg(pa);
      const a = new PostgresLocks(db!.url, pa, 'replica-a');
      const b = new PostgresLocks(db!.url, pb, 'replica-b');
      return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
    },
  },
];

// Backends and cases use separate lock names or stores: they run side by side.
describe.concurrent.each(backends)('job locks: $name', (backend) => {
  it.skipIf(backend.skip)('one holder at a time; each acquisition gets a larger fencing token', async () => {
    const { a, b, close } = await backend.open();
    try {
      const first = await a.tryAcquire('ingest', 10_000);
      expect(first).toBeDefined();
      expect(await b.tryAcquire('ingest', 10_000)).toBeUndefined();
      // Other jobs are independent.
      const other = await b.tryAcquire('digests', 10_000);
      expect(other).toBeDefined();
      expect(await first!.extend()).toBe(true);
      await first!.release();
      const second = await b.tryAcquire('ingest', 10_000);
      expect(second).toBeDefined();
      expect(second!.fence).toBeGreaterThan(first!.fence);
      expect(await a.tryAcquire('ingest', 10_000)).toBeUndefined();
      // A released lease cannot be extended (its holder must stop working).
      expect(await first!.extend()).toBe(false);
      await second!.release();
      await other!.release();
    } finally {
      await close();
    }
  });

  it.skipIf(backend.skip)('expires when its holder stops renewing, and the stale holder learns it lost the lock', async () => {
    const { a, b, close } = await backend.open();
    try {
      const stale = await a.tryAcquire('digests-expiry', 400);
      expect(stale).toBeDefined();
      expect(await b.tryAcquire('digests-expiry', 400)).toBeUndefined();
      // The holder "hangs": no renewal. Wait out the TTL (bounded polling, not a timing assertion).
      let taken;
      for (let i = 0; i < 100 && !taken; i++) {
        await sleep(100);
        taken = await b.tryAcquire('digests-expiry', 10_000);
      }
      expect(taken).toBeDefined();
      expect(taken!.fence).toBeGreaterThan(stale!.fence);
      expect(await stale!.extend()).toBe(false);
      await stale!.release();
      // Releasing the stale lease does not free the new holder's lock.
      expect(await a.tryAcquire('digests-expiry', 10_000)).toBeUndefined();
      await taken!.release();
    } finally {
      await close();
    }
  });
});
