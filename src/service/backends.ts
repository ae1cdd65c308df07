/**
 * Opens what the scheduler needs besides the App: the digest outbox and the job locks, on the
 * same engines the configuration chose for the paper store and the kv (nothing home-made when a
 * server is configured).
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Config } from '../config/config.ts';
import { openPgPool, type PgPool } from '../store/postgres-client.ts';
import { lockUrlOf, replicaId, type JobLocks } from './locks.ts';
import { PostgresLocks } from './locks-postgres.ts';
import { RedisLocks } from './locks-redis.ts';
import { SqliteLocks } from './locks-sqlite.ts';
import type { Outbox } from './outbox.ts';
import { PostgresOutbox } from './outbox-postgres.ts';
import { SqliteOutbox } from './outbox-sqlite.ts';
import { migrateServicePg, openServiceDb } from './service-db.ts';

export interface ServiceBackends {
  /** This replica's name in locks and claims. */
  owner: string;
  outbox: Outbox;
  locks: JobLocks;
  close(): Promise<void>;
}

type BackendConfig = Pick<Config, 'dataDir' | 'PAPERFEED_DATABASE_URL' | 'PAPERFEED_LOCK_URL' | 'PAPERFEED_KV_URL'>;

/**
 * The digest outbox alone, for the length of `fn`: forget-me from a CLI run or a chat command
 * reaches the same outbox as `serve`, on whichever engine the configuration chose.
 */
export async function withOutbox<T>(config: Pick<BackendConfig, 'dataDir' | 'PAPERFEED_DATABASE_URL'>, fn: (outbox: Outbox) => Promise<T>): Promise<T> {
  let outbox: Outbox;
  if (config.PAPERFEED_DATABASE_URL) {
    const pool = await openPgPool(config.PAPERFEED_DATABASE_URL, { max: 1, applicationName: 'paperfeed-service' });
    try {
      await migrateServicePg(pool);
    } catch (err) {
      await pool.end();
      throw err;
    }
    outbox = new PostgresOutbox(pool);
  } else {
    outbox = new SqliteOutbox(openServiceDb(config.dataDir));
  }
  try {
    return await fn(outbox);
  } finally {
    await outbox.close();
  }
}

export async function openServiceBackends(config: BackendConfig, owner: string = replicaId()): Promise<ServiceBackends> {
  const closers: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c();
  };
  try {
    let db: BetterSqlite3.Database | undefined;
    const sqlite = () => {
      if (!db) {
        const opened = openServiceDb(config.dataDir);
        closers.push(() => {
          opened.close();
        });
        db = opened;
      }
      return db;
    };
    const pools = new Map<string, PgPool>();
    const pgPool = async (url: string) => {
      let pool = pools.get(url);
      if (!pool) {
        const opened = await openPgPool(url, { max: 4, applicationName: 'paperfeed-service' });
        closers.push(() => opened.end());
        await migrateServicePg(opened);
        pools.set(url, opened);
        pool = opened;
      }
      return pool;
    };

    const outbox: Outbox = config.PAPERFEED_DATABASE_URL
      ? new PostgresOutbox(await pgPool(config.PAPERFEED_DATABASE_URL), false)
      : new SqliteOutbox(sqlite(), false);

    const lockUrl = lockUrlOf(config);
    let locks: JobLocks;
    if (lockUrl && /^rediss?:/i.test(lockUrl)) {
      const redis = await RedisLocks.open(lockUrl, owner);
      closers.push(() => redis.close());
      locks = redis;
    } else if (lockUrl) {
      locks = new PostgresLocks(lockUrl, await pgPool(lockUrl), owner, false);
    } else {
      locks = new SqliteLocks(sqlite(), owner);
    }
    return { owner, outbox, locks, close };
  } catch (err) {
    await close().catch(() => {});
    throw err;
  }
}
