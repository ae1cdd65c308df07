// The corpus checksum of a SQLite store without holding the event loop: a pass over every paper
// (about 0.7 s at 1M papers) is read on a second, read-only connection, whose snapshot stays
// fixed while the pass yields to the loop between pages, so requests (and this process's own
// writes, on the main connection) go on meanwhile. An in-memory database has no second
// connection: it is small, and read in one go.
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { loopSlices } from '../loop-slices.ts';
import { recordedChecksum, CHECKSUM_META } from './corpus-checksum.ts';

/** Pairs hashed per step: at 100k papers, 2k pages beat 10k pages and one unpaged sorted scan. */
const CHECKSUM_PAGE = 2_000;

export interface ChecksumRead {
  /** The change-feed head the checksum covers. */
  head: number;
  checksum: string;
  /** Computed now (worth recording with its head), rather than found recorded. */
  computed: boolean;
}

function statements(db: Database.Database) {
  return {
    // Pages of the covering index concatenated in SQL: one JS round trip per page instead of per row.
    page: db
      .prepare<[string, number], [string | null, string | null, number]>(
        `SELECT string_agg(id || char(9) || content_hash || char(10), '' ORDER BY id), max(id), count(*)
         FROM (SELECT id, content_hash FROM papers WHERE id > ? ORDER BY id LIMIT ?)`,
      )
      .raw(),
    head: db.prepare<[], number>(`SELECT coalesce(max(seq), 0) FROM paper_changes`).pluck(),
    meta: db.prepare<[string], string>(`SELECT value FROM meta WHERE key = ?`).pluck(),
  };
}

export class ChecksumReader {
  private reader?: { db: Database.Database; q: ReturnType<typeof statements>; sliced: boolean };
  private turn: Promise<unknown> = Promise.resolve();

  /** opts (tests): pairs per page, and ms of reading between two turns of the loop. */
  constructor(
    private readonly db: Database.Database,
    private readonly opts: { pageSize?: number; sliceMs?: number } = {},
  ) {}

  /** The checksum of one snapshot of the store (the recorded one when it is still valid). Reads run one at a time. */
  read(): Promise<ChecksumRead> {
    const run = this.turn.then(() => this.readNow());
    this.turn = run.catch(() => {});
    return run;
  }

  close(): void {
    if (this.reader && this.reader.db !== this.db && this.reader.db.open) this.reader.db.close();
    this.reader = undefined;
  }

  private connection() {
    if (!this.reader) {
      const db = this.db.memory ? this.db : new Database(this.db.name, { readonly: true, fileMustExist: true });
      this.reader = { db, q: statements(db), sliced: db !== this.db };
    }
    return this.reader;
  }

  private async readNow(): Promise<ChecksumRead> {
    const { db, q, sliced } = this.connection();
    // One read transaction: the head and every page come from the same snapshot, yields or not.
    db.exec('BEGIN');
    try {
      const head = q.head.get()!;
      const recorded = recordedChecksum(q.meta.get(CHECKSUM_META), String(head));
      if (recorded !== undefined) return { head, checksum: recorded, computed: false };
      const hash = createHash('sha256');
      const slices = loopSlices(this.opts.sliceMs);
      const size = this.opts.pageSize ?? CHECKSUM_PAGE;
      for (let after = ''; ; ) {
        const [text, last, n] = q.page.get(after, size)!;
        if (text !== null) hash.update(text);
        if (n < size || last === null) break;
        after = last;
        if (sliced) await slices.pause();
      }
      return { head, checksum: hash.digest('hex').slice(0, 32), computed: true };
    } finally {
      if (db.inTransaction) db.exec('COMMIT');
    }
  }
}
