import type BetterSqlite3 from 'better-sqlite3';
import type { JobLocks, Lease } from './locks.ts';

/**
 * Leases in the service's SQLite file: enough for several processes on one machine (serve next
 * to a CLI run). A lease is taken when free or expired; the fence column counts acquisitions.
 */
export class SqliteLocks implements JobLocks {
  readonly kind = 'sqlite';
  private readonly q;

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly owner: string,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.q = {
      take: db.prepare<[string, string, number, number, string], { fence: number }>(
        `INSERT INTO locks (name, owner, fence, expires_at) VALUES (?, ?, 1, ?)
         ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, fence = locks.fence + 1, expires_at = excluded.expires_at
         WHERE locks.expires_at <= ? OR locks.owner IS NULL OR locks.owner = ?
         RETURNING fence`,
      ),
      extend: db.prepare(`UPDATE locks SET expires_at = ? WHERE name = ? AND owner = ? AND fence = ? AND expires_at > ?`),
      release: db.prepare(`UPDATE locks SET owner = NULL, expires_at = 0 WHERE name = ? AND owner = ? AND fence = ?`),
    };
  }

  async tryAcquire(name: string, ttlMs: number): Promise<Lease | undefined> {
    const at = this.now();
    const row = this.db.transaction(() => this.q.take.get(name, this.owner, at + ttlMs, at, this.owner)).immediate();
    if (!row) return undefined;
    const { fence } = row;
    const q = this.q;
    const now = this.now;
    const owner = this.owner;
    return {
      name,
      owner,
      fence,
      async extend() {
        const t = now();
        return q.extend.run(t + ttlMs, name, owner, fence, t).changes > 0;
      },
      async release() {
        q.release.run(name, owner, fence);
      },
    };
  }

  async close(): Promise<void> {
    // The database belongs to the caller (shared with the outbox).
  }
}
