import { createHash } from 'node:crypto';
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import type BetterSqlite3 from 'better-sqlite3';
import type { Logger } from '../log.ts';
import type { Hit } from '../index/vector-index.ts';
import type { Paper, PaperInput } from '../papers/paper.ts';
import { parseArxivId, titleId } from '../papers/ids.ts';
import { normalizeTitle } from '../papers/normalize.ts';
import type {
  ChangeBatch,
  LexicalFilter,
  ListQuery,
  PaperFacts,
  PaperStore,
  StoredSummary,
  StoredVector,
  StoreStats,
  UpsertResult,
} from './paper-store.ts';
import { storeBatch, type DedupeRepo } from './paper-dedupe.ts';
import { blobToVector, PAPER_COLUMNS, paperToRow, rowToPaper, vectorToBlob, type PaperRow } from './paper-rows.ts';
import { SqliteLexical } from './sqlite-lexical.ts';
import { SqliteVectors } from './sqlite-vectors.ts';
import { openDatabase } from './sqlite-schema.ts';
import {
  checkKeepKeys,
  checkSummary,
  checkVectorEntries,
  validLexicalQuery,
  validListQuery,
  validPageSize,
  storedDois,
  validPapers,
} from './store-input.ts';
import { CHECKSUM_META } from './corpus-checksum.ts';
import { ChecksumReader } from './sqlite-checksum.ts';
import { feedLimit, feedPage, parseCursor, WriteLog } from './write-log.ts';

export { StoreOpenError } from './sqlite-schema.ts';

export { StoreInputError } from './store-input.ts';

/** Rows read per step by the streaming readers: bounded memory, and the connection is free between steps. */
const STREAM_BATCH = 1_000;
/** See OpenOptions.pageSize: vectors pack seven to a page instead of one. */
const PAGE_SIZE = 16_384;


export interface SqliteStoreOptions {
  log?: Logger;
  /** Overrides MAX_QUERY_POSTINGS (src/index/lexical-index.ts), the lexical search's hard postings ceiling. */
  lexicalMaxPostings?: number;
}

/** Opens (creating and migrating as needed) the paper store in one SQLite file. */
export async function openSqliteStore(file: string, opts: SqliteStoreOptions = {}): Promise<SqlitePaperStore> {
  const db = openDatabase(file, { pageSize: PAGE_SIZE, ...(opts.log ? { log: opts.log } : {}) });
  return new SqlitePaperStore(db, opts.log, opts.lexicalMaxPostings);
}

/** PaperStore on better-sqlite3: synchronous underneath, so every method is a short, complete transaction. */
export class SqlitePaperStore implements PaperStore {
  private readonly q;
  private readonly repo: DedupeRepo;
  private readonly upsertTx: (papers: Paper[]) => UpsertResult;
  private readonly removeTx: (id: string) => boolean;
  private readonly lexical: SqliteLexical;
  private readonly vectors: SqliteVectors;
  /** The open write transaction's log (each one starts a fresh one, so a rolled-back batch leaves nothing behind). */
  private log_ = new WriteLog();
  /** Dropped by this connection's own paper writes, which data_version does not report. */
  private checksumCache: { dataVersion: number; checksum: string } | undefined;
  /** This connection's paper writes so far: a checksum or count read across one of them is not cached. */
  private paperWrites = 0;
  private countCache: { dataVersion: number; writes: number; count: number } | undefined;
  private readonly checksums: ChecksumReader;

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly log?: Logger,
    lexicalMaxPostings?: number,
  ) {
    const row = (sql: string) => db.prepare<unknown[], PaperRow>(sql);
    this.q = {
      byId: row(`SELECT ${PAPER_COLUMNS} FROM papers WHERE id = ?`),
      byIds: row(`SELECT ${PAPER_COLUMNS} FROM papers WHERE id IN (SELECT value FROM json_each(?))`),
      byAlias: row(
        `SELECT ${PAPER_COLUMNS.replace(/(^|, )/g, '$1p.')}
         FROM aliases a JOIN papers p ON p.id = a.paper_id WHERE a.alias = ?`,
      ),
      byNormTitle: row(`SELECT ${PAPER_COLUMNS} FROM papers WHERE norm_title = ? ORDER BY first_seen DESC, id`),
      byDois: db.prepare<[string], { doi: string; id: string }>(
        `SELECT doi, min(id) AS id FROM papers WHERE doi IN (SELECT value FROM json_each(?)) GROUP BY doi`,
      ),
      insert: db.prepare(
        `INSERT INTO papers (${PAPER_COLUMNS}) VALUES (${PAPER_COLUMNS.replace(/(\w+)/g, '@$1')})`,
      ),
      update: db.prepare(
        `UPDATE papers SET ${PAPER_COLUMNS.split(', ')
          .map((c) => `${c} = @${c}`)
          .join(', ')} WHERE id = @fromId`,
      ),
      idExists: db.prepare<[string], number>(`SELECT 1 FROM papers WHERE id = ?`).pluck(),
      aliasTarget: db.prepare<[string], string>(`SELECT paper_id FROM aliases WHERE alias = ?`).pluck(),
      addAlias: db.prepare(`INSERT OR IGNORE INTO aliases (alias, paper_id) VALUES (?, ?)`),
      delete: db.prepare(`DELETE FROM papers WHERE id = ?`),
      count: db.prepare<[], number>(`SELECT count(*) FROM papers`).pluck(),
      // One range of ids at a time (its end, then the papers in it without a vector).
      rangeEnd: db.prepare<[string, number], string | null>(`SELECT max(id) FROM (SELECT id FROM papers WHERE id > ? ORDER BY id LIMIT ?)`).pluck(),
      summaries: db.prepare<[string, string], { content_hash: string; model: string; paper_id: string; text: string; created_at: string }>(
        `SELECT content_hash, model, paper_id, text, created_at FROM summaries
         WHERE model = ? AND content_hash IN (SELECT value FROM json_each(?))`,
      ),
      putSummary: db.prepare(
        `INSERT OR REPLACE INTO summaries (content_hash, model, paper_id, text, created_at) VALUES (?, ?, ?, ?, ?)`,
      ),
      page: row(`SELECT ${PAPER_COLUMNS} FROM papers WHERE id > ? ORDER BY id LIMIT ?`),
      facts: db.prepare<[string], { id: string; published: string | null; first_seen: string; sources: string }>(
        `SELECT id, published, first_seen, sources FROM papers WHERE id IN (SELECT value FROM json_each(?))`,
      ),
      change: db.prepare<[string, number]>(
        `INSERT INTO paper_changes (paper_id, seq, removed)
         VALUES (?, (SELECT coalesce(max(seq), 0) + 1 FROM paper_changes), ?)
         ON CONFLICT (paper_id) DO UPDATE SET seq = excluded.seq, removed = excluded.removed`,
      ),
      changesAfter: db.prepare<[number, number], { paper_id: string; seq: number; removed: number }>(
        `SELECT paper_id, seq, removed FROM paper_changes WHERE seq > ? ORDER BY seq LIMIT ?`,
      ),
      lastChange: db.prepare<[], number>(`SELECT coalesce(max(seq), 0) FROM paper_changes`).pluck(),
      getMeta: db.prepare<[string], string>(`SELECT value FROM meta WHERE key = ?`).pluck(),
      setMeta: db.prepare(
        `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
      ),
    };
    const q = this.q;
    this.checksums = new ChecksumReader(db);
    this.vectors = new SqliteVectors(db, (write) => this.whenLockFree(write));
    const lexical = (this.lexical = new SqliteLexical(db, lexicalMaxPostings));
    this.repo = {
      byId: (id) => {
        const r = q.byId.get(id) ?? q.byAlias.get(id);
        return r && rowToPaper(r);
      },
      byNormTitle: (norm) => q.byNormTitle.all(norm).map(rowToPaper),
      insert: (p) => {
        q.insert.run(paperToRow(p));
        lexical.insert(p, this.log_);
        this.log_.upserted(p.id);
      },
      update: (fromId, p) => {
        const row = paperToRow(p);
        lexical.beforeUpdate(fromId, p, row.content_hash, this.log_);
        q.update.run({ ...row, fromId });
        this.log_.upserted(p.id);
        if (fromId !== p.id) this.log_.removed(fromId);
      },
      addAlias: (alias, paperId) => {
        if (!q.idExists.get(alias)) q.addAlias.run(alias, paperId);
      },
    };
    // Every paper write: a fresh log, the writes, then the lexical statistics and the change feed,
    // all in one transaction. IMMEDIATE takes the write lock up front: a concurrent writer waits
    // (busy_timeout) instead of failing halfway through upgrading a read lock.
    const writing = <A, R>(fn: (arg: A) => R) => {
      const tx = db.transaction((arg: A) => {
        this.log_ = new WriteLog();
        const result = fn(arg);
        lexical.flush(this.log_);
        for (const c of this.log_.changeEntries()) q.change.run(c.id, c.removed ? 1 : 0);
        return result;
      });
      return (arg: A) => tx.immediate(arg);
    };
    this.upsertTx = writing((papers: Paper[]) => storeBatch(papers, this.repo));
    this.removeTx = writing((id: string) => {
      lexical.beforeDelete(id, this.log_);
      const gone = q.delete.run(id).changes > 0;
      if (gone) this.log_.removed(id);
      return gone;
    });
  }

  async upsertPapers(inputs: PaperInput[], now: Date = new Date()): Promise<UpsertResult> {
    // Everything is validated before the transaction starts, so a bad item cannot leave half a batch.
    const papers = validPapers(inputs, now);
    const result = await this.whenLockFree(() => this.upsertTx(papers));
    this.onPaperWrite();
    this.log?.debug(
      {
        added: result.added.length,
        merged: result.merged.length,
        unchanged: result.unchanged.length,
        renamed: result.renamed.length,
      },
      'papers upserted',
    );
    return result;
  }

  async getPaper(id: string): Promise<Paper | undefined> {
    const found = this.resolve(id);
    return found === undefined ? undefined : this.read(found);
  }

  async getPapers(ids: string[]): Promise<Paper[]> {
    // Stored ids (search results, a bulk embedding's batches) in one statement; only the rest are
    // resolved one by one: three lookups per id made a million-paper embedding run 40 s longer.
    const trimmed = ids.map((id) => id.trim());
    const direct = new Map(this.q.byIds.all(JSON.stringify(trimmed)).map((r) => [r.id, r]));
    const seen = new Set<string>();
    const out: Paper[] = [];
    for (const [i, id] of ids.entries()) {
      const found = direct.has(trimmed[i]!) ? trimmed[i]! : this.resolve(id);
      if (found === undefined || seen.has(found)) continue;
      seen.add(found);
      const row = direct.get(found);
      const p = row ? rowToPaper(row) : this.read(found);
      if (p) out.push(p);
    }
    return out;
  }

  async findByTitle(title: string): Promise<Paper | undefined> {
    const [hit] = this.q.byNormTitle.all(normalizeTitle(title));
    if (hit) return rowToPaper(hit);
    const viaAlias = this.q.byAlias.get(titleId(title));
    return viaAlias && rowToPaper(viaAlias);
  }

  async findByDois(dois: readonly string[]): Promise<Map<string, string>> {
    const wanted = storedDois(dois);
    if (wanted.length === 0) return new Map();
    return new Map(this.q.byDois.all(JSON.stringify(wanted)).map((r) => [r.doi, r.id]));
  }

  async listPapers(query: ListQuery = {}): Promise<Paper[]> {
    const q = validListQuery(query);
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      where.push(sql);
      params.push(value);
    };
    if (q.seenSince !== undefined) add('first_seen >= ?', q.seenSince);
    if (q.seenBefore !== undefined) add('first_seen < ?', q.seenBefore);
    if (q.published !== undefined) add('published = ?', q.published);
    if (q.publishedSince !== undefined) add('published >= ?', q.publishedSince);
    if (q.source !== undefined) add('EXISTS (SELECT 1 FROM json_each(papers.sources) WHERE value = ?)', q.source);
    const sql =
      `SELECT ${PAPER_COLUMNS} FROM papers ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ` +
      `ORDER BY first_seen DESC, id LIMIT ? OFFSET ?`;
    const rows = this.db.prepare<unknown[], PaperRow>(sql).all(...params, q.limit ?? -1, q.offset ?? 0);
    return rows.map(rowToPaper);
  }

  /**
   * Cached like the checksum: a count reads a whole index (tens of ms at 1M papers once another
   * process's commit emptied the page cache), and /readyz and every index sync ask for it.
   */
  async count(): Promise<number> {
    const dataVersion = this.db.pragma('data_version', { simple: true }) as number;
    const known = this.countCache;
    if (known && known.dataVersion === dataVersion && known.writes === this.paperWrites) return known.count;
    const count = this.q.count.get()!;
    this.countCache = { dataVersion, writes: this.paperWrites, count };
    return count;
  }

  /**
   * Forgets the paper (row and aliases). The vector cache is keyed by text, not paper, so it stays;
   * the same paper ingested again later is a new paper (new first-seen time) that needs no re-embedding.
   */
  async removePaper(id: string): Promise<boolean> {
    const found = this.resolve(id);
    if (found === undefined) return false;
    const gone = await this.whenLockFree(() => this.removeTx(found));
    this.onPaperWrite();
    return gone;
  }

  async *iteratePapers(opts?: { pageSize?: number }): AsyncIterable<Paper[]> {
    const size = validPageSize(opts);
    for (let after = ''; ; ) {
      const page = this.q.page.all(after, size).map(rowToPaper);
      if (page.length) yield page;
      if (page.length < size) return;
      after = page[page.length - 1]!.id;
    }
  }

  async searchLexical(text: string, k: number, filter?: LexicalFilter): Promise<Hit[]> {
    const q = validLexicalQuery(text, k, filter);
    return this.lexical.search(q.text, q.k, q.filter);
  }

  async paperFacts(ids: readonly string[]): Promise<Map<string, PaperFacts>> {
    const out = new Map<string, PaperFacts>();
    for (let i = 0; i < ids.length; i += STREAM_BATCH) {
      for (const r of this.q.facts.all(JSON.stringify(ids.slice(i, i + STREAM_BATCH)))) {
        out.set(r.id, { date: r.published ?? r.first_seen.slice(0, 10), sources: JSON.parse(r.sources) as string[] });
      }
    }
    return out;
  }

  async changesSince(cursor: string | undefined, limit?: number): Promise<ChangeBatch> {
    if (cursor === undefined) return { cursor: String(this.q.lastChange.get()!), upserted: [], removed: [] };
    const after = parseCursor(cursor);
    const max = feedLimit(limit);
    return feedPage(this.q.changesAfter.all(after, max), after);
  }

  async pruneVectors(keepProviderKeys: readonly string[]): Promise<number> {
    checkKeepKeys(keepProviderKeys);
    return this.vectors.prune(keepProviderKeys);
  }

  async stats(): Promise<StoreStats> {
    const db = this.db;
    const bySource: Record<string, number> = {};
    const sources = db
      .prepare<[], { source: string; n: number }>(
        `SELECT j.value AS source, count(*) AS n FROM papers, json_each(papers.sources) j
         GROUP BY j.value ORDER BY j.value`,
      )
      .all();
    for (const { source, n } of sources) bySource[source] = n;
    const vectors = this.vectors.covered();
    const newestSeen = db.prepare<[], string | null>(`SELECT max(first_seen) FROM papers`).pluck().get() ?? null;
    const stats: StoreStats = { papers: this.q.count.get()!, bySource, vectors };
    if (newestSeen !== null) stats.newestSeen = newestSeen;
    return stats;
  }

  async getCachedVectors(providerKey: string, contentHashes: string[]): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    // One JSON parameter per chunk instead of thousands of bound variables.
    for (let i = 0; i < contentHashes.length; i += STREAM_BATCH) {
      const chunk = JSON.stringify(contentHashes.slice(i, i + STREAM_BATCH));
      for (const r of this.vectors.get(providerKey, chunk)) {
        out.set(r.content_hash, blobToVector(r.vector, r.dim, `${providerKey}/${r.content_hash}`));
      }
    }
    return out;
  }

  async putCachedVectors(
    providerKey: string,
    entries: { contentHash: string; vector: Float32Array }[],
    opts: { ifFree?: boolean } = {},
  ): Promise<void> {
    checkVectorEntries(providerKey, entries);
    const rows = entries.map(({ contentHash, vector }) => ({ contentHash, dim: vector.length, blob: vectorToBlob(vector) }));
    const write = this.db.transaction(() => this.vectors.put(providerKey, rows));
    if (opts.ifFree) this.ifLockFree('cache vectors', () => write.immediate());
    else await this.whenLockFree(() => write.immediate());
  }

  /**
   * Pages by id rather than holding one iterate() cursor open: better-sqlite3 refuses every other
   * statement on a connection while a cursor is open, and the consumer may use the store between items.
   */
  async *paperVectors(providerKey: string): AsyncIterable<StoredVector> {
    let after = '';
    for (;;) {
      // A consumer awaiting each item never leaves the microtask queue: the loop turns here instead.
      if (after !== '') await yieldToLoop();
      const page = this.vectors.papersPage(providerKey, after, STREAM_BATCH);
      for (const r of page) {
        yield { paperId: r.id, vector: blobToVector(r.vector, r.dim, `${providerKey}/${r.id}`) };
      }
      if (page.length < STREAM_BATCH) return;
      after = page[page.length - 1]!.id;
    }
  }

  /** Newest first. Read a range of ids at a time (a pass over every paper), the event loop running between ranges. */
  async idsMissingVectors(providerKey: string): Promise<string[]> {
    const missing: [id: string, firstSeen: string][] = [];
    for (let after = ''; ; ) {
      const end = this.q.rangeEnd.get(after, STREAM_BATCH * 5);
      if (end === null || end === undefined) break;
      for (const r of this.vectors.missing(providerKey, after, end)) missing.push(r);
      after = end;
      await yieldToLoop();
    }
    missing.sort(([a, aSeen], [b, bSeen]) => (aSeen === bSeen ? (a < b ? -1 : 1) : aSeen > bSeen ? -1 : 1));
    return missing.map(([id]) => id);
  }

  /**
   * sha256 over the id-ordered (id, content hash) pairs, read from a covering index (~70 ms at 100k
   * papers) in slices that let the event loop run (sqlite-checksum.ts); it cannot drift from the
   * rows the way a separately maintained running sum could. The result is cached until this
   * connection writes papers or PRAGMA data_version shows another connection (another paperfeed
   * process) committed.
   */
  async corpusChecksum(): Promise<string> {
    const dataVersion = this.db.pragma('data_version', { simple: true }) as number;
    if (this.checksumCache?.dataVersion === dataVersion) return this.checksumCache.checksum;
    const writes = this.paperWrites;
    const { head, checksum, computed } = await this.checksums.read();
    if (computed) this.recordChecksum(head, checksum);
    // A paper write of this connection during the read is not in the snapshot read.
    if (writes === this.paperWrites) this.checksumCache = { dataVersion, checksum };
    return checksum;
  }

  /** Records the checksum with the head it covers, if the write lock is free: the record only spares the next open a pass. */
  private recordChecksum(head: number, checksum: string): void {
    this.ifLockFree('record the corpus checksum', () => this.q.setMeta.run(CHECKSUM_META, `${head}:${checksum}`));
  }

  /**
   * Runs a write that may be skipped, only if the write lock is free now: waiting for another
   * process's write (busy_timeout) would hold the event loop as long as that process's transaction.
   */
  private ifLockFree(what: string, write: () => void): void {
    try {
      this.withoutWaiting(write);
    } catch (err) {
      this.log?.debug({ err: (err as Error).message }, `could not ${what}; skipped`);
    }
  }

  /**
   * Runs a write once the write lock is free, waiting for it between timer turns instead of in
   * SQLite's busy handler, which sleeps with the event loop held for as long as another process's
   * transaction lasts (a CLI backfill holds the lock for a batch at a time, back to back: serve's
   * loop stalled up to 5 s on its own cache writes). `write` must be one transaction that takes the
   * lock before doing anything (BEGIN IMMEDIATE, or a single statement), so a refused attempt left
   * nothing behind and is tried again; after busy_timeout of trying, it fails as it did before.
   */
  private async whenLockFree<R>(write: () => R): Promise<R> {
    const until = performance.now() + (this.db.pragma('busy_timeout', { simple: true }) as number);
    for (let pause = 1; ; pause = Math.min(pause * 2, 32)) {
      try {
        return this.withoutWaiting(write);
      } catch (err) {
        if (!String((err as { code?: unknown }).code).startsWith('SQLITE_BUSY') || performance.now() >= until) throw err;
      }
      await sleep(pause);
    }
  }

  /** Runs `write` with busy_timeout 0: SQLITE_BUSY at once when another connection holds the write lock. */
  private withoutWaiting<R>(write: () => R): R {
    const patience = this.db.pragma('busy_timeout', { simple: true }) as number;
    this.db.pragma('busy_timeout = 0');
    try {
      return write();
    } finally {
      this.db.pragma(`busy_timeout = ${patience}`);
    }
  }

  async getSummaries(model: string, contentHashes: string[]): Promise<Map<string, StoredSummary>> {
    const out = new Map<string, StoredSummary>();
    for (let i = 0; i < contentHashes.length; i += STREAM_BATCH) {
      const chunk = JSON.stringify(contentHashes.slice(i, i + STREAM_BATCH));
      for (const r of this.q.summaries.all(model, chunk)) {
        out.set(r.content_hash, {
          contentHash: r.content_hash,
          model: r.model,
          paperId: r.paper_id,
          text: r.text,
          createdAt: r.created_at,
        });
      }
    }
    return out;
  }

  async putSummary(summary: StoredSummary): Promise<void> {
    const { contentHash, model, paperId, text } = summary;
    const createdAt = checkSummary(summary);
    await this.whenLockFree(() => this.q.putSummary.run(contentHash, model, paperId, text, createdAt));
  }

  async getMeta(key: string): Promise<string | undefined> {
    return this.q.getMeta.get(key);
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.whenLockFree(() => this.q.setMeta.run(key, value));
  }

  async close(): Promise<void> {
    this.checksums.close();
    if (this.db.open) this.db.close();
  }

  private onPaperWrite(): void {
    this.checksumCache = undefined;
    this.paperWrites++;
  }

  /** The stored id an outside id names: itself, its bare arXiv id (from a versioned id or URL), or an alias. */
  private resolve(raw: string): string | undefined {
    const id = raw.trim();
    const arxiv = parseArxivId(id);
    for (const candidate of arxiv && arxiv !== id ? [id, arxiv] : [id]) {
      if (this.q.idExists.get(candidate)) return candidate;
      const target = this.q.aliasTarget.get(candidate);
      if (target !== undefined) return target;
    }
    return undefined;
  }

  private read(id: string): Paper | undefined {
    const r = this.q.byId.get(id);
    return r && rowToPaper(r);
  }
}
