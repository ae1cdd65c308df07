/** A nearest-neighbour hit: the paper id and its cosine similarity to the query. */
export interface Hit {
  id: string;
  score: number;
}

/** Best first; equal scores by id, so an order never depends on how the hits were gathered. */
export function byScoreThenId(a: Hit, b: Hit): number {
  return b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** What an index was built with; a query or an add with another provider is refused. */
export interface IndexInfo {
  providerKey: string;
  dimension: number;
  count: number;
  /** The store's corpus checksum at the last sync, as set by the caller; absent before the first sync. */
  corpusChecksum?: string;
}

/** Optional checks on a call: the provider that made the vectors, compared with the index's own. */
export interface VectorUseOptions {
  providerKey?: string;
}

/**
 * The vector index behind every similarity query. hnswlib-node implements it today; a
 * server-side vector store can implement it later without touching callers.
 */
export interface VectorIndex {
  info(): IndexInfo;
  has(id: string): boolean;
  /** Adds or replaces vectors (unit length) for paper ids. */
  upsert(items: { id: string; vector: Float32Array }[], opts?: VectorUseOptions): void;
  /** Marks a paper deleted; it is never returned again. */
  remove(id: string): void;
  /** The k nearest ids by cosine similarity, best first, that pass `accept` (if given). */
  search(vector: Float32Array, k: number, accept?: (id: string) => boolean, opts?: VectorUseOptions): Hit[];
  /** Persists atomically (temp file + rename). */
  save(): Promise<void>;
}

export const REINDEX_HINT = 'run `paperfeed reindex` to re-embed everything with the configured provider';

/**
 * Vectors from one embedding provider met an index built with another (or of another dimension).
 * Mixing them would return nonsense neighbours, so every implementation refuses with this error.
 */
export class IndexMismatchError extends Error {
  constructor(
    public readonly indexProvider: string,
    public readonly otherProvider: string,
    detail?: string,
  ) {
    super(
      `vector index was built with provider "${indexProvider}" but ${detail ?? `was used with provider "${otherProvider}"`}; ${REINDEX_HINT}`,
    );
    this.name = 'IndexMismatchError';
  }
}

/**
 * Throws IndexMismatchError when a vector cannot belong to this index (another provider key or
 * another dimension), and TypeError when it is not a usable vector (non-finite values, zero length).
 */
export function assertCompatibleVector(
  index: { providerKey: string; dimension: number },
  vector: Float32Array,
  opts?: VectorUseOptions,
): void {
  const other = opts?.providerKey;
  if (other !== undefined && other !== index.providerKey) {
    throw new IndexMismatchError(index.providerKey, other);
  }
  if (vector.length !== index.dimension) {
    const from = other === undefined ? 'from another provider' : `from provider "${other}"`;
    throw new IndexMismatchError(
      index.providerKey,
      other ?? `(unknown, ${vector.length} dimensions)`,
      `got a ${vector.length}-dimensional vector ${from} where ${index.dimension} dimensions are expected`,
    );
  }
  let norm = 0;
  for (let i = 0; i < vector.length; i++) norm += vector[i]! * vector[i]!;
  if (!Number.isFinite(norm) || norm === 0) {
    throw new TypeError('vector has non-finite values or zero length; it cannot be indexed or searched');
  }
}
