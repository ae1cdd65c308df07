import type { LexicalFilter } from '../index/lexical-index.ts';
import type { Hit } from '../index/vector-index.ts';
import type { Paper, PaperInput } from '../papers/paper.ts';

export type { LexicalFilter } from '../index/lexical-index.ts';

/** What one upsert did, by canonical id. */
export interface UpsertResult {
  added: string[];
  merged: string[];
  unchanged: string[];
  /** A paper first stored under a title id that has now been matched to its arXiv id. */
  renamed: { from: string; to: string }[];
}

export interface ListQuery {
  /** Papers first seen on or after this instant (ISO). */
  seenSince?: string;
  /** Papers first seen before this instant (ISO). */
  seenBefore?: string;
  /** Published on this date (YYYY-MM-DD). */
  published?: string;
  /** Published on or after this date (YYYY-MM-DD). */
  publishedSince?: string;
  source?: string;
  limit?: number;
  offset?: number;
}

export interface StoredVector {
  paperId: string;
  vector: Float32Array;
}

/** A cached language-model summary of one paper's text (title and abstract) by one model. */
export interface StoredSummary {
  paperId: string;
  contentHash: string;
  model: string;
  text: string;
  /** ISO instant. */
  createdAt: string;
}

/** What a query filter needs to know about a paper. */
export interface PaperFacts {
  /** Published date, else the day it was first seen (YYYY-MM-DD). */
  date: string;
  sources: string[];
}

/** One step of the change feed. */
export interface ChangeBatch {
  /** Pass it to the next changesSince call. */
  cursor: string;
  /** Papers added or changed (including the new id of a renamed paper), each once, by id. */
  upserted: string[];
  /** Ids that no longer name a stored paper (removed, or the old id of a renamed one). */
  removed: string[];
}

export interface StoreStats {
  papers: number;
  bySource: Record<string, number>;
  vectors: Record<string, number>;
  newestSeen?: string;
}

/**
 * The paper store: papers, their embedding vectors (cached by content hash per provider), and a
 * small metadata table. Every write is one transaction: a crash leaves the old or the new state.
 * Async so that a server-backed store can implement it too.
 */
export interface PaperStore {
  /** Normalizes, dedupes (by arXiv id, then by normalized title) and merges, in one transaction. */
  upsertPapers(inputs: PaperInput[], now?: Date): Promise<UpsertResult>;
  getPaper(id: string): Promise<Paper | undefined>;
  getPapers(ids: string[]): Promise<Paper[]>;
  /** Finds by normalized title, for "similar <title>". */
  findByTitle(title: string): Promise<Paper | undefined>;
  /**
   * The stored paper of each DOI, keyed by the DOI in its stored form (papers/doi.ts; other
   * spellings are normalized first, and what is no DOI is ignored). DOIs of no stored paper are
   * absent; should two papers carry one DOI, the smaller id answers, on both backends.
   */
  findByDois(dois: readonly string[]): Promise<Map<string, string>>;
  listPapers(query?: ListQuery): Promise<Paper[]>;
  count(): Promise<number>;
  removePaper(id: string): Promise<boolean>;
  stats(): Promise<StoreStats>;
  /**
   * Every paper, a page at a time in id order. Pages continue after the last id seen (never an
   * OFFSET, whose cost grows with the depth), so a full pass is linear in the corpus; papers
   * written during the pass may or may not be seen.
   */
  iteratePapers(opts?: { pageSize?: number }): AsyncIterable<Paper[]>;

  /**
   * BM25 keyword search over titles and abstracts (terms as src/index/lexical-index.ts makes
   * them), best first, ties by id. The index is written in the same transaction as the papers,
   * so nothing is built in memory; a long query (a whole abstract) is run with its rarest terms
   * only, which keeps it to milliseconds at any corpus size. since/source are applied in the query.
   */
  searchLexical(text: string, k: number, filter?: LexicalFilter): Promise<Hit[]>;
  /** The date and sources of these stored papers (unknown ids are absent), for filtering a few hundred candidates without loading the corpus. */
  paperFacts(ids: readonly string[]): Promise<Map<string, PaperFacts>>;
  /**
   * Lets another process follow this store's writes cheaply. Every paper write records its ids
   * with a growing sequence number in the same transaction; this returns the changes after
   * `cursor`, at most `limit` (default and most CHANGES_PAGE) of them (call again with the new
   * cursor until both lists are empty). `undefined` answers only the current cursor, with no changes: the feed keeps the last
   * change per id, not the history from the start, so a new follower makes one full pass
   * (iteratePapers) first and follows from the cursor it took before that pass.
   */
  changesSince(cursor: string | undefined, limit?: number): Promise<ChangeBatch>;

  /** Cached vectors for content hashes under one provider key. */
  getCachedVectors(providerKey: string, contentHashes: string[]): Promise<Map<string, Float32Array>>;
  /**
   * Caches vectors. `ifFree`: a write a query makes, which may be skipped: while another process
   * holds the store's write lock, nothing is cached (the vector is computed again next time)
   * rather than holding the query, and with SQLite the whole event loop, until it is released.
   */
  putCachedVectors(providerKey: string, entries: { contentHash: string; vector: Float32Array }[], opts?: { ifFree?: boolean }): Promise<void>;
  /** Every paper's current vector under a provider (papers without one are skipped). */
  paperVectors(providerKey: string): AsyncIterable<StoredVector>;
  /**
   * Ids of the papers whose current text has no vector yet under this provider, newest first.
   * Ids, not papers: at a million papers the papers themselves take gigabytes.
   */
  idsMissingVectors(providerKey: string): Promise<string[]>;
  /**
   * Deletes cached vectors of every provider key not listed (superseded fits, other models) and
   * of texts no stored paper has any more; returns how many went. The cache otherwise only grows.
   */
  pruneVectors(keepProviderKeys: readonly string[]): Promise<number>;
  /** A checksum of (paper id, content hash) pairs: the index compares it to know it is in step. */
  corpusChecksum(): Promise<string>;

  /** Cached summaries by this model for these content hashes (misses are absent). */
  getSummaries(model: string, contentHashes: string[]): Promise<Map<string, StoredSummary>>;
  /** Stores (or replaces) the summary of one text by one model. */
  putSummary(summary: StoredSummary): Promise<void>;

  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  close(): Promise<void>;
}
