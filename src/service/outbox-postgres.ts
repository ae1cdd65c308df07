import type { Recipient } from '../recommend/recipient.ts';
import type { PgPool } from '../store/postgres-client.ts';
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

/**
 * The outbox in the shared PostgreSQL database. A claim is one UPDATE over a row picked with
 * FOR UPDATE SKIP LOCKED: two replicas claiming at the same instant get different rows.
 */
export class PostgresOutbox implements Outbox {
  constructor(
    private readonly pool: PgPool,
    private readonly ownsPool = true,
  ) {}

  async enqueue(items: readonly DigestRef[], now: Date): Promise<number> {
    if (items.length === 0) return 0;
    const { rowCount } = await this.pool.query(
      `INSERT INTO outbox (key, digest_date, platform, recipient, status, created_at)
       SELECT k, d, p, r, 'pending', $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(k, d, p, r)
       ON CONFLICT (key, digest_date) DO NOTHING`,
      [
        items.map((i) => outboxKey(i.recipient)),
        items.map((i) => i.date),
        items.map((i) => i.recipient.platform),
        items.map((i) => JSON.stringify(i.recipient)),
        now.getTime(),
      ],
    );
    return rowCount ?? 0;
  }

  async claimNext(claimant: Claimant, now: Date, opts: ClaimOptions): Promise<OutboxEntry | undefined> {
    const at = now.getTime();
    const { rows } = await this.pool.query<OutboxRow>(
      `UPDATE outbox o SET status = 'sending', claim_owner = $1, claim_fence = $2, claimed_at = $3
       FROM (SELECT key, digest_date FROM outbox
             WHERE ((status = 'pending' AND not_before <= $3)
                OR (status = 'sending' AND (claim_fence < $2 OR claimed_at < $4)))
               AND platform = ANY($5::text[])
             ORDER BY created_at, key, digest_date LIMIT 1 FOR UPDATE SKIP LOCKED) pick
       WHERE o.key = pick.key AND o.digest_date = pick.digest_date
       RETURNING o.key, o.digest_date, o.recipient, o.status, o.attempts, o.last_error, o.sent_at`,
      [claimant.owner, claimant.fence, at, at - opts.staleMs, opts.platforms],
    );
    return rows[0] && rowToEntry(rows[0]);
  }

  async markSent(entry: OutboxEntry, claimant: Claimant, now: Date): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE outbox SET status = 'sent', sent_at = $1, claim_owner = NULL
       WHERE key = $2 AND digest_date = $3 AND status = 'sending' AND claim_owner = $4 AND claim_fence = $5`,
      [now.toISOString(), entry.key, entry.date, claimant.owner, claimant.fence],
    );
    return (rowCount ?? 0) > 0;
  }

  async release(entry: OutboxEntry, claimant: Claimant, now: Date, opts: ReleaseOptions): Promise<OutboxStatus> {
    const failed = opts.error !== undefined;
    const { rows } = await this.pool.query<{ status: OutboxStatus }>(
      `UPDATE outbox SET
         attempts = attempts + $1,
         status = CASE WHEN attempts + $1 >= $2 THEN 'failed' ELSE 'pending' END,
         not_before = $3,
         last_error = coalesce($4, last_error),
         claim_owner = NULL
       WHERE key = $5 AND digest_date = $6 AND status = 'sending' AND claim_owner = $7 AND claim_fence = $8
       RETURNING status`,
      [
        failed ? 1 : 0,
        opts.maxAttempts,
        failed ? now.getTime() + opts.retryAfterMs : 0,
        failed ? clipError(opts.error!) : null,
        entry.key,
        entry.date,
        claimant.owner,
        claimant.fence,
      ],
    );
    return rows[0]?.status ?? 'sending';
  }

  async get(ref: DigestRef): Promise<OutboxEntry | undefined> {
    const { rows } = await this.pool.query<OutboxRow>(`SELECT ${ROW} FROM outbox WHERE key = $1 AND digest_date = $2`, [
      outboxKey(ref.recipient),
      ref.date,
    ]);
    return rows[0] && rowToEntry(rows[0]);
  }

  async list(filter: { date?: string; status?: OutboxStatus } = {}): Promise<OutboxEntry[]> {
    const { rows } = await this.pool.query<OutboxRow>(
      `SELECT ${ROW} FROM outbox WHERE ($1::text IS NULL OR digest_date = $1) AND ($2::text IS NULL OR status = $2)
       ORDER BY digest_date, key`,
      [filter.date ?? null, filter.status ?? null],
    );
    return rows.map(rowToEntry);
  }

  async counts(): Promise<Record<OutboxStatus, number>> {
    const out = emptyCounts();
    const { rows } = await this.pool.query<{ status: OutboxStatus; n: string }>(`SELECT status, count(*) AS n FROM outbox GROUP BY status`);
    for (const { status, n } of rows) out[status] = Number(n);
    return out;
  }

  async prune(before: Date): Promise<number> {
    const { rowCount } = await this.pool.query(`DELETE FROM outbox WHERE status IN ('sent', 'failed') AND created_at < $1`, [before.getTime()]);
    return rowCount ?? 0;
  }

  async forget(r: Pick<Recipient, 'kind' | 'id'>): Promise<number> {
    const { rowCount } = await this.pool.query(`DELETE FROM outbox WHERE key = ANY($1::text[])`, [outboxKeysOf(r)]);
    return rowCount ?? 0;
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }
}
