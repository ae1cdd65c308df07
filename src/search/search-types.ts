import type { Paper } from '../papers/paper.ts';

/** Narrows a query: only papers that pass every given condition are returned. */
export interface SearchFilter {
  /** Published (or, when unknown, first seen) on or after this date, YYYY-MM-DD. */
  since?: string;
  source?: string;
  excludeIds?: Iterable<string>;
  /** Any extra predicate on the paper id (e.g. candidates of one day). */
  accept?: (id: string) => boolean;
}

export type SearchMode = 'hybrid' | 'dense' | 'lexical';

/** One result of a similarity or text search. */
export interface ScoredPaper {
  paper: Paper;
  /** Cosine similarity for dense queries; the fused score for hybrid ones. */
  score: number;
  /** Cosine similarity to the query when a dense vector was involved. */
  cosine?: number;
}
