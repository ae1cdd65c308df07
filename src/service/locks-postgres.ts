import { openPgClient, type PgClient, type PgPool } from '../store/postgres-client.ts';
import type { JobLocks, Lease } from './locks.ts';

/**
 * Session advisory locks (pg_try_advisory_lock), one connection per lease. The session is the
 * expiry: it ends when the replica dies (the kernel closes its socket), and PostgreSQL ends it
 * itself when the replica hangs and stops renewing (idle_session_timeout = the TTL). The fencing
 * token is a counter row bumped on every acquisition.
 */
export class PostgresLocks implements JobLocks {
  readonly kind = 'postgres';

  constructor(
    private readonly url: string,
    /** For the fence counters (service schema already migrated). */
    private readonly pool: PgPool,
    private readonly owner: string,
    private readonly ownsPool = true,
  ) {}

  async tryAcquire(name: string, ttlMs: number): Promise<Lease | undefined> {
    const session: PgClient = await openPgClient(this.url, { applicationName: `paperfeed-lock:${name}` });
    try {
      const { rows } = await session.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(hashtext($1)) AS ok`, [`paperfeed.job.${name}`]);
      if (!rows[0]?.ok) {
        await session.end();
        return undefined;
      }
      await session.query(`SELECT set_config('idle_session_timeout', $1, false)`, [String(ttlMs)]);
      const fence = await this.pool.query<{ fence: string }>(
        `INSERT INTO lock_fences (name, fence) VALUES ($1, 1)
         ON CONFLICT (name) DO UPDATE SET fence = lock_fences.fence + 1 RETURNING fence`,
        [name],
      );
      let alive = true;
      return {
        name,
        owner: this.owner,
        fence: Number(fence.rows[0]!.fence),
        async extend() {
          if (!alive) return false;
          try {
            // Any statement resets the idle timer; while the session lives, the lock is held.
            await session.query('SELECT 1');
            return true;
          } catch {
            alive = false;
            return false;
          }
        },
        async release() {
          if (!alive) return;
          alive = false;
          try {
            await session.query(`SELECT pg_advisory_unlock(hashtext($1))`, [`paperfeed.job.${name}`]);
          } finally {
            await session.end().catch(() => {});
          }
        },
      };
    } catch (err) {
      await session.end().catch(() => {});
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }
}
