/**
 * The SQLite store's lexical index: FTS5 over the term strings of src/index/lexical-index.ts,
 * ranked by FTS5's bm25() with the title weighted TITLE_WEIGHT. Every method runs inside the
 * caller's transaction; the statistics (df, document count) go through the transaction's WriteLog.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { type LexicalFilter, queryTerms, TITLE_WEIGHT, textTerms } from '../index/lexical-index.ts';
import { byScoreThenId, type Hit } from '../index/vector-index.ts';
import type { Paper } from '../papers/paper.ts';
import type { WriteLog } from './write-log.ts';

/** Terms looked up per statement (one JSON parameter each). */
const LOOKUP_CHUNK = 500;

/** What a since/source filter checks, as lexical_docs keeps it: the date as PaperFacts defines it (published, else the day first seen), the sources' JSON. */
const facts = (p: Paper): [string, string] => [p.published ?? p.firstSeen.slice(0, 10), JSON.stringify(p.sources)];

const NOT_EXCLUDED = `d.paper_id NOT IN (SELECT value FROM json_each(?))`;
/**
 * An unfiltered query: FTS5 ranks alone and only its top rows are joined to their paper ids
 * (joining every match before the sort was about half of a query's cost at 300k papers). Equal
 * scores at the cut are broken by index order, not by id.
 */
const topMatches = (exclude: boolean) =>
  `SELECT d.paper_id AS id, m.score
   FROM (SELECT rowid, -bm25(lexical, ${TITLE_WEIGHT}, 1) AS score FROM lexical WHERE lexical MATCH ? ORDER BY score DESC, rowid LIMIT ?) m
   JOIN lexical_docs d ON d.doc = m.rowid
   ${exclude ? `WHERE ${NOT_EXCLUDED}` : ''}
   ORDER BY score DESC, id LIMIT ?`;

type StoredText = { doc: number | null; title: string; abstract: string; content_hash: string };

export class SqliteLexical {
  private readonly q;

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly maxPostings?: number,
  ) {
    this.q = {
      addDoc: db.prepare<[string, string, string]>(`INSERT INTO lexical_docs (paper_id, date, sources) VALUES (?, ?, ?)`),
      setFacts: db.prepare<[string, string, string]>(`UPDATE lexical_docs SET date = ?, sources = ? WHERE paper_id = ?`),
      addText: db.prepare(`INSERT INTO lexical (rowid, title, abstract) VALUES (?, ?, ?)`),
      dropText: db.prepare(`DELETE FROM lexical WHERE rowid = ?`),
      dropDoc: db.prepare(`DELETE FROM lexical_docs WHERE doc = ?`),
      stored: db.prepare<[string], StoredText>(
        `SELECT d.doc, p.title, p.abstract, p.content_hash FROM papers p LEFT JOIN lexical_docs d ON d.paper_id = p.id WHERE p.id = ?`,
      ),
      df: db.prepare<[string], { term: string; df: number }>(
        `SELECT term, df FROM lexical_terms WHERE term IN (SELECT value FROM json_each(?))`,
      ),
      docs: db.prepare<[], number>(`SELECT docs FROM lexical_stats`).pluck(),
      top: db.prepare<[string, number, number], Hit>(topMatches(false)),
      topExcluding: db.prepare<[string, number, string, number], Hit>(topMatches(true)),
      // WHERE keeps the parser from reading ON CONFLICT as a join constraint.
      addDf: db.prepare<[string]>(
        `INSERT INTO lexical_terms (term, df) SELECT value ->> 0, value ->> 1 FROM json_each(?) WHERE true
         ON CONFLICT (term) DO UPDATE SET df = df + excluded.df`,
      ),
      pruneDf: db.prepare<[string]>(`DELETE FROM lexical_terms WHERE term IN (SELECT value FROM json_each(?)) AND df <= 0`),
      addDocs: db.prepare<[number]>(`UPDATE lexical_stats SET docs = docs + ?`),
    };
  }

  /** Indexes a paper whose row was just inserted. */
  insert(p: Paper, log: WriteLog): void {
    const doc = log.addDoc(p);
    const { lastInsertRowid } = this.q.addDoc.run(p.id, ...facts(p));
    this.q.addText.run(lastInsertRowid, doc.title.join(' '), doc.abstract.join(' '));
  }

  /**
   * Before the row stored as fromId is overwritten with p: re-indexes it when its text changes.
   * A rename alone needs nothing here: the cascade moves lexical_docs.paper_id with the row.
   */
  beforeUpdate(fromId: string, p: Paper, newHash: string, log: WriteLog): void {
    const old = this.q.stored.get(fromId);
    if (old && old.doc !== null) this.q.setFacts.run(...facts(p), fromId);
    if (!old || (old.doc !== null && old.content_hash === newHash)) return;
    if (old.doc !== null) {
      log.dropDoc(old);
      this.q.dropText.run(old.doc);
      const doc = log.addDoc(p);
      this.q.addText.run(old.doc, doc.title.join(' '), doc.abstract.join(' '));
    } else {
      // Not indexed (cannot happen after migration v3, but costs nothing to heal).
      const doc = log.addDoc(p);
      const { lastInsertRowid } = this.q.addDoc.run(fromId, ...facts(p));
      this.q.addText.run(lastInsertRowid, doc.title.join(' '), doc.abstract.join(' '));
    }
  }

  /** Before the paper's row is deleted. */
  beforeDelete(id: string, log: WriteLog): void {
    const old = this.q.stored.get(id);
    if (!old || old.doc === null) return;
    log.dropDoc(old);
    this.q.dropText.run(old.doc);
    this.q.dropDoc.run(old.doc);
  }

  /** Applies the transaction's statistics; last step of every writing transaction. */
  flush(log: WriteLog): void {
    const { terms, deltas } = log.dfChanges();
    if (terms.length) {
      this.q.addDf.run(JSON.stringify(terms.map((t, i) => [t, deltas[i]])));
      const shrunk = terms.filter((_, i) => deltas[i]! < 0);
      if (shrunk.length) this.q.pruneDf.run(JSON.stringify(shrunk));
    }
    if (log.docs !== 0) this.q.addDocs.run(log.docs);
  }

  search(text: string, k: number, filter: LexicalFilter = {}): Hit[] {
    const terms = [...new Set(textTerms(text))];
    if (terms.length === 0) return [];
    const df = new Map<string, number>();
    for (let i = 0; i < terms.length; i += LOOKUP_CHUNK) {
      for (const r of this.q.df.all(JSON.stringify(terms.slice(i, i + LOOKUP_CHUNK)))) df.set(r.term, r.df);
    }
    const picked = queryTerms(terms, df, this.q.docs.get() ?? 0, this.maxPostings, filter.sole);
    if (picked.length === 0) return [];
    const match = picked.map((t) => `"${t.term.replaceAll('"', '""')}"`).join(' OR ');
    const exclude = filter.excludeIds?.length ? JSON.stringify(filter.excludeIds) : undefined;
    let rows: Hit[];
    if (filter.since === undefined && filter.source === undefined) {
      // An excluded id can take at most one of the top places, so k + excluded rows are enough.
      const top = k + (filter.excludeIds?.length ?? 0);
      rows = exclude ? this.q.topExcluding.all(match, top, exclude, k) : this.q.top.all(match, top, k);
    } else {
      const where: string[] = [];
      const params: unknown[] = [match];
      if (filter.since !== undefined) {
        where.push(`d.date >= ?`);
        params.push(filter.since);
      }
      if (filter.source !== undefined) {
        where.push(`EXISTS (SELECT 1 FROM json_each(d.sources) WHERE value = ?)`);
        params.push(filter.source);
      }
      if (exclude) {
        where.push(NOT_EXCLUDED);
        params.push(exclude);
      }
      rows = this.db
        .prepare<unknown[], Hit>(
          `SELECT d.paper_id AS id, -bm25(lexical, ${TITLE_WEIGHT}, 1) AS score
           FROM lexical JOIN lexical_docs d ON d.doc = lexical.rowid
           WHERE lexical MATCH ? ${where.map((w) => `AND ${w}`).join(' ')}
           ORDER BY score DESC, id LIMIT ?`,
        )
        .all(...params, k);
    }
    return rows.sort(byScoreThenId);
  }
}
