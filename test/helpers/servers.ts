/**
 * The real PostgreSQL and Redis servers of the integration tests (started by .ci/run, or locally by
 * scripts/test-services.sh). Each test file gets its own database (created and dropped here) and
 * its own Redis logical database, so files running in parallel never see each other's data.
 */
import { randomBytes } from 'node:crypto';
import { openPgPool } from '../../src/store/postgres-client.ts';

export const PG_URL = process.env.PAPERFEED_TEST_PG_URL;
export const REDIS_URL = process.env.PAPERFEED_TEST_REDIS_URL;

/**
 * Says loudly, once per file, that a server-backed suite is skipped. Where the servers must be
 * there (.ci/run sets PAPERFEED_REQUIRE_SERVERS=1), a missing variable fails the file instead.
 */
export function announceSkip(what: string, variable: string): void {
  if (process.env.PAPERFEED_REQUIRE_SERVERS === '1') {
    throw new Error(`${what}: ${variable} not set, and PAPERFEED_REQUIRE_SERVERS=1 says the servers must be there`);
  }
  const line = '!'.repeat(100);
  process.stderr.write(
    `\n${line}\n!! SKIPPED: ${what}: ${variable} not set.\n` +
      `!! Start local servers with: eval "$(scripts/test-services.sh start)"   (CI runs these tests for real)\n${line}\n\n`,
  );
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database on the test server. */
export async function freshPgDatabase(label: string): Promise<TestDatabase> {
  if (!PG_URL) throw new Error('PAPERFEED_TEST_PG_URL is not set');
  const name = `pf_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = await openPgPool(PG_URL, { max: 1 });
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const pool = await openPgPool(PG_URL!, { max: 1 });
      try {
        await pool.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await pool.end();
      }
    },
  };
}

/** The test Redis server's logical database `db` (1–15; each test file uses its own), emptied first. */
export async function freshRedisDb(db: number): Promise<string> {
  if (!REDIS_URL) throw new Error('PAPERFEED_TEST_REDIS_URL is not set');
  const url = new URL(REDIS_URL);
  url.pathname = `/${db}`;
  const { createClient } = await import('@redis/client');
  const client = createClient({ url: url.toString() });
  client.on('error', () => {});
  await client.connect();
  await client.flushDb();
  await client.close();
  return url.toString();
}

/** One kv backend for a contract suite: skipped (with the banner) where its server is not configured. */
export interface KvBackend {
  name: 'sqlite' | 'postgres' | 'redis';
  available: boolean;
  /** The variable that enables it (for announceSkip). */
  variable: string;
  /** A PAPERFEED_KV_URL on a fresh database (undefined: the default SQLite file in the data dir). */
  url(): Promise<string | undefined>;
}

/**
 * The three kv backends: SQLite, a fresh PostgreSQL database (dropped by `dropDatabases`) and the
 * test file's own Redis logical database `redisDb`.
 */
export function kvBackends(label: string, redisDb: number): { backends: KvBackend[]; dropDatabases(): Promise<void> } {
  const databases: TestDatabase[] = [];
  return {
    backends: [
      { name: 'sqlite', available: true, variable: '', url: async () => undefined },
      {
        name: 'postgres',
        available: Boolean(PG_URL),
        variable: 'PAPERFEED_TEST_PG_URL',
        async url() {
          const db = await freshPgDatabase(label);
          databases.push(db);
          return db.url;
        },
      },
      { name: 'redis', available: Boolean(REDIS_URL), variable: 'PAPERFEED_TEST_REDIS_URL', url: () => freshRedisDb(redisDb) },
    ],
    async dropDatabases() {
      for (const db of databases.splice(0)) await db.drop();
    },
  };
}
