/**
 * What one store transaction did to the lexical index's statistics and to the change feed,
 * gathered while its papers are written and applied once at its end (one statement each instead
 * of one per term or per paper). Both stores use it, so both keep the same books.
 */
import { addDf, lexicalDoc, type LexicalDoc } from '../index/lexical-index.ts';
import type { Paper } from '../papers/paper.ts';
import { StoreInputError } from './store-input.ts';

/** Most changes one changesSince call returns: a follower far behind catches up in bounded steps. */
export const CHANGES_PAGE = 10_000;

export interface ChangeEntry {
  id: string;
  removed: boolean;
}

export class WriteLog {
  /** Document-frequency change per term. */
  readonly df = new Map<string, number>();
  docs = 0;
  length = 0;
  private readonly changes = new Map<string, boolean>();

  /** A paper's lexical document entered the index. */
  addDoc(p: Pick<Paper, 'title' | 'abstract'>): LexicalDoc {
    const doc = lexicalDoc(p);
    addDf(this.df, doc, 1);
    this.docs++;
    this.length += doc.length;
    return doc;
  }

  /** A paper's lexical document left the index (its text as it was stored). */
  dropDoc(p: Pick<Paper, 'title' | 'abstract'>): void {
    const doc = lexicalDoc(p);
    addDf(this.df, doc, -1);
    this.docs--;
    this.length -= doc.length;
  }

  /** Terms whose document frequency moved, as parallel arrays. */
  dfChanges(): { terms: string[]; deltas: number[] } {
    const terms: string[] = [];
    const deltas: number[] = [];
    for (const [t, d] of this.df) {
      if (d === 0) continue;
      terms.push(t);
      deltas.push(d);
    }
    return { terms, deltas };
  }

  upserted(id: string): void {
    this.change(id, false);
  }

  removed(id: string): void {
    this.change(id, true);
  }

  /** One entry per paper id, in the order of each id's last change (a later change supersedes an earlier one). */
  changeEntries(): ChangeEntry[] {
    return [...this.changes].map(([id, removed]) => ({ id, removed }));
  }

  private change(id: string, removed: boolean): void {
    this.changes.delete(id);
    this.changes.set(id, removed);
  }
}

/** A change-feed cursor is the last sequence number read, as decimal text. */
export function parseCursor(cursor: string): number {
  if (typeof cursor !== 'string' || !/^(0|[1-9][0-9]{0,15})$/.test(cursor)) {
    throw new StoreInputError(`changesSince: cursor ${JSON.stringify(cursor)} is not a cursor this store handed out`);
  }
  return Number(cursor);
}

/** How many changes one changesSince call may return. */
export function feedLimit(limit: number | undefined): number {
  const n = limit ?? CHANGES_PAGE;
  if (!Number.isInteger(n) || n < 1 || n > CHANGES_PAGE) {
    throw new StoreInputError(`changesSince: limit ${n} is not a whole number from 1 to ${CHANGES_PAGE}`);
  }
  return n;
}

/** Splits a page of feed rows into the changesSince answer. */
export function feedPage(rows: { paper_id: string; seq: number | string; removed: unknown }[], after: number): {
  cursor: string;
  upserted: string[];
  removed: string[];
} {
  const upserted: string[] = [];
  const removed: string[] = [];
  for (const r of rows) (r.removed === true || r.removed === 1 ? removed : upserted).push(r.paper_id);
  const last = rows.length ? Number(rows[rows.length - 1]!.seq) : after;
  return { cursor: String(last), upserted, removed };
}
