/**
 * The service's own tables (digest outbox, job locks): in a SQLite file next to the paper store
 * by default, or in the shared PostgreSQL database when the paper store lives there, so that every
 * replica sees the same outbox.
 */
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { migratePg, type PgPool } from '../store/postgres-client.ts';
import { openDatabase } from '../store/sqlite-schema.ts';

export const SERVICE_FILE = 'service.sqlite';
/** PRAGMA application_id of the service file ("pfsv"), distinct from the paper store's and the kv's. */
export const SERVICE_APPLICATION_ID = 0x70667376;

export const SQLITE_SERVICE_MIGRATIONS: readonly string[] = [
  // v1
  `
  CREATE TABLE outbox (
    key          TEXT NOT NULL,          -- platform:kind:id
    digest_date  TEXT NOT NULL,          -- YYYY-MM-DD
    platform     TEXT NOT NULL,          -- which deliverer sends it
    recipient    TEXT NOT NULL,          -- JSON Recipient
    status       TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    not_before   INTEGER NOT NULL DEFAULT 0,   -- epoch ms: earliest next attempt
    claim_owner  TEXT,
    claim_fence  INTEGER,
    claimed_at   INTEGER,                      -- epoch ms
    last_error   TEXT,
    created_at   INTEGER NOT NULL,
    sent_at      TEXT,
    PRIMARY KEY (key, digest_date)
  );
  CREATE INDEX outbox_work ON outbox(status, not_before, created_at);

  CREATE TABLE locks (
    name       TEXT PRIMARY KEY,
    owner      TEXT,
    fence      INTEGER NOT NULL,
    expires_at INTEGER NOT NULL              -- epoch ms; 0 when released
  );
  `,
  // v2: no schema change. Deleted rows are overwritten from now on (secure_delete); reaching this
  // step vacuums the file once, so outbox rows deleted before leave its free pages too.
  `SELECT 1;`,
];

export const PG_SERVICE_MIGRATIONS: readonly string[] = [
  // v1
  `
  CREATE TABLE outbox (
    key          TEXT COLLATE "C" NOT NULL,
    digest_date  TEXT COLLATE "C" NOT NULL,
    platform     TEXT NOT NULL,
    recipient    TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    not_before   BIGINT NOT NULL DEFAULT 0,
    claim_owner  TEXT,
    claim_fence  BIGINT,
    claimed_at   BIGINT,
    last_error   TEXT,
    created_at   BIGINT NOT NULL,
    sent_at      TEXT,
    PRIMARY KEY (key, digest_date)
  );
  CREATE INDEX outbox_work ON outbox(status, not_before, created_at);

  -- Fencing tokens of the advisory job locks: one counter per lock name, bumped on every acquisition.
  CREATE TABLE lock_fences (
    name  TEXT PRIMARY KEY,
    fence BIGINT NOT NULL
  );
  `,
];

export function openServiceDb(dataDir: string): BetterSqlite3.Database {
  return openDatabase(join(dataDir, SERVICE_FILE), {
    migrations: SQLITE_SERVICE_MIGRATIONS,
    applicationId: SERVICE_APPLICATION_ID,
    kind: 'service file',
    // The outbox names recipients: forget-me must leave nothing readable behind.
    secureDelete: true,
  });
}

export function migrateServicePg(pool: PgPool): Promise<number> {
  return migratePg(pool, 'service', PG_SERVICE_MIGRATIONS);
}
