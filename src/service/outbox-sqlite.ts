import type BetterSqlite3 from 'better-sqlite3';
import type { Recipient } from '../recommend/recipient.ts';
import {
  clipError,
  emptyCounts,
  outboxKey,
  outboxKeysOf,
  rowToEntry,
  type Claimant,
  type ClaimOptions,
  type DigestRef,
  type Outbox,
  type OutboxEntry,
  type OutboxRow,
  type OutboxStatus,
  type ReleaseOptions,
} from './outbox.ts';

const ROW = 'key, digest_date, recipient, status, attempts, last_error, sent_at';

/** The outbox in the service's SQLite file; every state change is one IMMEDIATE transaction. */
export class SqliteOutbox implements Outbox {
  private readonly q;

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly ownsDb = true,
  ) {
    this.q = {
      insert: db.prepare(
        `INSERT INTO outbox (key, digest_date, platform, recipient, status, created_at) VALUES (?, ?, ?, ?, 'pending', ?)
         ON CONFLICT (key, digest_date) DO NOTHING`,
      ),
      next: db.prepare<[number, number, number, string], OutboxRow>(
        `SELECT ${ROW} FROM outbox
         WHERE ((status = 'pending' AND not_before <= ?)
            OR (status = 'sending' AND (claim_fence < ? OR claimed_at < ?)))
           AND platform IN (SELECT value FROM json_each(?))
         ORDER BY created_at, key, digest_date LIMIT 1`,
      ),
      claim: db.prepare(
        `UPDATE outbox SET status = 'sending', claim_owner = ?, claim_fence = ?, claimed_at = ?
         WHERE key = ? AND digest_date = ?`,
      ),
      sent: db.prepare(
        `UPDATE outbox SET status = 'sent', sent_at = ?, claim_owner = NULL
         WHERE key = ? AND digest_date = ? AND status = 'sending' AND claim_owner = ? AND claim_fence = ?`,
      ),
      release: db.prepare(
        `UPDATE outbox SET status = ?, attempts = ?, not_before = ?, last_error = coalesce(?, last_error), claim_owner = NULL
         WHERE key = ? AND digest_date = ? AND status = 'sending' AND claim_owner = ? AND claim_fence = ?`,
      ),
      attempts: db.prepare<[string, string], number>(`SELECT attempts FROM outbox WHERE key = ? AND digest_date = ?`).pluck(),
      get: db.prepare<[string, string], OutboxRow>(`SELECT ${ROW} FROM outbox WHERE key = ? AND digest_date = ?`),
      counts: db.prepare<[], { status: OutboxStatus; n: number }>(`SELECT status, count(*) AS n FROM outbox GROUP BY status`),
      prune: db.prepare(`DELETE FROM outbox WHERE status IN ('sent', 'failed') AND created_at < ?`),
      forget: db.prepare<[string]>(`DELETE FROM outbox WHERE key IN (SELECT value FROM json_each(?))`),
    };
  }

  async enqueue(items: readonly DigestRef[], now: Date): Promise<number> {
    const at = now.getTime();
    return this.db
      .transaction(() => {
        let added = 0;
        for (const { recipient, date } of items) {
          added += this.q.insert.run(outboxKey(recipient), date, recipient.platform, JSON.stringify(recipient), at).changes;
        }
        return added;
      })
      .immediate();
  }

  async claimNext(claimant: Claimant, now: Date, opts: ClaimOptions): Promise<OutboxEntry | undefined> {
    const at = now.getTime();
    return this.db
      .transaction(() => {
        const row = this.q.next.get(at, claimant.fence, at - opts.staleMs, JSON.stringify(opts.platforms));
        if (!row) return undefined;
        this.q.claim.run(claimant.owner, claimant.fence, at, row.key, row.digest_date);
        return { ...rowToEntry(row), status: 'sending' as const };
      })
      .immediate();
  }

  async markSent(entry: OutboxEntry, claimant: Claimant, now: Date): Promise<boolean> {
    return this.q.sent.run(now.toISOString(), entry.key, entry.date, claimant.owner, claimant.fence).changes > 0;
  }

  async release(entry: OutboxEntry, claimant: Claimant, now: Date, opts: ReleaseOptions): Promise<OutboxStatus> {
    return this.db
      .transaction((): OutboxStatus => {
        const attempts = (this.q.attempts.get(entry.key, entry.date) ?? 0) + (opts.error === undefined ? 0 : 1);
        const status: OutboxStatus = attempts >= opts.maxAttempts ? 'failed' : 'pending';
        const notBefore = opts.error === undefined ? 0 : now.getTime() + opts.retryAfterMs;
        const error = opts.error === undefined ? null : clipError(opts.error);
        const changed = this.q.release.run(status, attempts, notBefore, error, entry.key, entry.date, claimant.owner, claimant.fence).changes;
        return changed > 0 ? status : 'sending';
      })
      .immediate();
  }

  async get(ref: DigestRef): Promise<OutboxEntry | undefined> {
    const row = this.q.get.get(outboxKey(ref.recipient), ref.date);
    return row && rowToEntry(row);
  }

  async list(filter: { date?: string; status?: OutboxStatus } = {}): Promise<OutboxEntry[]> {
    const rows = this.db
      .prepare<[string | null, string | null, string | null, string | null], OutboxRow>(
        `SELECT ${ROW} FROM outbox WHERE (? IS NULL OR digest_date = ?) AND (? IS NULL OR status = ?)
         ORDER BY digest_date, key`,
      )
      .all(filter.date ?? null, filter.date ?? null, filter.status ?? null, filter.status ?? null);
    return rows.map(rowToEntry);
  }

  async counts(): Promise<Record<OutboxStatus, number>> {
    const out = emptyCounts();
    for (const { status, n } of this.q.counts.all()) out[status] = n;
    return out;
  }

  async prune(before: Date): Promise<number> {
    return this.q.prune.run(before.getTime()).changes;
  }

  async forget(r: Pick<Recipient, 'kind' | 'id'>): Promise<number> {
    const n = this.q.forget.run(JSON.stringify(outboxKeysOf(r))).changes;
    // secure_delete zeroed the rows in the file; this drops their older page images from the WAL.
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    return n;
  }

  async close(): Promise<void> {
    if (this.ownsDb && this.db.open) this.db.close();
  }
}
