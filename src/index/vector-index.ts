/** A nearest-neighbour hit: the paper id and its cosine similarity to the query. */
export interface Hit {
  id: string;
  score: number;
}

/** What an index was built with; a query or an add with another provider is refused. */
export interface IndexInfo {
  providerKey: string;
  dimension: number;
  count: number;
}

/**
 * The vector index behind every similarity query. hnswlib-node implements it today; a
 * server-side vector store can implement it later without touching callers.
 */
export interface VectorIndex {
  info(): IndexInfo;
  has(id: string): boolean;
  /** Adds or replaces vectors (unit length) for paper ids. */
  upsert(items: { id: string; vector: Float32Array }[]): void;
  /** Marks a paper deleted; it is never returned again. */
  remove(id: string): void;
  /** The k nearest ids by cosine similarity, best first, that pass `accept` (if given). */
  search(vector: Float32Array, k: number, accept?: (id: string) => boolean): Hit[];
  /** Persists atomically (temp file + rename). */
  save(): Promise<void>;
}
