import type { Paper, PaperInput } from '../papers/paper.ts';

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
  listPapers(query?: ListQuery): Promise<Paper[]>;
  count(): Promise<number>;
  removePaper(id: string): Promise<boolean>;
  stats(): Promise<StoreStats>;

  /** Cached vectors for content hashes under one provider key. */
  getCachedVectors(providerKey: string, contentHashes: string[]): Promise<Map<string, Float32Array>>;
  putCachedVectors(providerKey: string, entries: { contentHash: string; vector: Float32Array }[]): Promise<void>;
  /** Every paper's current vector under a provider (papers without one are skipped). */
  paperVectors(providerKey: string): AsyncIterable<StoredVector>;
  /** Papers whose current text has no vector yet under this provider. */
  papersMissingVectors(providerKey: string): Promise<Paper[]>;
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
