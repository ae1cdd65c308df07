/**
 * The small part of node-postgres (`pg`) paperfeed uses, typed here because the package ships no
 * types of its own; plus connection, transaction and migration helpers shared by the paper store,
 * the outbox and the job locks. `pg` loads on demand: the default SQLite setup never pays for it.
 */
import { createRequire } from 'node:module';
import { StoreOpenError } from './sqlite-schema.ts';

export interface PgResult<R> {
  rows: R[];
  rowCount: number | null;
}

export interface PgQueryable {
  query<R = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<PgResult<R>>;
}

export interface PgPoolClient extends PgQueryable {
  release(destroy?: boolean | Error): void;
}

export interface PgPool extends PgQueryable {
  connect(): Promise<PgPoolClient>;
  end(): Promise<void>;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

export interface PgClient extends PgQueryable {
  connect(): Promise<void>;
  end(): Promise<void>;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

interface PgConnectionOptions {
  connectionString: string;
  connectionTimeoutMillis?: number;
  keepAlive?: boolean;
  application_name?: string;
  max?: number;
}

interface PgModule {
  Pool: new (opts: PgConnectionOptions) => PgPool;
  Client: new (opts: PgConnectionOptions) => PgClient;
}

const require = createRequire(import.meta.url);
let pgModule: PgModule | undefined;
const loadPg = (): PgModule => (pgModule ??= require('pg') as PgModule);

/** A bounded connect: an unreachable server fails the call with a clear message instead of hanging. */
export const PG_CONNECT_TIMEOUT_MS = 10_000;

export interface PgPoolOptions {
  max?: number;
  /** Shown in pg_stat_activity. */
  applicationName?: string;
  connectTimeoutMs?: number;
}

/**
 * Opens a pool and proves the server answers, so a wrong URL fails at start (naming the server,
 * never its password) rather than at the first query.
 */
export async function openPgPool(url: string, opts: PgPoolOptions = {}): Promise<PgPool> {
  const pool = new (loadPg().Pool)({
    connectionString: url,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? PG_CONNECT_TIMEOUT_MS,
    keepAlive: true,
    application_name: opts.applicationName ?? 'paperfeed',
    max: opts.max ?? 10,
  });
  // An idle client whose server went away emits 'error' on the pool; unhandled, it would crash the process.
  pool.on('error', () => {});
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => {});
    throw new StoreOpenError(redactUrl(url), `cannot connect to PostgreSQL at ${redactUrl(url)}: ${describePgError(err)}`);
  }
  return pool;
}

/** One dedicated connection (a session: advisory locks live as long as it does). */
export async function openPgClient(url: string, opts: PgPoolOptions = {}): Promise<PgClient> {
  const client = new (loadPg().Client)({
    connectionString: url,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? PG_CONNECT_TIMEOUT_MS,
    keepAlive: true,
    application_name: opts.applicationName ?? 'paperfeed',
  });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw new StoreOpenError(redactUrl(url), `cannot connect to PostgreSQL at ${redactUrl(url)}: ${describePgError(err)}`);
  }
  return client;
}

/** Runs fn in one transaction on one pooled connection: commit on success, roll back on any error. */
export async function withTransaction<T>(
  pool: PgPool,
  fn: (tx: PgQueryable) => Promise<T>,
  opts: { isolation?: 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE' } = {},
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query(opts.isolation ? `BEGIN ISOLATION LEVEL ${opts.isolation}` : 'BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    try {
      await client.query('ROLLBACK');
    } catch {
      broken = true;
    }
    throw err;
  } finally {
    client.release(broken);
  }
}

/**
 * Forward migrations per component (paper store, service tables), recorded in one version table.
 * A transaction-scoped advisory lock makes replicas starting together run each step once.
 */
export async function migratePg(pool: PgPool, component: string, migrations: readonly string[]): Promise<number> {
  return withTransaction(pool, async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('paperfeed.migrate'))`);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS paperfeed_schema (component TEXT PRIMARY KEY, version INTEGER NOT NULL)`,
    );
    const { rows } = await tx.query<{ version: number }>(
      `SELECT version FROM paperfeed_schema WHERE component = $1`,
      [component],
    );
    const current = rows[0]?.version ?? 0;
    if (current > migrations.length) {
      throw new Error(
        `the PostgreSQL ${component} schema is v${current}, newer than this paperfeed understands ` +
          `(v${migrations.length}); upgrade paperfeed`,
      );
    }
    for (let v = current; v < migrations.length; v++) await tx.query(migrations[v]!);
    await tx.query(
      `INSERT INTO paperfeed_schema (component, version) VALUES ($1, $2)
       ON CONFLICT (component) DO UPDATE SET version = excluded.version`,
      [component, migrations.length],
    );
    return migrations.length;
  });
}

/** Messages may be logged or shown: never echo a password from the URL. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^/@]*)@/, (_, auth: string) => `//${auth.split(':')[0]}${auth.includes(':') ? ':***' : ''}@`);
}

function describePgError(err: unknown): string {
  const e = err as { code?: string; message?: string; errors?: { code?: string; message?: string }[] };
  // AggregateError (IPv4 and IPv6 both refused) carries the useful part in .errors.
  const first = e.errors?.[0];
  const code = e.code ?? first?.code;
  const message = e.message || first?.message || String(err);
  return code && !message.includes(code) ? `${code} ${message}` : message;
}
