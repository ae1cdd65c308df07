/**
 * PaperStore on PostgreSQL, so several replicas share one corpus. Same semantics as the SQLite
 * store: the same rows (paper-rows.ts), the same dedupe rules (paper-dedupe.ts), the same checksum.
 */
import type { Hit } from '../index/vector-index.ts';
import type { Logger } from '../log.ts';
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
import { CHECKSUM_META, recordedChecksum } from './corpus-checksum.ts';
import { blobToVector, PAPER_COLUMNS, paperToRow, rowToPaper, vectorToBlob, type PaperRow } from './paper-rows.ts';
import { migratePg, openPgPool, withTransaction, type PgPool, type PgQueryable } from './postgres-client.ts';
import { dropLexicalDoc, PgLexicalBatch, searchPgLexical } from './postgres-lexical.ts';
import { PgVectors } from './postgres-vectors.ts';
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
import { feedLimit, feedPage, parseCursor, WriteLog } from './write-log.ts';

/** Meta key present while papers stored before schema v3 still wait for their lexical documents. */
const LEXICAL_BACKFILL = 'lexical.backfill';

/**
 * Ids are ordered bytewise (COLLATE "C") as in SQLite, so listings and the corpus checksum do
 * not depend on the server's locale, and both stores give the same checksum for the same corpus.
 */
export const PG_MIGRATIONS: readonly string[] = [
  // v1
  `
  CREATE TABLE papers (
    id           TEXT COLLATE "C" PRIMARY KEY,
    norm_title   TEXT NOT NULL,
    arxiv_id     TEXT,
    title        TEXT NOT NULL,
    abstract     TEXT NOT NULL,
    authors      TEXT NOT NULL,
    author_count INTEGER,
    abs_url      TEXT,
    pdf_url      TEXT,
    published    TEXT COLLATE "C",
    sources      TEXT NOT NULL,
    upvotes      INTEGER,
    organization TEXT,
    categories   TEXT,
    content_hash TEXT COLLATE "C" NOT NULL,
    first_seen   TEXT COLLATE "C" NOT NULL,
    updated_at   TEXT NOT NULL
  );
  CREATE INDEX papers_norm_title ON papers(norm_title);
  CREATE INDEX papers_first_seen ON papers(first_seen DESC, id);
  CREATE INDEX papers_published ON papers(published);
  CREATE INDEX papers_id_hash ON papers(id, content_hash);

  CREATE TABLE aliases (
    alias    TEXT COLLATE "C" PRIMARY KEY,
    paper_id TEXT COLLATE "C" NOT NULL REFERENCES papers(id) ON UPDATE CASCADE ON DELETE CASCADE
  );
  CREATE INDEX aliases_paper ON aliases(paper_id);

  CREATE TABLE vectors (
    provider_key TEXT NOT NULL,
    content_hash TEXT COLLATE "C" NOT NULL,
    dim          INTEGER NOT NULL,
    vector       BYTEA NOT NULL,
    PRIMARY KEY (provider_key, content_hash)
  );

  CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );

  -- Bumped by every transaction that changes (id, content hash) pairs: replicas compare one
  -- number instead of re-hashing the corpus to know whether their index is behind.
  CREATE TABLE corpus_version (
    one     BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    version BIGINT NOT NULL
  );
  INSERT INTO corpus_version (one, version) VALUES (TRUE, 0);
  `,
  // v2
  `
  CREATE TABLE summaries (
    content_hash TEXT NOT NULL,
    model        TEXT NOT NULL,
    paper_id     TEXT NOT NULL,
    text         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (content_hash, model)
  );
  `,
  // v3
  `
  -- The lexical index (see postgres-lexical.ts), written in the same transaction as the papers.
  -- Existing papers are indexed by openPostgresStore after this step (the terms are made in JS).
  CREATE TABLE lexical_docs (
    paper_id TEXT COLLATE "C" PRIMARY KEY REFERENCES papers(id) ON UPDATE CASCADE,
    length   INTEGER NOT NULL,
    terms    tsvector NOT NULL
  );
  CREATE INDEX lexical_docs_terms ON lexical_docs USING gin (terms);
  CREATE TABLE lexical_terms (
    term TEXT COLLATE "C" PRIMARY KEY,
    df   INTEGER NOT NULL
  );
  CREATE TABLE lexical_stats (
    one    BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    docs   BIGINT NOT NULL,
    length BIGINT NOT NULL
  );
  INSERT INTO lexical_stats (one, docs, length) VALUES (TRUE, 0, 0);
  INSERT INTO meta (key, value) SELECT '${LEXICAL_BACKFILL}', 'pending' WHERE EXISTS (SELECT 1 FROM papers);

  -- The change feed: the last change of each paper id, numbered in commit order.
  CREATE TABLE paper_changes (
    paper_id TEXT COLLATE "C" PRIMARY KEY,
    seq      BIGINT NOT NULL UNIQUE,
    removed  BOOLEAN NOT NULL
  );
  `,
  // v4
  `
  -- DOIs (lower-case, bare; papers/doi.ts), so a library entry known only by its DOI finds its paper.
  ALTER TABLE papers ADD COLUMN doi TEXT COLLATE "C";
  CREATE INDEX papers_doi ON papers(doi);
  `,
  // v5
  `
  -- Which cached vectors some paper still uses, asked a page of vectors at a time (pruneVectors).
  CREATE INDEX papers_content_hash ON papers(content_hash);
  -- Each provider key's vectors in a table of their own (postgres-vectors.ts), named here, so that a
  -- superseded fit is dropped whole. Vectors already stored stay in \`vectors\`, named for their keys
  -- (a new store's \`vectors\` stays empty and unnamed).
  CREATE TABLE vector_tables (
    provider_key TEXT PRIMARY KEY,
    name         TEXT NOT NULL
  );
  INSERT INTO vector_tables (provider_key, name) SELECT DISTINCT provider_key, 'vectors' FROM vectors;
  `,
];

const STREAM_BATCH = 1_000;
const COLUMNS = PAPER_COLUMNS.split(', ') as (keyof PaperRow)[];
const P_COLUMNS = COLUMNS.map((c) => `p.${c}`).join(', ');
/** All writers of papers take this transaction lock: the dedupe rules need a stable view, as in SQLite. */
const WRITE_LOCK = `SELECT pg_advisory_xact_lock(hashtext('paperfeed.papers.write'))`;
const BUMP_VERSION = `UPDATE corpus_version SET version = version + 1`;


export interface PostgresStoreOptions {
  log?: Logger;
  /** Pool size per process. */
  maxConnections?: number;
  /** Overrides MAX_QUERY_POSTINGS (src/index/lexical-index.ts), the lexical search's hard postings ceiling. */
  lexicalMaxPostings?: number;
}

/** Connects, migrates (once across replicas) and returns the store; fails clearly when the server is unreachable. */
export async function openPostgresStore(url: string, opts: PostgresStoreOptions = {}): Promise<PostgresPaperStore> {
  const pool = await openPgPool(url, { max: opts.maxConnections ?? 10, applicationName: 'paperfeed-store' });
  try {
    await migratePg(pool, 'papers', PG_MIGRATIONS);
    await backfillLexical(pool);
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
  return new PostgresPaperStore(pool, opts.log, opts.lexicalMaxPostings);
}

/**
 * Indexes the papers an upgrade to schema v3 found, once, in one transaction under the write lock
 * (replicas opening together wait, then find the key gone).
 */
async function backfillLexical(pool: PgPool): Promise<void> {
  const pending = await pool.query(`SELECT 1 FROM meta WHERE key = $1`, [LEXICAL_BACKFILL]);
  if (pending.rows.length === 0) return;
  await withTransaction(pool, async (tx) => {
    await tx.query(WRITE_LOCK);
    const still = await tx.query(`DELETE FROM meta WHERE key = $1 RETURNING key`, [LEXICAL_BACKFILL]);
    if (still.rows.length === 0) return;
    for (let after = ''; ; ) {
      const { rows } = await tx.query<PaperRow>(
        `SELECT ${PAPER_COLUMNS} FROM papers WHERE id > $1 ORDER BY id LIMIT $2`,
        [after, STREAM_BATCH],
      );
      const batch = new PgLexicalBatch(new WriteLog());
      for (const r of rows) batch.inserted(rowToPaper(r));
      await batch.flush(tx);
      if (rows.length < STREAM_BATCH) break;
      after = rows[rows.length - 1]!.id;
    }
  });
  // Statistics for the new index now, not at autovacuum's leisure: without them the planner
  // scans every document instead of asking the GIN index.
  await pool.query(`ANALYZE lexical_docs`);
}

type Op =
  | { kind: 'insert'; paper: Paper }
  | { kind: 'update'; fromId: string; before: Paper; paper: Paper }
  | { kind: 'alias'; alias: string; paperId: string };

export class PostgresPaperStore implements PaperStore {
  private checksumCache: { version: string; checksum: string } | undefined;
  private closed = false;
  private readonly vectors: PgVectors;

  constructor(
    private readonly pool: PgPool,
    private readonly log?: Logger,
    private readonly lexicalMaxPostings?: number,
  ) {
    this.vectors = new PgVectors(pool);
  }

  async upsertPapers(inputs: PaperInput[], now: Date = new Date()): Promise<UpsertResult> {
    const papers = validPapers(inputs, now);
    const result = await withTransaction(this.pool, async (tx) => {
      await tx.query(WRITE_LOCK);
      const { repo, ops } = await this.batchRepo(tx, papers);
      const outcome = storeBatch(papers, repo);
      const log = new WriteLog();
      const lexical = new PgLexicalBatch(log);
      await applyOps(tx, ops);
      for (const op of ops) {
        if (op.kind === 'insert') {
          lexical.inserted(op.paper);
          log.upserted(op.paper.id);
        } else if (op.kind === 'update') {
          lexical.updated(op.fromId, op.before, op.paper);
          log.upserted(op.paper.id);
          if (op.fromId !== op.paper.id) log.removed(op.fromId);
        }
      }
      await lexical.flush(tx);
      if (ops.length > 0) await tx.query(BUMP_VERSION);
      return outcome;
    });
    this.log?.debug(
      { added: result.added.length, merged: result.merged.length, unchanged: result.unchanged.length, renamed: result.renamed.length },
      'papers upserted',
    );
    return result;
  }

  /**
   * storeBatch runs synchronously against its repo, so everything it can look up is read first
   * (under the write lock): papers and aliases under the batch's ids, papers under its titles.
   * Its writes go to an in-memory mirror (so later items see earlier ones, as in one SQLite
   * transaction) and are replayed in order afterwards, in the same transaction.
   */
  private async batchRepo(tx: PgQueryable, papers: Paper[]): Promise<{ repo: DedupeRepo; ops: Op[] }> {
    const ids = [...new Set(papers.map((p) => p.id))];
    const norms = [...new Set(papers.map((p) => normalizeTitle(p.title)))];
    const byId = new Map<string, Paper>();
    const aliasTo = new Map<string, string>();
    const direct = await tx.query<PaperRow>(
      `SELECT ${PAPER_COLUMNS} FROM papers WHERE id = ANY($1::text[]) OR norm_title = ANY($2::text[])`,
      [ids, norms],
    );
    for (const r of direct.rows) byId.set(r.id, rowToPaper(r));
    const viaAlias = await tx.query<PaperRow & { alias: string }>(
      `SELECT a.alias, ${P_COLUMNS} FROM aliases a JOIN papers p ON p.id = a.paper_id WHERE a.alias = ANY($1::text[])`,
      [ids],
    );
    for (const r of viaAlias.rows) {
      byId.set(r.id, rowToPaper(r));
      aliasTo.set(r.alias, r.id);
    }
    const ops: Op[] = [];
    const repo: DedupeRepo = {
      byId: (id) => {
        const own = byId.get(id);
        if (own) return own;
        const target = aliasTo.get(id);
        return target === undefined ? undefined : byId.get(target);
      },
      byNormTitle: (norm) =>
        [...byId.values()]
          .filter((p) => normalizeTitle(p.title) === norm)
          .sort((a, b) => (a.firstSeen > b.firstSeen ? -1 : a.firstSeen < b.firstSeen ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
      insert: (p) => {
        byId.set(p.id, p);
        ops.push({ kind: 'insert', paper: p });
      },
      update: (fromId, p) => {
        const before = byId.get(fromId)!;
        byId.delete(fromId);
        byId.set(p.id, p);
        // ON UPDATE CASCADE moves the aliases of a renamed paper; the mirror follows.
        if (fromId !== p.id) for (const [a, target] of aliasTo) if (target === fromId) aliasTo.set(a, p.id);
        ops.push({ kind: 'update', fromId, before, paper: p });
      },
      addAlias: (alias, paperId) => {
        if (!byId.has(alias) && !aliasTo.has(alias)) aliasTo.set(alias, paperId);
        ops.push({ kind: 'alias', alias, paperId });
      },
    };
    return { repo, ops };
  }

  async getPaper(id: string): Promise<Paper | undefined> {
    const found = await this.resolve(id);
    return found === undefined ? undefined : this.read(found);
  }

  async getPapers(ids: string[]): Promise<Paper[]> {
    // Stored ids (the common case: search results) in one round trip; only the rest are resolved one by one.
    const { rows: direct } = await this.pool.query<{ id: string }>(`SELECT id FROM papers WHERE id = ANY($1::text[])`, [
      [...new Set(ids.map((id) => id.trim()))],
    ]);
    const stored = new Set(direct.map((r) => r.id));
    const seen = new Set<string>();
    const resolved: string[] = [];
    for (const id of ids) {
      const found = stored.has(id.trim()) ? id.trim() : await this.resolve(id);
      if (found === undefined || seen.has(found)) continue;
      seen.add(found);
      resolved.push(found);
    }
    if (resolved.length === 0) return [];
    const { rows } = await this.pool.query<PaperRow>(`SELECT ${PAPER_COLUMNS} FROM papers WHERE id = ANY($1::text[])`, [resolved]);
    const byId = new Map(rows.map((r) => [r.id, rowToPaper(r)]));
    return resolved.map((id) => byId.get(id)).filter((p): p is Paper => p !== undefined);
  }

  async findByTitle(title: string): Promise<Paper | undefined> {
    const { rows } = await this.pool.query<PaperRow>(
      `SELECT ${PAPER_COLUMNS} FROM papers WHERE norm_title = $1 ORDER BY first_seen DESC, id LIMIT 1`,
      [normalizeTitle(title)],
    );
    if (rows[0]) return rowToPaper(rows[0]);
    const alias = await this.pool.query<PaperRow>(
      `SELECT ${P_COLUMNS} FROM aliases a JOIN papers p ON p.id = a.paper_id WHERE a.alias = $1`,
      [titleId(title)],
    );
    return alias.rows[0] && rowToPaper(alias.rows[0]);
  }

  async findByDois(dois: readonly string[]): Promise<Map<string, string>> {
    const wanted = storedDois(dois);
    const out = new Map<string, string>();
    for (let i = 0; i < wanted.length; i += STREAM_BATCH) {
      const { rows } = await this.pool.query<{ doi: string; id: string }>(
        `SELECT doi, min(id) AS id FROM papers WHERE doi = ANY($1::text[]) GROUP BY doi`,
        [wanted.slice(i, i + STREAM_BATCH)],
      );
      for (const r of rows) out.set(r.doi, r.id);
    }
    return out;
  }

  async listPapers(query: ListQuery = {}): Promise<Paper[]> {
    const q = validListQuery(query);
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (q.seenSince !== undefined) add((n) => `first_seen >= ${n}`, q.seenSince);
    if (q.seenBefore !== undefined) add((n) => `first_seen < ${n}`, q.seenBefore);
    if (q.published !== undefined) add((n) => `published = ${n}`, q.published);
    if (q.publishedSince !== undefined) add((n) => `published >= ${n}`, q.publishedSince);
    if (q.source !== undefined) add((n) => `jsonb_exists(sources::jsonb, ${n})`, q.source);
    params.push(q.limit ?? null, q.offset ?? 0);
    const { rows } = await this.pool.query<PaperRow>(
      `SELECT ${PAPER_COLUMNS} FROM papers ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY first_seen DESC, id LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return rows.map(rowToPaper);
  }

  async count(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM papers`);
    return Number(rows[0]!.n);
  }

  async removePaper(id: string): Promise<boolean> {
    return withTransaction(this.pool, async (tx) => {
      await tx.query(WRITE_LOCK);
      const found = await resolveIn(tx, id);
      if (found === undefined) return false;
      const log = new WriteLog();
      await dropLexicalDoc(tx, found, log);
      const { rowCount } = await tx.query(`DELETE FROM papers WHERE id = $1`, [found]);
      if ((rowCount ?? 0) === 0) return false;
      log.removed(found);
      await new PgLexicalBatch(log).flush(tx);
      await tx.query(BUMP_VERSION);
      return true;
    });
  }

  async *iteratePapers(opts?: { pageSize?: number }): AsyncIterable<Paper[]> {
    const size = validPageSize(opts);
    for (let after = ''; ; ) {
      const { rows } = await this.pool.query<PaperRow>(
        `SELECT ${PAPER_COLUMNS} FROM papers WHERE id > $1 ORDER BY id LIMIT $2`,
        [after, size],
      );
      if (rows.length) yield rows.map(rowToPaper);
      if (rows.length < size) return;
      after = rows[rows.length - 1]!.id;
    }
  }

  async searchLexical(text: string, k: number, filter?: LexicalFilter): Promise<Hit[]> {
    const q = validLexicalQuery(text, k, filter);
    // The planner prices tsvector matching as nearly free, so for an OR of a few dozen terms it
    // prefers testing every document over the GIN index; at a million papers that is seconds.
    return withTransaction(this.pool, async (tx) => {
      await tx.query(`SET LOCAL enable_seqscan = off`);
      return searchPgLexical(tx, q.text, q.k, q.filter, this.lexicalMaxPostings);
    });
  }

  async paperFacts(ids: readonly string[]): Promise<Map<string, PaperFacts>> {
    const out = new Map<string, PaperFacts>();
    for (let i = 0; i < ids.length; i += STREAM_BATCH) {
      const { rows } = await this.pool.query<{ id: string; published: string | null; first_seen: string; sources: string }>(
        `SELECT id, published, first_seen, sources FROM papers WHERE id = ANY($1::text[])`,
        [ids.slice(i, i + STREAM_BATCH)],
      );
      for (const r of rows) out.set(r.id, { date: r.published ?? r.first_seen.slice(0, 10), sources: JSON.parse(r.sources) as string[] });
    }
    return out;
  }

  async changesSince(cursor: string | undefined, limit?: number): Promise<ChangeBatch> {
    if (cursor === undefined) {
      const { rows } = await this.pool.query<{ seq: string }>(`SELECT coalesce(max(seq), 0) AS seq FROM paper_changes`);
      return { cursor: String(rows[0]!.seq), upserted: [], removed: [] };
    }
    const after = parseCursor(cursor);
    const max = feedLimit(limit);
    const { rows } = await this.pool.query<{ paper_id: string; seq: string; removed: boolean }>(
      `SELECT paper_id, seq, removed FROM paper_changes WHERE seq > $1 ORDER BY seq LIMIT $2`,
      [after, max],
    );
    return feedPage(rows, after);
  }

  async pruneVectors(keepProviderKeys: readonly string[]): Promise<number> {
    checkKeepKeys(keepProviderKeys);
    return this.vectors.prune(keepProviderKeys);
  }

  async stats(): Promise<StoreStats> {
    const bySource: Record<string, number> = {};
    const sources = await this.pool.query<{ source: string; n: string }>(
      `SELECT j.value AS source, count(*) AS n FROM papers, jsonb_array_elements_text(papers.sources::jsonb) j(value)
       GROUP BY j.value ORDER BY j.value COLLATE "C"`,
    );
    for (const { source, n } of sources.rows) bySource[source] = Number(n);
    const vectors = await this.vectors.covered();
    const { rows } = await this.pool.query<{ n: string; newest: string | null }>(
      `SELECT count(*) AS n, max(first_seen) AS newest FROM papers`,
    );
    const stats: StoreStats = { papers: Number(rows[0]!.n), bySource, vectors };
    if (rows[0]!.newest !== null) stats.newestSeen = rows[0]!.newest;
    return stats;
  }

  async getCachedVectors(providerKey: string, contentHashes: string[]): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const r of await this.vectors.get(providerKey, contentHashes)) {
      out.set(r.content_hash, blobToVector(r.vector, r.dim, `${providerKey}/${r.content_hash}`));
    }
    return out;
  }

  // ifFree needs nothing here: waiting for a row lock holds only this query, not the event loop.
  async putCachedVectors(providerKey: string, entries: { contentHash: string; vector: Float32Array }[]): Promise<void> {
    checkVectorEntries(providerKey, entries);
    if (entries.length === 0) return;
    // Last entry wins for a repeated hash, as with SQLite's INSERT OR REPLACE (ON CONFLICT cannot touch a row twice).
    const unique = [...new Map(entries.map((e) => [e.contentHash, e])).values()];
    await this.vectors.put(providerKey, unique.map((e) => ({ contentHash: e.contentHash, dim: e.vector.length, blob: Buffer.from(vectorToBlob(e.vector)) })));
  }

  async *paperVectors(providerKey: string): AsyncIterable<StoredVector> {
    let after = '';
    for (;;) {
      // A page of papers, each with its vector or without one (skipped here, but the page goes past it).
      const rows = await this.vectors.papersPage(providerKey, after, STREAM_BATCH);
      for (const r of rows) if (r.vector && r.dim !== null) yield { paperId: r.id, vector: blobToVector(r.vector, r.dim, `${providerKey}/${r.id}`) };
      if (rows.length < STREAM_BATCH) return;
      after = rows[rows.length - 1]!.id;
    }
  }

  idsMissingVectors(providerKey: string): Promise<string[]> {
    return this.vectors.missing(providerKey);
  }

  /**
   * The same sha256 over id-ordered "id\tcontent_hash\n" lines as the SQLite store, hashed by the
   * server. Cached until the corpus version moves: the cheap check replicas run before trusting
   * their index is one tiny query.
   */
  async corpusChecksum(): Promise<string> {
    const { rows } = await this.pool.query<{ version: string; recorded: string | null }>(
      `SELECT version, (SELECT value FROM meta WHERE key = $1) AS recorded FROM corpus_version`,
      [CHECKSUM_META],
    );
    const version = rows[0]!.version;
    if (this.checksumCache?.version === version) return this.checksumCache.checksum;
    const recorded = recordedChecksum(rows[0]!.recorded ?? undefined, version);
    if (recorded !== undefined) {
      this.checksumCache = { version, checksum: recorded };
      return recorded;
    }
    const computed = await withTransaction(
      this.pool,
      async (tx) => {
        const v = await tx.query<{ version: string }>(`SELECT version FROM corpus_version`);
        const h = await tx.query<{ checksum: string }>(
          `SELECT encode(sha256(convert_to(coalesce(
             string_agg(id || chr(9) || content_hash || chr(10), '' ORDER BY id), ''), 'UTF8')), 'hex') AS checksum
           FROM papers`,
        );
        return { version: v.rows[0]!.version, checksum: h.rows[0]!.checksum.slice(0, 32) };
      },
      { isolation: 'REPEATABLE READ' },
    );
    await this.setMeta(CHECKSUM_META, `${computed.version}:${computed.checksum}`);
    this.checksumCache = computed;
    return computed.checksum;
  }

  async getSummaries(model: string, contentHashes: string[]): Promise<Map<string, StoredSummary>> {
    const out = new Map<string, StoredSummary>();
    for (let i = 0; i < contentHashes.length; i += STREAM_BATCH) {
      const { rows } = await this.pool.query<{ content_hash: string; model: string; paper_id: string; text: string; created_at: string }>(
        `SELECT content_hash, model, paper_id, text, created_at FROM summaries
         WHERE model = $1 AND content_hash = ANY($2::text[])`,
        [model, contentHashes.slice(i, i + STREAM_BATCH)],
      );
      for (const r of rows) {
        out.set(r.content_hash, { contentHash: r.content_hash, model: r.model, paperId: r.paper_id, text: r.text, createdAt: r.created_at });
      }
    }
    return out;
  }

  async putSummary(summary: StoredSummary): Promise<void> {
    const { contentHash, model, paperId, text } = summary;
    const createdAt = checkSummary(summary);
    await this.pool.query(
      `INSERT INTO summaries (content_hash, model, paper_id, text, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (content_hash, model) DO UPDATE
         SET paper_id = excluded.paper_id, text = excluded.text, created_at = excluded.created_at`,
      [contentHash, model, paperId, text, createdAt],
    );
  }

  async getMeta(key: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ value: string }>(`SELECT value FROM meta WHERE key = $1`, [key]);
    return rows[0]?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [key, value],
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private resolve(raw: string): Promise<string | undefined> {
    return resolveIn(this.pool, raw);
  }

  private async read(id: string): Promise<Paper | undefined> {
    const { rows } = await this.pool.query<PaperRow>(`SELECT ${PAPER_COLUMNS} FROM papers WHERE id = $1`, [id]);
    return rows[0] && rowToPaper(rows[0]);
  }
}

/** The stored id an outside id names: itself, its bare arXiv id (from a versioned id or URL), or an alias. */
async function resolveIn(db: PgQueryable, raw: string): Promise<string | undefined> {
  const id = raw.trim();
  const arxiv = parseArxivId(id);
  for (const candidate of arxiv && arxiv !== id ? [id, arxiv] : [id]) {
    const { rows } = await db.query<{ id: string }>(
      `SELECT id FROM papers WHERE id = $1
       UNION ALL SELECT paper_id FROM aliases WHERE alias = $1 LIMIT 1`,
      [candidate],
    );
    if (rows[0]) return rows[0].id;
  }
  return undefined;
}

/** Array types of the papers columns, for unnest. */
const ARRAY_TYPES = COLUMNS.map((c) => (c === 'author_count' || c === 'upvotes' ? 'int[]' : 'text[]'));

/**
 * Replays the batch's writes in order, each run of consecutive writes of one kind in one
 * statement (a round trip per run, not per paper). A run of updates never touches a row twice,
 * and a rename (a new primary key, cascading to aliases and the lexical index) goes alone.
 */
async function applyOps(tx: PgQueryable, ops: readonly Op[]): Promise<void> {
  let run: Op[] = [];
  let runIsRename = false;
  const touched = new Set<string>();
  for (const op of ops) {
    const rename = op.kind === 'update' && op.fromId !== op.paper.id;
    const joins = run.length > 0 && run[0]!.kind === op.kind && !rename && !runIsRename && !(op.kind === 'update' && touched.has(op.fromId));
    if (!joins && run.length > 0) {
      await applyRun(tx, run);
      run = [];
      touched.clear();
    }
    run.push(op);
    runIsRename = rename;
    if (op.kind === 'update') touched.add(op.fromId);
  }
  if (run.length > 0) await applyRun(tx, run);
}

async function applyRun(tx: PgQueryable, run: readonly Op[]): Promise<void> {
  const columns = (papers: Paper[]) => {
    const rows = papers.map(paperToRow);
    return COLUMNS.map((c) => rows.map((r) => r[c]));
  };
  const unnest = (from: number) => ARRAY_TYPES.map((t, i) => `$${from + i}::${t}`).join(', ');
  switch (run[0]!.kind) {
    case 'insert': {
      const papers = run.map((op) => (op as Extract<Op, { kind: 'insert' }>).paper);
      await tx.query(`INSERT INTO papers (${PAPER_COLUMNS}) SELECT * FROM unnest(${unnest(1)})`, columns(papers));
      return;
    }
    case 'update': {
      const updates = run as Extract<Op, { kind: 'update' }>[];
      await tx.query(
        `UPDATE papers p SET ${COLUMNS.map((c) => `${c} = u.${c}`).join(', ')}
         FROM unnest($1::text[], ${unnest(2)}) AS u(from_id, ${PAPER_COLUMNS})
         WHERE p.id = u.from_id`,
        [updates.map((op) => op.fromId), ...columns(updates.map((op) => op.paper))],
      );
      return;
    }
    case 'alias': {
      const aliases = run as Extract<Op, { kind: 'alias' }>[];
      // As in SQLite: ignored when a paper or an alias already owns that id (the first of a run wins).
      await tx.query(
        `INSERT INTO aliases (alias, paper_id) SELECT u.alias, u.paper_id FROM unnest($1::text[], $2::text[]) AS u(alias, paper_id)
         WHERE NOT EXISTS (SELECT 1 FROM papers WHERE id = u.alias) ON CONFLICT (alias) DO NOTHING`,
        [aliases.map((op) => op.alias), aliases.map((op) => op.paperId)],
      );
      return;
    }
  }
}
