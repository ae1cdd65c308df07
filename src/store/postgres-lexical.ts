/**
 * The PostgreSQL store's lexical index: one tsvector per paper (GIN-indexed) built from the term
 * strings of src/index/lexical-index.ts, title terms weighted A, ranked by the same BM25 as
 * SQLite's FTS5 bm25() (formula in lexical-index.ts) from the df and length statistics kept with
 * every write. Writes are gathered per transaction and applied in a few set statements at its end.
 */
import {
  BM25_B,
  BM25_K1,
  type LexicalDoc,
  type LexicalFilter,
  queryTerms,
  textTerms,
  TITLE_WEIGHT,
} from '../index/lexical-index.ts';
import { byScoreThenId, type Hit } from '../index/vector-index.ts';
import { contentHash } from '../papers/normalize.ts';
import type { Paper } from '../papers/paper.ts';
import type { PgQueryable } from './postgres-client.ts';
import type { WriteLog } from './write-log.ts';

/** tsvector limits: positions above this are clamped, and a lexeme keeps at most 256 of them. */
const MAX_POSITION = 16_383;
const MAX_POSITIONS = 255;

/** A document as a tsvector literal: 'term':1A,4A,9 … (A marks a title position). */
export function tsvectorLiteral(doc: LexicalDoc): string {
  const positions = new Map<string, string[]>();
  let at = 0;
  const add = (terms: string[], weight: string) => {
    for (const t of terms) {
      if (++at > MAX_POSITION) return;
      const list = positions.get(t) ?? [];
      if (list.length < MAX_POSITIONS) list.push(`${at}${weight}`);
      positions.set(t, list);
    }
  };
  add(doc.title, 'A');
  add(doc.abstract, 'D');
  return [...positions].map(([t, ps]) => `${quoteLexeme(t)}:${ps.join(',')}`).join(' ');
}

const quoteLexeme = (t: string) => `'${t.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

/** The lexical documents one transaction writes, by final paper id, upserted together at its end. */
export class PgLexicalBatch {
  private readonly docs = new Map<string, LexicalDoc>();

  constructor(private readonly log: WriteLog) {}

  inserted(p: Paper): void {
    this.docs.set(p.id, this.log.addDoc(p));
  }

  /** The row stored as fromId (`before`) became p; the cascade already renamed a stored document. */
  updated(fromId: string, before: Paper, p: Paper): void {
    const pending = this.docs.get(fromId);
    this.docs.delete(fromId);
    if (contentHash(before) === contentHash(p)) {
      if (pending) this.docs.set(p.id, pending);
      return;
    }
    this.log.dropDoc(before);
    this.docs.set(p.id, this.log.addDoc(p));
  }

  async flush(tx: PgQueryable): Promise<void> {
    const docs = [...this.docs];
    if (docs.length) {
      await tx.query(
        `INSERT INTO lexical_docs (paper_id, length, terms)
         SELECT * FROM unnest($1::text[], $2::int[], $3::tsvector[])
         ON CONFLICT (paper_id) DO UPDATE SET length = excluded.length, terms = excluded.terms`,
        [docs.map(([id]) => id), docs.map(([, d]) => d.length), docs.map(([, d]) => tsvectorLiteral(d))],
      );
    }
    await flushStats(tx, this.log);
  }
}

/** Takes a paper about to be deleted out of the index. */
export async function dropLexicalDoc(tx: PgQueryable, id: string, log: WriteLog): Promise<void> {
  const { rows } = await tx.query<{ title: string; abstract: string }>(
    `DELETE FROM lexical_docs d USING papers p WHERE d.paper_id = $1 AND p.id = d.paper_id RETURNING p.title, p.abstract`,
    [id],
  );
  if (rows[0]) log.dropDoc(rows[0]);
}

/** The statistics and the change feed of one transaction (its last statements). */
async function flushStats(tx: PgQueryable, log: WriteLog): Promise<void> {
  const { terms, deltas } = log.dfChanges();
  if (terms.length) {
    await tx.query(
      `INSERT INTO lexical_terms (term, df) SELECT * FROM unnest($1::text[], $2::int[])
       ON CONFLICT (term) DO UPDATE SET df = lexical_terms.df + excluded.df`,
      [terms, deltas],
    );
    const shrunk = terms.filter((_, i) => deltas[i]! < 0);
    if (shrunk.length) await tx.query(`DELETE FROM lexical_terms WHERE term = ANY($1::text[]) AND df <= 0`, [shrunk]);
  }
  if (log.docs !== 0 || log.length !== 0) {
    await tx.query(`UPDATE lexical_stats SET docs = docs + $1, length = length + $2`, [log.docs, log.length]);
  }
  const changes = log.changeEntries();
  if (changes.length) {
    // Writers hold the papers write lock, so numbering from the current maximum is race-free and
    // commits appear in sequence order.
    await tx.query(
      `INSERT INTO paper_changes (paper_id, seq, removed)
       SELECT id, (SELECT coalesce(max(seq), 0) FROM paper_changes) + n, removed
       FROM unnest($1::text[], $2::boolean[]) WITH ORDINALITY AS c(id, removed, n)
       ON CONFLICT (paper_id) DO UPDATE SET seq = excluded.seq, removed = excluded.removed`,
      [changes.map((c) => c.id), changes.map((c) => c.removed)],
    );
  }
}

export async function searchPgLexical(
  db: PgQueryable,
  text: string,
  k: number,
  filter: LexicalFilter = {},
  maxPostings?: number,
): Promise<Hit[]> {
  const terms = [...new Set(textTerms(text))];
  if (terms.length === 0) return [];
  const [dfRows, stats] = await Promise.all([
    db.query<{ term: string; df: number }>(`SELECT term, df FROM lexical_terms WHERE term = ANY($1::text[])`, [terms]),
    db.query<{ docs: string; length: string }>(`SELECT docs, length FROM lexical_stats`),
  ]);
  const docs = Number(stats.rows[0]?.docs ?? 0);
  if (docs <= 0) return [];
  const avgdl = Number(stats.rows[0]!.length) / docs;
  const picked = queryTerms(terms, new Map(dfRows.rows.map((r) => [r.term, r.df])), docs, maxPostings, filter.sole);
  if (picked.length === 0) return [];
  const params: unknown[] = [picked.map((t) => t.term), picked.map((t) => t.idf), picked.map((t) => quoteLexeme(t.term)).join(' | '), avgdl || 1];
  const where: string[] = [];
  const add = (sql: (n: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (filter.since !== undefined) add((n) => `coalesce(p.published, substr(p.first_seen, 1, 10)) >= ${n}`, filter.since);
  if (filter.source !== undefined) add((n) => `jsonb_exists(p.sources::jsonb, ${n})`, filter.source);
  if (filter.excludeIds?.length) add((n) => `d.paper_id <> ALL(${n}::text[])`, filter.excludeIds);
  params.push(k);
  const papers = filter.since !== undefined || filter.source !== undefined ? 'JOIN papers p ON p.id = d.paper_id' : '';
  // f = title occurrences × TITLE_WEIGHT + abstract occurrences, |d| = length: FTS5's bm25().
  const { rows } = await db.query<{ id: string; score: number }>(
    `WITH q AS (SELECT * FROM unnest($1::text[], $2::float8[]) AS q(term, idf)),
     m AS (SELECT d.paper_id, d.length, d.terms FROM lexical_docs d ${papers}
           WHERE d.terms @@ $3::tsquery ${where.map((w) => `AND ${w}`).join(' ')})
     SELECT m.paper_id AS id,
            sum(q.idf * f.tf * ${BM25_K1 + 1}::float8 / (f.tf + ${BM25_K1}::float8 * (${1 - BM25_B}::float8 + ${BM25_B}::float8 * m.length / $4::float8))) AS score
     FROM m
     -- Only the query's lexemes of each document: ts_delete twice keeps them (the executor then
     -- walks a handful of rows per document instead of all its lexemes).
     CROSS JOIN LATERAL unnest(ts_delete(m.terms, tsvector_to_array(ts_delete(m.terms, $1::text[])))) u
     JOIN q ON q.term = u.lexeme
     CROSS JOIN LATERAL (SELECT sum(CASE WHEN w = 'A' THEN ${TITLE_WEIGHT} ELSE 1 END)::float8 AS tf FROM unnest(u.weights) w) f
     GROUP BY m.paper_id
     ORDER BY score DESC, m.paper_id
     LIMIT $${params.length}`,
    params,
  );
  return rows.map((r) => ({ id: r.id, score: Number(r.score) })).sort(byScoreThenId);
}
